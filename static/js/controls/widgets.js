/**
 * The control panel's plumbing and its generic widgets. `WidgetPanel` holds one
 * page state, applies each user action to it (`commit`, which decides whether
 * it needs a new run or only a hyperparameter change), waits for typing to
 * settle (`later` / `flush`), and makes labelled controls bound to the state:
 * `row`, `cell`, `select`, `checkbox`, `number`, `slider`, `button`,
 * `datalist`. Each control registers a refresher (`onRender`) that shows the
 * state in it; `render()` runs them all.
 *
 * Module functions: `fillOptions(select, pairs)`, `section(title, testid,
 * ...children)`, `pairs(...cells)`.
 */

import { el, numberText, typed } from "../common/dom.js";
import { t } from "../common/i18n.js";
import { hyperChanged, needsRebuild } from "../state/state.js";

const DEBOUNCE_MS = 300;

/**
 * Fill a select with [value, label] pairs (kept when unchanged).
 * @param {HTMLSelectElement} select
 * @param {Array<[string, string]>} choices
 */
export function fillOptions(select, choices) {
  const signature = JSON.stringify(choices);
  if (select.dataset.options === signature) return;
  select.dataset.options = signature;
  select.replaceChildren(...choices.map(([value, label]) => el("option", { value, text: label })));
}

/** Screens on which the settings' sections start folded (a phone's one column:
 * the network and the output come right after three headings). */
export const FOLDED_AT = "(max-width: 639px)";

/**
 * A section that folds: its legend is a button (`aria-expanded`, data-testid
 * `<testid>-fold`) that hides or shows everything else in the section, so a
 * narrow column of settings shows only the sections being worked on. A section
 * starts open, folded on a screen matching FOLDED_AT.
 * @param {string} title the legend
 * @param {string} testid the section's data-testid
 * @param {...Node} children
 */
export function section(title, testid, ...children) {
  const fold = el("button", { type: "button", class: "ctl-fold", "aria-expanded": "true",
    "data-testid": `${testid}-fold`, text: title });
  const box = el("fieldset", { class: "ctl-section", "data-testid": testid },
    el("legend", {}, fold), ...children);
  const show = (open) => {
    fold.setAttribute("aria-expanded", String(open));
    box.toggleAttribute("data-folded", !open);
  };
  fold.addEventListener("click", () => show(fold.getAttribute("aria-expanded") !== "true"));
  if (typeof matchMedia === "function" && matchMedia(FOLDED_AT).matches) show(false);
  return box;
}

/** Cells side by side. */
export function pairs(...cells) {
  return el("div", { class: "ctl-pairs" }, ...cells);
}

export class WidgetPanel {
  static fillOptions = fillOptions;
  static section = section;
  static pairs = pairs;

  /**
   * @param {HTMLElement} container where the panel goes
   * @param {object} state the state first shown
   * @param {(state: object, how: "rebuild"|"hyper") => void} onChange
   */
  constructor(container, state, onChange) {
    this.container = container;
    this.onChange = onChange;
    this.prefix = container.id || "controls";
    this.timers = new Map();
    this.refreshers = [];
    this.state = state;
  }

  /** An id unique to this panel. */
  id(key) {
    return `${this.prefix}-${key}`;
  }

  /** Register `fn(state)`, which brings some controls up to date. */
  onRender(fn) {
    this.refreshers.push(fn);
  }

  /** Show the state in every control. */
  render() {
    for (const refresh of this.refreshers) refresh(this.state);
  }

  /** Drop every pending `later` without running it. */
  cancelPending() {
    for (const timer of this.timers.values()) clearTimeout(timer.id);
    this.timers.clear();
  }

  /**
   * Apply one user action: `mutate(copy)` changes a copy of the state; the panel
   * shows it and onChange hears of it (if anything changed).
   * @param {(state: object) => void} mutate
   */
  commit(mutate) {
    const next = structuredClone(this.state);
    mutate(next);
    const how = needsRebuild(this.state, next) ? "rebuild"
      : hyperChanged(this.state, next) ? "hyper" : null;
    if (how === "rebuild") next.lesson = null;
    const focused = this.container.ownerDocument.activeElement;
    this.state = next;
    this.render();
    this.keepFocus(focused);
    if (how) this.onChange(structuredClone(next), how);
  }

  /** Run `fn` once `key` has been quiet for DEBOUNCE_MS. */
  later(key, fn) {
    clearTimeout(this.timers.get(key)?.id);
    const id = setTimeout(() => {
      this.timers.delete(key);
      fn();
    }, DEBOUNCE_MS);
    this.timers.set(key, { id, fn });
  }

