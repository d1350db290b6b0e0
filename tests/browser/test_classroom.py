"""The classroom in headless Chromium: the teacher logs in at /teacher, starts a
class, two students join with its code, the teacher watches the class table and
one student's run, pushes lessons to everyone and ends the class; a student's
run is nobody else's; the teacher's page in Traditional Chinese.

Each person is a browser context of their own (their own cookies). Every page's
console errors fail the test; the screenshot of the teacher's page with the class
table filled is test-output/browser/test_classroom_teacher_table.png.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import pytest

from tests.browser.conftest import SHOTS, TEACHER_TOKEN, Console

XOR_TITLE = "Two ReLU units solve XOR exactly"
DEAD_TITLE = "Dead ReLUs never come back"
CONV_TITLE = "Convolution: local, shared, equivariant"

ROW = "[data-testid=student-row]"
STATE_MS = 60_000
"""How long a test waits for a state it needs before failing: long, since a busy
2-core machine may take many seconds; a test goes on as soon as the state is there."""


class Person:
    """One browser (a context with its own cookies) and its page."""

    def __init__(self, browser: object, server: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 800},
                                           base_url=server, bypass_csp=True)
        self.page = self.context.new_page()
        self.console = Console()
        self.console.watch(self.page)
        self.expected: list[str] = []  # console errors the test expects (substrings)
        self.url = ""

    def close(self) -> list[str]:
        self.url = self.page.url
        self.context.close()
        return self.console.errors


@pytest.fixture
def people(browser: object, server: str) -> Iterator[Callable[[], Person]]:
    """``person()`` -> a new Person; at the end every context is closed and none
    may have logged a console error, except those a test expects
    (``person.expected``: substrings, each allowed once)."""
    made: list[Person] = []

    def person() -> Person:
        p = Person(browser, server)
        made.append(p)
        return p

    yield person
    problems = []
    for p in made:
        errors = p.close()
        for part in p.expected:
            hit = next((e for e in errors if part in e), None)
            assert hit is not None, f"expected a console error with {part!r}: {errors}"
            errors.remove(hit)
        problems += [f"{p.url}: {e}" for e in errors]
    assert problems == [], f"console errors: {problems}"


def teacher_login(page: object, path: str = "/teacher") -> None:
    page.goto(path)
    page.fill("#token", TEACHER_TOKEN)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("#new-class", timeout=STATE_MS)


def start_class(page: object, name: str, lesson: str, variant: str | None = None) -> str:
    """Start a class on the teacher's page; its join code."""
    page.fill("#class-name", name)
    page.select_option("#new-lesson", lesson)
    if variant:
        page.select_option("#new-variant", variant)
    page.click("[data-testid=create-class]")
    page.wait_for_function("document.getElementById('join-code').textContent.length > 0 && "
                           f"document.getElementById('class-title').textContent === {name!r}",
                           timeout=STATE_MS)
    return page.text_content("#join-code")


def join(page: object, code: str, name: str) -> None:
    """Join through /join?code=... and wait for the playground to be ready."""
    page.goto(f"/join?code={code}")
    assert page.input_value("#code") == code
    page.fill("#name", name)
    page.click("[data-testid=join-submit]")
    page.wait_for_url(re.compile(r"/(#.*)?$"), timeout=STATE_MS)
    page.wait_for_selector("body[data-ready=true]", timeout=STATE_MS)


def wait_for_note(page: object, title: str, timeout: int = STATE_MS) -> None:
    """Wait until the playground's lesson note shows the lesson ``title``."""
    page.wait_for_function(
        "(title) => { const h = document.querySelector('[data-testid=lesson-note] h3'); "
        "return h && !h.closest('[hidden]') && h.textContent === title; }",
        arg=title, timeout=timeout)


