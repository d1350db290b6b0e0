"""Every error the server raises itself has a stable code (its ``type``) and the
parameters of its sentence (``ctx``; ``code`` and ``params`` on the websocket),
the English ``msg`` is the one it always was, and the pages' table
(static/js/common/error_text.js) and docs/errors.md hold every code's sentence."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.error_codes import ALL_ERRORS, APP_ERRORS
from engine.error_codes import ENGINE_ERRORS, render
from engine.errors import SpecError
from engine.trainer import Trainer
from tests.app.conftest import SMALL_SPEC, CheckedClient, next_frame, only_error

ROOT = Path(__file__).resolve().parents[2]
ERROR_TEXT = ROOT / "static" / "js" / "common" / "error_text.js"
ENTRY = re.compile(r'^\s*(\w+): "((?:[^"\\]|\\.)*)",$', re.MULTILINE)
SLOT = re.compile(r"\{(\w+)\}")


def js_table(name: str) -> dict[str, str]:
    """The code -> template table ``name`` of error_text.js."""
    source = ERROR_TEXT.read_text(encoding="utf-8")
    body = source.split(f"export const {name} = Object.freeze({{", 1)[1].split("\n});", 1)[0]
    return {code: json.loads(f'"{text}"') for code, text in ENTRY.findall(body)}


def zh_catalogue() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((ROOT / "static" / "i18n" / "zh-Hant").glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def source_trees() -> list[ast.Module]:
    return [ast.parse(path.read_text(encoding="utf-8"))
            for folder in ("engine", "app") for path in (ROOT / folder).rglob("*.py")
            if path.name != "error_codes.py"]


def literal_codes(node: ast.expr | None) -> list[str]:
    """The codes a call's code argument can be: a literal, or either literal of
    ``"a" if ... else "b"``."""
    if isinstance(node, ast.IfExp):
        return literal_codes(node.body) + literal_codes(node.orelse)
    assert isinstance(node, ast.Constant), ast.unparse(node) if node else node
    return [node.value]


def calls(name: str) -> list[ast.Call]:
    """Every call of a function or class ``name`` (plain or as an attribute)."""
    return [node for tree in source_trees() for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and name in (getattr(node.func, "id", None), getattr(node.func, "attr", None))]


def coded_calls() -> list[str]:
    """The literal codes of ``ApiError.coded(status, loc, code)``,
    ``SpecError.coded(field, code)`` and ``app_error(field, code)`` calls, and of the
    rate limits (``PerMinute(per_minute, code)``, whose refusal is
    ``ApiError.coded(..., self.code)``)."""
    codes = []
    for node in calls("coded") + calls("app_error") + calls("PerMinute"):
        func = node.func
        if getattr(func, "attr", None) == "coded":
            at = 2 if getattr(func.value, "id", "") == "ApiError" else 1
        else:
            at = 1
        code = node.args[at] if len(node.args) > at else None
        if ast.unparse(node).startswith("ApiError.coded(429, self.loc, self.code"):
            continue
        codes += literal_codes(code)
    return codes


PASSED_ON = {"SpecError(field, self.message, self.code, self.params)",
             "SpecError(*details)"}
"""The SpecError calls that pass on another error's code and parameters (nesting
one under a field, or across the engine process's pipe)."""


