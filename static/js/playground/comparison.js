/**
 * A lesson's settings side by side: two or three runs (`MAX_COMPARED`), each
 * with its output map, loss chart and gradient chart, played, paused and reset
 * together. The sides' loss charts share one y axis, and so do their gradient
 * charts, so that the runs compare at a glance; the bar's options (loss on a
 * log scale, gradients over time or by depth) set every side at once, and open
 * as the lesson's `display` asks.
 *
 * The section `#compare` of the page holds it; its buttons (play or pause all,
 * step all, reset all, close; common/group_play.js, as the lab's comparison)
 * and options are wired here. Step all trains each side one frame's worth of
 * steps (`speed()`, the page's steps per frame) and Reset all leaves them paused
 * at step 0. Each side's metrics line carries `data-step`, `data-playing` and
 * `data-state` (playing, paused or diverged) from its newest frame (read by the
 * browser tests).
 */

import { GradientChart, LossChart } from "../charts/charts.js";
import { ChartOptions } from "../charts/options.js";
import { formatMetric } from "../charts/scales.js";
import { MAX_COMPARED } from "../lessons/panel.js";
import { OutputView } from "../output/view.js";
import { lessonRequest } from "../lessons/seeds.js";
import { Session } from "./session.js";
import { SharedAxis } from "../charts/shared_axis.js";
import { GroupPlay } from "../common/group_play.js";
import { t } from "../common/i18n.js";
import { runState } from "../common/run_state.js";

/** Format a metric with fixed decimals ("–" when missing): accuracies. */
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
   * @param {{onError: (err: Error|object) => void, speed?: () => number,
   *   onPlaying?: (playing: boolean) => void, onClose?: () => void}} handlers
   *   onError shows a failure; speed answers the steps per frame (the page's);
   *   onPlaying hears Play all, Pause all, Step all and Reset all; onClose the
   *   section closing
   */
  constructor(section, { onError, speed = () => 10, onPlaying = () => {}, onClose = () => {} }) {
    this.section = section;
    this.grid = section.querySelector("#compare-grid");
    this.onError = onError;
    this.speed = speed;
    this.onClose = onClose;
    this.sides = [];
    this.ticket = 0;
    this.group = new GroupPlay({
      play: section.querySelector("#compare-play"),
      step: section.querySelector("#compare-step"),
      reset: section.querySelector("#compare-reset"),
    }, {
      sessions: () => this.sides,
      speed: () => this.speed(),
      labels: { play: t("Play all"), pause: t("Pause all") },
      onPlaying,
    });
    this.options = new ChartOptions(section.querySelector(".compare-bar"), () => ({
      loss: this.sides.map((side) => side.views.loss),
      gradient: this.sides.map((side) => side.views.gradient),
    }));
    section.querySelector("#compare-close").addEventListener("click", () => this.close());
  }

  /** Whether the sides play (the play button reads Pause all). */
  get playing() {
    return this.group.playing;
  }

  /** Send a command to every side (speed, frame rate). */
  sendAll(command) {
    for (const side of this.sides) side.send(command);
  }

  /** One side: its title, views and session, for `variant` of `lesson`, its
   * charts on the shared axes. */
  side(lesson, variant, axes) {
    const box = document.createElement("section");
    box.className = "compare-side";
    box.dataset.testid = `compare-${variant}`;
    box.dataset.variant = variant;
    const title = document.createElement("h3");
    const label = (lesson.variants || []).find((v) => v.name === variant)?.label || variant;
    title.textContent = t("{title}: {variant}", { title: lesson.title, variant: label });
    const out = canvas(300, 300, "compare-output");
    const loss = canvas(420, 160, "compare-chart");
    loss.dataset.testid = `compare-loss-${variant}`;
    loss.setAttribute("role", "img");
    loss.setAttribute("aria-label", t("Loss and accuracy of {variant}", { variant: label }));
    const grad = canvas(420, 160, "compare-chart");
    grad.dataset.testid = `compare-gradient-${variant}`;
    grad.setAttribute("role", "img");
    grad.setAttribute("aria-label", t("Gradient norm of each layer of {variant}", { variant: label }));
    const metrics = document.createElement("p");
    metrics.className = "compare-metrics";
    metrics.dataset.testid = `compare-metrics-${variant}`;
    box.append(title, out, metrics, loss, grad);
    this.grid.append(box);
    const display = this.options.current();
    const views = {
      output: new OutputView(out),
      loss: new LossChart(loss, { log: display.loss_scale === "log" }),
      gradient: new GradientChart(grad, { view: display.gradient_view }),
    };
    axes.loss.add(views.loss);
    axes.gradient.add(views.gradient);
    const session = new Session({
      ...views,
      onFrame: ({ header: h }) => {
        metrics.textContent = t("step {n} · train loss {train} · test loss {test}",
          { n: h.step, train: formatMetric(h.train_loss), test: formatMetric(h.test_loss) });
        metrics.dataset.step = String(h.step);
        const state = runState(h);
        metrics.dataset.playing = String(state.kind === "playing");
        metrics.dataset.state = state.kind;
        this.group.follow(session, h);
      },
      onError: (detail) => this.onError(detail),
    });
    // Reset all: the side's charts start again with its run
    session.reset = () => {
      views.loss.reset();
      views.gradient.reset();
      session.send({ type: "reset" });
    };
    return session;
  }

  /**
   * Show `variants` (two or three names) of `lesson` side by side, replacing any
   * before, with the charts as the lesson's `display` asks, every side from
   * `seeds` ({seed, dataSeed}: those a student drew for the lesson; none, the
   * lesson's own). Each side's box carries its run's id (`data-run`).
   * @param {object} lesson an entry of GET /api/lessons
   * @param {string[]} variants
   * @param {{seed?: number, dataSeed?: number}} [seeds]
   */
  async open(lesson, variants, seeds = {}) {
    const ticket = ++this.ticket; // a later open or close supersedes this one
    await this.drop();
    this.group.clear();
    if (ticket !== this.ticket) return;
    const names = variants.slice(0, MAX_COMPARED);
    this.options.apply(lesson.display);
    this.grid.replaceChildren();
    this.grid.dataset.sides = String(names.length);
    const axes = { loss: new SharedAxis(), gradient: new SharedAxis() };
    this.sides = names.map((variant) => this.side(lesson, variant, axes));
    this.section.hidden = false;
    await Promise.all(this.sides.map(async (session, i) => {
      try {
        await session.open(lessonRequest(lesson.name, names[i], seeds));
        session.send({ type: "speed", steps_per_frame: this.speed() });
        if (ticket !== this.ticket) {
          await session.close(); // superseded while its run was being made: drop it
          return;
        }
        this.grid.children[i].dataset.run = session.run.id;
        if (lesson.steps_per_frame) { // the lesson's own speed, as the main run's
          session.send({ type: "speed", steps_per_frame: lesson.steps_per_frame });
        }
      } catch (err) {
        this.onError(err);
      }
    }));
    if (ticket !== this.ticket) return;
    this.section.scrollIntoView({ behavior: "smooth" });
  }

  /** Drop every run and hide the section. */
  async close() {
    this.ticket += 1;
    await this.drop();
    this.section.hidden = true;
    this.onClose();
  }

  /** Drop every run and its charts. */
  async drop() {
    const sides = this.sides;
    this.sides = [];
    await Promise.all(sides.map((side) => side.close()));
    for (const side of sides) {
      side.views.loss.destroy();
      side.views.gradient.destroy();
    }
  }
}
