"""Frame encoding: header, aligned arrays, quantised maps, JSON safety."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from app.frames import (
    clean,
    decode,
    encode_frame,
    frame_json,
    frame_json_bytes,
    header_json,
    quantise,
)
from engine.telemetry import snapshot
from engine.trainer import Trainer


@pytest.fixture(scope="module")
def frame():
    trainer = Trainer({"hidden": [5, 4], "activation": "relu", "dropout": 0.3,
                       "batch_norm": True, "data": {"name": "moons", "n_samples": 60}})
    trainer.train(12)
    return snapshot(trainer, output_grid=20, unit_grid=6)


def test_encode_frame_round_trips(frame) -> None:
    message = encode_frame(frame, {"type": "frame", "run": "abc"})
    header, arrays = decode(message)
    assert header["type"] == "frame" and header["run"] == "abc"
    assert header["step"] == 12
    assert np.array_equal(arrays["layers.0.params.W"], frame["layers"][0]["params"]["W"]
                          .astype(np.float32))
    span = float(frame["output_map"].max() - frame["output_map"].min())
    assert np.abs(arrays["output_map"] - frame["output_map"]).max() <= span / 255 / 2 + 1e-6
    mask = next(a for name, a in arrays.items() if name.endswith(".mask"))
    assert mask.dtype == np.uint8 and set(np.unique(mask)) <= {0, 1}
    bn = next(layer for layer in header["layers"] if layer["type"] == "batchnorm")
    assert len(bn["running_mean"]) == 5


def test_encode_frame_aligns_arrays_to_four_bytes(frame) -> None:
    message = encode_frame(frame, {})
    (length,) = struct.unpack_from("<I", message, 0)
    pad = (-(4 + length)) % 4
    assert message[4 + length:4 + length + pad] == b" " * pad
    header = json.loads(message[4:4 + length])
    assert all(entry["offset"] % 4 == 0 for entry in header["arrays"])
    # the arrays tile the payload without gaps or overlaps: the maps and masks
    # first, then all the float32 parameters in one block
    end = 0
    for entry in sorted(header["arrays"], key=lambda e: e["offset"]):
        assert entry["offset"] == end + (-end) % 4, entry["name"]
        end = entry["offset"] + int(np.prod(entry["shape"])) * np.dtype(entry["dtype"]).itemsize
    assert len(message) - (4 + length + pad) == end
    kinds = [e["dtype"] for e in sorted(header["arrays"], key=lambda e: e["offset"])]
    assert kinds == sorted(kinds, key=lambda k: k == "float32") and kinds[-1] == "float32"


def test_quantise_maps_range_to_bytes() -> None:
    q, lo, hi = quantise(np.array([[-1.0, 0.0], [0.5, 1.0]], dtype=np.float32))
    assert (lo, hi) == (-1.0, 1.0)
    assert q.tolist() == [[0, 128], [191, 255]]
    flat, lo, hi = quantise(np.full((2, 2), 3.0, dtype=np.float32))
    assert flat.tolist() == [[0, 0], [0, 0]] and lo == hi == 3.0
    q, lo, hi = quantise(np.array([np.nan, 0.0, 2.0, np.inf], dtype=np.float32))
    assert (lo, hi) == (0.0, 2.0)
    assert q.tolist() == [0, 0, 255, 255]


def test_clean_turns_non_finite_numbers_into_null() -> None:
    value = {"a": float("nan"), "b": [np.float32(1.5), float("inf")], "c": np.int64(3)}
    assert clean(value) == {"a": None, "b": [1.5, None], "c": 3}
    json.dumps(clean(value), allow_nan=False)


def test_frame_json_is_plain_json(frame) -> None:
    data = json.loads(json.dumps(frame_json(frame, {"run": "x"}), allow_nan=False))
    assert data["run"] == "x"
    assert len(data["output_map"]) == 20
    assert data["layers"][0]["params"]["W"] == frame["layers"][0]["params"]["W"].tolist()


def test_frame_json_bytes_say_what_frame_json_says(frame) -> None:
    """Written straight from the arrays: the same keys and numbers, float32 maps in
    their shortest float32 form (the same float32 values)."""
    written = json.loads(frame_json_bytes(frame, {"run": "x", "metrics": float("nan")}))
    plain = frame_json(frame, {"run": "x", "metrics": float("nan")})
    assert written.keys() == plain.keys() and written["metrics"] is None
    assert written["layers"][0]["params"] == plain["layers"][0]["params"]
    assert written["hyper"] == plain["hyper"] and written["grid"] == plain["grid"]
    np.testing.assert_array_equal(np.array(written["output_map"], dtype=np.float32),
                                  frame["output_map"])
    for got, layer in zip(written["layers"], frame["layers"], strict=True):
        if "unit_maps" in layer:
            np.testing.assert_array_equal(np.array(got["unit_maps"], dtype=np.float32),
                                          layer["unit_maps"])
        assert got.keys() == layer.keys()


def test_clean_arrays_in_one_step() -> None:
    assert clean(np.array([1.0, np.nan, -np.inf])) == [1.0, None, None]
    assert clean(np.array([[1, 2], [3, 4]], dtype=np.int64)) == [[1, 2], [3, 4]]
    assert clean(np.array([True, False])) == [True, False]
    assert clean(np.zeros((2, 0))) == [[], []]


def test_header_json_writes_what_clean_would() -> None:
    """orjson writes NumPy values itself; what it leaves (an array that is not
    C-contiguous, a float16) goes through clean(); non-finite numbers are null."""
    grid = np.arange(12, dtype=np.float64).reshape(3, 4)
    grid[0, 2] = np.nan
    header = {"share": np.array([0.25, np.inf]), "dead": np.array([True, False]),
              "columns": grid[:, ::2], "half": np.float16(0.5), "single": np.float32(np.nan),
              "count": np.int64(7), "pair": (1, 2.5), "none": None, 3: "three"}
    expected = {"share": [0.25, None], "dead": [True, False],
                "columns": [[0.0, None], [4.0, 6.0], [8.0, 10.0]], "half": 0.5,
                "single": None, "count": 7, "pair": [1, 2.5], "none": None, "3": "three"}
    assert json.loads(header_json(header)) == expected == clean(header)
    with pytest.raises(TypeError):
        header_json({"bad": object()})
    # what orjson refuses outright goes through clean() and json.dumps
    odd = {"by_class": {np.int64(2): 0.5}, "big": 2**70}
    assert json.loads(header_json(odd)) == {"by_class": {"2": 0.5}, "big": 2**70} == clean(odd)


def test_encode_frame_header_matches_clean(frame) -> None:
    """The binary frame's header says what the plain JSON frame says."""
    header, _ = decode(encode_frame(frame, {"seq": 1}))
    plain = frame_json(frame, {"seq": 1})
    for key in ("step", "epoch", "train_loss", "test_loss", "hyper", "extent", "seq"):
        assert header[key] == plain[key], key
    for got, layer in zip(header["layers"], plain["layers"], strict=True):
        assert got == {k: v for k, v in layer.items() if k not in ("params", "unit_maps", "mask")}


def test_a_conv_frame_carries_batchnorm_and_prelu_per_channel() -> None:
    """A lab frame: batch norm after a convolution sends one running mean and
    variance, gamma and beta per filter, and PReLU one slope per filter."""
    trainer = Trainer({"data": {"name": "shapes", "n_samples": 40, "size": 8}, "seed": 1,
                       "layers": [{"type": "conv2d", "filters": 3, "padding": 1},
                                  {"type": "batchnorm"}, {"type": "activation", "name": "prelu"},
                                  {"type": "global_max_pool"}]})
    trainer.train(4)
    header, arrays = decode(encode_frame(snapshot(trainer), {"type": "frame"}))
    bn = header["layers"][1]
    assert bn["type"] == "batchnorm" and len(bn["running_mean"]) == len(bn["running_var"]) == 3
    assert bn["running_mean"] == pytest.approx(trainer.net.layer("1").state["running_mean"])
    for name in ("layers.1.params.gamma", "layers.1.params.beta", "layers.2.params.alpha"):
        assert arrays[name].shape == (3,), name
    assert arrays["probe.layers.1"].shape == (3, 8, 8)
