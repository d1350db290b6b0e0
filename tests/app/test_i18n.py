"""The two languages: choosing one, and catalogues that cover every string."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import i18n
from engine.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[2]
JS_CALL = re.compile(r"""\bt\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|`([^`$]*)`)""")
TEMPLATE_CALL = re.compile(r"""\b_\(\s*(?:"([^"]*)"|'([^']*)')""")


def used_strings() -> dict[str, str]:
    """Every literal passed to t() in the scripts and to _() in the templates ->
    the file it is in."""
    found: dict[str, str] = {}
    scripts = sorted((ROOT / "static" / "js").rglob("*.js"))
    for path in scripts:
        for match in JS_CALL.finditer(path.read_text(encoding="utf-8")):
            text = next(g for g in match.groups() if g is not None)
            found.setdefault(json.loads(f'"{text}"') if match.group(1) is not None else text,
                             path.relative_to(ROOT).as_posix())
    for path in sorted((ROOT / "templates").glob("*.html")):
        for match in TEMPLATE_CALL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(next(g for g in match.groups() if g is not None), path.name)
    return found


def test_the_scripts_strings_are_all_read() -> None:
    """The search above reaches the scripts in every folder of static/js."""
    scripts = {where for where in used_strings().values() if where.endswith(".js")}
    folders = {where.split("/")[2] for where in scripts}
    assert {"playground", "lab", "classroom", "common", "charts", "network"} <= folders
    assert len(scripts) >= 40


def test_every_string_used_has_a_traditional_chinese_translation():
    table = i18n.catalogue("zh-Hant")
    missing = {text: where for text, where in used_strings().items() if text not in table}
    assert not missing, f"{len(missing)} strings lack a zh-Hant translation: {missing}"


def test_catalogue_files_are_flat_string_maps_with_the_same_placeholders():
    for path in sorted((ROOT / "static" / "i18n").rglob("*.json")):
        table = json.loads(path.read_text(encoding="utf-8"))
        assert path.stem in i18n.PARTS, path
        for english, translated in table.items():
            assert isinstance(translated, str) and translated.strip(), (path.name, english)
            assert (sorted(re.findall(r"\{\w+\}", english))
                    == sorted(re.findall(r"\{\w+\}", translated))), (path.name, english)


@pytest.mark.parametrize(("header", "expected"), [
    ("zh-TW,zh;q=0.9,en;q=0.8", "zh-Hant"),
    ("en-GB,en;q=0.9", "en"),
    ("fr-FR,fr;q=0.9,zh-HK;q=0.5", "zh-Hant"),
    ("fr-FR,de;q=0.9", None),
    ("en;q=0.2,zh-Hant;q=0.7", "zh-Hant"),
    ("zh;q=0,en", "en"),
    ("en;q=abc,zh", "zh-Hant"),
    ("", None),
])
def test_accept_language(header, expected):
    assert i18n.from_accept_language(header) == expected


def test_translator_fills_values_and_falls_back_to_english():
    _ = i18n.translator("zh-Hant")
    assert _("no such string {n}", n=3) == "no such string 3"
    assert i18n.translator("en")("step {n}", n=7) == "step 7"


@pytest.mark.parametrize("path", ["/", "/lab"])
def test_page_language_from_browser_address_and_cookie(client: TestClient, path: str):
    page = client.get(path, headers={"accept-language": "zh-TW,zh;q=0.9"})
    assert '<html lang="zh-Hant">' in page.text
    assert 'value="zh-Hant" lang="zh-Hant" selected' in page.text
    assert "nnplay_lang" not in page.cookies
    page = client.get(path, headers={"accept-language": "en-US"})
    assert '<html lang="en">' in page.text
    chosen = client.get(f"{path}?lang=zh-Hant", headers={"accept-language": "en-US"})
    assert '<html lang="zh-Hant">' in chosen.text
    assert chosen.cookies.get("nnplay_lang") == "zh-Hant"
    # the cookie now outweighs the browser's language, until the address says otherwise
    assert '<html lang="zh-Hant">' in client.get(path, headers={"accept-language": "en"}).text
    assert '<html lang="en">' in client.get(f"{path}?lang=en").text
    assert '<html lang="en">' in client.get(path).text
    assert '<html lang="en">' in client.get(f"{path}?lang=klingon").text


def test_lessons_in_traditional_chinese(client: TestClient):
    english = client.get("/api/lessons").json()
    chinese = client.get("/api/lessons", params={"lang": "zh-Hant"}).json()
    assert [lesson["name"] for lesson in chinese] == list(LESSONS)
    for en, zh in zip(english, chinese, strict=True):
        assert zh["language"] == "zh-Hant"
        for key in ("title", "claim", "watch", "why"):
            assert zh[key] != en[key] and re.search(r"[\u4e00-\u9fff]", zh[key]), (zh["name"], key)
        assert zh["spec"] == en["spec"]
        for v_en, v_zh in zip(en["variants"], zh["variants"], strict=True):
            assert v_zh["name"] == v_en["name"]
            assert re.search(r"[\u4e00-\u9fff]", v_zh["label"]), (zh["name"], v_zh["name"])
    one = client.get("/api/lessons/dead-relu", params={"lang": "zh-Hant"}).json()
    assert one["title"] == chinese[[x["name"] for x in chinese].index("dead-relu")]["title"]


def test_unknown_language_is_a_422_naming_lang(client: TestClient):
    answer = client.get("/api/lessons", params={"lang": "fr"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "lang"]