def test_no_error_the_server_answers_with_is_left_without_a_code() -> None:
    """Every SpecError, ApiError and error answer the server makes names its code:
    none is a plain ``value_error`` (the English message alone)."""
    for node in calls("SpecError"):
        text = ast.unparse(node)
        assert text in PASSED_ON or len(node.args) >= 3, text
        if len(node.args) >= 3:
            assert not (isinstance(node.args[2], ast.Constant)
                        and node.args[2].value == "value_error"), text
    api_errors = calls("ApiError")
    assert len(api_errors) >= 5
    for node in api_errors:
        assert len(node.args) >= 4, ast.unparse(node)
        code = node.args[3]
        assert not isinstance(code, ast.Constant) or code.value in ALL_ERRORS, \
            ast.unparse(node)
    for node in calls("error_response"):
        code = node.args[3]
        assert not isinstance(code, ast.Constant) or code.value in ALL_ERRORS \
            or code.value == "http_error", ast.unparse(node)
    for name, at in (("JsonInputError", 2), ("notice", 2), ("StoreTrouble", 1)):
        for node in calls(name):
            kind = node.args[at] if len(node.args) > at else None
            assert kind is not None, ast.unparse(node)
            if isinstance(kind, ast.Constant):
                assert kind.value in ALL_ERRORS, ast.unparse(node)
                if name == "StoreTrouble" and isinstance(node.args[2], ast.Constant):
                    assert node.args[2].value == ALL_ERRORS[kind.value]
    plain = [ast.unparse(node) for node in calls("SpecError") + calls("ApiError")
             for arg in node.args if isinstance(arg, ast.Constant) and arg.value == "value_error"]
    assert plain == []


def named_codes() -> set[str]:
    """Every string in the server's source that is a code of the table."""
    return {node.value for tree in source_trees() for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in ALL_ERRORS}


def test_the_pages_table_holds_every_code_the_server_sends_with_the_same_sentence() -> None:
    assert js_table("SERVER_TEMPLATES") == ALL_ERRORS


def test_every_code_raised_has_a_template_and_every_template_is_raised() -> None:
    calls = coded_calls()
    assert len(calls) > 60
    assert set(calls) - set(ALL_ERRORS) == set()
    assert set(ALL_ERRORS) - named_codes() == set()
    assert set(ENGINE_ERRORS).isdisjoint(APP_ERRORS)


def test_every_template_has_a_traditional_chinese_translation_with_its_slots() -> None:
    catalogue = zh_catalogue()
    templates = {**js_table("SERVER_TEMPLATES"), **js_table("VALIDATION_TEMPLATES")}
    assert len(templates) > len(ALL_ERRORS)
    for code, english in templates.items():
        assert english in catalogue, code
        chinese = catalogue[english]
        assert re.search(r"[\u4e00-\u9fff]", chinese), code
        assert sorted(SLOT.findall(chinese)) == sorted(SLOT.findall(english)), code


