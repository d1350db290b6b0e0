"""The page's drawing speed per lesson in headless Chromium (run: python bench/page.py).

Starts a server like `make run` on a free loopback port and, for each lesson
(--lesson NAME ..., default every lesson), opens it at 1440 x 900 where a
student would watch it: a lesson on points in the playground (the residual
lesson too: it draws there), an image or text lesson in the lab. It sets the
page's frame rate to --fps (default 30, the server's default cap), presses Play
and, over --rounds rounds of --seconds seconds, counts:

- frames drawn per second (the page's own counter; median of the rounds) and
  frames received from the server per second (websocket messages);
- the page's work per animation frame in which it drew (the time spent in its
  requestAnimationFrame callbacks; median and 95th percentile);
- the main thread's longest stall: the longest task the browser reports
  (PerformanceObserver "longtask", tasks of 50 ms or more) and the longest gap
  between two animation frames.

The steps per frame are the page's (a lesson's own speed), unless --speed sets
them. --root runs the server and page of another checkout of the project;
--before OTHER_CHECKOUT measures that checkout too, lesson by lesson in turn with
this one (or --root), so that a change is compared with the code before it in one
run (the machine's speed drifts). Prints a table per checkout with the 24 frames a
second target; asserts nothing. Sends traffic to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import ROOT, Server  # the bench's own server helper

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1440, "height": 900}
TARGET_FPS = 24
LAB_DATA = {"shapes", "sentiment"}

# Installed before the page's own scripts: times every requestAnimationFrame
# callback (grouped by the frame's timestamp), counts websocket messages, and
# keeps the longest tasks the browser reports.
PROBE = """(() => {
  const probe = { work: new Map(), messages: 0, longtasks: [] };
  window.__bench = probe;
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => raf((ts) => {
    const started = performance.now();
    try { callback(ts); } finally {
      probe.work.set(ts, (probe.work.get(ts) || 0) + performance.now() - started);
    }
  });
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", () => { probe.messages += 1; });
    }
  };
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) probe.longtasks.push(entry.duration);
    }).observe({ type: "longtask", buffered: true });
  } catch { /* no longtask timing in this browser */ }
})();"""

COUNT = """async ({seconds, counter}) => {
  const probe = window.__bench;
  const drawn = () => Number(document.querySelector(counter)?.dataset.framesDrawn || 0);
  const drawn0 = drawn(), messages0 = probe.messages;
  probe.work.clear();
  probe.longtasks.length = 0;
  const stamps = [];
  let running = true;
  const tick = (ts) => { stamps.push(ts); if (running) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  running = false;
  let gap = 0;
  for (let i = 1; i < stamps.length; i += 1) gap = Math.max(gap, stamps[i] - stamps[i - 1]);
  // our own tick costs microseconds: frames with real work are the page's draws
  const work = [...probe.work.values()].filter((ms) => ms > 0.2);
  return { drawn: (drawn() - drawn0) / seconds, received: (probe.messages - messages0) / seconds,
           work, longest: Math.max(0, ...probe.longtasks), gap };
}"""


def lessons_to_run(base: str, wanted: list[str] | None) -> list[tuple[str, str]]:
    """(lesson, page) pairs: "playground" for lessons on points, "lab" for the others."""
    lessons = httpx.get(f"{base}/api/lessons", timeout=30).json()
    entries = lessons if isinstance(lessons, list) else lessons.get("items", lessons)
    pages = {e["name"]: "lab" if (e["spec"].get("data") or {}).get("name") in LAB_DATA
             else "playground" for e in entries}
    names = wanted or list(pages)
    unknown = [n for n in names if n not in pages]
    if unknown:
        raise SystemExit(f"unknown lessons: {', '.join(unknown)}; choose from {', '.join(pages)}")
    return [(n, pages[n]) for n in names]


def open_lesson(page: Page, base: str, name: str, where: str) -> str:
    """Open lesson `name` on its page; answers the selector of the frames-drawn counter."""
    if where == "lab":
        page.goto(f"{base}/lab#lesson={name}")
        page.wait_for_selector("body[data-ready=true]", timeout=60000)
        return "#lab-main"
    # a link naming the lesson only (state/codec.js's form): it opens as the
    # lessons panel opens it, at the lesson's own speed
    state = base64.urlsafe_b64encode(json.dumps({"ls": {"nm": name}}).encode()).decode()
    page.goto(f"{base}/#s=1.{state.rstrip('=')}&n=0")
    page.wait_for_selector("body[data-ready=true]", timeout=60000)
    return "#output"


def measure(page: Page, base: str, name: str, where: str, args: argparse.Namespace) -> dict:
    counter = open_lesson(page, base, name, where)
    page.select_option("[data-testid=fps]", str(args.fps))
    if args.speed:
        speeds = page.eval_on_selector_all("[data-testid=speed] option",
                                           "os => os.map(o => o.value)")
        if str(args.speed) not in speeds:
            page.eval_on_selector("[data-testid=speed]", "(s, v) => s.add(new Option(v, v))",
                                  str(args.speed))
        page.select_option("[data-testid=speed]", str(args.speed))
    speed = page.eval_on_selector("[data-testid=speed]", "s => s.value")
    page.click("[data-testid=play]")
    page.wait_for_function(
        "(c) => Number(document.querySelector(c)?.dataset.framesDrawn || 0) > 3", arg=counter,
        timeout=60000)
    rounds = [page.evaluate(COUNT, {"seconds": args.seconds, "counter": counter})
              for _ in range(args.rounds)]
    page.click("[data-testid=play]")
    work = sorted(ms for r in rounds for ms in r["work"])
    return {
        "lesson": name, "page": where, "speed": speed,
        "drawn": statistics.median(r["drawn"] for r in rounds),
        "received": statistics.median(r["received"] for r in rounds),
        "work_median": statistics.median(work) if work else 0.0,
        "work_p95": work[min(len(work) - 1, int(0.95 * len(work)))] if work else 0.0,
        "longtask": max(r["longest"] for r in rounds),
        "gap": max(r["gap"] for r in rounds),
    }


def table(rows: list[dict], label: str) -> str:
    head = (f"{'lesson':24} {'page':10} {'steps/f':>7} {'drawn/s':>7} {'recv/s':>6} "
            f"{'draw ms':>7} {'p95 ms':>7} {'longtask':>8} {'max gap':>7}  target {TARGET_FPS}/s")
    lines = [label, head]
    for r in rows:
        lines.append(
            f"{r['lesson']:24} {r['page']:10} {r['speed']:>7} {r['drawn']:7.1f} "
            f"{r['received']:6.1f} "
            f"{r['work_median']:7.1f} {r['work_p95']:7.1f} {r['longtask']:8.0f} {r['gap']:7.0f}  "
            f"{'ok' if r['drawn'] >= TARGET_FPS else 'BELOW'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lesson", nargs="+", metavar="NAME",
                        help="lessons to run (default: all)")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fps", type=int, default=30,
                        help="frame rate set on the page (the server's cap is raised to match)")
    parser.add_argument("--speed", type=int, default=0,
                        help="steps per frame (default: the page's, a lesson's own)")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="checkout whose server and page to measure (default: this one)")
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout to measure in turn with --root (e.g. the "
                             "code before a change)")
    args = parser.parse_args(argv)

    roots = [r.resolve() for r in ([args.before] if args.before else []) + [args.root]]
    servers = []
    rows: dict[Path, list[dict]] = {root: [] for root in roots}
    try:
        for root in roots:  # one at a time: a server that fails to start stops the bench
            servers.append(Server(max_frame_rate=max(30, args.fps), root=root))
        chosen = lessons_to_run(servers[-1].base, args.lesson)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            for name, where in chosen:
                for root, server in zip(roots, servers, strict=True):
                    page = browser.new_page(viewport=VIEWPORT)
                    page.add_init_script(PROBE)
                    rows[root].append(measure(page, server.base, name, where, args))
                    page.close()
                    line = table(rows[root][-1:], "").splitlines()[-1]
                    print(f"{root.name}: {line}", file=sys.stderr, flush=True)
            browser.close()
    finally:
        for server in servers:
            server.close()
    for root in roots:
        print(table(rows[root], f"{root.name}: {VIEWPORT['width']} x {VIEWPORT['height']}, "
                                f"{args.fps} frames/s asked, {args.rounds} rounds of "
                                f"{args.seconds:g} s"))
    print("draw ms: the page's work per drawn animation frame (median, p95); longtask, "
          "max gap: the longest main-thread task and gap between animation frames, ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
