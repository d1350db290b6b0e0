"""The pages in Traditional Chinese, in headless Chromium: a Chinese browser gets
them without choosing, they show no English left untranslated, and the language
picker switches the language and keeps the state in the address.

Each test leaves a screenshot under test-output/browser/ (see conftest.py) and
fails on any console error. Chinese fonts may be missing on the machine: the
tests read text, not glyphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from app.i18n import LANGUAGES
from engine.activations import FUNCTIONS
from engine.data.image_parts import KINDS
from engine.data.registry import DATASETS
from engine.data.text import CLASSES
from engine.lessons import LESSONS
from engine.losses import LOSSES
from engine.spec_layers import EMBEDDING_CHANNELS, LAYER_TYPES, POOL_MODES
from tests.browser.conftest import SHOTS, Console, open_playground

MAIN = "document.getElementById('lab-main')"
EXAMPLE_SENTENCE = "the food was not good"
"""The lab's sentence box example (lab/probe_controls.js): English, as the net's
vocabulary is."""

# -- what may stay English in a Chinese page ----------------------------------

NAMES = {
    # the app, the file format and its column names ("(CSV: x1, x2, label)")
    "nnplay", "csv", "label", "x1", "x2", "sin",
    # activations, optimisers, their symbols and the initialisers' namesakes
    "relu", "leaky", "softplus", "softmax", "sgd", "adam", "rmsprop", "nesterov",
    "rho", "epsilon", "beta1", "beta2", "alpha", "xavier", "he", "l1", "l2",
    # terms the catalogues keep as they are ("Dropout" -> "Dropout", "文字 CNN")
    "dropout", "xor", "cnn", "n-gram",
    # the text CNN's unknown-word token; keys as their keycaps say
    "unk", "enter", "esc", "tab",
}
SERVER_NAMES = (
    # names the server defines: data sets, their classes, activations, losses,
    # layer types and modes of a spec, lessons and their variants
    set(DATASETS) | set(KINDS) | set(CLASSES) | set(LOSSES) | set(LAYER_TYPES)
    | set(POOL_MODES) | set(EMBEDDING_CHANNELS) | set(LESSONS)
    | {v.name for lesson in LESSONS.values() for v in lesson.variants}
    # ... except "linear", a word the pages translate (線性)
    | (set(FUNCTIONS) - {"linear"})
)
ALLOWED = {name.lower() for name in NAMES | SERVER_NAMES}
# each language's name for itself, in the picker
ALLOWED |= {word.lower() for name in LANGUAGES.values() for word in name.split()}

WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)*")
CHINESE = re.compile(r"[\u3400-\u9fff]")
QUOTED = re.compile(r"「[^」]*」")
"""Words in Chinese quotation marks are quoted data (n-grams of a sentence)."""
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[-+]?\d+)?(?!\w)")
"""Numbers, 4.7e-16 too (not the digits of a name such as pool2d or x1)."""

# Every text node in the body and every title, aria-label, placeholder and alt,
# hidden or not; the text CNN's words (.lab-word, the English sentence a probe
# reads) are data, not page text.
COLLECT = r"""() => {
  const out = [];
  const where = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.dataset && el.dataset.testid ? `[${el.dataset.testid}]` : '');
  const data = (el) => el.closest('script, style, .lab-word');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (n.textContent.trim() && el && !data(el)) out.push([where(el), n.textContent.trim()]);
  }
  const attributes = ['title', 'aria-label', 'placeholder', 'alt'];
  for (const el of document.querySelectorAll(attributes.map((a) => `[${a}]`).join(', '))) {
    if (data(el)) continue;
    for (const a of attributes) {
      const value = el.getAttribute(a);
      if (value && value.trim()) out.push([`${where(el)}@${a}`, value.trim()]);
    }
  }
  out.push(['title', document.title]);
  return out;
}"""


def lesson_texts(server: str) -> list[str]:
    """The lessons' Chinese texts (titles, claims, variant labels ...) as the
    server gives them, longest first: the lessons' own wording, checked by
    tests/app/test_i18n.py, with the English terms the notes keep."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str) and CHINESE.search(value):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(httpx.get(f"{server}/api/lessons", params={"lang": "zh-Hant"}, timeout=10).json())
    return sorted(found, key=len, reverse=True)


