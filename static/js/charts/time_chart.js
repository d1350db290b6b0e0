/**
 * The machinery shared by the time-series charts (loss_chart.js,
 * gradient_chart.js): rows `{step, values}` kept against the training step,
 * thinned past MAX_POINTS, redrawn at most once per animation frame, with the
 * step axis, grid lines, legend rows, and a vertical rule and value box under
 * the pointer. A step going backwards (a reset) starts afresh. A chart's y range
 * is its own values' (`extent()`), or, when it is joined to a `SharedAxis`
 * (shared_axis.js), the union of every member's. After each draw the canvas's
 * `data-y-ticks` holds the y axis's labels (JSON; read by the browser tests).
 */

import { fitCanvas } from "../common/canvas_fit.js";
import { drawRule, drawSwatch, traceRows } from "./lines.js";
import { niceTicks } from "./scales.js";
import { HoverBox } from "./hover_box.js";
import { readTheme } from "../common/palette.js";
import { t } from "../common/i18n.js";

/** Most rows a chart keeps; past it the older half is thinned to every other row. */
export const MAX_POINTS = 2000;

const DASH = [6, 4];

/** Index of the row whose `step` is nearest `step` (rows sorted by step, non-empty). */
function nearestIndex(rows, step) {
  let lo = 0;
  let hi = rows.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].step <= step) lo = mid; else hi = mid;
  }
  return Math.abs(rows[hi].step - step) < Math.abs(rows[lo].step - step) ? hi : lo;
}

/** A number from a header value: null, missing or non-numbers give NaN. */
export function numberOr(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : NaN;
}

/**
 * Rows `{step, values: number[]}` against step, with coalesced redraws, hover
 * and axes. Subclasses fill in the hooks (internal, not part of the interface):
 * `rowOf(header)` (the row of a frame, or null), `yValues(row)` (the values the
 * y axis must hold; default all), `plotArea(size)`, `yScale(plot)`, `drawYAxes`,
 * `drawSeries`, `drawLegend` and `hoverRows(row)`; `drawPlot(plot, theme)` may be
 * overridden to draw another view of the rows.
 */
