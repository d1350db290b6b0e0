"""The pages on every screen a class has, in headless Chromium: a projector
(1024 x 768), Chromebooks (1366 x 768, 1280 x 720) and a phone (390 x 844).

While the playground plays, what a student watches (the training bar, the
network, the output map, its metrics, the loss chart) is on the first screen of
the three larger screens, the settings beside it in a column that scrolls on its
own and folds; on the phone the page is one column that fits its width, every
unit of the diagram is visible or reachable inside the diagram's box, and the
charts draw. The lab is one column on the phone; the teacher's projector view
shows the join code and the class table in type read from the back of the room.

Each test saves a screenshot named after the page and the screen
(``screen-playground-1024x768.png``, ...) under test-output/browser/, and fails
on any console error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

import pytest

from tests.browser.conftest import SHOTS, TEACHER_TOKEN, Console

SCREENS = [(1024, 768), (1366, 768), (1280, 720), (390, 844)]
LARGE = [s for s in SCREENS if s[0] >= 1000]
WAIT_MS = 60_000
"""How long a test waits for a state: long, since a busy machine may take many
seconds; a test goes on as soon as the state is there."""

BOX = """(selector) => [...document.querySelectorAll(selector)].map((e) => {
  const r = e.getBoundingClientRect();
  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
          width: r.width, height: r.height}; })"""

CHART_PIXELS = """(selector) => {
  const c = document.querySelector(selector);
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let inked = 0;
  const colours = new Set();
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] === 0) continue;
    inked += 1;
    colours.add(`${px[i] >> 4},${px[i + 1] >> 4},${px[i + 2] >> 4}`);
  }
  return {inked, colours: colours.size, ticks: c.dataset.yTicks || null,
          width: c.width, height: c.height}; }"""


def label(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


class Screen:
    """A browser context with one viewport, its page and its console."""

    def __init__(self, browser: object, server: str, size: tuple[int, int]) -> None:
        self.width, self.height = size
        self.context = browser.new_context(viewport={"width": self.width, "height": self.height},
                                           base_url=server, bypass_csp=True)
        self.page = self.context.new_page()
        self.console = Console()
        self.console.watch(self.page)

    def box(self, selector: str) -> dict:
        boxes = self.page.evaluate(BOX, selector)
        assert boxes, f"nothing matches {selector}"
        return boxes[0]

    def on_first_screen(self, selector: str) -> None:
        """Every element matching ``selector`` is inside the viewport, unscrolled."""
        assert self.page.evaluate("[scrollX, scrollY]") == [0, 0]
        for box in self.page.evaluate(BOX, selector) or [None]:
            assert box is not None, f"nothing matches {selector}"
            assert box["width"] > 0 and box["height"] > 0, (selector, box)
            assert box["left"] >= 0 and box["right"] <= self.width + 0.5, (selector, box)
            assert box["top"] >= 0 and box["bottom"] <= self.height + 0.5, (selector, box)

    def page_width(self) -> int:
        return self.page.evaluate("document.documentElement.scrollWidth")

    def shot(self, name: str, selector: str | None = None) -> None:
        """The first screen (a phone's: the whole page, or the part ``selector``)."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        if selector:
            self.page.locator(selector).screenshot(path=str(SHOTS / name))
        else:
            self.page.screenshot(path=str(SHOTS / name), full_page=self.width < 600)

    def close(self) -> list[str]:
        self.context.close()
        return self.console.errors


@pytest.fixture
def screens(browser: object, server: str) -> Iterator[object]:
    """``screen((w, h))`` -> a new Screen; at the end none may have logged a
    console error."""
    made: list[Screen] = []

    def screen(size: tuple[int, int]) -> Screen:
        made.append(Screen(browser, server, size))
        return made[-1]

    yield screen
    errors = [e for s in made for e in s.close()]
    assert errors == [], f"console errors: {errors}"


def play_playground(screen: Screen, steps: int = 150) -> None:
    """Open the playground, press Play and wait until it has trained ``steps``
    steps and drawn frames of them."""
    page = screen.page
    page.goto("/")
    page.wait_for_selector("body[data-ready=true]", timeout=WAIT_MS)
    page.wait_for_function("document.getElementById('output').dataset.framesDrawn > 0",
                           timeout=WAIT_MS)
    page.click("[data-testid=play]")
    page.wait_for_function(
        f"Number(document.getElementById('output').dataset.step) >= {steps} && "
        "document.getElementById('loss-chart').dataset.yTicks && "
        "document.getElementById('gradient-chart').dataset.yTicks", timeout=WAIT_MS)
    page.evaluate("window.scrollTo(0, 0)")


def assert_chart_drew(screen: Screen, selector: str) -> None:
    """The chart has drawn its series: y ticks, and ink of many colours (axes,
    text, lines) over a canvas of a real size."""
    drawn = screen.page.evaluate(CHART_PIXELS, selector)
    assert drawn["ticks"], (selector, drawn)
    assert drawn["width"] >= 200 and drawn["height"] >= 100, (selector, drawn)
    assert drawn["inked"] > 2000 and drawn["colours"] >= 6, (selector, drawn)


def assert_diagram_reachable(screen: Screen) -> None:
    """Every column's header and units are inside the diagram's box, or come
    into it when the box alone is scrolled (the page does not scroll sideways)."""
    page = screen.page
    count = page.locator("#network .nv-column .nv-unit").count()
    assert count >= 7, count  # the default 2-4-2-1 net
    for kind in ("nv-head", "nv-unit"):
        for i in range(page.locator(f"#network .nv-column .{kind}").count()):
            seen = page.evaluate("""([kind, i]) => {
              const nv = document.querySelector('#network .nv');
              const e = nv.querySelectorAll('.nv-column .' + kind)[i];
              e.scrollIntoView({block: 'nearest', inline: 'nearest'});
              const r = e.getBoundingClientRect(), box = nv.getBoundingClientRect();
              return {inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5,
                      onScreen: r.left >= 0 && r.right <= innerWidth,
                      text: e.textContent, pageX: scrollX}; }""", [kind, i])
            assert seen["inside"] and seen["onScreen"], (kind, i, seen)
            assert seen["pageX"] == 0, seen


@pytest.mark.parametrize("size", SCREENS, ids=label)
def test_the_playground_while_playing(screens: object, size: tuple[int, int]) -> None:
    screen = screens(size)
    play_playground(screen)
    page = screen.page
    assert screen.page_width() <= screen.width
    # the diagram's headers ("output" too) and units in its box, the charts drawn
    assert_diagram_reachable(screen)
    assert_chart_drew(screen, "#loss-chart")
    assert_chart_drew(screen, "#gradient-chart")
    # the metrics are not clipped: each value inside its panel and the screen
    panel = screen.box(".output-panel")
    for value in page.evaluate(BOX, "[data-testid=metrics] dd"):
        assert panel["left"] <= value["left"] and value["right"] <= panel["right"], value
        assert value["right"] <= screen.width, value
    assert page.evaluate("[...document.querySelectorAll('[data-testid=metrics] > div')]"
                         ".every((d) => d.scrollWidth <= d.clientWidth)")
    # every panel heading shows whole
    assert page.evaluate("[...document.querySelectorAll('.layout h2')].every((h) => "
                         "h.scrollWidth <= h.clientWidth && "
                         "h.getBoundingClientRect().right <= innerWidth)")
    if size in LARGE:
        # what matters while playing is on the first screen
        page.wait_for_function("document.getElementById('play').getAttribute('aria-pressed')"
                               " === 'true'", timeout=WAIT_MS)
        for part in ("[data-testid=play]", "[data-testid=counter]", "#network .nv-svg",
                     "#output", "[data-testid=metrics]", "#loss-chart", "#gradient-chart"):
            screen.on_first_screen(part)
        # the settings are a column beside them, no taller than the screen
        controls, network, output = (screen.box(s) for s in
                                     ("#controls", ".network-panel", ".output-panel"))
        assert controls["right"] <= network["left"] < network["right"] <= output["left"]
        assert controls["bottom"] <= screen.height
    else:
        # the settings start folded: the diagram is on the first screen, and a
        # section opens from its heading
        folds = page.evaluate("[...document.querySelectorAll('#controls .ctl-fold')]"
                              ".map((b) => b.getAttribute('aria-expanded'))")
        assert folds == ["false", "false", "false"], folds
        screen.on_first_screen("#network .nv-svg")
        page.click("[data-testid=network-section-fold]")
        assert page.is_visible("[data-testid=add-layer]")
        page.evaluate("window.scrollTo(0, 0)")
        # one column: each panel under the last, as wide as the screen allows
        boxes = [screen.box(s) for s in ("#controls", ".network-panel", ".output-panel")]
        for upper, lower in pairwise(boxes):
            assert upper["bottom"] <= lower["top"], (upper, lower)
        for box in boxes:
            assert box["left"] >= 0 and box["right"] <= screen.width, box
            assert box["width"] >= screen.width - 30, box
    screen.shot(f"screen-playground-{label(size)}.png")


def test_the_settings_column_scrolls_and_folds_at_1024(screens: object) -> None:
    screen = screens((1024, 768))
    play_playground(screen, steps=20)
    page = screen.page
    panel = "document.getElementById('controls')"
    # the column scrolls on its own: its last control comes into view when
    # focused, the page does not move
    assert page.evaluate(f"{panel}.scrollHeight > {panel}.clientHeight")
    page.focus("[data-testid=new-seed]")
    seed = screen.box("[data-testid=new-seed]")
    column = screen.box("#controls")
    assert column["top"] <= seed["top"] and seed["bottom"] <= column["bottom"], (seed, column)
    assert page.evaluate("scrollY") == 0
    screen.on_first_screen("#output")
    # a section folds from its heading, by mouse or keyboard
    fold = page.locator("[data-testid=data-section-fold]")
    assert fold.get_attribute("aria-expanded") == "true"
    page.evaluate(f"{panel}.scrollTop = 0")
    network_top = screen.box("[data-testid=network-section]")["top"]
    fold.click()
    assert fold.get_attribute("aria-expanded") == "false"
    assert not page.is_visible("[data-testid=dataset]")
    page.evaluate(f"{panel}.scrollTop = 0")
    assert screen.box("[data-testid=network-section]")["top"] < network_top - 100
    fold.focus()
    page.keyboard.press("Enter")
    assert fold.get_attribute("aria-expanded") == "true"
    assert page.is_visible("[data-testid=dataset]")
    # the other sections fold too, and the training section's controls then
    # sit near the top of the column
    page.click("[data-testid=data-section-fold]")
    page.click("[data-testid=network-section-fold]")
    page.evaluate(f"{panel}.scrollTop = 0")
    lr = screen.box("[data-testid=lr]")
    assert lr["bottom"] <= screen.box("#controls")["bottom"], lr
    screen.shot("screen-playground-folded-1024x768.png")


def test_a_deep_network_scrolls_inside_its_box_on_a_phone(screens: object) -> None:
    screen = screens((390, 844))
    play_playground(screen, steps=10)
    page = screen.page
    page.click("[data-testid=play]")  # pause
    page.click("[data-testid=network-section-fold]")  # folded on a phone
    for layers in range(3, 11):  # ten hidden layers: too deep to fit, it scrolls
        page.click("[data-testid=add-layer]")
        page.wait_for_function(
            f"document.querySelectorAll('#network .nv-column.nv-hidden').length === {layers}",
            timeout=WAIT_MS)
    assert screen.page_width() <= screen.width
    assert page.locator("#network .nv-column").count() == 12
    box = page.evaluate("(() => { const nv = document.querySelector('#network .nv'); "
                        "return [nv.scrollWidth, nv.clientWidth]; })()")
    assert box[0] > box[1], box  # the diagram is wider than its box: the box scrolls
    assert_diagram_reachable(screen)
    page.evaluate("document.querySelector('#network .nv').scrollLeft = 1e6")
    screen.shot("screen-playground-deep-390x844.png", ".network-panel")


def play_lab(screen: Screen) -> None:
    page = screen.page
    page.goto("/lab")
    page.wait_for_function("document.querySelectorAll('#kernels canvas').length > 0",
                           timeout=WAIT_MS)
    page.click("[data-testid=play]")
    page.wait_for_function("Number(document.querySelector('[data-testid=step-count]')"
                           ".textContent) >= 20 && "
                           "document.getElementById('lab-loss-chart').dataset.yTicks",
                           timeout=WAIT_MS)
    page.click("[data-testid=play]")
    page.evaluate("window.scrollTo(0, 0)")


@pytest.mark.parametrize("size", SCREENS, ids=label)
def test_the_lab_fits_the_screen(screens: object, size: tuple[int, int]) -> None:
    screen = screens(size)
    play_lab(screen)
    page = screen.page
    assert screen.page_width() <= screen.width
    assert_chart_drew(screen, "#lab-loss-chart")
    # every kernel and feature map inside the screen's width
    for selector in ("#kernels canvas", "#maps canvas", "#pooling canvas"):
        for box in page.evaluate(BOX, selector):
            assert box["left"] >= 0 and box["right"] <= screen.width, (selector, box)
            assert box["width"] >= 8, (selector, box)
    left, centre, right = (screen.box(s) for s in (".lab-left", ".lab-centre", ".lab-right"))
    if size in LARGE:
        # three columns: the sample, the kernels and the metrics with the loss
        # chart on the first screen
        assert left["right"] <= centre["left"] < centre["right"] <= right["left"]
        for part in ("[data-testid=play]", "#input", "#kernels", "[data-testid=metrics]",
                     "#lab-loss-chart"):
            screen.on_first_screen(part)
    else:
        # one column: the kernels as wide as the screen, not a thin column
        assert left["bottom"] <= centre["top"] and centre["bottom"] <= right["top"]
        for box in (left, centre, right):
            assert box["width"] >= screen.width - 30, box
        assert screen.box("#kernels")["width"] >= screen.width - 60
    screen.shot(f"screen-lab-{label(size)}.png")


def test_the_teacher_projector_view_at_1024(screens: object) -> None:
    teacher = screens((1024, 768))
    tp = teacher.page
    tp.goto("/teacher")
    tp.fill("#token", TEACHER_TOKEN)
    tp.click("[data-testid=login-submit]")
    tp.wait_for_selector("#new-class", timeout=WAIT_MS)
    tp.fill("#class-name", "4C Projector")
    tp.select_option("#new-lesson", "xor-two-relu")
    tp.click("[data-testid=create-class]")
    tp.wait_for_function("document.getElementById('join-code').textContent.length === 6",
                         timeout=WAIT_MS)
    code = tp.text_content("#join-code")
    names = ["Ada", "Alan", "Grace"]
    for name in names:
        student = screens((800, 600)).page
        student.goto(f"/join?code={code}")
        student.fill("#name", name)
        student.click("[data-testid=join-submit]")
        student.wait_for_url(re.compile(r"/(#.*)?$"), timeout=WAIT_MS)
        student.wait_for_selector("body[data-ready=true]", timeout=WAIT_MS)
        student.wait_for_function("document.querySelector('[data-testid=lesson-note] h3')",
                                  timeout=WAIT_MS)
        student.click("[data-testid=play]")
    tp.wait_for_function(
        "[...document.querySelectorAll('[data-testid=student-row]')].filter((tr) => "
        "Number(tr.cells[2].textContent) > 0 && tr.cells[6].textContent === 'playing')"
        f".length === {len(names)}", timeout=WAIT_MS)

    def sizes() -> dict:
        return tp.evaluate("""() => {
          const px = (e) => parseFloat(getComputedStyle(e).fontSize);
          const box = document.querySelector('.table-box');
          return {code: px(document.getElementById('join-code')),
                  cells: [...document.querySelectorAll('#class-table td')].map(px),
                  theme: document.documentElement.dataset.theme || null,
                  pressed: document.getElementById('projector-view').getAttribute('aria-pressed'),
                  fits: box.scrollWidth <= box.clientWidth}; }""")

    before = sizes()
    assert before["theme"] is None and before["pressed"] == "false"
    assert before["code"] >= 30  # larger than the page's text even at the desk
    tp.click("[data-testid=projector-view]")
    after = sizes()
    assert after["theme"] == "projector" and after["pressed"] == "true"
    assert after["code"] >= 48, after
    assert after["cells"] and min(after["cells"]) >= 18, after
    assert after["fits"]
    assert teacher.page_width() <= teacher.width
    for part in ("#join-code", "[data-testid=student-row]", "[data-testid=projector-view]"):
        teacher.on_first_screen(part)
    teacher.shot("screen-teacher-1024x768.png")
    # the page remembers the view
    tp.reload()
    tp.wait_for_selector("[data-testid=student-row]", timeout=WAIT_MS)
    assert sizes()["theme"] == "projector"
    tp.click("[data-testid=projector-view]")
    assert sizes()["theme"] is None