class Texts:
    """The texts a page showed, gathered at several moments."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.items: dict[tuple[str, str], None] = {}

    def collect(self) -> None:
        for where, text in self.page.evaluate(COLLECT):
            self.items[(where, text)] = None

    def english(self, lessons: list[str]) -> list[tuple]:
        """(where, text, words) for every text with an English word not allowed,
        once the lessons' own texts are taken out of it."""
        found = []
        for where, text in self.items:
            if "#sentence" in where and where.endswith("@placeholder"):
                assert text == f"例如：{EXAMPLE_SENTENCE}"
                continue
            rest = text
            for lesson in lessons:
                rest = rest.replace(lesson, " ")
            rest = NUMBER.sub(" ", QUOTED.sub(" ", rest))
            words = sorted({w for w in WORD.findall(rest) if len(w) > 1
                            and w.lower() not in ALLOWED})
            if words:
                found.append((where, text, words))
        return found


@pytest.fixture
def zh_tw_page(browser: object, server: str, request: pytest.FixtureRequest) -> Iterator[object]:
    """As conftest's ``page``, in a browser whose language is Chinese (Taiwan)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server,
                                  bypass_csp=True, locale="zh-TW")
    page = context.new_page()
    console = Console()
    console.watch(page)
    yield page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert console.errors == [], f"console errors: {console.errors}"


def document_language_header(page: object) -> str:
    """The Accept-Language the browser sends when it opens the playground."""
    with page.expect_response(lambda r: r.request.resource_type == "document") as answer:
        page.goto("/")
    return answer.value.request.all_headers().get("accept-language", "")


def language_cookie(page: object) -> str | None:
    found = [c["value"] for c in page.context.cookies() if c["name"] == "nnplay_lang"]
    return found[0] if found else None


def network_in_address(page: object) -> dict:
    """The network of the state in the address's hash (state.js decodes it)."""
    return page.evaluate("""async () => {
      const encoded = new URLSearchParams(location.hash.slice(1)).get('s');
      const m = await import('/static/js/state/state.js');
      return m.decodeState(encoded).network;
    }""")


# -----------------------------------------------------------------------------


def test_a_chinese_browser_gets_the_playground_in_chinese(zh_tw_page: object) -> None:
    page = zh_tw_page
    assert document_language_header(page) == "zh-TW"  # what Chromium says for locale zh-TW
    open_playground(page)
    assert page.evaluate("document.documentElement.lang") == "zh-Hant"
    assert page.text_content("[data-testid=play]") == "播放"
    assert page.get_attribute("[data-testid=play]", "title") == "播放或暫停（空白鍵）"
    assert page.text_content("[data-testid=open-lessons]") == "課程"
    assert page.text_content("[data-testid=open-explorer]") == "啟用函數"
    assert page.title() == "nnplay：神經網路遊樂場"
    assert page.text_content("[data-testid=status]") == "停在第 0 步：按「播放」（空白鍵）開始。"
    assert page.input_value("[data-testid=language]") == "zh-Hant"
    # the scripts' strings too (t()); nothing was chosen, so nothing is remembered
    assert page.text_content("[data-testid=add-layer]") == "+ 層"
    # the data sets by translated names, their ids kept as the values
    circle = page.locator("[data-testid=dataset] option[value=circle]")
    assert circle.text_content() == "圓環"
    assert page.locator("[data-testid=dataset] option[value=step]").text_content() == "階梯"
    page.click("[data-testid=play]")
    page.wait_for_function("document.querySelector('[data-testid=play]').textContent === '暫停'")
    page.click("[data-testid=play]")
    assert language_cookie(page) is None


