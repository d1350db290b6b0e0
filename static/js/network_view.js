/**
 * The network diagram of the playground page.
 *
 * `new NetworkView(container, {onEdit, onUnitHover})` draws, on every
 * `update(frame, spec)`:
 *
 * - a column of input features, one column per hidden layer (each unit a small
 *   canvas showing its unit map: a heatmap for 2-D data, a curve for 1-D data)
 *   and the output unit(s) (showing the output map);
 * - every dense layer's weights as links between consecutive columns (colour by
 *   sign, width by |w| scaled to the largest |w| of that layer in this frame) and
 *   every bias as a small square by its unit; clicking (or Enter on) one opens a
 *   small editor that reports the new value through `onEdit`;
 * - dead units crossed out, saturated units hatched, counts per column;
 *   batch-norm running mean / variance under the units; units switched off by
 *   the last dropout mask greyed; residual blocks as a "+ skip" arc.
 *
 * The DOM is built once per network shape (see `layoutColumns`); later frames
 * only change attributes and canvas pixels.
 *
 * `frame` is `{header, arrays}` as `frames.js`'s `decodeFrame` returns it
 * (protocol.md); `arrays[name] = {data, shape}`. Arrays are named by the
 * position `i` of their layer in `header.layers`: `layers.{i}.params.W`
 * (Float32Array, [n_in, units]), `layers.{i}.params.b` ([units]),
 * `layers.{i}.unit_maps` (Float32Array, [units, g, g] or [units, g] for 1-D data),
 * `layers.{i}.mask` (Uint8Array, [batch, units]) and `output_map`
 * ([G, G], [G, G, k], [G] or [G, k]).
 */

const SVG_NS = "http://www.w3.org/2000/svg";
const ACTIVATION_TYPES = new Set(["activation", "prelu", "rrelu"]);
const SATURATED_SHARE = 0.9;
const LINE = 14; // user units per text line (text is 12 units, drawn at scale MIN_SCALE at least)
const MIN_WIDTH = 560;
const MIN_SCALE = 0.7; // smallest drawing scale before the diagram scrolls
const LINK_MIN = 0.5; // stroke width of a zero weight
const LINK_MAX = 6; // stroke width of the layer's largest |w| (less for many links, see linkMax)
const ZOOM_REFRESH_MS = 250;
const FALLBACK_COLOURS = { neg: "#2166ac", mid: "#f7f7f7", pos: "#e08214" };
const DEAD_HELP = "Dead: the unit passes no gradient for any training input "
  + "(e.g. a ReLU whose input is always negative), so its incoming weights stop learning. "
  + "Saturated: on more than 90% of the training inputs the activation is flat there "
  + "(|f'(z)| about 0), so little gradient gets through.";

/* ------------------------------------------------------------------------ */
/* Layout: which columns, links and arcs a network has (pure).               */
/* ------------------------------------------------------------------------ */

/**
 * The column structure of a network, from the frame's `header.layers` (each with
 * `path`, `type`, and `units` for dense layers) and the run's spec (only
 * `spec.data.features` is read, for the input names).
 *
 * Each layer reference is `{path, index}`: `path` as the engine names the leaf
 * ("0", "4.0.2"), `index` its position in `header.layers` (the `i` of the array
 * names `layers.{i}.*`).
 *
 * @param {Array<object>} frameLayers the frame header's `layers`
 * @param {object} [spec] the run's spec (explicit layers form)
 * @param {{inputCount?: number}} [options] number of inputs if known from the
 *   first weight matrix (else the number of spec features)
 * @returns {{
 *   inputs: {kind: "input", width: number, names: string[], dropout: object|null},
 *   hidden: Array<{kind: "hidden", number: number, width: number, dense: object|null,
 *     batchnorm: object|null, activation: object|null, dropout: object|null}>,
 *   output: {kind: "output", width: number, dense: object, activation: object|null}|null,
 *   columns: Array<object>,
 *   links: Array<{dense: {path: string, index: number}, from: number, to: number}>,
 *   arcs: Array<{block: string, from: number, to: number, projection: object|null}>
 * }} `columns` is `[inputs, ...hidden, output]`; `from`/`to` index `columns`.
 *   An activation ref also has `name`, a dropout ref `p`.
 */
export function layoutColumns(frameLayers, spec, options = {}) {
  const layers = Array.isArray(frameLayers) ? frameLayers : [];
  const inputs = inputColumn(spec, options.inputCount);
  const state = { columns: [inputs], hidden: [], links: [], arcs: [], output: null, current: 0, block: null };
  const lastDense = lastDenseIndex(layers);
  layers.forEach((layer, index) => placeLayer(state, layer, index, lastDense));
  closeBlock(state, null);
  return {
    inputs, hidden: state.hidden, output: state.output, columns: state.columns,
    links: state.links, arcs: state.arcs,
  };
}

/** The input column: names from `spec.data.features` (or x1, x2, ... if the count differs). */
function inputColumn(spec, inputCount) {
  const features = Array.isArray(spec?.data?.features) ? spec.data.features.map(String) : [];
  const width = Number.isInteger(inputCount) && inputCount > 0 ? inputCount : features.length;
  const names = features.length === width
    ? features
    : Array.from({ length: width }, (_, i) => `x${i + 1}`);
  return { kind: "input", width, names, dropout: null };
}

/** Position of the output dense layer (the last dense that is not a residual projection). */
function lastDenseIndex(layers) {
  let last = -1;
  layers.forEach((layer, i) => {
    if (layer?.type === "dense" && !isProjection(String(layer.path))) last = i;
  });
  return last;
}

/** Whether a leaf path names a residual block's projection ("4.1"). */
function isProjection(path) {
  const parts = path.split(".");
  return parts.length === 2 && parts[1] === "1";
}

