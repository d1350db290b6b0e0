/**
 * Time series of a run, drawn on a canvas against the training step.
 *
 * - `LossChart`: train and test loss (solid, dashed) on the left axis, and train
 *   and test accuracy (0..1) on a right axis when the task has them.
 * - `GradientChart`: per dense layer, the norm of dL/dW on a log axis, one line per
 *   layer coloured from the input side (dark) to the output (light).
 *
 * Both take decoded frames (`push(frame)`, reading only `frame.header`), redraw at
 * most once per animation frame, show a vertical rule and a value box under the
 * pointer, and start afresh when the step goes backwards (a reset) or, for the
 * gradient chart, when the dense layers change (a new network).
 *
 * Small canvas helpers shared by the other views are exported too:
 * `fitCanvas`, `formatNumber`, `niceTicks`, `HoverBox`.
 */

import { css, readTheme, sequentialRGB } from "./palette.js";

/** Most rows a chart keeps; past it the older half is thinned to every other row. */
export const MAX_POINTS = 2000;

const DASH = [6, 4];

// ---------------------------------------------------------------------------
// Shared helpers

/**
 * Size the canvas's backing store to its CSS box times devicePixelRatio and
 * return the CSS size. `fallback` ({width, height}, CSS px) is used while the
 * canvas has no layout box (detached or hidden). If the canvas has no CSS size of
 * its own (its box followed the backing store), its style size is pinned so that
 * it does not grow with every resize.
 *
 * @param {HTMLCanvasElement} canvas
 * @param {{width: number, height: number}} fallback
 * @returns {{width: number, height: number, dpr: number}}
 */
export function fitCanvas(canvas, fallback) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || fallback.width;
  const height = canvas.clientHeight || fallback.height;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    if (canvas.clientWidth && canvas.clientWidth !== width) canvas.style.width = `${width}px`;
    if (canvas.clientHeight && canvas.clientHeight !== height) canvas.style.height = `${height}px`;
  }
  return { width, height, dpr };
}

/** A short label of a number: 3 significant digits, exponent form when tiny or huge. */
export function formatNumber(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const size = Math.abs(value);
  if (size >= 1e5 || size < 1e-3) {
    const [mantissa, power] = value.toExponential(Math.max(0, digits - 1)).split("e");
    return `${Number(mantissa)}e${Number(power)}`;
  }
  return String(Number(value.toPrecision(digits)));
}

/**
 * About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 times a
 * power of ten), inside the range.
 */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || 10 * power;
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return ticks;
}

/** The smallest round value (1, 2 or 5 times a power of ten) not below v > 0. */
function niceCeil(v) {
  const power = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= v * (1 - 1e-12));
}

/**
 * A small box of values next to the pointer: a `div.nn-hover` placed after the
 * canvas in its parent and positioned absolutely over it (the parent, or an
 * ancestor, should be positioned). Built with text nodes only.
 */
export class HoverBox {
  /** @param {HTMLCanvasElement} canvas the canvas the box points into */
  constructor(canvas) {
    this.canvas = canvas;
    this.element = null;
  }

  /**
   * Show `title` and rows `[{label, value, color?, dash?}]` near (x, y), CSS px
   * inside the canvas; the box flips to the left of x when it would pass `right`
   * (default: the canvas's right edge).
   */
  show(x, y, title, rows, right = this.canvas.clientWidth) {
    const box = this.#ensure();
    if (!box) return;
    box.replaceChildren(line("nn-hover-title", title), ...rows.map(hoverRow));
    box.hidden = false;
    const left = this.canvas.offsetLeft;
    const top = this.canvas.offsetTop;
    const flip = x + 16 + box.offsetWidth > right && x - 12 - box.offsetWidth >= 0;
    box.style.left = `${left + (flip ? x - 12 - box.offsetWidth : x + 12)}px`;
    box.style.top = `${top + Math.max(0, Math.min(y - box.offsetHeight / 2,
      this.canvas.clientHeight - box.offsetHeight))}px`;
  }

  hide() {
    if (this.element) this.element.hidden = true;
  }

  destroy() {
    if (this.element) this.element.remove();
    this.element = null;
  }

  #ensure() {
    if (!this.element && this.canvas.parentElement) {
      this.element = document.createElement("div");
      this.element.className = "nn-hover";
      this.element.setAttribute("role", "status");
      this.element.hidden = true;
      this.canvas.insertAdjacentElement("afterend", this.element);
    }
    return this.element;
  }
}

function line(className, text) {
  const div = document.createElement("div");
  div.className = className;
  div.textContent = text;
  return div;
}