  /** Run the pending `later` of `key` now, if there is one. */
  flush(key) {
    const timer = this.timers.get(key);
    if (!timer) return;
    clearTimeout(timer.id);
    this.timers.delete(key);
    timer.fn();
  }

  /** If a button lost focus by being disabled or removed, focus its partner. */
  keepFocus(element) {
    if (!element || !this.container.contains(element) && element.isConnected) return;
    if (element.isConnected && !element.disabled) return;
    const testid = element.dataset?.testid || "";
    const partner = testid.startsWith("add-") ? testid.replace("add-", "remove-")
      : testid.replace("remove-", "add-");
    const target = this.container.querySelector(`[data-testid="${partner}"]`);
    if (target && !target.disabled) target.focus();
  }

  /**
   * A labelled row around `control`.
   * @param {string} key the control's id key
   * @param {string|Node} label visible label
   * @param {HTMLElement} control
   * @param {...Node} extra nodes after the control (outputs, hints)
   */
  row(key, label, control, ...extra) {
    return el("div", { class: "ctl-row", "data-row": key },
      el("label", { for: this.id(key) }, label), control, ...extra);
  }

  /**
   * A small labelled cell (label above the control), for two to a line.
   * @param {string} key the control's id key
   * @param {string} label visible label
   * @param {...Node} controls
   */
  cell(key, label, ...controls) {
    return el("div", { class: "ctl-cell", "data-row": key },
      el("label", { for: this.id(key), text: label }),
      el("div", { class: "ctl-cell-controls" }, ...controls));
  }

  /**
   * A select whose choice writes the state at once.
   * @param {string} key id and data-testid
   * @param {(state: object) => string} read the value to show
   * @param {(state: object, value: string) => void} write
   */
  select(key, read, write) {
    const node = el("select", { id: this.id(key), "data-testid": key });
    node.addEventListener("change", () => this.commit((s) => write(s, node.value)));
    this.onRender((state) => {
      const value = read(state);
      if (node.value !== value) node.value = value;
    });
    return node;
  }

  /**
   * A checkbox row.
   * @param {string} key id and data-testid
   * @param {string} label
   * @param {(state: object) => boolean} read
   * @param {(state: object, checked: boolean) => void} write
   */
  checkbox(key, label, read, write) {
    const box = el("input", { type: "checkbox", id: this.id(key), "data-testid": key });
    box.addEventListener("change", () => this.commit((s) => write(s, box.checked)));
    this.onRender((state) => {
      box.checked = Boolean(read(state));
    });
    return el("div", { class: "ctl-row ctl-check", "data-row": key }, box,
      el("label", { for: this.id(key) }, label));
  }

