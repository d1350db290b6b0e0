/**
 * The control panel's Network section: add and remove hidden layers, each
 * layer's units (− n +) and activation, the options of leaky ReLU, ELU, PReLU
 * and RReLU (shown while one of the layers uses it), batch normalisation,
 * dropout and its mode, and residual connections.
 *
 * `networkSection(panel)` builds it for a Controls panel.
 */

import { activationLabel } from "../common/activation_names.js";
import { el, srOnly } from "../common/dom.js";
import { fillOptions, section } from "./widgets.js";
import { t } from "../common/i18n.js";
import { rreluInOrder } from "../state/state.js";

const UI_MAX_DROPOUT = 0.9;
const ACTIVATION_OPTION_LABELS = {
  slope: t("Leaky ReLU slope"), alpha: t("ELU alpha"), init_slope: t("PReLU initial slope"),
  lower: t("RReLU lower slope"), upper: t("RReLU upper slope"),
};

/** One hidden layer: its units (− n +) and its activation. */
function layerRow(panel, i) {
  const units = el("output", { class: "ctl-units", "data-testid": `units-${i}` });
  const minus = panel.button(`remove-unit-${i}`, "−", (s) => {
    s.network.hidden[i] = Math.max(1, s.network.hidden[i] - 1);
  }, { "aria-label": t("Remove a unit from layer {n}", { n: i + 1 }) });
  const plus = panel.button(`add-unit-${i}`, "+", (s) => {
    s.network.hidden[i] = Math.min(panel.limits.units, s.network.hidden[i] + 1);
  }, { "aria-label": t("Add a unit to layer {n}", { n: i + 1 }) });
  const key = `activation-${i}`;
  const select = el("select", { id: panel.id(key), "data-testid": key });
  select.addEventListener("change", () => panel.commit((s) => {
    s.network.activations[i] = select.value;
  }));
  return el("li", { class: "ctl-layer", "data-testid": `layer-${i}` },
    el("label", { for: panel.id(key) }, t("Layer {n}", { n: i + 1 }), srOnly(t(" activation"))),
    el("span", { class: "ctl-stepper", role: "group",
      "aria-label": t("Units of layer {n}", { n: i + 1 }) },
    minus, units, srOnly(t(" units")), plus),
    select);
}

/** As many layer rows as the state has hidden layers, each showing its layer. */
function refreshLayers(panel, list, state) {
  const n = state.network.hidden.length;
  while (list.children.length > n) list.lastElementChild.remove();
  while (list.children.length < n) list.append(layerRow(panel, list.children.length));
  const names = (panel.catalogue.activations?.hidden || []).map((a) => a.name);
  state.network.hidden.forEach((units, i) => {
    const row = list.children[i];
    row.querySelector(`[data-testid="units-${i}"]`).textContent = String(units);
    row.querySelector(`[data-testid="remove-unit-${i}"]`).disabled = units <= 1;
    row.querySelector(`[data-testid="add-unit-${i}"]`).disabled = units >= panel.limits.units;
    const select = row.querySelector(`[data-testid="activation-${i}"]`);
    fillOptions(select, names.map((a) => [a, activationLabel(a)]));
    select.value = state.network.activations[i];
  });
}

/** − layer, the layer count, + layer, and the list of layers. */
function layerList(panel) {
  const count = el("output", { class: "ctl-count", "data-testid": "layer-count",
    "aria-live": "polite" });
  const remove = panel.button("remove-layer", t("− layer"), (s) => {
    s.network.hidden.pop();
    s.network.activations.pop();
  }, { "aria-label": t("Remove the last hidden layer") });
  const add = panel.button("add-layer", t("+ layer"), (s) => {
    const n = s.network.hidden.length;
    s.network.hidden.push(n ? s.network.hidden[n - 1] : 4);
    s.network.activations.push(n ? s.network.activations[n - 1] : "tanh");
  }, { "aria-label": t("Add a hidden layer") });
  const list = el("ol", { class: "ctl-layers", "data-testid": "layers" });
  const empty = el("p", { class: "ctl-hint",
    text: t("No hidden layer: one neuron, whose boundary is a straight line (a plane for regression).") });
  panel.onRender((state) => {
    const n = state.network.hidden.length;
    count.textContent = n === 1 ? t("{n} hidden layer", { n }) : t("{n} hidden layers", { n });
    remove.disabled = n === 0;
    add.disabled = n >= panel.limits.layers;
    empty.hidden = n > 0;
    refreshLayers(panel, list, state);
  });
  return [el("div", { class: "ctl-row ctl-layer-bar" }, remove, count, add), list, empty];
}

