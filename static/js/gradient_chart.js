/**
 * The gradient chart: per dense layer, the norm of dL/dW against the training
 * step on a log axis, one line per layer coloured from the input side (dark) to
 * the output (light), with a legend by layer. It starts afresh when the dense
 * layers change (a new network). The canvas's `data-lines` and `data-points` say
 * what was last drawn (read by the browser tests).
 */

import { drawSwatch } from "./chart_lines.js";
import { decadeLabel, formatNumber, logScale } from "./chart_scales.js";
import { css, sequentialRGB } from "./palette.js";
import { numberOr, TimeChart } from "./time_chart.js";
import { t } from "./i18n.js";

/**
 * Per dense layer (header `layers` entries with `type == "dense"`, in order, keyed
 * by `path`), `weight_grad_norm` against step on a log axis. Lines are coloured
 * along a sequential ramp from the first layer (dark) to the output (light); the
 * legend on the right reads "layer 1 (input side)", "layer 2", ..., "output".
 * A frame with other dense layers than before starts the chart afresh.
 */
export class GradientChart extends TimeChart {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    super(canvas);
    this.paths = [];
  }

  reset() {
    this.paths = [];
    super.reset();
  }

  rowOf(h) {
    if (!Array.isArray(h.layers)) return null;
    const dense = h.layers.filter((layer) => layer.type === "dense");
    const paths = dense.map((layer) => String(layer.path));
    if (paths.join("|") !== this.paths.join("|")) {
      this.rows = [];
      this.paths = paths;
    }
    return { step: h.step, values: dense.map((layer) => numberOr(layer.weight_grad_norm)) };
  }

  /** Layer names for the legend and the hover box. */
  labels() {
    const n = this.paths.length;
    return this.paths.map((_, i) => {
      if (i === n - 1) return t("output");
      return i === 0 ? t("layer 1 (input side)") : t("layer {n}", { n: i + 1 });
    });
  }

  /** Colour of layer i of n: the sequential ramp from the input side to the output. */
  colorOf(i) {
    const n = this.paths.length;
    return css(sequentialRGB(n > 1 ? i / (n - 1) : 1));
  }

  /** The plot, leaving room on the right for the legend column. */
  plotArea(size) {
    const widest = Math.max(0, ...this.labels().map((label) => this.ctx.measureText(label).width));
    return super.plotArea(size, Math.min(widest + 40, size.width * 0.4), 14);
  }

  /** norm -> y over whole decades of the positive norms, labelled 1e-6 ... */
  yScale(plot) {
    const values = [];
    for (const r of this.rows) for (const v of r.values) if (v > 0 && Number.isFinite(v)) values.push(v);
    return logScale(plot, values, decadeLabel);
  }

  drawYAxes(plot, y, theme) {
    this.drawGrid(plot, y, y.ticks, theme, "left");
  }

  /** One line per layer; zero or missing norms are skipped (a log axis has no 0).
   * The canvas's `data-lines` and `data-points` say what was drawn (for tests). */
  drawSeries(plot, x, y) {
    for (let i = this.paths.length - 1; i >= 0; i -= 1) this.strokeSeries(x, y, i, this.colorOf(i), false);
    this.canvas.dataset.lines = String(this.paths.length);
    this.canvas.dataset.points = String(this.rows.length);
  }

  /**
   * The legend in a column right of the plot; when there are more layers than
   * lines of room, an even selection (always the first and the output).
   */
  drawLegend(plot, theme) {
    const ctx = this.ctx;
    const labels = this.labels();
    const rowHeight = 16;
    const room = Math.max(2, Math.floor(plot.h / rowHeight));
    const shown = pickEvenly(labels.length, room);
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    shown.forEach((i, k) => {
      const py = plot.y + 6 + k * rowHeight;
      drawSwatch(ctx, plot.x + plot.w + 10, py, this.colorOf(i), false);
      ctx.fillStyle = theme.ink;
      ctx.fillText(labels[i], plot.x + plot.w + 32, py);
    });
    ctx.fillStyle = theme.muted;
    ctx.textAlign = "left";
    ctx.textBaseline = "bottom";
    ctx.fillText(t("‖dL/dW‖ (log)"), plot.x + 4, plot.y - 1);
  }

  hoverRows(row) {
    const labels = this.labels();
    return labels.map((label, i) => ({
      label, value: formatNumber(row.values[i], 3), color: this.colorOf(i),
    }));
  }
}

/** Up to `room` indices of 0..n-1 spread evenly, always with the first and the last. */
function pickEvenly(n, room) {
  if (n <= room) return [...Array(n).keys()];
  const picked = new Set();
  for (let k = 0; k < room; k += 1) picked.add(Math.round((k * (n - 1)) / (room - 1)));
  return [...picked].sort((a, b) => a - b);
}
