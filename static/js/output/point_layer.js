/**
 * The output view's layout and its cached layer: the plot rectangle inside the
 * canvas (`plotRect`), and `PointLayer`, an offscreen canvas holding the plot
 * frame, axis ticks and names, and the data points (train filled with a dark
 * outline, test as hollow rings; larger when there are few), redrawn only when what it shows changes (canvas
 * size, extent, task, scales, or new points), then copied under every frame.
 */

import { formatNumber, niceTicks } from "../charts/scales.js";
import { classRGB, css, divergingRGB, readTheme } from "../common/palette.js";

/** @typedef {{x: number, y: number, w: number, h: number}} Rect  CSS px */

const MARGIN = { left: 46, right: 10, top: 10, bottom: 34 };

/**
 * The plot rectangle inside a canvas of CSS size {width, height}.
 * @returns {Rect}
 */
export function plotRect(size) {
  return {
    x: MARGIN.left,
    y: MARGIN.top,
    w: size.width - MARGIN.left - MARGIN.right,
    h: size.height - MARGIN.top - MARGIN.bottom,
  };
}

/** The axes and points of an output view, drawn once into an offscreen canvas. */
export class PointLayer {
  /** @param {HTMLCanvasElement} canvas the view's canvas (its size and theme are followed) */
  constructor(canvas) {
    this.canvas = canvas;
    this.layer = document.createElement("canvas");
    this.key = "";
    this.theme = readTheme(canvas); // re-read whenever the layer is redrawn
  }

  /** Redraw at the next refresh whatever the key says (new points, a theme change). */
  invalidate() {
    this.key = "";
  }

  /**
   * Redraw the layer when what it shows changed (re-reading the theme then).
   * @param {{width: number, height: number, dpr: number}} size the canvas's CSS size
   * @param {Rect} plot
   * @param {import("./data.js").View} view
   */
  refresh(size, plot, view) {
    const key = [this.canvas.width, this.canvas.height, view.dims, view.task, view.classes,
      view.scale, ...view.extent, ...view.yRange, view.points ? 1 : 0].join(",");
    if (key === this.key) return;
    this.key = key;
    this.layer.width = this.canvas.width;
    this.layer.height = this.canvas.height;
    const ctx = this.layer.getContext("2d");
    ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
    ctx.clearRect(0, 0, size.width, size.height);
    const theme = readTheme(this.canvas);
    this.theme = theme;
    drawAxes(ctx, plot, view, theme);
    if (view.points) drawPoints(ctx, plot, view, theme, this.canvas);
  }

  /** Copy the layer onto `ctx` (device pixels: call with an identity transform). */
  drawOn(ctx) {
    ctx.drawImage(this.layer, 0, 0);
  }
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

/** A tick mark from (x, y) by (dx, dy), on the pixel grid. */
function tick(ctx, x, y, dx, dy) {
  ctx.beginPath();
  ctx.moveTo(Math.round(x) + 0.5, Math.round(y) + 0.5);
  ctx.lineTo(Math.round(x + dx) + 0.5, Math.round(y + dy) + 0.5);
  ctx.stroke();
}

/**
 * The radius (CSS px) of the points on a plot `w` px wide showing `count` of
 * them: larger when there are few (the four XOR points are about 10 px), from
 * 3.5 px for hundreds up to 10 px.
 */
export function pointRadius(w, count) {
  return Math.max(3.5, Math.min(10, (w * 0.16) / Math.sqrt(Math.max(1, count))));
}

/** Width (CSS px) of a test point's ring for points of radius `r`. */
export function ringWidth(r) {
  return Math.max(1.5, Math.min(3, r * 0.3));
}

/**
 * The train points (filled discs with a dark outline), then the test points
 * (hollow rings in the class colour, dark-edged, the map showing through), clipped
 * to the plot. A test point that lies on a train point (XOR's four points are
 * both) is a ring round the disc. Rows [x1, x2, y] (2-D) or [x, y] (1-D, placed
 * at (x, y) for regression and binary, along the bottom for multiclass). The
 * radius and the plot are told in the canvas's `data-point-radius` and
 * `data-plot` ("x,y,w,h", CSS px).
 */
function drawPoints(ctx, plot, view, theme, canvas) {
  const [xmin, xmax] = view.extent;
  const [ymin, ymax] = view.yRange;
  const { train, test } = view.points;
  const radius = pointRadius(plot.w, train.length + test.length);
  const ring = ringWidth(radius);
  canvas.dataset.pointRadius = radius.toFixed(2);
  canvas.dataset.plot = [plot.x, plot.y, plot.w, plot.h].join(",");
  const place = (row) => {
    const py = view.dims === 2 ? row[1] : view.task === "multiclass" ? 0 : row[1];
    return [plot.x + ((row[0] - xmin) / (xmax - xmin)) * plot.w,
      plot.y + ((ymax - py) / (ymax - ymin)) * plot.h];
  };
  const colour = (y) => css(view.task === "regression" ? divergingRGB(y / view.scale) : classRGB(y));
  const trainAt = new Set(train.map((row) => place(row).map((v) => v.toFixed(1)).join(",")));
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.x, plot.y, plot.w, plot.h);
  ctx.clip();
  for (const row of train) {
    const [px, py] = place(row);
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    ctx.fillStyle = colour(row[view.dims]);
    ctx.fill();
    ctx.lineWidth = 1.25;
    ctx.strokeStyle = theme.outline;
    ctx.stroke();
  }
  for (const row of test) {
    const [px, py] = place(row);
    const onTrain = trainAt.has([px, py].map((v) => v.toFixed(1)).join(","));
    const r = onTrain ? radius + ring / 2 + 2.5 : radius;
    ctx.beginPath();
    ctx.arc(px, py, r, 0, 2 * Math.PI);
    ctx.lineWidth = ring + 2;
    ctx.strokeStyle = theme.outline;
    ctx.stroke();
    ctx.lineWidth = ring;
    ctx.strokeStyle = colour(row[view.dims]);
    ctx.stroke();
  }
  ctx.restore();
}
