"""Server errors in the reader's language: a refused CSV, a bad model file and a
field error of a spec, on the playground opened in Traditional Chinese. The server
sends each error's code and parameters (docs/errors.md); the page shows the
translated sentence with the parameter's value, not the English message."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import SHOTS, Console, open_playground, run_server

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def zh_page(browser: Any, server: str) -> Iterator[Any]:
    """The playground in Traditional Chinese; the refused requests are the only
    console errors allowed (Chromium logs each refused request itself)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server,
                                  bypass_csp=True)  # waiting in the page evaluates strings
    page = context.new_page()
    console = Console()
    console.watch(page)
    try:
        open_playground(page, "/?lang=zh-Hant")
        assert page.evaluate("document.documentElement.lang") == "zh-Hant"
        yield page
    finally:
        context.close()
    others = [e for e in console.errors if not ("Failed to load resource" in e and "422" in e)]
    assert others == [], console.errors


def saved_record(server: str) -> dict[str, Any]:
    """A model file as the page downloads it (a small run, saved)."""
    with httpx.Client(base_url=server, timeout=30) as api:
        run = api.post("/api/runs", json={"spec": {"hidden": [3]}}).json()["id"]
        model = api.post(f"/api/runs/{run}/save", json={"name": "m"}).json()["id"]
        record = api.get(f"/api/models/{model}").json()
        api.delete(f"/api/runs/{run}")
        return record


def failed_status(page: Any) -> str:
    """The status line's text once it shows an error."""
    page.wait_for_function("document.querySelector('[data-testid=status]')"
                           ".classList.contains('error')", timeout=20000)
    return page.text_content("[data-testid=status]")


