/**
 * The decision boundary over the plotted plane, worked out from a frame (pure;
 * output/view.js draws it):
 *
 * - a one-neuron net's frame carries `boundary_line` [a, b, c]: its output is
 *   0.5 exactly on a x + b y + c = 0 (engine/boundary.py). The line is drawn
 *   from those numbers, clipped to the plot, so it shows even when the map is
 *   a uniform grey (weights near 1e-16 still make a line);
 * - any other binary classifier: the 0.5 contour of its output map (marching
 *   squares on the map's cell centres, linear between them). A uniform map
 *   has none.
 *
 * Points are in data coordinates; `extent` is [xmin, xmax, ymin, ymax] and the
 * map (g, g) has row 0 at the top (y = ymax), as engine/data/grid.py lays it out.
 */

/** The prediction on the decision boundary. */
export const LEVEL = 0.5;

/**
 * The part of the line a x + b y + c = 0 inside the extent, as its two ends, or
 * null when the line misses the plot (or is no line: a = b = 0).
 * @param {number[]} line [a, b, c]
 * @param {number[]} extent [xmin, xmax, ymin, ymax]
 * @returns {number[][]|null} [[x0, y0], [x1, y1]]
 */
export function clipLine([a, b, c], [xmin, xmax, ymin, ymax]) {
  if (![a, b, c].every(Number.isFinite) || (a === 0 && b === 0)) return null;
  // scale so the larger coefficient is 1: weights near 1e-16 divide as well as any
  const s = Math.max(Math.abs(a), Math.abs(b));
  const [p, q, r] = [a / s, b / s, c / s];
  const hits = [];
  const tol = 1e-9 * Math.max(xmax - xmin, ymax - ymin);
  if (q !== 0) {
    for (const x of [xmin, xmax]) {
      const y = -(p * x + r) / q;
      if (y >= ymin - tol && y <= ymax + tol) hits.push([x, Math.min(ymax, Math.max(ymin, y))]);
    }
  }
  if (p !== 0) {
    for (const y of [ymin, ymax]) {
      const x = -(q * y + r) / p;
      if (x >= xmin - tol && x <= xmax + tol) hits.push([Math.min(xmax, Math.max(xmin, x)), y]);
    }
  }
  // the two hits furthest apart (a corner may be hit twice)
  let best = null;
  let far = -1;
  for (let i = 0; i < hits.length; i += 1) {
    for (let j = i + 1; j < hits.length; j += 1) {
      const d = Math.hypot(hits[i][0] - hits[j][0], hits[i][1] - hits[j][1]);
      if (d > far) {
        far = d;
        best = [hits[i], hits[j]];
      }
    }
  }
  return best && far > tol ? best : null;
}

/**
 * Segments of the `level` contour of a (g, g) map, [x0, y0, x1, y1] each, in
 * data coordinates. A cell whose four corners are not all on one side of the
 * level gets one segment (two at a saddle, paired by the cell's mean).
 * @param {{data: ArrayLike<number>, shape: number[]}} map
 * @param {number[]} extent [xmin, xmax, ymin, ymax]
 * @param {number} [level]
 * @returns {number[][]}
 */
