"""The lessons' texts in the languages other than English.

``TEXTS[language][lesson]`` holds the translated ``title``, ``claim``, ``watch``
and ``why`` of a lesson, and ``variants``: {variant name: label}. English is the
lessons' own text (:mod:`engine.lessons`); the other languages live in one
module each (``zh_hant`` for Traditional Chinese, the notes' language).
"""

from __future__ import annotations

from typing import Any

from engine.lessons.zh_hant import ZH_HANT

LANGUAGES = ("en", "zh-Hant")
"""Languages a lesson's text can be asked in."""

TEXTS: dict[str, dict[str, dict[str, Any]]] = {"zh-Hant": ZH_HANT}


def lesson_texts(name: str, language: str) -> dict[str, Any]:
    """The translated texts of lesson ``name`` in ``language`` ({} for English);
    ValueError naming the languages for an unknown one."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    return TEXTS.get(language, {}).get(name, {})
