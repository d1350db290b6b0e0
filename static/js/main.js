/**
 * The playground page's wiring: it makes the run the controls describe, connects
 * its live view, and hands every frame to the views. The modules it joins each
 * hold one concept (see docs/page.md); the page's state lives in one
 * `Playground` object, never in module globals.
 *
 * The URL's hash holds the whole state (and the step reached), so a shared link
 * opens the same network, data and settings and trains it to the same step:
 * the engine is deterministic, so the numbers are the same too (hand edits of
 * single weights are not in the link).
 */

import { api, ApiError, createRun, deleteRun, loadCatalogue } from "./api.js";
import { GradientChart, LossChart } from "./charts.js";
import { Controls } from "./controls.js";
import { ActivationExplorer } from "./explorer.js";
import { LessonsPanel, lessonText } from "./lessons.js";
import { LiveRun } from "./live.js";
import { NetworkView } from "./network_view.js";
import { OutputView } from "./output_view.js";
import { decodeState, defaultState, encodeState, specToState, stateToSpec } from "./state.js";

const HYPER_KEYS = ["lr", "l1", "l2", "batch_size"];
const MAX_RESTORE_STEPS = 20000;

/** Format a metric for the read-out ("–" when missing). */
function fmt(value, digits = 3) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

/** The hyperparameters of a state, as the live `set` command names them. */
function hyperOf(state) {
  return { lr: state.optimizer.lr, l1: state.l1, l2: state.l2, batch_size: state.batch_size };
}

/**
 * One run on the server, its live socket, and the views it feeds. Frames are
 * handed to charts at once (they keep every point) and to the drawings once per
 * animation frame (only the newest counts).
 */
class Session {
  /**
   * @param {object} views {output: OutputView, network?: NetworkView,
   *   loss: LossChart, gradient: GradientChart, onFrame?(frame), onError?(detail)}
   */
  constructor(views) {
    this.views = views;
    this.run = null;
    this.live = null;
    this.latest = null;
    this.drawPending = false;
    this.framesDrawn = 0;
    this.drawTimes = [];
  }

  /** Create a run from `request` ({spec} or {lesson, variant}), or adopt `run`. */
  async open(request, run = null) {
    this.run = run || (await createRun(request));
    const points = await api(`/api/runs/${this.run.id}/points`);
    this.views.output.setPoints(points);
    this.views.loss.reset();
    this.views.gradient.reset();
    this.live = new LiveRun(this.run.id);
    this.live.addEventListener("frame", (event) => this.receive(event.detail));
    this.live.addEventListener("servererror", (event) => this.views.onError?.(event.detail));
    this.live.connect();
    return this.run;
  }

  receive(frame) {
    this.views.loss.push(frame);
    this.views.gradient.push(frame);
    this.latest = frame;
    this.views.onFrame?.(frame);
    if (!this.drawPending) {
      this.drawPending = true;
      requestAnimationFrame(() => this.draw());
    }
  }

  draw() {
    this.drawPending = false;
    const frame = this.latest;
    if (!frame) return;
    const started = performance.now();
    this.views.output.update(frame);
    if (this.views.network) this.views.network.update(frame, this.run.spec);
    this.framesDrawn += 1;
    this.drawTimes.push(performance.now() - started);
    if (this.drawTimes.length > 100) this.drawTimes.shift();
    this.views.onDrawn?.(this);
  }

  send(command) {
    this.live?.send(command);
  }

  /** Close the socket and drop the run on the server. */
  async close() {
    this.live?.close();
    if (this.run) await deleteRun(this.run.id);
    this.run = null;
  }
}

/** The page: controls, the main session, lessons, comparison, share and save. */
class Playground {
  constructor(catalogue) {
    this.catalogue = catalogue;
    this.state = defaultState();
    this.playing = false;
    this.session = null;
    this.comparison = [];
    this.statusEl = document.getElementById("status");
    this.output = new OutputView(document.getElementById("output"));
    this.loss = new LossChart(document.getElementById("loss-chart"));
    this.gradient = new GradientChart(document.getElementById("gradient-chart"));
    this.network = new NetworkView(document.getElementById("network"), {
      onEdit: (edit) => this.editParam(edit),
      onUnitHover: ({ layer, unit }) => this.session.live.unitMap(layer, unit, 100),
    });
    this.controls = new Controls(document.getElementById("controls"), catalogue,
      (state, how) => this.changed(state, how));
    this.lessons = new LessonsPanel(document.getElementById("lessons"), catalogue.lessons, {
      onLoad: (choice) => this.loadLesson(choice),
      makeComparison: (lesson, a, b) => this.compare(lesson, a, b),
    });
    this.explorer = null;
    this.bindBar();
    this.bindKeys();
  }

