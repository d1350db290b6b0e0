/**
 * The lab page's wiring (templates/lab.html): it loads the catalogue, makes the
 * run of the chosen lab lesson and variant, and hands its frames to the views;
 * every view owns one concept (see docs/page.md, "The lab"). The page's state
 * lives in one `Lab` object, never in module globals.
 *
 * Image lessons show the input, kernels, feature maps, the three poolings, a
 * spatial pyramid's bins (nets with one) and the class scores; text lessons the sentence's n-gram activations and the
 * scores; both show a batch-norm layer's running statistics (bn_panel.js);
 * lessons on points (residual) only their variants side by side. The
 * address's hash holds `#lesson=<name>&variant=<v>&seed=<s>&data_seed=<d>`: the
 * run's seeds, shown in the bar with "New seed" and "New data"
 * (lessons/seeds.js), so the address reproduces the run. A lesson opens at its
 * own steps per frame (common/speed_select.js); a speed the student chooses goes
 * into the address (`&speed=<n>`) and wins over the lesson's.
 */

import { dropRunsOnLeave, loadCatalogue } from "../common/api.js";
import { BatchNormPanel } from "../network/bn_panel.js";
import { classEnded, endedMessage, inClass, onClassEnded, onClassLesson } from "../classroom/banner.js";
import { isEnglish, t } from "../common/i18n.js";
import { TrainingBar } from "./bar.js";
import { LabComparison, comparePair } from "./compare.js";
import { DepthGradientChart } from "./depth_chart.js";
import { FeatureMapsView } from "./feature_maps.js";
import { InputView } from "./input.js";
import { KernelsView } from "./kernels.js";
import { labHash, labLessons, modalityOf, readLabHash } from "../lessons/lab_lessons.js";
import { lessonSpeed } from "../common/speed_select.js";
import { LessonPicker } from "./picker.js";
import { drawSeed, lessonRequest, seedsOfSpec, SeedLine } from "../lessons/seeds.js";
import { PoolingView } from "./pooling.js";
import { PyramidView } from "./pyramid.js";
import { ProbeControls } from "./probe_controls.js";
import { ScoresView } from "./scores.js";
import { LabSession } from "./session.js";
import { TextView } from "./text.js";
import { LossChart } from "../charts/loss_chart.js";
import { StatusLine } from "../common/status_line.js";

const byId = (id) => document.getElementById(id);

class Lab {
  constructor(catalogue) {
    this.datasets = catalogue.datasets || [];
    this.lessons = labLessons(catalogue.lessons, this.datasets);
    this.main = byId("lab-main");
    this.status = new StatusLine(byId("status"));
    this.session = null;
    this.choice = { lesson: null, variant: null, seed: null, dataSeed: null, speed: null };
    this.seeds = new SeedLine({
      onNewSeed: () => this.load({ ...this.choice, seed: drawSeed(this.choice.seed) }),
      onNewData: () => this.load({ ...this.choice, dataSeed: drawSeed(this.choice.dataSeed) }),
    });
    byId("seed-box").append(this.seeds.root);
    this.ticket = 0;
    this.runGone = null;  // what the server said when the run went away, or null
    this.loss = new LossChart(byId("lab-loss-chart"));
    this.gradient = new DepthGradientChart(byId("lab-gradient-chart"));
    this.input = new InputView(byId("input"), byId("input-caption"));
    this.kernels = new KernelsView(byId("kernels"));
    this.maps = new FeatureMapsView(byId("maps"));
    this.pooling = new PoolingView(byId("pooling"));
    this.pyramid = new PyramidView(byId("pyramid"));
    this.stats = new BatchNormPanel(byId("bn-panel"));
    this.text = new TextView(byId("text-view"));
    this.scores = new ScoresView(byId("scores"));
    this.probe = new ProbeControls(byId("probe-controls"), {
      shiftContainer: byId("shift-controls"),
      onProbe: (command) => {
        this.status.say("");
        this.session?.send(command);
      },
    });
    this.probe.bindArrows(byId("input"));
    this.bar = new TrainingBar(document, { send: (c) => this.send(c), reset: () => this.reset() });
    this.compare = new LabComparison(byId("compare"), {
      onError: (err) => this.status.failed(err), speed: () => this.bar.speed(),
      onPlaying: (on) => {
        if (!this.session) this.bar.setPlaying(on);
      },
      onFrame: (header) => {
        if (!this.session && !classEnded()) this.status.follow(header);
      },
    });
    this.picker = new LessonPicker({ lessonSelect: byId("lesson"), variantSelect: byId("variant"),
      textBox: byId("lesson-text") }, this.lessons, (choice) => this.load(choice));
    window.addEventListener("hashchange", () => this.followHash());
  }