/** One row of a hover box: a line swatch, the label and the value. */
function hoverRow({ label, value, color, dash }) {
  const row = line("nn-hover-row", "");
  const swatch = document.createElement("span");
  swatch.className = dash ? "nn-swatch nn-swatch-dashed" : "nn-swatch";
  if (color) swatch.style.color = color;
  const name = document.createElement("span");
  name.textContent = label;
  const number = document.createElement("span");
  number.className = "nn-hover-value";
  number.textContent = value;
  row.append(swatch, name, number);
  return row;
}

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
function numberOr(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : NaN;
}

// ---------------------------------------------------------------------------
// The common machinery of both charts

/**
 * Rows `{step, values: number[]}` against step, with coalesced redraws, hover
 * and axes. Subclasses fill in the hooks (internal, not part of the interface):
 * `rowOf(header)` (the row of a frame, or null), `plotArea(size)`, `yScale(plot)`,
 * `drawYAxes`, `drawSeries`, `drawLegend` and `hoverRows(row)`.
 */
class TimeChart {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.fallback = { width: canvas.width || 300, height: canvas.height || 150 };
    this.rows = [];
    this.hoverX = -1;
    this.frameRequest = 0;
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
    this.requestDraw();
  }

  /** Redraw at the next animation frame (several calls in one frame draw once). */
  requestDraw() {
    if (this.frameRequest) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = 0;
      this.draw();
    });
  }

  /** Stop listening and drop the hover box. */
  destroy() {
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
      return;
    }
    const x = this.#xScale(plot);
    const y = this.yScale(plot);
    this.#drawXAxis(plot, x, theme);
    this.drawYAxes(plot, y, theme);
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
    const ctx = this.ctx;
    ctx.fillStyle = theme.muted;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const ticks = niceTicks(x.lo, x.hi, Math.max(2, Math.floor(plot.w / 80)))
      .filter((v) => Number.isInteger(v));
    for (const v of ticks) ctx.fillText(String(v), x(v), plot.y + plot.h + 5);
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText("step", plot.x + plot.w, plot.y + plot.h + 27);
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
   * One polyline through (step, rows[i].values[column]) for the rows where that
   * value is a number y can place; other rows are skipped. Rows falling in one
   * pixel column are reduced to that column's lowest and highest point (in their
   * order), which keeps the drawn envelope with far fewer segments.
   */
  strokeSeries(x, y, column, color, dashed, width = 1.75) {
    const ctx = this.ctx;
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.setLineDash(dashed ? DASH : []);
    ctx.beginPath();
    const path = { started: false, column: NaN, lo: null, hi: null };
    for (const row of this.rows) {
      const py = y(row.values[column]);
      if (Number.isFinite(py)) addToColumn(ctx, path, x(row.step), py);
    }
    flushColumn(ctx, path);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  /** Width (CSS px) of a legend row of `entries` in the current font. */
  legendWidth(entries) {
    return entries.reduce((sum, { label }) => sum + 38 + this.ctx.measureText(label).width, -14);
  }

  /**
   * Legend entries `[{label, color, dashed}]` laid out in one row at height `py`
   * (CSS px from the top), starting at the plot's left edge.
   */
  drawLegendRow(plot, entries, theme, py) {
    const ctx = this.ctx;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    let at = plot.x;
    for (const { label, color, dashed } of entries) {
      drawSwatch(ctx, at, py, color, dashed);
      ctx.fillStyle = theme.ink;
      ctx.fillText(label, at + 24, py);
      at += 24 + ctx.measureText(label).width + 14;
    }
  }

  #drawEmpty(plot, theme) {
    const ctx = this.ctx;
    ctx.fillStyle = theme.muted;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText("No steps yet: train the network to see this chart.", plot.x + plot.w / 2, plot.y + plot.h / 2);
  }

  /** The rule at the step nearest the pointer, and the box of values there. */
  #drawHover(plot, x, theme) {
    if (this.hoverX < plot.x || this.hoverX > plot.x + plot.w) {
      this.hoverBox.hide();
      return;
    }
    const row = this.rows[nearestIndex(this.rows, x.invert(this.hoverX))];
    const px = Math.round(x(row.step)) + 0.5;
    const ctx = this.ctx;
    ctx.strokeStyle = theme.ink;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(px, plot.y);
    ctx.lineTo(px, plot.y + plot.h);
    ctx.stroke();
    this.hoverBox.show(px, plot.y + plot.h / 3, `step ${row.step}`, this.hoverRows(row), plot.x + plot.w);
  }

  #hover(event) {
    const box = this.canvas.getBoundingClientRect();
    this.hoverX = event.clientX - box.left;
    this.requestDraw();
  }

  #leave() {
    this.hoverX = -1;
    this.hoverBox.hide();
    this.requestDraw();
  }
}

