/**
 * Painting unit maps into small canvases: a heatmap for 2-D data, a filled
 * curve for 1-D data, from the stacked `unit_maps` of a frame or a channel of
 * its `output_map`. A cell is `{canvas, ctx, image}`; its ImageData is reused
 * between frames, so painting allocates nothing for heatmaps.
 */

import { clamp } from "./geometry.js";

/**
 * Paints one unit or output map of a frame into a cell.
 * @param {{canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, image: ImageData|null}} cell
 * @param {{data: Float32Array, shape: number[]}} map the stacked maps
 * @param {number} which which map (a unit, or an output channel)
 * @param {object} how `{dims, stacked, centre, fixedScale, colours}`: `stacked`
 *   true for [units, g(, g)] (unit maps), false for [G(, G)(, k)] (output map, a
 *   channel every k values); `fixedScale` overrides the per-map max |value - centre|;
 *   `colours` from `readColours` (network/colours.js)
 */
export function paintMap(cell, map, which, how) {
  const { dims, stacked, centre, fixedScale, colours } = how;
  const g = stacked ? map.shape[1] : map.shape[0];
  const count = dims === 2 ? g * g : g;
  const channels = stacked ? 1 : (map.shape.length > dims ? map.shape[dims] : 1);
  if (!stacked && which >= channels) return;
  const offset = stacked ? which * count : which;
  if (offset + (count - 1) * channels >= map.data.length) return;
  const scale = fixedScale ?? maxDeviation(map.data, offset, channels, count, centre);
  if (dims === 2) paintHeat(cell, map.data, offset, channels, g, centre, scale, colours.lut);
  else paintCurve(cell, map.data, offset, channels, g, centre, scale, colours);
}

/** Fills a cell with the neutral colour (a unit without a map, e.g. a linear column). */
export function paintBlank(cell, colours) {
  cell.ctx.fillStyle = colours.mid;
  cell.ctx.fillRect(0, 0, cell.canvas.width, cell.canvas.height);
}

/** Canvas pixels for a curve drawn `size` user units wide (sharp at 2x zoom). */
export function curvePixels(size) {
  return Math.round(size * 2);
}

/** Largest |data[offset + p * stride] - centre| over `count` points (0 if none finite). */
export function maxDeviation(data, offset, stride, count, centre) {
  let m = 0;
  for (let p = 0, q = offset; p < count; p++, q += stride) {
    const d = Math.abs(data[q] - centre);
    if (d > m) m = d;
  }
  return m;
}

/**
 * Paints a g x g heatmap into `cell`'s canvas (resized to g x g if needed, its
 * ImageData reused): point p is `data[offset + p * stride]`, rows from the top
 * (image order), coloured by (value - centre) / scale on the diverging table.
 */
function paintHeat(cell, data, offset, stride, g, centre, scale, lut) {
  if (!cell.image || cell.image.width !== g) {
    cell.canvas.width = g;
    cell.canvas.height = g;
    cell.image = cell.ctx.createImageData(g, g);
  }
  const px = cell.image.data;
  const k = scale > 0 ? 127.5 / scale : 0;
  const n = g * g;
  for (let p = 0, q = offset; p < n; p++, q += stride) {
    let i = Math.round((data[q] - centre) * k + 127.5);
    i = i > 0 ? (i < 255 ? i : 255) : 0; // NaN lands on 0 too
    const o = i << 2, d = p << 2;
    px[d] = lut[o];
    px[d + 1] = lut[o + 1];
    px[d + 2] = lut[o + 2];
    px[d + 3] = 255;
  }
  cell.ctx.putImageData(cell.image, 0, 0);
}

/**
 * Paints a curve of `count` points (`data[offset + p * stride]`, left to right)
 * into `cell`'s canvas (its pixel size fixed by `curvePixels`): the value axis is
 * centred on `centre` and spans ±scale; the area above the centre line is filled
 * with the positive colour, below with the negative one.
 */
function paintCurve(cell, data, offset, stride, count, centre, scale, colours) {
  const { ctx } = cell;
  const w = cell.canvas.width, h = cell.canvas.height;
  const pad = Math.max(2, Math.round(h * 0.06));
  const mid = h / 2;
  const amp = scale > 0 ? (mid - pad) / scale : 0;
  const xAt = (p) => (count > 1 ? pad + (p * (w - 2 * pad)) / (count - 1) : w / 2);
  const line = new Path2D();
  for (let p = 0, q = offset; p < count; p++, q += stride) {
    const y = mid - clamp((data[q] - centre) * amp, -mid, mid) || mid;
    if (p === 0) line.moveTo(xAt(p), y);
    else line.lineTo(xAt(p), y);
  }
  const area = new Path2D();
  area.moveTo(xAt(0), mid);
  area.addPath(line);
  area.lineTo(xAt(count - 1), mid);
  area.closePath();
  ctx.fillStyle = colours.mid;
  ctx.fillRect(0, 0, w, h);
  fillHalf(ctx, area, 0, mid, w, colours.posFill);
  fillHalf(ctx, area, mid, h - mid, w, colours.negFill);
  strokeCurve(ctx, line, w, h, mid);
}

/** The centre line (faint) and the curve (dark) over a painted curve cell. */
function strokeCurve(ctx, line, w, h, mid) {
  ctx.strokeStyle = "rgba(0, 0, 0, 0.25)";
  ctx.lineWidth = clamp(h / 60, 1, 2);
  ctx.beginPath();
  ctx.moveTo(0, mid);
  ctx.lineTo(w, mid);
  ctx.stroke();
  ctx.strokeStyle = "#222";
  ctx.lineWidth = clamp(h / 30, 1.5, 4);
  ctx.lineJoin = "round";
  ctx.stroke(line);
}

/** Fills `path` clipped to the horizontal band [y, y + height). */
function fillHalf(ctx, path, y, height, width, colour) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, y, width, height);
  ctx.clip();
  ctx.fillStyle = colour;
  ctx.fill(path);
  ctx.restore();
}
