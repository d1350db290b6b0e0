"""The page state's pure functions (static/js/state/state.js), run in the browser.

Round trips to the URL (`encodeState` / `decodeState`), falling back field by
field on bad hashes, specs the server accepts (`stateToSpec`), lessons read back
(`specToState`), and the rebuild/hyper decision (`needsRebuild` / `hyperChanged`).
The specs are sent to the real server of the `server` fixture with httpx.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import open_playground

STATE_JS = "const m = await import('/static/js/state/state.js');"
DEFAULT_LOSS = {"binary": "bce", "multiclass": "softmax_ce", "regression": "mse"}
CSV_POINTS = [[0.1, 0.2, 0.0], [0.3, 0.5, 1.0], [0.2, 0.1, 0.0], [0.7, 0.5, 1.0],
              [-0.4, 0.3, 0.0], [0.9, -0.2, 1.0]]


def in_page(page: Any, body: str, arg: Any = None) -> Any:
    """Run `body` (which may use `m`, the state module, and `arg`) in the page."""
    return page.evaluate(f"async (arg) => {{ {STATE_JS} {body} }}", arg)


def url_text(raw: Any, version: str = "1") -> str:
    """What encodeState would give for the raw (short-keyed) object `raw`."""
    code = base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")
    return f"{version}.{code}"


def changed(state: dict, changes: dict[str, Any]) -> dict:
    """A copy of `state` with dotted paths ("data.name") set."""
    out = copy.deepcopy(state)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = out
        for key in parents:
            node = node[key]
        node[last] = value
    return out


def other_value(option: dict) -> Any:
    """A value of a catalogue option other than its default, within its range."""
    if isinstance(option["default"], bool):
        return not option["default"]
    return round((option["default"] + option["max"]) / 2, 4)


@pytest.fixture(scope="module")
def api(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=20) as client:
        yield client


@pytest.fixture(scope="module")
def catalogue(api: httpx.Client) -> dict[str, Any]:
    names = ["datasets", "activations", "optimizers", "initializers", "losses", "lessons"]
    return {name: api.get(f"/api/{name}").json() for name in names}


@pytest.fixture(scope="module")
def upload_id(api: httpx.Client) -> str:
    csv = "x1,x2,label\n" + "\n".join(",".join(map(str, row)) for row in CSV_POINTS)
    answer = api.post("/api/uploads", params={"name": "six.csv"}, content=csv,
                      headers={"Content-Type": "text/csv"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


@pytest.fixture
def playground(page: Any) -> Any:
    open_playground(page)
    return page


def spread(base: dict, catalogue: dict, upload_id: str) -> list[tuple[str, dict]]:
    """States covering every data set, activation, optimiser and network option."""
    cases: list[tuple[str, dict[str, Any]]] = []
    for d in catalogue["datasets"]:
        if d.get("modality", "points") != "points":
            continue  # images and text are the lab's: the playground's states hold points
        extra = {"data.classes": 4} if d["kind"] == "multiclass" else {}
        if "noise" in d["settings"]:
            extra["data.noise"] = 0.1
        cases.append((f"data {d['name']}", {"data.name": d["name"], **extra}))
    for a in catalogue["activations"]["hidden"]:
        options = {key: other_value(r) for key, r in a["options"].items()}
        cases.append((f"activation {a['name']}", {
            "network.activations": [a["name"], a["name"]],
            "network.activation_options": options}))
    for o in catalogue["optimizers"]:
        options = {key: other_value(r) for key, r in o["options"].items()}
        cases.append((f"optimizer {o['name']}", {"optimizer": {"name": o["name"], **options}}))
    cases += [
        ("no hidden layer", {"network.hidden": [], "network.activations": []}),
        ("three layers", {"network.hidden": [8, 6, 4],
                          "network.activations": ["relu", "tanh", "sigmoid"]}),
        ("batch norm", {"network.batch_norm": True}),
        ("dropout inverted", {"network.dropout": 0.3}),
        ("dropout classic", {"network.dropout": 0.5, "network.dropout_mode": "classic"}),
        ("residual", {"network.hidden": [4] * 5, "network.activations": ["tanh"] * 5,
                      "network.residual": True}),
        ("upload", {"data.upload": upload_id, "data.train_fraction": 0.7,
                    "data.standardize": True}),
        ("features", {"data.features": ["x1", "x2", "x1*x2", "sin(x1)"]}),
        ("moved points", {"data.offset": [3, -2], "data.scale": 2.5}),
        ("initialiser", {"init": "he_normal", "init_scale": 0.5, "bias_init": -0.5}),
        ("mse with sigmoid", {"loss": "mse", "output_activation": "sigmoid"}),
        ("rates and seeds", {"l1": 0.001, "l2": 0.01, "batch_size": 32, "seed": 7,
                             "speed": 50, "data.seed": 3, "data.n_samples": 250,
                             "data.train_fraction": 0.3}),
        ("lesson", {"lesson": {"name": "xor-two-relu", "variant": "learned"}}),
        ("lesson, own preset", {"lesson": {"name": "dropout", "variant": None}}),
    ]
    return [(label, changed(base, changes)) for label, changes in cases]


# -- the URL -------------------------------------------------------------------------


def test_decode_of_encode_gives_back_each_state(playground: Any, catalogue: dict,
                                               upload_id: str) -> None:
    base = in_page(playground, "return m.defaultState();")
    states = spread(base, catalogue, upload_id)
    assert len(states) >= 35
    answers = in_page(playground, """
      return arg.map((s) => {
        const text = m.encodeState(s);
        return [text, m.decodeState(text), m.decodeState('#' + text)];
      });""", [s for _, s in states])
    for (label, state), (text, decoded, with_hash) in zip(states, answers, strict=True):
        assert text.startswith("1.") and "=" not in text and "+" not in text, label
        assert decoded == state, label
        assert with_hash == state, label
    assert in_page(playground, "return m.encodeState(m.defaultState());") == "1.e30"  # {}


UNREADABLE = [
    "", "#", "garbage", "1.", "1.!!!", "x.eyJkIjp7fX0", "1.bm90IGpzb24",
    url_text([1, 2]), url_text("text"), url_text(None), url_text(42),
    url_text({"d": [1, 2], "n": "deep", "o": None, "ls": "lesson"}),
]


def test_an_unreadable_hash_gives_the_default_state(playground: Any) -> None:
    decoded, default = in_page(
        playground, "return [arg.map((t) => m.decodeState(t)), m.defaultState()];", UNREADABLE)
    for text, state in zip(UNREADABLE, decoded, strict=True):
        assert state == default, text


def test_decode_of_non_strings_never_throws(playground: Any) -> None:
    answers = in_page(playground, """
      const d = JSON.stringify(m.defaultState());
      return [null, undefined, 42, {}, [], true].map((v) => JSON.stringify(m.decodeState(v)) === d);
    """)
    assert answers == [True] * 6


def test_bad_fields_fall_back_one_by_one(playground: Any) -> None:
    raw = {
        "d": {"nm": "spiral", "z": 7, "ns": 12.5, "c": 4, "f": ["x1", "bogus"],
              "of": [1, "a"], "sc": 0, "up": "../etc", "st": "yes", "tf": 0.8},
        "n": {"h": [4, "x"], "a": ["relu"], "dr": 2, "dm": "sideways", "bn": "yes",
              "r": True, "ao": {"sl": 5, "al": 2, "lw": 0.5, "uw": 0.2}},
        "o": {"nm": "adam", "lr": -1, "b1": 2, "b2": 0.99, "m": 0.5},
        "b": 0, "l1": 2, "l2": 0.01, "s": -5, "v": "fast", "ls": {"nm": 5},
        "lo": "hinge", "i": "bogus", "is": "x", "bi": 50, "oa": "relu",
    }
    got, base = in_page(playground, "return [m.decodeState(arg), m.defaultState()];",
                        url_text(raw))
    data, net = got["data"], got["network"]
    # kept: valid values of the right type
    assert data["name"] == "spiral" and data["classes"] == 4 and data["train_fraction"] == 0.8
    assert net["residual"] is True and net["activation_options"] == {"alpha": 2}
    assert got["optimizer"] == {"name": "adam", "lr": 0.01, "beta2": 0.99}  # adam's own lr
    assert got["l2"] == 0.01
    # activations missing or unknown take the last one given
    raw = {"n": {"h": [3, 3, 3, 3], "a": ["sigmoid", "bogus", "relu"]}}
    assert in_page(playground, "return m.decodeState(arg).network.activations;",
                   url_text(raw)) == ["sigmoid", "relu", "relu", "relu"]
    # reset: out of range, wrong type, unknown names (rrelu's slopes out of order)
    for key in ["noise", "n_samples", "features", "offset", "scale", "upload", "standardize"]:
        assert data[key] == base["data"][key], key
    assert net["hidden"] == [4, 2] and net["activations"] == ["relu", "relu"]
    assert (net["dropout"], net["dropout_mode"], net["batch_norm"]) == (0, "inverted", False)
    for key in ["batch_size", "l1", "seed", "speed", "lesson", "loss", "init", "init_scale",
                "bias_init", "output_activation"]:
        assert got[key] == base[key], key


def test_an_unknown_version_keeps_the_fields_it_can_read(playground: Any) -> None:
    raw = {"d": {"nm": "xor", "future": 3}, "zz": {"a": 1}, "b": 25}
    answers = in_page(playground, "return arg.map((t) => m.decodeState(t));",
                      [url_text(raw, "9"), url_text(raw, "0"), url_text(raw)[2:]])
    for got in answers:
        assert got["data"]["name"] == "xor" and got["batch_size"] == 25
        assert "future" not in got["data"] and "zz" not in got
        assert got["network"]["hidden"] == [4, 2]


def test_decoding_with_the_catalogue_replaces_unknown_names(playground: Any,
                                                            catalogue: dict) -> None:
    raw = {"d": {"nm": "nosuchset"}, "lo": "softmax_ce", "n": {"a": ["tanh", "relu"]}}
    plain, checked = in_page(
        playground, "return [m.decodeState(arg.text), m.decodeState(arg.text, arg.cat)];",
        {"text": url_text(raw), "cat": catalogue})
    assert plain["data"]["name"] == "nosuchset" and plain["loss"] == "softmax_ce"
    assert checked["data"]["name"] == "circle"
    assert checked["loss"] is None  # softmax_ce does not fit circle's two classes
    assert checked["network"]["activations"] == ["tanh", "relu"]


# -- specs the server takes ------------------------------------------------------------


def walk(layers: list[dict]) -> dict[str, Any]:
    """What an explicit layer list holds, in the terms of a page state."""
    out: dict[str, Any] = {"hidden": [], "activations": [], "options": [], "batchnorm": 0,
                           "dropout": set(), "residual": 0}

    def visit(items: list[dict]) -> None:
        for layer in items:
            kind = layer["type"]
            if kind == "dense":
                out["hidden"].append(layer["units"])
            elif kind == "activation":
                out["activations"].append(layer["name"])
                out["options"].append({k: v for k, v in layer.items()
                                       if k not in ("type", "name")})
            elif kind == "batchnorm":
                out["batchnorm"] += 1
            elif kind == "dropout":
                out["dropout"].add((layer["p"], layer["mode"]))
            elif kind == "residual":
                out["residual"] += 1
                visit(layer["layers"])

    visit(layers)
    return out


def assert_data_matches(state: dict, data: dict, catalogue: dict) -> None:
    asked = state["data"]
    if asked["upload"]:
        assert data["name"] == "points" and data["points"] == CSV_POINTS
        keys = ["train_fraction", "standardize", "seed", "scale", "offset"]
    else:
        assert data["name"] == asked["name"]
        keys = ["n_samples", "noise", "train_fraction", "classes", "standardize", "seed",
                "scale", "offset"]
    for key in keys:
        assert data[key] == asked[key], key
    entry = next((d for d in catalogue["datasets"] if d["name"] == asked["name"]), None)
    default = entry["default_features"] if entry and not asked["upload"] else ["x1", "x2"]
    assert data["features"] == (asked["features"] or default)


def assert_network_matches(state: dict, layers: list[dict], catalogue: dict) -> None:
    net = state["network"]
    got = walk(layers)
    assert got["hidden"] == net["hidden"]
    assert got["activations"] == net["activations"]
    ranges = {a["name"]: a["options"] for a in catalogue["activations"]["hidden"]}
    for name, options in zip(got["activations"], got["options"], strict=True):
        asked = {k: net["activation_options"].get(k, r["default"])
                 for k, r in ranges[name].items()}
        assert options == pytest.approx(asked), name
    assert (got["batchnorm"] > 0) == net["batch_norm"]
    assert got["dropout"] == ({(net["dropout"], net["dropout_mode"])} if net["dropout"]
                              else set())
    n = len(net["hidden"])
    assert got["residual"] == ((n - 1) // 2 if net["residual"] and n >= 3 else 0)


def assert_training_matches(state: dict, spec: dict, kind: str) -> None:
    assert spec["init"]["name"] == state["init"]
    if state["init_scale"] is not None:
        assert spec["init"]["scale"] == state["init_scale"]
    assert spec["bias_init"] == state["bias_init"]
    assert spec["loss"] == (state["loss"] or DEFAULT_LOSS[kind])
    if spec["loss"] == "mse":
        assert spec["output_activation"] == state["output_activation"]
    for key, value in state["optimizer"].items():
        assert spec["optimizer"][key] == value, key
    for key in ["batch_size", "l1", "l2", "seed"]:
        assert spec[key] == state[key], key


def test_state_specs_are_accepted_and_make_the_run_asked_for(
        playground: Any, api: httpx.Client, catalogue: dict, upload_id: str) -> None:
    base = in_page(playground, "return m.defaultState();")
    states = spread(base, catalogue, upload_id)
    specs = in_page(playground, "return arg.map((s) => m.stateToSpec(s));",
                    [s for _, s in states])
    kinds = {d["name"]: d["kind"] for d in catalogue["datasets"]}
    for (label, state), spec in zip(states, specs, strict=True):
        answer = api.post("/api/runs", json={"spec": spec})
        assert answer.status_code == 201, f"{label}: {answer.text}"
        run = answer.json()
        api.delete(f"/api/runs/{run['id']}")
        kind = "binary" if state["data"]["upload"] else kinds[state["data"]["name"]]
        assert_data_matches(state, run["spec"]["data"], catalogue)
        assert_network_matches(state, run["spec"]["layers"], catalogue)
        assert_training_matches(state, run["spec"], kind)
        hyper = run["hyper"]
        assert [hyper["lr"], hyper["l1"], hyper["l2"]] == [
            state["optimizer"]["lr"], state["l1"], state["l2"]], label
        tiny = state["data"]["upload"] or state["data"]["name"] == "xor-table"
        # a batch is at most the training set: 4 points for xor-table and the upload
        assert hyper["batch_size"] == (4 if tiny else state["batch_size"]), label


def run_spec(api: httpx.Client, request: dict) -> dict:
    """The explicit spec of a run made from `request` (the run is dropped again)."""
    answer = api.post("/api/runs", json=request)
    assert answer.status_code == 201, f"{request}: {answer.text}"
    run = answer.json()
    api.delete(f"/api/runs/{run['id']}")
    return run["spec"]


def test_a_runs_spec_reads_back_to_the_state_that_made_it(
        playground: Any, api: httpx.Client, catalogue: dict, upload_id: str) -> None:
    base = in_page(playground, "return m.defaultState();")
    states = [(label, s) for label, s in spread(base, catalogue, upload_id)
              if not s["data"]["upload"]]  # an upload's run holds its points inline
    for label, state in states:
        own = run_spec(api, {"spec": in_page(playground, "return m.stateToSpec(arg);", state)})
        back, spec = in_page(playground, """
          const back = m.specToState(arg.spec, arg.state);
          return [back, m.stateToSpec(back)];""", {"spec": own, "state": state})
        assert back["network"] == state["network"], label
        assert back["data"]["name"] == state["data"]["name"], label
        assert run_spec(api, {"spec": spec}) == own, label


def test_every_lesson_and_variant_reads_back_to_the_same_run(
        playground: Any, api: httpx.Client, catalogue: dict) -> None:
    cases = []
    points = {d["name"] for d in catalogue["datasets"] if d.get("modality", "points") == "points"}
    for lesson in catalogue["lessons"]:
        if lesson["spec"]["data"]["name"] not in points:
            continue  # a lab lesson (images, text): the playground's state cannot hold it
        cases.append((lesson["name"], None, lesson["spec"]))
        cases += [(lesson["name"], v["name"], v["spec"]) for v in lesson["variants"]]
    assert len(cases) >= 30
    for name, variant, spec in cases:
        own = run_spec(api, {"lesson": name, "variant": variant})
        from_lesson, from_run = in_page(playground, """
          return [m.stateToSpec(m.specToState(arg.lesson)),
                  m.stateToSpec(m.specToState(arg.run))];""", {"lesson": spec, "run": own})
        assert run_spec(api, {"spec": from_lesson}) == own, (name, variant, "lesson spec")
        assert run_spec(api, {"spec": from_run}) == own, (name, variant, "run spec")


# -- rebuild or hyper ------------------------------------------------------------------

PAIRS = [
    # label, change to the second state (JS, on `b`), needs a rebuild, hyper changed
    ("nothing", "", False, False),
    ("keys in another order", "b.optimizer = {lr: b.optimizer.lr, name: b.optimizer.name};",
     False, False),
    ("lr", "b.optimizer.lr = 0.1;", False, True),
    ("l1", "b.l1 = 0.001;", False, True),
    ("l2", "b.l2 = 0.01;", False, True),
    ("batch size", "b.batch_size = 25;", False, True),
    ("speed", "b.speed = 100;", False, True),
    ("lr and l2", "b.optimizer.lr = 0.3; b.l2 = 0.1;", False, True),
    ("optimizer option", "b.optimizer.momentum = 0.5;", True, False),
    ("optimizer, same lr", "b.optimizer.name = 'adam';", True, False),
    ("noise", "b.data.noise = 0.2;", True, False),
    ("data set", "b.data.name = 'xor';", True, False),
    ("units", "b.network.hidden[0] = 5;", True, False),
    ("activation", "b.network.activations[1] = 'relu';", True, False),
    ("activation option", "b.network.activation_options.slope = 0.2;", True, False),
    ("dropout", "b.network.dropout = 0.2;", True, False),
    ("seed", "b.seed = 1;", True, False),
    ("lesson", "b.lesson = {name: 'dropout', variant: null};", True, False),
    ("lr and noise", "b.optimizer.lr = 0.1; b.data.noise = 0.2;", True, False),
]


def test_hyper_changed_and_needs_rebuild_on_pairs(playground: Any) -> None:
    body = "const out = {};\n" + "\n".join(
        f"{{ const a = m.defaultState(); const b = m.defaultState(); {change}"
        f" out[{json.dumps(label)}] = [m.needsRebuild(a, b), m.hyperChanged(a, b),"
        f" m.needsRebuild(b, a), m.hyperChanged(b, a), m.sameState(a, b)]; }}"
        for label, change, _, _ in PAIRS) + "\nreturn out;"
    answers = in_page(playground, body)
    for label, change, rebuild, hyper in PAIRS:
        same = not change or label == "keys in another order"
        assert answers[label] == [rebuild, hyper, rebuild, hyper, same], label
