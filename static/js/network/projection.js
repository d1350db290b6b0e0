/**
 * A residual block's projection P in the network diagram. When a block changes
 * the width (4 units in, 6 out), h(x) = f(x) + P x: P is a dense layer of its
 * own (no activation) that the skip goes through. It is drawn on the block's
 * arc as a small matrix, a column per input unit and a row per output unit,
 * each cell a weight coloured by sign and strength (as links are), labelled P;
 * hovering a cell names the weight (network/hover.js `LinkTip`).
 *
 * `buildProjection` makes it (network/build.js calls it once per shape);
 * `paintProjection` colours it from a frame's `layers.{i}.params.W`
 * ([inputs, outputs]); `projectionWeight` reads the weight under a point.
 */

import { linkScale, projectionBox } from "./geometry.js";
import { readArray } from "./frame.js";
import { html, svg } from "./dom.js";
import { t } from "../common/i18n.js";

/**
 * The matrix of `arc`'s projection, centred at (x, y) (the arc's peak).
 * @returns {{arc: object, box: object, canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D,
 *   image: ImageData, x: number, y: number}}
 */
export function buildProjection(parent, layout, arc, x, y) {
  const box = projectionBox(layout, arc);
  const g = svg("g", { class: "nv-projection", "data-layer": arc.projection.path,
    "data-inputs": box.inputs, "data-units": box.outputs }, parent);
  const left = x - box.w / 2, top = y - box.h / 2;
  svg("rect", { x: left - 1.5, y: top - 1.5, width: box.w + 3, height: box.h + 3, class: "nv-projection-back" }, g);
  const fo = svg("foreignObject", { x: left, y: top, width: box.w, height: box.h }, g);
  const canvas = html("canvas", "nv-projection-map", fo);
  canvas.width = box.inputs;
  canvas.height = box.outputs;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", t("projection P of the skip: {inputs} to {outputs} units",
    { inputs: box.inputs, outputs: box.outputs }));
  svg("rect", { x: left, y: top, width: box.w, height: box.h, class: "nv-frame" }, g);
  const name = svg("text", { x, y: top + box.h + 13, "text-anchor": "middle", class: "nv-projection-label" }, g);
  name.textContent = "P";
  const ctx = canvas.getContext("2d");
  return { arc, box, canvas, ctx, image: ctx.createImageData(box.inputs, box.outputs) };
}

/** Colours every weight of a projection from `frame` (diverging, scaled as links are). */
export function paintProjection(proj, frame, colours) {
  const W = readArray(frame, `layers.${proj.arc.projection.index}.params.W`);
  const { inputs, outputs } = proj.box;
  if (!W || W.data.length < inputs * outputs) return;
  let largest = 0;
  for (let p = 0; p < inputs * outputs; p++) largest = Math.max(largest, Math.abs(W.data[p]));
  const k = 127.5 / linkScale(largest);
  const px = proj.image.data, lut = colours.lut;
  for (let i = 0; i < inputs; i++) {
    for (let j = 0; j < outputs; j++) {
      let c = Math.round(W.data[i * outputs + j] * k + 127.5);
      c = c > 0 ? (c < 255 ? c : 255) : 0;
      const o = c << 2, d = (j * inputs + i) << 2;
      px[d] = lut[o];
      px[d + 1] = lut[o + 1];
      px[d + 2] = lut[o + 2];
      px[d + 3] = 255;
    }
  }
  proj.ctx.putImageData(proj.image, 0, 0);
}

/**
 * The weight under client point (x, y) of a projection's canvas: `{i, j, value}`
 * (from input unit i to output unit j), or null outside it.
 */
export function projectionWeight(proj, frame, x, y) {
  const r = proj.canvas.getBoundingClientRect();
  const { inputs, outputs } = proj.box;
  const i = Math.floor(((x - r.left) / r.width) * inputs);
  const j = Math.floor(((y - r.top) / r.height) * outputs);
  if (!(i >= 0 && i < inputs && j >= 0 && j < outputs)) return null;
  const W = readArray(frame, `layers.${proj.arc.projection.index}.params.W`);
  return { i, j, value: W ? W.data[i * outputs + j] : NaN };
}
