/**
 * Play, pause, step and reset several runs together: the playground's
 * comparison (two or three sides) and the lab's (two). The play button toggles
 * between its play and pause labels and says so in `aria-pressed`; Step trains
 * each run one frame's worth of steps and leaves them paused; Reset pauses them
 * and sends them back to step 0. The button follows the runs' frames as well
 * (`follow`): when every run has stopped itself (diverged), it reads Play
 * again. (A paused frame does not flip it back: one sent before a Play click
 * may still be on its way.)
 *
 * `new GroupPlay({play, step, reset}, {sessions, speed, labels, onPlaying})`:
 * the three buttons; `sessions()` answers the runs (each with `send(command)`
 * and an optional `reset()` that also clears its charts); `speed()` the steps
 * per frame; `labels` `{play, pause}` (translated); `onPlaying(on)` hears every
 * change.
 */
import { runState } from "./run_state.js";

export class GroupPlay {
  /**
   * @param {{play: HTMLButtonElement, step?: HTMLButtonElement, reset?: HTMLButtonElement}} buttons
   * @param {{sessions: () => object[], speed: () => number,
   *   labels: {play: string, pause: string}, onPlaying?: (on: boolean) => void}} options
   */
  constructor(buttons, { sessions, speed, labels, onPlaying = () => {} }) {
    this.button = buttons.play;
    this.sessions = sessions;
    this.speed = speed;
    this.labels = labels;
    this.onPlaying = onPlaying;
    this.playing = false;
    this.states = new Map(); // session -> its newest run state
    buttons.play.addEventListener("click", () => this.toggle());
    buttons.step?.addEventListener("click", () => this.step());
    buttons.reset?.addEventListener("click", () => this.reset());
  }

  send(command) {
    for (const session of this.sessions()) session.send(command);
  }

  toggle() {
    const on = !this.playing;
    this.send({ type: on ? "play" : "pause" });
    this.setPlaying(on);
  }

  /** One frame's worth of steps for every run, which stay paused. */
  step() {
    if (this.playing) this.send({ type: "pause" });
    this.send({ type: "step", n: this.speed() });
    this.setPlaying(false);
  }

  /** Every run paused and back at step 0. */
  reset() {
    this.send({ type: "pause" });
    for (const session of this.sessions()) {
      if (session.reset) session.reset();
      else session.send({ type: "reset" });
    }
    this.setPlaying(false);
  }

  /** The button as playing (its pause label) or not (its play label). */
  setPlaying(on) {
    this.playing = on;
    this.button.setAttribute("aria-pressed", String(on));
    this.button.textContent = on ? this.labels.pause : this.labels.play;
    this.onPlaying(on);
  }

  /** Forget the runs' states (new runs). */
  clear() {
    this.states.clear();
    this.setPlaying(false);
  }

  /**
   * A frame of one run: when every run has stopped itself, the button reads Play.
   * @param {object} session the run the frame is of
   * @param {object} header the frame's header
   */
  follow(session, header) {
    this.states.set(session, runState(header));
    const sessions = this.sessions();
    const known = sessions.filter((s) => this.states.has(s));
    if (this.playing && known.length === sessions.length
        && known.every((s) => this.states.get(s).kind === "diverged")) {
      this.setPlaying(false);
    }
  }
}