  // -- status line --------------------------------------------------------------
  say(message, error = false) {
    this.statusEl.textContent = message;
    this.statusEl.classList.toggle("error", error);
  }

  failed(err) {
    const text = err instanceof ApiError ? err.message : String(err.message || err);
    this.say(text, true);
  }

  // -- runs ---------------------------------------------------------------------
  views() {
    return {
      output: this.output, network: this.network, loss: this.loss, gradient: this.gradient,
      onFrame: (frame) => this.showFrame(frame),
      onDrawn: (session) => {
        // read by the browser tests and bench/page.py
        const canvas = document.getElementById("output");
        canvas.dataset.framesDrawn = session.framesDrawn;
        canvas.dataset.run = session.run.id;
        canvas.dataset.drawTimes = JSON.stringify(session.drawTimes.map((t) => +t.toFixed(2)));
      },
      onError: (detail) => this.say(`${detail.field ? detail.field + ": " : ""}${detail.message}`,
        true),
    };
  }

  /** Replace the main run: from a request, or an existing run description. */
  async start(request, run = null, restoreSteps = 0) {
    const old = this.session;
    this.session = new Session(this.views());
    try {
      await this.session.open(request, run);
    } catch (err) {
      this.session = old;
      this.failed(err);
      return false;
    }
    if (old) await old.close();
    if (restoreSteps > 0) {
      await api(`/api/runs/${this.session.run.id}/train`,
        { method: "POST", json: { steps: Math.min(restoreSteps, MAX_RESTORE_STEPS) } });
      this.session.send({ type: "frame" });
    }
    this.session.send({ type: "speed", steps_per_frame: this.state.speed || 10 });
    this.session.send({ type: "fps", value: Number(document.getElementById("fps").value) });
    if (this.playing) this.session.send({ type: "play" });
    this.say(this.state.lesson ? `Lesson: ${this.lessonTitle()}` : "Ready. Press Play (space).");
    return true;
  }

  /** The run the controls describe. */
  async rebuild(restoreSteps = 0) {
    const request = this.state.lesson
      ? { lesson: this.state.lesson.name, variant: this.state.lesson.variant ?? null }
      : { spec: stateToSpec(this.state) };
    if (await this.start(request, null, restoreSteps) && this.state.lesson) {
      this.adoptSpec(this.session.run.spec);
    }
    this.remember();
  }

  /** Show a run's spec in the controls (lessons, loaded models). */
  adoptSpec(spec) {
    const lesson = this.state.lesson;
    this.state = { ...specToState(spec, this.state), lesson, speed: this.state.speed };
    this.controls.setState(this.state);
  }

  changed(state, how) {
    const before = this.state;
    this.state = { ...state, lesson: null };
    if (how === "hyper") {
      const was = hyperOf(before);
      const now = hyperOf(this.state);
      for (const name of HYPER_KEYS) {
        if (was[name] !== now[name]) this.session?.send({ type: "set", name, value: now[name] });
      }
      if (before.speed !== this.state.speed) {
        this.session?.send({ type: "speed", steps_per_frame: this.state.speed });
      }
      this.remember();
      return;
    }
    this.hideLessonText();
    this.rebuild();
  }

  editParam({ layer, name, index, value }) {
    this.session?.send({ type: "set_weight", layer, name, index, value });
  }

  // -- frames -------------------------------------------------------------------
  showFrame(frame) {
    const h = frame.header;
    document.querySelector("[data-testid=step-count]").textContent = h.step;
    document.querySelector("[data-testid=epoch-count]").textContent = h.epoch;
    document.querySelector("[data-testid=train-loss]").textContent = fmt(h.train_loss);
    document.querySelector("[data-testid=test-loss]").textContent = fmt(h.test_loss);
    document.querySelector("[data-testid=train-accuracy]").textContent = fmt(h.train_accuracy);
    document.querySelector("[data-testid=test-accuracy]").textContent = fmt(h.test_accuracy);
    const play = document.getElementById("play");
    this.playing = Boolean(h.playing);
    play.setAttribute("aria-pressed", String(this.playing));
    play.textContent = this.playing ? "Pause" : "Play";
    if (h.status === "diverged") {
      this.say("The run diverged: its loss became infinite, so it stopped at its last " +
        "finite state. Lower the learning rate and press Reset.", true);
    }
    document.getElementById("output").dataset.step = h.step;
    this.rememberStep(h.step);
  }