/**
 * Add (px, py) to a polyline being built column by column (px increasing): a
 * point in a new pixel column emits the previous column's extremes.
 */
function addToColumn(ctx, path, px, py) {
  const column = Math.floor(px);
  if (column !== path.column) {
    flushColumn(ctx, path);
    path.column = column;
    path.lo = [px, py];
    path.hi = [px, py];
  } else if (py < path.lo[1]) {
    path.lo = [px, py];
  } else if (py > path.hi[1]) {
    path.hi = [px, py];
  }
}

/** Emit the current column's lowest and highest points, in x order. */
function flushColumn(ctx, path) {
  if (Number.isNaN(path.column)) return;
  const [a, b] = path.lo[0] <= path.hi[0] ? [path.lo, path.hi] : [path.hi, path.lo];
  for (const [px, py] of a === b ? [a] : [a, b]) {
    if (path.started) ctx.lineTo(px, py); else ctx.moveTo(px, py);
    path.started = true;
  }
  path.column = NaN;
}

/** Rows with the older half thinned to every other row (the newer half kept whole). */
function thin(rows) {
  const half = rows.length >> 1;
  return rows.slice(0, half).filter((_, i) => i % 2 === 0).concat(rows.slice(half));
}

/** A short line sample of a series at (x, y): 18 px wide, solid or dashed. */
function drawSwatch(ctx, x, y, color, dashed) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.setLineDash(dashed ? [4, 3] : []);
  ctx.beginPath();
  ctx.moveTo(x, y + 0.5);
  ctx.lineTo(x + 18, y + 0.5);
  ctx.stroke();
  ctx.setLineDash([]);
}

// ---------------------------------------------------------------------------
// Loss and accuracy

const TRAIN_LOSS = 0;
const TEST_LOSS = 1;
const TRAIN_ACCURACY = 2;
const TEST_ACCURACY = 3;

/**
 * Train and test loss against step (left axis, linear from 0 or log), and train
 * and test accuracy on a right axis 0..1 when any frame had them. Reads header
 * `step`, `train_loss`, `test_loss`, `train_accuracy`, `test_accuracy` (nulls are
 * skipped).
 */
