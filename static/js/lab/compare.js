/**
 * Two variants of a lesson side by side: two runs, each with its own socket,
 * its loss and accuracy chart, its gradient-by-depth chart and a line of
 * metrics, played, paused, stepped and reset together (common/group_play.js, as
 * the playground's comparison: Reset both leaves them paused at step 0), the
 * two loss charts on one shared y axis and the two gradient charts on another,
 * so that the runs compare at a glance. Used for the residual
 * lesson (a deep plain net against the same depth with skips) and for any lab
 * lesson with variants (static against two-channel text, max against mean
 * pooling, ...).
 *
 * `new LabComparison(section, {onError, speed, onPlaying, onFrame})`;
 * `open(lesson, a, b)` (variant names),
 * `close()`, `send(command)`, `sessions`; `seeds` ({seed, dataSeed}, either
 * null for the lesson's own) are the seeds both sides' runs are made from. The
 * section holds the variant choices and the buttons; they are built here.
 */

import { el } from "../common/dom.js";
import { isEnglish, t } from "../common/i18n.js";
import { DepthGradientChart } from "./depth_chart.js";
import { LabSession } from "./session.js";
import { lessonRequest } from "../lessons/seeds.js";
import { defaultPair } from "../lessons/panel.js";
import { LossChart } from "../charts/loss_chart.js";
import { SharedAxis } from "../charts/shared_axis.js";
import { GroupPlay } from "../common/group_play.js";
import { runState } from "../common/run_state.js";

/** Format a metric ("–" when missing). */
function fmt(value, digits = 3) {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "–";
}

/** Pairs the notes compare, in order of preference. */
const PREFERRED = [["deep-plain", "deep-residual"], ["static", "two-channel"], ["max", "mean"]];

/** The pair to compare first: one of PREFERRED where the lesson has both
 * variants, else the lessons panel's default pair (null with fewer than two). */
export function comparePair(lesson) {
  const names = (lesson.variants || []).map((v) => v.name);
  return PREFERRED.find((pair) => pair.every((n) => names.includes(n))) || defaultPair(lesson);
}

export class LabComparison {
  /**
   * @param {HTMLElement} section the comparison's section (its content is built here)
   * @param {{onError: (err: object) => void, speed: () => number,
   *   onPlaying?: (playing: boolean) => void, onFrame?: (header: object) => void}} handlers
   *   onFrame: the first side's frames (the page's status line follows them)
   */
  constructor(section, { onError, speed, onPlaying = () => {}, onFrame = () => {} }) {
    this.section = section;
    this.onError = onError;
    this.onFrame = onFrame;
    this.speed = speed;
    this.sessions = [];
    this.seeds = {};
    this.ticket = 0;
    this.lesson = null;
    this.selects = ["a", "b"].map((key) => el("select", { id: `compare-${key}`,
      "data-testid": `compare-${key}` }));
    this.play = el("button", { type: "button", "data-testid": "compare-play", "aria-pressed": "false",
      text: t("Play both") });
    const step = el("button", { type: "button", "data-testid": "compare-step", text: t("Step both") });
    const reset = el("button", { type: "button", "data-testid": "compare-reset", text: t("Reset both") });
    this.group = new GroupPlay({ play: this.play, step, reset }, {
      sessions: () => this.sessions,
      speed: () => this.speed(),
      labels: { play: t("Play both"), pause: t("Pause both") },
      onPlaying,
    });
    const go = el("button", { type: "button", "data-testid": "compare-open", text: t("Compare") });
    go.addEventListener("click", () => this.open(this.lesson, ...this.selects.map((s) => s.value)));
    this.grid = el("div", { class: "lab-compare-grid" });
    // shown while no pair is open (here rather than in the style sheet, to be translated)
    this.hint = el("p", { class: "lab-note", "data-testid": "compare-hint",
      text: t("Choose two variants and press Compare: each gets its own run, loss chart and gradient chart.") });
    this.hint.style.gridColumn = "1 / -1";
    this.grid.append(this.hint);
    this.title = el("h2", { id: "lab-compare-title", text: t("Side by side") });
    section.setAttribute("aria-labelledby", "lab-compare-title");
    section.replaceChildren(el("header", { class: "lab-compare-bar" }, this.title,
      el("label", { for: "compare-a", text: t("Compare") }), this.selects[0],
      el("label", { for: "compare-b", text: t("with") }), this.selects[1], go,
      el("span", { class: "lab-gap" }), this.play, step, reset), this.grid);
  }

