"""At what step a lesson's phenomenon happens: the measurements its speed is chosen from.

The page plays a run at some steps per frame and frames per second. A lesson opens
at its own steps per frame (:class:`engine.lessons.base.Pace`), chosen so that what
it shows unfolds over several seconds at the page's frame rate instead of being
over before a student has looked. That choice rests on a measurement, made here
from the engine (``tests/engine/lessons/test_pace.py`` checks every lesson's speed
against it; docs/engine.md has the table):

- :func:`loss_settles`: the step by which a run's training loss has made 90% of
  its fall over the lesson's steps (on a log scale for a lesson whose loss chart
  opens on one): the fit, the flip, the slow crawl of a run, as its loss curve and
  output map show them;
- :func:`outputs_fade`: the step by which every output of a run is within a
  margin of 0.5 (one neuron on XOR: its map fades to an even grey).

docs/engine.md ("Lessons at a watchable speed") has each lesson's numbers.

Each answers a function of the lesson (so the measurement runs only when asked
for, never on import); the lesson's preset is measured unless a variant is named
(a lesson whose preset stalls on purpose is watched for its variant that learns,
which its comparison shows beside it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from engine.lessons.base import Lesson
    from engine.trainer import Trainer

SAMPLES = 200
"""Points at which a run is read over its horizon."""
SHARE = 0.9
"""The share of its fall a loss has made when the phenomenon counts as shown."""


def _horizon(lesson: Lesson, steps: int | None) -> int:
    return steps if steps is not None else lesson.steps


def _readings(trainer: Trainer, horizon: int, read: Callable[[Trainer], float]
              ) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values): ``read(trainer)`` at SAMPLES + 1 evenly spaced steps up to ``horizon``."""
    every = max(1, horizon // SAMPLES)
    steps, values = [0], [read(trainer)]
    while steps[-1] < horizon:
        trainer.train(every)
        steps.append(steps[-1] + every)
        values.append(read(trainer))
    return np.asarray(steps), np.asarray(values, dtype=float)


def loss_settles(variant: str | None = None, log: bool = False,
                 steps: int | None = None) -> Callable[[Lesson], int]:
    """The step by which the training loss of the lesson's preset (or ``variant``)
    has made SHARE of its fall over ``steps`` (default: the lesson's own), the loss
    read on a log scale when ``log``."""
    def measure(lesson: Lesson) -> int:
        trainer = lesson.trainer(variant)
        at, loss = _readings(trainer, _horizon(lesson, steps),
                             lambda t: float(t.metrics()["train_loss"]))
        if log:
            loss = np.log10(np.maximum(loss, 1e-30))
        fall = loss[0] - loss[-1]
        if not fall > 0:
            raise ValueError(f"{lesson.name}: the loss does not fall over the horizon")
        return int(at[np.argmax(loss - loss[-1] <= (1 - SHARE) * fall)])
    return measure


def outputs_fade(margin: float, variant: str | None = None, steps: int | None = None
                 ) -> Callable[[Lesson], int]:
    """The first step at which every output of the lesson's preset (or ``variant``)
    on its training points is within ``margin`` of 0.5 (a sigmoid of the logits of a
    net trained with cross-entropy), read over ``steps`` (default: the lesson's own)."""
    def distance(trainer: Trainer) -> float:
        logits = trainer.net.predict(trainer.X_train)[:, 0]
        return float(np.abs(1.0 / (1.0 + np.exp(-logits)) - 0.5).max())

    def measure(lesson: Lesson) -> int:
        at, far = _readings(lesson.trainer(variant), _horizon(lesson, steps), distance)
        faded = far < margin
        if not faded.any():
            raise ValueError(f"{lesson.name}: the outputs do not fade over the horizon")
        return int(at[np.argmax(faded)])
    return measure
