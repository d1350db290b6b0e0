"""`nnplay train` and `nnplay lessons`: a spec file or a lesson, progress on a
terminal only, metrics, saving a model where the server finds it."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.settings import Settings, get_settings
from app.store import ModelStore
from engine.lessons import LESSONS, get_lesson
from engine.lessons.base import Draw
from tests.http_checks import without_settings

NNPLAY = str(Path(sys.executable).parent / "nnplay")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NNPLAY_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def clean_env(home: Path) -> dict[str, str]:
    """The environment of a user whose home is ``home``, with no NNPLAY_ setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    return without_settings(env, HOME=str(home))


def test_cli_train_spec_file_prints_progress_and_metrics(tmp_path, capsys) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"hidden": [4], "data": {"name": "gauss"}, "seed": 1}))
    bar = io.StringIO()
    args = cli.build_parser().parse_args(["train", str(spec), "--steps", "200"])
    assert cli.train(args, progress=bar) == 0
    assert "[" + "#" * cli.BAR_WIDTH + "] 100%  200/200 steps" in bar.getvalue()
    out = capsys.readouterr().out
    assert "step            200" in out
    assert "test_accuracy" in out
    assert "#" not in out and "\r" not in out


def test_cli_train_piped_prints_no_progress(tmp_path) -> None:
    done = subprocess.run([NNPLAY, "train", "--lesson", "xor-one-neuron", "--steps", "300"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env=clean_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stdout and "\r" not in done.stderr
    assert "steps" not in done.stderr
    assert done.stdout.splitlines()[0].split() == ["step", "300"]


def test_cli_train_on_a_terminal_draws_the_bar_on_stderr(tmp_path) -> None:
    leader, follower = pty.openpty()
    try:
        done = subprocess.run([NNPLAY, "train", "--lesson", "xor-one-neuron", "--steps", "300"],
                              stdout=subprocess.PIPE, stderr=follower, text=True, cwd=tmp_path,
                              timeout=120, env=clean_env(tmp_path))
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other side is closed: all read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    assert "\r" + cli.progress_line(300, 300, None).split("  loss")[0] in seen.decode()
    assert "#" not in done.stdout


def test_cli_train_lesson_and_save(data_dir, capsys) -> None:
    assert cli.main(["train", "--lesson", "xor-two-relu", "--steps", "0",
                     "--save", "hand-set xor"]) == 0
    out = capsys.readouterr().out
    assert f"in {(data_dir / 'nnplay.db').resolve()}" in out
    models = ModelStore(data_dir / "nnplay.db").list()
    assert [m["name"] for m in models] == ["hand-set xor"]
    assert models[0]["lesson"] == "xor-two-relu"
    assert f"saved as model {models[0]['id']} (hand-set xor)" in out


def test_cli_save_goes_where_the_server_looks_from_any_folder(tmp_path) -> None:
    # no NNPLAY_ setting: both take the user's data folder, wherever they start from
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(home)
    done = subprocess.run([NNPLAY, "train", "--lesson", "dead-relu", "--steps", "10",
                           "--save", "from elsewhere"], capture_output=True, text=True,
                          cwd=elsewhere, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    expected = home / ".local" / "share" / "nnplay" / "nnplay.db"
    assert f"in {expected}" in done.stdout
    assert not (elsewhere / "data").exists()
    server_side = subprocess.run(
        [sys.executable, "-c", "from app.settings import Settings; "
         "print(Settings().database_path)"], capture_output=True, text=True, env=env,
        cwd=tmp_path, timeout=60)
    assert Path(server_side.stdout.strip()) == expected
    assert [m["name"] for m in ModelStore(expected).list()] == ["from elsewhere"]


def test_cli_save_to_a_database_named_on_the_command_line(data_dir, tmp_path, capsys) -> None:
    chosen = tmp_path / "class" / "models.db"
    assert cli.main(["train", "--lesson", "xor-two-relu", "--steps", "0",
                     "--save", "mine", "--database", str(chosen)]) == 0
    assert f"in {chosen.resolve()}" in capsys.readouterr().out
    assert [m["name"] for m in ModelStore(chosen).list()] == ["mine"]
    assert not (data_dir / "nnplay.db").exists()


def test_cli_train_bad_input_exits_2(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"hidden": [999]}))
    assert cli.main(["train", str(bad), "--steps", "5"]) == 2
    assert capsys.readouterr().err.startswith("nnplay train: bad spec: hidden.0: ")
    assert cli.main(["train", "--lesson", "nope", "--steps", "5"]) == 2
    assert "unknown lesson" in capsys.readouterr().err
    assert cli.main(["train", str(tmp_path / "missing.json"), "--steps", "5"]) == 2
    assert cli.main(["train", "--lesson", "residual", "--steps", "-1"]) == 2
    assert cli.main(["train", str(bad), "--variant", "plain", "--steps", "5"]) == 2
    assert "--variant goes with --lesson" in capsys.readouterr().err
    assert cli.main(["train", str(bad), "--seed", "3", "--steps", "5"]) == 2
    assert "--seed goes with --lesson" in capsys.readouterr().err
    assert cli.main(["train", "--lesson", "residual", "--seed", "-2", "--steps", "5"]) == 2
    assert "--seed must be 0 to 4294967295" in capsys.readouterr().err


def test_cli_train_a_lesson_with_a_drawn_seed(capsys) -> None:
    assert cli.main(["train", "--lesson", "xor-two-relu", "--variant", "learned",
                     "--seed", "5", "--steps", "50"]) == 0
    printed = dict(line.split(maxsplit=1) for line in capsys.readouterr().out.splitlines())
    trainer = get_lesson("xor-two-relu").trainer("learned", draw=Draw.both(5))
    assert trainer.spec.seed == 5
    assert printed["train_loss"] == str(trainer.train(50)["train_loss"])


def test_cli_save_into_an_unwritable_folder_names_the_variable(tmp_path, monkeypatch,
                                                                capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("NNPLAY_DATA_DIR", str(blocker / "data"))
    get_settings.cache_clear()
    assert cli.main(["train", "--lesson", "xor-two-relu", "--steps", "0",
                     "--save", "x"]) == 2
    err = capsys.readouterr().err
    assert err == f"nnplay train: NNPLAY_DATA_DIR: {blocker} is a file, not a folder\n"
    get_settings.cache_clear()


def test_cli_progress_line_format() -> None:
    assert cli.progress_line(5, 10, 0.5) == (
        "[" + "#" * 15 + "-" * 15 + "]  50%  5/10 steps  loss 0.5")


def test_cli_lessons_lists_every_lesson_with_its_variants(capsys) -> None:
    assert cli.main(["lessons"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert names == list(LESSONS)
    assert any(line.split()[:2] == ["--variant", "leaky_relu:"] for line in lines)
    dead = next(i for i, line in enumerate(lines) if line.startswith("dead-relu "))
    assert lines[dead].split(None, 1)[1] == LESSONS["dead-relu"].title
    variant_lines = [line.split()[1].rstrip(":") for line in lines[dead + 1:]
                     if line.startswith(" ")][:len(LESSONS["dead-relu"].variants)]
    assert variant_lines == [v.name for v in LESSONS["dead-relu"].variants]


def test_cli_lessons_as_json_in_chinese(capsys) -> None:
    assert cli.main(["lessons", "--json", "--language", "zh-Hant"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["name"] for e in entries] == list(LESSONS)
    residual = next(e for e in entries if e["name"] == "residual")
    assert [v["name"] for v in residual["variants"]] == [
        v.name for v in LESSONS["residual"].variants]
    assert residual["title"] != LESSONS["residual"].title  # translated


def test_settings_default_data_folder_is_the_users_not_the_current_one(tmp_path,
                                                                         monkeypatch) -> None:
    monkeypatch.delenv("NNPLAY_DATA_DIR", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Settings().data_dir == tmp_path / ".local" / "share" / "nnplay"
    assert Settings().data_dir.is_absolute()


def test_cli_save_lists_the_variant_and_scores_as_the_api_does(data_dir, capsys) -> None:
    assert cli.main(["train", "--lesson", "dead-relu", "--variant", "leaky_relu",
                     "--steps", "50", "--save", "leaky"]) == 0
    (listing,) = ModelStore(data_dir / "nnplay.db").list()
    assert listing["lesson"] == "dead-relu" and listing["variant"] == "leaky_relu"
    assert listing["step"] == 50 and listing["dataset"] == "circle"
    assert 0 < listing["test_loss"] < 2 and 0 <= listing["test_accuracy"] <= 1


def test_cli_save_problems_are_said_before_training(data_dir, tmp_path, capsys) -> None:
    args = ["train", "--lesson", "residual", "--steps", "100000"]  # would take minutes
    assert cli.main([*args, "--save", "x", "--database", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"nnplay train: --database: {tmp_path} is a folder; name the database file\n")
    assert cli.main([*args, "--save", "   "]) == 2
    assert capsys.readouterr().err.startswith("nnplay train: --save: ")


def test_cli_save_into_a_full_store_says_so(data_dir, monkeypatch, capsys) -> None:
    monkeypatch.setenv("NNPLAY_MAX_MODELS", "1")
    get_settings.cache_clear()
    args = ["train", "--lesson", "xor-two-relu", "--steps", "0", "--save"]
    assert cli.main([*args, "first"]) == 0
    assert cli.main([*args, "second"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnplay train: not saved: ") and "at most 1" in err
    assert len(err.splitlines()) == 1


def test_cli_train_reads_a_spec_saved_with_a_byte_order_mark(tmp_path, capsys) -> None:
    spec = tmp_path / "bom.json"
    spec.write_text(json.dumps({"hidden": [3], "seed": 2}), encoding="utf-8-sig")
    assert cli.main(["train", str(spec), "--steps", "10"]) == 0
    assert capsys.readouterr().out.startswith("step            10")
    spec.write_text(json.dumps({"hidden": [3]}), encoding="utf-16")
    assert cli.main(["train", str(spec), "--steps", "10"]) == 2
    assert capsys.readouterr().err == (
        f"nnplay train: cannot read {spec}: not UTF-8 text (save it as UTF-8)\n")


def test_cli_lessons_into_a_closed_pipe_ends_quietly(tmp_path) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before anything is written, as `| head` can be
    try:
        done = subprocess.run([NNPLAY, "lessons", "--json"], stdout=writer,
                              stderr=subprocess.PIPE, text=True, timeout=60,
                              env=clean_env(tmp_path))
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr) == (0, "")
