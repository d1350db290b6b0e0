"""Tests for engine.probe: the probe's outputs equal the network's own forward,
shifts and drawings, text windows and max-over-time positions, and named errors."""

from __future__ import annotations

import numpy as np
import pytest

from engine.budget import MB, Budget, pass_bytes
from engine.build import build_network
from engine.errors import SpecError
from engine.probe import ProbeRequest, parse_probe, probe
from engine.spec import Limits
from engine.trainer import Trainer

IMAGE = {"data": {"name": "shapes", "n_samples": 36, "size": 10},
         "layers": [{"type": "conv2d", "filters": 2, "padding": 1},
                    {"type": "activation", "name": "tanh"},
                    {"type": "pool2d", "size": 2}]}
TEXT = {"data": {"name": "sentiment", "n_samples": 40},
        "layers": [{"type": "embedding", "channels": "static"},
                   {"type": "conv1d", "filters": 3, "kernel": 2, "stride": 2},
                   {"type": "global_max_pool"}]}


def test_probe_outputs_match_network_forward() -> None:
    trainer = Trainer(IMAGE)
    result = probe(trainer, ProbeRequest("train", 4))
    x = trainer.X_train[4:5]
    np.testing.assert_allclose(result["input"], x[0, 0], rtol=1e-6)
    out = trainer.net.predict(x)
    np.testing.assert_allclose(result["layers"][-1]["values"], out[0], rtol=1e-5)
    probs = np.exp(out[0] - out[0].max())
    np.testing.assert_allclose(result["scores"], probs / probs.sum(), rtol=1e-9)
    assert result["label"] == int(trainer.data.y_train[4])
    assert [entry["type"] for entry in result["layers"]] == [
        "conv2d", "activation", "pool2d", "flatten", "dense"]
    pooled = result["pooling"]
    assert pooled["source"] == "1" and pooled["max"].shape == (2, 5, 5)
    np.testing.assert_allclose(pooled["max"], result["layers"][2]["values"], rtol=1e-6)
    assert pooled["overlapping"].shape == (2, 4, 4)
    assert np.all(pooled["mean"] <= pooled["max"] + 1e-6)


def test_probe_shift_and_draw() -> None:
    trainer = Trainer(IMAGE)
    still = probe(trainer, ProbeRequest("test", 1))
    moved = probe(trainer, ProbeRequest("test", 1, shift=(0, 2)))
    np.testing.assert_array_equal(moved["input"][:, 2:], still["input"][:, :-2])
    drawn = probe(trainer, parse_probe({"draw": "checker", "index": 3}, trainer))
    assert drawn["input"].shape == (10, 10) and drawn["label"] == 4
    with pytest.raises(SpecError) as err:  # flatten + dense: one size only
        parse_probe({"draw": "checker", "size": 14}, trainer)
    assert err.value.field == "probe.size" and "10 x 10" in err.value.message
    spp = Trainer({**IMAGE, "layers": [*IMAGE["layers"], {"type": "spp", "levels": [1, 2]}]})
    drawn = probe(spp, parse_probe({"draw": "checker", "size": 14}, spp))
    assert drawn["layers"][0]["values"].shape == (2, 14, 14)
    assert drawn["layers"][3]["values"].shape == (2 * 5,)


def test_probe_text_windows_and_argmax() -> None:
    trainer = Trainer(TEXT)
    result = probe(trainer, parse_probe({"text": "not bad at all , really"}, trainer))
    assert result["words"][:4] == ["not", "bad", "at", "all"]
    conv, pool = result["layers"][1], result["layers"][2]
    assert conv["windows"][:3] == [[0, 2], [2, 4], [4, 6]] and len(conv["windows"]) == 8
    assert pool["argmax"] == [int(i) for i in np.argmax(conv["values"], axis=1)]


