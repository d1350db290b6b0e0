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
 *
 * This module holds the panel itself and what it knows of the catalogue; the
 * plumbing and generic widgets are in controls/widgets.js, the sections in
 * controls/data.js (with controls/upload.js), controls/network.js and
 * controls/training.js.
 */

import { el } from "../common/dom.js";
import { WidgetPanel } from "./widgets.js";
import { dataSection } from "./data.js";
import { networkSection } from "./network.js";
import { defaultState, normalizeState, taskOf } from "../state/state.js";
import { trainingSection } from "./training.js";
import { UploadBook } from "./upload.js";

export { featureSlug } from "./data.js";

const UPLOAD_SETTINGS = ["train_fraction", "features", "offset", "scale", "standardize", "seed"];

export class Controls extends WidgetPanel {
  /**
   * @param {HTMLElement} container where the panel goes (its content is replaced)
   * @param {object} catalogue {datasets, activations, initializers, optimizers, losses}
   * @param {(state: object, how: "rebuild"|"hyper") => void} onChange
   */
  constructor(container, catalogue, onChange) {
    super(container, normalizeState(defaultState(), catalogue), onChange);
    this.catalogue = catalogue;
    this.uploads = new UploadBook();
    this.limits = this.readLimits();
    this.build();
    this.render();
  }

  /** Show `state` in every control, without calling onChange. */
  setState(state) {
    this.cancelPending();
    this.clearInvalid();
    this.state = normalizeState(structuredClone(state), this.catalogue);
    this.render();
  }

  /** A copy of the state the panel shows. */
  getState() {
    return structuredClone(this.state);
  }

  /** The layer and unit limits: the catalogue's, else the page's (the server's
   * settings NNPLAY_MAX_HIDDEN_LAYERS and NNPLAY_MAX_UNITS, which the page's body
   * carries), else the engine's defaults. */
  readLimits() {
    const given = this.catalogue.limits || {};
    const body = this.container.ownerDocument?.body?.dataset || {};
    const layers = Number(given.max_hidden_layers ?? body.maxHiddenLayers) || 10;
    const units = Number(given.max_units ?? body.maxUnits) || 64;
    return { layers, units };
  }

  /** Fill the container with the three sections. */
  build() {
    this.onRender((state) => this.describeUpload(state.data.upload));
    const root = el("div", { class: "ctl" });
    root.append(dataSection(this), networkSection(this), trainingSection(this));
    this.container.replaceChildren(root);
  }

  /** Look up an upload named by a state (e.g. from a link) to show its name. */
  describeUpload(id) {
    this.uploads.lookUp(id, (found) => {
      if (this.state.data.upload === found) this.render();
    });
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
}
