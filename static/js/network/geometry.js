/**
 * Where everything of the network diagram goes (pure): column and unit
 * positions in the SVG's user units, the shapes of links, arcs, bias marks and
 * crosses, and link widths. Layouts are those of `layoutColumns`
 * (network/layout.js).
 */

import { columnHeader } from "./labels.js";

/** User units per text line (text is 12 units, drawn at scale MIN_SCALE at least). */
export const LINE = 14;
/** Smallest drawing scale before the diagram scrolls. */
export const MIN_SCALE = 0.7;
const MIN_WIDTH = 560;
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
 * Positions (user units) of every column and unit.
 * @param {object} layout from `layoutColumns`
 * @returns {{width: number, height: number, unit: number, arcBase: number, arcTop: number,
 *   spacing: number, countY: number, headerY: number[],
 *   columns: Array<{x: number, size: number, units: Array<{x: number, y: number, size: number}>}>}}
 *   unit centres and sizes; `headerY` the baselines of the two header lines
 */
export function computeGeometry(layout) {
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
  const slot = (c) => (c.kind === "input" ? inputSize : unit) + gap;
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