@pytest.mark.parametrize(("spec", "given", "field"), [
    (IMAGE, {"index": 18}, "probe.index"),
    (IMAGE, {"set": "all"}, "probe.set"),
    (IMAGE, {"shift": [1]}, "probe.shift"),
    (IMAGE, {"shift": [0, 6]}, "probe.shift.1"),
    (IMAGE, {"draw": "star"}, "probe.draw"),
    (IMAGE, {"draw": "ring", "size": 40}, "probe.size"),
    (IMAGE, {"colour": 1}, "probe.colour"),
    (TEXT, {"text": 5}, "probe.text"),
    (TEXT, {"text": "a" * 201}, "probe.text"),
    (TEXT, {"draw": "ring"}, "probe.draw"),
    ({"data": {"name": "circle"}}, {}, "probe"),
])
def test_parse_probe_bad_field_is_named(spec: dict, given: dict, field: str) -> None:
    with pytest.raises(SpecError) as err:
        parse_probe(given, Trainer(spec))
    assert err.value.field == field


def test_probe_size_batch_norm_and_prelu_on_maps_take_any_size() -> None:
    """Batch norm and PReLU after a convolution keep one value per channel, not per
    position, so a net with them and global pooling takes images of any size."""
    spec = {**IMAGE, "layers": [{"type": "conv2d", "filters": 2, "padding": 1},
                                {"type": "batchnorm"}, {"type": "activation", "name": "prelu"},
                                {"type": "global_max_pool"}]}
    trainer = Trainer(spec)
    request = parse_probe({"draw": "ring", "size": 12}, trainer)
    assert request.size == 12
    result = probe(trainer, request)
    assert [layer["values"].shape for layer in result["layers"]] == [
        (2, 12, 12), (2, 12, 12), (2, 12, 12), (2,), (len(result["class_names"]),)]


def test_probe_size_refused_when_a_layer_cannot_take_it() -> None:
    deep = Trainer({**IMAGE, "layers": [{"type": "conv2d", "kernel": 7},
                                        {"type": "conv2d", "kernel": 3},
                                        {"type": "global_max_pool"}]})
    with pytest.raises(SpecError) as err:
        parse_probe({"draw": "ring", "size": 8}, deep)
    assert err.value.field == "probe.size" and "8 x 8" in err.value.message
    assert parse_probe({"draw": "ring", "size": 20}, deep).size == 20


@pytest.mark.usefixtures("without_arithmetic_bound")
def test_probe_image_drawn_larger_is_within_the_runs_budget() -> None:
    """A net made for 8 x 8 images holds 16 times as much per image at 32 x 32: the
    drawn image's pass is checked against the run's budget before it runs."""
    conv = {"type": "conv2d", "filters": 32, "kernel": 7, "padding": 3}
    trainer = Trainer({"data": {"name": "shapes", "n_samples": 24, "size": 8},
                       "layers": [conv, conv, {"type": "global_max_pool"}], "batch_size": 1},
                      Limits(budget=Budget(pass_bytes=16 * MB)))

    def one_image(size: int) -> int:
        return pass_bytes(build_network(trainer.spec, (1, size, size)), 1)

    assert one_image(16) <= 16 * MB < one_image(24)
    assert parse_probe({"draw": "ring", "size": 16}, trainer).size == 16
    with pytest.raises(SpecError) as err:
        parse_probe({"draw": "ring", "size": 24}, trainer)
    assert err.value.field == "probe.size"
    assert "at most 16 MB per pass" in err.value.message
    most = int(err.value.message.rsplit("use size <= ", 1)[1])
    assert one_image(most) <= 16 * MB < one_image(most + 1)
    assert parse_probe({"draw": "ring", "size": most}, trainer).size == most


def test_probe_windows_of_stacked_conv1d_layers() -> None:
    trainer = Trainer({**TEXT, "layers": [{"type": "embedding", "channels": "static"},
                                          {"type": "conv1d", "filters": 2, "kernel": 3},
                                          {"type": "conv1d", "filters": 2, "kernel": 3,
                                           "stride": 2, "padding": 1},
                                          {"type": "global_max_pool"}]})
    result = probe(trainer, ProbeRequest())
    first, second = result["layers"][1]["windows"], result["layers"][2]["windows"]
    assert first[:2] == [[0, 3], [1, 4]] and len(first) == 14
    # position j of the second reads first-layer positions 2j-1 .. 2j+1
    assert second[:3] == [[0, 4], [1, 6], [3, 8]] and len(second) == 7