  // -- the bar ------------------------------------------------------------------
  bindBar() {
    document.getElementById("play").addEventListener("click", () => this.togglePlay());
    document.getElementById("step").addEventListener("click", () => this.step());
    document.getElementById("reset").addEventListener("click", () => this.reset());
    document.getElementById("speed").addEventListener("change", (event) => {
      this.state.speed = Number(event.target.value);
      this.session?.send({ type: "speed", steps_per_frame: this.state.speed });
      this.remember();
    });
    document.getElementById("fps").addEventListener("change", (event) => {
      this.session?.send({ type: "fps", value: Number(event.target.value) });
    });
    document.getElementById("share").addEventListener("click", () => this.share());
    document.getElementById("download").addEventListener("click", () => this.download());
    document.getElementById("load-model").addEventListener("change", (event) => {
      const file = event.target.files[0];
      event.target.value = "";
      if (file) this.loadModel(file);
    });
    document.getElementById("open-lessons").addEventListener("click",
      () => document.getElementById("lessons-dialog").showModal());
    document.getElementById("open-explorer").addEventListener("click", () => this.openExplorer());
    for (const button of document.querySelectorAll("dialog [data-close]")) {
      button.addEventListener("click", () => button.closest("dialog").close());
    }
    document.getElementById("compare-close").addEventListener("click", () => this.closeCompare());
    document.getElementById("compare-play").addEventListener("click", () => {
      for (const side of this.comparison) side.send({ type: "play" });
    });
    document.getElementById("compare-reset").addEventListener("click", () => {
      for (const side of this.comparison) {
        side.views.loss.reset();
        side.views.gradient.reset();
        side.send({ type: "reset" });
      }
    });
  }

