/**
 * The network diagram of the playground page: `NetworkView`, which draws each
 * frame and turns clicks, keys and hovers into edits and zooms.
 *
 * `new NetworkView(container, {onEdit, onUnitHover})` draws, on every
 * `update(frame, spec)`:
 *
 * - a column of input features, one column per hidden layer (each unit a small
 *   canvas showing its unit map: a heatmap for 2-D data, a curve for 1-D data)
 *   and the output unit(s) (showing the output map);
 * - every dense layer's weights as links between consecutive columns (colour by
 *   sign, width by |w| over the largest |w| of that layer in this frame, or over
 *   1 when that is smaller, so vanishing weights are drawn thin) and every bias
 *   as a small square by its unit; clicking (or Enter on) one opens a small
 *   editor that reports the new value through `onEdit`;
 * - units dead on the training data crossed out and framed (class `nv-dead`,
 *   with a tooltip saying what dead means), saturated units hatched, counts per
 *   column; units switched off by the last dropout mask greyed; residual blocks
 *   as a "+ skip" arc;
 * - a legend under the diagram (network/legend.js) saying what link widths,
 *   crosses, hatching and grey mean. Batch-norm statistics have their own panel
 *   (bn_panel.js).
 *
 * The DOM is built once per network shape (`layoutColumns`, network/layout.js;
 * `buildDiagram`, network/build.js); later frames only change attributes and
 * canvas pixels (`paintFrame`, network/paint.js). The weight editor is in
 * network/editor.js, the enlarged unit map in unit_zoom.js.
 *
 * `frame` is `{header, arrays}` as `frames.js`'s `decodeFrame` returns it
 * (protocol.md); `arrays[name] = {data, shape}`.
 */

import { buildDiagram } from "./build.js";
import { readColours } from "./colours.js";
import { describeEditable, labelEditable, WeightEditor } from "./editor.js";
import { moveTarget, takeStop } from "./focus.js";
import { firstInputCount, mapDims } from "./frame.js";
import { DESIGN_WIDTH, MAX_SCALE, MIN_SCALE } from "./geometry.js";
import { layoutColumns, shapeKey } from "./layout.js";
import { buildLegend, paintLegend } from "./legend.js";
import { html } from "./dom.js";
import { LinkTip } from "./hover.js";
import { paintProjection, projectionWeight } from "./projection.js";
import { paintFrame } from "./paint.js";
import { UnitZoom } from "./unit_zoom.js";

export { layoutColumns } from "./layout.js";

/** Keys that open the editor of a focused link or bias. */
const EDIT_KEYS = new Set(["Enter", " ", "F2"]);

/**
 * The network diagram. See the module comment.
 */
export class NetworkView {
  #root;
  #onEdit;
  #key = null;
  #model = null;
  #legend = null;
  #frame = null;
  #spec = null;
  #room = DESIGN_WIDTH;
  #editor;
  #zoom;
  #tip;
  #ids = `nv${Math.random().toString(36).slice(2, 9)}`;

  /**
   * @param {HTMLElement} container the element to draw into (its content is replaced)
   * @param {object} callbacks
   * @param {(edit: {layer: string, name: "W"|"b", index: number[], value: number}) => void} [callbacks.onEdit]
   *   called when a weight (index [i, j]: from input i to unit j) or bias
   *   (index [j]) of the dense layer at path `layer` is given a new value
   * @param {(unit: {layer: string, unit: number}) => Promise<{data: Float32Array, shape: number[]}>} [callbacks.onUnitHover]
   *   called when unit `unit` of the activation layer at path `layer` is hovered
   *   or focused (and again, at most every 250 ms, while new frames arrive);
   *   resolves with the full-resolution map ([g, g], or [g] for 1-D data)
   */
  constructor(container, { onEdit = null, onUnitHover = null } = {}) {
    this.#onEdit = typeof onEdit === "function" ? onEdit : null;
    this.#root = html("div", "nv");
    container.replaceChildren(this.#root);
    this.#editor = new WeightEditor(this.#root, (target, value) => this.#apply(target, value));
    this.#zoom = new UnitZoom(this.#root, typeof onUnitHover === "function" ? onUnitHover : null);
    this.#tip = new LinkTip(this.#root);
    this.#listen();
    // a container narrower than the design width gets a narrower drawing (rebuilt
    // when its width changes by a step): the diagram fits instead of scrolling
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => {
        if (this.#frame && this.#measureRoom() !== this.#room) this.update(this.#frame, this.#spec);
      }).observe(this.#root);
    }
  }

  /** The width the diagram is laid out for: the container's, in 20 px steps, at most DESIGN_WIDTH. */
  #measureRoom() {
    const width = this.#root.getBoundingClientRect().width;
    return width > 0 ? Math.min(DESIGN_WIDTH, Math.floor(width / 20) * 20) : DESIGN_WIDTH;
  }