  // -- runs ---------------------------------------------------------------------
  /** The runs the bar drives: the lesson's run, or both sides of a comparison of points. */
  targets() {
    return this.session ? [this.session] : this.compare.sessions;
  }

  send(command) {
    if (this.runGone) {  // the run was deleted or lost: Reset makes the lesson's run again
      this.bar.setPlaying(false);
      this.status.say(t("{message} Press Reset to start the lesson again.", { message: this.runGone }), true);
      return;
    }
    if (!this.session && ["play", "pause", "step"].includes(command.type)) {
      // points: the bar plays, pauses and steps both sides as the comparison's buttons do
      if (command.type === "step") this.compare.group.step();
      else if ((command.type === "play") !== this.compare.playing) this.compare.togglePlay();
      return;
    }
    for (const session of this.targets()) session.send(command);
    if (this.session && (command.type === "speed" || command.type === "fps")) this.compare.send(command);
    if (command.type === "speed") { // the student's own speed: kept in the address
      this.choice = { ...this.choice, speed: command.steps_per_frame };
      history.replaceState(null, "", labHash(this.choice));
    }
  }

  reset() {
    if (this.runGone) {
      this.load(this.choice);
      return;
    }
    if (this.session) this.session.reset();
    else this.compare.group.reset(); // both sides paused at step 0
  }

  followHash() {
    const wanted = readLabHash(location.hash);
    const same = ["lesson", "variant", "seed", "dataSeed"].every((k) => wanted[k] === this.choice[k]);
    if (same) return;
    this.load(this.pick(wanted));
  }

  /** The picker's settling of a wanted choice, with the wanted seeds and speed. */
  pick(wanted) {
    return { ...this.picker.choose(wanted), seed: wanted.seed ?? null, dataSeed: wanted.dataSeed ?? null,
      speed: wanted.speed ?? null };
  }

  /** The seeds a run was made from: shown in the bar and kept in the address. */
  adoptSeeds(spec, ticket) {
    if (ticket !== this.ticket || !spec) return;
    this.choice = { ...this.choice, ...seedsOfSpec(spec) };
    history.replaceState(null, "", labHash(this.choice));
    this.seeds.show(this.choice);
  }

