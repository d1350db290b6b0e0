"""CPU time of processes and of their threads, read from /proc (Linux only).

A :class:`Reading` holds, at one moment, the user + system CPU seconds of each
process and each thread of a set of processes, with their names; the difference
of two readings says where the CPU went in between, per process and per thread.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat_seconds(path: Path) -> float | None:
    """User + system seconds of a /proc/.../stat file (None if it is gone)."""
    try:
        text = path.read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _comm(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return "?"


def process_label(pid: int) -> str:
    """A short name for a process: Ray's workers name themselves ``ray::...`` on
    their command line; Python programs by their module or script; others by their
    executable."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [w.decode(errors="replace") for w in argv if w]
    if not words:
        return _comm(Path(f"/proc/{pid}/comm"))
    first = words[0].split()[0]
    if first.startswith("ray::"):
        return first
    name = Path(first).name
    if name.startswith("python"):
        for i, word in enumerate(words[1:], 1):
            if word == "-m" and i + 1 < len(words):
                return f"python -m {words[i + 1]}"
            if word.endswith(".py"):
                return Path(word).name
            if word == "-c":
                return "python -c"
        return name
    return name


@dataclass
class Reading:
    """CPU seconds so far of each process (by pid: (label, seconds)) and of each of
    their threads (by (pid, tid): (thread name, seconds))."""

    processes: dict[int, tuple[str, float]] = field(default_factory=dict)
    threads: dict[tuple[int, int], tuple[str, float]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(seconds for _, seconds in self.processes.values())


def read(pids: Iterable[int], threads: bool = False) -> Reading:
    """A reading of ``pids`` (and of their threads, when asked); processes that are
    gone are left out."""
    reading = Reading()
    for pid in pids:
        seconds = _stat_seconds(Path(f"/proc/{pid}/stat"))
        if seconds is None:
            continue
        reading.processes[pid] = (process_label(pid), seconds)
        if threads:
            try:
                tids = [int(t.name) for t in Path(f"/proc/{pid}/task").iterdir()]
            except OSError:
                continue
            for tid in tids:
                task = Path(f"/proc/{pid}/task/{tid}")
                seconds = _stat_seconds(task / "stat")
                if seconds is not None:
                    reading.threads[(pid, tid)] = (_comm(task / "comm"), seconds)
    return reading


def used(before: Reading, after: Reading) -> float:
    """CPU seconds used between the readings by the processes of ``after`` (a process
    started in between counts from zero, one that ended in between is lost)."""
    return sum(seconds - before.processes.get(pid, ("", 0.0))[1]
               for pid, (_, seconds) in after.processes.items())


def by_label(before: Reading, after: Reading) -> list[tuple[str, int, float]]:
    """(label, processes, CPU seconds used between the readings), most first."""
    groups: dict[str, list[float]] = {}
    for pid, (label, seconds) in after.processes.items():
        groups.setdefault(label, []).append(seconds - before.processes.get(pid, ("", 0.0))[1])
    return sorted(((label, len(v), sum(v)) for label, v in groups.items()),
                  key=lambda row: -row[2])


def threads_by_name(before: Reading, after: Reading,
                    pid: int) -> list[tuple[str, int, float]]:
    """The threads of process ``pid`` grouped by name: (name, threads, CPU seconds
    used between the readings), most first."""
    groups: dict[str, list[float]] = {}
    for (owner, tid), (name, seconds) in after.threads.items():
        if owner == pid:
            spent = seconds - before.threads.get((owner, tid), ("", 0.0))[1]
            groups.setdefault(name, []).append(spent)
    return sorted(((name, len(v), sum(v)) for name, v in groups.items()),
                  key=lambda row: -row[2])


def loadavg() -> str:
    """The machine's load averages (1, 5, 15 minutes) and its running/all tasks."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:4])