  /** Offer `lesson`'s variants in the choices (and hide when it has fewer than two). */
  setLesson(lesson) {
    this.lesson = lesson;
    const variants = lesson?.variants || [];
    const pair = lesson ? comparePair(lesson) : null;
    for (const [i, select] of this.selects.entries()) {
      select.replaceChildren(...variants.map((v) => el("option", { value: v.name,
        text: v.label || v.name })));
      if (pair) select.value = pair[i];
    }
    this.section.hidden = !pair;
  }

  /** Show variants `a` and `b` of `lesson` side by side (replacing any before). */
  async open(lesson, a, b) {
    const ticket = ++this.ticket;  // a later open or close supersedes this one
    await this.drop();
    if (ticket !== this.ticket || !lesson || !a || !b) return;
    this.title.textContent = t("Side by side: {title}", { title: lesson.title });
    this.section.hidden = false;
    const sides = [a, b].map((variant) => this.side(lesson, variant));
    const axes = { loss: new SharedAxis(), gradient: new SharedAxis() };
    for (const { session } of sides) {
      axes.loss.add(session.charts[0]);
      axes.gradient.add(session.charts[1]);
    }
    this.grid.replaceChildren(...sides.map((s) => s.box));
    this.sessions = sides.map((s) => s.session);
    await Promise.all(sides.map(async ({ session, variant }) => {
      try {
        await session.open(lessonRequest(lesson.name, variant, this.seeds));
        session.send({ type: "speed", steps_per_frame: this.speed() });
      } catch (err) {
        this.onError(err);
      }
    }));
    this.group.clear();
  }

  /** One side: title, metrics, loss chart and gradient chart of a variant. */
  side(lesson, variant) {
    const label = (lesson.variants || []).find((v) => v.name === variant)?.label || variant;
    const loss = el("canvas", { class: "lab-chart", width: 460, height: 190, role: "img",
      "data-testid": `compare-loss-${variant}`, "aria-label": t("Loss and accuracy of {variant}", { variant: label }) });
    const grad = el("canvas", { class: "lab-chart", width: 460, height: 170, role: "img",
      "data-testid": `compare-gradient-${variant}`,
      "aria-label": t("Gradient norm of each layer of {variant}", { variant: label }) });
    const metrics = el("p", { class: "lab-compare-metrics", "data-testid": `compare-metrics-${variant}` });
    const box = el("section", { class: "lab-compare-side", "data-testid": `compare-side-${variant}` },
      el("h3", { text: isEnglish() ? `${variant}: ${label}` : label }), metrics,
      el("figure", {}, el("figcaption", { text: t("Loss and accuracy") }), loss),
      el("figure", {}, el("figcaption", { text: t("Gradient norm by depth (log scale)") }), grad));
    const charts = [new LossChart(loss), new DepthGradientChart(grad)];
    const session = new LabSession({
      charts,
      onFrame: ({ header: h }) => {
        const values = { step: h.step, train: fmt(h.train_loss), test: fmt(h.test_loss),
          accuracy: fmt(h.test_accuracy) };
        metrics.textContent = h.test_accuracy === null
          ? t("step {step} · train loss {train} · test loss {test}", values)
          : t("step {step} · train loss {train} · test loss {test} · test accuracy {accuracy}", values);
        metrics.dataset.step = String(h.step);
        metrics.dataset.state = runState(h).kind;
        loss.dataset.step = String(h.step);
        this.group.follow(session, h);
        if (this.sessions[0] === session) this.onFrame(h);
      },
      onError: (detail) => this.onError(detail),
    });
    return { box, session, variant };
  }

  /** Whether both play (the play button reads Pause both). */
  get playing() {
    return this.group.playing;
  }

  togglePlay() {
    this.group.toggle();
  }

  setPlaying(on) {
    this.group.setPlaying(on);
  }

  send(command) {
    for (const session of this.sessions) session.send(command);
  }

  /** Drop both runs (the section stays, empty); an open under way gives up. */
  async close() {
    this.ticket += 1;
    await this.drop();
  }

  async drop() {
    const sessions = this.sessions;
    this.sessions = [];
    this.grid.replaceChildren(this.hint);
    this.group.clear();
    await Promise.all(sessions.map((s) => s.close()));
    for (const session of sessions) for (const chart of session.charts) chart.destroy();
  }
}
