/**
 * The page's status line: one sentence saying what is happening (the playground
 * and the lab share it). It follows the run's frames (`follow`): "Playing.",
 * "Paused at step 120: press Play (space) to go on.", "Diverged at step 80:
 * lower the learning rate and press Reset.", after the run's name when it has
 * one (`begin`). A message said with `say` (an error, a model loaded, the
 * teacher's lesson) stays until the run's state changes (played, paused, reset,
 * diverged) or `resume()` drops it; the line carries that state in `data-run-state` (read by the
 * browser tests). A new run the page asked to play opens paused and plays a frame
 * or two later: those opening frames are not a change of state (`begin`'s `playing`).
 */
import { ApiError } from "./api.js";
import { t } from "./i18n.js";
import { runState } from "./run_state.js";

/**
 * The sentence for a run's state.
 * @param {import("./run_state.js").RunState} state
 */
export function stateSentence({ kind, step }) {
  if (kind === "playing") return t("Playing (space pauses).");
  if (kind === "diverged") {
    return t("Diverged at step {step}: lower the learning rate and press Reset.", { step });
  }
  return step === 0 ? t("Ready at step 0: press Play (space).")
    : t("Paused at step {step}: press Play (space) to go on.", { step });
}

export class StatusLine {
  /** @param {HTMLElement} element the line's element */
  constructor(element) {
    this.element = element;
    this.context = "";
    this.note = false; // a message of its own is showing
    this.last = null;  // the run state last followed
    this.opening = false; // a new run asked to play that has not played yet
  }

  say(message, error = false) {
    this.element.textContent = message;
    this.element.classList.toggle("error", error);
    this.note = message !== "";
  }

  /**
   * A new run: its name (a lesson's title, a model file; "" for none) goes before
   * the state sentences; `message`, if given, shows until the run's state changes.
   * @param {string} context
   * @param {string} [message]
   * @param {{playing?: boolean}} [options] `playing`: the page asked the run to play,
   *   so its frames before the first playing one are its opening, not a pause
   */
  begin(context, message = "", { playing = false } = {}) {
    this.context = context;
    this.last = null;
    this.opening = playing;
    this.note = false;
    if (message) this.say(message);
    else this.say(context);
    this.note = Boolean(message);
  }

  /**
   * Follow a frame's header: the line says the run's state, unless a message of
   * its own shows and the state did not change (a reset counts as a change).
   * @param {object} header a frame's header
   */
  follow(header) {
    const state = runState(header);
    if (this.opening && state.kind === "paused") { // not playing yet: no change to follow
      this.element.dataset.runState = state.kind;
      if (!this.note) this.#show(state);
      return;
    }
    this.opening = false;
    const last = this.last;
    this.last = state;
    const changed = !last || state.kind !== last.kind || state.step < last.step;
    this.element.dataset.runState = state.kind;
    if (this.note && !(changed && last)) return;
    if (!changed && !this.note && state.kind === "playing") return; // the same sentence
    this.#show(state);
  }

  /** The page's user played or paused: from now on every change of state counts. */
  endOpening() {
    this.opening = false;
  }

  /** Drop the message of its own: the line says the run's state again. */
  resume() {
    this.note = false;
    if (this.last) this.#show(this.last);
  }

  #show(state) {
    const sentence = stateSentence(state);
    this.say(this.context ? t("{context} · {state}", { context: this.context, state: sentence })
      : sentence, state.kind === "diverged");
    this.note = false;
  }

  /** Show a failure in words: an ApiError (its message names the field), an
   * Error, or a server notice `{field, message}`. */
  failed(err) {
    const message = String(err.message ?? err);
    this.say(err.field && !(err instanceof ApiError)
      ? t("{field}: {message}", { field: err.field, message }) : message, true);
  }
}
