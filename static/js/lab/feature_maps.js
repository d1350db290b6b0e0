/**
 * The feature maps of one sample, layer by layer: every top-level layer whose
 * probe output is 3-D (C, H, W) gets a row labelled by its type and shape, with
 * one small map per channel. The maps of a row share a colour scale (the row's
 * largest |value|, diverging palette), so its channels compare.
 *
 * Reads `header.probe.layers[i]` ({path, type, argmax?}) and the quantised
 * arrays `probe.layers.<i>`. The view's element carries what it last drew for
 * the tests: `data-shift` ("dy,dx"), `data-sample` and `data-step`.
 *
 * Where the net ends in a global max pool, the winning position of each channel
 * (its `argmax`) is marked on the maps of the layer before the pool. Hovering a
 * map shows the value under the pointer (hover_box.js).
 */

import { el } from "../common/dom.js";
import { HoverBox } from "../charts/hover_box.js";
import { t } from "../common/i18n.js";
import { layerLabel, layerTypeName } from "../common/layer_names.js";
import { absMax, mapCanvas, paintDiverging, short } from "./paint.js";

/** The label of a probe layer, in the page's language: "conv2d (convolution)",
 * "activation ReLU" (common/layer_names.js). */
export function probeLayerLabel(entry, headerLayer) {
  return layerLabel(entry.type, headerLayer);
}

export class FeatureMapsView {
  /** @param {HTMLElement} container where the rows go (its content is replaced) */
  constructor(container) {
    this.container = container;
    this.shape = null;
    this.rows = [];
  }

  /** The probe's 3-D layers: [{index, entry, map}]. */
  static mapsOf(frame) {
    const entries = frame.header.probe?.layers || [];
    return entries.map((entry, index) => ({ index, entry, map: frame.arrays[`probe.layers.${index}`] }))
      .filter(({ map }) => map && map.shape.length === 3);
  }

  update(frame) {
    const maps = FeatureMapsView.mapsOf(frame);
    const shape = maps.map(({ index, map }) => `${index}:${map.shape.join("x")}`).join("|");
    if (shape !== this.shape) this.build(frame, maps, shape);
    maps.forEach(({ map }, i) => this.paint(this.rows[i], map));
    this.markWinners(frame, maps);
    const probe = frame.header.probe || {};
    this.container.dataset.shift = (probe.shift || [0, 0]).join(",");
    this.container.dataset.sample = `${probe.draw || probe.set}:${probe.index}`;
    this.container.dataset.step = String(frame.header.step);
  }

  build(frame, maps, shape) {
    this.shape = shape;
    const byPath = Object.fromEntries((frame.header.layers || []).map((l) => [String(l.path), l]));
    this.rows = maps.map(({ index, entry, map }) => this.row(index, entry, map, byPath[entry.path]));
    const empty = el("p", { class: "lab-note",
      text: t("This net has no layer with feature maps (it flattens the image first).") });
    this.container.replaceChildren(...(this.rows.length ? this.rows.map((r) => r.box) : [empty]));
  }

  row(index, entry, map, headerLayer) {
    const [channels, h, w] = map.shape;
    const scale = el("span", { class: "lab-scale" });
    const label = el("div", { class: "lab-row-label" },
      el("b", { text: probeLayerLabel(entry, headerLayer) }),
      el("span", { text: ` ${channels} × ${h} × ${w}` }), scale);
    const cells = [];
    for (let c = 0; c < channels; c += 1) {
      const canvas = mapCanvas("lab-map", { "data-channel": c, role: "img",
        "aria-label": t("Channel {channel} of layer {layer} ({type}), {h} by {w}",
          { channel: c + 1, layer: index + 1, type: layerTypeName(entry.type), h, w }) });
      const mark = el("span", { class: "lab-winner", hidden: true });
      cells.push({ canvas, mark, cell: el("div", { class: "lab-map-cell" }, canvas, mark) });
    }
    const row = { cells, index, map };
    cells.forEach((cell, c) => this.hoverable(row, cell, c, probeLayerLabel(entry, headerLayer)));
    const strip = el("div", { class: "lab-strip lab-map-strip" }, ...cells.map((c) => c.cell));
    strip.style.setProperty("--lab-count", String(channels));
    const box = el("div", { class: "lab-map-row", "data-testid": `maps-${index}`,
      "data-type": entry.type, "data-shape": map.shape.join("x") }, label, strip);
    return Object.assign(row, { box, scale });
  }

  /** Show the value under the pointer on one channel's map. */
  hoverable(row, cell, c, label) {
    const box = new HoverBox(cell.canvas);
    cell.canvas.addEventListener("pointermove", (event) => {
      const [, h, w] = row.map.shape;
      const canvas = cell.canvas;
      const rect = canvas.getBoundingClientRect();
      const x = event.clientX - rect.left - canvas.clientLeft;
      const y = event.clientY - rect.top - canvas.clientTop;
      const col = Math.max(0, Math.min(w - 1, Math.floor((x / canvas.clientWidth) * w)));
      const r = Math.max(0, Math.min(h - 1, Math.floor((y / canvas.clientHeight) * h)));
      const value = row.map.data[c * h * w + r * w + col];
      box.show(x, y, t("{layer}, channel {channel}", { layer: label, channel: c + 1 }),
        [{ label: t("row {row}, column {column}", { row: r, column: col }), value: short(value) }], 9999);
    });
    cell.canvas.addEventListener("pointerleave", () => box.hide());
  }

  paint(row, map) {
    row.map = map;
    const [channels, h, w] = map.shape;
    const scale = absMax(map.data);
    row.scale.textContent = ` · ${t("scale ±{scale}", { scale: short(scale) })}`;
    for (let c = 0; c < channels; c += 1) {
      paintDiverging(row.cells[c].canvas, map.data, c * h * w, h, w, scale);
    }
  }

  /** Mark, on the row feeding a global max pool, each channel's winning position. */
  markWinners(frame, maps) {
    const entries = frame.header.probe?.layers || [];
    const pool = entries.findIndex((e) => e.type === "global_max_pool" && Array.isArray(e.argmax));
    for (let i = 0; i < maps.length; i += 1) {
      const row = this.rows[i];
      const [, h, w] = maps[i].map.shape;
      const winners = pool > 0 && row.index === pool - 1 ? entries[pool].argmax : null;
      row.cells.forEach(({ mark }, c) => {
        const at = winners ? winners[c] : undefined;
        const map = maps[i].map;
        // a channel that is zero everywhere has no winner worth marking
        mark.hidden = !(Number.isInteger(at) && at >= 0 && at < h * w
          && map.data[c * h * w + at] > 0);
        if (mark.hidden) return;
        mark.style.left = `${((at % w) / w) * 100}%`;
        mark.style.top = `${(Math.floor(at / w) / h) * 100}%`;
        mark.style.width = `${100 / w}%`;
        mark.style.height = `${100 / h}%`;
      });
      if (winners) row.box.dataset.argmax = winners.join(",");
    }
  }
}
