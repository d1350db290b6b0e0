/**
 * What the network diagram says about the hovered or focused thing, from the
 * frame on screen:
 *
 * - `unitFacts`: a unit's activation (its name, and its value at a point of the
 *   input plane when the pointer is over its map) and its bias, which the
 *   enlarged map (unit_zoom.js) shows under its caption;
 * - `LinkTip`: a small box by a hovered or focused link or bias mark giving its
 *   weight or bias, kept current as frames arrive; also a weight of a residual
 *   projection's matrix (network/projection.js) under the pointer.
 *
 * Units, links and biases are those of network/build.js; `frame` is a decoded
 * frame (`{header, arrays}`).
 */

import { activationLabel } from "../common/activation_names.js";
import { t } from "../common/i18n.js";
import { describeEditable } from "./editor.js";
import { readArray } from "./frame.js";
import { html, setText } from "./dom.js";
import { fmt, unitName } from "./labels.js";

/** The output's activation as the loss implies it (bce: sigmoid, softmax_ce: softmax). */
export function outputActivation(spec) {
  if (spec?.loss === "bce") return "sigmoid";
  if (spec?.loss === "softmax_ce") return "softmax";
  return typeof spec?.output_activation === "string" ? spec.output_activation : "linear";
}

/**
 * The value of unit `k`'s map at (u, v) of its square (0..1 from the left and
 * the top), with the input there: `{value, row, col, grid, x, y}` (`grid` the
 * map's cells per side, `y` null for 1-D data), or null when the frame has no
 * map for it.
 */
function valueAt(frame, column, k, u, v) {
  const output = column.kind === "output";
  const map = output ? readArray(frame, "output_map")
    : column.activation ? readArray(frame, `layers.${column.activation.index}.unit_maps`) : null;
  const extent = frame?.header?.extent;
  if (!map || !Array.isArray(extent)) return null;
  const oneD = extent.length === 2;
  const shape = output ? map.shape : map.shape.slice(1);
  const g = shape[0];
  const width = oneD ? g : shape[1];
  const channels = output ? (map.shape.length > (oneD ? 1 : 2) ? map.shape[oneD ? 1 : 2] : 1) : 1;
  if (output && k >= channels) return null;
  const col = Math.min(width - 1, Math.max(0, Math.floor(u * width)));
  const row = oneD ? 0 : Math.min(g - 1, Math.max(0, Math.floor(v * g)));
  const cell = oneD ? col : row * width + col;
  const index = output ? cell * channels + k : k * (oneD ? g : g * width) + cell;
  if (index >= map.data.length) return null;
  const x = extent[0] + ((col + 0.5) / width) * (extent[1] - extent[0]);
  const y = oneD ? null : extent[3] - ((row + 0.5) / g) * (extent[3] - extent[2]);
  return { value: map.data[index], row, col, grid: width, x, y };
}

/**
 * What to say about a hidden or output unit: its activation's name, its bias,
 * and, with `point` ({u, v} in its square), its activation's value there.
 * @returns {{activation: string, bias: number|null, at: object|null, lines: string[]}}
 */
export function unitFacts(frame, spec, unit, point = null) {
  const { column, k } = unit;
  const name = column.kind === "output" ? outputActivation(spec)
    : column.activation ? column.activation.name : "linear";
  const b = column.dense ? readArray(frame, `layers.${column.dense.index}.params.b`) : null;
  const bias = b && k < b.data.length ? b.data[k] : null;
  const at = point ? valueAt(frame, column, k, point.u, point.v) : null;
  const lines = [t("activation: {name}", { name: activationLabel(name) })];
  if (bias !== null) lines.push(t("bias: {value}", { value: fmt(bias) }));
  if (at) {
    const where = at.y === null ? t("x = {x}", { x: fmt(at.x) })
      : t("(x1, x2) = ({x}, {y})", { x: fmt(at.x), y: fmt(at.y) });
    lines.push(t("value {value} at {where}", { value: fmt(at.value), where }));
  }
  return { activation: name, bias, at, lines };
}

/** The box by a hovered or focused link or bias mark. */
export class LinkTip {
  #root;
  #box;
  #title;
  #value;
  #item = null;

  /** @param {HTMLElement} root the positioned, scrolling element to float in */
  constructor(root) {
    this.#root = root;
    this.#box = html("div", "nv-tip", root);
    this.#box.hidden = true;
    this.#box.dataset.testid = "link-tip";
    this.#box.setAttribute("aria-hidden", "true"); // the link's own label says the same
    this.#title = html("div", "nv-tip-title", this.#box);
    this.#value = html("div", "nv-tip-value", this.#box);
  }

  /** The item shown, or null. */
  get item() {
    return this.#item;
  }

  /**
   * Shows `item` (a weight or bias) from `frame`, by (x, y): the root's content
   * coordinates of the pointer, or of the item's centre when focused.
   */
  show(item, layout, frame, x, y) {
    this.#item = item;
    this.refresh(layout, frame);
    this.#place(x, y);
  }

  /**
   * Shows weight `hit` (`{i, j, value}`, from `projectionWeight`) of a residual
   * projection `proj` of `layout` by (x, y), root content coordinates.
   */
  showProjection(proj, hit, layout, x, y) {
    this.#item = null; // the pointer's moves ask again
    const from = layout.columns[proj.arc.from], to = layout.columns[proj.arc.to];
    setText(this.#title, t("weight of the projection P from {from} to {to}",
      { from: unitName(from, hit.i), to: unitName(to, hit.j) }));
    setText(this.#value, t("weight: {value}", { value: fmt(hit.value) }));
    Object.assign(this.#box.dataset, { layer: proj.arc.projection.path, name: "W",
      index: `${hit.i},${hit.j}`, value: String(hit.value) });
    this.#place(x, y);
  }

  /** Shows the box by (x, y), kept inside the root. */
  #place(x, y) {
    this.#box.hidden = false;
    const w = this.#box.offsetWidth, h = this.#box.offsetHeight;
    const right = this.#root.scrollLeft + this.#root.clientWidth;
    const left = x + 14 + w > right ? x - 14 - w : x + 14;
    this.#box.style.left = `${Math.max(this.#root.scrollLeft + 2, left)}px`;
    this.#box.style.top = `${Math.max(this.#root.scrollTop + 2, y - h - 8)}px`;
  }

  /** Writes the shown item's value in `frame` (after a new frame). */
  refresh(layout, frame) {
    const item = this.#item;
    if (!item || !frame) return;
    const d = describeEditable(layout, frame, item);
    setText(this.#title, d.text);
    setText(this.#value, d.name === "W" ? t("weight: {value}", { value: fmt(d.value) })
      : t("bias: {value}", { value: fmt(d.value) }));
    Object.assign(this.#box.dataset, { layer: item.set.link.dense.path, name: d.name,
      index: d.index.join(","), value: String(d.value) });
  }

  /** Hides the box. */
  hide() {
    this.#item = null;
    this.#box.hidden = true;
  }
}
