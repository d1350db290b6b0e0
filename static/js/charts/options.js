/**
 * The charts' display options, as the page's controls set them: the loss axis
 * linear or log (a checkbox), and the gradient chart over time or by depth (two
 * toggle buttons). A lesson's catalogue entry may ask for either with its
 * `display` (`{loss_scale: "linear"|"log", gradient_view: "time"|"depth"}`);
 * what it leaves out takes the defaults.
 *
 * `new ChartOptions(root, charts)` finds in `root` the checkbox
 * `[data-option=loss-log]` and the buttons `[data-option=gradient-view]` (each
 * with `data-view`), and applies every change to the charts `charts()` answers
 * (`{loss: LossChart[], gradient: GradientChart[]}`, asked each time, so that
 * charts made later follow too). `apply(display)` sets controls and charts at
 * once; `current()` answers the display in force.
 */

/** What a lesson without a `display` shows. */
export const DEFAULT_DISPLAY = Object.freeze({ loss_scale: "linear", gradient_view: "time" });

/**
 * A lesson's display with the defaults filled in (unknown values ignored).
 * @param {object|null|undefined} display
 * @returns {{loss_scale: string, gradient_view: string}}
 */
export function displayOf(display) {
  const out = { ...DEFAULT_DISPLAY };
  if (display && ["linear", "log"].includes(display.loss_scale)) out.loss_scale = display.loss_scale;
  if (display && ["time", "depth"].includes(display.gradient_view)) out.gradient_view = display.gradient_view;
  return out;
}

export class ChartOptions {
  /**
   * @param {HTMLElement} root holds the controls
   * @param {() => {loss: object[], gradient: object[]}} charts the charts to set
   */
  constructor(root, charts) {
    this.charts = charts;
    this.log = root.querySelector("[data-option=loss-log]");
    this.views = [...root.querySelectorAll("[data-option=gradient-view]")];
    this.display = { ...DEFAULT_DISPLAY };
    this.log?.addEventListener("change", () => this.apply({ ...this.display,
      loss_scale: this.log.checked ? "log" : "linear" }));
    for (const button of this.views) {
      button.addEventListener("click", () => this.apply({ ...this.display,
        gradient_view: button.dataset.view }));
    }
    this.#show();
  }

  /** The display in force: `{loss_scale, gradient_view}`. */
  current() {
    return { ...this.display };
  }

  /** Show `display` (a lesson's, or the defaults for what it leaves out). */
  apply(display) {
    this.display = displayOf(display);
    this.#show();
    this.refresh();
  }

  /** Set the charts to the display in force (after new charts were made). */
  refresh() {
    const { loss = [], gradient = [] } = this.charts();
    for (const chart of loss) chart.setLogScale(this.display.loss_scale === "log");
    for (const chart of gradient) chart.setView(this.display.gradient_view);
  }

  /** The controls as the display says. */
  #show() {
    if (this.log) this.log.checked = this.display.loss_scale === "log";
    for (const button of this.views) {
      button.setAttribute("aria-pressed", String(button.dataset.view === this.display.gradient_view));
    }
  }
}
