"""What a lesson is: a preset, a text, and a measurement of its claims.

Each lesson turns one claim of the study notes into something a student can watch
(a spec to load, optionally hand-set weights, optionally variants to run side by
side) and something a test can measure (:meth:`Lesson.measure`, which runs the
experiment from the seeds a student drew, a :class:`Draw`, and says claim by claim
whether it held, with the numbers). A lesson's claims must hold for (nearly) every
draw, not only for its preset's: ``bench/lessons.py`` counts them over many.
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
class Draw:
    """The seeds a student draws for a lesson.

    Attributes:
        model: the run's seed (initial weights, batch order, dropout masks): the
            page's "New seed".
        data: the data set's seed (which points, which train/test split): the page's
            "Regenerate". Data sets without randomness (the XOR table) ignore it.

    A lesson's preset is ``Draw(0, 0)``; ``Draw.both(s)`` is the draw a shared seed
    ``s`` stands for.
    """

    model: int = 0
    data: int = 0

    @classmethod
    def both(cls, seed: int) -> Draw:
        """The model and data seeds both ``seed``."""
        return cls(seed, seed)

    def apply(self, spec: dict[str, Any], offset: int = 0) -> dict[str, Any]:
        """``spec`` with this draw's seeds: the run's seed ``model + offset`` (an
        offset tells apart several runs of one measurement) and, when the data set
        takes one, the data seed."""
        seeded = {**spec, "seed": self.model + offset}
        data = spec.get("data")
        if isinstance(data, dict) and "seed" in data:
            seeded["data"] = {**data, "seed": self.data}
        return seeded


@dataclass(frozen=True)
class Claim:
    """One claim of a lesson, as measured for one draw.

    Attributes:
        text: the claim in a few English words, the same for every draw (e.g.
            "plain net stays near chance"); the bench counts draws by it.
        held: whether it held for this draw.
        numbers: the numbers it was judged on (name -> float), for spreads.
    """

    text: str
    held: bool
    numbers: dict[str, float] = field(default_factory=dict)


def claim(text: str, held: bool, **numbers: float) -> Claim:
    """A :class:`Claim`; ``numbers`` are stored as plain floats."""
    return Claim(text, bool(held), {k: float(v) for k, v in numbers.items()})


@dataclass(frozen=True)
class Signature:
    """The measured outcome of a lesson for one draw.

    Attributes:
        claims: each claim and whether it held.
        values: the numbers measured (JSON-able floats/ints/lists).
        summary: one English sentence stating the numbers against the claims.
    """

    claims: tuple[Claim, ...]
    values: dict[str, Any]
    summary: str

    @property
    def holds(self) -> bool:
        """Whether every claim held."""
        return all(c.held for c in self.claims)

    def failed(self) -> list[str]:
        """The texts of the claims that did not hold."""
        return [c.text for c in self.claims if not c.held]


@dataclass(frozen=True)
class Variant:
    """One side of a side-by-side comparison (e.g. plain vs residual)."""

    name: str
    label: str
    spec: dict[str, Any]
    hand_weights: tuple[HandWeight, ...] = ()


@dataclass(frozen=True)
class Pace:
    """The speed a lesson opens at on the page, and what it was chosen from.

    Attributes:
        steps_per_frame: training steps between two frames while the run plays;
            the page sets its speed control to it when the lesson opens (a student
            can change it, and a shared link keeps a student's own).
        unfolds: measures, for the lesson, the step at which its phenomenon is plain
            on the page (see :mod:`engine.lessons.pace`); the speed is chosen so that
            this step comes after several seconds at the page's frame rate.
        what: what has happened by that step, in a few English words.
    """

    steps_per_frame: int
    unfolds: Callable[[Lesson], int]
    what: str


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
        measure_fn: runs the experiment for a :class:`Draw` and returns a Signature.
        variants: specs to run side by side, when the lesson compares settings.
        hand_weights: weights set by hand after building the main preset.
        expectation: the measured signature stated as a test would check it.
        display: how the page first shows the lesson's charts: ``loss_scale``
            (``"linear"`` or ``"log"``) and ``gradient_view`` (``"time"``, the norms
            against step, or ``"depth"``, a bar per layer); left out, the defaults
            (linear, time).
        pace: the steps per frame the page opens the lesson at, and the measurement
            they were chosen from (:class:`Pace`).
    """

    name: str
    title: str
    claim: str
    watch: str
    why: str
    spec: dict[str, Any]
    steps: int
    measure_fn: Callable[[Draw], Signature]
    expectation: str
    variants: tuple[Variant, ...] = ()
    hand_weights: tuple[HandWeight, ...] = field(default=())
    display: dict[str, str] = field(default_factory=dict)
    pace: Pace | None = None

    def trainer(self, variant: str | None = None, budget: Budget | None = None,
                draw: Draw | None = None) -> Trainer:
        """A fresh trainer for the preset (or one of its variants), hand weights set,
        within ``budget`` (default: the engine's; see :mod:`engine.budget`), with the
        seeds of ``draw`` (default: the preset's)."""
        if variant is None:
            spec, weights = self.spec, self.hand_weights
        else:
            chosen = next((v for v in self.variants if v.name == variant), None)
            if chosen is None:
                raise KeyError(f"lesson {self.name!r} has no variant {variant!r}")
            spec, weights = chosen.spec, chosen.hand_weights
        if draw is not None:
            spec = draw.apply(spec)
        trainer = Trainer(spec, Limits(budget=budget or Budget()))
        for layer, name, index, value in weights:
            trainer.set_param(layer, name, index, value)
        return trainer

    @one_blas_thread
    def measure(self, draw: Draw | None = None) -> Signature:
        """Run the lesson's experiment for ``draw`` (default: the preset's seeds);
        deterministic, seconds not minutes."""
        return self.measure_fn(draw or Draw())

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
            "steps_per_frame": self.pace.steps_per_frame if self.pace else None,
        }