def page_run(page: object, lesson: str, timeout: float = STATE_MS / 1000) -> dict:
    """The run the playground draws once it is a run of ``lesson``, as the server
    describes it to its owner (the page marks the run of each frame it draws; just
    after a lesson opens, that is the previous run for a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        run_id = page.get_attribute("#output", "data-run")
        if run_id:
            answer = page.context.request.get(f"/api/runs/{run_id}")
            if answer.status == 200 and answer.json()["lesson"] == lesson:
                return answer.json()
        assert time.monotonic() < deadline, f"the page shows no run of {lesson}"
        page.wait_for_timeout(100)


def rows(page: object) -> list[list[str]]:
    """The class table's rows as cell texts (name, lesson, steps, test loss,
    accuracy, dead units, state)."""
    return page.evaluate(f"""[...document.querySelectorAll('{ROW}')].map(
        (tr) => [...tr.cells].slice(0, 7).map((c) => c.textContent))""")


def row_of(page: object, name: str) -> list[str]:
    found = [r for r in rows(page) if r[0] == name]
    assert len(found) == 1, rows(page)
    return found[0]


def wait_for_row(page: object, name: str, condition: str, timeout: int = STATE_MS) -> None:
    """Wait until ``name``'s row satisfies ``condition`` (JS over ``cells``, an
    array of the row's cell texts)."""
    page.wait_for_function(
        f"""(name) => [...document.querySelectorAll('{ROW}')].some((tr) => {{
          const cells = [...tr.cells].map((c) => c.textContent);
          return cells[0] === name && ({condition}); }})""", arg=name, timeout=timeout)


def canvas_colours(page: object, selector: str) -> int:
    return page.evaluate("""(selector) => {
      const c = document.querySelector(selector);
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      for (let i = 0; i < px.length; i += 4) colours.add(`${px[i]},${px[i + 1]},${px[i + 2]}`);
      return colours.size; }""", selector)


def banner(page: object) -> dict:
    return page.evaluate("""() => { const b = document.getElementById('class-banner');
      return {hidden: b.hidden, visible: b.getClientRects().length > 0,
              name: b.querySelector('[data-class-name]').textContent,
              code: b.querySelector('[data-class-code]').textContent,
              student: b.querySelector('[data-testid=student-name]').textContent,
              ended: b.classList.contains('ended')}; }""")