export class TimeChart {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.fallback = { width: canvas.width || 300, height: canvas.height || 150 };
    this.rows = [];
    this.hoverX = -1;
    this.frameRequest = 0;
    /** @type {import("./shared_axis.js").SharedAxis|null} set by SharedAxis.add */
    this.axis = null;
    this.extentCache = null;
    this.hoverBox = new HoverBox(canvas);
    this.theme = readTheme(canvas);
    this.onMove = (event) => this.#hover(event);
    this.onLeave = () => this.#leave();
    canvas.addEventListener("pointermove", this.onMove);
    canvas.addEventListener("pointerleave", this.onLeave);
    this.resizer = typeof ResizeObserver === "function" ? new ResizeObserver(() => this.requestDraw()) : null;
    if (this.resizer) this.resizer.observe(canvas);
    this.requestDraw();
  }

  /** Forget every row (a new run); the chart draws empty. */
  reset() {
    this.rows = [];
    this.hoverBox.hide();
    this.valuesChanged();
    this.requestDraw();
  }

  /**
   * Add the metrics of a decoded frame ({header}) or of a bare header. A step
   * below the last one starts afresh (the run was reset); the same step again
   * replaces the last row (a frame after a command).
   */
  push(frame) {
    const header = frame && frame.header ? frame.header : frame;
    if (!header || !Number.isFinite(header.step)) return;
    const row = this.rowOf(header);
    if (!row) return;
    const last = this.rows[this.rows.length - 1];
    if (last && header.step < last.step) this.rows = [];
    if (last && header.step === last.step) this.rows[this.rows.length - 1] = row;
    else this.rows.push(row);
    if (this.rows.length > MAX_POINTS) this.rows = thin(this.rows);
    this.valuesChanged();
    this.requestDraw();
  }

  /** The rows changed: forget the cached extent and tell the shared axis. */
  valuesChanged() {
    this.extentCache = null;
    this.axis?.changed(this);
  }

  /** The values of a row that the y axis must hold (subclasses may pick some). */
  yValues(row) {
    return row.values;
  }

  /**
   * This chart's own y extent: `{lo, hi}`, the smallest positive and the
   * largest finite value of `yValues` over the rows (NaN when there is none).
   * @returns {{lo: number, hi: number}}
   */
  extent() {
    if (!this.extentCache) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const row of this.rows) {
        for (const v of this.yValues(row)) {
          if (!Number.isFinite(v)) continue;
          if (v > 0 && v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      this.extentCache = { lo: Number.isFinite(lo) ? lo : NaN, hi: Number.isFinite(hi) ? hi : NaN };
    }
    return this.extentCache;
  }

  /** The y range to draw over: the shared axis's union, or this chart's extent. */
  yRange() {
    return this.axis ? this.axis.range() : this.extent();
  }

  /** Redraw at the next animation frame (several calls in one frame draw once). */
  requestDraw() {
    if (this.frameRequest) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = 0;
      this.draw();
    });
  }

  /** Stop listening, leave the shared axis and drop the hover box. */
  destroy() {
    this.axis?.delete(this);
    if (this.frameRequest) cancelAnimationFrame(this.frameRequest);
    this.frameRequest = 0;
    if (this.resizer) this.resizer.disconnect();
    this.canvas.removeEventListener("pointermove", this.onMove);
    this.canvas.removeEventListener("pointerleave", this.onLeave);
    this.hoverBox.destroy();
  }

  /** Draw now: axes, series, legend, and the hover rule and box. */
  draw() {
    const size = fitCanvas(this.canvas, this.fallback);
    const ctx = this.ctx;
    const theme = readTheme(this.canvas);
    this.theme = theme;
    ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
    ctx.clearRect(0, 0, size.width, size.height);
    ctx.font = theme.font;
    const plot = this.plotArea(size);
    if (plot.w < 20 || plot.h < 20) return;
    if (this.rows.length === 0) {
      this.#drawEmpty(plot, theme);
      this.hoverBox.hide();
      delete this.canvas.dataset.yTicks;
      return;
    }
    this.drawPlot(plot, theme);
  }

  /** The rows against step: axes, series (clipped to the plot), legend, hover. */
  drawPlot(plot, theme) {
    const ctx = this.ctx;
    const x = this.#xScale(plot);
    const y = this.yScale(plot);
    this.#drawXAxis(plot, x, theme);
    this.drawYAxes(plot, y, theme);
    this.canvas.dataset.yTicks = JSON.stringify(y.ticks.map((tick) => tick.label));
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.x, plot.y - 1, plot.w, plot.h + 2);
    ctx.clip();
    this.drawSeries(plot, x, y);
    ctx.restore();
    this.drawLegend(plot, theme);
    this.#drawHover(plot, x, theme);
  }

  /** The plot rectangle in CSS px: {x, y, w, h}; subclasses widen the margins. */
  plotArea(size, right = 14, top = 24) {
    const left = 50;
    const bottom = 28;
    return { x: left, y: top, w: size.width - left - right, h: size.height - top - bottom };
  }

  /** step -> x (CSS px) over the first..last step. */
  #xScale(plot) {
    const first = this.rows[0].step;
    const last = Math.max(this.rows[this.rows.length - 1].step, first + 1);
    const scale = (step) => plot.x + ((step - first) / (last - first)) * plot.w;
    scale.lo = first;
    scale.hi = last;
    scale.invert = (px) => first + ((px - plot.x) / plot.w) * (last - first);
    return scale;
  }

  /** Step ticks along the bottom and the axis name. */
  #drawXAxis(plot, x, theme) {
    const ticks = niceTicks(x.lo, x.hi, Math.max(2, Math.floor(plot.w / 80)))
      .filter((v) => Number.isInteger(v));
    this.drawBottomAxis(plot, ticks.map((v) => ({ x: x(v), label: String(v) })), t("step"), theme);
  }

  /**
   * The bottom axis: its line, labels `[{x, label}]` under it (CSS px) and its
   * name at the right end.
   */
  drawBottomAxis(plot, labels, name, theme) {
    const ctx = this.ctx;
    ctx.fillStyle = theme.muted;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const { x, label } of labels) ctx.fillText(label, x, plot.y + plot.h + 5);
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText(name, plot.x + plot.w, plot.y + plot.h + 27);
    ctx.strokeStyle = theme.axis;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(plot.x, plot.y + plot.h + 0.5);
    ctx.lineTo(plot.x + plot.w, plot.y + plot.h + 0.5);
    ctx.stroke();
  }

  /** Horizontal grid lines and labels at `ticks` ({value, label}) of the y scale. */
  drawGrid(plot, y, ticks, theme, align = "left") {
    const ctx = this.ctx;
    ctx.textBaseline = "middle";
    ctx.textAlign = align === "left" ? "right" : "left";
    const labelX = align === "left" ? plot.x - 6 : plot.x + plot.w + 6;
    for (const { value, label } of ticks) {
      const py = Math.round(y(value)) + 0.5;
      if (align === "left") {
        ctx.strokeStyle = theme.grid;
        ctx.beginPath();
        ctx.moveTo(plot.x, py);
        ctx.lineTo(plot.x + plot.w, py);
        ctx.stroke();
      }
      ctx.fillStyle = theme.muted;
      ctx.fillText(label, labelX, py);
    }
  }

  /**
   * One line through (step, rows[i].values[column]) for the rows where that
   * value is a number y can place (see charts/lines.js traceRows).
   */
  strokeSeries(x, y, column, color, dashed, width = 1.75) {
    const ctx = this.ctx;
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.setLineDash(dashed ? DASH : []);
    traceRows(ctx, this.rows, x, y, column);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  /** Width (CSS px) of a legend row of `entries` in the current font. */
  legendWidth(entries) {
    return entries.reduce((sum, { label }) => sum + 38 + this.ctx.measureText(label).width, -14);
  }

  /**
   * Legend entries `[{label, color, dashed}]` laid out in one row at height `py`
   * (CSS px from the top), starting at the plot's left edge, or further left
   * when the row would not fit (a narrow chart: no label cut at the right edge).
   */
  drawLegendRow(plot, entries, theme, py) {
    const ctx = this.ctx;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    const width = this.canvas.clientWidth || this.fallback.width;
    let at = Math.max(4, Math.min(plot.x, width - 4 - this.legendWidth(entries)));
    for (const { label, color, dashed } of entries) {
      drawSwatch(ctx, at, py, color, dashed);
      ctx.fillStyle = theme.ink;
      ctx.fillText(label, at + 24, py);
      at += 24 + ctx.measureText(label).width + 14;
    }
  }

  /** A note in the middle of an empty plot. */
  #drawEmpty(plot, theme) {
    const ctx = this.ctx;
    ctx.fillStyle = theme.muted;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(t("No steps yet: train the network to see this chart."), plot.x + plot.w / 2, plot.y + plot.h / 2);
  }

  /** The rule at the step nearest the pointer, and the box of values there. */
  #drawHover(plot, x, theme) {
    if (this.hoverX < plot.x || this.hoverX > plot.x + plot.w) {
      this.hoverBox.hide();
      return;
    }
    const row = this.rows[nearestIndex(this.rows, x.invert(this.hoverX))];
    const px = Math.round(x(row.step)) + 0.5;
    drawRule(this.ctx, px, plot, theme.ink);
    this.hoverBox.show(px, plot.y + plot.h / 3, t("step {n}", { n: row.step }), this.hoverRows(row),
      plot.x + plot.w);
  }

  /** Follow the pointer: remember its x and redraw. */
  #hover(event) {
    const box = this.canvas.getBoundingClientRect();
    this.hoverX = event.clientX - box.left;
    this.requestDraw();
  }

  /** The pointer left: no rule, no box. */
  #leave() {
    this.hoverX = -1;
    this.hoverBox.hide();
    this.requestDraw();
  }
}

/** Rows with the older half thinned to every other row (the newer half kept whole). */
function thin(rows) {
  const half = rows.length >> 1;
  return rows.slice(0, half).filter((_, i) => i % 2 === 0).concat(rows.slice(half));
}
