"""Do the lessons' claims hold for any seed a student draws? (python bench/lessons.py)

For each lesson (all, or the names given) runs its measurement for the seeds
``S, S+1, ..., S+N-1`` (``--first-seed S``, ``--seeds N``; default 1 to 20), each
seed drawn for the model and the data set both (:meth:`Draw.both`, what a student
gets from a shared seed), and prints, per claim, in how many seeds it held and the
spread of the numbers it was judged on (lowest, median, highest). The last line
names the claim that held least often:

    lowest: <lesson>: <claim> held in K/N seeds

The issue's bar is 19 of 20. Nothing here is timed; ``--jobs`` runs seeds in
parallel processes (the numbers do not depend on it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.lessons import LESSONS, get_lesson
from engine.lessons.base import Claim, Draw

Outcome = tuple[str, int, tuple[Claim, ...]]
"""(lesson name, seed, the claims measured for that seed)."""


def measure(name: str, seed: int) -> Outcome:
    """One lesson's claims for one seed (run in a worker process)."""
    return name, seed, get_lesson(name).measure(Draw.both(seed)).claims


def spread(values: list[float]) -> str:
    """``lowest / median / highest`` in 3 significant digits."""
    low, mid, high = min(values), statistics.median(values), max(values)
    return " / ".join(f"{v:.3g}" for v in (low, mid, high))


def tabulate(outcomes: Iterable[Outcome], names: list[str], seeds: int) -> list[str]:
    """The table's lines and, last, the lowest claim; claims in the order measured."""
    by_claim: dict[tuple[str, str], list[Claim]] = {}
    failed_seeds: dict[tuple[str, str], list[int]] = {}
    for name, seed, claims in sorted(outcomes, key=lambda o: (names.index(o[0]), o[1])):
        for claim in claims:
            by_claim.setdefault((name, claim.text), []).append(claim)
            if not claim.held:
                failed_seeds.setdefault((name, claim.text), []).append(seed)
    lines = [f"{'lesson':24s} {'held':>6s}  claim / numbers (lowest / median / highest)"]
    lowest: tuple[int, str, str] | None = None
    for (name, text), claims in by_claim.items():
        held = sum(c.held for c in claims)
        failed = failed_seeds.get((name, text), [])
        note = f"  (failed for seed {', '.join(map(str, failed))})" if failed else ""
        lines.append(f"{name:24s} {held:>3d}/{len(claims):<3d} {text}{note}")
        for key in claims[0].numbers:
            values = [c.numbers[key] for c in claims if key in c.numbers]
            lines.append(f"{'':24s} {'':7s}   {key}: {spread(values)}")
        if lowest is None or held < lowest[0]:
            lowest = (held, name, text)
    if lowest is None:
        lines.append("lowest: no claims measured")
    else:
        held, name, text = lowest
        lines.append(f"lowest: {name}: {text} held in {held}/{seeds} seeds")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help=f"lesson names (default all: "
                        f"{', '.join(LESSONS)})")
    parser.add_argument("--seeds", type=int, default=20, help="how many seeds (default 20)")
    parser.add_argument("--first-seed", type=int, default=1, help="the first seed (default 1)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: the machine's cores)")
    args = parser.parse_args()
    names = args.lessons or list(LESSONS)
    for name in names:
        if name not in LESSONS:
            parser.error(f"unknown lesson {name!r}; choose from {', '.join(LESSONS)}")
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    work = [(name, seed) for name in names for seed in seeds]
    print(f"{len(names)} lessons x {args.seeds} seeds ({seeds.start} to {seeds.stop - 1}, "
          f"model and data seed both), {args.jobs} processes", flush=True)
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = list(pool.map(measure, *zip(*work, strict=True)))
    for line in tabulate(outcomes, names, args.seeds):
        print(line)


if __name__ == "__main__":
    main()
