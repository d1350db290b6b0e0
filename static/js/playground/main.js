/**
 * The playground page's wiring: it makes the run the controls describe, connects
 * its live view, and hands every frame to the views. The modules it joins each
 * hold one concept (see docs/page.md); the page's state lives in one
 * `Playground` object, never in module globals.
 *
 * The URL's hash holds the whole state (and the step reached), so a shared link
 * opens the same network, data and settings and trains it to the same step:
 * the engine is deterministic, so the numbers are the same too (hand edits of
 * single weights are not in the link). A lesson keeps its seeds in the link too:
 * a new seed (or new data) keeps the lesson and makes its run from the seeds
 * drawn (lessons/seeds.js), which the lesson's note shows. A lesson opens at its
 * own steps per frame (common/speed_select.js), which the speed control shows and
 * the student can change; a link keeps the speed it was made at.
 */

import { classEnded, endedMessage, inClass, onClassEnded, onClassLesson } from "../classroom/banner.js";
import { isLabLesson, labHref } from "../lessons/lab_lessons.js";
import { api, dropRunsOnLeave, loadCatalogue } from "../common/api.js";
import { GradientChart, LossChart } from "../charts/charts.js";
import { ChartOptions } from "../charts/options.js";
import { formatMetric } from "../charts/scales.js";
import { Comparison, fmt } from "./comparison.js";
import { Controls } from "../controls/controls.js";
import { BatchNormPanel } from "../network/bn_panel.js";
import { ActivationExplorer } from "./explorer.js";
import { LessonsPanel, lessonText } from "../lessons/panel.js";
import { drawSeed, lessonRequest, onlySeedsDiffer, SeedLine } from "../lessons/seeds.js";
import { t } from "../common/i18n.js";
import { downloadModel, openModelFile } from "./model_files.js";
import { NetworkView } from "../network/view.js";
import { OutputView } from "../output/view.js";
import { bindPlayKeys } from "../common/play_keys.js";
import { Session } from "./session.js";
import { decodeState, defaultState, encodeState, hasOwnSpeed, specToState, stateToSpec }
  from "../state/state.js";
import { lessonSpeed, showSpeed } from "../common/speed_select.js";
import { StatusLine } from "../common/status_line.js";
import { runState } from "../common/run_state.js";

const HYPER_KEYS = ["lr", "l1", "l2", "batch_size"];
const MAX_RESTORE_STEPS = 20000;

/** The hyperparameters of a state, as the live `set` command names them. */
function hyperOf(state) {
  return { lr: state.optimizer.lr, l1: state.l1, l2: state.l2, batch_size: state.batch_size };
}

/** The page: controls, the main session, lessons, comparison, share and save. */
class Playground {
  constructor(catalogue) {
    this.catalogue = catalogue;
    this.state = defaultState();
    this.playing = false;
    this.session = null;
    this.starting = Promise.resolve(); // the replacement of the run under way
    this.comparison = new Comparison(document.getElementById("compare"), {
      onError: (err) => this.status.failed(err),
      speed: () => this.state.speed || 10,
      onPlaying: (on) => this.status.say(on ? t("Side by side: playing (Pause all pauses them).")
        : t("Side by side: paused (Play all goes on).")),
      onClose: () => this.status.resume(),  // the line is the page's run's again
    });
    this.status = new StatusLine(document.getElementById("status"));
    this.output = new OutputView(document.getElementById("output"),
      { note: document.getElementById("boundary-note") });
    this.loss = new LossChart(document.getElementById("loss-chart"));
    this.gradient = new GradientChart(document.getElementById("gradient-chart"));
    this.chartOptions = new ChartOptions(document.querySelector("main.layout"),
      () => ({ loss: [this.loss], gradient: [this.gradient] }));
    this.network = new NetworkView(document.getElementById("network"), {
      onEdit: (edit) => this.editParam(edit),
      onUnitHover: ({ layer, unit }) => this.session.live.unitMap(layer, unit, 100),
    });
    this.stats = new BatchNormPanel(document.getElementById("bn-panel"));
    this.controls = new Controls(document.getElementById("controls"), catalogue,
      (state, how) => this.changed(state, how));
    this.lessons = new LessonsPanel(document.getElementById("lessons"), catalogue.lessons, {
      datasets: catalogue.datasets,
      onLoad: (choice) => this.loadLesson(choice),
      makeComparison: (lesson, variants) => {
        document.getElementById("lessons-dialog").close();
        // the lesson on screen compares from the seeds drawn for it
        const drawn = this.state.lesson?.name === lesson.name
          ? { seed: this.state.seed, dataSeed: this.state.data.seed } : {};
        this.comparison.open(lesson, variants, drawn);
      },
    });
    this.seeds = new SeedLine({
      onNewSeed: () => this.reseed({ ...this.state, seed: drawSeed(this.state.seed) }),
      onNewData: () => this.reseed({ ...this.state,
        data: { ...this.state.data, seed: drawSeed(this.state.data.seed) } }),
    });
    this.explorer = null;
    this.bindBar();
    bindPlayKeys({ togglePlay: () => this.togglePlay(), step: () => this.step(),
                   reset: () => this.reset() });
  }