/** One activation option's row, shown while a layer uses its activation. */
function activationOptionRow(panel, entry, option, range) {
  const key = `act-${option.replace(/_/g, "-")}`;
  const valid = (s, v) => rreluInOrder({ ...s.network.activation_options, [option]: v });
  const input = panel.number(key, { min: range.min, max: range.max, step: 0.01, valid,
    invalid: t("RReLU: the lower slope may not exceed the upper.") },
    (s) => s.network.activation_options[option] ?? range.default,
    (s, v) => { s.network.activation_options[option] = v; });
  input.setAttribute("aria-describedby", panel.id("act-range-error"));
  const row = panel.row(key, ACTIVATION_OPTION_LABELS[option] || option, input);
  panel.onRender((state) => {
    row.hidden = !state.network.activations.includes(entry.name);
  });
  return row;
}

/** Rows for the options of leaky ReLU, ELU, PReLU and RReLU, shown when in use. */
function activationOptions(panel) {
  const box = el("div", { class: "ctl-group" });
  for (const entry of panel.catalogue.activations?.hidden || []) {
    for (const [option, range] of Object.entries(entry.options || {})) {
      box.append(activationOptionRow(panel, entry, option, range));
    }
  }
  const rrelu = el("p", { class: "ctl-hint", id: panel.id("act-range-error"),
    "data-testid": "act-range-note",
    text: t("RReLU: the lower slope may not exceed the upper.") });
  panel.onRender((state) => {
    rrelu.hidden = !state.network.activations.includes("rrelu");
  });
  box.append(rrelu);
  return box;
}

/** How many residual blocks change the width (each adds a projection P, a dense layer). */
function projections(hidden) {
  let count = 0;
  for (let i = 1; i + 1 < hidden.length; i += 2) if (hidden[i - 1] !== hidden[i + 1]) count++;
  return count;
}

/** The residual checkbox and its hint (how many blocks it makes, and projections). */
function residualRows(panel) {
  const residual = panel.checkbox("residual", t("Residual connections"),
    (s) => s.network.residual, (s, v) => { s.network.residual = v; });
  const hint = el("p", { class: "ctl-hint", id: panel.id("residual-hint"),
    "data-testid": "residual-hint" });
  residual.querySelector("input").setAttribute("aria-describedby", panel.id("residual-hint"));
  panel.onRender((state) => {
    const n = state.network.hidden.length;
    const blocks = n >= 3 ? Math.floor((n - 1) / 2) : 0;
    if (n < 3) {
      hint.textContent = t("Wraps pairs of layers after the first: h(x) = f(x) + x (needs 3+ layers).");
    } else if (!state.network.residual) {
      hint.textContent = t("Wraps pairs of layers after the first: h(x) = f(x) + x.");
    } else {
      hint.textContent = blocks === 1
        ? t("Wraps pairs of layers after the first: h(x) = f(x) + x: {n} block.", { n: blocks })
        : t("Wraps pairs of layers after the first: h(x) = f(x) + x: {n} blocks.", { n: blocks });
      const widths = projections(state.network.hidden);
      if (widths) {
        hint.textContent += ` ${t("Where a block changes the width, the skip goes through a learned projection P (h(x) = f(x) + P x), drawn on its arc: {n}.", { n: widths })}`;
      }
    }
  });
  return [residual, hint];
}

/** Batch norm, dropout, residual blocks. */
function regularBox(panel) {
  const batchNorm = panel.checkbox("batch-norm", t("Batch normalisation"),
    (s) => s.network.batch_norm, (s, v) => { s.network.batch_norm = v; });
  const [dropout, dropoutOut] = panel.slider("dropout", { min: 0, max: UI_MAX_DROPOUT,
    step: 0.05 }, (s) => Math.min(UI_MAX_DROPOUT, s.network.dropout),
  (s, v) => { s.network.dropout = v; }, (v) => (v > 0 ? v.toFixed(2) : t("off")));
  const mode = panel.select("dropout-mode", (s) => s.network.dropout_mode,
    (s, v) => { s.network.dropout_mode = v; });
  fillOptions(mode, [["inverted", t("inverted")], ["classic", t("classic")]]);
  mode.title = t("inverted: scale the kept units by 1/(1-p) while training; classic: scale by (1-p) at test time");
  panel.onRender((state) => {
    mode.disabled = !(state.network.dropout > 0);
  });
  return el("div", { class: "ctl-group" }, batchNorm,
    panel.row("dropout", t("Dropout"), dropout, dropoutOut),
    panel.row("dropout-mode", t("Dropout mode"), mode), ...residualRows(panel));
}

/**
 * The Network section of a Controls panel.
 * @param {object} panel the Controls
 * @returns {HTMLElement}
 */
export function networkSection(panel) {
  return section(t("Network"), "network-section",
    ...layerList(panel), activationOptions(panel), regularBox(panel));
}