def test_the_playground_in_chinese_leaves_no_english(page: object, server: str) -> None:
    lessons = lesson_texts(server)
    texts = Texts(page)
    open_playground(page, "/?lang=zh-Hant")
    page.select_option("[data-testid=speed]", "20")
    page.click("[data-testid=play]")
    page.wait_for_function("Number(document.getElementById('output').dataset.step) >= 100",
                           timeout=20000)
    page.click("[data-testid=play]")
    page.wait_for_function(
        "document.querySelector('[data-testid=play]').textContent === '播放'")
    texts.collect()
    # every optimiser's hint: its rule and defaults
    hint = "#controls [data-testid=optimizer-hint]"
    for name in ("momentum", "rmsprop", "adam", "sgd"):
        shown = page.text_content(hint)
        page.select_option("[data-testid=optimizer]", name)
        page.wait_for_function(f"document.querySelector({hint!r}).textContent !== {shown!r}")
        texts.collect()
        if name == "momentum":
            assert "改了學習率，下一步就生效" in page.text_content(hint)
            assert page.text_content(hint).endswith("未設定時的預設值：學習率 0.03, 動量 0.9, "
                                                    "Nesterov 關。")
        if name == "adam":
            assert "學習率 0.01, beta1 0.9, beta2 0.999, epsilon 1e-8" in page.text_content(hint)
    # the charts' hover boxes
    for chart, row in (("loss-chart", "測試損失"), ("gradient-chart", "第 1 層（輸入端）")):
        box = page.locator(f"[data-testid={chart}]").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        hover = page.locator(f"[data-testid={chart}] ~ .nn-hover:not([hidden])")
        hover.wait_for(timeout=5000)
        assert row in hover.text_content()
        texts.collect()
    # the lessons: one that loads here, one that opens the lab, then load the first
    page.click("[data-testid=open-lessons]")
    page.click("[data-testid=lesson-convolution]")
    texts.collect()
    page.click("[data-testid=lesson-dropout]")
    texts.collect()
    before = page.get_attribute("[data-testid=output]", "data-run")
    page.click("[data-testid=lesson-load]")
    page.wait_for_function(
        "!document.querySelector('[data-testid=lesson-note]').hidden && "
        f"document.getElementById('output').dataset.run !== {before!r}", timeout=20000)
    dropout = httpx.get(f"{server}/api/lessons/dropout", params={"lang": "zh-Hant"}).json()
    assert dropout["title"] in page.text_content("[data-testid=lesson-note]")
    texts.collect()
    # the activation explorer, every activation in turn (their options named)
    page.click("[data-testid=open-explorer]")
    chooser = page.locator("[data-testid=explorer] select")
    chooser.wait_for(state="visible")
    names = chooser.evaluate("(s) => [...s.options].map((o) => o.value)")
    assert "leaky_relu" in names and "linear" in names
    for name in names:
        chooser.select_option(name)
        texts.collect()
    linear = chooser.evaluate("(s) => [...s.options].find((o) => o.value === 'linear').text")
    assert linear == "線性"
    chooser.select_option("leaky_relu")
    assert "斜率 = 0.01" in page.text_content(".nn-explorer-options")
    english = texts.english(lessons)
    assert english == [], "\n".join(map(str, english))
    assert len(texts.items) > 150  # the check saw the page


