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
 * Train points are filled with a dark outline; test points are hollow rings; a
 * legend under the plot says so (point_legend.js); few points are drawn larger.
 * A binary classifier's decision boundary (where the output is 0.5) is drawn as
 * a dark line over the map: a one-neuron net's exact line from the frame's
 * `boundary_line`, any other net's 0.5 contour of the map (boundary.js); a
 * note under the plot (the `note` option) says what the line is.
 * A diverged run (status "diverged", a train loss that is null or beyond 1e30, or
 * a map that is not finite) shows a grey plot and a plain message instead of the map.
 *
 * This module holds the view itself (drawing the map or curves each frame, and
 * the hover probe); the parts live in map_paint.js (pixels of the map),
 * boundary.js (the decision boundary),
 * output/data.js (what is shown: task, scales, ranges, divergence), point_layer.js
 * (layout, cached axes and points) and diverged_message.js (the message).
 */

import { boundaryOf, equationText, samplePoints } from "./boundary.js";
import { fitCanvas } from "../common/canvas_fit.js";
import { DivergedMessage } from "./diverged_message.js";
import { paintClasses, paintDiverging } from "./map_paint.js";
import { isDiverged, normalisePoints, valueAt, viewOf } from "./data.js";
import { t } from "../common/i18n.js";
import { classRGB, css, NEUTRAL } from "../common/palette.js";
import { PointLayer, plotRect } from "./point_layer.js";
import { PointLegend } from "./point_legend.js";

export { DIVERGED_MESSAGE } from "./diverged_message.js";

/**
 * @typedef {import("./data.js").Points} Points
 * @typedef {import("./data.js").View} View
 * @typedef {import("./point_layer.js").Rect} Rect
 */

const NEUTRAL_CSS = css(NEUTRAL);

/**
 * The output map of one run on a canvas: `setPoints(points)` once per run,
 * `update(frame)` for every frame to show (see the module comment).
 */
export class OutputView {
  /**
   * @param {HTMLCanvasElement} canvas where the view draws (sized by CSS)
   * @param {{onHover?: (info: {x: number, y: number, value: number|number[]|null}|null) => void,
   *   note?: HTMLElement|null}} [options]
   *   onHover: called with the data coordinates under the pointer and the output
   *   there (a number, or the class probabilities), and with null on leaving.
   *   note: an element that says what the boundary line is (hidden when none is drawn).
   *   legend: whether a legend of the points goes under the canvas (default true).
   */
  constructor(canvas, { onHover, note = null, legend = true } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.fallback = { width: canvas.width || 300, height: canvas.height || 300 };
    this.points = null;
    this.frame = null; // {extent, status, loss, map: {data, shape} | null}
    this.layer = new PointLayer(canvas); // axes and points, cached
    this.theme = this.layer.theme; // re-read whenever the cached layer is redrawn
    this.mapCanvas = document.createElement("canvas");
    this.mapCtx = this.mapCanvas.getContext("2d");
    this.image = null;
    this.message = new DivergedMessage(canvas);
    this.legend = legend ? new PointLegend(canvas) : null;
    this.onHover = onHover || null;
    this.note = note;
    this.boundary = null; // the last boundary drawn (boundary.js)
    this.noteKey = null; // what the note says now
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
    if (this.legend) this.legend.show(this.points);
    this.layer.invalidate();
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
    this.frame = { extent, status: header.status, loss: header.train_loss, map,
      line: Array.isArray(header.boundary_line) ? header.boundary_line : null };
    this.#draw();
  }

  /** Draw the last frame again, re-reading the theme (after a resize or a theme change). */
  redraw() {
    this.layer.invalidate();
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
    const view = viewOf(extent, this.frame, this.points);
    const diverged = isDiverged(this.frame);
    this.layer.refresh(size, plot, view);
    this.theme = this.layer.theme;
    ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
    if (view.dims === 2) this.#drawPlane(plot, view, diverged);
    else this.#fillPlot(plot, diverged ? this.theme.divergedMap : this.theme.surface);
    this.#drawBoundary(plot, view, diverged);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.layer.drawOn(ctx);
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
    this.message.destroy();
    if (this.legend) this.legend.destroy();
  }

  // -------------------------------------------------------------------------
  // What is drawn

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
   * The decision boundary (a line or the map's 0.5 contour) as a dark line with
   * a light halo, so that it shows on any colour; says what it is in the note and
   * in the canvas's `data-boundary` ("line", "contour" or "") and
   * `data-boundary-points` (a few of its points, data coordinates, JSON).
   */
  #drawBoundary(plot, view, diverged) {
    const boundary = diverged ? null : boundaryOf(this.frame, view);
    this.boundary = boundary;
    const segments = !boundary ? []
      : boundary.kind === "contour" ? boundary.segments
        : boundary.ends ? [[...boundary.ends[0], ...boundary.ends[1]]] : [];
    if (segments.length) {
      const [xmin, xmax, ymin, ymax] = view.extent;
      const sx = plot.w / (xmax - xmin);
      const sy = plot.h / (ymax - ymin);
      const ctx = this.ctx;
      ctx.save();
      ctx.beginPath();
      ctx.rect(plot.x, plot.y, plot.w, plot.h);
      ctx.clip();
      ctx.beginPath();
      for (const [x0, y0, x1, y1] of segments) {
        ctx.moveTo(plot.x + (x0 - xmin) * sx, plot.y + (ymax - y0) * sy);
        ctx.lineTo(plot.x + (x1 - xmin) * sx, plot.y + (ymax - y1) * sy);
      }
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "rgba(255, 255, 255, 0.85)";
      ctx.lineWidth = 5;
      ctx.stroke();
      ctx.strokeStyle = this.theme.ink;
      ctx.lineWidth = 2;
      ctx.stroke();
      ctx.restore();
    }
    this.canvas.dataset.boundary = boundary ? boundary.kind : "";
    this.canvas.dataset.boundaryPoints = JSON.stringify(samplePoints(boundary));
    this.#sayBoundary(boundary);
  }

  /** The note under the plot: what the dark line is (hidden when none is drawn);
   * a line's equation is kept on one line. */
  #sayBoundary(boundary) {
    if (!this.note) return;
    let text = "";
    let equation = "";
    if (boundary?.kind === "line") {
      equation = equationText(boundary.line);
      text = boundary.ends
        ? t("Dark line: the neuron's boundary {equation} = 0, where its output is 0.5. It is drawn even when the map is a faint, even grey: tiny weights still make a line.")
        : t("The neuron's boundary {equation} = 0 (where its output is 0.5) lies outside the plot.");
    } else if (boundary?.kind === "contour") {
      text = t("Dark line: the decision boundary, where the output is 0.5.");
    }
    const key = `${text}|${equation}`;
    if (this.noteKey !== key) {
      this.noteKey = key;
      const [before, after = ""] = text.split("{equation}");
      const parts = [before];
      if (equation) {
        const span = document.createElement("span");
        span.className = "nn-equation";
        span.textContent = equation;
        parts.push(span, after);
      }
      this.note.replaceChildren(...parts);
    }
    this.note.hidden = !text;
    this.note.dataset.boundary = boundary ? boundary.kind : "";
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

  /**
   * Show or hide the diverged message over the plot (also the canvas's
   * aria-label while shown; the page's own label comes back after).
   */
  #showMessage(diverged) {
    this.message.show(diverged
      ? plotRect({ width: this.canvas.clientWidth, height: this.canvas.clientHeight }) : null);
  }

  // -------------------------------------------------------------------------
  // Hover

  /** Report the output under the pointer to onHover. */
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
