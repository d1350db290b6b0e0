"""Saved models through the REST API: save, list, download, import, delete, and
reading them back unchanged after a restart of the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.store import summary_of
from engine.checkpoint import export_run
from engine.trainer import Trainer
from tests.app.conftest import SMALL_SPEC, CheckedClient, only_error
from tests.old_records import CONV_SPEC, per_position


def trained_run(client: CheckedClient, steps: int = 120, **body: Any) -> str:
    payload = body if body else {"spec": SMALL_SPEC}
    run_id = client.post("/api/runs", json=payload).json()["id"]
    client.post(f"/api/runs/{run_id}/train", json={"steps": steps})
    return run_id


def weights_of(client: CheckedClient, run_id: str) -> dict[str, Any]:
    frame = client.get(f"/api/runs/{run_id}/snapshot", params={"output_grid": 2,
                                                               "unit_grid": 2}).json()
    return {layer["path"]: layer["params"] for layer in frame["layers"] if "params" in layer}


def test_save_answers_the_listing(client: CheckedClient) -> None:
    run_id = trained_run(client, lesson="dead-relu", variant="prelu")
    test_loss = client.get(f"/api/runs/{run_id}").json()["metrics"]["test_loss"]
    response = client.post(f"/api/runs/{run_id}/save", json={"name": "  prelu after 120  "})
    assert response.status_code == 201
    listing = response.json()
    assert listing["name"] == "prelu after 120"
    assert listing["lesson"] == "dead-relu" and listing["variant"] == "prelu"
    assert listing["dataset"] == "circle" and listing["step"] == 120
    assert listing["test_loss"] == test_loss
    assert client.get("/api/models").json()["items"] == [listing]


def test_list_models_newest_first(client: CheckedClient) -> None:
    run_id = trained_run(client)
    for name in ("first", "second", "third"):
        client.post(f"/api/runs/{run_id}/save", json={"name": name})
    listed = client.get("/api/models").json()["items"]
    assert [m["name"] for m in listed] == ["third", "second", "first"]


def test_read_model_is_a_download_of_the_record(client: CheckedClient) -> None:
    run_id = trained_run(client)
    model = client.post(f"/api/runs/{run_id}/save", json={"name": "circle net"}).json()
    response = client.get(f"/api/models/{model['id']}")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="circle net.nnplay.json"')
    record = response.json()
    assert record["format"] == "nnplay-model" and record["version"] == 1
    assert record["step"] == 120 and record["spec"]["data"]["n_samples"] == 200
    assert record["params"] == weights_of(client, run_id)
    assert record["metrics"]["step"] == 120


@pytest.mark.parametrize("name", ["report\u202efdp.exe", "\u2066a\u2069", "a\u200eb"])
def test_a_name_with_bidi_controls_is_422(client: CheckedClient, name: str) -> None:
    run_id = trained_run(client, steps=1)
    refused = client.post(f"/api/runs/{run_id}/save", json={"name": name})
    assert refused.status_code == 422
    error = only_error(refused)
    assert error["loc"] == ["body", "name"] and "bidi" in error["msg"]
    assert client.get("/api/models").json()["total"] == 0


def test_download_name_of_an_unusual_name_is_safe(client: CheckedClient) -> None:
    run_id = trained_run(client, steps=1)
    model = client.post(f"/api/runs/{run_id}/save", json={"name": 'a/b "c" \u00e9t\u00e9'}).json()
    disposition = client.get(f"/api/models/{model['id']}").headers["content-disposition"]
    assert 'filename="a_b _c_ _t.nnplay.json"' in disposition
    assert "filename*=UTF-8''a%2Fb%20%22c%22%20%C3%A9t%C3%A9.nnplay.json" in disposition


def test_import_a_downloaded_record_gives_the_same_weights(client: CheckedClient) -> None:
    run_id = trained_run(client)
    model = client.post(f"/api/runs/{run_id}/save", json={"name": "m"}).json()
    record = client.get(f"/api/models/{model['id']}").json()
    response = client.post("/api/models/import", json=record)
    assert response.status_code == 201
    run = response.json()
    assert run["id"] != run_id and run["step"] == 120 and run["epoch"] == record["epoch"]
    assert weights_of(client, run["id"]) == weights_of(client, run_id)
    assert run["metrics"]["test_loss"] == record["metrics"]["test_loss"]


def test_import_of_a_record_over_the_memory_budget_is_refused(
        open_client: Callable[..., Any]) -> None:
    # 1 x 1 kernels: much memory per image for little arithmetic (the memory budget,
    # not the arithmetic one of engine.compute, is what a batch of 120 exceeds)
    conv = {"type": "conv2d", "filters": 16, "kernel": 1}
    spec = {"data": {"name": "shapes", "size": 16, "n_samples": 240}, "batch_size": 120,
            "layers": [conv, {"type": "activation", "name": "relu"},
                       {"type": "global_max_pool"}]}
    record = export_run(Trainer(spec))  # saved on a server with the default budget
    with open_client(pass_memory_mb=16) as client:
        response = client.post("/api/models/import", json=record)
        assert response.status_code == 422
        error = only_error(response)
        assert error["loc"] == ["body", "spec", "batch_size"]
        assert "at most 16 MB per pass: use batch_size <= " in error["msg"]
        most = int(error["msg"].split("use batch_size <= ")[1].split(",")[0])
        assert 10 <= most < 120
        fitting = export_run(Trainer({**spec, "batch_size": most}))
        assert client.post("/api/models/import", json=fitting).status_code == 201


def test_import_by_model_id_opens_the_saved_model(client: CheckedClient) -> None:
    run_id = trained_run(client)
    model = client.post(f"/api/runs/{run_id}/save", json={"name": "m"}).json()
    client.post(f"/api/runs/{run_id}/train", json={"steps": 50})  # the run moves on
    run = client.post("/api/models/import", json={"model_id": model["id"]}).json()
    assert run["step"] == 120
    assert weights_of(client, run["id"]) == client.get(f"/api/models/{model['id']}").json()[
        "params"]


def test_delete_model_then_it_is_gone(client: CheckedClient) -> None:
    run_id = trained_run(client, steps=1)
    model = client.post(f"/api/runs/{run_id}/save", json={"name": "m"}).json()
    assert client.delete(f"/api/models/{model['id']}").status_code == 204
    assert client.get("/api/models").json()["items"] == []
    assert client.get(f"/api/models/{model['id']}").status_code == 404
    assert client.delete(f"/api/models/{model['id']}").status_code == 404
    assert client.get(f"/api/runs/{run_id}").status_code == 200  # the run stays


def test_saved_model_survives_a_restart_unchanged(open_client: Callable[..., Any]) -> None:
    with open_client() as first:
        run_id = trained_run(first, steps=300)
        model = first.post(f"/api/runs/{run_id}/save", json={"name": "kept"}).json()
        record = first.get(f"/api/models/{model['id']}").json()
        weights = weights_of(first, run_id)
    with open_client() as second:  # a fresh app on the same database file
        assert second.get("/healthz").json()["runs"] == 0
        assert second.get(f"/api/runs/{run_id}").status_code == 404
        assert second.get("/api/models").json()["items"] == [model]
        assert second.get(f"/api/models/{model['id']}").json() == record
        run = second.post("/api/models/import", json={"model_id": model["id"]}).json()
        assert run["step"] == 300
        assert weights_of(second, run["id"]) == weights
        continued = second.post(f"/api/runs/{run['id']}/train", json={"steps": 10}).json()
        assert continued["step"] == 310


def test_save_diverged_run_stores_null_losses(client: CheckedClient) -> None:
    spec = {"data": {"name": "plane", "n_samples": 200}, "hidden": [8], "activation": "relu",
            "init": {"name": "normal", "scale": 50}, "optimizer": {"name": "sgd", "lr": 10.0}}
    run_id = trained_run(client, steps=300, spec=spec)
    listing = client.post(f"/api/runs/{run_id}/save", json={"name": "blown up"}).json()
    assert listing["test_loss"] is None
    record = client.get(f"/api/models/{listing['id']}").json()
    assert record["metrics"]["status"] == "diverged" and record["metrics"]["train_loss"] is None
    assert client.post("/api/models/import", json=record).status_code == 201


def test_store_full_is_503_with_a_clear_message(open_client: Callable[..., Any]) -> None:
    with open_client(max_models=2) as client:
        run_id = trained_run(client, steps=1)
        for name in ("a", "b"):
            assert client.post(f"/api/runs/{run_id}/save", json={"name": name}).status_code == 201
        response = client.post(f"/api/runs/{run_id}/save", json={"name": "c"})
        assert response.status_code == 503
        assert "at most 2 saved models" in only_error(response)["msg"]


def test_a_model_saved_with_per_position_batch_norm_is_refused_and_kept(
        client: CheckedClient) -> None:
    """A model saved by an earlier server, whose batch norm after a convolution kept
    one gamma per position, no longer fits: opening it is a 422 naming the array,
    and the model stays as it was (listed, downloadable, deletable)."""
    trained = Trainer(CONV_SPEC)
    trained.train(20)
    old = per_position(export_run(trained))
    old["params"]["1"]["gamma"][0][0][0] = 1.5  # positions of a channel differ, as after training
    store = client.app.state.store
    saved = store.save("from before", old, summary_of(old))
    for body in ({"model_id": saved["id"]}, old):  # saved here, or a downloaded file
        response = client.post("/api/models/import", json=body)
        assert response.status_code == 422
        error = only_error(response)
        assert error["loc"] == ["body", "params", "1", "gamma"]
        assert "one value per position (shape [3, 8, 8])" in error["msg"]
        assert "start a new run from the record's spec" in error["msg"]
    assert client.get("/api/models").json()["items"] == [saved]
    assert client.get(f"/api/models/{saved['id']}").json() == old
    assert client.get("/healthz").json()["runs"] == 0


def test_a_model_saved_with_per_position_values_that_agree_opens(client: CheckedClient) -> None:
    """Where every position of a channel holds one value, the old record converts
    exactly: the run opens with one gamma, beta, running statistic and slope per
    channel, and the stored record is unchanged."""
    trained = Trainer(CONV_SPEC)
    trained.train(20)
    old = per_position(export_run(trained))
    saved = client.app.state.store.save("from before", old, summary_of(old))
    response = client.post("/api/models/import", json={"model_id": saved["id"]})
    assert response.status_code == 201
    run = response.json()
    assert run["step"] == 20
    params = client.get(f"/api/runs/{run['id']}/params").json()
    by_path = {layer["path"]: layer for layer in params["layers"]}
    assert by_path["1"]["others"]["gamma"]["values"] == trained.net.view("1", "gamma").tolist()
    assert by_path["2"]["others"]["alpha"]["shape"] == [3]
    assert client.get(f"/api/models/{saved['id']}").json() == old
