/**
 * A state's round trip to a run spec: `stateToSpec(state)` gives the spec for
 * `POST /api/runs {"spec": ...}` (the widths form), `specToState(spec, base)`
 * the state that shows a spec, a lesson's (widths form) or a run's (the
 * explicit `layers` form the server answers with). Both are pure.
 */

import { checkState, objectOr } from "./check.js";
import {
  ACTIVATION_OPTIONS, defaultState, OPTIMIZER_KEYS, RRELU_DEFAULTS, rreluInOrder,
} from "./schema.js";

// -- state -> spec -------------------------------------------------------------------

/** The `data` part of a spec: only the settings that differ from the engine's defaults. */
function dataSpec(data) {
  const out = data.upload ? { name: "upload", upload: data.upload } : { name: data.name };
  const put = (key, value, fallback) => {
    if (value !== fallback) out[key] = value;
  };
  if (!data.upload) {
    put("n_samples", data.n_samples, 400);
    put("noise", data.noise, 0);
    put("classes", data.classes, 3);
  }
  put("train_fraction", data.train_fraction, 0.5);
  put("seed", data.seed, 0);
  put("standardize", data.standardize, false);
  put("scale", data.scale, 1);
  if (Array.isArray(data.features)) out.features = [...data.features];
  if (Array.isArray(data.offset) && (data.offset[0] !== 0 || data.offset[1] !== 0)) {
    out.offset = [...data.offset];
  }
  return out;
}

/** The activation options the chosen activations use (rrelu's put in order). */
function usedActivationOptions(activations, options) {
  const out = {};
  for (const [key, [, , applies]] of Object.entries(ACTIVATION_OPTIONS)) {
    if (typeof options[key] === "number" && activations.some((a) => applies.includes(a))) {
      out[key] = options[key];
    }
  }
  if (!rreluInOrder(out)) {
    const lower = out.lower ?? RRELU_DEFAULTS.lower;
    const upper = out.upper ?? RRELU_DEFAULTS.upper;
    [out.lower, out.upper] = [upper, lower];
  }
  return out;
}

/** The optimiser part of a spec: its name, lr and only the options it takes. */
function optimizerSpec(optimizer) {
  const out = { name: optimizer.name, lr: optimizer.lr };
  for (const key of OPTIMIZER_KEYS[optimizer.name] || []) {
    if (optimizer[key] !== undefined && optimizer[key] !== null) out[key] = optimizer[key];
  }
  return out;
}

/**
 * The JSON spec for `POST /api/runs {"spec": ...}` (the widths form, one
 * activation per hidden layer). Keys equal to the engine's defaults are left out
 * where that changes nothing. `loss` is only given when it is `mse` (the other
 * losses are each the default of the one task they fit, so leaving them out is
 * right, and falls back to the task's default if the data set changed).
 * @param {object} state a page state (see defaultState)
 * @returns {object} the spec
 */
export function stateToSpec(state) {
  const net = state.network;
  const spec = {
    data: dataSpec(state.data),
    hidden: [...net.hidden],
    activation: [...net.activations],
  };
  const options = usedActivationOptions(net.activations, net.activation_options || {});
  if (Object.keys(options).length) spec.activation_options = options;
  if (net.batch_norm) spec.batch_norm = true;
  if (net.dropout > 0) {
    spec.dropout = net.dropout;
    spec.dropout_mode = net.dropout_mode;
  }
  if (net.residual) spec.residual = true;
  spec.init = typeof state.init_scale === "number"
    ? { name: state.init, scale: state.init_scale } : state.init;
  if (state.bias_init !== 0) spec.bias_init = state.bias_init;
  if (state.loss === "mse") {
    spec.loss = "mse";
    if (state.output_activation !== "linear") spec.output_activation = state.output_activation;
  }
  spec.optimizer = optimizerSpec(state.optimizer);
  spec.batch_size = state.batch_size;
  if (state.l1 !== 0) spec.l1 = state.l1;
  if (state.l2 !== 0) spec.l2 = state.l2;
  spec.seed = state.seed;
  return spec;
}

// -- spec -> state -------------------------------------------------------------------

/** The scale an initialiser gets when a spec names none (engine.initializers). */
const DEFAULT_INIT_SCALE = { uniform: 0.5, normal: 0.5, constant: 0.5 };

/** Feature lists that are the default of every data set of their dimension. */
const DEFAULT_FEATURES = ["x1,x2", "x"];

