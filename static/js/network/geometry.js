/**
 * Where everything of the network diagram goes (pure): column and unit
 * positions in the SVG's user units, the shapes of links, arcs, bias marks and
 * crosses, and link widths. Layouts are those of `layoutColumns`
 * (network/layout.js).
 */

import { columnHeader } from "./labels.js";

/** User units per text line (text is 12 units, drawn at scale MIN_SCALE at least;
 * a 12-unit line's box is about 14.4 units tall, so two lines 15 apart never touch). */
export const LINE = 15;
/** Smallest drawing scale before the diagram scrolls. */
export const MIN_SCALE = 0.7;
/** Largest drawing scale: a small net (no hidden layer, say) is not blown up. */
export const MAX_SCALE = 1.2;
/** The width (user units) a diagram is laid out for when its container is wider. */
export const DESIGN_WIDTH = 560;
/** The narrowest width a diagram is laid out for (a phone's column). */
const MIN_ROOM = 240;
const MAX_SPACING = 170;
/** Unit slots the diagram is at least as tall as, so a one-unit column is not a sliver. */
const MIN_SLOTS = 3;
const LINK_MIN = 0.5; // stroke width of a zero weight
const LINK_MAX = 6; // stroke width of the layer's largest |w| (less for many links, see linkMax)
/**
 * The smallest |w| a layer's links are scaled against: widths are |w| over the
 * layer's largest |w| in the frame, or over this when the largest is smaller, so
 * a layer whose weights all vanish (one neuron on XOR: |w| near 1e-16) is drawn
 * thin, not blown up to full width. Biases' strength follows the same rule.
 */
export const SCALE_FLOOR = 1;

/** `v` limited to [lo, hi]. */
export function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

/**
 * Width (user units) of a header text at 12 units: a generous estimate, so that
 * what is laid out from it is never too tight (bold Latin letters about 7.8
 * units, CJK characters 12.5).
 * @param {string} text
 * @param {boolean} bold
 */
export function textWidth(text, bold) {
  let w = 0;
  for (const ch of text) w += ch.codePointAt(0) >= 0x2e80 ? 12.5 : (bold ? 7.8 : 7);
  return w;
}

/** Half the width of a column's widest header line. */
function headerHalf(column) {
  const [line1, line2] = columnHeader(column);
  return Math.max(textWidth(line1, true), textWidth(line2, false)) / 2;
}

/**
 * The horizontal layout: the first column's x, the right margin, the spacing
 * between columns and whether headers alternate between two rows (when
 * neighbours' headers would touch), for a drawing `room` wide.
 */
function horizontal(layout, unit, inputSize, room) {
  const cols = layout.columns;
  const n = cols.length;
  const halves = cols.map(headerHalf);
  const longest = Math.max(2, ...layout.inputs.names.map((name) => name.length));
  const x0 = Math.max(clamp(longest * 7.5 + 14, 30, 130) + inputSize / 2, halves[0] + 4);
  const outLabels = layout.output && layout.output.width > 1;
  const right = Math.max(unit / 2 + (outLabels ? 60 : 10), halves[n - 1] + 4);
  if (n < 2) return { x0, right, spacing: 0, stagger: false };
  const target = clamp(room, MIN_ROOM, DESIGN_WIDTH);
  let spacing = clamp((target - x0 - right) / (n - 1), unit + 30, MAX_SPACING);
  const need = (i, j) => halves[i] + halves[j] + 8; // two headers side by side
  const stagger = halves.some((_, i) => i > 0 && need(i - 1, i) > spacing);
  if (stagger) {
    for (let i = 2; i < n; i++) spacing = Math.max(spacing, need(i - 2, i) / 2);
  }
  return { x0, right, spacing, stagger };
}

/**
 * The box of a residual block's projection P, drawn on its arc as a small
 * matrix: a cell per weight, a column per input unit and a row per output unit.
 * @param {object} layout from `layoutColumns`
 * @param {object} arc one of `layout.arcs`, with a `projection`
 * @returns {{inputs: number, outputs: number, cell: number, w: number, h: number}}
 */
export function projectionBox(layout, arc) {
  const inputs = layout.columns[arc.from].width, outputs = arc.projection.units;
  const cell = clamp(Math.floor(Math.min(48 / inputs, 36 / outputs)), 2, 6);
  return { inputs, outputs, cell, w: inputs * cell, h: outputs * cell };
}

/**
 * Positions (user units) of every column and unit.
 * @param {object} layout from `layoutColumns`
 * @param {number} [room] the width (CSS px) the diagram has: narrower than
 *   DESIGN_WIDTH, it is laid out narrower (a phone), so that it is drawn at
 *   about its natural size instead of scrolling
 * @returns {{width: number, height: number, unit: number, arcBase: number, arcTop: number,
 *   spacing: number, countY: number, headerY: number[], stagger: boolean,
 *   columns: Array<{x: number, size: number, lift: number,
 *     units: Array<{x: number, y: number, size: number}>}>}}
 *   unit centres and sizes; `headerY` the baselines of the two header lines;
 *   a column's `lift` moves its header up (every other column when `stagger`)
 */