def test_a_teacher_runs_a_class_of_two_students(people: Callable[[], Person]) -> None:
    teacher, ada, alan = people(), people(), people()
    tp = teacher.page
    # a wrong token is refused in words (Chromium logs the refused request itself)
    teacher.expected = ["401"]
    tp.goto("/teacher")
    assert tp.locator("#new-class").count() == 0
    tp.fill("#token", "not-the-token")
    tp.click("[data-testid=login-submit]")
    tp.wait_for_selector("#status.error", timeout=STATE_MS)
    assert tp.text_content("#status") == "Wrong teacher token."
    assert tp.locator("#new-class").count() == 0
    # the right one shows the class form; start a class on the XOR lesson
    teacher_login(tp)
    code = start_class(tp, "3B Tuesday", "xor-two-relu", "learned")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", code), code
    assert "Students join with the code " + code in tp.text_content("#status")
    assert tp.get_attribute("#join-link", "href") == f"/join?code={code}"
    tp.wait_for_selector("#class-table tr.empty", timeout=STATE_MS)
    class_id = tp.evaluate("window.teacherPage.current.id")

    # two students join with their names and land on the class's lesson
    for student, name in ((ada, "Ada"), (alan, "Alan")):
        join(student.page, code, name)
        wait_for_note(student.page, XOR_TITLE)
        run = page_run(student.page, "xor-two-relu")
        assert (run["lesson"], run["variant"]) == ("xor-two-relu", "learned")
        student.page.wait_for_function(
            "document.getElementById('class-banner').getClientRects().length > 0")
        assert banner(student.page) == {"hidden": False, "visible": True, "name": "3B Tuesday",
                                        "code": code, "student": name, "ended": False}

    # Ada plays: the teacher's table shows her steps rising
    ada.page.click("[data-testid=play]")
    wait_for_row(tp, "Ada", "Number(cells[2]) > 0 && cells[6] === 'playing'", timeout=STATE_MS)
    assert [r[0] for r in rows(tp)] == ["Ada", "Alan"]
    first = int(row_of(tp, "Ada")[2])
    wait_for_row(tp, "Ada", f"Number(cells[2]) > {first}", timeout=STATE_MS)
    ada_row, alan_row = row_of(tp, "Ada"), row_of(tp, "Alan")
    lessons = teacher.context.request.get("/api/lessons").json()
    learned = next(v["label"] for lesson in lessons if lesson["name"] == "xor-two-relu"
                   for v in lesson["variants"] if v["name"] == "learned")
    assert ada_row[1] == alan_row[1] == f"{XOR_TITLE}: {learned}"
    assert re.fullmatch(r"\d\.\d{3}", ada_row[3]), ada_row
    assert re.fullmatch(r"\d{1,3}%", ada_row[4]), ada_row
    assert re.fullmatch(r"\d+ / \d+", ada_row[5]), ada_row
    assert alan_row[2] == "0" and alan_row[6] == "paused", alan_row
    summary = tp.text_content("#class-summary")
    assert summary.startswith("students: 2 · playing: 1 · "), summary

    # watching Ada's run: the metrics line and the output map follow her frames
    tp.locator(ROW, has_text="Ada").locator("[data-testid=watch-student]").click()
    tp.wait_for_selector("#watch:not([hidden])", timeout=STATE_MS)
    assert tp.text_content("#watch-title") == "Watching Ada"
    tp.wait_for_function(
        "/^step \\d+ · test loss \\d\\.\\d{3} · test accuracy \\d\\.\\d\\d$/"
        ".test(document.getElementById('watch-metrics').textContent)", timeout=STATE_MS)
    step = int(tp.text_content("#watch-metrics").split()[1])
    tp.wait_for_function(
        f"Number(document.getElementById('watch-metrics').textContent.split(' ')[1]) > {step}",
        timeout=STATE_MS)
    assert canvas_colours(tp, "#watch-output") > 10
    # at 1280 x 800 the page and its table fit the window's width
    assert tp.evaluate("document.documentElement.scrollWidth") == 1280
    assert tp.evaluate("(() => { const box = document.querySelector('.table-box'); "
                       "return box.scrollWidth <= box.clientWidth; })()")
    SHOTS.mkdir(parents=True, exist_ok=True)
    tp.screenshot(path=str(SHOTS / "test_classroom_teacher_table.png"), full_page=True)

    # pushing a lesson: both students' pages open it; the teacher's page stays
    tp.evaluate("window.notReloaded = true")
    tp.select_option("#push-lesson", "dead-relu")
    tp.click("[data-testid=push-submit]")
    new_runs = {}
    for student in (ada, alan):
        wait_for_note(student.page, DEAD_TITLE, timeout=STATE_MS)
        student.page.wait_for_function(
            "document.getElementById('status').textContent === "
            f"'Your teacher opened the lesson: {DEAD_TITLE}'", timeout=STATE_MS)
        run = page_run(student.page, "dead-relu")
        assert run["variant"] is None
        new_runs[student] = run["id"]
    for name in ("Ada", "Alan"):
        wait_for_row(tp, name, f"cells[1] === {DEAD_TITLE!r}", timeout=STATE_MS)
    # Ada's page deleted the run watched: the watch panel follows her to the new one
    tp.wait_for_function(f"window.teacherPage.watcher.runId === {new_runs[ada]!r}",
                         timeout=STATE_MS)
    tp.wait_for_function("/^step \\d+ /.test(document.getElementById('watch-metrics')"
                         ".textContent)", timeout=STATE_MS)
    assert tp.text_content("#watch-title") == "Watching Ada"
    assert tp.text_content("#status") == f"Pushed {DEAD_TITLE} to the class."
    assert tp.evaluate("window.notReloaded") is True

    # a lab lesson takes the students to the lab
    tp.select_option("#push-lesson", "convolution")
    tp.click("[data-testid=push-submit]")
    for student in (ada, alan):
        student.page.wait_for_url(re.compile(r"/lab#lesson=convolution"), timeout=STATE_MS)
        student.page.wait_for_selector("body[data-ready=true]", timeout=STATE_MS)
        assert student.page.input_value("[data-testid=lesson]") == "convolution"
        student.page.wait_for_function(
            "Number(document.getElementById('lab-main').dataset.framesDrawn || 0) > 0",
            timeout=STATE_MS)
        assert banner(student.page)["name"] == "3B Tuesday"
    for name in ("Ada", "Alan"):
        wait_for_row(tp, name, f"cells[1].startsWith({CONV_TITLE!r})", timeout=STATE_MS)

    # ending the class: the teacher confirms; the students' banners say it ended
    tp.on("dialog", lambda dialog: dialog.accept())
    tp.click("[data-testid=end-class]")
    tp.wait_for_function("document.getElementById('status').textContent === "
                         "'The class has ended.'", timeout=STATE_MS)
    assert tp.is_hidden("#class-panel")
    for student in (ada, alan):
        student.page.wait_for_function(
            "document.getElementById('class-banner').classList.contains('ended')",
            timeout=STATE_MS)
        assert banner(student.page)["name"] == "the class has ended"
        # the page says what happened and what to do, not that its run was deleted
        student.page.wait_for_function(
            "document.getElementById('status').textContent.startsWith("
            "'The class has ended and its runs are closed')", timeout=STATE_MS)
    assert teacher.context.request.get(f"/api/classes/{class_id}").status == 404
    assert ada.context.request.get("/api/classroom/me").status == 401  # no class now


