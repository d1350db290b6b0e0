"""Every command and code block of README.md and docs/*.md, run against a real
server that this module starts (see ``blocks.py`` for the markers). A README edit
that breaks an example fails here; a block that cannot run here is skipped with
its reason, and pytest's summary lists each skip."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.docs.blocks import ROOT, SHELL, Block, all_blocks, for_server
from tests.http_checks import free_port, stop_group, wait_until_up, without_settings

BLOCKS = all_blocks()
TEACHER_TOKEN = "docs-teacher-token"
VENV_BIN = str(Path(sys.executable).parent)


@dataclass
class Place:
    """Where the blocks run: a scratch folder holding the documents' files, the
    environment, and the server's port."""

    folder: Path
    env: dict[str, str]
    port: int

    def cwd(self, block: Block) -> Path:
        """The checkout for a block that works on it, else the scratch folder."""
        return ROOT if block.in_checkout else self.folder


def wait_for_health(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Return once /healthz answers 200; fail if the process ends or never answers."""
    wait_until_up(f"http://127.0.0.1:{port}", alive=lambda: proc.poll() is None,
                  seconds=120, describe=lambda: log.read_text()[-3000:])


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Place]:
    """A running server with a teacher token, and the folder the blocks run in."""
    folder = tmp_path_factory.mktemp("docs")
    for block in BLOCKS:
        if block.action == "file":
            (folder / block.arg).write_text(block.code, encoding="utf-8")
    data = tmp_path_factory.mktemp("docs-data")
    port = free_port()
    env = without_settings(os.environ, NNPLAY_DATA_DIR=str(data), NNPLAY_ENGINE_PROCESSES="1",
                           PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    log = data / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [f"{VENV_BIN}/nnplay", "serve", "--port", str(port)], cwd=folder,
            env={**env, "NNPLAY_TEACHER_TOKEN": TEACHER_TOKEN}, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_health(port, proc, log)
        yield Place(folder, env, port)
    finally:
        stop_group(proc)


def outcome(done: subprocess.CompletedProcess[str], block: Block) -> None:
    assert done.returncode == 0, (f"{block.name} failed (status {done.returncode}):\n"
                                  f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def skip_if_marked(block: Block) -> None:
    if block.action == "skip":
        pytest.skip(f"{block.name}: {block.arg}")


SHELL_BLOCKS = [b for b in BLOCKS if b.lang in SHELL]


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=[b.name for b in SHELL_BLOCKS])
def test_shell_block_runs(block: Block, place: Place) -> None:
    skip_if_marked(block)
    code = for_server(block.code, place.port)
    if block.action == "server":
        data = place.folder / f"server-{block.line}"
        log = place.folder / f"server-{block.line}.log"
        port = free_port()
        with log.open("wb") as out:
            proc = subprocess.Popen(
                ["bash", "-euo", "pipefail", "-c", code], cwd=place.cwd(block),
                env={**place.env, "NNPLAY_PORT": str(port), "NNPLAY_DATA_DIR": str(data)},
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_health(port, proc, log)
            page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
            assert page.status_code == 200 and "nnplay" in page.text
        finally:
            stop_group(proc)
        return
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=place.cwd(block),
                          env=place.env, capture_output=True, text=True, timeout=600)
    outcome(done, block)


PYTHON_DOCS = sorted({b.doc for b in BLOCKS if b.lang == "python"})


@pytest.mark.parametrize("doc", PYTHON_DOCS)
def test_python_blocks_run_in_order(doc: str, place: Place, tmp_path: Path) -> None:
    """A document's Python blocks, in one interpreter in order (later blocks may use
    what earlier ones defined); a block marked skip is left out (the summary at the
    end of the run lists it)."""
    runnable = [b for b in BLOCKS if b.doc == doc and b.lang == "python" and b.action == "run"]
    if not runnable:
        pytest.skip(f"{doc}: every Python block is marked skip")
    listing = tmp_path / "blocks.json"
    listing.write_text(json.dumps([{"name": b.name, "code": for_server(b.code, place.port)}
                                   for b in runnable]))
    done = subprocess.run([sys.executable, str(Path(__file__).parent / "run_python_blocks.py"),
                           str(listing)], cwd=place.folder, env=place.env,
                          capture_output=True, text=True, timeout=900)
    outcome(done, runnable[-1])
    started = [line[4:] for line in done.stdout.splitlines() if line.startswith("--- ")]
    assert started == [b.name for b in runnable]


JSON_BLOCKS = [b for b in BLOCKS if b.lang == "json"]


@pytest.mark.parametrize("block", JSON_BLOCKS, ids=[b.name for b in JSON_BLOCKS])
def test_json_block_parses(block: Block) -> None:
    json.loads(block.code)


def test_every_block_names_its_language() -> None:
    unnamed = [b.name for b in BLOCKS if not b.lang]
    assert not unnamed, f"fences without a language (text, csv, sh, python...): {unnamed}"


def test_markers_are_used_as_meant() -> None:
    for block in BLOCKS:
        if block.action == "skip":
            assert block.arg, f"{block.name}: a skip says why"
        if block.action == "file":
            assert block.arg and "/" not in block.arg, block.name
        if block.action == "server":
            assert block.lang in SHELL, block.name
    assert shutil.which("bash")
