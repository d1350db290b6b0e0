/**
 * The spatial pyramid of the probed sample: for a net with an `spp` layer, each
 * channel's map going into it and the bins it pools that map into, level by
 * level (1 x 1, 2 x 2, 4 x 4 by default: 1 + 4 + 16 numbers per channel,
 * whatever the image's size). Every bin is one pixel of its level's canvas,
 * scaled up; all share one colour scale with the maps, so the 1 x 1 bin (the
 * map's maximum, for max pooling) is as bright as the map's brightest pixel.
 *
 * Reads `header.probe.layers` (the `spp` entry and the 3-D layer before it),
 * the quantised arrays `probe.layers.<i>` ((C * B,) for the pyramid, B = the
 * sum of the levels' squares, laid out channel by channel, level by level, row
 * by row as engine/layers/pyramid.py makes it; (C, H, W) for its input) and
 * the levels from the frame header's `layers` entry of the same path.
 *
 * For the tests, each level's canvas carries `data-channel`, `data-level` and
 * `data-values` (its bins, rounded to 4 decimals, row by row), and the view's
 * element `data-levels`, `data-channels`, `data-length` and `data-input`
 * (the map's "HxW"). Hidden when the net has no pyramid.
 */

import { el } from "../common/dom.js";
import { t } from "../common/i18n.js";
import { absMax, mapCanvas, paintDiverging, short } from "./paint.js";

/** Levels of a pyramid whose header entry does not say (engine default). */
const DEFAULT_LEVELS = [1, 2, 4];

/**
 * The pyramid of a frame: {index, levels, bins, channels, vector, input} or null.
 * @param {{header: object, arrays: object}} frame
 */
export function pyramidOf(frame) {
  const entries = frame.header.probe?.layers || [];
  const index = entries.findIndex((e) => e?.type === "spp");
  if (index < 0) return null;
  const vector = frame.arrays[`probe.layers.${index}`];
  if (!vector || vector.shape.length !== 1) return null;
  const path = String(entries[index].path);
  const layer = (frame.header.layers || []).find((l) => l?.type === "spp" && String(l.path) === path);
  const levels = Array.isArray(layer?.levels) && layer.levels.length ? layer.levels : DEFAULT_LEVELS;
  const bins = levels.reduce((sum, l) => sum + l * l, 0);
  const channels = Math.floor(vector.shape[0] / bins);
  if (!channels || channels * bins !== vector.shape[0]) return null;
  const before = frame.arrays[`probe.layers.${index - 1}`];
  const input = before && before.shape.length === 3 && before.shape[0] === channels ? before : null;
  return { index, levels, bins, channels, vector, input };
}

export class PyramidView {
  /** @param {HTMLElement} container the view's element (its content is replaced) */
  constructor(container) {
    this.container = container;
    this.key = null;
    this.cards = [];
    this.summary = el("p", { class: "lab-note", "data-testid": "pyramid-summary" });
    this.container.hidden = true;
  }

  update(frame) {
    const pyramid = pyramidOf(frame);
    const key = pyramid
      ? `${pyramid.levels.join(",")}|${pyramid.channels}|${pyramid.input?.shape.join("x") ?? ""}` : "";
    if (key !== this.key) this.build(pyramid, key);
    if (!pyramid) return;
    const { levels, bins, channels, vector, input } = pyramid;
    const scale = Math.max(absMax(vector.data), input ? absMax(input.data) : 0);
    for (let c = 0; c < channels; c += 1) {
      const card = this.cards[c];
      if (input) {
        const [, h, w] = input.shape;
        paintDiverging(card.input, input.data, c * h * w, h, w, scale);
      }
      let start = c * bins;
      levels.forEach((l, j) => {
        const canvas = card.levels[j];
        paintDiverging(canvas, vector.data, start, l, l, scale);
        const values = JSON.stringify(Array.from(vector.data.subarray(start, start + l * l),
          (v) => Math.round(v * 1e4) / 1e4));
        if (canvas.dataset.values !== values) canvas.dataset.values = values;
        start += l * l;
      });
    }
    const values = { channels, bins: levels.map((l) => l * l).join(" + "), length: channels * bins,
      scale: short(scale) };
    this.summary.textContent = input
      ? t("{channels} channels × ({bins}) bins = {length} numbers from {h}×{w} maps: the same length for any image size · one colour scale ±{scale}",
        { ...values, h: input.shape[1], w: input.shape[2] })
      : t("{channels} channels × ({bins}) bins = {length} numbers: the same length for any image size · one colour scale ±{scale}", values);
    this.container.dataset.input = input ? `${input.shape[1]}x${input.shape[2]}` : "";
    this.container.dataset.step = String(frame.header.step ?? "");
  }

  build(pyramid, key) {
    this.key = key;
    this.cards = [];
    this.container.hidden = !pyramid;
    if (!pyramid) {
      this.container.replaceChildren();
      return;
    }
    const { levels, channels, input } = pyramid;
    Object.assign(this.container.dataset, { levels: levels.join(","), channels: String(channels),
      length: String(channels * pyramid.bins) });
    const heading = el("h2", { text: t("Spatial pyramid of this sample") });
    heading.append(" ", el("span", { class: "lab-sub",
      text: t("each channel's map, then its bins: {levels}", { levels: levels.map((l) => `${l}×${l}`).join(", ") }) }));
    const grid = el("div", { class: "lab-pyramid-grid" });
    for (let c = 0; c < channels; c += 1) {
      const card = { input: null, levels: [] };
      const row = el("div", { class: "lab-pyramid-row" });
      if (input) {
        card.input = mapCanvas("lab-map lab-pyramid-input", { "data-channel": c, role: "img",
          "aria-label": t("Channel {channel} going into the pyramid, {h} by {w}",
            { channel: c + 1, h: input.shape[1], w: input.shape[2] }) });
        row.append(card.input, el("span", { class: "lab-pyramid-arrow", text: "→", "aria-hidden": "true" }));
      }
      for (const l of levels) {
        const canvas = mapCanvas("lab-map lab-pyramid-level", { "data-channel": c, "data-level": l,
          role: "img", "aria-label": t("Channel {channel}: the {level} by {level} bins of the pyramid",
            { channel: c + 1, level: l }) });
        card.levels.push(canvas);
        row.append(canvas);
      }
      grid.append(el("figure", { class: "lab-pyramid-card", "data-testid": `pyramid-channel-${c}` },
        el("figcaption", { text: t("channel {n}", { n: c + 1 }) }), row));
      this.cards.push(card);
    }
    this.container.replaceChildren(heading, this.summary, grid);
  }
}
