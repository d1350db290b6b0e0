/**
 * Painting small maps into canvases, one canvas pixel per value: the lab's
 * feature maps, pooled maps, kernels and input image. The canvas's CSS box
 * scales it up (`image-rendering: pixelated` in lab.css), so the backing store
 * holds the map itself and the tests can read it back pixel for pixel.
 *
 * Signed values use the diverging map of palette.js (blue below 0, orange above,
 * light neutral at 0) on a symmetric scale given by the caller, so that maps
 * drawn with the same scale compare; the input image is grey.
 */

import { DIVERGING_LUT, lutIndex } from "../common/palette.js";

/** The largest |value| of `data` (0 when empty or not finite). */
export function absMax(data, from = 0, to = data.length) {
  let m = 0;
  for (let i = from; i < to; i += 1) {
    const v = Math.abs(data[i]);
    if (v > m) m = v;
  }
  return m;
}

/** The smallest and largest finite value of `data`. */
export function range(data) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** A canvas element with a class and optional attributes. */
export function mapCanvas(className, attrs = {}) {
  const canvas = document.createElement("canvas");
  canvas.className = className;
  canvas.width = 1;
  canvas.height = 1;
  for (const [key, value] of Object.entries(attrs)) canvas.setAttribute(key, String(value));
  return canvas;
}

/** Make the canvas's backing store w x h and answer its 2-D context and an ImageData. */
function begin(canvas, w, h) {
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext("2d");
  return [ctx, ctx.createImageData(w, h)];
}

/**
 * Paint the (h, w) map starting at `offset` of `data` (row-major) with the
 * diverging colours, value / scale in [-1, 1].
 * @param {HTMLCanvasElement} canvas
 * @param {ArrayLike<number>} data
 * @param {number} offset
 * @param {number} h
 * @param {number} w
 * @param {number} scale the value drawn at full colour (> 0)
 */
export function paintDiverging(canvas, data, offset, h, w, scale) {
  const [ctx, image] = begin(canvas, w, h);
  const px = image.data;
  const s = scale > 0 ? scale : 1;
  for (let i = 0; i < h * w; i += 1) {
    const k = 3 * lutIndex(data[offset + i] / s);
    px[4 * i] = DIVERGING_LUT[k];
    px[4 * i + 1] = DIVERGING_LUT[k + 1];
    px[4 * i + 2] = DIVERGING_LUT[k + 2];
    px[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/**
 * Paint the (h, w) map of `data` in grey from `lo` (black) to `hi` (white).
 * @param {HTMLCanvasElement} canvas
 * @param {ArrayLike<number>} data
 * @param {number} h
 * @param {number} w
 * @param {number} lo
 * @param {number} hi
 */
export function paintGrey(canvas, data, h, w, lo, hi) {
  const [ctx, image] = begin(canvas, w, h);
  const px = image.data;
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < h * w; i += 1) {
    const g = Math.round(255 * Math.min(1, Math.max(0, (data[i] - lo) / span)));
    px[4 * i] = g;
    px[4 * i + 1] = g;
    px[4 * i + 2] = g;
    px[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/**
 * Paint `count` k x k tiles of `data` (from `offset`, each k*k row-major) side by
 * side in a grid of `cols` columns with a one-pixel light gap: one filter of a
 * convolution with several input channels.
 */
export function paintTiles(canvas, data, offset, count, k, cols, scale) {
  const rows = Math.ceil(count / cols);
  const w = cols * k + cols - 1;
  const h = rows * k + rows - 1;
  const [ctx, image] = begin(canvas, w, h);
  const px = image.data;
  px.fill(255);
  const s = scale > 0 ? scale : 1;
  for (let c = 0; c < count; c += 1) {
    const top = Math.floor(c / cols) * (k + 1);
    const left = (c % cols) * (k + 1);
    for (let i = 0; i < k * k; i += 1) {
      const at = 4 * ((top + Math.floor(i / k)) * w + left + (i % k));
      const j = 3 * lutIndex(data[offset + c * k * k + i] / s);
      px[at] = DIVERGING_LUT[j];
      px[at + 1] = DIVERGING_LUT[j + 1];
      px[at + 2] = DIVERGING_LUT[j + 2];
    }
  }
  ctx.putImageData(image, 0, 0);
}

/** The number as short text ("0.42", "1.3e-3"). */
export function short(value) {
  if (!Number.isFinite(value)) return "–";
  const a = Math.abs(value);
  if (a !== 0 && (a < 0.01 || a >= 1000)) return value.toExponential(1);
  return value.toFixed(2);
}
