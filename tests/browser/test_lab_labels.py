"""The lab's layer labels in the reader's language: feature-map rows ("activation
ReLU" in English), kernel rows ("conv2d 1"), the pooling panel's source
("(activation relu)" before), the depth chart's legend and the residual
comparison's titles ("deep-plain: ...") are translated on a zh-Hant page, with no
English layer word left; the English page keeps its words."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from tests.browser.conftest import SHOTS

MAIN = "document.getElementById('lab-main')"
LAYER_WORDS = re.compile(
    r"\b(conv2d|conv1d|pool2d|activation|dense|batchnorm|dropout|residual|relu|max|mean|"
    r"convolution|pooling|output|deep-plain|deep-residual|spp|flatten|embedding)\b")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def open_lab(page: Any, path: str) -> None:
    page.goto(path)
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    page.wait_for_function(f"Number({MAIN}.dataset.framesDrawn || 0) > 0", timeout=20000)


def labels_of(page: Any) -> dict[str, list[str]]:
    """The layer labels the lab shows, by where they are."""
    return {
        "maps": page.locator("[data-testid=maps] .lab-map-row b").all_text_contents(),
        "kernels": page.locator("[data-testid^=kernels-] .lab-row-label b").all_text_contents(),
        "map aria": [page.get_attribute("[data-testid=maps] canvas", "aria-label")],
    }


def english_left(texts: list[str]) -> list[str]:
    return [text for text in texts if LAYER_WORDS.search(text) or not CHINESE.search(text)]


def test_the_labs_layer_labels_are_chinese_on_a_chinese_page(page: Any) -> None:
    open_lab(page, "/lab?lang=zh-Hant#lesson=convolution")
    labels = labels_of(page)
    assert labels["maps"][0] == "二維卷積層"
    assert "激活函數（ReLU）" in labels["maps"]
    assert labels["kernels"] == ["二維卷積層 1", "二維卷積層 2"]
    assert "（二維卷積層）" in labels["map aria"][0]
    legend = json.loads(page.get_attribute("[data-testid=gradient-chart]", "data-legend"))
    assert legend[:2] == ["二維卷積層 1", "二維卷積層 2"]
    for where, texts in {**labels, "legend": legend}.items():
        assert english_left(texts) == [], (where, texts)
    page.screenshot(path=str(SHOTS / "zh_hant_lab_layer_labels.png"))

    open_lab(page, "/lab?lang=zh-Hant#lesson=pooling&variant=max")
    page.wait_for_function("document.querySelector('[data-testid=pool-max]') !== null",
                           timeout=20000)
    maps = page.locator("[data-testid=maps] .lab-map-row b").all_text_contents()
    assert "二維池化層（最大）" in maps and english_left(maps) == []
    source = page.text_content("[data-testid=pooling] .lab-note")
    assert re.search(r"（激活函數（ReLU））", source), source
    assert not LAYER_WORDS.search(source), source


def test_the_residual_comparison_titles_are_the_variants_chinese_labels(
        page: Any, server: str) -> None:
    page.goto("/lab?lang=zh-Hant#lesson=residual")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    titles = page.locator(".lab-compare-side h3").all_text_contents()
    residual = httpx.get(f"{server}/api/lessons/residual", params={"lang": "zh-Hant"},
                         timeout=10).json()
    labels = {v["name"]: v["label"] for v in residual["variants"]}
    assert titles == [labels["deep-plain"], labels["deep-residual"]]
    assert english_left(titles) == [], titles
    page.screenshot(path=str(SHOTS / "zh_hant_lab_residual_titles.png"))


def test_the_english_lab_keeps_its_layer_words(page: Any) -> None:
    open_lab(page, "/lab#lesson=pooling&variant=max")
    page.wait_for_function("document.querySelector('[data-testid=pool-max]') !== null",
                           timeout=20000)
    maps = page.locator("[data-testid=maps] .lab-map-row b").all_text_contents()
    assert maps[0] == "conv2d (convolution)" and "activation ReLU" in maps
    assert "pool2d max" in maps
    assert "(activation ReLU)" in page.text_content("[data-testid=pooling] .lab-note")