/** Ends the open residual block (if `blockId` is not its own) as an arc. */
function closeBlock(state, blockId) {
  if (state.block && state.block.block !== blockId) {
    state.block.to = state.current;
    if (state.block.to !== state.block.from) state.arcs.push(state.block);
    state.block = null;
  }
}

/** Adds one frame layer to the layout being built in `state`. */
function placeLayer(state, layer, index, lastDense) {
  const path = String(layer?.path ?? index);
  const ref = { path, index };
  const parts = path.split(".");
  const blockId = parts.length > 1 ? parts[0] : null;
  closeBlock(state, blockId);
  if (blockId !== null && !state.block) {
    state.block = { block: blockId, from: state.current, to: state.current, projection: null };
  }
  if (blockId !== null && layer.type === "dense" && isProjection(path)) {
    state.block.projection = ref;
    return;
  }
  const column = state.columns[state.current];
  if (layer.type === "dense") {
    placeDense(state, layer, ref, index === lastDense);
  } else if (ACTIVATION_TYPES.has(layer.type)) {
    const act = { ...ref, name: String(layer.name ?? layer.type) };
    if (column.kind !== "input") column.activation = act;
  } else if (layer.type === "batchnorm") {
    if (column.kind === "hidden" && !column.batchnorm) column.batchnorm = ref;
  } else if (layer.type === "dropout") {
    if (column.kind !== "output") column.dropout = { ...ref, p: Number(layer.p) };
  }
}

/** A dense layer starts a new column (hidden, or the output) linked from the current one. */
function placeDense(state, layer, ref, isOutput) {
  const width = Math.max(1, Number(layer.units) || 1);
  const column = isOutput
    ? { kind: "output", width, dense: ref, activation: null }
    : { kind: "hidden", number: state.hidden.length + 1, width, dense: ref,
        batchnorm: null, activation: null, dropout: null };
  state.columns.push(column);
  if (isOutput) state.output = column;
  else state.hidden.push(column);
  state.links.push({ dense: ref, from: state.current, to: state.columns.length - 1 });
  state.current = state.columns.length - 1;
}

/** A string that changes exactly when the DOM of the diagram must be rebuilt. */
function shapeKey(layout, dims) {
  const columns = layout.columns.map((c) => [
    c.kind, c.width, c.names?.join("|"), c.dense?.path, c.dense?.index, c.batchnorm?.index,
    c.activation?.index, c.activation?.name, c.dropout?.index, c.dropout?.p,
  ]);
  const arcs = layout.arcs.map((a) => [a.from, a.to, a.projection?.path]);
  return JSON.stringify([dims, columns, arcs]);
}

/* ------------------------------------------------------------------------ */
/* Geometry: where everything goes in the SVG's user units (pure).           */
/* ------------------------------------------------------------------------ */

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

/** Header lines above a column: its role or activation, then BN / dropout notes. */
function columnHeader(column) {
  if (column.kind === "input") return ["input", column.dropout ? `drop ${fmtP(column.dropout.p)}` : ""];
  if (column.kind === "output") return ["output", ""];
  const extras = [column.batchnorm ? "BN" : "", column.dropout ? `drop ${fmtP(column.dropout.p)}` : ""];
  return [column.activation ? column.activation.name : "linear", extras.filter(Boolean).join(" ")];
}

function fmtP(p) {
  return Number.isFinite(p) ? String(Number(p.toFixed(2))).replace(/^0\./, ".") : "?";
}

/**
 * Positions (user units) of every column and unit.
 * @returns {{width, height, unit, arcBase, arcTop, countY, headerY: number[],
 *   columns: Array<{x, size, units: Array<{x, y, size}>}>}}
 */
function computeGeometry(layout) {
  const cols = layout.columns;
  const most = Math.max(1, ...cols.map((c) => c.width));
  const unit = most <= 8 ? 34 : clamp(Math.floor(300 / most) - 6, 14, 34);
  const inputSize = Math.min(unit, 22);
  const gap = Math.max(5, Math.round(unit / 5));
  const longest = Math.max(2, ...layout.inputs.names.map((n) => n.length));
  const left = clamp(longest * 7.5 + 14, 30, 130);
  const outLabels = layout.output && layout.output.width > 1;
  const right = unit / 2 + (outLabels ? 60 : 10);
  const x0 = left + inputSize / 2;
  const n = cols.length;
  const spacing = n > 1 ? clamp((MIN_WIDTH - x0 - right) / (n - 1), unit + 30, 170) : 0;
  const headerLines = cols.some((c) => columnHeader(c)[1]) ? 2 : 1;
  const arcSpace = layout.arcs.length ? 36 : 0;
  const top = 6 + arcSpace + headerLines * LINE + 6;
  const slot = (c) => (c.kind === "input" ? inputSize : unit) + gap + (c.batchnorm ? 2 * LINE : 0);
  const body = Math.max(...cols.map((c) => c.width * slot(c)));
  const mid = top + body / 2;
  const columns = cols.map((c, ci) => {
    const x = x0 + ci * spacing;
    const size = c.kind === "input" ? inputSize : unit;
    const first = mid - (c.width * slot(c)) / 2 + gap / 2 + size / 2;
    const units = Array.from({ length: c.width }, (_, k) => ({ x, y: first + k * slot(c), size }));
    return { x, size, units };
  });
  return {
    width: Math.ceil(x0 + (n - 1) * spacing + right),
    height: Math.ceil(top + body + 8 + 2 * LINE),
    unit,
    arcBase: top - headerLines * LINE - 6,
    arcTop: 16,
    spacing,
    headerY: [top - headerLines * LINE + 9, top - LINE + 9],
    countY: top + body + LINE,
    columns,
  };
}

