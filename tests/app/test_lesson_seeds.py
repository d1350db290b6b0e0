"""A lesson run from seeds of one's own (``seed``, and ``data_seed`` for another
data seed, with ``lesson``): what a student who draws a new seed or new data, or
opens a link carrying them, is given."""

from __future__ import annotations

import numpy as np
import pytest

from engine.lessons import LESSONS
from tests.app.conftest import SMALL_SPEC, CheckedClient, only_error


def params(client: CheckedClient, run_id: str) -> dict[str, np.ndarray]:
    snap = client.get(f"/api/runs/{run_id}/snapshot", params={"output_grid": 2, "unit_grid": 2})
    return {f"{layer['path']}.{name}": np.asarray(values)
            for layer in snap.json()["layers"] for name, values in layer.get("params", {}).items()}


def points(client: CheckedClient, run_id: str) -> list:
    return client.get(f"/api/runs/{run_id}/points").json()["train"]


def test_a_lesson_takes_the_seeds_given_and_stays_the_lesson(client: CheckedClient) -> None:
    own = client.post("/api/runs", json={"lesson": "dead-relu"}).json()
    run = client.post("/api/runs", json={"lesson": "dead-relu", "seed": 4821,
                                         "data_seed": 17}).json()
    assert run["lesson"] == "dead-relu" and run["variant"] is None
    assert run["spec"]["seed"] == 4821 and run["spec"]["data"]["seed"] == 17
    # the rest of the preset is the lesson's
    preset = LESSONS["dead-relu"].spec
    assert run["spec"]["optimizer"]["lr"] == preset["optimizer"]["lr"]
    assert run["spec"]["data"]["n_samples"] == preset["data"]["n_samples"]
    assert own["spec"]["seed"] == preset["seed"]
    # other weights and other points than the lesson's own seeds give
    mine, theirs = params(client, run["id"]), params(client, own["id"])
    assert not np.array_equal(mine["0.W"], theirs["0.W"])
    assert points(client, run["id"]) != points(client, own["id"])


def test_the_same_seeds_give_the_same_run(client: CheckedClient) -> None:
    body = {"lesson": "batch-norm", "variant": "batch-norm", "seed": 7, "data_seed": 3}
    a, b = (client.post("/api/runs", json=body).json()["id"] for _ in range(2))
    for run_id in (a, b):
        client.post(f"/api/runs/{run_id}/train", json={"steps": 30})
    pa, pb = params(client, a), params(client, b)
    assert pa.keys() == pb.keys()
    assert all(np.array_equal(pa[k], pb[k]) for k in pa)
    assert points(client, a) == points(client, b)


def test_a_data_seed_other_than_the_runs(client: CheckedClient) -> None:
    """`seed` alone seeds the data too; `data_seed` draws the data from its own."""
    both = client.post("/api/runs", json={"lesson": "dead-relu", "seed": 99}).json()
    apart = client.post("/api/runs", json={"lesson": "dead-relu", "seed": 99,
                                           "data_seed": 5}).json()
    assert both["spec"]["data"]["seed"] == 99 and apart["spec"]["data"]["seed"] == 5
    assert both["spec"]["seed"] == apart["spec"]["seed"] == 99
    assert points(client, both["id"]) != points(client, apart["id"])
    mine, theirs = params(client, both["id"]), params(client, apart["id"])
    assert np.array_equal(mine["0.W"], theirs["0.W"])  # the same initial weights


def test_hand_set_weights_stay_with_another_seed(client: CheckedClient) -> None:
    run = client.post("/api/runs", json={"lesson": "xor-two-relu", "seed": 5}).json()
    got = params(client, run["id"])
    assert got["0.W"].tolist() == [[1.0, -1.0], [1.0, -1.0]]
    assert got["2.W"].tolist() == [[-1.0], [-1.0]]


@pytest.mark.parametrize(("body", "field"), [
    ({"spec": SMALL_SPEC, "seed": 3}, "seed"),
    ({"spec": SMALL_SPEC, "data_seed": 3}, "data_seed"),
    ({"lesson": "dead-relu", "seed": -1}, "seed"),
    ({"lesson": "dead-relu", "data_seed": 2**32}, "data_seed"),
    ({"lesson": "dead-relu", "seed": "12"}, "seed"),
    ({"lesson": "dead-relu", "data_seed": 3}, "data_seed"),
])
def test_a_bad_seed_is_refused_naming_it(client: CheckedClient, body: dict, field: str) -> None:
    response = client.post("/api/runs", json=body)
    assert response.status_code == 422
    assert only_error(response)["loc"][-1] == field