def test_the_kinds_of_thing_a_choice_names_are_translated_too() -> None:
    """``{what}`` in "unknown {what} ..." is itself translated on the page."""
    whats = set()
    for path in (ROOT / "engine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "as_choice" \
                    and len(node.args) == 4 and isinstance(node.args[3], ast.Constant):
                whats.add(node.args[3].value)
    assert {"activation", "layer type", "loss", "optimiser"} <= whats
    catalogue = zh_catalogue()
    assert {w for w in whats | {"value"} if w not in catalogue} == set()


def test_docs_list_every_code_with_its_sentence_and_parameters() -> None:
    doc = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    rows = {m[0]: (m[1], m[2]) for m in
            re.findall(r"^\| `(\w+)` \| ([^|]*) \| (.*) \|$", doc, re.MULTILINE)}
    assert set(rows) >= set(ALL_ERRORS)
    for code, template in ALL_ERRORS.items():
        params, sentence = rows[code]
        assert sentence == template, code
        slots = set(SLOT.findall(template)) - ({"id"} if code in LITERAL_ID else set())
        assert set(re.findall(r"`(\w+)`", params)) == slots, code


LITERAL_ID = {"client_limit_runs", "client_limit_models", "client_limit_uploads"}
"""Codes whose sentence shows a path with a literal ``{id}`` (not a parameter)."""


def test_a_coded_error_is_its_template_filled_with_its_parameters() -> None:
    err = SpecError.coded("hidden.1", "value_out_of_range", low=1, high=64, value=0)
    assert err.message == "must be between 1 and 64, got 0"
    assert (err.code, err.params) == ("value_out_of_range", {"low": 1, "high": 64, "value": 0})
    moved = err.nested("spec")
    assert (moved.field, moved.code, moved.params) == ("spec.hidden.1", err.code, err.params)
    assert render("between {low} and {high}", {"low": 0.0001, "high": 1e6}) \
        == "between 0.0001 and 1e+06"


CSV_HEAD = "x1,x2,label\n"
FOUR = "0.1,0.2,0\n0.3,0.5,1\n0.2,0.1,0\n0.7,0.5,1\n"


@pytest.mark.parametrize(("csv", "query", "loc", "code", "ctx", "msg"), [
    (CSV_HEAD + "0.1,0.2,0\n0.3,0.5,1\n0.2,0.1,0\n0.7,abc,1\n", {},
     ["body", "csv", "line", "5"], "csv_not_number", {"column": "x2", "text": "abc"},
     "x2: 'abc' is not a number"),
    (CSV_HEAD + "0.1,0.2,0\n0.3,inf,1\n0.2,0.1,0\n0.7,0.5,1\n", {},
     ["body", "csv", "line", "3"], "csv_not_finite", {"column": "x2", "text": "inf"},
     "x2: 'inf' is not allowed (only finite numbers)"),
    (CSV_HEAD + "0.1,0.2,0\n0.3,2e9,1\n0.2,0.1,0\n0.7,0.5,1\n", {},
     ["body", "csv", "line", "3"], "csv_value_too_large",
     {"column": "x2", "text": "2e9", "max": 1e6},
     "x2: 2e9 is out of range (at most 1e+06 in size)"),
    (CSV_HEAD + "0.1,0.2\n" + FOUR, {}, ["body", "csv", "line", "2"], "csv_wrong_value_count",
     {"count": 2}, "expected 3 values (x1, x2, label), got 2"),
    (CSV_HEAD + "0.1,0.2,0\n", {}, ["body", "csv"], "csv_too_few_rows",
     {"min_rows": 4, "rows": 1}, "needs at least 4 data rows, got 1"),
    ("# nothing\n", {}, ["body", "csv"], "csv_no_rows", {},
     "holds no data rows: give one point per line as x1,x2,label"),
    (CSV_HEAD + FOUR * 3, {}, ["body", "csv"], "csv_too_many_rows",
     {"max_rows": 10}, "has more than 10 data rows; upload at most 10 rows"),
    (CSV_HEAD + FOUR.replace(",1\n", ",3\n"), {"kind": "binary"}, ["body", "csv", "line", "3"],
     "label_not_binary", {"label": 3.0}, "label 3 is not a binary class: use 0 or 1"),
    (CSV_HEAD + FOUR, {"kind": "multiclass"}, ["body", "csv"], "csv_too_few_classes", {},
     "multiclass points need 3 to 5 classes (labels 0 to at least 2); for two classes use "
     "kind 'binary'"),
])
def test_a_refused_csv_has_a_code_and_parameters(open_client: Callable[..., Any], csv: str,
                                                 query: dict, loc: list[str], code: str,
                                                 ctx: dict, msg: str) -> None:
    with open_client(max_upload_rows=10) as client:
        answer = client.post("/api/uploads", params={"name": "p.csv", **query}, content=csv,
                             headers={"Content-Type": "text/csv"})
    assert answer.status_code == 422, answer.text
    error = only_error(answer)
    assert (error["loc"], error["type"], error.get("ctx", {}), error["msg"]) \
        == (loc, code, ctx, msg)


def saved_record(client: CheckedClient) -> dict[str, Any]:
    run = client.post("/api/runs", json={"spec": SMALL_SPEC}).json()["id"]
    model = client.post(f"/api/runs/{run}/save", json={"name": "m"}).json()["id"]
    return client.get(f"/api/models/{model}").json()


def test_a_bad_model_file_has_a_code_and_parameters(client: CheckedClient) -> None:
    record = saved_record(client)
    cases = [
        ({**record, "version": 99}, ["body", "version"], "model_file_bad_version",
         {"version": "99"}, "unsupported version 99"),
        ({**record, "format": "other"}, ["body", "format"], "model_file_bad_format",
         {"format": "nnplay-model"}, "not an nnplay model (expected format 'nnplay-model')"),
        ({**record, "spec": {**record["spec"], "batch_size": 0}}, ["body", "spec", "batch_size"],
         "value_out_of_range", {"low": 1, "high": 5000, "value": 0},
         "must be between 1 and 5000, got 0"),
        ({**record, "params": {**record["params"], "0": {"W": record["params"]["0"]["W"]}}},
         ["body", "params", "0", "b"], "model_file_missing", {}, "missing"),
        ({**record, "colour": "red"}, ["body", "colour"], "unknown_field", {}, "unknown field"),
    ]
    for body, loc, code, ctx, msg in cases:
        answer = client.post("/api/models/import", json=body)
        assert answer.status_code == 422, answer.text
        error = only_error(answer)
        assert (error["loc"], error["type"], error.get("ctx", {}), error["msg"]) \
            == (loc, code, ctx, msg), code
    shape = {**record, "params": {**record["params"],
                                  "0": {**record["params"]["0"], "W": [[1.0]]}}}
    error = only_error(client.post("/api/models/import", json=shape))
    assert error["type"] == "model_file_bad_shape" and error["ctx"]["shape"] == [1, 1]
    assert error["msg"] == f"has shape [1, 1], expected {error['ctx']['expected']}"


def test_spec_field_errors_have_codes_and_parameters(client: CheckedClient) -> None:
    cases = [
        ({"spec": {"optimizer": {"name": "sgd", "lr": 50}}}, ["body", "spec", "optimizer", "lr"],
         "value_out_of_range",
         {"low": 1e-7, "high": 10.0, "value": 50.0}, "must be between 1e-07 and 10, got 50"),
        ({"spec": {"hidden": ["8"]}}, ["body", "spec", "hidden", "0"], "not_integer",
         {"got": "str"}, "must be an integer, got str"),
        ({"spec": {"activation": "swish"}}, ["body", "spec", "activation"], "unknown_choice",
         None, "unknown activation 'swish'; choose one of "),
        ({"spec": {"hidden": [2] * 11}}, ["body", "spec", "hidden"], "too_many_entries",
         {"max": 10, "count": 11}, "must have at most 10 entries, got 11"),
        ({"spec": {"layers": [{"type": "dense", "units": 2}] * 11}}, ["body", "spec", "layers"],
         "too_many_layers", {"max": 10}, "at most 10 hidden dense or convolution layers"),
        ({"lesson": "no-such"}, ["body", "lesson"], "unknown_lesson", None,
         "unknown lesson 'no-such'; choose one of "),
        ({"lesson": "dead-relu", "spec": {}}, ["body", "lesson"], "lesson_and_spec", {},
         "give either 'spec' or 'lesson', not both"),
    ]
    for body, loc, code, ctx, msg in cases:
        answer = client.post("/api/runs", json=body)
        assert answer.status_code == 422, answer.text
        error = only_error(answer)
        assert (error["loc"], error["type"]) == (loc, code), error
        if ctx is None:
            assert error["msg"].startswith(msg) and error["ctx"]["choices"] in error["msg"]
        else:
            assert (error.get("ctx", {}), error["msg"]) == (ctx, msg)
        assert render(ALL_ERRORS[code], error.get("ctx", {})) == error["msg"]


def test_missing_things_have_codes_naming_them(client: CheckedClient) -> None:
    cases = [
        (client.get("/api/runs/nope"), 404, "run_not_found", {"id": "nope"},
         "no run with id 'nope' (it may have been dropped after idling)"),
        (client.get("/api/models/nope"), 404, "model_not_found", {"id": "nope"},
         "no saved model with id 'nope'"),
        (client.get("/api/uploads/nope"), 404, "upload_not_found", {"id": "nope"},
         "no uploaded data set with id 'nope'"),
        (client.post("/api/models/import", json={"model_id": "nope"}), 404, "model_not_found",
         {"id": "nope"}, "no saved model with id 'nope'"),
        (client.post("/api/models/import", json={"model_id": 3}), 422, "not_text", {},
         "must be a string"),
        (client.post("/api/runs", json={"spec": {"data": {"name": "upload", "upload": "gone"}}}),
         422, "upload_gone", {"id": "gone"}, "no uploaded data set with id 'gone'; upload the "
         "data again or list the uploads with GET /api/uploads"),
    ]
    for answer, status, code, ctx, msg in cases:
        assert answer.status_code == status, answer.text
        error = only_error(answer)
        assert (error["type"], error.get("ctx", {}), error["msg"]) == (code, ctx, msg)


def test_websocket_errors_carry_the_code_and_parameters(server) -> None:
    client, registry = server
    slot = registry.add(Trainer(SMALL_SPEC))

    def error_after(text: str) -> dict:
        ws.send_text(text)
        message = ws.receive()
        while message.get("bytes") is not None:
            message = ws.receive()
        return json.loads(message["text"])

    with client.websocket_connect(f"/ws/runs/{slot.id}") as ws:
        next_frame(ws)
        cases = [
            ('{"type": "step", "n": 0}', "n", "value_out_of_range",
             {"low": 1, "high": 20000, "value": 0}, "must be between 1 and 20000, got 0"),
            ('{"type": "fly"}', "type", "unknown_command", None, "unknown command 'fly'; one of "),
            ('{"type": "set", "name": "speed", "value": 1}', "name", "unknown_setting", {},
             "one of lr, l1, l2, batch_size"),
            ('{"type": "set_weight", "layer": 1}', "layer", "not_text", {}, "must be a string"),
            ("[1]", "message", "message_not_object", {}, "must be a JSON object with a 'type'"),
            ('{"type": "play", "x": 1}', "x", "unknown_field", {}, "unknown field"),
        ]
        for text, field, code, params, message in cases:
            error = error_after(text)
            assert (error["type"], error["field"], error["code"]) == ("error", field, code), error
            if params is None:
                assert error["message"].startswith(message)
                assert error["params"]["command"] == "fly"
            else:
                assert (error["params"], error["message"]) == (params, message)
    with client.websocket_connect("/ws/runs/nope") as ws:
        error = json.loads(ws.receive()["text"])
        assert (error["field"], error["code"], error["params"]) == ("run_id", "run_not_found",
                                                                    {"id": "nope"})


def test_classroom_errors_carry_codes_and_parameters(open_client: Callable[..., Any]) -> None:
    with open_client(teacher_token="teacher-secret-42") as client:
        cases = [
            (client.post("/api/teacher/login", json={"token": "wrong-token!"}), 401,
             "teacher_token_wrong", {}, "wrong teacher token"),
            (client.get("/api/classes"), 401, "teacher_token_needed", {},
             "the teacher's token is needed: log in at /teacher, or send 'Authorization: "
             "Bearer <token>'"),
            (client.post("/api/classroom/join", json={"code": "ZZZZZZ", "name": "Ann"}), 404,
             "class_code_not_found", {"code": "ZZZZZZ"}, "no class with the code 'ZZZZZZ'"),
            (client.get("/api/classroom/me"), 401, "not_in_class", {},
             "not in a class: join one with its code first"),
        ]
        assert client.post("/api/teacher/login",
                           json={"token": "teacher-secret-42"}).status_code == 204
        made = client.post("/api/classes", json={"name": "3B", "lesson": "dead-relu"}).json()
        cases += [
            (client.post("/api/classes", json={"name": " ", "lesson": "dead-relu"}), 422,
             "name_length", {"field": "name", "max": 40}, "name must be 1 to 40 characters"),
            (client.post("/api/classes", json={"name": "3C", "lesson": "nope"}), 422,
             "class_unknown_lesson", None, "no lesson 'nope'; choose one of "),
            (client.get("/api/classes/nope"), 404, "class_not_found", {"id": "nope"},
             "no class with id 'nope'"),
            (client.delete(f"/api/classes/{made['id']}/students/nope"), 404, "student_not_found",
             {"id": made["id"], "student": "nope"},
             f"class '{made['id']}' has no student with id 'nope'"),
            (client.get("/api/lessons/nope"), 404, "lesson_not_found", None,
             "no lesson 'nope'; choose one of "),
        ]
    for answer, status, code, ctx, msg in cases:
        assert answer.status_code == status, answer.text
        error = only_error(answer)
        assert error["type"] == code, error
        if ctx is None:
            assert error["msg"].startswith(msg) and error["ctx"]["choices"] in error["msg"]
        else:
            assert (error.get("ctx", {}), error["msg"]) == (ctx, msg)


CONV = {"type": "conv2d", "filters": 2, "kernel": 3}


@pytest.mark.parametrize(("body", "loc", "code", "ctx", "msg"), [
    ({"spec": {"layers": [{"type": "dense", "units": 2}], "hidden": [2]}}, ["spec", "layers"],
     "layers_and_hidden", {}, "give either 'layers' or 'hidden', not both"),
    ({"spec": {"layers": [{"type": "residual", "layers": [
        {"type": "residual", "layers": [{"type": "dense", "units": 2}]}]}]}},
     ["spec", "layers", "0", "layers", "0"], "residual_nested", {},
     "residual blocks cannot be nested"),
    ({"spec": {"layers": [{"type": "residual", "layers": [
        {"type": "activation", "name": "relu"}]}]}}, ["spec", "layers", "0", "layers"],
     "residual_no_weights", {}, "a residual block needs at least one dense or convolution layer"),
    ({"spec": {"layers": [{"type": "spp", "levels": [2, 2]}]}}, ["spec", "layers", "0", "levels"],
     "spp_levels_repeat", {}, "levels must differ from each other"),
    ({"spec": {"optimizer": {"name": "sgd", "beta1": 0.9}}}, ["spec", "optimizer", "beta1"],
     "not_for_optimiser", {"name": "sgd"}, "does not apply to sgd"),
    ({"spec": {"hidden": [2, 2], "activation": ["relu"]}}, ["spec", "activation"],
     "one_activation_per_layer", {"count": 2}, "give one activation per hidden layer (2)"),
    ({"spec": {"activation": "rrelu", "activation_options": {"lower": 0.3, "upper": 0.1}}},
     ["spec", "activation_options", "lower"], "lower_above_upper", {}, "must not exceed upper"),
    ({"spec": {"data": {"name": "sine"}, "loss": "bce"}}, ["spec", "loss"], "loss_wrong_task",
     {"loss": "bce", "task": "regression", "choices": "mse"},
     "'bce' does not fit a regression task; use one of mse"),
    ({"spec": {"loss": "bce", "output_activation": "sigmoid"}}, ["spec", "output_activation"],
     "loss_needs_linear", {"loss": "bce"},
     "bce works on logits: use 'linear' (the loss applies the sigmoid or softmax itself)"),
    ({"spec": {"data": {"name": "xor", "offset": [1]}}}, ["spec", "data", "offset"],
     "offset_count", {"count": 1}, "must have exactly 2 numbers, got 1"),
    ({"spec": {"data": {"name": "xor", "features": ["x1", "x1"]}}},
     ["spec", "data", "features", "1"], "feature_twice", {"name": "x1"},
     "feature 'x1' is listed twice"),
    ({"spec": {"data": {"name": "xor", "kind": "binary"}}}, ["spec", "data", "kind"],
     "only_for_points", {}, "only applies to the data set 'points'"),
    ({"spec": {"data": {"name": "points", "points": [[0, 0, 0]]}}}, ["spec", "data", "points"],
     "points_row_count", {"min": 4, "max": 5000, "count": 1}, "must have 4 to 5000 rows, got 1"),
    ({"spec": {"data": {"name": "shapes"}, "layers": [CONV, {"type": "dense", "units": 4}]}},
     ["spec", "layers", "1"], "dense_not_flat_hint", None,
     "dense layer needs flat input, got shape (2, "),
    ({"spec": {}, "seed": 3}, ["seed"], "seed_only_with_lesson", {},
     "only applies with 'lesson'; a spec has its own 'seed' (and its data its own)"),
    ({"lesson": "dead-relu", "data_seed": 3}, ["data_seed"], "data_seed_needs_seed", {},
     "goes with 'seed' (the run's seed); give both"),
])
def test_spec_errors_once_plain_have_codes_and_the_same_english(
        client: CheckedClient, body: dict, loc: list[str], code: str, ctx: dict | None,
        msg: str) -> None:
    """Each ``msg`` is the English the error had before it had a code."""
    answer = client.post("/api/runs", json=body)
    assert answer.status_code == 422, answer.text
    error = only_error(answer)
    assert (error["loc"], error["type"]) == (["body", *loc], code)
    if ctx is None:  # a shape: the sentence holds it as written
        assert error["msg"].startswith(msg) and error["msg"].endswith(
            "(add a flatten or global_max_pool layer before it)")
    else:
        assert (error.get("ctx", {}), error["msg"]) == (ctx, msg)
    assert render(ALL_ERRORS[code], error.get("ctx", {})) == error["msg"]


def test_an_unknown_data_set_names_the_choices(client: CheckedClient) -> None:
    error = only_error(client.post("/api/runs", json={"spec": {"data": {"name": "nope"}}}))
    assert (error["type"], error["ctx"]["name"]) == ("unknown_dataset", "nope")
    assert error["msg"] == (f"unknown dataset 'nope'; choose one of {error['ctx']['choices']}, "
                            "or 'points' with the rows in data.points")
    assert "xor, " in error["ctx"]["choices"]


def test_the_web_layers_own_refusals_have_codes(open_client: Callable[..., Any]) -> None:
    """429, 413, 415, an unknown path, JSON nested too deep and a bad upload name."""
    spec = {"spec": SMALL_SPEC}
    with open_client(runs_per_minute=1, max_request_bytes=4096, max_json_depth=8) as client:
        assert client.post("/api/runs", json=spec).status_code == 201
        answer = client.post("/api/runs", json=spec)
        assert answer.status_code == 429
        error = only_error(answer)
        wait = error["ctx"]["wait"]
        assert (error["type"], error["ctx"]) == ("rate_runs", {"limit": 1, "wait": wait})
        assert answer.headers["retry-after"] == str(wait)
        assert error["msg"] == (f"this client created 1 runs in the last minute, the most it "
                                f"may; try again in {wait} s")
        cases = [
            (client.post("/api/runs", content=b"[" * 5000, headers={
                "Content-Type": "application/json"}), 413, ["body"], "too_large",
             {"max": 4096}, "the request body is larger than 4096 bytes (setting "
             "max_request_bytes)"),
            (client.post("/api/runs", json={"spec": {"a": [[[[[[[[[1]]]]]]]]]}}), 422,
             ["body", "spec", "a", "0", "0", "0", "0", "0", "0"], "too_deep", {"max": 8},
             "nested deeper than 8 levels (setting max_json_depth)"),
            (client.post("/api/uploads", params={"name": "p.csv"}, content=b"1,2,0",
                         headers={"Content-Type": "image/png"}), 415,
             ["header", "content-type"], "unsupported_media_type", {"media": "image/png"},
             "send the CSV text as the body with Content-Type text/csv, not image/png"),
            (client.post("/api/uploads", params={"name": "p.csv"}, content=b"1,2,0",
                         headers={"Content-Type": "multipart/form-data; boundary=x"}), 415,
             ["header", "content-type"], "csv_sent_as_form", {"media": "multipart/form-data"},
             "send the CSV text as the body with Content-Type text/csv, not "
             "multipart/form-data (not a form: send the file itself, e.g. curl "
             "--data-binary @points.csv -H 'Content-Type: text/csv')"),
            (client.post("/api/uploads", params={"name": "  "}, content=CSV_HEAD + FOUR,
                         headers={"Content-Type": "text/csv"}), 422, ["query", "name"],
             "name_empty", {}, "name must not be empty"),
            (client.get("/api/no-such-thing"), 404, [], "not_found", {}, "Not Found"),
            (client.delete("/api/datasets"), 405, [], "method_not_allowed", {},
             "Method Not Allowed"),
        ]
    for answer, status, loc, code, ctx, msg in cases:
        assert answer.status_code == status, answer.text
        error = only_error(answer)
        assert (error["loc"], error["type"], error.get("ctx", {}), error["msg"]) \
            == (loc, code, ctx, msg)
        assert render(ALL_ERRORS[code], ctx) == msg