  bindKeys() {
    document.addEventListener("keydown", (event) => {
      const target = event.target;
      const typing = target.closest?.("input, select, textarea, [contenteditable], dialog");
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === " ") {
        event.preventDefault();
        this.togglePlay();
      } else if (event.key === "s") {
        this.step();
      } else if (event.key === "r") {
        this.reset();
      }
    });
  }

  togglePlay() {
    this.playing = !this.playing;
    this.session?.send({ type: this.playing ? "play" : "pause" });
  }

  step() {
    this.session?.send({ type: "step", n: 1 });
  }

  reset() {
    this.loss.reset();
    this.gradient.reset();
    this.session?.send({ type: "reset" });
  }

  // -- URL ----------------------------------------------------------------------
  remember() {
    const step = this.lastStep || 0;
    history.replaceState(null, "", `#s=${encodeState(this.state)}&n=${step}`);
  }

  rememberStep(step) {
    this.lastStep = step;
    clearTimeout(this.rememberTimer);
    this.rememberTimer = setTimeout(() => this.remember(), 500);
  }

  /** The state and step in the URL's hash, if any (checked against the catalogue). */
  static fromHash(hash, catalogue) {
    const params = new URLSearchParams(hash.replace(/^#/, ""));
    const encoded = params.get("s");
    return {
      state: encoded ? decodeState(encoded, catalogue) : null,
      step: Math.max(0, Number.parseInt(params.get("n") || "0", 10) || 0),
    };
  }

  async share() {
    this.remember();
    try {
      await navigator.clipboard.writeText(location.href);
      this.toast("Link copied: it opens this network at this step.");
    } catch {
      this.toast("Copy this page's address to share it.");
    }
  }

  toast(text) {
    const el = document.createElement("div");
    el.className = "toast";
    el.setAttribute("role", "status");
    el.textContent = text;
    document.body.append(el);
    setTimeout(() => el.remove(), 2500);
  }

  // -- models -------------------------------------------------------------------
  async download() {
    if (!this.session?.run) return;
    try {
      const name = `nnplay ${this.session.run.spec.data.name} step ${this.lastStep || 0}`;
      const saved = await api(`/api/runs/${this.session.run.id}/save`,
        { method: "POST", json: { name } });
      const link = document.createElement("a");
      link.href = `/api/models/${saved.id}`;
      link.download = `${name}.nnplay.json`;
      document.body.append(link);
      link.click();
      link.remove();
      this.toast("Model saved and downloaded.");
    } catch (err) {
      this.failed(err);
    }
  }

  async loadModel(file) {
    try {
      const record = JSON.parse(await file.text());
      const run = await api("/api/models/import", { method: "POST", json: record });
      this.state = { ...this.state, lesson: null };
      if (await this.start(null, run)) {
        this.adoptSpec(run.spec);
        this.say(`Loaded ${file.name} at step ${run.step}.`);
      }
    } catch (err) {
      this.failed(err instanceof SyntaxError ? new Error(`${file.name} is not JSON`) : err);
    }
  }

  // -- lessons ------------------------------------------------------------------
  lessonTitle() {
    const entry = this.catalogue.lessons.find((l) => l.name === this.state.lesson?.name);
    return entry ? entry.title : "";
  }

  async loadLesson({ name, variant }) {
    document.getElementById("lessons-dialog").close();
    this.state = { ...this.state, lesson: { name, variant: variant ?? null } };
    this.lastStep = 0;
    await this.rebuild();
    this.showLessonText(name);
  }

  showLessonText(name) {
    const entry = this.catalogue.lessons.find((l) => l.name === name);
    const box = document.getElementById("lesson-text");
    if (!entry) return;
    const title = document.createElement("h3");
    title.textContent = entry.title;
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.addEventListener("click", () => this.hideLessonText());
    box.replaceChildren(title, lessonText(entry, "h4"), close);
    box.hidden = false;
  }

  hideLessonText() {
    document.getElementById("lesson-text").hidden = true;
  }

  async compare(lesson, a, b) {
    document.getElementById("lessons-dialog").close();
    await this.closeCompare();
    const grid = document.getElementById("compare-grid");
    grid.replaceChildren();
    for (const variant of [a, b]) {
      const side = document.createElement("section");
      side.className = "compare-side";
      side.dataset.testid = `compare-${variant}`;
      const title = document.createElement("h3");
      title.textContent = `${lesson.title}: ${variant}`;
      const out = document.createElement("canvas");
      out.className = "compare-output";
      out.width = 300;
      out.height = 300;
      const loss = document.createElement("canvas");
      loss.width = 420;
      loss.height = 150;
      const grad = document.createElement("canvas");
      grad.width = 420;
      grad.height = 150;
      const metrics = document.createElement("p");
      metrics.className = "compare-metrics";
      side.append(title, out, metrics, loss, grad);
      grid.append(side);
      const session = new Session({
        output: new OutputView(out), loss: new LossChart(loss), gradient: new GradientChart(grad),
        onFrame: (frame) => {
          const h = frame.header;
          metrics.textContent = `step ${h.step} · train loss ${fmt(h.train_loss)} · ` +
            `test loss ${fmt(h.test_loss)}`;
        },
        onError: (detail) => this.say(detail.message, true),
      });
      this.comparison.push(session);
      try {
        await session.open({ lesson: lesson.name, variant });
      } catch (err) {
        this.failed(err);
      }
    }
    document.getElementById("compare").hidden = false;
    document.getElementById("compare").scrollIntoView({ behavior: "smooth" });
  }

  async closeCompare() {
    const sides = this.comparison;
    this.comparison = [];
    await Promise.all(sides.map((side) => side.close()));
    document.getElementById("compare").hidden = true;
  }

  openExplorer() {
    if (!this.explorer) {
      this.explorer = new ActivationExplorer(document.getElementById("explorer"),
        this.catalogue.activations);
    }
    document.getElementById("explorer-dialog").showModal();
  }
}

async function main() {
  let catalogue;
  try {
    catalogue = await loadCatalogue();
  } catch (err) {
    document.getElementById("status").textContent = `The server did not answer: ${err.message}`;
    return;
  }
  const page = new Playground(catalogue);
  const { state, step } = Playground.fromHash(location.hash, catalogue);
  if (state) page.state = { ...page.state, ...state };
  page.controls.setState(page.state);
  page.lastStep = step;
  await page.rebuild(step);
  if (page.state.lesson) page.showLessonText(page.state.lesson.name);
  document.body.dataset.ready = "true";
}

main();
