/**
 * The control panel: the data set and its settings, your own points (a CSV
 * upload), the hidden layers, and the training settings. It holds one page state
 * (see state.js) and reports each change the student makes.
 *
 * `new Controls(container, catalogue, onChange)` fills `container`;
 * `catalogue` is `{datasets, activations, initializers, optimizers, losses}` as
 * the API answers them (optionally `limits: {max_hidden_layers, max_units}`, else
 * the page body's `data-max-hidden-layers` / `data-max-units`).
 * `onChange(state, how)` gets a copy of the new state and `how`: "rebuild" (a new
 * run is needed; the state's `lesson` is then null) or "hyper" (only lr, l1, l2
 * or batch size changed). It fires once per user action; typed numbers and
 * sliders wait until 300 ms after the last keystroke or movement.
 * `setState(state)` shows a state without firing onChange; `getState()` answers
 * a copy of the state shown.
 *
 * Every control has a visible label (ids are `<container id>-<testid>`) and a
 * `data-testid`:
 * - data: dataset, dataset-description, upload, upload-status, upload-clear,
 *   noise (+ noise-value), train-fraction (+ train-fraction-value), n-samples,
 *   classes, regenerate, data-seed, standardize, features, features-<slug> (x1,
 *   x2, x1sq, x2sq, x1-x2, sin-x1, sin-x2, x: see featureSlug; each box also has
 *   data-feature with the real name), scale, offset-x, offset-y;
 * - network: add-layer, remove-layer, layer-count, layers, layer-<i>, units-<i>,
 *   add-unit-<i>, remove-unit-<i>, activation-<i>, act-slope, act-alpha,
 *   act-init-slope, act-lower, act-upper, act-range-note, batch-norm, dropout
 *   (+ dropout-value), dropout-mode, residual, residual-hint;
 * - training: init, init-scale, bias-init, loss, output-activation, optimizer,
 *   optimizer-momentum, optimizer-nesterov, optimizer-rho, optimizer-beta1,
 *   optimizer-beta2, optimizer-eps, lr, lr-custom, batch-size, l1, l2, seed,
 *   new-seed;
 * - sections: data-section, network-section, training-section.
 * Rows that do not apply (classes for two-class data, noise for xor-table,
 * options of activations or optimisers not chosen) are hidden, not removed.
 */

import {
  defaultState, hyperChanged, needsRebuild, normalizeState, rreluInOrder, taskOf,
} from "./state.js";

const DEBOUNCE_MS = 300;
const MAX_SEED = 2 ** 32 - 1;
const UI_MAX_UNITS = 16;
const UI_MAX_BATCH = 100;
const UI_MAX_DROPOUT = 0.9;
const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const PENALTIES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const UPLOAD_SETTINGS = ["train_fraction", "features", "offset", "scale", "standardize", "seed"];
const UPLOAD_VALUE = "upload:";

const TASK_GROUPS = [
  ["binary", "Two classes"],
  ["multiclass", "Several classes"],
  ["regression", "Regression (a number)"],
];
const ACTIVATION_LABELS = {
  linear: "linear", sigmoid: "sigmoid", tanh: "tanh", relu: "ReLU", leaky_relu: "leaky ReLU",
  elu: "ELU", softplus: "softplus", prelu: "PReLU", rrelu: "RReLU",
};
const ACTIVATION_OPTION_LABELS = {
  slope: "Leaky ReLU slope", alpha: "ELU alpha", init_slope: "PReLU initial slope",
  lower: "RReLU lower slope", upper: "RReLU upper slope",
};
const OPTIMIZER_LABELS = { sgd: "SGD", momentum: "SGD with momentum", rmsprop: "RMSprop",
  adam: "Adam" };
const OPTIMIZER_OPTION_LABELS = { momentum: "Momentum", nesterov: "Nesterov", rho: "Decay rho",
  beta1: "beta1", beta2: "beta2", eps: "epsilon" };
const INIT_LABELS = { zeros: "zeros", constant: "constant", uniform: "uniform", normal: "normal",
  xavier_uniform: "Xavier uniform", xavier_normal: "Xavier normal", he_uniform: "He uniform",
  he_normal: "He normal" };
const LOSS_LABELS = { bce: "cross-entropy (bce)", softmax_ce: "softmax cross-entropy",
  mse: "squared error (mse)" };
const FEATURE_LABELS = { "x1^2": "x1²", "x2^2": "x2²", "x1*x2": "x1·x2" };

// -- small DOM helpers ---------------------------------------------------------------

/**
 * An element with attributes and children. `text` sets textContent; a boolean
 * attribute is set when true and left out when false.
 * @param {string} tag
 * @param {object} [attrs]
 * @param {...(Node|string|null)} children
 * @returns {HTMLElement}
 */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** A span that screen readers read and eyes do not see. */
