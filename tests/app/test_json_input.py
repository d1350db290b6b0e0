"""Reading a client's JSON: how deep it nests, and that its numbers are finite."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.json_input import JsonInputError, check_value, read_json
from app.settings import Settings
from engine.checkpoint import export_run
from engine.lessons import get_lesson


def nested(depth: int) -> str:
    """``depth`` lists, one inside the other, under the key "a": depth + 1 deep."""
    return '{"a": ' + "[" * depth + "]" * depth + "}"


def depth_of(value: Any) -> int:
    if isinstance(value, dict | list):
        items = value.values() if isinstance(value, dict) else value
        return 1 + max((depth_of(item) for item in items), default=0)
    return 0


def test_a_value_as_deep_as_the_limit_is_read() -> None:
    assert depth_of(read_json(nested(31), 32)) == 32
    assert read_json("[]", 1) == [] and read_json("7", 1) == 7


def test_a_value_one_level_too_deep_is_refused_naming_where() -> None:
    with pytest.raises(JsonInputError) as refused:
        read_json(nested(32), 32)
    assert refused.value.kind == "too_deep"
    assert refused.value.path == ["a", *["0"] * 31]
    assert "deeper than 32 levels" in refused.value.message


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_value_too_deep_for_the_parser_is_refused_as_too_deep(depth: int) -> None:
    with pytest.raises(JsonInputError) as refused:
        read_json(nested(depth), 32)
    assert refused.value.kind == "too_deep" and refused.value.path == []


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999", "-1e400"])
def test_non_finite_numbers_are_refused_naming_where(literal: str) -> None:
    with pytest.raises(JsonInputError) as refused:
        read_json('{"points": [[0, 0], [1, ' + literal + "]]}", 32)
    assert refused.value.kind == "finite_number"
    assert refused.value.path == ["points", "1", "1"]


def test_the_first_problem_in_document_order_is_named() -> None:
    value = {"a": [1.0, {"b": float("nan")}], "c": float("inf"), "d": [[[[]]]]}
    with pytest.raises(JsonInputError) as first:
        check_value(value, 3)
    assert first.value.path == ["a", "1", "b"]
    with pytest.raises(JsonInputError) as deep:
        check_value({"d": [[[[]]]], "c": float("inf")}, 3)
    assert deep.value.path == ["d", "0", "0"] and deep.value.kind == "too_deep"
    check_value({"a": [1, 2.5, "NaN", True, None]}, 2)


def test_text_that_is_not_json_is_a_plain_value_error() -> None:
    with pytest.raises(ValueError) as refused:
        read_json("{not json", 32)
    assert not isinstance(refused.value, JsonInputError)


def test_the_deepest_record_the_server_writes_fits_the_smallest_setting() -> None:
    """A saved convolution net's record, which a client may send back to import it,
    is 7 deep: the smallest depth limit a teacher may set (8) still takes it."""
    smallest = Settings.model_fields["max_json_depth"].metadata[0].ge
    record = json.loads(json.dumps(export_run(get_lesson("convolution").trainer())))
    assert depth_of(record) == 7 <= smallest
    check_value(record, smallest)