export class LossChart extends TimeChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{log?: boolean}} [options] log: start with a log loss axis
   */
  constructor(canvas, { log = false } = {}) {
    super(canvas);
    this.log = log;
  }

  /** Switch the loss axis between linear (from 0) and log. */
  setLogScale(on) {
    this.log = Boolean(on);
    this.requestDraw();
  }

  rowOf(h) {
    return {
      step: h.step,
      values: [numberOr(h.train_loss), numberOr(h.test_loss),
        numberOr(h.train_accuracy), numberOr(h.test_accuracy)],
    };
  }

  /** Whether any row has an accuracy (classification). */
  hasAccuracy() {
    return this.rows.some((r) => !Number.isNaN(r.values[TRAIN_ACCURACY]) || !Number.isNaN(r.values[TEST_ACCURACY]));
  }

  /** The plot below the legend's one or two rows, with the accuracy axis on the right. */
  plotArea(size) {
    const rows = this.#legendRows(size.width, this.theme).length;
    return super.plotArea(size, this.hasAccuracy() ? 44 : 14, 8 + 16 * rows);
  }

  /** loss -> y (CSS px): linear over [0, a round max] or log over whole decades. */
  yScale(plot) {
    const losses = [];
    for (const r of this.rows) {
      for (const v of [r.values[TRAIN_LOSS], r.values[TEST_LOSS]]) {
        if (Number.isFinite(v) && (!this.log || v > 0)) losses.push(v);
      }
    }
    return this.log ? logScale(plot, losses) : linearScale(plot, losses);
  }

  drawYAxes(plot, y, theme) {
    this.drawGrid(plot, y, y.ticks, theme, "left");
    if (this.hasAccuracy()) {
      const acc = accuracyScale(plot);
      this.drawGrid(plot, acc, [0, 0.25, 0.5, 0.75, 1].map((v) => ({ value: v, label: `${v * 100}%` })),
        theme, "right");
    }
  }

  /** Loss lines in the loss colour, accuracy lines in the accuracy colour; test dashed. */
  drawSeries(plot, x, y) {
    const theme = this.theme;
    if (this.hasAccuracy()) {
      const acc = accuracyScale(plot);
      this.strokeSeries(x, acc, TRAIN_ACCURACY, theme.series2, false);
      this.strokeSeries(x, acc, TEST_ACCURACY, theme.series2, true);
    }
    this.strokeSeries(x, y, TRAIN_LOSS, theme.series1, false, 2);
    this.strokeSeries(x, y, TEST_LOSS, theme.series1, true, 2);
  }

  drawLegend(plot, theme) {
    this.#legendRows(this.canvas.clientWidth || this.fallback.width, theme)
      .forEach((entries, i) => this.drawLegendRow(plot, entries, theme, 10 + 16 * i));
  }

  /** The legend: one row when it fits beside the axis labels, else loss and accuracy rows. */
  #legendRows(width, theme) {
    const loss = [
      { label: "train loss", color: theme.series1, dashed: false },
      { label: "test loss", color: theme.series1, dashed: true },
    ];
    if (!this.hasAccuracy()) return [loss];
    const accuracy = [
      { label: "train accuracy", color: theme.series2, dashed: false },
      { label: "test accuracy", color: theme.series2, dashed: true },
    ];
    const one = loss.concat(accuracy);
    return this.legendWidth(one) <= width - 60 ? [one] : [loss, accuracy];
  }

  hoverRows(row) {
    const theme = this.theme;
    const percent = (v) => (Number.isNaN(v) ? "–" : `${(100 * v).toFixed(1)}%`);
    const rows = [
      { label: "train loss", value: formatNumber(row.values[TRAIN_LOSS], 4), color: theme.series1 },
      { label: "test loss", value: formatNumber(row.values[TEST_LOSS], 4), color: theme.series1, dash: true },
    ];
    if (this.hasAccuracy()) {
      rows.push({ label: "train accuracy", value: percent(row.values[TRAIN_ACCURACY]), color: theme.series2 },
        { label: "test accuracy", value: percent(row.values[TEST_ACCURACY]), color: theme.series2, dash: true });
    }
    return rows;
  }
}

/** value -> y over [0, a round max of `values`], with its ticks. */
function linearScale(plot, values) {
  const top = values.length ? niceCeil(Math.max(...values) * 1.04 || 1) : 1;
  const scale = (v) => plot.y + plot.h - (v / top) * plot.h;
  scale.ticks = niceTicks(0, top, Math.max(2, Math.floor(plot.h / 40)))
    .map((v) => ({ value: v, label: formatNumber(v) }));
  return scale;
}

/**
 * value -> y over whole decades around `values` (> 0). Ticks at the decades
 * (thinned to fit), labelled by `label(value, m, d)` for value = m * 10^d; when
 * the range spans at most two decades, also at 2 and 5 times each decade.
 */
function logScale(plot, values, label = (v) => formatNumber(v)) {
  let lo = values.length ? Math.floor(Math.log10(Math.min(...values))) : -3;
  let hi = values.length ? Math.ceil(Math.log10(Math.max(...values))) : 0;
  if (hi <= lo) hi = lo + 1;
  lo = Math.max(lo, -30);
  hi = Math.min(hi, 30);
  const scale = (v) => (v > 0 ? plot.y + plot.h - ((Math.log10(v) - lo) / (hi - lo)) * plot.h : NaN);
  const every = Math.ceil((hi - lo + 1) / Math.max(2, Math.floor(plot.h / 22)));
  scale.ticks = [];
  for (let d = lo; d <= hi; d += 1) {
    if ((d - lo) % every === 0 || d === hi) scale.ticks.push({ value: 10 ** d, label: label(10 ** d, 1, d) });
    if (hi - lo <= 2 && d < hi && plot.h > 120) {
      for (const m of [2, 5]) scale.ticks.push({ value: m * 10 ** d, label: label(m * 10 ** d, m, d) });
    }
  }
  return scale;
}

/** Exponent labels of a log axis: "1e-6", and "2e-6", "5e-6" between decades. */
function decadeLabel(value, m, d) {
  return `${m}e${d}`;
}

/** accuracy in 0..1 -> y. */
function accuracyScale(plot) {
  return (v) => plot.y + plot.h - v * plot.h;
}

// ---------------------------------------------------------------------------
// Gradient norms

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
      if (i === n - 1) return "output";
      return i === 0 ? "layer 1 (input side)" : `layer ${i + 1}`;
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
    ctx.fillText("‖dL/dW‖ (log)", plot.x + 4, plot.y - 1);
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