def test_a_second_class_in_the_same_tab_and_a_reload_while_playing(
        people: Callable[[], Person]) -> None:
    """Lessons opened are remembered per class: a student who joins the next
    class in the same tab gets its lesson although its versions start at 1 again.
    A reload while the run plays comes back near the step it had reached. The
    teacher's push form starts at the class's lesson. On a 1024 px screen the
    class table fits, a long name wrapping."""
    teacher, ann = people(), people()
    tp = teacher.page
    tp.set_viewport_size({"width": 1024, "height": 768})
    teacher_login(tp)
    code = start_class(tp, "Period 1", "dead-relu")
    join(ann.page, code, "Ann")
    wait_for_note(ann.page, DEAD_TITLE)
    for _ in range(2):  # lesson_version 3 in class 1
        tp.select_option("#push-lesson", "xor-two-relu")
        tp.click("[data-testid=push-submit]")
        wait_for_note(ann.page, XOR_TITLE)
        tp.select_option("#push-lesson", "dead-relu")
        tp.click("[data-testid=push-submit]")
        wait_for_note(ann.page, DEAD_TITLE)
    # the teacher's push form starts at the class's lesson, also after a reload
    tp.select_option("#push-lesson", "xor-two-relu")
    tp.reload()
    tp.wait_for_function("document.getElementById('class-title').textContent === 'Period 1'",
                         timeout=STATE_MS)
    assert tp.input_value("#push-lesson") == "dead-relu"
    assert tp.input_value("#push-variant") == ""

    # playing, then a reload: the address kept the step reached
    ann.page.click("#play")
    ann.page.wait_for_function("Number(document.getElementById('output').dataset.step) > 300",
                               timeout=STATE_MS)
    # the address follows the step reached (every 0.5 s while playing)
    ann.page.wait_for_function("Number((/&n=(\\d+)/.exec(location.hash) || [])[1]) > 300",
                               timeout=STATE_MS)
    kept = int(re.search(r"&n=(\d+)", ann.page.evaluate("location.hash")).group(1))
    reached = int(ann.page.get_attribute("#output", "data-step"))
    assert reached - 400 < kept <= reached
    ann.page.reload()
    ann.page.wait_for_selector("body[data-ready=true]", timeout=STATE_MS)
    ann.page.wait_for_function(f"Number(document.getElementById('output').dataset.step) >= {kept}",
                               timeout=STATE_MS)

    tp.on("dialog", lambda dialog: dialog.accept())
    tp.click("[data-testid=end-class]")
    tp.wait_for_function("document.getElementById('status').textContent === "
                         "'The class has ended.'", timeout=STATE_MS)
    ann.page.wait_for_function("document.getElementById('class-banner').classList"
                               ".contains('ended')", timeout=STATE_MS)
    second = start_class(tp, "Period 2", "universal-approximation")
    assert tp.input_value("#push-lesson") == "universal-approximation"
    # choosing the class again (as from the class select) shows the lesson pushed
    tp.select_option("#push-lesson", "dead-relu")
    tp.click("[data-testid=push-submit]")
    tp.wait_for_function("document.getElementById('status').textContent.startsWith('Pushed')",
                         timeout=STATE_MS)
    tp.select_option("#push-lesson", "xor-two-relu")
    tp.evaluate("window.teacherPage.choose(window.teacherPage.current.id)")
    assert tp.input_value("#push-lesson") == "dead-relu"
    tp.select_option("#push-lesson", "universal-approximation")
    tp.click("[data-testid=push-submit]")
    tp.wait_for_function("document.getElementById('status').textContent"
                         ".startsWith('Pushed One wide hidden layer')", timeout=STATE_MS)
    ann.page.goto(f"/join?code={second}")
    ann.page.fill("#name", "   ")  # blank: the page says what a name may be
    ann.page.click("[data-testid=join-submit]")
    ann.page.wait_for_function("document.getElementById('status').textContent === "
                               "'Type a name of 1 to 40 characters: letters, digits, spaces "
                               "or emoji.'", timeout=STATE_MS)
    join(ann.page, second, "W" * 40)  # the same tab
    wait_for_note(ann.page, "One wide hidden layer can fit any curve")
    wait_for_row(tp, "W" * 40, "cells[1].startsWith('One wide hidden layer')")
    box = tp.evaluate("""() => { const b = document.querySelector('.table-box');
      const watch = document.querySelector('[data-testid=student-row] button');
      return {scroll: b.scrollWidth, width: b.clientWidth,
              watchRight: watch.getBoundingClientRect().right}; }""")
    assert box["scroll"] <= box["width"] and box["watchRight"] <= 1024, box
    tp.click("[data-testid=end-class]")  # the server is shared: leave no class behind
    tp.wait_for_selector("#class-panel[hidden]", state="attached", timeout=STATE_MS)


