/**
 * The batch-norm panel: each batch-norm layer's running mean and variance, per
 * unit (a dense layer's) or per channel (a convolution's), as a table updated
 * with every frame. These are the statistics the net uses at evaluation instead
 * of a batch's own; a student watches them settle as training goes on.
 *
 * Reads the frame header's `layers` (protocol.md): every entry of type
 * `batchnorm` carries `running_mean` and `running_var`. Their shape is read as
 * it comes: a flat list is one value per unit or channel; a nested one (C, ...)
 * keeps one value per channel and position, and its row shows each channel's
 * average over positions (the cell's tooltip says so).
 *
 * `new BatchNormPanel(container)`; `update(frame)` (hidden when the net has no
 * batch norm; while the run plays, the table follows at most 4 times a second,
 * its newest frame's statistics always landing, and a stopped run's at once). The table: one row group per layer (`tbody[data-layer=<path>]`),
 * a row for μ (`data-stat="mean"`) and one for σ² (`data-stat="var"`), a cell per
 * unit or channel (`td[data-unit=<k>]`, its exact value in `data-value`).
 */

import { t } from "../common/i18n.js";
import { Throttle } from "../common/throttle.js";

/** Flat layer types whose batch norm counts channels rather than units. */
const CHANNEL_LAYERS = new Set(["conv2d", "conv1d"]);

/** While a run plays, the shortest time between two updates of the table, in ms. */
const STATS_PERIOD = 250;

/**
 * One number per unit or channel: a flat list as it is, a nested one averaged
 * over everything after its first axis.
 * @param {unknown} values a batch-norm layer's `running_mean` or `running_var`
 * @returns {{values: number[], averaged: boolean}}
 */
export function perUnit(values) {
  if (!Array.isArray(values)) return { values: [], averaged: false };
  let averaged = false;
  const out = values.map((v) => {
    if (!Array.isArray(v)) return typeof v === "number" ? v : Number.NaN;
    averaged = true;
    const flat = v.flat(Infinity);
    return flat.length ? flat.reduce((a, b) => a + b, 0) / flat.length : Number.NaN;
  });
  return { values: out, averaged };
}

/** A statistic for the table: 3 significant digits, or 2 in exponent form when tiny or huge. */
export function statText(v) {
  if (!Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.001 || a >= 1e5)) return v.toExponential(1);
  return a >= 100 ? v.toFixed(1) : v.toPrecision(3).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

/**
 * The batch-norm layers of a frame header: [{path, index, kind ("unit" or
 * "channel"), number (1, 2, ...), after (the type of the layer before it), mean,
 * variance, averaged}].
 */
export function batchNormLayers(header) {
  const layers = Array.isArray(header?.layers) ? header.layers : [];
  const found = [];
  layers.forEach((layer, index) => {
    if (layer?.type !== "batchnorm") return;
    const before = layers.slice(0, index).reverse().find((l) => l && l.type !== "activation");
    const mean = perUnit(layer.running_mean);
    const variance = perUnit(layer.running_var);
    const nested = mean.averaged || variance.averaged;
    found.push({
      path: String(layer.path), index, number: found.length + 1, after: before?.type ?? "",
      kind: nested || CHANNEL_LAYERS.has(before?.type) ? "channel" : "unit",
      mean: mean.values, variance: variance.values, averaged: nested,
    });
  });
  return found;
}

export class BatchNormPanel {
  /** @param {HTMLElement} container where the panel goes (its content is replaced) */
  constructor(container) {
    this.container = container;
    this.key = null;
    this.cells = [];
    this.throttle = new Throttle({ period: STATS_PERIOD });
    this.container.hidden = true;
  }

  /** Shows a frame's statistics (rebuilding the table when the layers' shapes
   * change); while the run plays, at most once per STATS_PERIOD ms, the newest
   * frame's when the period ends (rewriting the table's cells makes the browser lay
   * the whole table out again: on every frame it halved the batch-norm lesson's
   * frame rate). */
  update(frame) {
    const layers = batchNormLayers(frame?.header);
    const key = layers.map((l) => `${l.path}:${l.kind}:${l.mean.length}:${l.averaged}`).join("|");
    if (key !== this.key) this.build(layers, key);
    if (!layers.length) {
      this.throttle.cancel();
      return;
    }
    this.throttle.offer(Boolean(frame.header?.playing), () => this.show(layers, frame));
  }

  /** Writes a frame's statistics into the table's cells. */
  show(layers, frame) {
    layers.forEach((layer, i) => {
      const cells = this.cells[i];
      layer.mean.forEach((v, k) => fill(cells.mean[k], v));
      layer.variance.forEach((v, k) => fill(cells.variance[k], v));
    });
    this.container.dataset.step = String(frame.header.step ?? "");
  }

  build(layers, key) {
    this.key = key;
    this.cells = [];
    this.container.hidden = !layers.length;
    if (!layers.length) {
      this.container.replaceChildren();
      return;
    }
    const widest = Math.max(...layers.map((l) => l.mean.length));
    const channels = layers.every((l) => l.kind === "channel");
    const title = el("h3", "bn-title", t("Batch-norm running statistics"));
    const note = el("p", "bn-note", t("The running mean μ and variance σ² of each unit's input before normalising: the net uses them at evaluation instead of a batch's own. Watch them settle as training goes on."));
    const table = el("table", "bn-table");
    table.dataset.testid = "bn-table";
    const head = el("tr");
    head.append(el("th", "", t("layer")), el("th", "", ""));
    for (let k = 0; k < widest; k += 1) {
      const th = el("th", "", channels ? t("channel {n}", { n: k + 1 }) : t("unit {n}", { n: k + 1 }));
      th.scope = "col";
      head.append(th);
    }
    table.append(el("thead", "", head));
    for (const layer of layers) {
      const body = el("tbody");
      body.dataset.layer = layer.path;
      body.dataset.kind = layer.kind;
      const name = el("th", "", t("BN {n}", { n: layer.number }));
      name.rowSpan = 2;
      name.scope = "rowgroup";
      name.title = layer.kind === "channel"
        ? t("Batch norm at layer {path}: a running mean and variance per channel.", { path: layer.path })
        : t("Batch norm at layer {path}: a running mean and variance per unit.", { path: layer.path });
      const cells = { mean: [], variance: [] };
      for (const [stat, label, list] of [["mean", "μ", cells.mean], ["var", "σ²", cells.variance]]) {
        const row = el("tr");
        row.dataset.stat = stat;
        if (stat === "mean") row.append(name);
        const th = el("th", "bn-stat", label);
        th.scope = "row";
        th.title = stat === "mean" ? t("running mean") : t("running variance");
        row.append(th);
        for (let k = 0; k < widest; k += 1) {
          const td = el("td");
          if (k < layer.mean.length) {
            td.dataset.unit = String(k);
            if (layer.averaged) td.title = t("the average over this channel's positions");
            list.push(td);
          }
          row.append(td);
        }
        body.append(row);
      }
      table.append(body);
      this.cells.push(cells);
    }
    const scroller = el("div", "bn-scroll", table);
    this.container.replaceChildren(title, note, scroller);
  }
}

/** A new element with a class and text (or a child). */
function el(tag, className = "", content = null) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (typeof content === "string") node.textContent = content;
  else if (content) node.append(content);
  return node;
}

/** Writes a statistic into its cell when it changed. */
function fill(td, v) {
  if (!td) return;
  const value = String(v);
  if (td.dataset.value === value) return;
  td.dataset.value = value;
  const text = statText(v);
  if (td.textContent !== text) td.textContent = text;
}
