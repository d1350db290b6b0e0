"""The live websocket: frames, commands, errors that keep the socket open, viewers."""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from engine.budget import MB, Budget
from engine.spec import Limits
from engine.trainer import Trainer
from tests.app.conftest import next_frame
from tests.large_runs import IMAGE_RUN, TEN_BY_64

SPEC = {"hidden": [8] * 6, "activation": "tanh", "data": {"name": "circle", "n_samples": 200}}


def frame_at_step(ws, step: int) -> tuple[dict, dict]:
    """Read frames until one shows ``step`` (frames before the command may arrive)."""
    header, arrays = next_frame(ws)
    while header["step"] != step:
        header, arrays = next_frame(ws)
    return header, arrays


def next_error(ws) -> dict:
    message = ws.receive()
    while message.get("bytes") is not None:  # frames may arrive before the error
        message = ws.receive()
    return json.loads(message["text"])


def test_ws_first_frame_has_the_whole_picture(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        header, arrays = next_frame(ws)
    assert header["type"] == "frame"
    assert header["run"] == slot.id
    assert header["step"] == 0
    assert header["playing"] is False
    assert arrays["output_map"].shape == (100, 100)
    assert arrays["layers.0.params.W"].shape == (2, 8)
    assert np.allclose(arrays["layers.0.params.W"], slot.trainer.net.view("0", "W"), atol=1e-6)
    assert arrays["layers.1.unit_maps"].shape == (8, 16, 16)
    dense = [layer for layer in header["layers"] if layer["type"] == "dense"]
    assert len(dense) == 7 and all("weight_grad_norm" in d for d in dense)


def test_ws_frame_of_a_6x8_net_is_under_32_kb(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        size = len(ws.receive()["bytes"])
    assert size <= 32 * 1024


def test_ws_step_command_trains_and_sends_a_frame(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        ws.send_text(json.dumps({"type": "step", "n": 7}))
        frame_at_step(ws, 7)
    assert slot.trainer.step_count == 7


def test_ws_play_streams_frames_and_pause_stops(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        ws.send_text(json.dumps({"type": "speed", "steps_per_frame": 3}))
        ws.send_text(json.dumps({"type": "play"}))
        steps = []
        for _ in range(6):
            header, _ = next_frame(ws)
            steps.append(header["step"])
        assert steps[-1] > steps[0]
        assert steps == sorted(steps)
        ws.send_text(json.dumps({"type": "pause"}))
        time.sleep(0.3)
        paused_at = slot.trainer.step_count
        time.sleep(0.3)
        assert slot.trainer.step_count == paused_at
        assert slot.playing is False


def test_ws_bad_messages_get_errors_and_the_socket_stays_open(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        cases = [
            ("{not json", "message"),
            ("[1, 2]", "message"),
            (json.dumps({"type": "fly"}), "type"),
            (json.dumps({"type": "step", "n": -1}), "n"),
            (json.dumps({"type": "step", "n": "ten"}), "n"),
            ('{"type": "set", "name": "lr", "value": NaN}', "value"),
            ('{"type": "set", "name": "lr", "value": -1e999}', "value"),
            (json.dumps({"type": "set", "name": "lr", "value": 99}), "lr"),
            (json.dumps({"type": "set", "name": "depth", "value": 1}), "name"),
            (json.dumps({"type": "set_weight", "layer": "0", "name": "W", "index": [9, 0],
                         "value": 1.0}), "index.0"),
            (json.dumps({"type": "set_weight", "layer": "7", "name": "W", "index": [0, 0],
                         "value": 1.0}), "layer"),
            (json.dumps({"type": "speed", "steps_per_frame": 10**9}), "steps_per_frame"),
            (json.dumps({"type": "fps", "value": 0}), "value"),
            (json.dumps({"type": "play", "loud": True}), "loud"),
            (json.dumps({"type": "unit_map", "layer": "0", "unit": 0}), "layer"),
            (json.dumps({"type": "unit_map", "layer": "1", "unit": 8}), "unit"),
        ]
        for text, field in cases:
            ws.send_text(text)
            error = next_error(ws)
            assert error["type"] == "error"
            assert error["field"] == field, (text, error)
        ws.send_bytes(b"\x00\x01")
        assert next_error(ws)["field"] == "message"
        ws.send_text(json.dumps({"type": "step", "n": 2}))
        frame_at_step(ws, 2)
    assert slot.trainer.step_count == 2


@pytest.mark.parametrize(("depth", "field"), [
    (33, "shift" + ".0" * 31),  # the first list deeper than the limit
    (600, "shift" + ".0" * 31),
    (5000, "message"),  # too deep for the JSON parser itself
])
def test_ws_a_command_nested_too_deeply_gets_an_error_naming_the_depth(
        server, depth: int, field: str) -> None:
    client, registry = server
    slot = registry.add(Trainer(SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        ws.send_text('{"type": "probe", "shift": ' + "[" * (depth - 1) + "]" * (depth - 1)
                     + "}")
        error = next_error(ws)
        assert error["field"] == field
        assert error["message"].startswith("nested deeper than 32 levels")
        ws.send_text(json.dumps({"type": "step", "n": 3}))
        frame_at_step(ws, 3)  # the socket is still open


def test_ws_a_deep_command_leaves_a_run_in_an_engine_process_working(
        open_client: Callable[..., Any]) -> None:
    """Such a command used to reach the pickling to the engine process, which gave
    up with a RecursionError and took the socket down."""
    with open_client(engine_processes=1) as client:
        run_id = client.post("/api/runs", json={"spec": SPEC}).json()["id"]
        with client.websocket_connect(f"/ws/runs/{run_id}") as ws:
            next_frame(ws)
            ws.send_text('{"type": "probe", "shift": ' + "[" * 600 + "]" * 600 + "}")
            assert next_error(ws)["message"].startswith("nested deeper than 32 levels")
            ws.send_text(json.dumps({"type": "step", "n": 3}))
            frame_at_step(ws, 3)


def test_ws_a_batch_norm_run_refuses_a_batch_of_one(server) -> None:
    client, registry = server
    slot = registry.add(Trainer({**SPEC, "batch_norm": True}))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        ws.send_text(json.dumps({"type": "set", "name": "batch_size", "value": 1}))
        answer = ws.receive()  # the run is paused: nothing else is on its way
        assert answer.get("text") is not None, "the change was taken: a frame came back"
        error = json.loads(answer["text"])
        assert error["type"] == "error" and error["field"] == "batch_size"
        assert error["message"].startswith("batch norm needs at least 2 samples")
        ws.send_text(json.dumps({"type": "set", "name": "batch_size", "value": 3}))
        for _ in range(5):
            header, _ = next_frame(ws)
            if header["hyper"]["batch_size"] == 3:
                break
    assert header["hyper"]["batch_size"] == 3


def test_ws_unknown_run_gets_an_error_and_a_close(server) -> None:
    client, _ = server
    with client.websocket_connect("/ws/runs/nope") as ws:
        error = json.loads(ws.receive_text())
        assert error["field"] == "run_id"
        closing = ws.receive()
    assert closing["type"] == "websocket.close"
    assert closing["code"] == 4404


def test_ws_set_weight_and_hyper_show_in_the_next_frame(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        ws.send_text(json.dumps({"type": "set_weight", "layer": "0", "name": "W",
                                 "index": [1, 3], "value": -0.75}))
        ws.send_text(json.dumps({"type": "set", "name": "lr", "value": 0.2}))
        for _ in range(5):
            header, arrays = next_frame(ws)
            if header["hyper"]["lr"] == 0.2:
                break
    assert arrays["layers.0.params.W"][1, 3] == pytest.approx(-0.75)
    assert header["hyper"]["lr"] == 0.2


def test_ws_unit_map_at_full_resolution(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        ws.send_text(json.dumps({"type": "unit_map", "layer": "3", "unit": 5, "grid": 60}))
        header, arrays = next_frame(ws)
        while header["type"] != "unit_map":
            header, arrays = next_frame(ws)
    assert (header["layer"], header["unit"], header["grid"]) == ("3", 5, 60)
    assert arrays["map"].shape == (60, 60)
    assert -1.0 <= arrays["map"].min() <= arrays["map"].max() <= 1.0


def test_ws_two_runs_at_once_each_get_their_own_frames(server) -> None:
    client, registry = server
    a = registry.add(Trainer(SPEC))
    b = registry.add(Trainer({**SPEC, "seed": 9}))
    with client.websocket_connect(f"/ws/runs/{a.id}") as wa, \
            client.websocket_connect(f"/ws/runs/{b.id}") as wb:
        next_frame(wa)
        next_frame(wb)
        wa.send_text(json.dumps({"type": "step", "n": 4}))
        wb.send_text(json.dumps({"type": "step", "n": 9}))
        ha, _ = frame_at_step(wa, 4)
        hb, _ = frame_at_step(wb, 9)
    assert (ha["run"], hb["run"]) == (a.id, b.id)
    assert (a.trainer.step_count, b.trainer.step_count) == (4, 9)


def test_ws_two_tabs_share_a_run_and_closing_all_pauses_it(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as one:
        next_frame(one)
        with client.websocket_connect(f"/ws/runs/{slot.id}") as two:
            next_frame(two)
            one.send_text(json.dumps({"type": "step", "n": 3}))
            frame_at_step(two, 3)
            one.send_text(json.dumps({"type": "play"}))
            next_frame(two)
        # the other tab still gets frames after one closes
        header, _ = next_frame(one)
        assert header["run"] == slot.id
    time.sleep(0.2)
    assert slot.playing is False
    kept = slot.trainer.step_count
    time.sleep(0.2)
    assert slot.trainer.step_count == kept
    assert registry.get(slot.id) is slot


def test_ws_changes_made_elsewhere_reach_a_paused_viewer(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        slot.train(6)  # as the REST API or another client would
        header, _ = next_frame(ws)
        assert header["step"] == 6
        registry.delete(slot.id)
        assert next_error(ws)["message"] == "the run was deleted"


def test_ws_a_watched_paused_run_is_not_swept_as_idle(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(SPEC))
    registry.idle_seconds = 0.2
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        time.sleep(0.6)
        assert registry.sweep() == []
        assert registry.has(slot.id)
    time.sleep(0.4)
    assert registry.sweep() == [slot.id]  # once nobody watches, idling counts again


def test_ws_a_frame_trains_one_time_slice_not_the_steps_asked(server) -> None:
    client, registry = server
    registry.slice_seconds = 0.001  # 2000 steps of this net take far longer
    slot = registry.add(Trainer(SPEC))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        ws.send_text(json.dumps({"type": "speed", "steps_per_frame": 2000}))
        ws.send_text(json.dumps({"type": "play"}))
        steps = [0]
        while len(steps) < 6:
            header, _ = next_frame(ws)
            if header["playing"]:
                steps.append(header["step"])
        assert header["steps_per_frame"] == 2000  # what the viewer asked stays asked
        gaps = np.diff(steps)
        assert (gaps > 0).all() and (gaps < 2000).all(), steps
        ws.send_text(json.dumps({"type": "pause"}))
        while header["playing"]:
            header, _ = next_frame(ws)
        at = header["step"]
        ws.send_text(json.dumps({"type": "step", "n": 3000}))  # many slices, all taken
        while header["step"] < at + 3000:
            header, _ = next_frame(ws)
        assert header["step"] == slot.trainer.step_count == at + 3000


def test_ws_set_batch_size_over_the_budget_is_an_error(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(IMAGE_RUN, Limits(budget=Budget(pass_bytes=16 * MB))))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        ws.send_text(json.dumps({"type": "set", "name": "batch_size", "value": 120}))
        error = next_error(ws)
        assert error["field"] == "batch_size"
        assert "at most 16 MB per pass: use batch_size <= " in error["message"]
        most = int(error["message"].split("use batch_size <= ")[1].split(",")[0])
        assert 10 < most < 120
        ws.send_text(json.dumps({"type": "frame"}))
        header, _ = next_frame(ws)
        assert header["hyper"]["batch_size"] == 10
        ws.send_text(json.dumps({"type": "set", "name": "batch_size", "value": most}))
        header, _ = next_frame(ws)
        while header["hyper"]["batch_size"] != most:
            header, _ = next_frame(ws)
    assert slot.trainer.batch_size == most


def test_ws_grid_over_the_map_budget_is_an_error(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(TEN_BY_64))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        header, arrays = next_frame(ws)
        assert arrays["layers.1.unit_maps"].shape == (64, 16, 16)
        ws.send_text(json.dumps({"type": "grid", "output": 50, "units": 100}))
        error = next_error(ws)
        # 640 units x 100^2 = 6.4 million values; 50^2 + 640 x 39^2 = 975,940 fit
        assert error["field"] == "units"
        assert "at most 1,000,000 map values" in error["message"]
        assert error["message"].endswith("use units <= 39")
        ws.send_text(json.dumps({"type": "grid", "output": 50, "units": 39}))
        header, arrays = next_frame(ws)
        while header["grid"]["units"] != 39:
            header, arrays = next_frame(ws)
    assert header["grid"] == {"output": 50, "units": 39}
    assert arrays["layers.1.unit_maps"].shape == (64, 39, 39)
    assert arrays["output_map"].shape == (50, 50)


def test_ws_live_grids_are_lowered_to_fit_the_map_budget(server) -> None:
    client, registry = server
    five = {**TEN_BY_64, "hidden": [64] * 5}  # its 100 x 100 map is within engine.compute's
    slot = registry.add(Trainer(five, Limits(budget=Budget(map_values=50_000))))
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        header, arrays = next_frame(ws)
    # the default 100 x 100 output and 16 x 16 unit maps: 10,000 + 320 x 256 values;
    # 320 x 11^2 + 10,000 = 48,720 fit
    assert header["grid"] == {"output": 100, "units": 11}
    assert arrays["layers.1.unit_maps"].shape == (64, 11, 11)
    assert arrays["output_map"].shape == (100, 100)


def test_ws_unit_map_of_a_wide_net_draws_only_its_unit(server) -> None:
    """A 200 x 200 unit map drew every unit's map of the net at that resolution
    (here 128 x 40,000 values; a 10 x 64 net's is more than a grid pass may compute)
    to send one."""
    client, registry = server
    trainer = Trainer({**TEN_BY_64, "hidden": [64] * 2})
    slot = registry.add(trainer)
    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        tracemalloc.start()
        try:
            ws.send_text(json.dumps({"type": "unit_map", "layer": "1", "unit": 5,
                                     "grid": 200}))
            header, arrays = next_frame(ws)
            while header["type"] != "unit_map":
                header, arrays = next_frame(ws)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert arrays["map"].shape == (200, 200)
    assert peak < 30_000_000
    z = trainer.data.transform(trainer.data.grid(200)) @ trainer.net.view("0", "W")[:, 5]
    expected = np.tanh(z + trainer.net.view("0", "b")[5]).reshape(200, 200)
    step = (expected.max() - expected.min()) / 255
    assert np.abs(arrays["map"] - expected).max() <= step
