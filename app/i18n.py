"""The pages' two languages: English and Traditional Chinese (the notes' language).

Every string a page shows is written in English in the templates and scripts and
looked up in a catalogue: ``static/i18n/<language>/<part>.json`` maps the English
text to its translation (``{name}`` marks a value filled in at run time). English
needs no catalogue. The browser reads the same files (``static/js/common/i18n.js``), so
a template and a script never translate one string two ways.

The language of a page: ``?lang=`` in its address (remembered in a cookie), else
the cookie, else the browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache

from fastapi import Request

from app.assets import asset_dir

LANGUAGES: dict[str, str] = {"en": "English", "zh-Hant": "繁體中文"}
"""Language tags the pages offer, with the name each language calls itself."""

DEFAULT = "en"
COOKIE = "nnplay_lang"
PARTS = ("common", "playground", "lab", "classroom", "errors")
"""The catalogue files of one language, by the pages they serve."""


@cache
def catalogue(language: str) -> dict[str, str]:
    """English text -> its translation into ``language`` (empty for English)."""
    if language == DEFAULT:
        return {}
    merged: dict[str, str] = {}
    folder = asset_dir("static") / "i18n" / language
    for part in PARTS:
        path = folder / f"{part}.json"
        if path.is_file():
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translator(language: str) -> Callable[..., str]:
    """``_(text, **values)``: the translation of ``text`` with ``{name}`` filled in
    (the English text when the catalogue lacks it)."""
    table = catalogue(language)

    def translate(text: str, **values: object) -> str:
        out = table.get(text, text)
        for key, value in values.items():
            out = out.replace("{" + key + "}", str(value))
        return out

    return translate


def match(tag: str) -> str | None:
    """The offered language a tag such as ``zh-TW``, ``zh-Hant-HK`` or ``en-GB``
    asks for; None when none fits. Any Chinese tag gets Traditional Chinese, the
    only Chinese the pages have."""
    tag = tag.strip().lower()
    if tag == "*":
        return DEFAULT
    for offered in LANGUAGES:
        if tag == offered.lower() or tag.split("-")[0] == offered.split("-")[0].lower():
            return offered
    return None


def from_accept_language(header: str) -> str | None:
    """The offered language the browser prefers most, from an ``Accept-Language``
    header such as ``"zh-TW,zh;q=0.9,en;q=0.8"``; None when none fits."""
    choices: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                continue
        found = match(tag) if tag.strip() else None
        if found and weight > 0:
            choices.append((-weight, position, found))
    return min(choices)[2] if choices else None


def page_language(request: Request) -> tuple[str, bool]:
    """The language to render a page in, and whether the address chose it (then
    the response remembers it in the cookie)."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked, True
    saved = request.cookies.get(COOKIE)
    if saved in LANGUAGES:
        return saved, False
    return from_accept_language(request.headers.get("accept-language", "")) or DEFAULT, False