def test_a_student_cannot_see_another_students_run(people: Callable[[], Person]) -> None:
    teacher, ada, alan = people(), people(), people()
    teacher_login(teacher.page)
    code = start_class(teacher.page, "4C Friday", "dead-relu")
    class_id = teacher.page.evaluate("window.teacherPage.current.id")
    join(ada.page, code, "Ada")
    wait_for_note(ada.page, DEAD_TITLE)
    run_id = page_run(ada.page, "dead-relu")["id"]
    # the teacher's table names the run; Ada and the teacher may read it
    teacher.page.wait_for_function(
        f"[...document.querySelectorAll('{ROW}')].length === 1", timeout=STATE_MS)
    table = teacher.context.request.get(f"/api/classes/{class_id}").json()
    assert [(s["name"], s["run"]["id"]) for s in table["students"]] == [("Ada", run_id)]
    assert teacher.context.request.get(f"/api/runs/{run_id}").status == 200
    join(alan.page, code, "Alan")
    wait_for_note(alan.page, DEAD_TITLE)
    # to Alan, in the same class, Ada's run does not exist
    answer = alan.context.request.get(f"/api/runs/{run_id}")
    assert answer.status == 404, answer.text()
    # and its socket is refused as that of a run that never was: a notice, no frame
    refused = """(id) => new Promise((resolve) => {
      const ws = new WebSocket(`ws://${location.host}/ws/runs/${id}`);
      const texts = [];
      let frames = 0;
      ws.onmessage = (event) => {
        if (typeof event.data === 'string') texts.push(JSON.parse(event.data));
        else frames += 1; };
      ws.onclose = (event) => resolve({code: event.code, frames, texts});
    })"""
    got = alan.page.evaluate(refused, run_id)
    assert (got["code"], got["frames"]) == (4404, 0), got
    never = alan.page.evaluate(refused, "no-such-run-000000")
    assert got["texts"] == [{**never["texts"][0], "message": never["texts"][0]["message"]
                             .replace("no-such-run-000000", run_id), "params": {"id": run_id}}], \
        (got, never)
    assert ada.page.evaluate(
        """(id) => new Promise((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/ws/runs/${id}`);
          ws.onmessage = () => { ws.close(); resolve('frame'); };
          ws.onclose = (event) => resolve(event.code); })""", run_id) == "frame"
    teacher.page.on("dialog", lambda dialog: dialog.accept())
    teacher.page.click("[data-testid=end-class]")
    teacher.page.wait_for_selector("#class-panel[hidden]", state="attached", timeout=STATE_MS)


