/**
 * The kernels of every 2-D convolution layer, live: one row per conv2d layer
 * (labelled with its filters, kernel size and the colour scale), one small grid
 * per filter. A filter of a layer with C input channels shows its C kernels as
 * tiles. Colours: the diverging map on a scale shared by the layer's filters (its
 * largest |weight|), so the filters of a layer compare and each layer stays
 * readable whatever its size.
 *
 * Reads the frame's `layers` (entries of type conv2d) and the float32 arrays
 * `layers.<path>.params.W` of shape (F, C, k, k).
 */

import { el } from "../common/dom.js";
import { t } from "../common/i18n.js";
import { numberedLayer } from "../common/layer_names.js";
import { absMax, mapCanvas, paintTiles, short } from "./paint.js";

export class KernelsView {
  /** @param {HTMLElement} container where the rows go (its content is replaced) */
  constructor(container) {
    this.container = container;
    this.shape = null;
    this.rows = [];
  }

  /** The conv2d layers of a frame with their weights: [{layer, W}]. */
  static layersOf(frame) {
    const layers = frame.header.layers || [];
    return layers.filter((layer) => layer.type === "conv2d")
      .map((layer) => ({ layer, W: frame.arrays[`layers.${layer.path}.params.W`] }))
      .filter(({ W }) => W && W.shape.length === 4);
  }

  /** Draw the kernels of `frame` (rows rebuilt when the layers change). */
  update(frame) {
    const convs = KernelsView.layersOf(frame);
    const shape = convs.map(({ layer, W }) => `${layer.path}:${W.shape.join("x")}`).join("|");
    if (shape !== this.shape) this.build(convs, shape);
    convs.forEach(({ W }, i) => this.paint(this.rows[i], W));
  }

  build(convs, shape) {
    this.shape = shape;
    this.rows = convs.map(({ layer, W }, i) => this.row(layer, W, i));
    const empty = el("p", { class: "lab-note",
      text: t("This net has no convolution layers: it has no kernels to show.") });
    this.container.replaceChildren(...(this.rows.length ? this.rows.map((r) => r.box) : [empty]));
  }

  /** One layer's row: its label and a canvas per filter. */
  row(layer, W, i) {
    const [filters, channels, k] = W.shape;
    const scale = el("span", { class: "lab-scale" });
    const label = el("div", { class: "lab-row-label" },
      el("b", { text: numberedLayer("conv2d", i + 1) }),
      el("span", { text: ` ${t("{filters} filters of {channels} × {k} × {k}", { filters, channels, k })}` }),
      scale);
    const cols = tileColumns(channels);
    const canvases = [];
    for (let f = 0; f < filters; f += 1) {
      canvases.push(mapCanvas("lab-kernel", {
        "data-filter": f, role: "img",
        "aria-label": t("Filter {filter} of conv2d layer {layer}: {channels} kernels {k} by {k}",
          { filter: f + 1, layer: i + 1, channels, k }),
      }));
    }
    const strip = el("div", { class: "lab-strip" }, ...canvases);
    const box = el("div", { class: "lab-kernel-row", "data-testid": `kernels-${layer.path}`,
      "data-filters": filters, "data-channels": channels }, label, strip);
    // tiles of many channels get a smaller pixel so the filters stay about the same width
    const width = cols * k + cols - 1;
    box.style.setProperty("--lab-kernel-width", `${width * Math.max(2, Math.min(12, Math.floor(60 / width)))}px`);
    return { box, canvases, scale, cols };
  }

  paint(row, W) {
    const [filters, channels, k] = W.shape;
    const size = channels * k * k;
    const scale = absMax(W.data);
    row.scale.textContent = ` · ${t("colour scale ±{scale}", { scale: short(scale) })}`;
    for (let f = 0; f < filters; f += 1) {
      paintTiles(row.canvases[f], W.data, f * size, channels, k, row.cols, scale);
    }
  }
}

/** Columns of the tile grid of C kernels: a divisor of C near its square root. */
export function tileColumns(channels) {
  const root = Math.ceil(Math.sqrt(channels));
  for (let c = root; c <= Math.min(channels, 2 * root); c += 1) if (channels % c === 0) return c;
  return root;
}
