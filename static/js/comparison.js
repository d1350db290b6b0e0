/**
 * A lesson's two settings side by side: two runs, each with its output map,
 * loss chart and gradient-by-depth chart, played and reset together.
 *
 * The section `#compare` of the page holds it; its buttons (play both, reset
 * both, close) are wired here.
 */

import { GradientChart, LossChart } from "./charts.js";
import { OutputView } from "./output_view.js";
import { Session } from "./session.js";
import { t } from "./i18n.js";

/** Format a metric ("–" when missing). */
export function fmt(value, digits = 3) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

/** A canvas of the given size. */
function canvas(width, height, className = "") {
  const el = document.createElement("canvas");
  el.width = width;
  el.height = height;
  if (className) el.className = className;
  return el;
}

export class Comparison {
  /**
   * @param {HTMLElement} section the `#compare` section
   * @param {(err: Error|object) => void} onError shows a failure
   */
  constructor(section, onError) {
    this.section = section;
    this.grid = section.querySelector("#compare-grid");
    this.onError = onError;
    this.sides = [];
    section.querySelector("#compare-play").addEventListener("click",
      () => this.sendAll({ type: "play" }));
    section.querySelector("#compare-reset").addEventListener("click", () => {
      for (const side of this.sides) {
        side.views.loss.reset();
        side.views.gradient.reset();
      }
      this.sendAll({ type: "reset" });
    });
    section.querySelector("#compare-close").addEventListener("click", () => this.close());
  }

  sendAll(command) {
    for (const side of this.sides) side.send(command);
  }

  /** One side: its title, views and session, for `variant` of `lesson`. */
  side(lesson, variant) {
    const box = document.createElement("section");
    box.className = "compare-side";
    box.dataset.testid = `compare-${variant}`;
    const title = document.createElement("h3");
    const label = (lesson.variants || []).find((v) => v.name === variant)?.label || variant;
    title.textContent = t("{title}: {variant}", { title: lesson.title, variant: label });
    const out = canvas(300, 300, "compare-output");
    const loss = canvas(420, 150);
    const grad = canvas(420, 150);
    const metrics = document.createElement("p");
    metrics.className = "compare-metrics";
    box.append(title, out, metrics, loss, grad);
    this.grid.append(box);
    return new Session({
      output: new OutputView(out), loss: new LossChart(loss), gradient: new GradientChart(grad),
      onFrame: ({ header: h }) => {
        metrics.textContent = t("step {n} · train loss {train} · test loss {test}",
          { n: h.step, train: fmt(h.train_loss), test: fmt(h.test_loss) });
      },
      onError: (detail) => this.onError(detail),
    });
  }

  /** Show `lesson`'s variants `a` and `b` side by side (replacing any before). */
  async open(lesson, a, b) {
    await this.close();
    this.grid.replaceChildren();
    for (const variant of [a, b]) {
      const session = this.side(lesson, variant);
      this.sides.push(session);
      try {
        await session.open({ lesson: lesson.name, variant });
      } catch (err) {
        this.onError(err);
      }
    }
    this.section.hidden = false;
    this.section.scrollIntoView({ behavior: "smooth" });
  }

  /** Drop both runs and hide the section. */
  async close() {
    const sides = this.sides;
    this.sides = [];
    await Promise.all(sides.map((side) => side.close()));
    this.section.hidden = true;
  }
}