function srOnly(text) {
  return el("span", { class: "ctl-sr", text });
}

/** A data-testid-safe name for a feature: "x1^2" -> "x1sq", "sin(x1)" -> "sin-x1". */
export function featureSlug(name) {
  return name.replace(/\^2/g, "sq").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** A short, exact text of a number (no float noise, no exponent below 1e-6). */
function numberText(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "";
  return String(Number(value.toPrecision(12)));
}

/** The number typed in an input, or NaN ("" gives NaN). */
function typed(input) {
  const text = input.value.trim();
  return text === "" ? Number.NaN : Number(text);
}

// -- the panel -----------------------------------------------------------------------

export class Controls {
  /**
   * @param {HTMLElement} container where the panel goes (its content is replaced)
   * @param {object} catalogue {datasets, activations, initializers, optimizers, losses}
   * @param {(state: object, how: "rebuild"|"hyper") => void} onChange
   */
  constructor(container, catalogue, onChange) {
    this.container = container;
    this.catalogue = catalogue;
    this.onChange = onChange;
    this.prefix = container.id || "controls";
    this.timers = new Map();
    this.uploads = new Map();
    this.lookups = new Set();
    this.refreshers = [];
    this.limits = this.readLimits();
    this.state = normalizeState(defaultState(), catalogue);
    this.build();
    this.render();
  }

  /** Show `state` in every control, without calling onChange. */
  setState(state) {
    for (const timer of this.timers.values()) clearTimeout(timer.id);
    this.timers.clear();
    this.state = normalizeState(structuredClone(state), this.catalogue);
    this.render();
  }

  /** A copy of the state the panel shows. */
  getState() {
    return structuredClone(this.state);
  }

  // -- plumbing ----------------------------------------------------------------------

  /** The layer and unit limits: the catalogue's, the page's, or the engine's. */
  readLimits() {
    const given = this.catalogue.limits || {};
    const body = this.container.ownerDocument?.body?.dataset || {};
    const layers = Number(given.max_hidden_layers ?? body.maxHiddenLayers) || 10;
    const units = Number(given.max_units ?? body.maxUnits) || 64;
    return { layers, units: Math.min(UI_MAX_UNITS, units) };
  }

  /** An id unique to this panel. */
  id(key) {
    return `${this.prefix}-${key}`;
  }

  /** Register `fn(state)`, which brings some controls up to date. */
  onRender(fn) {
    this.refreshers.push(fn);
  }

  render() {
    for (const refresh of this.refreshers) refresh(this.state);
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

  // -- the catalogue -----------------------------------------------------------------

  /** The catalogue entry of the state's data set (null for an upload). */
  datasetEntry(state = this.state) {
    if (state.data.upload) return null;
    return (this.catalogue.datasets || []).find((d) => d.name === state.data.name) || null;
  }

  /** The data settings that apply to the state's data. */
  settingsOf(state) {
    return state.data.upload ? UPLOAD_SETTINGS : this.datasetEntry(state)?.settings || [];
  }

  /** binary, multiclass, regression, or null for an upload not yet described. */
  task(state = this.state) {
    return taskOf(state, this.catalogue, this.uploads.get(state.data.upload)?.kind || null);
  }

  /** The features the state's data offers and its default selection. */
  featureChoices(state) {
    const entry = this.datasetEntry(state)
      || (this.catalogue.datasets || []).find((d) => d.dims === 2);
    return { all: entry?.features || ["x1", "x2"], preset: entry?.default_features || ["x1", "x2"] };
  }

  /** The losses that fit the state's task, its default first (all, while the task
   * is unknown). */
  lossChoices(state) {
    const task = this.task(state);
    const fits = (this.catalogue.losses || []).filter((l) => !task || l.tasks.includes(task));
    const first = (l) => (l.default_for.includes(task) ? 0 : 1);
    return [...fits].sort((a, b) => first(a) - first(b));
  }

  /** The loss in effect: the state's, or the task's default. */
  effectiveLoss(state) {
    if (state.loss) return state.loss;
    const task = this.task(state);
    return (this.catalogue.losses || []).find((l) => l.default_for.includes(task))?.name || null;
  }

  /** The `/api/optimizers` entry of `name`. */
  optimizerEntry(name) {
    return (this.catalogue.optimizers || []).find((o) => o.name === name) || { options: {} };
  }

  /** Make the rest of a state fit its (new) data: features, loss. */
  fitData(state) {
    const { all } = this.featureChoices(state);
    if (state.data.features && !state.data.features.every((f) => all.includes(f))) {
      state.data.features = null;
    }
    if (state.loss && !this.lossChoices(state).some((l) => l.name === state.loss)) {
      state.loss = null;
    }
  }

  // -- generic controls --------------------------------------------------------------

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

  /** Cells side by side. */
  static pairs(...cells) {
    return el("div", { class: "ctl-pairs" }, ...cells);
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

  /** Fill a select with [value, label] pairs (kept when unchanged). */
  static fillOptions(select, pairs) {
    const signature = JSON.stringify(pairs);
    if (select.dataset.options === signature) return;
    select.dataset.options = signature;
    select.replaceChildren(...pairs.map(([value, label]) => el("option", { value, text: label })));
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
   * the field at once. A value out of range is marked invalid and not taken.
   * @param {string} key id and data-testid
   * @param {{min: number, max: number, step?: number|string, integer?: boolean,
   *   nullable?: boolean, placeholder?: string, list?: string,
   *   valid?: (state: object, value: number) => boolean}} opts
   * @param {(state: object) => number|null} read
   * @param {(state: object, value: number|null) => void} write
   */
  number(key, opts, read, write) {
    const input = el("input", {
      type: "number", id: this.id(key), "data-testid": key, min: opts.min, max: opts.max,
      step: opts.step ?? "any", inputmode: "decimal", placeholder: opts.placeholder,
      list: opts.list,
    });
    const take = () => {
      const value = typed(input);
      if (input.value.trim() === "" && opts.nullable) {
        input.removeAttribute("aria-invalid");
        this.commit((s) => write(s, null));
        return;
      }
      const ok = Number.isFinite(value) && value >= opts.min && value <= opts.max
        && (!opts.integer || Number.isInteger(value))
        && (!opts.valid || opts.valid(this.state, value));
      if (!ok) {
        input.setAttribute("aria-invalid", "true");
        return;
      }
      input.removeAttribute("aria-invalid");
      this.commit((s) => write(s, value));
    };
    input.addEventListener("input", () => this.later(key, take));
    input.addEventListener("change", () => {
      this.flush(key);
      if (input.getAttribute("aria-invalid") === "true") {
        input.removeAttribute("aria-invalid");
        this.showNumber(input, read(this.state));
      }
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") this.flush(key);
    });
    this.onRender((state) => {
      if (!this.timers.has(key)) this.showNumber(input, read(state));
    });
    return input;
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
   */
  slider(key, opts, read, write, format) {
    const input = el("input", { type: "range", id: this.id(key), "data-testid": key,
      min: opts.min, max: opts.max, step: opts.step });
    const shown = el("output", { for: this.id(key), "data-testid": `${key}-value` });
    const take = () => this.commit((s) => write(s, Number(input.value)));
    input.addEventListener("input", () => {
      shown.textContent = format(Number(input.value));
      input.setAttribute("aria-valuetext", shown.textContent);
      this.later(key, take);
    });
    input.addEventListener("pointerup", () => this.flush(key));
    this.onRender((state) => {
      if (this.timers.has(key)) return;
      const value = read(state);
      input.value = String(value);
      shown.textContent = format(value);
      input.setAttribute("aria-valuetext", shown.textContent);
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

  /** A section with a legend. */
  static section(title, testid, ...children) {
    return el("fieldset", { class: "ctl-section", "data-testid": testid },
      el("legend", { text: title }), ...children);
  }

  // -- building ----------------------------------------------------------------------

  build() {
    this.onRender((state) => this.describeUpload(state.data.upload));
    const root = el("div", { class: "ctl" });
    root.append(this.buildData(), this.buildNetwork(), this.buildTraining());
    this.container.replaceChildren(root);
  }

  /** Show or hide the rows of data settings that do not apply to the data set. */
  applyRows(root) {
    this.onRender((state) => {
      const settings = this.settingsOf(state);
      for (const node of root.querySelectorAll("[data-setting]")) {
        node.hidden = !settings.includes(node.dataset.setting);
      }
    });
  }

  buildData() {
    const section = Controls.section("Data", "data-section",
      this.datasetRow(), this.uploadBox(), this.dataSettings(), this.featuresBox(),
      this.moveBox());
    this.applyRows(section);
    return section;
  }

  datasetRow() {
    const select = this.select("dataset",
      (s) => (s.data.upload ? UPLOAD_VALUE + s.data.upload : s.data.name),
      (s, value) => {
        if (value.startsWith(UPLOAD_VALUE)) return;
        s.data.upload = null;
        s.data.name = value;
        this.fitData(s);
      });
    const groups = TASK_GROUPS.map(([kind, title]) => {
      const sets = (this.catalogue.datasets || []).filter((d) => d.kind === kind);
      return sets.length ? el("optgroup", { label: title },
        ...sets.map((d) => el("option", { value: d.name, title: d.description, text: d.name })))
        : null;
    });
    const mine = el("optgroup", { label: "Your points" });
    select.append(...groups.filter(Boolean), mine);
    const hint = el("p", { class: "ctl-hint", id: this.id("dataset-hint"),
      "data-testid": "dataset-description" });
    select.setAttribute("aria-describedby", this.id("dataset-hint"));
    this.onRender((state) => {
      const info = this.uploads.get(state.data.upload);
      mine.hidden = !state.data.upload;
      mine.replaceChildren(...(state.data.upload
        ? [el("option", { value: UPLOAD_VALUE + state.data.upload,
          text: info?.name || "uploaded points" })] : []));
      select.value = state.data.upload ? UPLOAD_VALUE + state.data.upload : state.data.name;
      hint.textContent = state.data.upload ? this.uploadText(state.data.upload)
        : this.datasetEntry(state)?.description || "";
    });
    return el("div", {}, this.row("dataset", "Data set", select), hint);
  }

  /** The file input for a CSV of own points, its status and the way back. */
  uploadBox() {
    const input = el("input", { type: "file", id: this.id("upload"), "data-testid": "upload",
      accept: ".csv,.tsv,.txt,text/csv,text/plain" });
    const status = el("p", { class: "ctl-hint", "data-testid": "upload-status", role: "status",
      "aria-live": "polite" });
    const back = this.button("upload-clear", "Back to the built-in sets", (s) => {
      s.data.upload = null;
      this.fitData(s);
    });
    input.addEventListener("change", () => {
      const file = input.files?.[0];
      input.value = "";
      if (file) this.upload(file, status);
    });
    back.addEventListener("click", () => {
      status.classList.remove("ctl-error");
      status.textContent = "";
    });
    this.onRender((state) => {
      back.hidden = !state.data.upload;
    });
    const label = el("label", { for: this.id("upload") }, "Your own points ",
      el("span", { class: "ctl-muted", text: "(CSV: x1, x2, label)" }));
    return el("div", { class: "ctl-upload" }, label, input, status, back);
  }

  /** "name: 120 points, binary" for a known upload. */
  uploadText(id) {
    const info = this.uploads.get(id);
    if (!info) return "Your uploaded points (looking them up…)";
    if (info.missing) return "These uploaded points are no longer on the server.";
    const classes = info.kind === "multiclass" ? `, ${info.classes} classes` : "";
    return `${info.name}: ${info.rows} points, ${info.kind}${classes}`;
  }

  /**
   * Send a CSV file to /api/uploads and, if the server takes it, switch the data
   * to it; otherwise show the server's words (naming the bad line).
   * @param {File} file
   * @param {HTMLElement} status where to say how it went
   */
  async upload(file, status) {
    status.classList.remove("ctl-error");
    status.textContent = `Uploading ${file.name}…`;
    try {
      const text = await file.text();
      const name = (file.name || "my points").slice(0, 80);
      const response = await fetch(`/api/uploads?name=${encodeURIComponent(name)}`, {
        method: "POST", headers: { "Content-Type": "text/csv" }, body: text,
      });
      const body = await response.json().catch(() => null);
      if (!response.ok) {
        status.classList.add("ctl-error");
        status.textContent = `${file.name}: ${uploadError(response, body)}`;
        return;
      }
      const { points: _points, data: _data, ...info } = body;
      this.uploads.set(info.id, info);
      status.textContent = "";
      this.commit((s) => {
        s.data.upload = info.id;
        this.fitData(s);
      });
    } catch (err) {
      status.classList.add("ctl-error");
      status.textContent = `${file.name}: the upload failed (${err.message || err}).`;
    }
  }

  /** Look up an upload named by a state (e.g. from a link) to show its name. */
  describeUpload(id) {
    if (!id || this.uploads.has(id) || this.lookups.has(id)) return;
    this.lookups.add(id);
    fetch(`/api/uploads/${encodeURIComponent(id)}`)
      .then((r) => (r.ok ? r.json() : { missing: true }))
      .catch(() => ({ missing: true }))
      .then((body) => {
        const { points: _points, data: _data, ...info } = body;
        this.lookups.delete(id);
        this.uploads.set(id, info);
        if (this.state.data.upload === id) this.render();
      });
  }

  dataSettings() {
    const [noise, noiseOut] = this.slider("noise", { min: 0, max: 0.5, step: 0.05 },
      (s) => s.data.noise, (s, v) => { s.data.noise = v; }, (v) => v.toFixed(2));
    const [split, splitOut] = this.slider("train-fraction", { min: 0.1, max: 0.9, step: 0.1 },
      (s) => s.data.train_fraction, (s, v) => { s.data.train_fraction = v; },
      (v) => `${Math.round(v * 100)}% train`);
    const samples = this.number("n-samples", { min: 4, max: 5000, step: 1, integer: true },
      (s) => s.data.n_samples, (s, v) => { s.data.n_samples = v; });
    const classes = this.select("classes", (s) => String(s.data.classes),
      (s, v) => { s.data.classes = Number(v); });
    Controls.fillOptions(classes, [["3", "3"], ["4", "4"], ["5", "5"]]);
    const standardize = this.checkbox("standardize", "Standardise the inputs",
      (s) => s.data.standardize, (s, v) => { s.data.standardize = v; });
    standardize.dataset.setting = "standardize";
    standardize.title = "Rescale each input to mean 0 and spread 1 (statistics of the training points)";
    const regenerate = this.button("regenerate", "Regenerate", (s) => {
      s.data.seed = (s.data.seed + 1) % (MAX_SEED + 1);
    });
    const seedNote = el("span", { class: "ctl-muted", "data-testid": "data-seed" });
    this.onRender((state) => {
      seedNote.textContent = `data seed ${state.data.seed}`;
      regenerate.textContent = state.data.upload ? "New split" : "Regenerate";
      regenerate.title = state.data.upload ? "Shuffle the points into new train and test sets"
        : "Draw the points again with a new data seed";
    });
    const rows = [
      [this.row("noise", "Noise", noise, noiseOut), "noise"],
      [this.row("train-fraction", "Train / test", split, splitOut), "train_fraction"],
      [this.cell("n-samples", "Points", samples), "n_samples"],
      [this.cell("classes", "Classes", classes), "classes"],
      [el("div", { class: "ctl-row" }, regenerate, seedNote), "seed"],
    ];
    for (const [node, setting] of rows) node.dataset.setting = setting;
    const [noiseRow, splitRow, samplesCell, classesCell, seedRow] = rows.map(([node]) => node);
    return el("div", { class: "ctl-group" }, noiseRow, splitRow,
      Controls.pairs(samplesCell, classesCell), seedRow, standardize);
  }

  /** Checkboxes of the input features the data set offers. */
  featuresBox() {
    const list = el("div", { class: "ctl-features" });
    const box = el("fieldset", { class: "ctl-subsection", "data-setting": "features",
      "data-testid": "features" }, el("legend", { text: "Input features" }), list);
    this.onRender((state) => this.refreshFeatures(list, state));
    return box;
  }

  refreshFeatures(list, state) {
    const { all, preset } = this.featureChoices(state);
    if (list.dataset.names !== all.join(",")) {
      list.dataset.names = all.join(",");
      list.replaceChildren(...all.map((name) => this.featureCheck(name)));
    }
    const chosen = state.data.features || preset;
    for (const box of list.querySelectorAll("input")) {
      box.checked = chosen.includes(box.dataset.feature);
      box.disabled = box.checked && chosen.length === 1;
      box.title = box.disabled ? "The network needs at least one input" : "";
    }
  }

  featureCheck(name) {
    const key = `features-${featureSlug(name)}`;
    const box = el("input", { type: "checkbox", id: this.id(key), "data-testid": key,
      "data-feature": name });
    box.addEventListener("change", () => this.commit((s) => {
      const { all, preset } = this.featureChoices(s);
      const chosen = new Set(s.data.features || preset);
      if (box.checked) chosen.add(name);
      else chosen.delete(name);
      const ordered = all.filter((f) => chosen.has(f));
      if (!ordered.length) return;
      s.data.features = ordered.join(",") === preset.join(",") ? null : ordered;
    }));
    return el("span", { class: "ctl-check" }, box,
      el("label", { for: this.id(key), text: FEATURE_LABELS[name] || name }));
  }

  /** Offset and scale of the points (the input-normalisation lesson). */
  moveBox() {
    const dx = this.number("offset-x", { min: -1000, max: 1000 }, (s) => s.data.offset[0],
      (s, v) => { s.data.offset = [v, s.data.offset[1]]; });
    const dy = this.number("offset-y", { min: -1000, max: 1000 }, (s) => s.data.offset[1],
      (s, v) => { s.data.offset = [s.data.offset[0], v]; });
    const scale = this.number("scale", { min: 0.01, max: 100 }, (s) => s.data.scale,
      (s, v) => { s.data.scale = v; });
    const details = el("details", { class: "ctl-details", "data-setting": "offset" },
      el("summary", { text: "Move the points" }),
      el("p", { class: "ctl-hint", text: "Each point becomes raw × scale + offset." }),
      this.row("scale", "Scale", scale),
      this.row("offset-x", "Offset x1", dx),
      this.row("offset-y", "Offset x2", dy));
    this.onRender((state) => {
      const moved = state.data.scale !== 1 || state.data.offset.some((v) => v !== 0);
      if (moved) details.open = true;
    });
    return details;
  }

  // -- the network -------------------------------------------------------------------

  buildNetwork() {
    const count = el("output", { class: "ctl-count", "data-testid": "layer-count",
      "aria-live": "polite" });
    const remove = this.button("remove-layer", "− layer", (s) => {
      s.network.hidden.pop();
      s.network.activations.pop();
    }, { "aria-label": "Remove the last hidden layer" });
    const add = this.button("add-layer", "+ layer", (s) => {
      const n = s.network.hidden.length;
      s.network.hidden.push(n ? s.network.hidden[n - 1] : 4);
      s.network.activations.push(n ? s.network.activations[n - 1] : "tanh");
    }, { "aria-label": "Add a hidden layer" });
    const list = el("ol", { class: "ctl-layers", "data-testid": "layers" });
    const empty = el("p", { class: "ctl-hint", text: "No hidden layer: one neuron, whose "
      + "boundary is a straight line (a plane for regression)." });
    this.onRender((state) => {
      const n = state.network.hidden.length;
      count.textContent = `${n} hidden layer${n === 1 ? "" : "s"}`;
      remove.disabled = n === 0;
      add.disabled = n >= this.limits.layers;
      empty.hidden = n > 0;
      this.refreshLayers(list, state);
    });
    return Controls.section("Network", "network-section",
      el("div", { class: "ctl-row ctl-layer-bar" }, remove, count, add),
      list, empty, this.activationOptions(), this.regularBox());
  }

  refreshLayers(list, state) {
    const n = state.network.hidden.length;
    while (list.children.length > n) list.lastElementChild.remove();
    while (list.children.length < n) list.append(this.layerRow(list.children.length));
    const names = (this.catalogue.activations?.hidden || []).map((a) => a.name);
    state.network.hidden.forEach((units, i) => {
      const row = list.children[i];
      row.querySelector(`[data-testid="units-${i}"]`).textContent = String(units);
      row.querySelector(`[data-testid="remove-unit-${i}"]`).disabled = units <= 1;
      row.querySelector(`[data-testid="add-unit-${i}"]`).disabled = units >= this.limits.units;
      const select = row.querySelector(`[data-testid="activation-${i}"]`);
      Controls.fillOptions(select, names.map((a) => [a, ACTIVATION_LABELS[a] || a]));
      select.value = state.network.activations[i];
    });
  }

  /** One hidden layer: its units (− n +) and its activation. */
  layerRow(i) {
    const units = el("output", { class: "ctl-units", "data-testid": `units-${i}` });
    const minus = this.button(`remove-unit-${i}`, "−", (s) => {
      s.network.hidden[i] = Math.max(1, s.network.hidden[i] - 1);
    }, { "aria-label": `Remove a unit from layer ${i + 1}` });
    const plus = this.button(`add-unit-${i}`, "+", (s) => {
      s.network.hidden[i] = Math.min(this.limits.units, s.network.hidden[i] + 1);
    }, { "aria-label": `Add a unit to layer ${i + 1}` });
    const key = `activation-${i}`;
    const select = el("select", { id: this.id(key), "data-testid": key });
    select.addEventListener("change", () => this.commit((s) => {
      s.network.activations[i] = select.value;
    }));
    return el("li", { class: "ctl-layer", "data-testid": `layer-${i}` },
      el("label", { for: this.id(key) }, `Layer ${i + 1}`, srOnly(" activation")),
      el("span", { class: "ctl-stepper", role: "group", "aria-label": `Units of layer ${i + 1}` },
        minus, units, srOnly(" units"), plus),
      select);
  }

  /** Rows for the options of leaky ReLU, ELU, PReLU and RReLU, shown when in use. */
  activationOptions() {
    const box = el("div", { class: "ctl-group" });
    const entries = this.catalogue.activations?.hidden || [];
    for (const entry of entries) {
      for (const [option, range] of Object.entries(entry.options || {})) {
        const key = `act-${option.replace(/_/g, "-")}`;
        const valid = (s, v) => rreluInOrder({ ...s.network.activation_options, [option]: v });
        const input = this.number(key, { min: range.min, max: range.max, step: 0.01, valid },
          (s) => s.network.activation_options[option] ?? range.default,
          (s, v) => { s.network.activation_options[option] = v; });
        input.setAttribute("aria-describedby", this.id("act-range-error"));
        const row = this.row(key, ACTIVATION_OPTION_LABELS[option] || option, input);
        this.onRender((state) => {
          row.hidden = !state.network.activations.includes(entry.name);
        });
        box.append(row);
      }
    }
    const rrelu = el("p", { class: "ctl-hint", id: this.id("act-range-error"),
      "data-testid": "act-range-note", text: "RReLU: the lower slope may not exceed the upper." });
    this.onRender((state) => {
      rrelu.hidden = !state.network.activations.includes("rrelu");
    });
    box.append(rrelu);
    return box;
  }

  /** Batch norm, dropout, residual blocks. */
  regularBox() {
    const batchNorm = this.checkbox("batch-norm", "Batch normalisation",
      (s) => s.network.batch_norm, (s, v) => { s.network.batch_norm = v; });
    const [dropout, dropoutOut] = this.slider("dropout", { min: 0, max: UI_MAX_DROPOUT,
      step: 0.05 }, (s) => Math.min(UI_MAX_DROPOUT, s.network.dropout),
    (s, v) => { s.network.dropout = v; }, (v) => (v > 0 ? v.toFixed(2) : "off"));
    const mode = this.select("dropout-mode", (s) => s.network.dropout_mode,
      (s, v) => { s.network.dropout_mode = v; });
    Controls.fillOptions(mode, [["inverted", "inverted"], ["classic", "classic"]]);
    mode.title = "inverted: scale the kept units by 1/(1-p) while training; "
      + "classic: scale by (1-p) at test time";
    this.onRender((state) => {
      mode.disabled = !(state.network.dropout > 0);
    });
    const residual = this.checkbox("residual", "Residual connections",
      (s) => s.network.residual, (s, v) => { s.network.residual = v; });
    const hint = el("p", { class: "ctl-hint", id: this.id("residual-hint"),
      "data-testid": "residual-hint" });
    residual.querySelector("input").setAttribute("aria-describedby", this.id("residual-hint"));
    this.onRender((state) => {
      const n = state.network.hidden.length;
      const blocks = n >= 3 ? Math.floor((n - 1) / 2) : 0;
      hint.textContent = "Wraps pairs of layers after the first: h(x) = f(x) + x"
        + (n < 3 ? " (needs 3+ layers)."
          : state.network.residual ? `: ${blocks} block${blocks === 1 ? "" : "s"}.` : ".");
    });
    return el("div", { class: "ctl-group" }, batchNorm,
      this.row("dropout", "Dropout", dropout, dropoutOut),
      this.row("dropout-mode", "Dropout mode", mode), residual, hint);
  }

  // -- training ----------------------------------------------------------------------

  buildTraining() {
    return Controls.section("Training", "training-section",
      this.initRows(), this.lossRows(), this.optimizerRows(), this.rateRows());
  }

  initRows() {
    const init = this.select("init", (s) => s.init, (s, v) => {
      s.init = v;
      s.init_scale = null;
    });
    const inits = this.catalogue.initializers || [];
    Controls.fillOptions(init, inits.map((i) => [i.name, INIT_LABELS[i.name] || i.name]));
    const scale = this.number("init-scale", { min: -100, max: 100, nullable: true },
      (s) => s.init_scale, (s, v) => { s.init_scale = v; });
    this.onRender((state) => {
      const entry = inits.find((i) => i.name === state.init);
      scale.placeholder = entry ? `${numberText(entry.default_scale)} (default)` : "";
    });
    const bias = this.number("bias-init", { min: -10, max: 10, step: 0.1 },
      (s) => s.bias_init, (s, v) => { s.bias_init = v; });
    return el("div", { class: "ctl-group" }, this.row("init", "Initialiser", init),
      Controls.pairs(this.cell("init-scale", "Initial scale", scale),
        this.cell("bias-init", "Bias start", bias)));
  }

  lossRows() {
    const loss = this.select("loss", (s) => this.effectiveLoss(s) || "",
      (s, v) => { s.loss = v || null; });
    const output = this.select("output-activation", (s) => s.output_activation, (s, v) => {
      s.output_activation = v;
      s.loss = "mse";
    });
    Controls.fillOptions(output, (this.catalogue.activations?.output || ["linear"])
      .map((name) => [name, name]));
    const hint = el("p", { class: "ctl-hint", id: this.id("output-hint"),
      text: "Output activations go with squared error only.",
      title: "Cross-entropy applies its own sigmoid or softmax to a linear output." });
    output.setAttribute("aria-describedby", this.id("output-hint"));
    this.onRender((state) => {
      Controls.fillOptions(loss, this.lossChoices(state)
        .map((l) => [l.name, LOSS_LABELS[l.name] || l.name]));
      loss.value = this.effectiveLoss(state) || "";
      const mse = this.effectiveLoss(state) === "mse";
      output.disabled = !mse;
      output.value = mse ? state.output_activation : "linear";
      hint.hidden = mse;
    });
    return el("div", { class: "ctl-group" }, this.row("loss", "Loss", loss),
      this.row("output-activation", "Output", output), hint);
  }

  optimizerRows() {
    const optimizer = this.select("optimizer", (s) => s.optimizer.name, (s, v) => {
      s.optimizer = { name: v, lr: s.optimizer.lr };
    });
    const entries = this.catalogue.optimizers || [];
    Controls.fillOptions(optimizer, entries.map((o) => [o.name, OPTIMIZER_LABELS[o.name] || o.name]));
    const rows = [];
    const keys = [...new Set(entries.flatMap((o) => Object.keys(o.options || {})))]
      .filter((k) => k !== "lr");
    for (const key of keys) {
      const range = entries.find((o) => o.options[key])?.options[key] || {};
      const testid = `optimizer-${key}`;
      const label = OPTIMIZER_OPTION_LABELS[key] || key;
      const defaultOf = (s) => this.optimizerEntry(s.optimizer.name).options[key]?.default;
      const row = key === "nesterov"
        ? this.checkbox(testid, label, (s) => s.optimizer.nesterov ?? defaultOf(s),
          (s, v) => { s.optimizer.nesterov = v; })
        : this.row(testid, label, this.number(testid, { min: range.min, max: range.max },
          (s) => s.optimizer[key] ?? defaultOf(s) ?? null,
          (s, v) => { s.optimizer[key] = v; }));
      this.onRender((state) => {
        row.hidden = !(key in this.optimizerEntry(state.optimizer.name).options);
      });
      rows.push(row);
    }
    return el("div", { class: "ctl-group" }, this.row("optimizer", "Optimiser", optimizer),
      ...rows);
  }

  /** Learning rate (a choice of common rates or any typed one), batch, L1, L2, seed. */
  rateRows() {
    const lr = this.select("lr", (s) => numberText(s.optimizer.lr),
      (s, v) => { s.optimizer.lr = Number(v); });
    this.onRender((state) => {
      const rates = LEARNING_RATES.includes(state.optimizer.lr) ? LEARNING_RATES
        : [...LEARNING_RATES, state.optimizer.lr].sort((a, b) => a - b);
      Controls.fillOptions(lr, rates.map((r) => [numberText(r), numberText(r)]));
      lr.value = numberText(state.optimizer.lr);
    });
    const lrRange = this.optimizerEntry("sgd").options.lr || { min: 1e-7, max: 10 };
    const custom = this.number("lr-custom", { min: lrRange.min, max: lrRange.max },
      (s) => s.optimizer.lr, (s, v) => { s.optimizer.lr = v; });
    const batch = this.number("batch-size", { min: 1, max: 5000, step: 1, integer: true },
      (s) => s.batch_size, (s, v) => { s.batch_size = v; });
    this.onRender((state) => {
      batch.max = String(Math.max(UI_MAX_BATCH, state.batch_size));
    });
    const list = this.datalist("penalties", PENALTIES);
    const l1 = this.number("l1", { min: 0, max: 1, list: this.id("penalties") },
      (s) => s.l1, (s, v) => { s.l1 = v; });
    const l2 = this.number("l2", { min: 0, max: 1, list: this.id("penalties") },
      (s) => s.l2, (s, v) => { s.l2 = v; });
    const seed = this.number("seed", { min: 0, max: MAX_SEED, step: 1, integer: true },
      (s) => s.seed, (s, v) => { s.seed = v; });
    const reseed = this.button("new-seed", "New", (s) => {
      s.seed = (s.seed + 1) % (MAX_SEED + 1);
    }, { title: "A new seed: new initial weights and batch order",
      "aria-label": "New seed" });
    return el("div", { class: "ctl-group" },
      Controls.pairs(this.cell("lr", "Learning rate", lr),
        this.cell("lr-custom", "or type a rate", custom)),
      Controls.pairs(this.cell("batch-size", "Batch size", batch),
        this.cell("seed", "Seed", seed, reseed)),
      Controls.pairs(this.cell("l1", "L1 rate", l1), this.cell("l2", "L2 rate", l2)), list);
  }
}

/**
 * The server's words for a refused upload: "line 4: x2: 'abc' is not a number".
 * @param {Response} response
 * @param {any} body the parsed JSON answer (or null)
 */
function uploadError(response, body) {
  const first = Array.isArray(body?.detail) ? body.detail[0] : null;
  if (!first) {
    return typeof body?.detail === "string" ? body.detail
      : `the server answered ${response.status} ${response.statusText}`;
  }
  const loc = (first.loc || []).map(String);
  const line = loc.indexOf("line");
  const where = line >= 0 && loc[line + 1] ? `line ${loc[line + 1]}: ` : "";
  return `${where}${first.msg || "not accepted"}`;
}
