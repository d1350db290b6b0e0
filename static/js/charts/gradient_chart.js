/**
 * The gradient chart: per dense layer, the norm of dL/dW on a log axis, in one
 * of two views:
 *
 * - "time": one line per layer against the training step, coloured from the
 *   input side (dark) to the output (light), with a legend naming every layer
 *   (in as many columns as the height needs);
 * - "depth": one bar per layer, first hidden layer to output, for the newest
 *   frame: the vanishing-gradient picture as a staircase.
 *
 * It starts afresh when the dense layers change (a new network). What was last
 * drawn is on the canvas for the browser tests: `data-view`; in the time view
 * `data-lines`, `data-points` and `data-legend` (the legend's labels, JSON); in
 * the depth view `data-bars`, `data-step`, `data-values` (the bars' norms, JSON),
 * `data-labels` (the labels under the bars, JSON) and `data-plot` (the plot's
 * [x, y, width, height] in CSS px, JSON).
 */

import { drawSwatch } from "./lines.js";
import { decadeLabel, formatNumber, logScale } from "./scales.js";
import { css, sequentialRGB } from "../common/palette.js";
import { numberOr, TimeChart } from "./time_chart.js";
import { t } from "../common/i18n.js";

/** The views of the chart. */
export const GRADIENT_VIEWS = Object.freeze(["time", "depth"]);

/** Room (CSS px) above the bars for the axis's unit and the frame's step. */
const TOP_OF_BARS = 24;

/**
 * Per dense layer (header `layers` entries with `type == "dense"`, in order, keyed
 * by `path`), `weight_grad_norm` on a log axis: against step (view "time"), or
 * the newest frame's as bars by depth (view "depth"). Lines and bars are
 * coloured along a sequential ramp from the first layer (dark) to the output
 * (light); the layers are named "layer 1 (input side)", "layer 2", ..., "output".
 * A frame with other dense layers than before starts the chart afresh.
 */
