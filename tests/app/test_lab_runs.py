"""Runs on image and text data through REST and the websocket: snapshots carry a
probe of one sample instead of maps, the probe endpoint and command, and the
errors for what only point runs have."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from engine.trainer import Trainer
from tests.app.conftest import SMALL_SPEC, CheckedClient, next_frame, only_error

IMAGE_SPEC: dict[str, Any] = {
    "data": {"name": "shapes", "n_samples": 48, "size": 12},
    "layers": [{"type": "conv2d", "filters": 3, "padding": 1},
               {"type": "activation", "name": "relu"},
               {"type": "pool2d", "size": 2},
               {"type": "global_max_pool"}],
}
TEXT_SPEC: dict[str, Any] = {
    "data": {"name": "sentiment", "n_samples": 48},
    "layers": [{"type": "embedding", "channels": "two_channel"},
               {"type": "conv1d", "filters": 4, "kernel": 3, "padding": 1},
               {"type": "activation", "name": "relu"},
               {"type": "global_max_pool"}],
}


def test_image_run_snapshot_has_probe_not_maps(client: CheckedClient,
                                               new_run: Callable[..., str]) -> None:
    run_id = new_run(IMAGE_SPEC)
    frame = client.get(f"/api/runs/{run_id}/snapshot").json()
    assert "output_map" not in frame
    probe = frame["probe"]
    assert probe["set"] == "test" and probe["index"] == 0
    assert np.array(probe["input"]).shape == (12, 12)
    shapes = [np.array(layer["values"]).shape for layer in probe["layers"]]
    assert shapes == [(3, 12, 12), (3, 12, 12), (3, 6, 6), (3,), (6,)]
    assert len(probe["scores"]) == 6 and abs(sum(probe["scores"]) - 1) < 1e-9
    assert np.array(probe["pooling"]["overlapping"]).shape == (3, 5, 5)
    conv = next(layer for layer in frame["layers"] if layer["type"] == "conv2d")
    assert np.array(conv["params"]["W"]).shape == (3, 1, 3, 3)
    assert conv["weight_grad_norm"] > 0 and len(frame["layers"][1]["dead"]) == 3


def test_probe_shift_moves_the_feature_maps(client: CheckedClient,
                                           new_run: Callable[..., str]) -> None:
    run_id = new_run(IMAGE_SPEC)
    still = client.post(f"/api/runs/{run_id}/probe", json={"index": 2}).json()
    moved = client.post(f"/api/runs/{run_id}/probe", json={"index": 2, "shift": [2, 1]}).json()
    assert moved["shift"] == [2, 1]
    a, b = np.array(still["layers"][0]["values"]), np.array(moved["layers"][0]["values"])
    # away from the border (padding 1, shift up to 2) the maps move with the image
    np.testing.assert_allclose(b[:, 5:9, 4:9], a[:, 3:7, 3:8], atol=1e-6)


def test_probe_draws_at_another_size(client: CheckedClient,
                                     new_run: Callable[..., str]) -> None:
    run_id = new_run(IMAGE_SPEC)
    probe = client.post(f"/api/runs/{run_id}/probe", json={"draw": "ring", "size": 20}).json()
    assert np.array(probe["input"]).shape == (20, 20)
    assert probe["label"] == 1 and len(probe["scores"]) == 6


def test_probe_drawn_over_the_memory_budget_is_refused(open_client: Callable[..., Any]) -> None:
    """A net made for 8 x 8 images holds 16 times as much per image drawn at 32 x 32."""
    conv = {"type": "conv2d", "filters": 20, "kernel": 7, "padding": 3}
    spec = {"data": {"name": "shapes", "n_samples": 24, "size": 8}, "batch_size": 1,
            "layers": [conv, conv, {"type": "global_max_pool"}]}
    with open_client(pass_memory_mb=16) as client:
        run_id = client.post("/api/runs", json={"spec": spec}).json()["id"]
        response = client.post(f"/api/runs/{run_id}/probe", json={"draw": "ring", "size": 32})
        assert response.status_code == 422
        error = only_error(response)
        assert error["loc"] == ["body", "size"]
        assert "at most 16 MB per pass: use size <= " in error["msg"]
        most = int(error["msg"].rsplit("<= ", 1)[1])
        assert 16 <= most < 32
        fits = client.post(f"/api/runs/{run_id}/probe", json={"draw": "ring", "size": most})
        assert np.array(fits.json()["input"]).shape == (most, most)


def test_probe_text_sentence_words_windows_and_argmax(client: CheckedClient,
                                                      new_run: Callable[..., str]) -> None:
    run_id = new_run(TEXT_SPEC)
    probe = client.post(f"/api/runs/{run_id}/probe",
                        json={"text": "The food was not good"}).json()
    assert probe["words"][:6] == ["the", "food", "was", "not", "good", ""]
    assert probe["label"] is None and len(probe["scores"]) == 2
    conv = probe["layers"][1]
    assert conv["type"] == "conv1d" and conv["windows"][:3] == [[0, 2], [0, 3], [1, 4]]
    pool = probe["layers"][3]
    assert pool["type"] == "global_max_pool" and len(pool["argmax"]) == 4
    assert all(0 <= p < 16 for p in pool["argmax"])


@pytest.mark.parametrize(("spec", "body", "loc"), [
    (IMAGE_SPEC, {"index": 999}, ["body", "index"]),
    (IMAGE_SPEC, {"shift": [0, 9]}, ["body", "shift", "1"]),
    (IMAGE_SPEC, {"draw": "triangle"}, ["body", "draw"]),
    (IMAGE_SPEC, {"size": 20}, ["body", "size"]),
    (IMAGE_SPEC, {"text": "good"}, ["body", "text"]),
    (TEXT_SPEC, {"shift": [1, 1]}, ["body", "shift"]),
    (TEXT_SPEC, {"set": "valid"}, ["body", "set"]),
    (SMALL_SPEC, {}, ["body", "probe"]),
])
def test_probe_bad_request_names_the_field(client: CheckedClient, new_run: Callable[..., str],
                                           spec: dict, body: dict, loc: list[str]) -> None:
    run_id = new_run(spec)
    response = client.post(f"/api/runs/{run_id}/probe", json=body)
    assert response.status_code == 422
    assert only_error(response)["loc"] == loc


def test_image_run_refuses_point_views(client: CheckedClient,
                                       new_run: Callable[..., str]) -> None:
    run_id = new_run(IMAGE_SPEC)
    response = client.post(f"/api/runs/{run_id}/predict", json={"points": [[0.0, 0.0]]})
    assert response.status_code == 422 and "images" in only_error(response)["msg"]
    response = client.get(f"/api/runs/{run_id}/points")
    assert response.status_code == 422 and only_error(response)["loc"] == ["body", "run"]


def test_image_run_spec_mismatch_names_the_layer(client: CheckedClient) -> None:
    spec = {**IMAGE_SPEC, "layers": [{"type": "dense", "units": 4}]}
    response = client.post("/api/runs", json={"spec": spec})
    assert response.status_code == 422
    assert only_error(response)["loc"] == ["body", "spec", "layers", "0"]


def test_ws_probe_command_changes_the_sample(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(IMAGE_SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        header, arrays = next_frame(ws)
        assert header["probe"]["index"] == 0 and arrays["probe.input"].shape == (12, 12)
        assert arrays["probe.layers.0"].shape == (3, 12, 12)
        assert arrays["probe.pooling.mean"].shape == (3, 6, 6)
        ws.send_json({"type": "probe", "index": 5, "shift": [1, 0]})
        header, arrays = next_frame(ws)
        while header["probe"]["index"] != 5:
            header, arrays = next_frame(ws)
        assert header["probe"]["shift"] == [1, 0]
        ws.send_json({"type": "probe", "index": -1})
        message = ws.receive()
        while message.get("bytes") is not None:
            message = ws.receive()
        assert '"field": "index"' in message["text"]
        ws.send_json({"type": "frame"})
        header, _ = next_frame(ws)  # the socket stays open, the old sample stays
        assert header["probe"]["index"] == 5


def test_ws_probe_text_on_a_text_run_keeps_playing(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(TEXT_SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        ws.send_json({"type": "probe", "text": "not bad at all"})
        header, arrays = next_frame(ws)
        while header["probe"]["text"] is None:
            header, arrays = next_frame(ws)
        assert header["probe"]["words"][:4] == ["not", "bad", "at", "all"]
        ws.send_json({"type": "step", "n": 3})
        header, _ = next_frame(ws)
        while header["step"] != 3:
            header, _ = next_frame(ws)
        assert header["probe"]["text"] == "not bad at all" and arrays["probe.input"].shape == (16,)


def test_probe_at_a_size_the_net_cannot_take_is_422(client: CheckedClient,
                                                     new_run: Callable[..., str]) -> None:
    spec = {**IMAGE_SPEC, "data": {"name": "shapes", "n_samples": 48, "size": 16},
            "layers": [{"type": "conv2d", "filters": 2, "kernel": 7},
                       {"type": "conv2d", "filters": 2, "kernel": 7},
                       {"type": "global_max_pool"}]}
    run_id = new_run(spec)
    response = client.post(f"/api/runs/{run_id}/probe", json={"draw": "ring", "size": 8})
    assert response.status_code == 422 and only_error(response)["loc"] == ["body", "size"]


def test_oversized_conv_spec_is_422_naming_the_budget(client: CheckedClient) -> None:
    conv = {"type": "conv2d", "filters": 32, "kernel": 7, "padding": 3}
    spec = {"data": {"name": "shapes", "size": 32, "n_samples": 5000},
            "layers": [conv, conv, {"type": "global_max_pool"}], "batch_size": 1}
    response = client.post("/api/runs", json={"spec": spec})
    assert response.status_code == 422
    assert only_error(response)["loc"] == ["body", "spec", "data", "n_samples"]


def test_ws_text_frame_carries_exact_word_ids(server) -> None:
    client, registry = server
    trainer = Trainer(TEXT_SPEC)
    slot = registry.add(trainer)
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        header, arrays = next_frame(ws)
    ids = arrays["probe.input"]
    assert ids.dtype == np.float32
    np.testing.assert_array_equal(ids, trainer.X_test[0])
    assert header["probe"]["words"][0] == trainer.data.vocab[int(ids[0])]
