/**
 * The network's output over the plotted plane, with the data points on top.
 *
 * 2-D data: `output_map` (g, g) or (g, g, k) is painted into a g x g image (row 0
 * is the top of the plane, y = ymax, as engine/data/grid.py lays it out), which is
 * scaled smoothly onto the plot; points and axes come from a cached layer that is
 * only redrawn when the points, the extent or the canvas size change.
 * - binary: 2p - 1 on the diverging map (blue: class 0, orange: class 1);
 * - multiclass: the most likely class's colour, as strong as its lead over the next;
 * - regression: the value on the diverging map, scaled by the largest |target|.
 * 1-D data: the output curve(s) (g,) or (g, k) drawn over a scatter of the points.
 * Train points are filled with a dark outline; test points are rings.
 * A diverged run (status "diverged", a train loss that is null or beyond 1e30, or
 * a map that is not finite) shows a grey plot and a plain message instead of the map.
 */

import { fitCanvas, formatNumber, niceTicks } from "./charts.js";
import {
  CLASS_COLORS, DIVERGING_LUT, NEUTRAL, classRGB, css, divergingRGB, lutIndex, readTheme,
} from "./palette.js";

/** The message over a diverged run. */
export const DIVERGED_MESSAGE =
  "The run diverged: the loss became infinite. Lower the learning rate and reset.";

/** A train loss this large counts as diverged (a frame may say so before its status does). */
const DIVERGED_LOSS = 1e30;

/** How strongly the map is coloured (1: the map's full colours); points stay full. */
const MAP_STRENGTH = 0.82;

const MARGIN = { left: 46, right: 10, top: 10, bottom: 34 };

/**
 * @typedef {{dims: number, task: string, classes: number|null, extent: number[],
 *   train: number[][], test: number[][]}} Points  the JSON of GET /api/runs/{id}/points
 * @typedef {{x: number, y: number, w: number, h: number}} Rect  CSS px
 */

export class OutputView {
  /**
   * @param {HTMLCanvasElement} canvas where the view draws (sized by CSS)
   * @param {{onHover?: (info: {x: number, y: number, value: number|number[]|null}|null) => void}} [options]
   *   onHover: called with the data coordinates under the pointer and the output
   *   there (a number, or the class probabilities), and with null on leaving.
   */
  constructor(canvas, { onHover } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.fallback = { width: canvas.width || 300, height: canvas.height || 300 };
    this.points = null;
    this.frame = null; // {extent, status, loss, map: {data, shape} | null}
    this.theme = readTheme(canvas); // re-read whenever the cached layer is redrawn
    this.mapCanvas = document.createElement("canvas");
    this.mapCtx = this.mapCanvas.getContext("2d");
    this.image = null;
    this.layer = document.createElement("canvas"); // axes and points, cached
    this.layerKey = "";
    this.message = null; // the diverged message element, made when first needed
    this.label = canvas.getAttribute("aria-label"); // restored when a run recovers
    this.showingDiverged = false;
    this.onHover = onHover || null;
    this.listeners = [];
    if (this.onHover) this.#listenHover();
    this.resizer = typeof ResizeObserver === "function" ? new ResizeObserver(() => this.redraw()) : null;
    if (this.resizer) this.resizer.observe(canvas);
  }

  /**
   * The data points to draw (the JSON of GET /api/runs/{id}/points), or null.
   * Rows are [x1, x2, y] (2-D) or [x, y] (1-D); y is a class or a target value.
   * @param {Points|null} points
   */
  setPoints(points) {
    this.points = points ? normalisePoints(points) : null;
    this.layerKey = "";
    this.#draw();
  }

  /**
   * Draw a decoded frame: reads `header.extent`, `header.status` and
   * `arrays.output_map` ({data: Float32Array, shape: [g, g] | [g, g, k] | [g] | [g, k]}).
   * @param {{header: object, arrays: object}} frame
   */
  update(frame) {
    const header = frame.header || {};
    const map = frame.arrays ? frame.arrays.output_map || null : null;
    const extent = Array.isArray(header.extent) ? header.extent
      : this.points ? this.points.extent : null;
    if (!extent) return;
    this.frame = { extent, status: header.status, loss: header.train_loss, map };
    this.#draw();
  }

  /** Draw the last frame again, re-reading the theme (after a resize or a theme change). */
  redraw() {
    this.layerKey = "";
    this.#draw();
  }