/* ------------------------------------------------------------------------ */
/* Small helpers: arrays, colours, DOM.                                      */
/* ------------------------------------------------------------------------ */

/** `frame.arrays[name]` if it has `data` and a `shape`, else null. */
function readArray(frame, name) {
  const a = frame?.arrays?.[name];
  return a && a.data && Array.isArray(a.shape) ? a : null;
}

/** A number for labels: 2 decimals, or 2 significant digits when tiny. */
function fmt(v) {
  if (!Number.isFinite(v)) return "not a number";
  const a = Math.abs(v);
  if (a !== 0 && a < 0.01) return v.toExponential(1);
  return v.toFixed(a >= 100 ? 0 : 2);
}

function svg(tag, attrs = {}, parent = null) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.append(el);
  return el;
}

function html(tag, className, parent = null) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (parent) parent.append(el);
  return el;
}

/** Sets an attribute only when its value changes (saves style and layout work). */
function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** [r, g, b] of any CSS colour (through a 2-D context's colour parser). */
function parseColour(ctx, text, fallback) {
  ctx.fillStyle = fallback;
  if (text) ctx.fillStyle = text;
  const s = String(ctx.fillStyle);
  if (s.startsWith("#")) return [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16));
  const m = s.match(/[\d.]+/g);
  return m ? m.slice(0, 3).map(Number) : [128, 128, 128];
}

/**
 * The diverging map read from the CSS variables `--neg`, `--mid`, `--pos` of
 * `element`: a 256-entry RGBA table (index 0: most negative, 255: most positive)
 * and the three colours as CSS strings.
 */
function readColours(element) {
  const style = getComputedStyle(element);
  const ctx = document.createElement("canvas").getContext("2d");
  const pick = (name) => parseColour(ctx, style.getPropertyValue(`--${name}`).trim(), FALLBACK_COLOURS[name]);
  const neg = pick("neg"), mid = pick("mid"), pos = pick("pos");
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const t = (i - 127.5) / 127.5;
    const end = t < 0 ? neg : pos;
    const w = Math.abs(t);
    for (let c = 0; c < 3; c++) lut[i * 4 + c] = Math.round(mid[c] + (end[c] - mid[c]) * w);
    lut[i * 4 + 3] = 255;
  }
  const css = (c, a = 1) => `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${a})`;
  return { lut, neg: css(neg), pos: css(pos), mid: css(mid), negFill: css(neg, 0.5), posFill: css(pos, 0.5) };
}

/** Largest |data[offset + p * stride] - centre| over `count` points (0 if none finite). */
function maxDeviation(data, offset, stride, count, centre) {
  let m = 0;
  for (let p = 0, q = offset; p < count; p++, q += stride) {
    const d = Math.abs(data[q] - centre);
    if (d > m) m = d;
  }
  return m;
}

/* ------------------------------------------------------------------------ */
/* Unit cells: one canvas per unit, painted as heatmap or curve.             */
/* ------------------------------------------------------------------------ */

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

/** Canvas pixels for a curve drawn `size` user units wide (sharp at 2x zoom). */
function curvePixels(size) {
  return Math.round(size * 2);
}

/**
 * Paints one unit or output map of a frame into a cell.
 * @param {object} cell `{canvas, ctx, image}`
 * @param {{data: Float32Array, shape: number[]}} map the stacked maps
 * @param {number} which which map (a unit, or an output channel)
 * @param {object} how `{dims, stacked, centre, fixedScale, colours}`: `stacked`
 *   true for [units, g(, g)] (unit maps), false for [G(, G)(, k)] (output map, a
 *   channel every k values); `fixedScale` overrides the per-map max |value - centre|.
 */
