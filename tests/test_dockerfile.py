"""The Docker image's start command, run outside Docker: the final stage's
environment and CMD from the Dockerfile start a server that answers /healthz,
serves the pages, and passes the image's own HEALTHCHECK command."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.dockerfile_parts import dockerignore_patterns, dockerignored, final_stage
from tests.http_checks import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[1]


def instruction(name: str) -> list[str]:
    return [line[len(name) + 1:].strip() for line in final_stage()
            if line.split()[0] == name]


def image_env() -> dict[str, str]:
    env = {}
    for args in instruction("ENV"):
        for pair in shlex.split(args):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def test_dockerfile_runs_as_a_user_with_a_data_volume() -> None:
    env = image_env()
    assert env["NNPLAY_DATA_DIR"] == "/data" and env["NNPLAY_HOST"] == "0.0.0.0"
    assert instruction("VOLUME") == ['["/data"]']
    assert instruction("USER") == ["10001"]
    assert instruction("EXPOSE") == [env["NNPLAY_PORT"]]
    assert "/healthz" in instruction("HEALTHCHECK")[0]


def test_image_start_command_serves_outside_docker(tmp_path: Path) -> None:
    command = json.loads(instruction("CMD")[0])
    assert command == ["nnplay", "serve"]
    executable = shutil.which(command[0], path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.fail("the nnplay command is not installed next to this Python")
    port = free_port()
    env = {**os.environ, **image_env(), "NNPLAY_HOST": "127.0.0.1",
           "NNPLAY_PORT": str(port), "NNPLAY_DATA_DIR": str(tmp_path / "data")}
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([executable, *command[1:]], env=env, cwd=tmp_path,
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, alive=lambda: proc.poll() is None, seconds=120,
                      describe=lambda: log.read_text()[-2000:])
        assert "nnplay" in httpx.get(f"{base}/lab", timeout=5).text
        assert httpx.get(f"{base}/static/js/playground/main.js", timeout=5).status_code == 200
        check = json.loads(instruction("HEALTHCHECK")[0].split("CMD", 1)[1])
        done = subprocess.run([sys.executable if check[0] == "python" else check[0],
                               *check[1:]], env=env, timeout=10)
        assert done.returncode == 0
        assert (tmp_path / "data").is_dir()  # the data folder the volume holds
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_build_context_leaves_out_local_state() -> None:
    # a teacher's saved models, the virtualenv and test screenshots never go into an
    # image; the engine's own data package does
    patterns = dockerignore_patterns()
    for local in ("data/nnplay.db", ".venv/bin/python", "test-output/browser/x.png"):
        assert dockerignored(Path(local), patterns), local
    assert not dockerignored(Path("engine/data/points.py"), patterns)