/** The data settings of a spec's `data` (missing keys take the engine's defaults). */
function dataFromSpec(d, base) {
  const features = Array.isArray(d.features) && !DEFAULT_FEATURES.includes(d.features.join(","))
    ? [...d.features] : null;
  const named = d.name === "upload" || d.name === "points" || typeof d.name !== "string";
  return {
    name: named ? base.name : d.name,
    noise: d.noise ?? 0,
    train_fraction: d.train_fraction ?? 0.5,
    n_samples: d.n_samples ?? 400,
    classes: d.classes ?? 3,
    features,
    seed: d.seed ?? 0,
    standardize: d.standardize ?? false,
    upload: d.name === "upload" ? d.upload ?? null : null,
    offset: Array.isArray(d.offset) ? [...d.offset] : [0, 0],
    scale: d.scale ?? 1,
  };
}

/** The network settings of a spec in the widths form. */
function networkFromWidths(spec) {
  const hidden = Array.isArray(spec.hidden) ? [...spec.hidden] : [8, 8];
  const acts = spec.activation ?? "tanh";
  return {
    hidden,
    activations: hidden.map((_, i) => (Array.isArray(acts) ? acts[i] : acts)),
    activation_options: { ...objectOr(spec.activation_options) },
    batch_norm: spec.batch_norm ?? false,
    dropout: spec.dropout ?? 0,
    dropout_mode: spec.dropout_mode ?? "inverted",
    residual: spec.residual ?? false,
  };
}

/**
 * The network settings of a spec in the explicit layers form (as a run's spec
 * comes back from the server): every dense layer is a hidden layer, with the
 * activation that follows it; batch norm, dropout and residual blocks anywhere
 * turn the network-wide switches on. A layer list the widths form cannot say
 * exactly (say, dropout after one layer only) is shown as closely as it allows.
 */
function networkFromLayers(layers) {
  const net = { hidden: [], activations: [], activation_options: {}, batch_norm: false,
    dropout: 0, dropout_mode: "inverted", residual: false };
  const walk = (items) => {
    for (const layer of Array.isArray(items) ? items : []) {
      if (layer?.type === "dense") {
        net.hidden.push(layer.units);
        net.activations.push("linear");
      } else if (layer?.type === "activation" && net.hidden.length) {
        net.activations[net.activations.length - 1] = layer.name;
        for (const key of Object.keys(ACTIVATION_OPTIONS)) {
          if (layer[key] !== undefined) net.activation_options[key] = layer[key];
        }
      } else if (layer?.type === "batchnorm") {
        net.batch_norm = true;
      } else if (layer?.type === "dropout") {
        net.dropout = layer.p ?? 0.5;
        net.dropout_mode = layer.mode ?? "inverted";
      } else if (layer?.type === "residual") {
        net.residual = true;
        walk(layer.layers);
      }
    }
  };
  walk(layers);
  return net;
}

/**
 * The page state that shows a spec: a lesson's (widths form) or a run's (the
 * explicit `layers` form the server answers with). What the spec leaves out
 * takes the engine's defaults, not `base`'s; `base` gives `speed`, `lesson`, and
 * the data set name when the spec's data are inline points (`points`), which a
 * state cannot hold. Anything out of range falls back as in checkState.
 * @param {object} spec a spec
 * @param {object} [base] the state to take speed, lesson (and that name) from
 * @returns {object} a state
 */
export function specToState(spec, base = defaultState()) {
  const d = objectOr(spec);
  const init = typeof d.init === "string" ? { name: d.init } : objectOr(d.init);
  const initName = init.name ?? "xavier_uniform";
  const scale = init.scale ?? null;
  const optimizer = typeof d.optimizer === "string" ? { name: d.optimizer }
    : { ...objectOr(d.optimizer ?? { name: "sgd" }) };
  if (optimizer.lr === undefined) {
    optimizer.lr = optimizer.name === "rmsprop" || optimizer.name === "adam" ? 0.01 : 0.03;
  }
  return checkState({
    data: dataFromSpec(objectOr(d.data), base.data),
    network: Array.isArray(d.layers) ? networkFromLayers(d.layers) : networkFromWidths(d),
    init: initName,
    init_scale: scale === null || scale === (DEFAULT_INIT_SCALE[initName] ?? 1) ? null : scale,
    bias_init: d.bias_init ?? 0,
    loss: d.loss ?? null,
    output_activation: d.output_activation ?? "linear",
    optimizer,
    batch_size: d.batch_size ?? 10,
    l1: d.l1 ?? 0,
    l2: d.l2 ?? 0,
    seed: d.seed ?? 0,
    speed: base.speed,
    lesson: base.lesson,
  });
}