export function contourSegments(map, [xmin, xmax, ymin, ymax], level = LEVEL) {
  const [rows, cols] = map.shape;
  const v = map.data;
  const dx = (xmax - xmin) / cols;
  const dy = (ymax - ymin) / rows;
  const out = [];
  // which grid points are at or above the level: one pass, then 4 lookups a cell
  const up = new Uint8Array(rows * cols);
  for (let i = 0; i < rows * cols; i += 1) up[i] = v[i] >= level ? 1 : 0;
  // the point where the level crosses the edge from grid point i to grid point j
  // (j one column right of i, or one row down)
  const cross = (i, j) => {
    const a = v[i] - level;
    const b = v[j] - level;
    const t = a === b ? 0.5 : a / (a - b);
    const r = Math.floor(i / cols) + (j - i === cols ? t : 0);
    const c = (i % cols) + (j - i === 1 ? t : 0);
    return [xmin + (c + 0.5) * dx, ymax - (r + 0.5) * dy];
  };
  for (let r = 0; r + 1 < rows; r += 1) {
    for (let c = 0; c + 1 < cols; c += 1) {
      const tl = r * cols + c, tr = tl + 1, bl = tl + cols, br = bl + 1;
      const k = up[tl] | (up[tr] << 1) | (up[br] << 2) | (up[bl] << 3);
      if (k === 0 || k === 15) continue;
      const top = up[tl] !== up[tr] ? cross(tl, tr) : null;
      const right = up[tr] !== up[br] ? cross(tr, br) : null;
      const bottom = up[bl] !== up[br] ? cross(bl, br) : null;
      const left = up[tl] !== up[bl] ? cross(tl, bl) : null;
      if (k !== 5 && k !== 10) {  // one segment between the two edges crossed
        const [p, q] = [top, right, bottom, left].filter(Boolean);
        out.push([...p, ...q]);
        continue;
      }
      // a saddle: the cell's mean says which diagonal pair is joined
      const mean = (v[tl] + v[tr] + v[br] + v[bl]) / 4;
      if ((mean >= level) === Boolean(up[tl])) {
        out.push([...top, ...right], [...bottom, ...left]);
      } else {
        out.push([...left, ...top], [...right, ...bottom]);
      }
    }
  }
  return out;
}

/**
 * The boundary a frame shows: {kind: "line", line, ends} (ends null when the line
 * misses the plot), {kind: "contour", segments}, or null (no binary map, a
 * regression, several classes, a 1-D plot, or a map with no 0.5 crossing).
 * @param {{line?: number[]|null, map: {data: ArrayLike<number>, shape: number[]}|null}|null} shown
 *   the frame's `boundary_line` and decoded `output_map`
 * @param {{dims: number, task: string, extent: number[]}} view see output/data.js
 */
export function boundaryOf(shown, view) {
  if (!shown || view.dims !== 2 || view.task !== "binary") return null;
  const { line, map } = shown;
  if (Array.isArray(line) && line.length === 3) {
    return { kind: "line", line, ends: clipLine(line, view.extent) };
  }
  if (!map || map.shape.length !== 2) return null;
  const segments = contourSegments(map, view.extent);
  return segments.length ? { kind: "contour", segments } : null;
}

/**
 * Up to `most` points of a boundary (the line's ends, or contour segment ends
 * spread along the list), rounded to 4 decimals: what the page writes in the
 * canvas's `data-boundary-points` for tests and tools.
 */
export function samplePoints(boundary, most = 12) {
  if (!boundary) return [];
  const round = (p) => p.map((x) => Math.round(x * 1e4) / 1e4);
  if (boundary.kind === "line") return boundary.ends ? boundary.ends.map(round) : [];
  const segs = boundary.segments;
  const step = Math.max(1, Math.floor(segs.length / most));
  const out = [];
  for (let i = 0; i < segs.length && out.length < most; i += step) out.push(round(segs[i].slice(0, 2)));
  return out;
}

/** A coefficient for the boundary's equation: 2 decimals, or 2 significant digits when tiny. */
function coefficient(v) {
  const a = Math.abs(v);
  return a !== 0 && (a < 0.01 || a >= 1e5) ? a.toExponential(1) : a.toFixed(2);
}

/**
 * The line's equation as a student reads it, "0.12·x1 − 3.4e-16·x2 + 0.50".
 * @param {number[]} line [a, b, c]
 */
export function equationText([a, b, c]) {
  const sign = (v, first) => (v < 0 ? (first ? "−" : " − ") : (first ? "" : " + "));
  return `${sign(a, true)}${coefficient(a)}·x1${sign(b, false)}${coefficient(b)}·x2`
    + `${sign(c, false)}${coefficient(c)}`;
}
