/**
 * Gradient by depth for the lab: the playground's gradient chart (one line per
 * layer, the norm of dL/dW on a log axis, coloured from the input side to the
 * output) over every layer with weights that the frame reports a gradient norm
 * for: convolution layers (conv2d, conv1d) as well as dense ones. The legend
 * names each line by its type ("conv2d 1", "conv2d 2", "dense 1", ..., "output").
 */

import { GradientChart } from "../charts/gradient_chart.js";
import { t } from "../common/i18n.js";
import { numberedLayer } from "../common/layer_names.js";
import { numberOr } from "../charts/time_chart.js";

/** Layer types whose weight-gradient norm is drawn. */
const WEIGHTED = new Set(["conv2d", "conv1d", "dense"]);

export class DepthGradientChart extends GradientChart {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    super(canvas);
    this.kinds = [];
  }

  reset() {
    this.kinds = [];
    super.reset();
  }

  rowOf(h) {
    if (!Array.isArray(h.layers)) return null;
    const weighted = h.layers.filter((layer) => WEIGHTED.has(layer.type)
      && typeof layer.weight_grad_norm === "number");
    const paths = weighted.map((layer) => String(layer.path));
    if (paths.join("|") !== this.paths.join("|")) {
      this.rows = [];
      this.paths = paths;
      this.kinds = weighted.map((layer) => layer.type);
    }
    return { step: h.step, values: weighted.map((layer) => numberOr(layer.weight_grad_norm)) };
  }

  /** "conv2d 1", "conv2d 2", "dense 1", ..., and "output" for the last layer. */
  labels() {
    const seen = {};
    const n = this.kinds.length;
    return this.kinds.map((kind, i) => {
      seen[kind] = (seen[kind] || 0) + 1;
      if (i === n - 1 && kind === "dense") return t("output");
      return numberedLayer(kind, seen[kind]);
    });
  }
}