export function computeGeometry(layout, room = DESIGN_WIDTH) {
  const cols = layout.columns;
  const most = Math.max(1, ...cols.map((c) => c.width));
  const unit = most <= 8 ? 34 : clamp(Math.floor(300 / most) - 6, 14, 34);
  const inputSize = Math.min(unit, 22);
  const gap = Math.max(5, Math.round(unit / 5));
  const { x0, right, spacing, stagger } = horizontal(layout, unit, inputSize, room);
  const n = cols.length;
  const headerLines = cols.some((c) => columnHeader(c)[1]) ? 2 : 1;
  // a lifted header sits a row of lines higher, with 4 units more so that the
  // two rows' text boxes (taller than a line) do not touch
  const lift = stagger ? headerLines * LINE + 4 : 0;
  const headerSpace = headerLines * LINE + lift;
  // a projection's matrix sits on its arc's peak: the arcs are lowered to make room
  const projH = Math.max(0, ...layout.arcs.filter((a) => a.projection).map((a) => projectionBox(layout, a).h));
  const arcSpace = layout.arcs.length ? 36 + projH : 0;
  const top = 6 + arcSpace + headerSpace + 6;
  const slot = (c) => (c.kind === "input" ? inputSize : unit) + gap;
  const body = Math.max(MIN_SLOTS * (unit + gap), ...cols.map((c) => c.width * slot(c)));
  const mid = top + body / 2;
  const columns = cols.map((c, ci) => {
    const x = x0 + ci * spacing;
    const size = c.kind === "input" ? inputSize : unit;
    const first = mid - (c.width * slot(c)) / 2 + gap / 2 + size / 2;
    const units = Array.from({ length: c.width }, (_, k) => ({ x, y: first + k * slot(c), size }));
    return { x, size, units, lift: ci % 2 === 1 ? lift : 0 };
  });
  return {
    width: Math.ceil(x0 + (n - 1) * spacing + right),
    height: Math.ceil(top + body + 8 + 2 * LINE),
    unit,
    arcBase: top - headerSpace - 6,
    arcTop: 16 + projH / 2,
    spacing,
    stagger,
    headerY: [top - headerLines * LINE + 9, top - LINE + 9],
    countY: top + body + LINE,
    columns,
  };
}

/** The path of a link from the right edge of unit `a` to the left edge of unit `b`. */
export function linkPath(a, b) {
  const x1 = a.x + a.size / 2, x2 = b.x - b.size / 2, xm = (x1 + x2) / 2;
  return `M${x1},${a.y} C${xm},${a.y} ${xm},${b.y} ${x2},${b.y}`;
}

/**
 * A residual arc from column x `a` to column x `b`, rising from `base` towards
 * `peak`, and where its label goes.
 * @returns {{d: string, labelX: number, labelY: number}}
 */
export function arcShape(a, b, base, peak) {
  return {
    d: `M${a},${base} C${a},${peak} ${b},${peak} ${b},${base}`,
    labelX: (a + b) / 2,
    labelY: base - 0.75 * (base - peak) - 4,
  };
}

/** The square of a unit (`{x, y, size}`, centred) as rect attributes. */
export function unitBox(u) {
  return { x: u.x - u.size / 2, y: u.y - u.size / 2, width: u.size, height: u.size };
}

/** The two diagonals of a unit's square (the "dead" cross). */
export function crossPath(u) {
  const half = u.size / 2;
  return `M${u.x - half},${u.y - half} L${u.x + half},${u.y + half} `
    + `M${u.x + half},${u.y - half} L${u.x - half},${u.y + half}`;
}

/** A bias mark: a small square of side `size` to the upper left of its unit. */
export function biasBox(u) {
  const size = clamp(Math.round(u.size / 4), 6, 9);
  return { x: u.x - u.size / 2 - size - 4, y: u.y - u.size / 2, size };
}

/** Stroke width of a layer's largest |w|: thinner when many links share the space. */
export function linkMax(links) {
  return clamp(24 / Math.sqrt(links), 2.5, LINK_MAX);
}

/**
 * The scale of a layer whose largest |w| (or |b|) is `largest`: that, but at least
 * SCALE_FLOOR.
 */
export function linkScale(largest) {
  return Number.isFinite(largest) ? Math.max(largest, SCALE_FLOOR) : SCALE_FLOOR;
}

/**
 * Stroke width (as attribute text) of weight `w` in a layer scaled by `scale`
 * (`linkScale` of its largest |w|) whose strongest link is `maxWidth` wide.
 */
export function linkWidth(w, scale, maxWidth) {
  const share = scale > 0 ? Math.min(1, Math.abs(w) / scale) : 0;
  return (LINK_MIN + (maxWidth - LINK_MIN) * share).toFixed(2);
}
