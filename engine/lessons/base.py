"""What a lesson is: a preset, a text, and a measurement of the claim.

Each lesson turns one claim of the study notes into something a student can watch
(a spec to load, optionally hand-set weights, optionally variants to run side by
side) and something a test can measure (:meth:`Lesson.measure`, which runs the
experiment from fixed seeds and says whether the claim held, with the numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.blas_threads import one_blas_thread
from engine.budget import Budget
from engine.lessons.translations import lesson_texts
from engine.spec import Limits
from engine.trainer import Trainer

HandWeight = tuple[str, str, tuple[int, ...], float]
"""(layer path, parameter name, index, value), as for :meth:`Trainer.set_param`."""


@dataclass(frozen=True)
class Signature:
    """The measured outcome of a lesson.

    Attributes:
        holds: whether the notes' claim held in this measurement.
        values: the numbers measured (JSON-able floats/ints/lists).
        summary: one English sentence stating the numbers against the claim.
    """

    holds: bool
    values: dict[str, Any]
    summary: str


@dataclass(frozen=True)
class Variant:
    """One side of a side-by-side comparison (e.g. plain vs residual)."""

    name: str
    label: str
    spec: dict[str, Any]
    hand_weights: tuple[HandWeight, ...] = ()


@dataclass(frozen=True)
class Lesson:
    """A named preset from the notes.

    Attributes:
        name: slug, e.g. ``"dead-relu"``.
        title: short English title.
        claim: what the notes claim, in one or two sentences.
        watch: what to watch on the page while it trains.
        why: why it happens (the mechanism, briefly).
        spec: the main preset as a JSON-able spec dict (its ``seed`` included).
        steps: training steps after which the phenomenon is clear.
        measure_fn: runs the experiment from fixed seeds and returns a Signature.
        variants: specs to run side by side, when the lesson compares settings.
        hand_weights: weights set by hand after building the main preset.
        expectation: the measured signature stated as a test would check it.
        display: how the page first shows the lesson's charts: ``loss_scale``
            (``"linear"`` or ``"log"``) and ``gradient_view`` (``"time"``, the norms
            against step, or ``"depth"``, a bar per layer); left out, the defaults
            (linear, time).
    """

    name: str
    title: str
    claim: str
    watch: str
    why: str
    spec: dict[str, Any]
    steps: int
    measure_fn: Callable[[], Signature]
    expectation: str
    variants: tuple[Variant, ...] = ()
    hand_weights: tuple[HandWeight, ...] = field(default=())
    display: dict[str, str] = field(default_factory=dict)

    def trainer(self, variant: str | None = None, budget: Budget | None = None) -> Trainer:
        """A fresh trainer for the preset (or one of its variants), hand weights set,
        within ``budget`` (default: the engine's; see :mod:`engine.budget`)."""
        if variant is None:
            spec, weights = self.spec, self.hand_weights
        else:
            chosen = next((v for v in self.variants if v.name == variant), None)
            if chosen is None:
                raise KeyError(f"lesson {self.name!r} has no variant {variant!r}")
            spec, weights = chosen.spec, chosen.hand_weights
        trainer = Trainer(spec, Limits(budget=budget or Budget()))
        for layer, name, index, value in weights:
            trainer.set_param(layer, name, index, value)
        return trainer

    @one_blas_thread
    def measure(self) -> Signature:
        """Run the lesson's experiment (deterministic; seconds, not minutes)."""
        return self.measure_fn()

    def describe(self, language: str = "en") -> dict[str, Any]:
        """JSON-able catalogue entry (without running anything), its texts (title,
        claim, watch, why, variant labels) in ``language`` (see
        :mod:`engine.lessons.translations`; English where a text has no
        translation)."""
        text = lesson_texts(self.name, language)
        return {
            "name": self.name,
            "language": language,
            "title": text.get("title", self.title),
            "claim": text.get("claim", self.claim),
            "watch": text.get("watch", self.watch),
            "why": text.get("why", self.why),
            "spec": self.spec,
            "steps": self.steps,
            "expectation": self.expectation,
            "variants": [
                {"name": v.name, "label": text.get("variants", {}).get(v.name, v.label),
                 "spec": v.spec,
                 "hand_weights": [list(w) for w in v.hand_weights]}
                for v in self.variants
            ],
            "hand_weights": [[p, n, list(i), v] for p, n, i, v in self.hand_weights],
            "display": dict(self.display),
        }


def train_many(specs: dict[str, dict[str, Any]], steps: int) -> dict[str, Trainer]:
    """Train each spec for ``steps`` steps; returns the trainers by key."""
    trainers = {key: Trainer(spec) for key, spec in specs.items()}
    for trainer in trainers.values():
        trainer.train(steps)
    return trainers
