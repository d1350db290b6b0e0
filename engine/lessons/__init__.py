"""The lessons: each claim of the notes as a preset, a text and a measurement.

``LESSONS`` maps each name to its :class:`Lesson`, in the order of the notes;
``list_lessons()`` gives their JSON-able descriptions for a catalogue.
"""

from __future__ import annotations

from typing import Any

from engine.lessons.activations import ACTIVATIONS
from engine.lessons.base import Lesson, Signature, Variant
from engine.lessons.batch_norm import BATCH_NORM
from engine.lessons.convolution import CONVOLUTION
from engine.lessons.dead_relu import DEAD_RELU
from engine.lessons.dropout import DROPOUT
from engine.lessons.loss_output import LOSS_AND_OUTPUT
from engine.lessons.normalization import INPUT_NORMALIZATION
from engine.lessons.pooling import POOLING
from engine.lessons.residual import RESIDUAL
from engine.lessons.symmetric import SYMMETRIC_INIT
from engine.lessons.text_cnn import TEXT_CNN
from engine.lessons.universal import UNIVERSAL_APPROXIMATION
from engine.lessons.vanishing import VANISHING_GRADIENTS
from engine.lessons.xor import XOR_ONE_NEURON, XOR_TWO_RELU

LESSONS: dict[str, Lesson] = {
    lesson.name: lesson
    for lesson in (
        XOR_ONE_NEURON,
        XOR_TWO_RELU,
        UNIVERSAL_APPROXIMATION,
        ACTIVATIONS,
        VANISHING_GRADIENTS,
        DEAD_RELU,
        LOSS_AND_OUTPUT,
        SYMMETRIC_INIT,
        DROPOUT,
        INPUT_NORMALIZATION,
        BATCH_NORM,
        CONVOLUTION,
        POOLING,
        TEXT_CNN,
        RESIDUAL,
    )
}


def get_lesson(name: str) -> Lesson:
    """The lesson called ``name``; KeyError naming the choices otherwise."""
    if name not in LESSONS:
        raise KeyError(f"unknown lesson {name!r}; choose one of {', '.join(LESSONS)}")
    return LESSONS[name]


def list_lessons(language: str = "en") -> list[dict[str, Any]]:
    """Every lesson's catalogue entry, texts in ``language`` ("en" or "zh-Hant")."""
    return [lesson.describe(language) for lesson in LESSONS.values()]


__all__ = ["LESSONS", "Lesson", "Signature", "Variant", "get_lesson", "list_lessons"]
