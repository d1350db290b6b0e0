/**
 * Painting the output map's pixels: one value per cell on the diverging map
 * (binary probabilities, regression values), or k class probabilities as the
 * most likely class's colour, as strong as its lead over the next. These run on
 * every frame, so they write into a given RGBA buffer and allocate nothing.
 */

import { CLASS_COLORS, DIVERGING_LUT, NEUTRAL, lutIndex } from "../common/palette.js";

/** How strongly the map is coloured (1: the map's full colours); points stay full. */
export const MAP_STRENGTH = 0.82;

/**
 * Fill RGBA `pixels` from one value per pixel, coloured by the diverging map at
 * t = value * gain + shift (clamped to [-1, 1]) and softened by MAP_STRENGTH.
 * @param {Uint8ClampedArray} pixels 4 * n
 * @param {Float32Array} values n
 */
export function paintDiverging(pixels, values, gain, shift) {
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
export function paintClasses(pixels, values, k) {
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