def test_a_refused_csv_is_explained_in_chinese_with_its_line_and_value(
        zh_page: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0.1,0.2,0\n0.3,0.5,1\n0.2,0.1,0\n0.7,abc,1\n0.7,0.5,1\n")
    zh_page.set_input_files("[data-testid=upload]", str(bad))
    zh_page.wait_for_function("document.querySelector('[data-testid=upload-status]')"
                              ".classList.contains('ctl-error')", timeout=10000)
    text = zh_page.text_content("[data-testid=upload-status]")
    assert text == "bad.csv：第 5 行：x2：「abc」不是數字"
    assert "is not a number" not in text
    zh_page.screenshot(path=str(SHOTS / "zh_hant_csv_upload_error.png"))
    too_few = tmp_path / "few.csv"
    too_few.write_text("x1,x2,label\n0.1,0.2,0\n0.3,0.5,1\n")
    zh_page.set_input_files("[data-testid=upload]", str(too_few))
    zh_page.wait_for_function("document.querySelector('[data-testid=upload-status]')"
                              ".textContent.startsWith('few.csv')", timeout=10000)
    assert zh_page.text_content("[data-testid=upload-status]") \
        == "few.csv：至少需要 4 列資料，只有 2 列"


def test_a_model_file_of_another_version_is_refused_in_chinese(
        zh_page: Any, server: str, tmp_path: Path) -> None:
    record = saved_record(server)
    model = tmp_path / "old.nnplay.json"
    model.write_text(json.dumps({**record, "version": 99}))
    zh_page.set_input_files("[data-testid=load-model]", str(model))
    assert failed_status(zh_page) == "version：不支援的版本 99"
    zh_page.screenshot(path=str(SHOTS / "zh_hant_bad_model_file.png"))
    other = tmp_path / "other.nnplay.json"
    other.write_text(json.dumps({**record, "format": "not-ours"}))
    zh_page.set_input_files("[data-testid=load-model]", str(other))
    zh_page.wait_for_function("document.querySelector('[data-testid=status]')"
                              ".textContent.startsWith('format')", timeout=20000)
    assert zh_page.text_content("[data-testid=status]") \
        == "format：這不是 nnplay 的模型檔（格式應為「nnplay-model」）"


def test_a_field_out_of_range_is_named_in_chinese_with_its_limits(
        zh_page: Any, server: str, tmp_path: Path) -> None:
    record = saved_record(server)
    spec = {**record["spec"], "batch_size": 0}
    model = tmp_path / "bad-batch.nnplay.json"
    model.write_text(json.dumps({**record, "spec": spec}))
    zh_page.set_input_files("[data-testid=load-model]", str(model))
    text = failed_status(zh_page)
    assert text == "spec.batch_size：必須介於 1 和 5000 之間，收到的是 0"
    zh_page.screenshot(path=str(SHOTS / "zh_hant_field_error.png"))
    layers = [{**layer, "name": "swish"} if layer["type"] == "activation" else layer
              for layer in record["spec"]["layers"]]
    model.write_text(json.dumps({**record, "spec": {**record["spec"], "layers": layers}}))
    zh_page.set_input_files("[data-testid=load-model]", str(model))
    zh_page.wait_for_function("document.querySelector('[data-testid=status]')"
                              ".textContent.includes('swish')", timeout=20000)
    text = zh_page.text_content("[data-testid=status]")
    assert text.startswith("spec.layers.1.name：沒有「swish」這個激活函數；請從 ")
    assert CHINESE.search(text) and "unknown" not in text


def test_a_model_file_with_a_nested_residual_block_is_refused_in_chinese(
        zh_page: Any, server: str, tmp_path: Path) -> None:
    """A spec error that had no code of its own before: the page names the inner
    layer and says, in Chinese, that residual blocks do not nest."""
    record = saved_record(server)
    inner = {"type": "residual", "layers": [{"type": "dense", "units": 3}]}
    spec = {**record["spec"], "layers": [{"type": "residual", "layers": [inner]}]}
    model = tmp_path / "nested.nnplay.json"
    model.write_text(json.dumps({**record, "spec": spec}))
    zh_page.set_input_files("[data-testid=load-model]", str(model))
    text = failed_status(zh_page)
    assert text == "spec.layers.0.layers.0：殘差區塊不能互相巢狀"
    zh_page.screenshot(path=str(SHOTS / "zh_hant_nested_residual_model_file.png"))
    spec = {**record["spec"], "optimizer": {"name": "sgd", "beta1": 0.9}}
    model.write_text(json.dumps({**record, "spec": spec}))
    zh_page.set_input_files("[data-testid=load-model]", str(model))
    zh_page.wait_for_function("document.querySelector('[data-testid=status]')"
                              ".textContent.includes('beta1')", timeout=20000)
    assert zh_page.text_content("[data-testid=status]") == "spec.optimizer.beta1：不適用於 sgd"


@pytest.fixture
def limited_server() -> Iterator[str]:
    """A server that lets a client make one run a minute: the page's own."""
    with run_server({"NNPLAY_RUNS_PER_MINUTE": "1"}) as base:
        yield base


def test_a_rate_limit_is_explained_in_chinese_with_the_wait(
        browser: Any, server: str, limited_server: str, tmp_path: Path) -> None:
    """The playground in Chinese has made its one run of the minute; opening a model
    file (a second run) is refused with 429, shown in Chinese with the seconds to wait."""
    model = tmp_path / "good.nnplay.json"
    model.write_text(json.dumps(saved_record(server)))
    context = browser.new_context(viewport={"width": 1280, "height": 800},
                                  base_url=limited_server, bypass_csp=True)
    page = context.new_page()
    console = Console()
    console.watch(page)
    try:
        open_playground(page, "/?lang=zh-Hant")
        page.set_input_files("[data-testid=load-model]", str(model))
        text = failed_status(page)
        page.screenshot(path=str(SHOTS / "zh_hant_rate_limited.png"))
    finally:
        context.close()
    found = re.fullmatch(r"這個用戶端在最近一分鐘內已建立 1 次訓練，已達上限；"
                         r"請 (\d+) 秒後再試", text)
    assert found, text
    assert 1 <= int(found.group(1)) <= 60
    assert [e for e in console.errors if "429" not in e] == [], console.errors
