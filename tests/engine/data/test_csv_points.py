"""Tests for reading 2-D points from CSV text (engine/data/csv_points.py)."""

from __future__ import annotations

import random

import pytest

from engine.data import DataSpec
from engine.data.csv_points import parse_points_csv
from engine.errors import SpecError

BINARY = "x1,x2,label\n0.5,1.25,1\n-1,0.3,0\n2e-1,-3,1\n4,5.5,0\n"


def error_of(text: str, **kwargs: object) -> SpecError:
    with pytest.raises(SpecError) as err:
        parse_points_csv(text, **kwargs)  # type: ignore[arg-type]
    return err.value


def test_parses_header_and_rows_as_floats_in_file_order() -> None:
    data = parse_points_csv(BINARY)
    assert data == {"name": "points", "kind": "binary", "points": [
        [0.5, 1.25, 1.0], [-1.0, 0.3, 0.0], [0.2, -3.0, 1.0], [4.0, 5.5, 0.0]]}
    assert all(isinstance(v, float) for row in data["points"] for v in row)


def test_without_header_crlf_comments_blank_lines_and_bom() -> None:
    text = "\ufeff# my points\r\n\r\n0,0,0\r\n  # indented comment\r\n1,1,1\r\n\r\n2,2,0\r\n3,3,1"
    assert parse_points_csv(text)["points"] == [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0],
                                                [2.0, 2.0, 0.0], [3.0, 3.0, 1.0]]
    old_mac = "0,0,0\r1,1,1\r2,2,0\r3,3,1"
    assert len(parse_points_csv(old_mac)["points"]) == 4


@pytest.mark.parametrize("text", [
    "x1;x2;label\n0,5;1;1\n1;2;0\n3;4;1\n5;6;0",       # semicolons, decimal comma
    "x1\tx2\tlabel\n0,5\t1\t1\n1\t2\t0\n3\t4\t1\n5\t6\t0",  # tabs
    "x1 x2 label\n0.5 1 1\n1  2 0\n3 4 1\n5 6 0",       # spaces
    '"x1","x2","label"\n"0.5","1","1"\n1,2,0,\n3,4,1\n5,6,0',  # quotes, trailing comma
])
def test_other_separators_quotes_and_trailing_separator(text: str) -> None:
    assert parse_points_csv(text)["points"] == [[0.5, 1.0, 1.0], [1.0, 2.0, 0.0],
                                                [3.0, 4.0, 1.0], [5.0, 6.0, 0.0]]


def test_separator_comes_from_the_data_not_the_header() -> None:
    text = "x\n1;2;0\n3;4;1\n5;6;0\n7;8;1"
    assert parse_points_csv(text)["points"][0] == [1.0, 2.0, 0.0]


@pytest.mark.parametrize(("labels", "kind"), [
    ([0, 1, 1, 0], "binary"),
    ([1, 1, 1, 1], "binary"),
    ([-1, 1, 1, -1], "binary"),
    ([0, 1, 2, 2], "multiclass"),
    ([0, 1, 2, 3, 4], "multiclass"),
    ([0, 1, 2, 3, 4, 5], "regression"),   # six classes is more than the engine offers
    ([0, 2, 3, 3], "regression"),         # not 0..K-1
    ([0.5, 1, 1.5, 2], "regression"),
    ([-1, 0, 1, 1], "regression"),
])
def test_kind_is_guessed_from_the_labels(labels: list[float], kind: str) -> None:
    text = "\n".join(f"{i},{-i},{y}" for i, y in enumerate(labels))
    assert parse_points_csv(text)["kind"] == kind


def test_minus_one_labels_become_zero() -> None:
    data = parse_points_csv("0,0,-1\n1,0,1\n0,1,1\n1,1,-1")
    assert [row[2] for row in data["points"]] == [0.0, 1.0, 1.0, 0.0]
    forced = parse_points_csv("0,0,-1\n1,0,1\n0,1,1\n1,1,-1", kind="binary")
    assert forced == data


def test_kind_can_be_forced() -> None:
    text = "0,0,0\n1,0,1\n0,1,1\n1,1,0"
    data = parse_points_csv(text, kind="regression")
    assert data["kind"] == "regression" and data["points"][1] == [1.0, 0.0, 1.0]
    assert parse_points_csv("0,0,0\n1,0,1\n0,1,3\n1,1,0", kind="multiclass")["kind"] \
        == "multiclass"


