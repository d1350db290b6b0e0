"""`nnplay train`: a spec file or a lesson, progress, metrics, saving a model."""

from __future__ import annotations

import json

import pytest

from app import cli
from app.settings import get_settings
from app.store import ModelStore


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NNPLAY_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_cli_train_spec_file_prints_progress_and_metrics(tmp_path, capsys) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"hidden": [4], "data": {"name": "gauss"}, "seed": 1}))
    assert cli.main(["train", str(spec), "--steps", "200"]) == 0
    out = capsys.readouterr().out
    assert "[" + "#" * cli.BAR_WIDTH + "] 100%  200/200 steps" in out
    assert "step            200" in out
    assert "test_accuracy" in out


def test_cli_train_lesson_and_save(data_dir, capsys) -> None:
    assert cli.main(["train", "--lesson", "xor-two-relu", "--steps", "0",
                     "--save", "hand-set xor"]) == 0
    out = capsys.readouterr().out
    assert "saved as model" in out
    models = ModelStore(data_dir / "nnplay.db").list()
    assert [m["name"] for m in models] == ["hand-set xor"]
    assert models[0]["lesson"] == "xor-two-relu"


def test_cli_train_bad_input_exits_2(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"hidden": [999]}))
    assert cli.main(["train", str(bad), "--steps", "5"]) == 2
    assert "hidden.0" in capsys.readouterr().err
    assert cli.main(["train", "--lesson", "nope", "--steps", "5"]) == 2
    assert "unknown lesson" in capsys.readouterr().err
    assert cli.main(["train", str(tmp_path / "missing.json"), "--steps", "5"]) == 2
    assert cli.main(["train", "--lesson", "residual", "--steps", "-1"]) == 2


def test_cli_progress_line_format() -> None:
    assert cli.progress_line(5, 10, 0.5) == (
        "[" + "#" * 15 + "-" * 15 + "]  50%  5/10 steps  loss 0.5")
