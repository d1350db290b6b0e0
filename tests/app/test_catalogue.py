"""The catalogue endpoints, /healthz and the OpenAPI description."""

from __future__ import annotations

import math

from engine.lessons import LESSONS
from tests.app.conftest import CheckedClient, only_error


def test_datasets_lists_every_set_with_defaults(client: CheckedClient) -> None:
    sets = {d["name"]: d for d in client.get("/api/datasets").json()}
    assert list(sets) == ["circle", "xor", "gauss", "spiral", "moons", "blobs", "spirals",
                          "plane", "multi-gaussian", "sine", "abs", "step", "xor-table",
                          "shapes", "sentiment"]
    assert sets["blobs"]["kind"] == "multiclass"
    assert sets["blobs"]["defaults"]["classes"] == 3
    assert sets["circle"]["defaults"]["n_samples"] == 400
    assert "classes" not in sets["circle"]["settings"]
    assert sets["sine"]["dims"] == 1 and sets["sine"]["default_features"] == ["x"]
    assert "n_samples" not in sets["xor-table"]["defaults"]
    assert sets["shapes"]["modality"] == "image" and sets["shapes"]["features"] == []
    assert sets["shapes"]["settings"] == ["n_samples", "noise", "train_fraction", "size", "seed"]
    assert sets["sentiment"]["modality"] == "text" and sets["sentiment"]["kind"] == "binary"


def test_activations_curves_follow_the_formulas(client: CheckedClient) -> None:
    body = client.get("/api/activations").json()
    x = body["x"]
    assert len(x) == 201 and x[0] == -5.0 and x[-1] == 5.0
    hidden = {a["name"]: a for a in body["hidden"]}
    assert list(hidden) == ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu",
                            "softplus", "prelu", "rrelu"]
    mid = x.index(0.0)
    assert hidden["sigmoid"]["f"][mid] == 0.5 and hidden["sigmoid"]["df"][mid] == 0.25
    assert hidden["relu"]["f"][0] == 0.0 and hidden["relu"]["f"][-1] == 5.0
    assert math.isclose(hidden["tanh"]["df"][-1], 1 - math.tanh(5.0) ** 2, rel_tol=1e-9)
    assert hidden["leaky_relu"]["options"] == {"slope": {"default": 0.01, "min": 0.0,
                                                         "max": 1.0}}
    assert hidden["tanh"]["options"] == {}
    assert body["output"] == ["linear", "sigmoid", "tanh"]


def test_initializers_give_default_scales(client: CheckedClient) -> None:
    scales = {i["name"]: i["default_scale"] for i in client.get("/api/initializers").json()}
    assert scales == {"zeros": 1.0, "constant": 0.5, "uniform": 0.5, "normal": 0.5,
                      "xavier_uniform": 1.0, "xavier_normal": 1.0, "he_uniform": 1.0,
                      "he_normal": 1.0}


def test_optimizers_give_options_defaults_and_ranges(client: CheckedClient) -> None:
    found = {o["name"]: o["options"] for o in client.get("/api/optimizers").json()}
    assert list(found) == ["sgd", "momentum", "rmsprop", "adam"]
    assert found["sgd"] == {"lr": {"default": 0.03, "min": 1e-7, "max": 10.0}}
    assert found["momentum"]["nesterov"] == {"default": False}
    assert found["momentum"]["momentum"]["default"] == 0.9
    assert found["adam"]["lr"]["default"] == 0.01
    assert found["adam"]["beta2"] == {"default": 0.999, "min": 0.0, "max": 0.99999}


def test_losses_name_their_tasks(client: CheckedClient) -> None:
    losses = {x["name"]: x for x in client.get("/api/losses").json()}
    assert losses["bce"] == {"name": "bce", "tasks": ["binary"], "default_for": ["binary"]}
    assert losses["mse"]["tasks"] == ["binary", "multiclass", "regression"]
    assert losses["softmax_ce"]["default_for"] == ["multiclass"]


def test_lessons_list_in_the_order_of_the_notes(client: CheckedClient) -> None:
    lessons = client.get("/api/lessons").json()
    assert [x["name"] for x in lessons] == list(LESSONS)
    first = lessons[0]
    assert first["title"] == LESSONS["xor-one-neuron"].title
    assert first["spec"]["data"] == {"name": "xor-table"}
    assert all(x["claim"] and x["watch"] and x["why"] for x in lessons)


def test_lesson_by_name_has_spec_and_variants(client: CheckedClient) -> None:
    lesson = client.get("/api/lessons/dead-relu").json()
    assert lesson["name"] == "dead-relu"
    assert lesson["spec"]["activation"] == "relu"
    assert [v["name"] for v in lesson["variants"]] == ["relu", "leaky_relu", "prelu", "rrelu"]
    two_relu = client.get("/api/lessons/xor-two-relu").json()
    assert two_relu["hand_weights"][0] == ["0", "W", [0, 0], 1.0]


def test_lesson_unknown_is_404_naming_it(client: CheckedClient) -> None:
    response = client.get("/api/lessons/no-such-lesson")
    assert response.status_code == 404
    error = only_error(response)
    assert error["loc"] == ["path", "name"]
    assert "'no-such-lesson'" in error["msg"] and "dead-relu" in error["msg"]


def test_healthz_counts_runs(client: CheckedClient) -> None:
    health = client.get("/healthz").json()
    assert (health["status"], health["runs"]) == ("ok", 0)
    client.post("/api/runs", json={"lesson": "xor-two-relu"})
    health = client.get("/healthz").json()
    assert (health["status"], health["runs"]) == ("ok", 1)
    assert health["engine"]["workers"] == [{"node": "local", "runs": 1}]


def test_openapi_states_the_optimiser_defaults_where_a_spec_is_given(
        client: CheckedClient) -> None:
    """The API docs say what a spec's optimizer gets when an option is left out
    (rmsprop and adam at lr 0.01 there), the same as GET /api/optimizers, and how
    momentum takes a changed learning rate."""
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    spec = schemas["RunCreate"]["properties"]["spec"]["description"]
    for text in ("sgd lr 0.03", "momentum lr 0.03, momentum 0.9, nesterov false",
                 "rmsprop lr 0.01, rho 0.9, eps 1e-08",
                 "adam lr 0.01, beta1 0.9, beta2 0.999, eps 1e-08",
                 "v = momentum v + g, w -= lr v"):
        assert text in spec, text
    for entry in client.get("/api/optimizers").json():  # the same defaults as listed there
        stated = spec.split(f"{entry['name']} ", 1)[1].split(";")[0]
        for key, option in entry["options"].items():
            default = option["default"]
            shown = str(default).lower() if isinstance(default, bool) else f"{default:g}"
            assert f"{key} {shown}" in stated, (entry["name"], key)
    lr = schemas["HyperRequest"]["properties"]["lr"]["description"]
    assert "from the next step" in lr and "v = momentum v + g" in lr


def test_openapi_describes_the_api_with_examples(client: CheckedClient) -> None:
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    for path in ("/api/datasets", "/api/runs", "/api/runs/{run_id}/snapshot",
                 "/api/runs/{run_id}/jobs/{job_id}", "/api/models/import",
                 "/api/models/{model_id}"):
        assert path in paths, path
    create = doc["components"]["schemas"]["RunCreate"]
    assert {"lesson": "dead-relu", "variant": "leaky_relu"} in create["examples"]
    assert doc["components"]["schemas"]["ParamRequest"]["examples"][0]["name"] == "W"
    assert paths["/api/runs"]["post"]["tags"] == ["runs"]
    assert client.get("/docs").status_code == 200
