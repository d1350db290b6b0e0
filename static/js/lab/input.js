/**
 * The probed input image, large and grey (black = the darkest pixel of the
 * image, white = the brightest), with a caption saying which sample it is, its
 * size and how far it is shifted.
 *
 * Reads the quantised array `probe.input` ((S, S) for an image) and
 * `header.probe` (`set`, `index`, `draw`, `shift`, `label`, `class_names`).
 */

import { t } from "../common/i18n.js";
import { paintGrey, range } from "./paint.js";

/** The shift sentences by the signs of (dy, dx): whole sentences, so that each
 * language orders its words its own way. */
const SHIFTS = {
  "1,1": (v) => t("shifted {dy} down, {dx} right", v),
  "1,-1": (v) => t("shifted {dy} down, {dx} left", v),
  "-1,1": (v) => t("shifted {dy} up, {dx} right", v),
  "-1,-1": (v) => t("shifted {dy} up, {dx} left", v),
  "1,0": (v) => t("shifted {dy} down", v),
  "-1,0": (v) => t("shifted {dy} up", v),
  "0,1": (v) => t("shifted {dx} right", v),
  "0,-1": (v) => t("shifted {dx} left", v),
  "0,0": () => t("not shifted"),
};

/** "shifted 2 down, 1 left" (or "not shifted"). */
export function shiftText([dy, dx] = [0, 0]) {
  return SHIFTS[`${Math.sign(dy)},${Math.sign(dx)}`]({ dy: Math.abs(dy), dx: Math.abs(dx) });
}

/** Which sample a probe shows: "test sample 12" or "a drawn ring". */
export function sampleText(probe) {
  if (probe.text) return t("a typed sentence");
  if (probe.draw) return t("a freshly drawn {shape}", { shape: probe.draw });
  if (probe.set === "test") return t("test sample {index}", { index: probe.index });
  if (probe.set === "train") return t("train sample {index}", { index: probe.index });
  return t("{set} sample {index}", { set: probe.set, index: probe.index });
}

export class InputView {
  /**
   * @param {HTMLCanvasElement} canvas the large input canvas
   * @param {HTMLElement} caption the text under it
   */
  constructor(canvas, caption) {
    this.canvas = canvas;
    this.caption = caption;
  }

  update(frame) {
    const probe = frame.header.probe;
    const input = frame.arrays["probe.input"];
    if (!probe || !input || input.shape.length !== 2) return;
    const [h, w] = input.shape;
    const [lo, hi] = range(input.data);
    paintGrey(this.canvas, input.data, h, w, lo, hi);
    const names = probe.class_names || [];
    const values = { sample: sampleText(probe), h, w, shift: shiftText(probe.shift),
      label: names[probe.label] !== undefined ? t(names[probe.label]) : probe.label };
    this.caption.textContent = Number.isInteger(probe.label) && !probe.draw
      ? t("{sample} (a {label}), {h} × {w} pixels, {shift}", values)
      : t("{sample}, {h} × {w} pixels, {shift}", values);
    this.canvas.dataset.size = `${h}x${w}`;
    this.canvas.dataset.shift = (probe.shift || [0, 0]).join(",");
  }
}