  /**
   * Draws a frame: rebuilds the DOM when the network's shape differs from the
   * last frame's, else only updates attributes and pixels.
   * @param {{header: object, arrays: object}} frame a decoded frame
   * @param {object} spec the run's spec (explicit layers form)
   */
  update(frame, spec) {
    const layers = frame?.header?.layers;
    if (!Array.isArray(layers)) return;
    const layout = layoutColumns(layers, spec, { inputCount: firstInputCount(frame, layers) });
    const dims = mapDims(frame, layout);
    const room = this.#measureRoom();
    const key = `${shapeKey(layout, dims)}@${room}`;
    if (key !== this.#key) {
      this.#room = room;
      this.#build(layout, dims);
      this.#key = key;
    }
    this.#frame = frame;
    this.#spec = spec;
    this.#paint(frame, spec);
  }

  /** Builds the whole SVG for a layout (once per network shape). */
  #build(layout, dims) {
    this.#editor.close(false);
    this.#zoom.end();
    this.#tip.hide();
    const colours = readColours(this.#root);
    const { root, model } = buildDiagram(layout, dims, { ids: this.#ids, colours, room: this.#room });
    // the diagram takes the container's width, its height following the viewBox; a
    // deep or wide net shrinks to fit (down to MIN_SCALE, or the page's
    // --nv-min-scale: a phone's is lower) before it scrolls, a small one grows to
    // MAX_SCALE at most (centred)
    root.style.width = "100%";
    root.style.height = "auto";
    root.style.minWidth = `calc(${Math.round(model.geom.width)}px * var(--nv-min-scale, ${MIN_SCALE}))`;
    root.style.maxWidth = `${Math.round(model.geom.width * MAX_SCALE)}px`;
    root.style.marginInline = "auto";
    this.#model = model;
    this.#root.querySelector(".nv-svg")?.remove();
    this.#root.querySelector(".nv-legend")?.remove();
    this.#root.prepend(root);
    this.#legend = buildLegend(layout);
    root.after(this.#legend.root);
  }

  /** Paints a frame, then labels links and biases and refreshes the zoom. */
  #paint(frame, spec) {
    const model = this.#model;
    const { dead } = paintFrame(model, frame, spec);
    for (const proj of model.projections) paintProjection(proj, frame, model.colours);
    paintLegend(this.#legend, dead);
    if (!model.labelled) {
      model.labelled = true; // later frames relabel only the focused item (see #focus)
      for (const item of model.items.values()) if (item.kind !== "unit") this.#label(item);
    }
    const focused = model.items.get(document.activeElement);
    if (focused && focused.kind !== "unit") this.#label(focused);
    this.#zoom.refresh(model, frame, spec);
    this.#tip.refresh(model.layout, frame);
  }

  #label(item) {
    labelEditable(this.#model.layout, this.#frame, item);
  }

  /* ---- events ---- */

  #listen() {
    const root = this.#root;
    root.addEventListener("click", (e) => this.#click(e));
    root.addEventListener("keydown", (e) => this.#keydown(e));
    root.addEventListener("focusin", (e) => this.#focus(e));
    root.addEventListener("focusout", (e) => {
      const item = this.#itemOf(e.target);
      if (item?.kind === "unit" && this.#zoom.unit === item.unit) this.#zoom.end();
      if (item && this.#tip.item === item) this.#tip.hide();
    });
    root.addEventListener("pointerover", (e) => {
      const item = this.#itemOf(e.target);
      if (item?.kind === "unit") {
        this.#zoom.start(item.unit, this.#model, this.#frame, this.#spec);
        this.#pointAt(item, e);
      } else if (item && this.#frame) {
        const r = this.#root.getBoundingClientRect();
        this.#tip.show(item, this.#model.layout, this.#frame,
          e.clientX - r.left + this.#root.scrollLeft, e.clientY - r.top + this.#root.scrollTop);
      }
    });
    root.addEventListener("pointermove", (e) => {
      const item = this.#itemOf(e.target);
      if (item?.kind === "unit") this.#pointAt(item, e);
      else if (!item) this.#projectionAt(e);
    });
    root.addEventListener("pointerout", (e) => {
      const item = this.#itemOf(e.target);
      if (!item || this.#itemOf(e.relatedTarget) === item) return;
      if (item.kind === "unit") this.#zoom.end();
      else if (this.#tip.item === item && document.activeElement !== item.el) this.#tip.hide();
    });
  }

  /** Shows the projection weight under the pointer, or hides a projection's box. */
  #projectionAt(event) {
    const proj = this.#model?.projections.find((p) => p.canvas === event.target);
    const hit = proj && this.#frame ? projectionWeight(proj, this.#frame, event.clientX, event.clientY) : null;
    if (hit) {
      const r = this.#root.getBoundingClientRect();
      this.#tip.showProjection(proj, hit, this.#model.layout,
        event.clientX - r.left + this.#root.scrollLeft, event.clientY - r.top + this.#root.scrollTop);
    } else if (!this.#tip.item) {
      this.#tip.hide();
    }
  }

  /** Tells the zoom where over the unit's map the pointer is. */
  #pointAt(item, event) {
    const box = item.el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) {
      this.#zoom.point((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
    }
  }

  /** The registered item an event target belongs to (a bias mark's rects map to their group). */
  #itemOf(target) {
    const items = this.#model?.items;
    if (!items || !target) return null;
    return items.get(target) ?? items.get(target.parentNode) ?? null;
  }

  #click(event) {
    const item = this.#itemOf(event.target);
    if (item?.kind !== "weight" && item?.kind !== "bias") return;
    const r = this.#root.getBoundingClientRect();
    this.#openEditor(item, event.clientX - r.left + this.#root.scrollLeft, event.clientY - r.top + this.#root.scrollTop);
  }

  #keydown(event) {
    const item = this.#itemOf(event.target);
    if (!item) return;
    const next = moveTarget(item, event.key);
    if (next) {
      next.el.focus();
    } else if (EDIT_KEYS.has(event.key) && item.kind !== "unit") {
      const a = item.el.getBoundingClientRect(), r = this.#root.getBoundingClientRect();
      this.#openEditor(item, a.left + a.width / 2 - r.left + this.#root.scrollLeft, a.top + a.height / 2 - r.top + this.#root.scrollTop);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  /** Moves the group's tab stop to the focused item; a focused unit shows its zoom. */
  #focus(event) {
    const item = this.#itemOf(event.target);
    if (!item) return;
    takeStop(item);
    if (item.kind === "unit") {
      this.#zoom.start(item.unit, this.#model, this.#frame, this.#spec);
    } else {
      this.#label(item);
      if (!this.#frame) return;
      const a = item.el.getBoundingClientRect(), r = this.#root.getBoundingClientRect();
      this.#tip.show(item, this.#model.layout, this.#frame, a.left + a.width / 2 - r.left + this.#root.scrollLeft,
        a.top + a.height / 2 - r.top + this.#root.scrollTop);
    }
  }

  #openEditor(item, x, y) {
    if (!this.#frame) return;
    this.#tip.hide();
    const d = describeEditable(this.#model.layout, this.#frame, item);
    this.#label(item);
    this.#editor.open({ el: item.el, layer: item.set.link.dense.path, ...d }, x, y, this.#root.scrollLeft + this.#root.clientWidth);
  }

  #apply(target, value) {
    if (!this.#onEdit) return;
    this.#onEdit({ layer: target.layer, name: target.name, index: target.index, value });
  }
}