function paintMap(cell, map, which, how) {
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
function paintBlank(cell, colours) {
  cell.ctx.fillStyle = colours.mid;
  cell.ctx.fillRect(0, 0, cell.canvas.width, cell.canvas.height);
}

/* ------------------------------------------------------------------------ */
/* The inline editor of one weight or bias.                                  */
/* ------------------------------------------------------------------------ */

/** A small number field over the diagram: Enter applies, Escape or leaving cancels. */
class WeightEditor {
  #box;
  #label;
  #input;
  #target = null;
  #onApply;

  /**
   * @param {HTMLElement} root the positioned element to float in
   * @param {(target: object, value: number) => void} onApply
   */
  constructor(root, onApply) {
    this.#onApply = onApply;
    this.#box = html("div", "nv-editor", root);
    this.#box.hidden = true;
    this.#box.setAttribute("role", "dialog");
    const label = html("label", "", this.#box);
    this.#label = html("span", "nv-editor-label", label);
    this.#input = html("input", "", label);
    this.#input.type = "number";
    this.#input.step = "any";
    html("span", "nv-editor-hint", this.#box).textContent = "Enter to apply, Esc to cancel";
    this.#input.addEventListener("keydown", (e) => this.#key(e));
    this.#input.addEventListener("blur", () => this.close(false));
  }

  get target() {
    return this.#target;
  }

  /**
   * Opens for `target` (`{el, text, value}`) at (x, y) in the root's content coordinates.
   */
  open(target, x, y, rootWidth) {
    this.#target = target;
    this.#label.textContent = target.text;
    this.#box.setAttribute("aria-label", `Edit ${target.text}`);
    this.#input.value = Number.isFinite(target.value) ? String(Number(target.value.toPrecision(4))) : "";
    this.#input.removeAttribute("aria-invalid");
    this.#box.hidden = false;
    const w = this.#box.offsetWidth;
    this.#box.style.left = `${clamp(x - w / 2, 2, Math.max(2, rootWidth - w - 2))}px`;
    this.#box.style.top = `${Math.max(2, y + 10)}px`;
    this.#input.focus();
    this.#input.select();
  }

  /** Closes; gives the focus back to the edited link or bias when `restoreFocus`. */
  close(restoreFocus) {
    if (!this.#target) return;
    const el = this.#target.el;
    this.#target = null;
    this.#box.hidden = true;
    if (restoreFocus && el.isConnected) el.focus({ preventScroll: true });
  }

  #key(event) {
    event.stopPropagation(); // typing here is not a page shortcut
    if (event.key === "Escape") {
      event.preventDefault();
      this.close(true);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const value = this.#input.value.trim() === "" ? NaN : Number(this.#input.value);
      if (!Number.isFinite(value)) {
        this.#input.setAttribute("aria-invalid", "true");
        return;
      }
      const target = this.#target;
      this.close(true);
      this.#onApply(target, value);
    }
  }
}

/* ------------------------------------------------------------------------ */
/* The enlarged map of the hovered unit.                                     */
/* ------------------------------------------------------------------------ */

/** A floating panel with one 200 px map and a caption. */
class UnitZoom {
  #box;
  #caption;
  cell;

  constructor(root) {
    this.#box = html("div", "nv-zoom", root);
    this.#box.hidden = true;
    this.#box.setAttribute("aria-hidden", "true");
    const canvas = html("canvas", "nv-zoom-map", this.#box);
    this.cell = { canvas, ctx: canvas.getContext("2d"), image: null };
    this.#caption = html("div", "nv-zoom-caption", this.#box);
  }

  /** Shows the panel beside `anchor` (an element inside `root`). */
  show(anchor, root, caption, dims) {
    this.#caption.textContent = caption;
    if (dims === 1 && (this.cell.canvas.width !== 400 || this.cell.image)) {
      this.cell.canvas.width = 400;
      this.cell.canvas.height = 400;
      this.cell.image = null;
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

  hide() {
    this.#box.hidden = true;
  }
}

/* ------------------------------------------------------------------------ */
/* The view.                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * The network diagram. See the module comment.
 */
export class NetworkView {
  #root;
  #onEdit;
  #onUnitHover;
  #key = null;
  #model = null;
  #frame = null;
  #colours = null;
  #output = { centre: 0, fixedScale: null };
  #editor;
  #zoom;
  #hover = null;
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
    this.#onUnitHover = typeof onUnitHover === "function" ? onUnitHover : null;
    this.#root = html("div", "nv");
    container.replaceChildren(this.#root);
    this.#editor = new WeightEditor(this.#root, (target, value) => this.#apply(target, value));
    this.#zoom = new UnitZoom(this.#root);
    this.#listen();
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
    const key = shapeKey(layout, dims);
    if (key !== this.#key) {
      this.#build(layout, dims);
      this.#key = key;
    }
    this.#frame = frame;
    this.#paint(frame, spec);
  }

  /* ---- building ---- */

  /** Builds the whole SVG for a layout (once per network shape). */
  #build(layout, dims) {
    this.#editor.close(false);
    this.#endHover();
    this.#colours = readColours(this.#root);
    const geom = computeGeometry(layout);
    const root = svg("svg", {
      class: "nv-svg", viewBox: `0 0 ${geom.width} ${geom.height}`, role: "group",
      "aria-label": describeNetwork(layout), preserveAspectRatio: "xMidYMid meet",
    });
    // the diagram takes the container's width, its height following the viewBox; a
    // deep or wide net shrinks to fit (down to MIN_SCALE) before it scrolls
    root.style.width = "100%";
    root.style.height = "auto";
    root.style.minWidth = `${Math.round(geom.width * MIN_SCALE)}px`;
    this.#defs(root);
    const model = { layout, dims, geom, items: new Map(), linkSets: [], columns: [], labelled: false };
    const arcs = svg("g", { class: "nv-arcs" }, root);
    const visible = svg("g", { class: "nv-links", "aria-hidden": "true" }, root);
    const units = svg("g", { class: "nv-columns" }, root);
    const hits = svg("g", { class: "nv-hits" }, root);
    layout.arcs.forEach((arc) => this.#buildArc(arcs, arc, geom));
    layout.columns.forEach((column, ci) => model.columns.push(this.#buildColumn(units, model, column, ci)));
    layout.links.forEach((link) => model.linkSets.push(this.#buildLinks(visible, hits, model, link)));
    this.#model = model;
    this.#root.querySelector(".nv-svg")?.remove();
    this.#root.prepend(root);
  }

  /** The hatch pattern and arrow marker (ids unique to this view). */
  #defs(root) {
    const defs = svg("defs", {}, root);
    const hatch = svg("pattern", {
      id: `${this.#ids}-hatch`, width: 6, height: 6, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)",
    }, defs);
    svg("rect", { width: 6, height: 6, class: "nv-hatch-bg" }, hatch);
    svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "nv-hatch-line" }, hatch);
    const marker = svg("marker", {
      id: `${this.#ids}-arrow`, viewBox: "0 0 8 8", refX: 7, refY: 4, markerWidth: 7,
      markerHeight: 7, orient: "auto-start-reverse",
    }, defs);
    svg("path", { d: "M0,0 L8,4 L0,8 z", class: "nv-arrow" }, marker);
  }

  /** The "+ skip" arc of a residual block, from its input column to its output column. */
  #buildArc(parent, arc, geom) {
    const a = geom.columns[arc.from].x, b = geom.columns[arc.to].x;
    const base = geom.arcBase, peak = geom.arcTop;
    const g = svg("g", { class: "nv-arc" }, parent);
    svg("path", {
      d: `M${a},${base} C${a},${peak} ${b},${peak} ${b},${base}`,
      "marker-end": `url(#${this.#ids}-arrow)`,
    }, g);
    const label = svg("text", { x: (a + b) / 2, y: base - 0.75 * (base - peak) - 4, "text-anchor": "middle" }, g);
    label.textContent = "+ skip";
    svg("title", {}, label).textContent = arc.projection
      ? "Residual block: its input, through a learned projection (the widths differ), is added to its output."
      : "Residual block: its input is added to its output.";
  }

  /** One column: header, unit cells with their overlays, bias marks, counts. */
  #buildColumn(parent, model, column, ci) {
    const geom = model.geom.columns[ci];
    const g = svg("g", { class: `nv-column nv-${column.kind}`, role: "group" }, parent);
    g.setAttribute("aria-label", columnName(column));
    const [line1, line2] = columnHeader(column);
    const head = svg("text", { x: geom.x, y: model.geom.headerY[line2 ? 0 : 1], class: "nv-head", "text-anchor": "middle" }, g);
    head.textContent = line1;
    if (line2) {
      const sub = svg("text", { x: geom.x, y: model.geom.headerY[1], class: "nv-sub", "text-anchor": "middle" }, g);
      sub.textContent = line2;
      svg("title", {}, sub).textContent = [
        column.batchnorm ? "BN: batch normalisation; the running mean μ and variance σ² it uses at evaluation are under each unit." : "",
        column.dropout ? `Dropout with rate ${column.dropout.p}: greyed units were switched off in the last training batch's first example.` : "",
      ].filter(Boolean).join(" ");
    }
    const group = { items: [], stop: null };
    const units = geom.units.map((u, k) => this.#buildUnit(g, model, column, k, u, group));
    const view = { column, units, count: null };
    if (column.kind === "hidden") {
      view.count = this.#buildCount(g, geom.x, model.geom.countY);
      view.count.short = model.geom.spacing < 90; // "3 saturated" is about 70 units wide
    }
    return view;
  }

  /** A "2 dead · 1 saturated" text under a hidden column. */
  #buildCount(parent, x, y) {
    const text = svg("text", { x, y, class: "nv-count", "text-anchor": "middle" }, parent);
    const dead = svg("tspan", { x, dy: 0 }, text);
    const sat = svg("tspan", { x, dy: LINE }, text);
    svg("title", {}, text).textContent = DEAD_HELP;
    return { dead, sat };
  }

  /** One unit: an input node with its label, or a canvas with overlays and bias. */
  #buildUnit(parent, model, column, k, u, group) {
    const g = svg("g", { class: "nv-unit" }, parent);
    const half = u.size / 2;
    const unit = { column, k, x: u.x, y: u.y, size: u.size, state: "" };
    if (column.kind === "input") {
      svg("rect", { x: u.x - half, y: u.y - half, width: u.size, height: u.size, rx: 4, class: "nv-input-node" }, g);
      const t = svg("text", { x: u.x - half - 6, y: u.y + 4, "text-anchor": "end", class: "nv-input-label" }, g);
      t.textContent = column.names[k];
      unit.off = svg("rect", { x: u.x - half, y: u.y - half, width: u.size, height: u.size, rx: 4, class: "nv-off", visibility: "hidden" }, g);
      return unit;
    }
    const fo = svg("foreignObject", { x: u.x - half, y: u.y - half, width: u.size, height: u.size }, g);
    const canvas = html("canvas", "nv-map", fo);
    canvas.width = canvas.height = model.dims === 1 ? curvePixels(u.size) : 16;
    canvas.tabIndex = -1;
    canvas.setAttribute("role", "img");
    Object.assign(unit, { canvas, ctx: canvas.getContext("2d"), image: null });
    paintBlank(unit, this.#colours);
    const box = (cls) => svg("rect", { x: u.x - half, y: u.y - half, width: u.size, height: u.size, class: cls, visibility: "hidden" }, g);
    unit.off = box("nv-off");
    unit.hatch = box("nv-hatched");
    unit.hatch.setAttribute("fill", `url(#${this.#ids}-hatch)`);
    unit.cross = svg("path", {
      d: `M${u.x - half},${u.y - half} L${u.x + half},${u.y + half} M${u.x + half},${u.y - half} L${u.x - half},${u.y + half}`,
      class: "nv-cross", visibility: "hidden",
    }, g);
    svg("rect", { x: u.x - half, y: u.y - half, width: u.size, height: u.size, class: "nv-frame" }, g);
    if (column.batchnorm) this.#buildStats(g, unit);
    if (column.kind === "output" && column.width > 1) {
      const t = svg("text", { x: u.x + half + 6, y: u.y + 4, class: "nv-output-label" }, g);
      t.textContent = `class ${k}`;
    }
    this.#register(model, canvas, { kind: "unit", unit, group });
    return unit;
  }

  /** Two text lines under a unit: running mean and variance of its batch norm. */
  #buildStats(parent, unit) {
    const y = unit.y + unit.size / 2 + 12;
    unit.mean = svg("text", { x: unit.x, y, class: "nv-stat", "text-anchor": "middle" }, parent);
    unit.variance = svg("text", { x: unit.x, y: y + LINE - 1, class: "nv-stat", "text-anchor": "middle" }, parent);
  }

  /** The links (visible and hit paths) and bias marks of one dense layer. */
  #buildLinks(visible, hits, model, link) {
    const from = model.columns[link.from].units, to = model.columns[link.to].units;
    const set = { link, from, to, paths: [], hits: [], biases: [], widths: [], signs: [],
      maxWidth: linkMax(from.length * to.length) };
    const g = svg("g", { class: "nv-link-set" }, visible);
    const hg = svg("g", { class: "nv-link-hits", role: "group" }, hits);
    hg.setAttribute("aria-label", `weights and biases into ${columnName(model.layout.columns[link.to])}`);
    const group = { items: [], stop: null };
    from.forEach((a, i) => to.forEach((b, j) => {
      const x1 = a.x + a.size / 2, x2 = b.x - b.size / 2, xm = (x1 + x2) / 2;
      const d = `M${x1},${a.y} C${xm},${a.y} ${xm},${b.y} ${x2},${b.y}`;
      set.paths.push(svg("path", { d, class: "nv-link" }, g));
      const hit = svg("path", { d, class: "nv-hit", role: "button", tabindex: -1 }, hg);
      set.hits.push(hit);
      this.#register(model, hit, { kind: "weight", set, i, j, group });
    }));
    to.forEach((b, j) => set.biases.push(this.#buildBias(hg, model, set, b, j, group)));
    return set;
  }

  /** A bias mark: a small square to the upper left of its unit, with a larger hit area. */
  #buildBias(parent, model, set, unit, j, group) {
    const m = clamp(Math.round(unit.size / 4), 6, 9);
    const x = unit.x - unit.size / 2 - m - 4, y = unit.y - unit.size / 2;
    const g = svg("g", { class: "nv-bias-mark", role: "button", tabindex: -1 }, parent);
    svg("rect", { x: x - 3, y: y - 3, width: m + 6, height: m + 6, class: "nv-bias-hit" }, g);
    const mark = svg("rect", { x, y, width: m, height: m, class: "nv-bias" }, g);
    this.#register(model, g, { kind: "bias", set, j, group });
    return { g, mark, sign: 0, opacity: "" };
  }

  /** Makes `el` an item of a roving-focus group (one tab stop per group, arrows move). */
  #register(model, el, item) {
    item.el = el;
    item.pos = item.group.items.length;
    item.group.items.push(item);
    if (!item.group.stop) {
      item.group.stop = item;
      el.setAttribute("tabindex", "0");
    }
    model.items.set(el, item);
  }

  /* ---- painting ---- */

  /**
   * How a column's maps are painted (see `paintMap`): hidden units centred on 0
   * and scaled per unit; the output as `outputColouring` of the spec says.
   */
  #mapColouring(column) {
    const dims = this.#model.dims;
    return column.kind === "output"
      ? { dims, stacked: false, ...this.#output, colours: this.#colours }
      : { dims, stacked: true, centre: 0, fixedScale: null, colours: this.#colours };
  }

  /** Updates every unit, link, bias and count from `frame`. */
  #paint(frame, spec) {
    const model = this.#model;
    this.#output = outputColouring(spec);
    for (const view of model.columns) this.#paintColumn(frame, view);
    for (const set of model.linkSets) this.#paintLinks(frame, set);
    if (!model.labelled) {
      model.labelled = true; // later frames relabel only the focused item (see #focus)
      for (const item of model.items.values()) if (item.kind !== "unit") this.#labelEditable(item);
    }
    const focused = model.items.get(document.activeElement);
    if (focused && focused.kind !== "unit") this.#labelEditable(focused);
    this.#refreshHover();
  }

  /** The maps, states, batch-norm statistics and counts of one column. */
  #paintColumn(frame, view) {
    const { column, units } = view;
    const layers = frame.header.layers;
    const mask = column.dropout ? readArray(frame, `layers.${column.dropout.index}.mask`) : null;
    const act = column.activation ? layers[column.activation.index] ?? {} : {};
    const bn = column.batchnorm ? layers[column.batchnorm.index] ?? {} : null;
    const map = column.kind === "output"
      ? readArray(frame, "output_map")
      : column.activation && readArray(frame, `layers.${column.activation.index}.unit_maps`);
    const how = this.#mapColouring(column);
    let dead = 0, saturated = 0;
    units.forEach((unit, k) => {
      if (unit.canvas && map) paintMap(unit, map, k, how);
      const off = mask ? mask.data[k] === 0 && mask.shape[0] > 0 : false;
      const state = unitState(act, k);
      if (state === "dead") dead++;
      if (state === "saturated") saturated++;
      this.#paintUnitState(unit, state, off);
      if (bn) this.#paintStats(unit, bn, k);
    });
    if (view.count) this.#paintCount(view.count, dead, saturated);
  }

  /** Shows the cross / hatch / grey overlays and updates the unit's label. */
  #paintUnitState(unit, state, off) {
    setAttr(unit.off, "visibility", off ? "visible" : "hidden");
    if (!unit.canvas) return;
    const key = `${state}|${off}`;
    if (unit.state === key) return;
    unit.state = key;
    setAttr(unit.cross, "visibility", state === "dead" ? "visible" : "hidden");
    setAttr(unit.hatch, "visibility", state === "saturated" ? "visible" : "hidden");
    const notes = [state, off ? "switched off by dropout" : ""].filter(Boolean).join(", ");
    const name = unitName(unit.column, unit.k);
    unit.canvas.setAttribute("aria-label", notes ? `${name}: ${notes}` : name);
  }

  /** Running mean and variance text of a batch-normalised unit. */
  #paintStats(unit, bn, k) {
    const mean = Array.isArray(bn.running_mean) ? bn.running_mean[k] : null;
    const variance = Array.isArray(bn.running_var) ? bn.running_var[k] : null;
    setText(unit.mean, `μ ${mean == null ? "–" : fmt(mean)}`);
    setText(unit.variance, `σ² ${variance == null ? "–" : fmt(variance)}`);
  }

  /** "2 dead" and "1 saturated" (or "1 sat." where columns are close) under a column. */
  #paintCount(count, dead, saturated) {
    setText(count.dead, dead ? `${dead} dead` : "");
    setText(count.sat, saturated ? `${saturated} ${count.short ? "sat." : "saturated"}` : "");
  }

  /** Stroke widths and colours of one dense layer's links, and its bias marks. */
  #paintLinks(frame, set) {
    const { index } = set.link.dense;
    const W = readArray(frame, `layers.${index}.params.W`);
    const b = readArray(frame, `layers.${index}.params.b`);
    const nIn = set.from.length, nOut = set.to.length;
    if (W && W.data.length >= nIn * nOut) {
      const scale = maxDeviation(W.data, 0, 1, nIn * nOut, 0);
      for (let p = 0; p < nIn * nOut; p++) this.#paintLink(set, p, W.data[p], scale);
    }
    if (b && b.data.length >= nOut) {
      const scale = maxDeviation(b.data, 0, 1, nOut, 0);
      set.biases.forEach((mark, j) => paintBias(mark, b.data[j], scale));
    }
  }

  #paintLink(set, p, w, scale) {
    const width = (LINK_MIN + (set.maxWidth - LINK_MIN) * (scale > 0 ? Math.abs(w) / scale : 0)).toFixed(2);
    const path = set.paths[p];
    if (set.widths[p] !== width) {
      set.widths[p] = width;
      path.setAttribute("stroke-width", width);
    }
    const sign = w < 0 ? -1 : 1;
    if (set.signs[p] !== sign) {
      set.signs[p] = sign;
      path.setAttribute("class", sign < 0 ? "nv-link nv-neg" : "nv-link nv-pos");
    }
  }

  /* ---- events ---- */

  #listen() {
    const root = this.#root;
    root.addEventListener("click", (e) => this.#click(e));
    root.addEventListener("keydown", (e) => this.#keydown(e));
    root.addEventListener("focusin", (e) => this.#focus(e));
    root.addEventListener("focusout", (e) => {
      const item = this.#itemOf(e.target);
      if (item?.kind === "unit" && this.#hover?.unit === item.unit) this.#endHover();
    });
    root.addEventListener("pointerover", (e) => {
      const item = this.#itemOf(e.target);
      if (item?.kind === "unit") this.#startHover(item.unit);
    });
    root.addEventListener("pointerout", (e) => {
      const item = this.#itemOf(e.target);
      if (item?.kind === "unit" && this.#itemOf(e.relatedTarget) !== item) this.#endHover();
    });
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
    const moves = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, Home: -Infinity, End: Infinity };
    if (event.key in moves) {
      const step = moves[event.key];
      const last = item.group.items.length - 1;
      const pos = Number.isFinite(step) ? clamp(item.pos + step, 0, last) : (step < 0 ? 0 : last);
      item.group.items[pos].el.focus();
    } else if ((event.key === "Enter" || event.key === " " || event.key === "F2") && item.kind !== "unit") {
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
    if (item.group.stop !== item) {
      item.group.stop.el.setAttribute("tabindex", "-1");
      item.el.setAttribute("tabindex", "0");
      item.group.stop = item;
    }
    if (item.kind === "unit") this.#startHover(item.unit);
    else this.#labelEditable(item);
  }

  /** The current value and description of a weight or bias item. */
  #describe(item) {
    const { set } = item;
    const layout = this.#model.layout;
    const to = layout.columns[set.link.to], from = layout.columns[set.link.from];
    const name = item.kind === "weight" ? "W" : "b";
    const arr = readArray(this.#frame, `layers.${set.link.dense.index}.params.${name}`);
    const flat = item.kind === "weight" ? item.i * set.to.length + item.j : item.j;
    const value = arr ? arr.data[flat] : NaN;
    const text = item.kind === "weight"
      ? `weight from ${unitName(from, item.i)} to ${unitName(to, item.j)}`
      : `bias of ${unitName(to, item.j)}`;
    return { name, value, text, index: item.kind === "weight" ? [item.i, item.j] : [item.j] };
  }

  /** Sets the accessible name of a link or bias ("weight from x1 to unit 3 of layer 1: -0.52"). */
  #labelEditable(item) {
    if (!this.#frame) return;
    const d = this.#describe(item);
    setAttr(item.el, "aria-label", `${d.text}: ${fmt(d.value)}`);
  }

  #openEditor(item, x, y) {
    if (!this.#frame) return;
    const d = this.#describe(item);
    this.#labelEditable(item);
    this.#editor.open({ el: item.el, layer: item.set.link.dense.path, ...d }, x, y, this.#root.scrollLeft + this.#root.clientWidth);
  }

  #apply(target, value) {
    if (!this.#onEdit) return;
    this.#onEdit({ layer: target.layer, name: target.name, index: target.index, value });
  }

  /* ---- hover zoom ---- */

  /** Shows `unit` enlarged: the frame's map at once, then the full-resolution one. */
  #startHover(unit) {
    if (this.#hover?.unit === unit) return;
    this.#endHover();
    const column = unit.column;
    if (column.kind === "hidden" && !column.activation) return;
    const hover = { unit, full: false, asking: false, dirty: false, asked: 0, timer: null };
    this.#hover = hover;
    const caption = column.kind === "output"
      ? (column.width > 1 ? `output for class ${unit.k}` : "output")
      : `${unitName(column, unit.k)} (${column.activation.name})`;
    this.#zoom.show(unit.canvas, this.#root, caption, this.#model.dims);
    this.#paintZoomFromFrame();
    if (column.kind === "hidden") this.#askFullMap(hover);
  }

  #endHover() {
    if (this.#hover?.timer) clearTimeout(this.#hover.timer);
    this.#hover = null;
    this.#zoom.hide();
  }

  /** Paints the zoom from the current frame's (coarse) map of the hovered unit. */
  #paintZoomFromFrame() {
    const { unit } = this.#hover;
    const column = unit.column;
    const frame = this.#frame;
    const map = column.kind === "output"
      ? readArray(frame, "output_map")
      : readArray(frame, `layers.${column.activation.index}.unit_maps`);
    if (!map) return;
    paintMap(this.#zoom.cell, map, unit.k, this.#mapColouring(column));
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
    answer.then((map) => {
      if (this.#hover !== hover || !isFullMap(map, this.#model.dims)) return;
      hover.full = true;
      paintMap(this.#zoom.cell, { data: map.data, shape: [1, ...map.shape] }, 0,
        { dims: this.#model.dims, stacked: true, centre: 0, fixedScale: null, colours: this.#colours });
    }).catch(() => {}).finally(() => {
      hover.asking = false;
      if (hover.dirty && this.#hover === hover) this.#scheduleAsk(hover);
    });
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

  /** After a new frame: repaint the zoom (coarse until a full map arrives) and ask again. */
  #refreshHover() {
    const hover = this.#hover;
    if (!hover) return;
    if (!hover.unit.canvas?.isConnected) {
      this.#endHover();
      return;
    }
    if (hover.unit.column.kind === "output" || !hover.full) this.#paintZoomFromFrame();
    if (hover.unit.column.kind === "hidden") {
      hover.dirty = true;
      if (!hover.asking) this.#scheduleAsk(hover);
    }
  }
}

/* ------------------------------------------------------------------------ */
/* Helpers of the view (pure).                                               */
/* ------------------------------------------------------------------------ */

/** Stroke width of a layer's largest |w|: thinner when many links share the space. */
function linkMax(links) {
  return clamp(24 / Math.sqrt(links), 2.5, LINK_MAX);
}

/** Rows of the first weight matrix (the number of inputs), if the frame has it. */
function firstInputCount(frame, layers) {
  const i = layers.findIndex((l) => l?.type === "dense");
  const W = i >= 0 ? readArray(frame, `layers.${i}.params.W`) : null;
  return W && W.shape.length === 2 ? W.shape[0] : undefined;
}

/** 1 for curves ([units, g] unit maps or a [G] / [G, k] output map with a 2-number extent), else 2. */
function mapDims(frame, layout) {
  const extent = frame?.header?.extent;
  if (Array.isArray(extent)) return extent.length === 2 ? 1 : 2;
  const act = layout.hidden.find((c) => c.activation);
  const maps = act && readArray(frame, `layers.${act.activation.index}.unit_maps`);
  return maps && maps.shape.length === 2 ? 1 : 2;
}

/** "dead", "saturated" or "" for unit k of an activation layer's header entry. */
function unitState(act, k) {
  if (Array.isArray(act.dead) && act.dead[k]) return "dead";
  const share = Array.isArray(act.inactive_share) ? act.inactive_share[k] : null;
  return share != null && share > SATURATED_SHARE ? "saturated" : "";
}

/** Bias mark: colour by sign, opacity by |b| relative to the layer's largest |b|. */
function paintBias(mark, b, scale) {
  const sign = b < 0 ? -1 : 1;
  if (mark.sign !== sign) {
    mark.sign = sign;
    mark.mark.setAttribute("class", sign < 0 ? "nv-bias nv-neg" : "nv-bias nv-pos");
  }
  const opacity = (0.25 + 0.75 * (scale > 0 ? Math.abs(b) / scale : 0)).toFixed(2);
  if (mark.opacity !== opacity) {
    mark.opacity = opacity;
    mark.mark.setAttribute("fill-opacity", opacity);
  }
}

/**
 * How the output units are coloured: probabilities (bce / softmax cross-entropy
 * or a sigmoid output) around 0.5 with a fixed scale of 0.5, other outputs
 * around 0 scaled by their largest |value|.
 */
function outputColouring(spec) {
  const probability = spec && (spec.loss === "bce" || spec.loss === "softmax_ce" || spec.output_activation === "sigmoid");
  return probability ? { centre: 0.5, fixedScale: 0.5 } : { centre: 0, fixedScale: null };
}

/** Whether an `onUnitHover` answer is a usable map: {data, shape [g, g] or [g]}. */
function isFullMap(map, dims) {
  if (!map || !map.data || !Array.isArray(map.shape) || map.shape.length !== dims) return false;
  const count = map.shape.reduce((a, b) => a * b, 1);
  return count > 0 && map.data.length >= count && map.shape.every((s) => s === map.shape[0]);
}

/** A person's name for a unit: "x1", "unit 3 of layer 1", "the output", "output 2". */
function unitName(column, k) {
  if (column.kind === "input") return column.names[k];
  if (column.kind === "output") return column.width > 1 ? `output ${k + 1} (class ${k})` : "the output";
  return `unit ${k + 1} of layer ${column.number}`;
}

/** A person's name for a column ("inputs x1, x2", "hidden layer 2: 8 relu units", "output"). */
function columnName(column) {
  if (column.kind === "input") return `inputs ${column.names.join(", ")}`;
  if (column.kind === "output") return column.width > 1 ? `output: ${column.width} units` : "output";
  const act = column.activation ? column.activation.name : "linear";
  const extras = [column.batchnorm ? "batch norm" : "", column.dropout ? `dropout ${column.dropout.p}` : ""].filter(Boolean);
  return `hidden layer ${column.number}: ${column.width} ${act} units${extras.length ? `, ${extras.join(", ")}` : ""}`;
}

/** The diagram's accessible summary. */
function describeNetwork(layout) {
  const widths = layout.hidden.map((c) => c.width);
  const hidden = widths.length
    ? `${widths.length} hidden layer${widths.length > 1 ? "s" : ""} of ${widths.join(", ")} units`
    : "no hidden layers";
  const skips = layout.arcs.length ? `, ${layout.arcs.length} residual block${layout.arcs.length > 1 ? "s" : ""}` : "";
  const out = layout.output ? `${layout.output.width} output${layout.output.width > 1 ? "s" : ""}` : "no output";
  return `Network diagram: ${layout.inputs.width} inputs (${layout.inputs.names.join(", ")}), ${hidden}${skips}, ${out}. `
    + "Tab to a layer's weights, arrows to move, Enter to edit.";
}