@pytest.mark.parametrize(("text", "kwargs", "field", "words"), [
    ("", {}, "csv", "no data rows"),
    ("\n\n# only a comment\n", {}, "csv", "no data rows"),
    ("x1,x2,label\n", {}, "csv", "no data rows"),
    ("0,0,0\n1,1,1\n2,2,0", {}, "csv", "at least 4"),
    ("0,0,0\n1,1,1\n\n2,2\n3,3,1", {}, "csv.line.4", "expected 3 values (x1, x2, label), got 2"),
    ("x1,x2,y\n0,0,0\n1,1,1\n2,2,0\n3,3,1,4", {}, "csv.line.5", "got 4"),
    ("0,0,0\n1,abc,1\n2,2,0\n3,3,1", {}, "csv.line.2", "'abc' is not a number"),
    ("0,0,0\n1,1,1\n2,2,nan\n3,3,1", {}, "csv.line.3", "'nan' is not allowed"),
    ("0,0,0\n1,1,1\n2,2,0\n-inf,3,1", {}, "csv.line.4", "'-inf' is not allowed"),
    ("0,0,0\n1,1e400,1\n2,2,0\n3,3,1", {}, "csv.line.2", "out of range"),
    ("0,0,0\n1,2000000,1\n2,2,0\n3,3,1", {}, "csv.line.2", "out of range"),
    ("0,0,0\n1,0x10,1\n2,2,0\n3,3,1", {}, "csv.line.2", "not a number"),
    ("0,0,0\n1,1,1\n2,2,2\n3,3,1", {"kind": "binary"}, "csv.line.3", "use 0 or 1"),
    ("0,0,0\n1,1,1\n2,2,0.5\n3,3,2", {"kind": "multiclass"}, "csv.line.3", "whole numbers"),
    ("0,0,0\n1,1,1\n2,2,0\n3,3,1", {"kind": "multiclass"}, "csv", "3 to 5 classes"),
    ("0,0,0\n1,1,1\n2,2,0\n3,3,1", {"kind": "nope"}, "kind", "binary"),
])
def test_errors_name_the_line(text: str, kwargs: dict, field: str, words: str) -> None:
    err = error_of(text, **kwargs)
    assert err.field == field
    assert words in err.message


def test_row_cap() -> None:
    rows = "".join(f"{i},{i},{i % 2}\n" for i in range(11))
    err = error_of(rows, max_rows=10)
    assert err.field == "csv" and "at most 10 rows" in err.message
    assert len(parse_points_csv(rows, max_rows=11)["points"]) == 11
    header_and_comments = "x1,x2,label\n# note\n\n" + rows
    assert len(parse_points_csv(header_and_comments, max_rows=11)["points"]) == 11


def test_first_line_with_a_number_is_data_not_header() -> None:
    assert error_of("1,2,abc\n0,0,0\n1,1,1\n2,2,0").field == "csv.line.1"


def test_result_is_a_valid_data_spec() -> None:
    spec = DataSpec.from_dict(parse_points_csv(BINARY))
    assert spec.kind == "binary" and spec.points[0] == (0.5, 1.25, 1.0)


def test_any_text_gives_a_result_or_a_spec_error() -> None:
    alphabet = list("0123456789.,;\t -+eEnaif#\r\n\"x\ufeff\x00\u2028")
    rnd = random.Random(7)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(3000):
        if rnd.random() < 0.5:
            text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60)))
        else:  # mostly good rows, now and then a bad cell or a short row
            cells = [0, 1, 2, -1, 0.5, "1e3"] * 20 + ["x", "", "nan"]
            lines = [[str(rnd.choice(cells)) for _ in range(rnd.choice([3] * 20 + [2, 4]))]
                     for _ in range(rnd.randint(0, 8))]
            text = "\n".join(",".join(line) for line in lines)
        try:
            DataSpec.from_dict(parse_points_csv(text, kind=rnd.choice([None, "binary",
                                                                       "multiclass",
                                                                       "regression"])))
            outcomes["ok"] += 1
        except SpecError as err:
            assert err.field == "csv" or err.field.startswith("csv.line."), err
            outcomes["error"] += 1
    assert outcomes["ok"] > 0 and outcomes["error"] > 0