def test_the_teacher_removes_a_student(people: Callable[[], Person]) -> None:
    """The Remove button asks first, then the student is out: their row goes,
    their page says the class ended for them, and their token no longer works."""
    teacher, ada, eve = people(), people(), people()
    tp = teacher.page
    teacher_login(tp)
    code = start_class(tp, "5A Monday", "dead-relu")
    for student, name in ((ada, "Ada"), (eve, "Eve")):
        join(student.page, code, name)
        wait_for_note(student.page, DEAD_TITLE)
    wait_for_row(tp, "Eve", "cells[1] !== '–'")
    eve_run = page_run(eve.page, "dead-relu")["id"]
    answers: list[bool] = [False, True]  # first the teacher changes their mind
    tp.on("dialog", lambda dialog: dialog.accept() if answers.pop(0) else dialog.dismiss())
    eve_row = tp.locator(ROW).filter(has=tp.locator("td:first-child", has_text=re.compile("^Eve$")))
    remove = eve_row.locator("[data-testid=remove-student]")
    remove.click()
    assert answers == [True]  # asked, and nothing happened
    assert [r[0] for r in rows(tp)] == ["Ada", "Eve"]
    assert eve.context.request.get("/api/classroom/me").status == 200
    remove.click()
    tp.wait_for_function("document.getElementById('status').textContent === "
                         "'Eve was removed from the class.'", timeout=STATE_MS)
    tp.wait_for_function(f"[...document.querySelectorAll('{ROW}')].length === 1",
                         timeout=STATE_MS)
    assert [r[0] for r in rows(tp)] == ["Ada"]
    eve.page.wait_for_function(
        "document.getElementById('class-banner').classList.contains('ended')",
        timeout=STATE_MS)
    assert eve.context.request.get("/api/classroom/me").status == 401
    assert teacher.context.request.get(f"/api/runs/{eve_run}").status == 404
    assert ada.context.request.get("/api/classroom/me").status == 200
    assert banner(ada.page)["ended"] is False
    answers.append(True)  # the class ends, as every test's does (the next one starts afresh)
    tp.click("[data-testid=end-class]")
    tp.wait_for_selector("#class-panel[hidden]", state="attached", timeout=STATE_MS)


