"""A big network draws smoothly, in headless Chromium: while the dropout lesson's
32 x 32 net plays, its links (1024 paths in one layer, the browser's costliest
repaint) are restyled at most once per `linkPeriod` and per `linkFrames` frames
(network/paint.js), not on every frame, while its unit maps follow every frame;
once the run stops, the links show the newest weights exactly. The batch-norm
panel's table (whose rewriting made the browser lay it out again on every frame)
follows a playing run at most 4 times a second, and a stopped run's statistics
exactly.

Each test leaves a screenshot under test-output/browser/ (see conftest.py) and
fails on any console error.
"""

from __future__ import annotations

from itertools import pairwise

from tests.browser.conftest import SHOTS, open_playground
from tests.browser.test_lesson_screens import layer, snapshot
from tests.browser.test_playground import load_lesson

WATCH_LINKS = """() => {
  // the times at which the links were restyled, and how many frames were drawn
  const drawn = Number(document.getElementById('output').dataset.framesDrawn);
  const watch = { paints: [], drawn0: drawn };
  watch.observer = new MutationObserver((records) => {
    const links = records.some((r) => r.target.classList?.contains('nv-link'));
    if (links) watch.paints.push(performance.now());
  });
  watch.observer.observe(document.querySelector('.nv-links'), { subtree: true, attributes: true });
  window.linkWatch = watch;
}"""

EXPECTED_MISMATCHES = """async (layers) => {
  // links whose width or sign differs from what the weights given make them
  const g = await import('/static/js/network/geometry.js');
  const sets = [...document.querySelectorAll('.nv-link-set')];
  let wrong = 0;
  sets.forEach((set, l) => {
    const W = layers[l].flat();
    const scale = g.linkScale(Math.max(...W.map(Math.abs)));
    const paths = set.querySelectorAll('.nv-link');
    const widest = g.linkMax(paths.length);
    paths.forEach((path, p) => {
      const width = Number(g.linkWidth(W[p], scale, widest));
      const sign = W[p] < 0 ? 'nv-neg' : 'nv-pos';
      if (Math.abs(Number(path.getAttribute('stroke-width')) - width) > 0.011
          || !path.classList.contains(sign)) wrong += 1;
    });
  });
  return wrong;
}"""


def test_a_big_nets_links_are_restyled_a_few_times_a_second_and_end_exact(
        page: object, server: str) -> None:
    open_playground(page)
    page.set_viewport_size({"width": 1440, "height": 900})
    load_lesson(page, "dropout")
    links = page.locator(".nv-svg .nv-link").count()
    assert links == 2 * 32 + 32 * 32 + 32
    period, frames = page.evaluate("""async (n) => {
      const paint = await import('/static/js/network/paint.js');
      return [paint.linkPeriod(n), paint.linkFrames(n)];
    }""", links + 32 + 32 + 1)
    assert 150 <= period <= 250 and frames == 4
    page.evaluate(WATCH_LINKS)
    page.click("[data-testid=play]")
    page.wait_for_function("window.linkWatch.paints.length >= 6", timeout=60000)
    page.click("[data-testid=play]")
    page.wait_for_function("document.querySelector('[data-testid=play]')"
                           ".getAttribute('aria-pressed') === 'false'")
    watch = page.evaluate("""() => {
      const w = window.linkWatch;
      w.observer.disconnect();
      const drawn = Number(document.getElementById('output').dataset.framesDrawn);
      return { paints: w.paints, drawn: drawn - w.drawn0 };
    }""")
    paints = watch["paints"]
    gaps = [b - a for a, b in pairwise(paints)]
    # while playing, never two restyles closer than the period (a little slack for timers);
    # the last restyle may be the stopped run's, which paints at once
    assert min(gaps[:-1]) >= period * 0.9, (period, gaps)
    # the maps were drawn on every frame, the links on one in `frames` at most
    assert watch["drawn"] >= frames * (len(paints) - 2), watch
    page.screenshot(path=str(SHOTS / "network_dropout_32x32_playing_links_restyled_4_a_second.png"))
    # stopped: the links show the run's newest weights exactly
    run = page.get_attribute("[data-testid=output]", "data-run")
    snap = snapshot(server, run)
    dense = [entry["path"] for entry in snap["layers"] if entry["type"] == "dense"]
    weights = [layer(snap, path)["params"]["W"] for path in dense]
    page.wait_for_function(f"({EXPECTED_MISMATCHES})({weights}).then((n) => n === 0)",
                           timeout=20000)


WATCH_TABLE = """() => {
  const watch = { writes: [] };
  watch.observer = new MutationObserver(() => watch.writes.push(performance.now()));
  watch.observer.observe(document.querySelector('[data-testid=bn-table]'),
                         { subtree: true, attributes: true, characterData: true, childList: true });
  window.tableWatch = watch;
}"""


def test_the_batch_norm_table_follows_a_playing_run_4_times_a_second_and_ends_exact(
        page: object, server: str) -> None:
    open_playground(page)
    page.set_viewport_size({"width": 1440, "height": 900})
    load_lesson(page, "batch-norm")
    page.evaluate(WATCH_TABLE)
    page.click("[data-testid=play]")
    page.wait_for_function("window.tableWatch.writes.length >= 5", timeout=60000)
    page.click("[data-testid=play]")
    page.wait_for_function("document.querySelector('[data-testid=play]')"
                           ".getAttribute('aria-pressed') === 'false'")
    writes = page.evaluate("""() => {
      window.tableWatch.observer.disconnect();
      return window.tableWatch.writes; }""")
    # writes in one update come within a task; updates at least 250 ms apart while playing
    updates = [t for i, t in enumerate(writes) if i == 0 or t - writes[i - 1] > 5]
    gaps = [b - a for a, b in pairwise(updates)]
    assert len(updates) >= 4 and min(gaps[:-1]) >= 225, gaps
    page.screenshot(path=str(SHOTS / "batch_norm_playing_table_4_updates_a_second.png"))
    run = page.get_attribute("[data-testid=output]", "data-run")
    snap = snapshot(server, run)
    stats = {entry["path"]: [entry["running_mean"], entry["running_var"]]
             for entry in snap["layers"] if entry["type"] == "batchnorm"}
    assert len(stats) == 8
    page.wait_for_function("""(stats) => Object.entries(stats).every(([path, [mean, variance]]) => {
      const body = document.querySelector(`[data-testid=bn-table] tbody[data-layer="${path}"]`);
      const read = (stat) => [...body.querySelectorAll(`tr[data-stat=${stat}] td[data-unit]`)]
        .map((td) => Number(td.dataset.value));
      const near = (a, b) => a.length === b.length
        && a.every((v, k) => Math.abs(v - b[k]) <= 1e-6 * Math.max(1, Math.abs(b[k])));
      return near(read('mean'), mean) && near(read('var'), variance);
    })""", arg=stats, timeout=20000)
