/**
 * The enlarged map of the hovered (or focused) unit of the network diagram: a
 * floating 170 px panel beside the unit, painted at once from the frame's
 * coarse map, then from the full-resolution map that `onUnitHover` resolves
 * with; while new frames arrive it asks again, at most every 250 ms. Under the
 * caption: the unit's activation, its bias and, while the pointer is over the
 * unit, the activation's value at that point of the input plane (network/hover.js
 * `unitFacts`; also in the info line's `data-activation`, `data-bias`,
 * `data-value`, `data-row`, `data-col` and `data-grid`). A unit of a linear column (no map) shows only these lines.
 *
 * Units are those the diagram builds (network/build.js): `{column, k, canvas}`;
 * `model` is the diagram's model (`{dims, colours, output}` are read).
 */

import { clamp } from "./geometry.js";
import { html } from "./dom.js";
import { isFullMap, readArray } from "./frame.js";
import { unitFacts } from "./hover.js";
import { zoomCaption } from "./labels.js";
import { mapColouring } from "./paint.js";
import { paintMap } from "./unit_canvas.js";

const ZOOM_REFRESH_MS = 250;
const CURVE_PIXELS = 400;

/** The zoom panel and the hover it shows. */
export class UnitZoom {
  #root;
  #box;
  #caption;
  #note;
  #info;
  #point = null;
  #cell;
  #onUnitHover;
  #hover = null;
  #scene = { model: null, frame: null, spec: null };