  /** The plot background, the map or curves, the cached axes and points, the message. */
  #draw() {
    const size = fitCanvas(this.canvas, this.fallback);
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const extent = this.frame ? this.frame.extent : this.points && this.points.extent;
    if (!extent) return;
    const plot = plotRect(size);
    if (plot.w < 10 || plot.h < 10) return;
    const view = this.#viewOf(extent);
    const diverged = this.#diverged();
    this.#refreshLayer(size, plot, view);
    ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
    if (view.dims === 2) this.#drawPlane(plot, view, diverged);
    else this.#fillPlot(plot, diverged ? this.theme.divergedMap : this.theme.surface);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.layer, 0, 0);
    if (view.dims === 1 && !diverged && this.frame && this.frame.map) {
      ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
      this.#drawCurves(plot, view);
    }
    this.#showMessage(diverged);
  }

  /** Stop observing the canvas and remove the listeners and the message. */
  destroy() {
    if (this.resizer) this.resizer.disconnect();
    for (const [type, fn] of this.listeners) this.canvas.removeEventListener(type, fn);
    this.listeners = [];
    if (this.message) this.message.remove();
    this.message = null;
  }

  // -------------------------------------------------------------------------
  // What is drawn

  /**
   * What to draw for `extent` (2 or 4 numbers): {dims, task, classes, scale (of
   * regression values), points (null unless they match dims), extent, yRange
   * (the value axis of a 1-D plot, or ymin..ymax)}.
   */
  #viewOf(extent) {
    const dims = extent.length === 2 ? 1 : 2;
    const map = this.frame && this.frame.map;
    const points = this.points && this.points.dims === dims ? this.points : null;
    const task = points ? points.task : guessTask(map, dims);
    const classes = points && points.classes ? points.classes
      : map && map.shape.length === dims + 1 ? map.shape[dims] : 2;
    const scale = points && points.targetScale > 0 ? points.targetScale : mapScale(map);
    const yRange = dims === 1 ? curveRange(task, points, map) : [extent[2], extent[3]];
    return { dims, task, classes, scale, points, extent, yRange };
  }

  /**
   * Whether to show the run as diverged: by status; by a train loss that is null
   * (not finite) or beyond DIVERGED_LOSS (the float32 map has overflowed by then:
   * the server sends such a map as zeros); or by a map with non-finite values.
   */
  #diverged() {
    if (!this.frame) return false;
    const { status, loss } = this.frame;
    if (status === "diverged" || loss === null || loss > DIVERGED_LOSS) return true;
    const map = this.frame.map;
    if (!map) return false;
    const data = map.data;
    for (let i = 0; i < data.length; i += 1) if (!Number.isFinite(data[i])) return true;
    return false;
  }

  /** The plot rectangle in one colour. */
  #fillPlot(plot, color) {
    this.ctx.fillStyle = color;
    this.ctx.fillRect(plot.x, plot.y, plot.w, plot.h);
  }

  /** The 2-D map scaled smoothly into the plot (grey for a diverged run). */
  #drawPlane(plot, view, diverged) {
    const ctx = this.ctx;
    const map = this.frame && this.frame.map;
    if (diverged || !map || map.shape.length < 2) {
      this.#fillPlot(plot, diverged ? this.theme.divergedMap : NEUTRAL_CSS);
      return;
    }
    this.#paintMap(map, view);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "medium";
    ctx.drawImage(this.mapCanvas, plot.x, plot.y, plot.w, plot.h);
  }

  /**
   * Colour the g x g image from `map.data` ((g, g) or (g, g, k), row 0 at the top)
   * and put it on the small map canvas; the ImageData is kept between frames.
   */
  #paintMap(map, view) {
    const rows = map.shape[0];
    const cols = map.shape[1];
    if (!this.image || this.image.width !== cols || this.image.height !== rows) {
      this.mapCanvas.width = cols;
      this.mapCanvas.height = rows;
      this.image = this.mapCtx.createImageData(cols, rows);
    }
    const pixels = this.image.data;
    if (map.shape.length === 3) paintClasses(pixels, map.data, map.shape[2]);
    else if (view.task === "regression") paintDiverging(pixels, map.data, 1 / view.scale, 0);
    else paintDiverging(pixels, map.data, 2, -1);
    this.mapCtx.putImageData(this.image, 0, 0);
  }

  /**
   * The 1-D output over x: one line for (g,) (the regression value or the
   * probability of class 1), one per class for (g, k), clipped to the plot.
   */
  #drawCurves(plot, view) {
    const ctx = this.ctx;
    const { data, shape } = this.frame.map;
    const g = shape[0];
    const k = shape.length > 1 ? shape[1] : 1;
    const toX = (i) => plot.x + ((i + 0.5) / g) * plot.w;
    const toY = (v) => plot.y + ((view.yRange[1] - v) / (view.yRange[1] - view.yRange[0])) * plot.h;
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.x, plot.y, plot.w, plot.h);
    ctx.clip();
    ctx.lineWidth = 2.5;
    ctx.lineJoin = "round";
    const ink = this.theme.ink;
    for (let c = 0; c < k; c += 1) {
      ctx.strokeStyle = k > 1 ? css(classRGB(c)) : ink;
      ctx.beginPath();
      for (let i = 0; i < g; i += 1) {
        const py = toY(data[i * k + c]);
        if (i === 0) ctx.moveTo(toX(i), py); else ctx.lineTo(toX(i), py);
      }
      ctx.stroke();
    }
    ctx.restore();
  }

  /** Redraw the cached layer (axes, ticks, points) when what it shows changed. */
  #refreshLayer(size, plot, view) {
    const key = [this.canvas.width, this.canvas.height, view.dims, view.task, view.classes,
      view.scale, ...view.extent, ...view.yRange, view.points ? 1 : 0].join(",");
    if (key === this.layerKey) return;
    this.layerKey = key;
    this.layer.width = this.canvas.width;
    this.layer.height = this.canvas.height;
    const ctx = this.layer.getContext("2d");
    ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
    ctx.clearRect(0, 0, size.width, size.height);
    const theme = readTheme(this.canvas);
    this.theme = theme;
    drawAxes(ctx, plot, view, theme);
    if (view.points) drawPoints(ctx, plot, view, theme);
  }

  /**
   * Show or hide the diverged message over the plot (also the canvas's
   * aria-label while shown; the page's own label comes back after).
   */
  #showMessage(diverged) {
    if (diverged !== this.showingDiverged) {
      this.showingDiverged = diverged;
      if (diverged) this.canvas.setAttribute("aria-label", DIVERGED_MESSAGE);
      else if (this.label === null) this.canvas.removeAttribute("aria-label");
      else this.canvas.setAttribute("aria-label", this.label);
    }
    if (!diverged) {
      if (this.message) this.message.hidden = true;
      return;
    }
    if (!this.message && this.canvas.parentElement) {
      this.message = document.createElement("div");
      this.message.className = "nn-diverged";
      this.message.setAttribute("role", "alert");
      const text = document.createElement("span");
      text.className = "nn-diverged-text";
      text.textContent = DIVERGED_MESSAGE;
      this.message.append(text);
      this.canvas.insertAdjacentElement("afterend", this.message);
    }
    if (!this.message) return;
    const plot = plotRect({ width: this.canvas.clientWidth, height: this.canvas.clientHeight });
    Object.assign(this.message.style, {
      left: `${this.canvas.offsetLeft + plot.x}px`,
      top: `${this.canvas.offsetTop + plot.y}px`,
      width: `${plot.w}px`,
      height: `${plot.h}px`,
    });
    this.message.hidden = false;
  }

  // -------------------------------------------------------------------------
  // Hover

  #listenHover() {
    const move = (event) => this.onHover(this.#probe(event));
    const leave = () => this.onHover(null);
    this.canvas.addEventListener("pointermove", move);
    this.canvas.addEventListener("pointerleave", leave);
    this.listeners.push(["pointermove", move], ["pointerleave", leave]);
  }

  /** {x, y, value} under the pointer (data coordinates), or null outside the plot. */
  #probe(event) {
    if (!this.frame) return null;
    const box = this.canvas.getBoundingClientRect();
    const plot = plotRect({ width: box.width, height: box.height });
    const u = (event.clientX - box.left - plot.x) / plot.w;
    const v = (event.clientY - box.top - plot.y) / plot.h;
    if (u < 0 || u > 1 || v < 0 || v > 1) return null;
    const e = this.frame.extent;
    const map = this.frame.map;
    const x = e[0] + u * (e[1] - e[0]);
    if (e.length === 2) {
      const i = map ? Math.min(map.shape[0] - 1, Math.floor(u * map.shape[0])) : 0;
      return { x, y: null, value: valueAt(map, i, 1) };
    }
    const y = e[3] - v * (e[3] - e[2]);
    if (!map || map.shape.length < 2) return { x, y, value: null };
    const row = Math.min(map.shape[0] - 1, Math.floor(v * map.shape[0]));
    const col = Math.min(map.shape[1] - 1, Math.floor(u * map.shape[1]));
    return { x, y, value: valueAt(map, row * map.shape[1] + col, 2) };
  }
}