  /** Make the run of a lesson and variant (closing the one before); false if it
   * could not be made (the error is shown), true when it is open or a newer load
   * took over. */
  async load(choice) {
    const ticket = ++this.ticket;
    // another lesson opens at its own speed, unless the address names the student's
    const speed = choice.lesson === this.choice.lesson ? this.choice.speed : null;
    this.choice = { seed: null, dataSeed: null, speed, ...choice };
    this.compare.seeds = { seed: this.choice.seed, dataSeed: this.choice.dataSeed };
    this.runGone = null;
    history.replaceState(null, "", labHash(this.choice));
    const lesson = this.picker.lesson(choice.lesson);
    if (!lesson) {
      this.status.say(t("This server has no lab lessons."), true);
      return false;
    }
    this.bar.setSpeed(this.choice.speed ?? lessonSpeed(lesson) ?? 10);
    const modality = modalityOf(lesson, this.datasets);
    const old = this.session;
    this.session = null;
    this.main.dataset.modality = modality;
    this.bar.clear();
    // points (residual): the bar drives both sides of the comparison, whose own
    // settings (and variants) are chosen there
    this.bar.lrInput.disabled = modality === "points";
    byId("variant").disabled = modality === "points" || !(lesson.variants || []).length;
    this.compare.setLesson(lesson);
    await Promise.all([old?.close(), this.compare.close()]);
    if (ticket !== this.ticket) return true;
    if (modality === "points") {
      this.status.begin(lesson.title,
        t("{title}: its variants side by side below (press Play).", { title: lesson.title }));
      const pair = comparePair(lesson);
      if (pair) await this.compare.open(lesson, ...pair);
      this.adoptSeeds(this.compare.sessions[0]?.run?.spec ?? lesson.spec, ticket);
      this.main.dataset.run = this.compare.sessions.map((s) => s.run?.id).join(",");
      return !pair || ticket !== this.ticket || this.compare.sessions.every((s) => s.run);
    }
    const session = new LabSession({
      charts: [this.loss, this.gradient],
      onFrame: (frame) => {
        this.bar.show(frame.header);
        if (!classEnded()) this.status.follow(frame.header); // playing, paused, diverged
      },
      onDraw: (frame) => this.draw(frame, session),
      onError: (detail) => {
        this.probe.forget();
        if (!classEnded()) this.status.failed(detail); // else the run went with the class
        if (detail.field === "run" || detail.field === "run_id") {
          this.runGone = `${detail.message}.`;
          session.gone = true;  // nothing left on the server to delete
        }
      },
    });
    try {
      await session.open(lessonRequest(lesson.name, choice.variant, this.choice),
        () => ticket === this.ticket);
    } catch (err) {
      if (ticket === this.ticket) this.status.failed(err);  // not an abandoned lesson's
      return ticket !== this.ticket;
    }
    if (ticket !== this.ticket) {
      await session.close();
      return true;
    }
    this.session = session;
    this.adoptSeeds(session.run.spec, ticket);
    this.probe.setRun(modality, session.run.spec);
    this.bar.setHyper(session.run.hyper);
    for (const command of this.bar.setup()) session.send(command);
    this.main.dataset.run = session.run.id;
    // English names the variant as the address does; another language by its translated label
    const variant = isEnglish() ? choice.variant
      : (lesson.variants || []).find((v) => v.name === choice.variant)?.label || choice.variant;
    this.status.begin(choice.variant
      ? t("{title} ({variant})", { title: lesson.title, variant }) : lesson.title);
    return true;
  }

  /** Draw the newest frame of the lesson's run in every view it concerns. */
  draw(frame, session) {
    if (session !== this.session) return;
    const modality = this.main.dataset.modality;
    if (modality === "image") {
      this.input.update(frame);
      this.kernels.update(frame);
      this.maps.update(frame);
      this.pooling.update(frame);
      this.pyramid.update(frame);
    } else if (modality === "text") {
      this.text.update(frame);
    }
    this.stats.update(frame);
    this.scores.update(frame.header.probe);
    this.probe.update(frame);
    this.main.dataset.framesDrawn = String(session.framesDrawn + 1);
    this.main.dataset.step = String(frame.header.step);
  }
}

async function main() {
  let catalogue;
  try {
    catalogue = await loadCatalogue();
  } catch (err) {
    byId("status").textContent = t("The server did not answer: {message}", { message: err.message });
    return;
  }
  const lab = new Lab(catalogue);
  await lab.load(lab.pick(readLabHash(location.hash)));
  document.body.dataset.ready = "true";
  // a student's page opens each lesson the teacher gives the class: the lab's own
  // here (through the address, as a link would), the others in the playground
  onClassLesson(({ lesson, variant }) => {
    if (!lab.lessons.some((l) => l.name === lesson)) {
      window.location.assign("/"); // the playground opens it (not marked opened here)
      return null;
    }
    return lab.load(lab.picker.choose({ lesson, variant })); // sets the address's hash too
  });
  onClassEnded(() => lab.status.say(endedMessage(), true));
  dropRunsOnLeave(inClass);
}

main();
