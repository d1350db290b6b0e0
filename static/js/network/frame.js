/**
 * What the network diagram reads from a decoded frame (pure): its arrays by
 * name, the number of inputs, whether maps are curves (1-D data) or heatmaps,
 * a unit's dead / saturated state, how the output is coloured, and whether a
 * full-resolution unit map is usable.
 *
 * `frame` is `{header, arrays}` as `frames.js`'s `decodeFrame` returns it
 * (protocol.md); `arrays[name] = {data, shape}`.
 */

/** Share of training inputs on which a unit is flat above which it counts as saturated. */
const SATURATED_SHARE = 0.9;

/**
 * `frame.arrays[name]` if it has `data` and a `shape`, else null.
 * @returns {{data: ArrayLike<number>, shape: number[]}|null}
 */
export function readArray(frame, name) {
  const a = frame?.arrays?.[name];
  return a && a.data && Array.isArray(a.shape) ? a : null;
}

/** Rows of the first weight matrix (the number of inputs), if the frame has it. */
export function firstInputCount(frame, layers) {
  const i = layers.findIndex((l) => l?.type === "dense");
  const W = i >= 0 ? readArray(frame, `layers.${i}.params.W`) : null;
  return W && W.shape.length === 2 ? W.shape[0] : undefined;
}

/**
 * 1 for curves ([units, g] unit maps, or a [G] / [G, k] output map with a
 * 2-number extent), else 2.
 * @param {object} frame
 * @param {object} layout from `layoutColumns`
 * @returns {1|2}
 */
export function mapDims(frame, layout) {
  const extent = frame?.header?.extent;
  if (Array.isArray(extent)) return extent.length === 2 ? 1 : 2;
  const act = layout.hidden.find((c) => c.activation);
  const maps = act && readArray(frame, `layers.${act.activation.index}.unit_maps`);
  return maps && maps.shape.length === 2 ? 1 : 2;
}

/**
 * "dead", "saturated" or "" for unit k of an activation layer's header entry
 * (its `dead` flags and `inactive_share`).
 */
export function unitState(act, k) {
  if (Array.isArray(act.dead) && act.dead[k]) return "dead";
  const share = Array.isArray(act.inactive_share) ? act.inactive_share[k] : null;
  return share != null && share > SATURATED_SHARE ? "saturated" : "";
}

/**
 * How the output units are coloured: probabilities (bce / softmax cross-entropy
 * or a sigmoid output) around 0.5 with a fixed scale of 0.5, other outputs
 * around 0 scaled by their largest |value|.
 * @returns {{centre: number, fixedScale: number|null}}
 */
export function outputColouring(spec) {
  const probability = spec && (spec.loss === "bce" || spec.loss === "softmax_ce" || spec.output_activation === "sigmoid");
  return probability ? { centre: 0.5, fixedScale: 0.5 } : { centre: 0, fixedScale: null };
}

/** Whether an `onUnitHover` answer is a usable map: {data, shape [g, g] or [g]}. */
export function isFullMap(map, dims) {
  if (!map || !map.data || !Array.isArray(map.shape) || map.shape.length !== dims) return false;
  const count = map.shape.reduce((a, b) => a * b, 1);
  return count > 0 && map.data.length >= count && map.shape.every((s) => s === map.shape[0]);
}