const NEUTRAL_CSS = css(NEUTRAL);

/** The plot rectangle inside a canvas of CSS size {width, height}. */
function plotRect(size) {
  return {
    x: MARGIN.left,
    y: MARGIN.top,
    w: size.width - MARGIN.left - MARGIN.right,
    h: size.height - MARGIN.top - MARGIN.bottom,
  };
}

/**
 * The output at flat cell `cell` of a map with `dims` grid axes ((g,) or (g, g)):
 * a number, or the k class values when the map has a trailing class axis.
 */
function valueAt(map, cell, dims) {
  if (!map) return null;
  if (map.shape.length === dims) return map.data[cell];
  const k = map.shape[dims];
  return Array.from(map.data.subarray(cell * k, cell * k + k));
}

// ---------------------------------------------------------------------------
// Painting maps (no allocation: these run on every frame)

/**
 * Fill RGBA `pixels` from one value per pixel, coloured by the diverging map at
 * t = value * gain + shift (clamped to [-1, 1]) and softened by MAP_STRENGTH.
 * @param {Uint8ClampedArray} pixels 4 * n
 * @param {Float32Array} values n
 */
function paintDiverging(pixels, values, gain, shift) {
  const g = gain * MAP_STRENGTH;
  const s = shift * MAP_STRENGTH;
  for (let i = 0, p = 0; i < values.length; i += 1, p += 4) {
    const j = 3 * lutIndex(values[i] * g + s);
    pixels[p] = DIVERGING_LUT[j];
    pixels[p + 1] = DIVERGING_LUT[j + 1];
    pixels[p + 2] = DIVERGING_LUT[j + 2];
    pixels[p + 3] = 255;
  }
}