  // -- runs ---------------------------------------------------------------------
  views() {
    return {
      output: this.output, network: this.network, loss: this.loss, gradient: this.gradient,
      stats: this.stats,
      onFrame: (frame) => this.showFrame(frame),
      onDrawn: (session) => {
        // read by the browser tests and bench/page.py
        const canvas = document.getElementById("output");
        canvas.dataset.framesDrawn = session.framesDrawn;
        canvas.dataset.run = session.run.id;
        canvas.dataset.drawTimes = JSON.stringify(session.drawTimes.map((ms) => +ms.toFixed(2)));
      },
      onError: (detail) => {
        if (classEnded()) return; // the run went with the class: classEnded() says so
        this.status.say(detail.field
          ? t("{field}: {message}", { field: detail.field, message: detail.message })
          : `${detail.message}`, true);
      },
    };
  }

  /** Replace the main run: from a request, or an existing run description. One
   * replacement at a time: a change made while a run is being made waits for it,
   * so each replaces the run the one before made (two at once took the same old
   * run, and the run made first was left playing into the views). */
  start(request, run = null, restoreSteps = 0) {
    const started = this.starting.then(() => this.replace(request, run, restoreSteps));
    this.starting = started.catch(() => {});
    return started;
  }

  async replace(request, run, restoreSteps) {
    const old = this.session;
    this.session = new Session(this.views());
    try {
      await this.session.open(request, run);
    } catch (err) {
      this.session = old;
      this.status.failed(err);
      return false;
    }
    if (old) await old.close();
    if (restoreSteps > 0) {
      await api(`/api/runs/${this.session.run.id}/train`,
        { method: "POST", json: { steps: Math.min(restoreSteps, MAX_RESTORE_STEPS) } });
      this.session.send({ type: "frame" });
    }
    showSpeed(document.getElementById("speed"), this.state.speed || 10);
    this.session.send({ type: "speed", steps_per_frame: this.state.speed || 10 });
    this.session.send({ type: "fps", value: Number(document.getElementById("fps").value) });
    if (this.playing) this.session.send({ type: "play" });
    this.status.begin(this.state.lesson ? t("Lesson: {title}", { title: this.lessonTitle() }) : "",
      "", { playing: this.playing });
    return true;
  }

  /** The run the controls describe; false if it could not be made. A lesson's run
   * is made from its own seeds, or with `seeds` true from the state's (a seed
   * drawn, or one from a link). */
  async rebuild(restoreSteps = 0, { seeds = false } = {}) {
    const lesson = this.state.lesson;
    const request = lesson
      ? lessonRequest(lesson.name, lesson.variant, seeds
        ? { seed: this.state.seed, dataSeed: this.state.data.seed } : {})
      : { spec: stateToSpec(this.state) };
    this.seeds.busy(true);
    const started = await this.start(request, null, restoreSteps);
    this.seeds.busy(false);
    if (started && this.state.lesson) {
      this.adoptSpec(this.session.run.spec);
    }
    this.showSeeds();
    this.remember();
    return started;
  }

