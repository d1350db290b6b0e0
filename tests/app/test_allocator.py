"""The allocator settings of an engine process: lab frames stop page-faulting."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FRAMES_THEN_TUNED = """
import json, resource
from app.allocator import keep_freed_memory
from app.run_host import HostedRun
from engine.lessons import LESSONS
from engine.trainer import Trainer

run = HostedRun(Trainer(LESSONS["convolution"].spec))
header = {"type": "frame", "run": "r", "seq": 1}

def faults_per_frame(frames):
    for _ in range(2):
        run.live_frame(10, 100, 16, header)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(frames):
        run.live_frame(10, 100, 16, header)
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / frames

default = faults_per_frame(10)
applied = keep_freed_memory()
print(json.dumps({"default": default, "applied": applied, "tuned": faults_per_frame(10)}))
"""


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="the settings are glibc's")
def test_engine_process_keeps_its_frames_memory() -> None:
    # a fresh process: the test process's own allocator may already be tuned
    out = subprocess.run([sys.executable, "-c", FRAMES_THEN_TUNED], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    result = json.loads(out.splitlines()[-1])
    assert result["applied"] is True
    # by default every frame faults its working set in again (hundreds of pages)
    assert result["default"] > 100
    # tuned, frames reuse the memory the previous ones freed (alone on a quiet
    # machine under one fault a frame; a busy one can add a few, e.g. when the
    # kernel merges pages in the background)
    assert result["tuned"] < result["default"] / 10
