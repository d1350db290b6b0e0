/**
 * Three poolings of the same maps side by side: the first convolution block's
 * output (the layer named by `probe.pooling.source`) pooled by 2x2 max, 2x2 mean
 * and overlapping 3x3 max every 2 pixels. Each panel is labelled with its
 * pooling and the pooled shape; the three share one colour scale, so a bright
 * feature that mean pooling washes out is seen fading next to the max.
 *
 * Reads the quantised arrays `probe.pooling.max`, `probe.pooling.mean` and
 * `probe.pooling.overlapping` ((C, h, w)) and `header.probe.pooling.source`.
 */

import { el } from "../common/dom.js";
import { t } from "../common/i18n.js";
import { layerLabel } from "../common/layer_names.js";
import { absMax, mapCanvas, paintDiverging, short } from "./paint.js";

/** The three panels: array key, title, stride, what it does. */
const KINDS = [
  ["max", t("max 2×2"), 2, t("the strongest response of each 2×2 window")],
  ["mean", t("mean 2×2"), 2, t("the average of each 2×2 window")],
  ["overlapping", t("overlapping max 3×3"), 2,
    t("the strongest response of 3×3 windows every 2 pixels (neighbouring windows share pixels)")],
];

export class PoolingView {
  /** @param {HTMLElement} container where the panels go (its content is replaced) */
  constructor(container) {
    this.container = container;
    this.shape = null;
    this.panels = [];
    this.source = el("p", { class: "lab-note" });
  }

  update(frame) {
    const maps = KINDS.map(([key]) => frame.arrays[`probe.pooling.${key}`]);
    if (maps.some((m) => !m || m.shape.length !== 3)) {
      if (this.shape !== "none") {
        this.shape = "none";
        this.panels = [];
        this.container.replaceChildren(el("p", { class: "lab-note",
          text: t("This net has no convolution block to pool.") }));
      }
      return;
    }
    const shape = maps.map((m) => m.shape.join("x")).join("|");
    if (shape !== this.shape) this.build(maps, shape);
    const scale = Math.max(...maps.map((m) => absMax(m.data)));
    maps.forEach((map, i) => this.paint(this.panels[i], map, scale));
    const source = frame.header.probe?.pooling?.source;
    const layer = (frame.header.layers || []).find((l) => String(l.path) === String(source));
    const values = { layer: source ?? "?", scale: short(scale),
      type: layer ? layerLabel(layer.type, layer) : "" };
    this.source.textContent = layer
      ? t("Pooled from the output of layer {layer} ({type}) · one colour scale ±{scale} for all three", values)
      : t("Pooled from the output of layer {layer} · one colour scale ±{scale} for all three", values);
  }

  build(maps, shape) {
    this.shape = shape;
    this.panels = maps.map((map, i) => this.panel(KINDS[i], map));
    this.container.replaceChildren(this.source,
      el("div", { class: "lab-pool-grid" }, ...this.panels.map((p) => p.box)));
  }

  panel([key, title, stride, what], map) {
    const [channels, h, w] = map.shape;
    const canvases = [];
    for (let c = 0; c < channels; c += 1) {
      canvases.push(mapCanvas("lab-map lab-pool-map", { "data-channel": c, role: "img",
        "aria-label": t("Channel {channel} after {pooling} pooling, {h} by {w}",
          { channel: c + 1, pooling: title, h, w }) }));
    }
    const heading = el("h4", { text: title });
    const size = el("p", { class: "lab-pool-size", "data-testid": `pool-${key}-size`,
      text: t("stride {stride} → {channels} × {h} × {w}", { stride, channels, h, w }) });
    const box = el("figure", { class: "lab-pool-panel", "data-testid": `pool-${key}`,
      "data-shape": map.shape.join("x"), title: what },
    heading, size, el("div", { class: "lab-pool-maps" }, ...canvases));
    return { box, canvases };
  }

  paint(panel, map, scale) {
    const [channels, h, w] = map.shape;
    for (let c = 0; c < channels; c += 1) {
      paintDiverging(panel.canvases[c], map.data, c * h * w, h, w, scale);
    }
  }
}