  /** The lesson's run again from the seeds of `state` (a new seed or new data). */
  async reseed(state) {
    const before = { state: this.state, step: this.lastStep };
    this.state = { ...state, lesson: this.state.lesson };
    this.lastStep = 0;
    this.controls.setState(this.state);
    if (!(await this.rebuild(0, { seeds: true }))) {
      this.state = before.state;
      this.lastStep = before.step;
      this.controls.setState(this.state);
      this.showSeeds();
      this.remember();
    }
  }

  /** The seeds line of the lesson's note: the run's seeds (and whether its data take one). */
  showSeeds() {
    const entry = (this.catalogue.datasets || []).find((d) => d.name === this.state.data.name);
    this.seeds.show({ seed: this.state.seed, dataSeed: this.state.data.seed,
      dataSeeded: !this.state.data.upload && (entry?.settings || []).includes("seed") });
  }

  /** Show a run's spec in the controls (lessons, loaded models). */
  adoptSpec(spec) {
    const lesson = this.state.lesson;
    this.state = { ...specToState(spec, this.state), lesson, speed: this.state.speed };
    this.controls.setState(this.state);
  }

  changed(state, how) {
    const before = this.state;
    if (before.lesson && how === "rebuild" && onlySeedsDiffer(before, state)) {
      this.reseed(state); // a new seed or new data: still the lesson, from those seeds
      return;
    }
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
    document.querySelector("[data-testid=train-loss]").textContent = formatMetric(h.train_loss);
    document.querySelector("[data-testid=test-loss]").textContent = formatMetric(h.test_loss);
    document.querySelector("[data-testid=train-accuracy]").textContent = fmt(h.train_accuracy);
    document.querySelector("[data-testid=test-accuracy]").textContent = fmt(h.test_accuracy);
    // a run that stopped itself (diverged) reads Play: it trains no further
    const play = document.getElementById("play");
    this.playing = runState(h).kind === "playing";
    play.setAttribute("aria-pressed", String(this.playing));
    play.textContent = this.playing ? t("Pause") : t("Play");
    if (!classEnded()) this.status.follow(h);
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
      this.comparison.sendAll({ type: "speed", steps_per_frame: this.state.speed });
      this.remember();
    });
    document.getElementById("fps").addEventListener("change", (event) => {
      this.session?.send({ type: "fps", value: Number(event.target.value) });
      this.comparison.sendAll({ type: "fps", value: Number(event.target.value) });
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
  }

  togglePlay() {
    this.playing = !this.playing;
    this.status.endOpening(); // the student's own play or pause is a change to follow
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

  /** Keep the step reached in the address at most twice a second: a timer that
   * every frame restarted would never fire while the run plays. */
  rememberStep(step) {
    this.lastStep = step;
    if (this.rememberTimer) return;
    this.rememberTimer = setTimeout(() => {
      this.rememberTimer = null;
      this.remember();
    }, 500);
  }

  /** The class has ended: its runs went with it; say so and what to do. */
  classEnded() {
    this.playing = false;
    this.status.say(endedMessage(), true);
  }

  /** The state and step in the URL's hash, if any (checked against the catalogue),
   * and whether the state names its own speed. */
  static fromHash(hash, catalogue) {
    const params = new URLSearchParams(hash.replace(/^#/, ""));
    const encoded = params.get("s");
    return {
      state: encoded ? decodeState(encoded, catalogue) : null,
      step: Math.max(0, Number.parseInt(params.get("n") || "0", 10) || 0),
      ownSpeed: Boolean(encoded) && hasOwnSpeed(encoded),
    };
  }

  async share() {
    this.remember();
    try {
      await navigator.clipboard.writeText(location.href);
      this.toast(t("Link copied: it opens this network at this step."));
    } catch {
      this.toast(t("Copy this page's address to share it."));
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
      await downloadModel(this.session.run, this.lastStep || 0);
      this.toast(t("Model saved and downloaded."));
    } catch (err) {
      this.status.failed(err);
    }
  }

  async loadModel(file) {
    try {
      const run = await openModelFile(file);
      this.state = { ...this.state, lesson: null };
      if (await this.start(null, run)) {
        this.adoptSpec(run.spec);
        this.status.begin(file.name, t("Loaded {name} at step {step}.", { name: file.name, step: run.step }));
      }
    } catch (err) {
      this.status.failed(err);
    }
  }

  // -- lessons ------------------------------------------------------------------
  lessonTitle() {
    const entry = this.catalogue.lessons.find((l) => l.name === this.state.lesson?.name);
    return entry ? entry.title : "";
  }

  /** The steps per frame lesson `name` opens at (null if it names none). */
  lessonSpeed(name) {
    return lessonSpeed(this.catalogue.lessons.find((l) => l.name === name));
  }

  /** Open a lesson at its own speed; false (the page left as it was, the error
   * shown) if its run could not be made. */
  async loadLesson({ name, variant }) {
    document.getElementById("lessons-dialog").close();
    const before = { state: this.state, step: this.lastStep };
    this.state = { ...this.state, lesson: { name, variant: variant ?? null },
      speed: this.lessonSpeed(name) ?? this.state.speed };
    this.lastStep = 0;
    if (!(await this.rebuild())) {
      this.state = before.state;
      this.lastStep = before.step;
      this.controls.setState(this.state);
      this.remember();
      return false;
    }
    this.showLesson(name);
    return true;
  }

  /** A lesson's text beside the views, and its charts as its `display` asks. */
  showLesson(name) {
    this.showLessonText(name);
    this.chartOptions.apply(this.catalogue.lessons.find((l) => l.name === name)?.display);
  }

  showLessonText(name) {
    const entry = this.catalogue.lessons.find((l) => l.name === name);
    const box = document.getElementById("lesson-text");
    if (!entry) return;
    const title = document.createElement("h3");
    title.textContent = entry.title;
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = t("Hide");
    close.addEventListener("click", () => this.hideLessonText());
    this.showSeeds();
    box.replaceChildren(title, this.seeds.root, lessonText(entry, "h4"), close);
    box.hidden = false;
  }

  hideLessonText() {
    document.getElementById("lesson-text").hidden = true;
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
    document.getElementById("status").textContent =
      t("The server did not answer: {message}", { message: err.message });
    return;
  }
  const page = new Playground(catalogue);
  const { state, step, ownSpeed } = Playground.fromHash(location.hash, catalogue);
  if (state) page.state = { ...page.state, ...state };
  if (page.state.lesson && !ownSpeed) { // a lesson's link without a speed: the lesson's
    page.state.speed = page.lessonSpeed(page.state.lesson.name) ?? page.state.speed;
  }
  page.controls.setState(page.state);
  page.lastStep = step;
  await page.rebuild(step, { seeds: true }); // a lesson from a link: with the link's seeds
  if (page.state.lesson) page.showLesson(page.state.lesson.name);
  document.body.dataset.ready = "true";
  // a student's page opens each lesson the teacher gives the class
  onClassLesson(async ({ lesson, variant }) => {
    const entry = catalogue.lessons.find((l) => l.name === lesson);
    if (!entry) return null;
    if (isLabLesson(entry, catalogue.datasets)) {
      window.location.assign(labHref(lesson, variant));
      return true;
    }
    if (!(await page.loadLesson({ name: lesson, variant }))) return false; // retried
    page.status.say(t("Your teacher opened the lesson: {title}", { title: entry.title }));
    return true;
  });
  onClassEnded(() => page.classEnded());
  // the step reached, for a reload (the timer may not have run since the last frame)
  window.addEventListener("pagehide", () => page.remember());
  dropRunsOnLeave(inClass);
}

main();