  /**
   * @param {HTMLElement} root the positioned, scrolling element to float in
   * @param {((unit: {layer: string, unit: number}) => Promise<object>)|null} onUnitHover
   *   resolves with a full-resolution map `{data, shape}` ([g, g], or [g] for 1-D data)
   */
  constructor(root, onUnitHover) {
    this.#root = root;
    this.#onUnitHover = onUnitHover;
    this.#box = html("div", "nv-zoom", root);
    this.#box.hidden = true;
    this.#box.setAttribute("aria-hidden", "true");
    const canvas = html("canvas", "nv-zoom-map", this.#box);
    this.#cell = { canvas, ctx: canvas.getContext("2d"), image: null };
    this.#caption = html("div", "nv-zoom-caption", this.#box);
    this.#info = html("div", "nv-zoom-info", this.#box); // activation, bias, value
    this.#info.dataset.testid = "unit-info";
    this.#note = html("div", "nv-zoom-note", this.#box); // what a dead or saturated unit is
  }

  /** The unit shown enlarged, or null. */
  get unit() {
    return this.#hover?.unit ?? null;
  }

  /**
   * Shows `unit` enlarged: the frame's map at once, then the full-resolution one
   * (hidden units only), with its activation and bias (`spec`: the run's, for
   * the output's activation). A hidden unit without an activation has no map:
   * only its lines show.
   */
  start(unit, model, frame, spec) {
    if (this.#hover?.unit === unit) return;
    this.end();
    const column = unit.column;
    const mapped = column.kind === "output" || Boolean(column.activation);
    const hover = { unit, mapped, full: false, asking: false, dirty: false, asked: 0, timer: null };
    this.#hover = hover;
    this.#point = null;
    this.#scene = { model, frame, spec };
    this.#sayState(unit);
    this.#sayFacts();
    this.#cell.canvas.hidden = !mapped;
    this.#show(unit.canvas, zoomCaption(column, unit.k), model.dims);
    if (!mapped) return;
    this.#paintFromFrame();
    if (column.kind === "hidden") this.#askFullMap(hover);
  }

  /** The pointer is at (u, v) of the shown unit's square (0..1 from the left and top). */
  point(u, v) {
    if (!this.#hover) return;
    this.#point = { u, v };
    this.#sayFacts();
  }

  /** The lines under the caption: activation, bias, value at the pointer. */
  #sayFacts() {
    const { frame, spec } = this.#scene;
    const unit = this.#hover?.unit;
    if (!unit || !frame) return;
    const facts = unitFacts(frame, spec, unit, this.#point);
    const text = facts.lines.join("\n");
    if (this.#info.textContent !== text) this.#info.textContent = text;
    const data = this.#info.dataset;
    data.activation = facts.activation;
    data.bias = facts.bias === null ? "" : String(facts.bias);
    data.value = facts.at ? String(facts.at.value) : "";
    data.row = facts.at ? String(facts.at.row) : "";
    data.col = facts.at ? String(facts.at.col) : "";
    data.grid = facts.at ? String(facts.at.grid) : "";
  }

  /** Hides the panel and forgets the hover. */
  end() {
    if (this.#hover?.timer) clearTimeout(this.#hover.timer);
    this.#hover = null;
    this.#box.hidden = true;
  }

  /** After a new frame: repaint (coarse until a full map arrives) and ask again. */
  refresh(model, frame, spec) {
    const hover = this.#hover;
    if (!hover) return;
    if (!hover.unit.canvas?.isConnected) {
      this.end();
      return;
    }
    this.#scene = { model, frame, spec };
    this.#sayState(hover.unit);
    this.#sayFacts();
    if (!hover.mapped) return;
    if (hover.unit.column.kind === "output" || !hover.full) this.#paintFromFrame();
    if (hover.unit.column.kind === "hidden") {
      hover.dirty = true;
      if (!hover.asking) this.#scheduleAsk(hover);
    }
  }

  /** The note under the caption: what the unit's dead or saturated mark means. */
  #sayState(unit) {
    const note = unit.note || "";
    if (this.#note.textContent !== note) this.#note.textContent = note;
    this.#note.hidden = !note;
  }

  /** Shows the panel beside `anchor` (an element inside the root), kept in view. */
  #show(anchor, caption, dims) {
    const root = this.#root, cell = this.#cell;
    this.#caption.textContent = caption;
    if (dims === 1 && (cell.canvas.width !== CURVE_PIXELS || cell.image)) {
      cell.canvas.width = CURVE_PIXELS;
      cell.canvas.height = CURVE_PIXELS;
      cell.image = null;
    }
    this.#box.hidden = false;
    const a = anchor.getBoundingClientRect();
    const r = root.getBoundingClientRect();
    const w = this.#box.offsetWidth, h = this.#box.offsetHeight;
    let x = a.right - r.left + root.scrollLeft + 8;
    if (x + w > root.scrollLeft + root.clientWidth) x = a.left - r.left + root.scrollLeft - w - 8;
    const y = a.top - r.top + root.scrollTop + a.height / 2 - h / 2;
    this.#box.style.left = `${Math.max(root.scrollLeft, x)}px`;
    this.#box.style.top = `${clamp(y, root.scrollTop, root.scrollTop + Math.max(0, root.clientHeight - h))}px`;
  }

  /** Paints the zoom from the current frame's (coarse) map of the hovered unit. */
  #paintFromFrame() {
    const { unit } = this.#hover;
    const { model, frame } = this.#scene;
    const column = unit.column;
    const map = column.kind === "output"
      ? readArray(frame, "output_map")
      : readArray(frame, `layers.${column.activation.index}.unit_maps`);
    if (!map) return;
    paintMap(this.#cell, map, unit.k, mapColouring(model, column));
  }

  /** Asks `onUnitHover` for the full map of the hovered unit; quiet on failure. */
  #askFullMap(hover) {
    if (!this.#onUnitHover || hover.asking || this.#hover !== hover) return;
    hover.asking = true;
    hover.dirty = false;
    hover.asked = performance.now();
    const { column, k } = hover.unit;
    let answer;
    try {
      answer = Promise.resolve(this.#onUnitHover({ layer: column.activation.path, unit: k }));
    } catch (err) {
      answer = Promise.reject(err);
    }
    answer.then((map) => this.#paintFull(hover, map)).catch(() => {}).finally(() => {
      hover.asking = false;
      if (hover.dirty && this.#hover === hover) this.#scheduleAsk(hover);
    });
  }

  /** Paints a full-resolution answer if it is still wanted and usable. */
  #paintFull(hover, map) {
    const { model } = this.#scene;
    if (this.#hover !== hover || !isFullMap(map, model.dims)) return;
    hover.full = true;
    paintMap(this.#cell, { data: map.data, shape: [1, ...map.shape] }, 0,
      { dims: model.dims, stacked: true, centre: 0, fixedScale: null, colours: model.colours });
  }

  /** Asks again once `ZOOM_REFRESH_MS` have passed since the last question. */
  #scheduleAsk(hover) {
    if (hover.timer) return;
    const wait = Math.max(0, ZOOM_REFRESH_MS - (performance.now() - hover.asked));
    hover.timer = setTimeout(() => {
      hover.timer = null;
      this.#askFullMap(hover);
    }, wait);
  }
}
