/**
 * Drawing lines of a time series: a polyline through thousands of rows reduced
 * to each pixel column's extremes (`traceRows`), and the short line sample of a
 * series used in legends (`drawSwatch`).
 */

/**
 * Trace (not stroke) one polyline through (x(row.step), y(row.values[column]))
 * for the rows where y gives a finite pixel; other rows are skipped. Rows falling
 * in one pixel column are reduced to that column's lowest and highest point (in
 * their order), which keeps the drawn envelope with far fewer segments.
 *
 * @param {CanvasRenderingContext2D} ctx
 * @param {{step: number, values: number[]}[]} rows sorted by step
 * @param {(step: number) => number} x
 * @param {(value: number) => number} y
 * @param {number} column index into each row's values
 */
export function traceRows(ctx, rows, x, y, column) {
  ctx.beginPath();
  const path = { started: false, column: NaN, lo: null, hi: null };
  for (const row of rows) {
    const py = y(row.values[column]);
    if (Number.isFinite(py)) addToColumn(ctx, path, x(row.step), py);
  }
  flushColumn(ctx, path);
}

/**
 * Add (px, py) to a polyline being built column by column (px increasing): a
 * point in a new pixel column emits the previous column's extremes.
 */
function addToColumn(ctx, path, px, py) {
  const column = Math.floor(px);
  if (column !== path.column) {
    flushColumn(ctx, path);
    path.column = column;
    path.lo = [px, py];
    path.hi = [px, py];
  } else if (py < path.lo[1]) {
    path.lo = [px, py];
  } else if (py > path.hi[1]) {
    path.hi = [px, py];
  }
}

/** Emit the current column's lowest and highest points, in x order. */
function flushColumn(ctx, path) {
  if (Number.isNaN(path.column)) return;
  const [a, b] = path.lo[0] <= path.hi[0] ? [path.lo, path.hi] : [path.hi, path.lo];
  for (const [px, py] of a === b ? [a] : [a, b]) {
    if (path.started) ctx.lineTo(px, py); else ctx.moveTo(px, py);
    path.started = true;
  }
  path.column = NaN;
}

/** A short line sample of a series at (x, y): 18 px wide, solid or dashed. */
export function drawSwatch(ctx, x, y, color, dashed) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.setLineDash(dashed ? [4, 3] : []);
  ctx.beginPath();
  ctx.moveTo(x, y + 0.5);
  ctx.lineTo(x + 18, y + 0.5);
  ctx.stroke();
  ctx.setLineDash([]);
}

/**
 * A vertical rule across the plot at x = px (the hover marker of a chart).
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} px canvas x
 * @param {{y: number, h: number}} plot the plot area
 * @param {string} color
 */
export function drawRule(ctx, px, plot, color) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(px, plot.y);
  ctx.lineTo(px, plot.y + plot.h);
  ctx.stroke();
}