def test_the_teacher_page_in_traditional_chinese(people: Callable[[], Person]) -> None:
    teacher = people()
    page = teacher.page
    page.goto("/teacher?lang=zh-Hant")
    assert page.get_attribute("html", "lang") == "zh-Hant"
    assert page.text_content("[data-testid=login-submit]").strip() == "登入"
    assert page.text_content("#login h2").strip() == "教師登入"
    assert page.text_content("label[for=token]").strip() == "教師密碼"
    teacher_login(page, "/teacher?lang=zh-Hant")
    assert page.text_content("#classes-title").strip() == "你的班級"
    assert page.text_content("[data-testid=create-class]").strip() == "開始上課"
    code = start_class(page, "三年二班", "xor-two-relu")
    assert "學生用代碼 " + code + " 加入" in page.text_content("#status")
    headers = page.evaluate(
        "[...document.querySelectorAll('#class-table th')].map((th) => th.textContent.trim())")
    assert headers == ["學生", "課程", "已訓練步數", "測試損失", "測試準確率", "死亡神經元",
                       "狀態", "觀看或移除"]
    assert page.text_content("[data-testid=push-submit]").strip() == "推送給全班"
    assert page.text_content("[data-testid=end-class]").strip() == "結束班級"
    empty = page.text_content("#class-table tr.empty").strip()
    assert empty == "還沒有學生加入：請把加入代碼給學生看。"
    # every heading, label, header, button and hint of the page is in Chinese
    words = page.evaluate("""[...document.querySelectorAll(
        'header h1 .lab-name, main h2:not(#class-title), main h3, main label, main th, '
        + 'main button, header button, .hint, .join-box span')]
      .filter((el) => !el.closest('[hidden]') && el.textContent.trim())
      .map((el) => el.textContent.trim())""")
    assert len(words) > 15, words
    assert [w for w in words if not re.search(r"[\u4e00-\u9fff]", w)] == [], words
    lessons = page.evaluate("[...document.querySelectorAll('#new-lesson option')]"
                            ".map((o) => o.textContent)")
    assert all(re.search(r"[\u4e00-\u9fff]", title) for title in lessons), lessons
    # a student's row (joined and run made through the API, no page open)
    student = people().context.request
    assert student.post("/api/classroom/join", data={"code": code, "name": "小明"}).status == 201
    assert student.post("/api/runs", data={"lesson": "xor-two-relu"}).status == 201
    wait_for_row(page, "小明", "cells[2] === '0'", timeout=STATE_MS)
    _, lesson, _, _, _, _, state = row_of(page, "小明")
    assert re.search(r"[\u4e00-\u9fff]", lesson) and state == "頁面已關閉", (lesson, state)
    assert page.text_content(f"{ROW} [data-testid=watch-student]") == "觀看"
    assert page.text_content("#class-summary").startswith("學生：1 · 播放中：0")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=end-class]")
    page.wait_for_selector("#class-panel[hidden]", state="attached", timeout=STATE_MS)


def test_the_teacher_watches_a_lab_run_with_its_sample_and_scores(
        people: Callable[[], Person]) -> None:
    teacher, ada = people(), people()
    teacher_login(teacher.page)
    code = start_class(teacher.page, "Conv Monday", "convolution")
    ada.page.goto(f"/join?code={code}")
    ada.page.fill("#name", "Ada")
    ada.page.click("[data-testid=join-submit]")
    # the playground hands the lab lesson to the lab
    ada.page.wait_for_url(re.compile(r"/lab#lesson=convolution"), timeout=STATE_MS)
    ada.page.wait_for_selector("body[data-ready=true]", timeout=STATE_MS)
    wait_for_row(teacher.page, "Ada", "cells[2] !== '–'", timeout=STATE_MS)
    teacher.page.locator(ROW).filter(has_text="Ada").locator(
        "[data-testid=watch-student]").click()
    watch = teacher.page.locator("[data-testid=watch]")
    watch.wait_for(state="visible")
    teacher.page.wait_for_function(
        "document.querySelectorAll('#watch-scores [data-testid^=score-]').length === 6",
        timeout=STATE_MS)
    assert teacher.page.is_hidden("[data-testid=watch-output]")
    assert teacher.page.is_visible("[data-testid=watch-input]")
    assert teacher.page.is_hidden("[data-testid=watch-text]")
    assert canvas_colours(teacher.page, "#watch-input") > 2  # the grey image is drawn
    caption = teacher.page.text_content("#watch-input-caption")
    assert "16 × 16" in caption, caption
    # the same sample as on Ada's page
    assert caption == ada.page.text_content("[data-testid=input-caption]")
    SHOTS.mkdir(parents=True, exist_ok=True)
    teacher.page.screenshot(path=str(SHOTS / "test_classroom_teacher_watches_a_lab_run.png"),
                            full_page=True)
    teacher.page.on("dialog", lambda dialog: dialog.accept())
    teacher.page.click("[data-testid=end-class]")
    teacher.page.wait_for_selector("#class-panel[hidden]", state="attached", timeout=STATE_MS)