  /**
   * A number input; typing commits 300 ms after the last key, Enter or leaving
   * the field at once. A value out of range is not taken: the field keeps it,
   * marked invalid (`aria-invalid`), and a note next to it says what the field
   * takes ("between 1 and 5000", `data-testid` `<key>-invalid`, the field's
   * `aria-describedby`) until the value is one it takes.
   * @param {string} key id and data-testid
   * @param {{min: number, max: number, step?: number|string, integer?: boolean,
   *   nullable?: boolean, placeholder?: string, list?: string,
   *   valid?: (state: object, value: number) => boolean, invalid?: string}} opts
   *   invalid: what to say when `valid` refuses a value in range
   * @param {(state: object) => number|null} read
   * @param {(state: object, value: number|null) => void} write
   */
  number(key, opts, read, write) {
    const input = el("input", {
      type: "number", id: this.id(key), "data-testid": key, min: opts.min, max: opts.max,
      step: opts.step ?? "any", inputmode: "decimal", placeholder: opts.placeholder,
      list: opts.list,
    });
    const take = () => this.takeNumber(input, opts, write);
    input.addEventListener("input", () => this.later(key, take));
    input.addEventListener("change", () => this.flush(key));
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") this.flush(key);
    });
    this.onRender((state) => {
      // a refused value stays in view until it is corrected
      if (!this.timers.has(key) && input.getAttribute("aria-invalid") !== "true") {
        this.showNumber(input, read(state));
      }
    });
    return input;
  }

  /**
   * What a number field takes, in words: "between 1 and 5000", "a whole number
   * between 1 and 5000", or with a nullable field "… (empty: the default)".
   * @param {{min: number, max: number, integer?: boolean, nullable?: boolean}} opts
   */
  static rangeText(opts) {
    const values = { min: numberText(opts.min), max: numberText(opts.max) };
    const text = opts.integer ? t("a whole number between {min} and {max}", values)
      : t("between {min} and {max}", values);
    return opts.nullable ? t("{range}, or empty for the default", { range: text }) : text;
  }

  /**
   * Mark `input` as refusing its value, with `message` in a note after it, or
   * (message null) as taking it.
   * @param {HTMLInputElement} input
   * @param {string|null} message
   */
  markInvalid(input, message) {
    const id = `${input.id}-invalid`;
    let note = input.ownerDocument.getElementById(id);
    if (message === null) {
      if (input.getAttribute("aria-invalid") !== "true") return;
      input.removeAttribute("aria-invalid");
      if (note) note.hidden = true;
      if (input.dataset.describedBy) input.setAttribute("aria-describedby", input.dataset.describedBy);
      else input.removeAttribute("aria-describedby");
      return;
    }
    if (!note) {
      note = el("span", { id, class: "ctl-invalid", role: "alert",
        "data-testid": `${input.dataset.testid}-invalid` });
      input.insertAdjacentElement("afterend", note);
    }
    note.textContent = message;
    note.hidden = false;
    if (input.getAttribute("aria-invalid") !== "true") {
      input.dataset.describedBy = input.getAttribute("aria-describedby") || "";
    }
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
  }

  /** Take back every refused value (a new state is shown: its values replace them). */
  clearInvalid() {
    for (const input of this.container.querySelectorAll("input[aria-invalid=true]")) {
      this.markInvalid(input, null);
    }
  }

  /** Commit the number typed in `input` if `opts` allow it, else mark it invalid. */
  takeNumber(input, opts, write) {
    const value = typed(input);
    if (input.value.trim() === "" && opts.nullable) {
      this.markInvalid(input, null);
      this.commit((s) => write(s, null));
      return;
    }
    const inRange = Number.isFinite(value) && value >= opts.min && value <= opts.max
      && (!opts.integer || Number.isInteger(value));
    if (!inRange) {
      this.markInvalid(input, WidgetPanel.rangeText(opts));
      return;
    }
    if (opts.valid && !opts.valid(this.state, value)) {
      this.markInvalid(input, opts.invalid || WidgetPanel.rangeText(opts));
      return;
    }
    this.markInvalid(input, null);
    this.commit((s) => write(s, value));
  }

  /** Put `value` in a number input unless it already says that. */
  showNumber(input, value) {
    if (value === null || value === undefined) {
      if (input.value !== "") input.value = "";
      return;
    }
    if (typed(input) !== value) input.value = numberText(value);
  }

  /**
   * A slider with its value shown next to it; commits when the pointer lets go of
   * it, or 300 ms after the last arrow key.
   * @param {string} key id and data-testid
   * @param {{min: number, max: number, step: number}} opts
   * @param {(state: object) => number} read
   * @param {(state: object, value: number) => void} write
   * @param {(value: number) => string} format the shown value
   * @returns {[HTMLInputElement, HTMLOutputElement]} the slider and its read-out
   */
  slider(key, opts, read, write, format) {
    const input = el("input", { type: "range", id: this.id(key), "data-testid": key,
      min: opts.min, max: opts.max, step: opts.step });
    const shown = el("output", { for: this.id(key), "data-testid": `${key}-value` });
    const show = (value) => {
      shown.textContent = format(value);
      input.setAttribute("aria-valuetext", shown.textContent);
    };
    const take = () => this.commit((s) => write(s, Number(input.value)));
    input.addEventListener("input", () => {
      show(Number(input.value));
      this.later(key, take);
    });
    input.addEventListener("pointerup", () => this.flush(key));
    this.onRender((state) => {
      if (this.timers.has(key)) return;
      const value = read(state);
      input.value = String(value);
      show(value);
    });
    return [input, shown];
  }

  /** A button that commits `mutate` when pressed. */
  button(key, label, mutate, attrs = {}) {
    const node = el("button", { type: "button", id: this.id(key), "data-testid": key,
      ...attrs }, label);
    node.addEventListener("click", () => this.commit(mutate));
    return node;
  }

  /** A datalist of suggested numbers (for number inputs). */
  datalist(key, values) {
    return el("datalist", { id: this.id(key) },
      ...values.map((v) => el("option", { value: numberText(v) })));
  }
}
