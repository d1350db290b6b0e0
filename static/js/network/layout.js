/**
 * The column structure of a network diagram (pure): which columns a network has
 * (the inputs, one per hidden dense layer, the output), which frame layers each
 * column shows (its dense layer, batch norm, activation, dropout), the links
 * between columns and the arcs of residual blocks.
 *
 * It reads only the frame header's `layers` (each with `path` and `type`, dense
 * layers with `units`) and the spec's `data.features`, so it runs the same on a
 * live frame's header and on a `GET /api/runs/{id}/snapshot` answer.
 */

const ACTIVATION_TYPES = new Set(["activation", "prelu", "rrelu"]);

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
 *   arcs: Array<{block: string, from: number, to: number,
 *     projection: {path: string, index: number, units: number}|null}>
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

/**
 * A string that changes exactly when the DOM of the diagram must be rebuilt:
 * the columns' kinds, widths, names and layer references, the arcs, and `dims`.
 * @param {ReturnType<typeof layoutColumns>} layout
 * @param {number} dims 1 or 2 (curves or heatmaps)
 * @returns {string}
 */
export function shapeKey(layout, dims) {
  const columns = layout.columns.map((c) => [
    c.kind, c.width, c.names?.join("|"), c.dense?.path, c.dense?.index, c.batchnorm?.index,
    c.activation?.index, c.activation?.name, c.dropout?.index, c.dropout?.p,
  ]);
  const arcs = layout.arcs.map((a) => [a.from, a.to, a.projection?.path]);
  return JSON.stringify([dims, columns, arcs]);
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
    state.block.projection = { ...ref, units: Math.max(1, Number(layer.units) || 1) };
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
