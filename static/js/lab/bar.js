/**
 * The lab's training bar: play / pause, step, reset, steps per frame, frames per
 * second and the learning rate, the step and epoch counters, and the metrics
 * (train and test loss and accuracy). Keyboard: space plays or pauses, "s"
 * steps, "r" resets (not while typing in a field).
 *
 * `new TrainingBar(elements, handlers)` with the template's elements and
 * `handlers.send(command)` (to the runs the bar drives) and `handlers.reset()`;
 * `show(header)` follows a frame, `setHyper(hyper)` a new run's settings,
 * `setSpeed(steps)` a lesson's speed.
 */
import { t } from "../common/i18n.js";
import { bindPlayKeys } from "../common/play_keys.js";
import { runState } from "../common/run_state.js";
import { showSpeed } from "../common/speed_select.js";

/** Format a metric ("–" when missing). */
function fmt(value) {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(3) : "–";
}

export class TrainingBar {
  /**
   * @param {Document|HTMLElement} root where the bar's elements are (by data-testid)
   * @param {{send: (command: object) => void, reset: () => void}} handlers
   */
  constructor(root, handlers) {
    const find = (id) => root.querySelector(`[data-testid=${id}]`);
    this.handlers = handlers;
    this.playButton = find("play");
    this.speedSelect = find("speed");
    this.fpsSelect = find("fps");
    this.lrInput = find("lr");
    this.stepOut = find("step-count");
    this.epochOut = find("epoch-count");
    this.metrics = ["train-loss", "test-loss", "train-accuracy", "test-accuracy"].map(find);
    this.playing = false;
    this.playButton.addEventListener("click", () => this.togglePlay());
    find("step").addEventListener("click", () => this.step());
    find("reset").addEventListener("click", () => this.handlers.reset());
    this.speedSelect.addEventListener("change", () =>
      this.handlers.send({ type: "speed", steps_per_frame: this.speed() }));
    this.fpsSelect.addEventListener("change", () =>
      this.handlers.send({ type: "fps", value: this.fps() }));
    this.lrInput.addEventListener("change", () => this.setLearningRate());
    bindPlayKeys({ togglePlay: () => this.togglePlay(), step: () => this.step(),
                   reset: () => this.handlers.reset() });
  }

  speed() {
    return Number(this.speedSelect.value) || 10;
  }

  /** Show `steps` per frame in the speed control (a lesson's own, or a link's). */
  setSpeed(steps) {
    showSpeed(this.speedSelect, steps);
  }

  fps() {
    return Number(this.fpsSelect.value) || 20;
  }

  /** The commands a new run needs to follow the bar (speed, frame rate). */
  setup() {
    return [{ type: "speed", steps_per_frame: this.speed() }, { type: "fps", value: this.fps() }];
  }

  togglePlay() {
    this.setPlaying(!this.playing);
    this.handlers.send({ type: this.playing ? "play" : "pause" });
  }

  step() {
    this.handlers.send({ type: "step", n: this.speed() });
  }

  setPlaying(on) {
    this.playing = on;
    this.playButton.setAttribute("aria-pressed", String(on));
    this.playButton.textContent = on ? t("Pause") : t("Play");
  }

  setLearningRate() {
    const value = Number(this.lrInput.value);
    if (!(value > 0)) {
      this.lrInput.setCustomValidity(t("a positive number"));
      this.lrInput.reportValidity();
      return;
    }
    this.lrInput.setCustomValidity("");
    this.handlers.send({ type: "set", name: "lr", value });
  }

  /** A new run's settings (`hyper` of the run). */
  setHyper(hyper) {
    if (hyper && typeof hyper.lr === "number") this.lrInput.value = String(hyper.lr);
  }

  /** Follow a frame's header: counters, metrics, playing. */
  show(h) {
    this.stepOut.textContent = String(h.step);
    this.epochOut.textContent = String(h.epoch);
    const values = [h.train_loss, h.test_loss, h.train_accuracy, h.test_accuracy];
    this.metrics.forEach((out, i) => {
      if (out) out.textContent = fmt(values[i]);
    });
    // a run that stopped itself (diverged) reads Play: it trains no further
    if (typeof h.playing === "boolean") this.setPlaying(runState(h).kind === "playing");
    if (h.hyper && document.activeElement !== this.lrInput) this.setHyper(h.hyper);
  }

  /** Clear the counters and metrics (a new run is on its way). */
  clear() {
    this.stepOut.textContent = "0";
    this.epochOut.textContent = "0";
    for (const out of this.metrics) if (out) out.textContent = "–";
    this.setPlaying(false);
  }
}