/**
 * Fill RGBA `pixels` from k class probabilities per pixel (`values` n * k): the
 * most likely class's colour blended into the neutral by how far its probability
 * leads the runner-up's (p_first - p_second, times MAP_STRENGTH). For k = 2 this
 * is |2p - 1|, as in the binary map; boundaries between classes fade to neutral,
 * so the upscaled image has no hard, blocky edges.
 */
function paintClasses(pixels, values, k) {
  const [n0, n1, n2] = NEUTRAL;
  for (let i = 0, p = 0; i < values.length; i += k, p += 4) {
    let best = 0;
    let first = -Infinity;
    let second = -Infinity;
    for (let c = 0; c < k; c += 1) {
      const v = values[i + c];
      if (v > first) {
        second = first;
        first = v;
        best = c;
      } else if (v > second) {
        second = v;
      }
    }
    const s = Math.min(1, Math.max(0, first - second)) * MAP_STRENGTH;
    const color = CLASS_COLORS[best % CLASS_COLORS.length];
    pixels[p] = n0 + (color[0] - n0) * s;
    pixels[p + 1] = n1 + (color[1] - n1) * s;
    pixels[p + 2] = n2 + (color[2] - n2) * s;
    pixels[p + 3] = 255;
  }
}

// ---------------------------------------------------------------------------
// Points and axes (the cached layer)

/**
 * The points with their regression scale: max |target| over train and test
 * (`targetScale`), and the target range (`targetRange`) for 1-D plots.
 * @param {Points} points
 */
function normalisePoints(points) {
  const dims = points.dims === 1 ? 1 : 2;
  const train = Array.isArray(points.train) ? points.train : [];
  const test = Array.isArray(points.test) ? points.test : [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of train.concat(test)) {
    const y = row[dims];
    if (Number.isFinite(y)) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  }
  const finite = lo <= hi;
  return {
    dims,
    task: points.task || "binary",
    classes: points.classes || null,
    extent: points.extent,
    train,
    test,
    targetScale: finite ? Math.max(Math.abs(lo), Math.abs(hi)) : 0,
    targetRange: finite ? [lo, hi] : null,
  };
}

/** A task that fits the map when there are no points: classes by shape, else by range. */
function guessTask(map, dims) {
  if (!map) return "binary";
  if (map.shape.length > dims) return "multiclass";
  for (const v of map.data) if (v < 0 || v > 1) return "regression";
  return "binary";
}

/** The largest |value| of a map (1 when empty or zero). */
function mapScale(map) {
  let top = 0;
  if (map) for (const v of map.data) if (Math.abs(v) > top) top = Math.abs(v);
  return top > 0 ? top : 1;
}

/**
 * The y range of a 1-D plot: probabilities in [-0.1, 1.1] for classification;
 * for regression the targets' range (or the curve's when there are no points)
 * widened by 12%.
 */
