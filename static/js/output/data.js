/**
 * What the output view shows, worked out from the data points and the last
 * frame (no drawing here): the points normalised with their regression scale,
 * the task and class count (guessed from the map when there are no points), the
 * value range of a 1-D plot, whether the run counts as diverged, and the output
 * at one cell of the map (for hover read-outs).
 */

/**
 * @typedef {{dims: number, task: string, classes: number|null, extent: number[],
 *   train: number[][], test: number[][]}} Points  the JSON of GET /api/runs/{id}/points
 * @typedef {{dims: number, task: string, classes: number|null, extent: number[],
 *   train: number[][], test: number[][], targetScale: number,
 *   targetRange: number[]|null}} NormalPoints  Points after normalisePoints
 * @typedef {{data: Float32Array, shape: number[]}} OutputMap  a decoded `output_map`
 * @typedef {{extent: number[], status: string|undefined, loss: number|null|undefined,
 *   map: OutputMap|null}} ShownFrame  what the view keeps of a frame
 * @typedef {{dims: number, task: string, classes: number, scale: number,
 *   points: NormalPoints|null, extent: number[], yRange: number[]}} View
 */

/** A train loss this large counts as diverged (a frame may say so before its status does). */
export const DIVERGED_LOSS = 1e30;

/**
 * What to draw for `extent` (2 or 4 numbers): {dims, task, classes, scale (of
 * regression values), points (null unless they match dims), extent, yRange
 * (the value axis of a 1-D plot, or ymin..ymax)}.
 * @param {number[]} extent
 * @param {ShownFrame|null} frame
 * @param {NormalPoints|null} allPoints
 * @returns {View}
 */
export function viewOf(extent, frame, allPoints) {
  const dims = extent.length === 2 ? 1 : 2;
  const map = frame && frame.map;
  const points = allPoints && allPoints.dims === dims ? allPoints : null;
  const task = points ? points.task : guessTask(map, dims);
  const classes = points && points.classes ? points.classes
    : map && map.shape.length === dims + 1 ? map.shape[dims] : 2;
  const scale = points && points.targetScale > 0 ? points.targetScale : mapScale(map);
  const yRange = dims === 1 ? curveRange(task, points, map) : [extent[2], extent[3]];
  return { dims, task, classes, scale, points, extent, yRange };
}

/**
 * Whether to show the run as diverged: by status; by a train loss that is null
 * (not finite) or beyond DIVERGED_LOSS (the float32 map has overflowed by then:
 * the server sends such a map as zeros); or by a map with non-finite values.
 * @param {ShownFrame|null} frame
 */
export function isDiverged(frame) {
  if (!frame) return false;
  const { status, loss } = frame;
  if (status === "diverged" || loss === null || loss > DIVERGED_LOSS) return true;
  const map = frame.map;
  if (!map) return false;
  const data = map.data;
  for (let i = 0; i < data.length; i += 1) if (!Number.isFinite(data[i])) return true;
  return false;
}

/**
 * The output at flat cell `cell` of a map with `dims` grid axes ((g,) or (g, g)):
 * a number, or the k class values when the map has a trailing class axis.
 * @param {OutputMap|null} map
 */
export function valueAt(map, cell, dims) {
  if (!map) return null;
  if (map.shape.length === dims) return map.data[cell];
  const k = map.shape[dims];
  return Array.from(map.data.subarray(cell * k, cell * k + k));
}

/**
 * The points with their regression scale: max |target| over train and test
 * (`targetScale`), and the target range (`targetRange`) for 1-D plots.
 * @param {Points} points
 */
export function normalisePoints(points) {
  const dims = points.dims === 1 ? 1 : 2;
  const train = Array.isArray(points.train) ? points.train : [];
  const test = Array.isArray(points.test) ? points.test : [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of train.concat(test)) {
    const y = row[dims];
    if (Number.isFinite(y)) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  }
  const finite = lo <= hi;
  return {
    dims,
    task: points.task || "binary",
    classes: points.classes || null,
    extent: points.extent,
    train,
    test,
    targetScale: finite ? Math.max(Math.abs(lo), Math.abs(hi)) : 0,
    targetRange: finite ? [lo, hi] : null,
  };
}

/** A task that fits the map when there are no points: classes by shape, else by range. */
function guessTask(map, dims) {
  if (!map) return "binary";
  if (map.shape.length > dims) return "multiclass";
  for (const v of map.data) if (v < 0 || v > 1) return "regression";
  return "binary";
}

/** The largest |value| of a map (1 when empty or zero). */
function mapScale(map) {
  let top = 0;
  if (map) for (const v of map.data) if (Math.abs(v) > top) top = Math.abs(v);
  return top > 0 ? top : 1;
}

/**
 * The y range of a 1-D plot: probabilities in [-0.1, 1.1] for classification;
 * for regression the targets' range (or the curve's when there are no points)
 * widened by 12%.
 */
function curveRange(task, points, map) {
  if (task !== "regression") return [-0.1, 1.1];
  let range = points && points.targetRange;
  if (!range && map) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of map.data) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    range = lo <= hi ? [lo, hi] : null;
  }
  if (!range) return [-1, 1];
  const pad = Math.max((range[1] - range[0]) * 0.12, 1e-3);
  return [range[0] - pad, range[1] + pad];
}

