"""The page's drawing speed in headless Chromium (run: python bench/page.py).

Starts a server like `make run` on a free loopback port, opens the playground
with a 6 x 8 tanh network on the circle data, asks for --fps frames a second
(default 60, above the default cap of 30, so that the page rather than the
server's cap is measured), plays it, and counts for some
seconds how many frames the page drew (each a new frame from the server drawn
on the output map and the network view), how often the browser ran animation
frames, and how long the page's drawing took per frame (median, from the page's
own timer). Prints figures; asserts nothing. Sends traffic to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import Server  # the bench's own server helper

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

COUNT = """async (seconds) => {
  const canvas = document.getElementById("output");
  const drawn0 = Number(canvas.dataset.framesDrawn || 0);
  let ticks = 0;
  let running = true;
  const tick = () => { ticks += 1; if (running) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  running = false;
  const drawn = Number(canvas.dataset.framesDrawn || 0) - drawn0;
  const times = JSON.parse(canvas.dataset.drawTimes || "[]");
  return {drawn: drawn / seconds, ticks: ticks / seconds, times};
}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fps", type=int, default=60,
                        help="frame rate asked of the server (its cap is raised to match)")
    args = parser.parse_args(argv)

    server = Server(max_frame_rate=args.fps)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(server.base + "/")
            page.wait_for_selector("body[data-ready=true]", timeout=30000)
            state = page.evaluate("""async () => {
              const m = await import('/static/js/state/state.js');
              const s = m.defaultState();
              s.data.name = 'circle';
              s.network.hidden = [8, 8, 8, 8, 8, 8];
              s.network.activations = Array(6).fill('tanh');
              return m.encodeState(s);
            }""")
            page.goto(f"{server.base}/#s={state}&n=0")
            page.reload()
            page.wait_for_selector("body[data-ready=true]", timeout=30000)
            page.select_option("[data-testid=fps]", str(args.fps))
            page.click("[data-testid=play]")
            page.wait_for_timeout(1000)
            rounds = [page.evaluate(COUNT, args.seconds) for _ in range(args.rounds)]
            browser.close()
    finally:
        server.close()
    drawn = [r["drawn"] for r in rounds]
    ticks = [r["ticks"] for r in rounds]
    times = [t for r in rounds for t in r["times"]]
    print(f"6 x 8 tanh network playing, frame rate asked of the server {args.fps}")
    print(f"frames drawn per second: median {statistics.median(drawn):.1f} "
          f"(rounds {[round(x, 1) for x in drawn]}; target >= 30)")
    print(f"animation frames per second: median {statistics.median(ticks):.1f}")
    if times:
        print(f"drawing one frame: median {statistics.median(times):.2f} ms, "
              f"max {max(times):.2f} ms over {len(times)} frames")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