function curveRange(task, points, map) {
  if (task !== "regression") return [-0.1, 1.1];
  let range = points && points.targetRange;
  if (!range && map) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of map.data) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    range = lo <= hi ? [lo, hi] : null;
  }
  if (!range) return [-1, 1];
  const pad = Math.max((range[1] - range[0]) * 0.12, 1e-3);
  return [range[0] - pad, range[1] + pad];
}

/**
 * The plot frame, ticks at both ends of each axis of the plane (and at 0 when
 * well inside; a 1-D plot's value axis gets round ticks instead), and the axis
 * names (x1, x2 in 2-D; x and y, or p for a probability, in 1-D).
 */
function drawAxes(ctx, plot, view, theme) {
  const [xmin, xmax] = view.extent;
  const [ymin, ymax] = view.yRange;
  ctx.strokeStyle = theme.axis;
  ctx.lineWidth = 1;
  ctx.strokeRect(plot.x - 0.5, plot.y - 0.5, plot.w + 1, plot.h + 1);
  ctx.font = theme.font;
  ctx.fillStyle = theme.muted;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of axisTicks(xmin, xmax)) {
    const px = plot.x + ((v - xmin) / (xmax - xmin)) * plot.w;
    tick(ctx, px, plot.y + plot.h, 0, 4);
    ctx.textAlign = v === xmin ? "left" : v === xmax ? "right" : "center";
    ctx.fillText(formatNumber(v), px, plot.y + plot.h + 6);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const yTicks = view.dims === 2 ? axisTicks(ymin, ymax) : niceTicks(ymin, ymax, 4);
  for (const v of yTicks) {
    const py = plot.y + ((ymax - v) / (ymax - ymin)) * plot.h;
    tick(ctx, plot.x, py, -4, 0);
    ctx.textBaseline = v === ymin ? "bottom" : v === ymax ? "top" : "middle";
    ctx.fillText(formatNumber(v), plot.x - 6, py);
  }
  const names = view.dims === 2 ? ["x1", "x2"] : ["x", view.task === "regression" ? "y" : "p"];
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  ctx.fillText(names[0], plot.x + plot.w / 2, plot.y + plot.h + MARGIN.bottom);
  ctx.save();
  ctx.translate(plot.x - MARGIN.left + 9, plot.y + plot.h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText(names[1], 0, 0);
  ctx.restore();
}

/** Tick values of an axis: both ends, and 0 when it lies well inside. */
function axisTicks(lo, hi) {
  const ticks = [lo, hi];
  if (lo < 0 && hi > 0 && -lo / (hi - lo) > 0.15 && hi / (hi - lo) > 0.15) ticks.push(0);
  return ticks;
}

function tick(ctx, x, y, dx, dy) {
  ctx.beginPath();
  ctx.moveTo(Math.round(x) + 0.5, Math.round(y) + 0.5);
  ctx.lineTo(Math.round(x + dx) + 0.5, Math.round(y + dy) + 0.5);
  ctx.stroke();
}

/**
 * The train points (filled, dark outline) then the test points (rings), clipped
 * to the plot. Rows [x1, x2, y] (2-D) or [x, y] (1-D, placed at (x, y) for
 * regression and binary, along the bottom for multiclass).
 */
function drawPoints(ctx, plot, view, theme) {
  const [xmin, xmax] = view.extent;
  const [ymin, ymax] = view.yRange;
  const radius = Math.max(2.5, Math.min(5, plot.w / 110));
  const place = (row) => {
    const py = view.dims === 2 ? row[1] : view.task === "multiclass" ? 0 : row[1];
    return [plot.x + ((row[0] - xmin) / (xmax - xmin)) * plot.w,
      plot.y + ((ymax - py) / (ymax - ymin)) * plot.h];
  };
  const colour = (y) => css(view.task === "regression" ? divergingRGB(y / view.scale) : classRGB(y));
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.x, plot.y, plot.w, plot.h);
  ctx.clip();
  ctx.strokeStyle = theme.outline;
  for (const row of view.points.train) {
    const [px, py] = place(row);
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    ctx.fillStyle = colour(row[view.dims]);
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.stroke();
  }
  for (const row of view.points.test) {
    const [px, py] = place(row);
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    ctx.lineWidth = 3.5;
    ctx.strokeStyle = theme.outline;
    ctx.stroke();
    ctx.lineWidth = 1.75;
    ctx.strokeStyle = colour(row[view.dims]);
    ctx.stroke();
  }
  ctx.restore();
}