def test_the_lab_in_chinese_leaves_no_english(page: object, server: str) -> None:
    lessons = lesson_texts(server)
    texts = Texts(page)
    page.goto("/lab?lang=zh-Hant#lesson=convolution")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    page.wait_for_function(f"Number({MAIN}.dataset.framesDrawn || 0) > 0", timeout=20000)
    assert page.evaluate("document.documentElement.lang") == "zh-Hant"
    assert page.text_content("[data-testid=to-playground]") == "遊樂場"
    page.select_option("[data-testid=speed]", "50")
    page.click("[data-testid=play]")
    page.wait_for_function("Number(document.querySelector('[data-testid=step-count]')"
                           ".textContent) >= 100", timeout=20000)
    page.click("[data-testid=play]")
    texts.collect()
    # the text CNN, with a sentence of one's own
    page.select_option("[data-testid=lesson]", "text-cnn")
    page.wait_for_function("location.hash.includes('lesson=text-cnn') && "
                           f"{MAIN}.dataset.modality === 'text'", timeout=20000)
    sentence = page.locator("[data-testid=sentence]")
    sentence.wait_for(state="visible", timeout=20000)
    sentence.fill(EXAMPLE_SENTENCE)
    sentence.press("Enter")
    page.wait_for_function("document.querySelector('[data-testid=text-view]').dataset.words "
                           f"=== {EXAMPLE_SENTENCE!r}", timeout=10000)
    texts.collect()
    words = set(page.locator("[data-testid=text-words] .lab-word").all_text_contents())
    assert set(EXAMPLE_SENTENCE.split()) <= words
    text_cnn = httpx.get(f"{server}/api/lessons/text-cnn", params={"lang": "zh-Hant"}).json()
    assert text_cnn["title"] in page.text_content("[data-testid=lesson-note]")
    english = texts.english(lessons)
    assert english == [], "\n".join(map(str, english))
    assert len(texts.items) > 150


def test_the_picker_switches_language_and_keeps_the_network(page: object) -> None:
    open_playground(page)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.input_value("[data-testid=language]") == "en"
    first_hash = page.evaluate("location.hash")
    page.click("[data-testid=add-layer]")
    page.wait_for_function("document.querySelectorAll('.nv-column.nv-hidden').length === 3",
                           timeout=20000)
    page.wait_for_function(f"location.hash !== {first_hash!r}", timeout=10000)
    state_hash = page.evaluate("location.hash")
    assert network_in_address(page)["hidden"] == [4, 2, 2]
    with page.expect_navigation():
        page.select_option("[data-testid=language]", "zh-Hant")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    assert page.evaluate("document.documentElement.lang") == "zh-Hant"
    assert page.evaluate("location.search") == "?lang=zh-Hant"
    assert page.evaluate("location.hash") == state_hash
    assert network_in_address(page)["hidden"] == [4, 2, 2]
    page.wait_for_function("document.querySelectorAll('.nv-column.nv-hidden').length === 3",
                           timeout=20000)
    assert page.text_content("[data-testid=play]") == "播放"
    assert page.input_value("[data-testid=language]") == "zh-Hant"
    assert language_cookie(page) == "zh-Hant"
    # the cookie makes a plain visit to the lab Chinese too
    page.goto("/lab#lesson=pooling")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    assert page.evaluate("document.documentElement.lang") == "zh-Hant"
    assert page.text_content("[data-testid=to-playground]") == "遊樂場"
    assert page.input_value("[data-testid=language]") == "zh-Hant"
    # and back to English, on the same lesson
    lab_hash = page.evaluate("location.hash")
    assert "lesson=pooling" in lab_hash
    with page.expect_navigation():
        page.select_option("[data-testid=language]", "en")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("location.hash") == lab_hash
    assert page.input_value("[data-testid=lesson]") == "pooling"
    assert page.text_content("[data-testid=to-playground]") == "Playground"
    assert language_cookie(page) == "en"
    open_playground(page, "/")
    assert page.text_content("[data-testid=play]") == "Play"


def test_an_english_browser_gets_english(page: object) -> None:
    assert document_language_header(page).startswith("en-US")
    open_playground(page)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.text_content("[data-testid=play]") == "Play"
    assert page.text_content("[data-testid=open-lessons]") == "Lessons"
    assert page.text_content("[data-testid=status]") == "Ready at step 0: press Play (space)."
    assert page.eval_on_selector_all("[data-testid=language] option",
                                     "(os) => os.map((o) => [o.value, o.textContent])") == \
        [["en", "English"], ["zh-Hant", "繁體中文"]]
    assert language_cookie(page) is None
