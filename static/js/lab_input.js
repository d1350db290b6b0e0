/**
 * The probed input image, large and grey (black = the darkest pixel of the
 * image, white = the brightest), with a caption saying which sample it is, its
 * size and how far it is shifted.
 *
 * Reads the quantised array `probe.input` ((S, S) for an image) and
 * `header.probe` (`set`, `index`, `draw`, `shift`, `label`, `class_names`).
 */

import { paintGrey, range } from "./lab_paint.js";

/** "shifted 2 down, 1 left" (or "not shifted"). */
export function shiftText([dy, dx] = [0, 0]) {
  const parts = [];
  if (dy) parts.push(`${Math.abs(dy)} ${dy > 0 ? "down" : "up"}`);
  if (dx) parts.push(`${Math.abs(dx)} ${dx > 0 ? "right" : "left"}`);
  return parts.length ? `shifted ${parts.join(", ")}` : "not shifted";
}

/** Which sample a probe shows: "test sample 12" or "a drawn ring". */
export function sampleText(probe) {
  if (probe.text) return "a typed sentence";
  if (probe.draw) return `a freshly drawn ${probe.draw}`;
  return `${probe.set} sample ${probe.index}`;
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
    const label = Number.isInteger(probe.label) ? ` (a ${names[probe.label] ?? probe.label})` : "";
    this.caption.textContent = `${sampleText(probe)}${probe.draw ? "" : label}, ` +
      `${h} × ${w} pixels, ${shiftText(probe.shift)}`;
    this.canvas.dataset.size = `${h}x${w}`;
    this.canvas.dataset.shift = (probe.shift || [0, 0]).join(",");
  }
}