export class GradientChart extends TimeChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{view?: string}} [options] view: "time" (default) or "depth"
   */
  constructor(canvas, { view = "time" } = {}) {
    super(canvas);
    this.paths = [];
    this.view = GRADIENT_VIEWS.includes(view) ? view : "time";
  }

  /** Show the norms against step ("time") or the newest frame's by depth ("depth"). */
  setView(view) {
    if (!GRADIENT_VIEWS.includes(view)) return;
    this.view = view;
    this.hoverBox.hide();
    this.requestDraw();
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

  /** Short names under the bars: the layer's number, "out" for the output. */
  shortLabels() {
    const n = this.labels().length;
    return this.labels().map((_, i) => (i === n - 1 && n > 1 ? t("out") : String(i + 1)));
  }

  /** Colour of layer i of n: the sequential ramp from the input side to the output. */
  colorOf(i) {
    return css(this.#rgbOf(i));
  }

  #rgbOf(i) {
    const n = this.paths.length;
    return sequentialRGB(n > 1 ? i / (n - 1) : 1);
  }

  /** The plot: in the time view leaving room on the right for the legend's columns. */
  plotArea(size) {
    if (this.view === "depth") return super.plotArea(size, 14, TOP_OF_BARS);
    const legend = this.#legendLayout(size.height);
    return super.plotArea(size, legend.width, 14);
  }

  /** norm -> y over whole decades of the positive norms (of every chart sharing
   * the axis), labelled 1e-6 ... */
  yScale(plot) {
    const { lo, hi } = this.yRange();
    return logScale(plot, [lo, hi].filter((v) => v > 0), decadeLabel);
  }

  drawYAxes(plot, y, theme) {
    this.drawGrid(plot, y, y.ticks, theme, "left");
  }

  /** The time view (TimeChart's), or the bars of the newest frame. */
  drawPlot(plot, theme) {
    this.canvas.dataset.view = this.view;
    const other = this.view === "depth" ? ["lines", "points", "legend"]
      : ["bars", "step", "values", "labels", "plot"];
    for (const key of other) delete this.canvas.dataset[key];
    if (this.view === "depth") this.#drawBars(plot, theme);
    else super.drawPlot(plot, theme);
  }

  /** One line per layer; zero or missing norms are skipped (a log axis has no 0).
   * The canvas's `data-lines` and `data-points` say what was drawn (for tests). */
  drawSeries(plot, x, y) {
    for (let i = this.paths.length - 1; i >= 0; i -= 1) this.strokeSeries(x, y, i, this.colorOf(i), false);
    this.canvas.dataset.lines = String(this.paths.length);
    this.canvas.dataset.points = String(this.rows.length);
  }

  /** The legend in columns right of the plot: every layer, first to output. */
  drawLegend(plot, theme) {
    const ctx = this.ctx;
    const labels = this.labels();
    const layout = this.#legendLayout(plot.h + 14 + 28);
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    let left = plot.x + plot.w + 10;
    for (const column of layout.columns) {
      column.indices.forEach((i, k) => {
        const py = plot.y + 6 + k * layout.rowHeight;
        drawSwatch(ctx, left, py, this.colorOf(i), false);
        ctx.fillStyle = theme.ink;
        ctx.fillText(labels[i], left + 22, py);
      });
      left += column.width;
    }
    this.canvas.dataset.legend = JSON.stringify(labels);
    this.#drawUnit(plot, theme);
  }

  hoverRows(row) {
    const labels = this.labels();
    return labels.map((label, i) => ({
      label, value: formatNumber(row.values[i], 3), color: this.colorOf(i),
    }));
  }

  /** "‖dL/dW‖ (log)" above the plot's top left corner. */
  #drawUnit(plot, theme) {
    const ctx = this.ctx;
    ctx.fillStyle = theme.muted;
    ctx.textAlign = "left";
    ctx.textBaseline = "bottom";
    ctx.fillText(t("‖dL/dW‖ (log)"), plot.x + 4, plot.y - 1);
  }

  /** Height (CSS px) of a legend row in the current font. */
  #rowHeight() {
    const px = Number((/(\d+(?:\.\d+)?)px/.exec(this.ctx.font) || [])[1]) || 12;
    return Math.round(px * 1.2);
  }

  /**
   * The legend's columns for a canvas `height` CSS px high: as few columns as
   * hold every layer, each `{indices, width}`, and the room they take in all
   * (`width`, CSS px, the gap to the plot included).
   */
  #legendLayout(height) {
    const labels = this.labels();
    const rowHeight = this.#rowHeight();
    const plotHeight = height - 14 - 28;
    const room = Math.max(1, Math.floor((plotHeight - 6) / rowHeight) + 1);
    const count = Math.max(1, Math.ceil(labels.length / room));
    const perColumn = Math.max(1, Math.ceil(labels.length / count));
    const columns = [];
    for (let start = 0; start < labels.length; start += perColumn) {
      const indices = [...Array(Math.min(perColumn, labels.length - start)).keys()].map((k) => start + k);
      const widest = Math.max(...indices.map((i) => this.ctx.measureText(labels[i]).width));
      columns.push({ indices, width: 22 + widest + 12 });
    }
    return { columns, rowHeight, width: 10 + columns.reduce((sum, c) => sum + c.width, 0) };
  }

  /** The depth view: a bar per layer for the newest row, on the log axis. */
  #drawBars(plot, theme) {
    const ctx = this.ctx;
    const row = this.rows[this.rows.length - 1];
    const y = this.yScale(plot);
    this.drawYAxes(plot, y, theme);
    const n = row.values.length;
    const slot = plot.w / Math.max(1, n);
    const width = Math.max(2, Math.min(slot * 0.7, 56));
    const base = plot.y + plot.h;
    const short = this.shortLabels();
    row.values.forEach((value, i) => {
      const left = plot.x + i * slot + (slot - width) / 2;
      const top = value > 0 ? Math.max(plot.y, Math.min(base, y(value))) : base;
      ctx.fillStyle = this.colorOf(i);
      ctx.fillRect(left, top, width, base - top);
      const text = formatNumber(value, 2);
      if (ctx.measureText(text).width + 4 > slot) return;
      // above the bar, or inside its top when the bar reaches the top of the plot
      const inside = top - this.#rowHeight() < plot.y;
      const [r, g, b] = this.#rgbOf(i);
      ctx.fillStyle = !inside || 0.299 * r + 0.587 * g + 0.114 * b > 140 ? theme.ink : "#ffffff";
      ctx.textAlign = "center";
      ctx.textBaseline = inside ? "top" : "bottom";
      ctx.fillText(text, left + width / 2, inside ? top + 2 : top - 2);
    });
    const every = Math.max(1, Math.ceil(Math.max(...short.map((s) => ctx.measureText(s).width + 6)) / slot));
    const ticks = short.map((label, i) => ({ x: plot.x + (i + 0.5) * slot, label }))
      .filter((_, i) => i % every === 0 || i === n - 1);
    this.drawBottomAxis(plot, ticks, t("layer (input side → output)"), theme);
    this.#drawUnit(plot, theme);
    ctx.fillStyle = theme.muted;
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText(t("step {n}", { n: row.step }), plot.x + plot.w, plot.y - 1);
    this.#hoverBar(plot, row, slot);
    Object.assign(this.canvas.dataset, {
      bars: String(n), step: String(row.step), values: JSON.stringify(row.values),
      labels: JSON.stringify(short), yTicks: JSON.stringify(y.ticks.map((tick) => tick.label)),
      plot: JSON.stringify([plot.x, plot.y, plot.w, plot.h]),
    });
  }

  /** The box naming the bar under the pointer and its norm. */
  #hoverBar(plot, row, slot) {
    const i = Math.floor((this.hoverX - plot.x) / slot);
    if (this.hoverX < plot.x || i < 0 || i >= row.values.length) {
      this.hoverBox.hide();
      return;
    }
    this.hoverBox.show(plot.x + (i + 0.5) * slot, plot.y + plot.h / 3, t("step {n}", { n: row.step }),
      [{ label: this.labels()[i], value: formatNumber(row.values[i], 3), color: this.colorOf(i) }],
      plot.x + plot.w);
  }
}
