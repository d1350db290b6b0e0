"""The Makefile's two set-up commands: `make run` installs only what the server
needs, `make test` adds the test tools; `.ci/run` calls `make test` alone."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def planned(target: str) -> list[str]:
    """The commands `make TARGET` would run from scratch (a dry run in a venv that does
    not exist yet)."""
    done = subprocess.run(["make", "-n", "-B", target, "VENV=/nonexistent-venv"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_make_run_installs_only_what_the_server_needs() -> None:
    installs = [line for line in planned("run") if "pip install" in line]
    assert any(line.endswith("pip install -e .") for line in installs), installs
    assert not any("[test" in line or "cluster" in line for line in installs)


def test_make_test_installs_the_test_and_cluster_extras() -> None:
    lines = planned("test")
    assert any("pip install -e '.[test,cluster]'" in line for line in lines)
    assert any(line.endswith("-m pytest") for line in lines)


def test_ci_runs_make_test_and_nothing_else() -> None:
    commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line and not line.startswith(("#", "set ", "cd "))]
    assert commands == ["make test"]
