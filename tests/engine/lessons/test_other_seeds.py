"""Every lesson's claims hold for seeds other than its preset's.

A student who presses "New seed" or "Regenerate" gets other initial weights and
other data; a lesson tuned to its own seed would then contradict itself. Here each
lesson is measured for a few draws (model and data seed both changed); the full
count over 20 seeds is ``bench/lessons.py``.
"""

from __future__ import annotations

import pytest

from engine.lessons import LESSONS
from engine.lessons.base import Draw

OTHER_SEEDS = (7, 13, 19)


@pytest.mark.parametrize("seed", OTHER_SEEDS)
@pytest.mark.parametrize("name", list(LESSONS))
def test_lesson_claims_hold_for_another_seed(name: str, seed: int) -> None:
    signature = LESSONS[name].measure(Draw.both(seed))
    assert signature.claims, "a lesson states at least one claim"
    assert signature.failed() == [], signature.summary


def test_a_draw_sets_the_run_and_data_seeds() -> None:
    spec = {"data": {"name": "circle", "seed": 0}, "hidden": [4], "seed": 0}
    assert Draw(5, 9).apply(spec) == {"data": {"name": "circle", "seed": 9},
                                      "hidden": [4], "seed": 5}
    assert Draw(5, 9).apply(spec, offset=2)["seed"] == 7
    table = {"data": {"name": "xor-table"}, "seed": 0}
    assert Draw.both(3).apply(table) == {"data": {"name": "xor-table"}, "seed": 3}
    assert spec["seed"] == 0 and spec["data"]["seed"] == 0  # not changed in place
