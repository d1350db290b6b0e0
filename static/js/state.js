/**
 * The page state: one plain, JSON-able object that says which data, network and
 * training settings the student has chosen, and its round trips to a run spec
 * (`stateToSpec`) and to the URL (`encodeState` / `decodeState`).
 *
 * ```
 * {
 *   data: {name, noise, train_fraction, n_samples, classes, features, seed,
 *          standardize, upload, offset, scale},
 *   network: {hidden, activations, activation_options, batch_norm, dropout,
 *             dropout_mode, residual},
 *   init, init_scale, bias_init, loss, output_activation,
 *   optimizer: {name, lr, ...the optimiser's options},
 *   batch_size, l1, l2, seed, speed, lesson
 * }
 * ```
 *
 * `data.features` null means the data set's default features, `data.upload` the
 * id of an uploaded data set (null for the built-in set `data.name`),
 * `init_scale` null the initialiser's default scale, `loss` null the task's
 * default loss, `lesson` null or `{name, variant}`.
 *
 * The ranges below mirror engine/spec.py and engine/data/spec.py, so that a state
 * decoded from any URL turns into a spec the server accepts without asking it;
 * `normalizeState` checks the names against the server's catalogue as well.
 *
 * Exports: defaultState, stateToSpec, specToState, encodeState, decodeState,
 * checkState, normalizeState, hyperChanged, needsRebuild, sameState, taskOf,
 * rreluInOrder, LIMITS, HYPER_FIELDS. Every function here is pure: it never
 * changes its arguments.
 */

const MAX_SEED = 2 ** 32 - 1;

/** Hidden activations the engine knows (engine.spec.ACTIVATION_NAMES). */
const ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
  "prelu", "rrelu"];

/** Activation options: [low, high, the activations they apply to]. */
const ACTIVATION_OPTIONS = {
  slope: [0, 1, ["leaky_relu"]],
  alpha: [0.01, 10, ["elu"]],
  init_slope: [0, 1, ["prelu"]],
  lower: [0, 1, ["rrelu"]],
  upper: [0, 1, ["rrelu"]],
};

/** Optimiser options: [low, high] (nesterov is a boolean). */
const OPTIMIZER_RANGES = {
  lr: [1e-7, 10],
  momentum: [0, 0.999],
  rho: [0, 0.9999],
  beta1: [0, 0.9999],
  beta2: [0, 0.99999],
  eps: [1e-12, 1],
};

/** The options each optimiser takes besides `lr` (engine.spec.OPTIMIZER_KEYS). */
const OPTIMIZER_KEYS = {
  sgd: [],
  momentum: ["momentum", "nesterov"],
  rmsprop: ["rho", "eps"],
  adam: ["beta1", "beta2", "eps"],
};

const INITIALIZERS = ["zeros", "constant", "uniform", "normal", "xavier_uniform",
  "xavier_normal", "he_uniform", "he_normal"];
const LOSSES = ["bce", "softmax_ce", "mse"];
const OUTPUT_ACTIVATIONS = ["linear", "sigmoid", "tanh"];
const DROPOUT_MODES = ["inverted", "classic"];
const FEATURES_2D = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"];
const FEATURES_1D = ["x"];
const NAME_PATTERN = /^[A-Za-z0-9_.~-]{1,100}$/;

/** Hard limits a state keeps to (the engine's; the controls offer less). */
export const LIMITS = Object.freeze({
  maxHiddenLayers: 10,
  maxUnits: 64,
  maxBatchSize: 5000,
  maxDropout: 0.95,
  maxSpeed: 2000,
});

/** The state fields that change on the running run (the live `set`/`speed` commands). */
export const HYPER_FIELDS = Object.freeze(["optimizer.lr", "l1", "l2", "batch_size", "speed"]);

/**
 * The page's starting state.
 * @returns {object} a fresh state object
 */
export function defaultState() {
  return {
    data: {
      name: "circle", noise: 0, train_fraction: 0.5, n_samples: 400, classes: 3,
      features: null, seed: 0, standardize: false, upload: null, offset: [0, 0], scale: 1,
    },
    network: {
      hidden: [4, 2], activations: ["tanh", "tanh"], activation_options: {},
      batch_norm: false, dropout: 0, dropout_mode: "inverted", residual: false,
    },
    init: "xavier_uniform",
    init_scale: null,
    bias_init: 0,
    loss: null,
    output_activation: "linear",
    optimizer: { name: "sgd", lr: 0.03 },
    batch_size: 10,
    l1: 0,
    l2: 0,
    seed: 0,
    speed: 10,
    lesson: null,
  };
}

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

/** RReLU's default slopes (engine.spec.ACTIVATION_OPTIONS). */
const RRELU_DEFAULTS = { lower: 1 / 8, upper: 1 / 3 };

/** Whether RReLU options (either may be missing: its default applies) are in order. */
export function rreluInOrder(options) {
  const lower = options.lower ?? RRELU_DEFAULTS.lower;
  const upper = options.upper ?? RRELU_DEFAULTS.upper;
  return lower <= upper;
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

// -- comparing states ------------------------------------------------------------------

/** JSON with object keys sorted, so equal states give equal text. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value === undefined ? null : value);
}

/** A copy of a state without the fields that change on a running run. */
function withoutHyper(state) {
  const { batch_size: _b, l1: _l1, l2: _l2, speed: _s, ...rest } = state;
  const { lr: _lr, ...optimizer } = state.optimizer || {};
  return { ...rest, optimizer };
}

/** The hyper fields of a state, in one object. */
function hyperOf(state) {
  return { lr: state.optimizer?.lr, l1: state.l1, l2: state.l2,
    batch_size: state.batch_size, speed: state.speed };
}

/**
 * Whether two states differ in something only a new run can show (the data, the
 * network, the initialiser, the loss, the optimiser or its options other than lr,
 * the seed or the lesson).
 * @param {object} a a state
 * @param {object} b another state
 * @returns {boolean}
 */
export function needsRebuild(a, b) {
  return canonical(withoutHyper(a)) !== canonical(withoutHyper(b));
}

/**
 * Whether two states differ only in lr, l1, l2, batch_size or speed, which the
 * running run can take without being rebuilt.
 * @param {object} a a state
 * @param {object} b another state
 * @returns {boolean}
 */
export function hyperChanged(a, b) {
  return !needsRebuild(a, b) && canonical(hyperOf(a)) !== canonical(hyperOf(b));
}

/**
 * Whether two states are the same (keys in any order).
 * @param {object} a a state
 * @param {object} b another state
 * @returns {boolean}
 */
export function sameState(a, b) {
  return canonical(a) === canonical(b);
}

// -- checking field by field -----------------------------------------------------------

const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

/** `value` if it is a number in [lo, hi] (a whole one if `int`), else `fallback`. */
function num(value, lo, hi, fallback, int = false) {
  if (!isNumber(value) || value < lo || value > hi || (int && !Number.isInteger(value))) {
    return fallback;
  }
  return value;
}

/** `value` if it is one of `choices`, else `fallback`. */
function choice(value, choices, fallback) {
  return choices.includes(value) ? value : fallback;
}

/** `value` if it is a boolean, else `fallback`. */
function bool(value, fallback) {
  return typeof value === "boolean" ? value : fallback;
}

/** A plain object (not an array, not null), or an empty one. */
function objectOr(value) {
  return value && typeof value === "object" && !Array.isArray(value) ? value : {};
}

/** A feature list: distinct names, all 1-D or all 2-D; else null (the default). */
function checkFeatures(value) {
  if (!Array.isArray(value) || value.length === 0) return null;
  const known = value.every((f) => FEATURES_1D.includes(f)) ? FEATURES_1D : FEATURES_2D;
  const ok = value.every((f) => known.includes(f)) && new Set(value).size === value.length;
  return ok ? [...value] : null;
}

/** The data settings of a raw object, field by field. */
function checkData(raw, fallback) {
  const d = objectOr(raw);
  const offset = Array.isArray(d.offset) && d.offset.length === 2
    && d.offset.every((v) => isNumber(v) && Math.abs(v) <= 1000) ? [...d.offset] : fallback.offset;
  return {
    name: typeof d.name === "string" && NAME_PATTERN.test(d.name) && d.name !== "upload"
      && d.name !== "points" ? d.name : fallback.name,
    noise: num(d.noise, 0, 0.5, fallback.noise),
    train_fraction: num(d.train_fraction, 0.1, 0.9, fallback.train_fraction),
    n_samples: num(d.n_samples, 4, 5000, fallback.n_samples, true),
    classes: num(d.classes, 3, 5, fallback.classes, true),
    features: d.features === null ? null : checkFeatures(d.features),
    seed: num(d.seed, 0, MAX_SEED, fallback.seed, true),
    standardize: bool(d.standardize, fallback.standardize),
    upload: typeof d.upload === "string" && NAME_PATTERN.test(d.upload) ? d.upload : null,
    offset,
    scale: num(d.scale, 0.01, 100, fallback.scale),
  };
}

/** Activation options of a raw object: the known keys in range (rrelu's in order). */
function checkActivationOptions(raw) {
  const d = objectOr(raw);
  const out = {};
  for (const [key, [lo, hi]] of Object.entries(ACTIVATION_OPTIONS)) {
    const value = num(d[key], lo, hi, undefined);
    if (value !== undefined) out[key] = value;
  }
  if (!rreluInOrder(out)) {
    delete out.lower;
    delete out.upper;
  }
  return out;
}

/** The network settings of a raw object, field by field. */
function checkNetwork(raw, fallback, activationNames = ACTIVATIONS) {
  const d = objectOr(raw);
  const hidden = Array.isArray(d.hidden) && d.hidden.length <= LIMITS.maxHiddenLayers
    && d.hidden.every((w) => num(w, 1, LIMITS.maxUnits, null, true) !== null)
    ? [...d.hidden] : [...fallback.hidden];
  const given = Array.isArray(d.activations) ? d.activations : [];
  const first = choice(given[0], activationNames, "tanh");
  const activations = hidden.map((_, i) => choice(given[i], activationNames,
    choice(given[given.length - 1], activationNames, first)));
  return {
    hidden,
    activations,
    activation_options: checkActivationOptions(d.activation_options),
    batch_norm: bool(d.batch_norm, fallback.batch_norm),
    dropout: num(d.dropout, 0, LIMITS.maxDropout, fallback.dropout),
    dropout_mode: choice(d.dropout_mode, DROPOUT_MODES, fallback.dropout_mode),
    residual: bool(d.residual, fallback.residual),
  };
}

/** The optimiser of a raw object: a known name, lr, and its own options in range. */
function checkOptimizer(raw, fallback, optimizerKeys = OPTIMIZER_KEYS) {
  const d = objectOr(raw);
  const name = Object.hasOwn(optimizerKeys, d.name) ? d.name : fallback.name;
  const [lo, hi] = OPTIMIZER_RANGES.lr;
  const defaultLr = name === "rmsprop" || name === "adam" ? 0.01 : 0.03;
  const out = { name, lr: num(d.lr, lo, hi, name === fallback.name ? fallback.lr : defaultLr) };
  for (const key of optimizerKeys[name] || []) {
    if (key === "nesterov") {
      if (typeof d.nesterov === "boolean") out.nesterov = d.nesterov;
    } else if (OPTIMIZER_RANGES[key]) {
      const value = num(d[key], ...OPTIMIZER_RANGES[key], undefined);
      if (value !== undefined) out[key] = value;
    }
  }
  return out;
}

/** The lesson of a raw value: null or {name, variant}. */
function checkLesson(raw) {
  if (!raw || typeof raw !== "object" || typeof raw.name !== "string"
      || !NAME_PATTERN.test(raw.name)) return null;
  const variant = typeof raw.variant === "string" && NAME_PATTERN.test(raw.variant)
    ? raw.variant : null;
  return { name: raw.name, variant };
}

/**
 * A valid state from any value: every field that is missing, of the wrong type
 * or out of range takes its default, field by field (never throws).
 * @param {any} raw an object that may or may not look like a state
 * @returns {object} a state
 */
export function checkState(raw) {
  const d = objectOr(raw);
  const base = defaultState();
  const loss = choice(d.loss, LOSSES, null);
  return {
    data: checkData(d.data, base.data),
    network: checkNetwork(d.network, base.network),
    init: choice(d.init, INITIALIZERS, base.init),
    init_scale: d.init_scale === null ? null : num(d.init_scale, -100, 100, null),
    bias_init: num(d.bias_init, -10, 10, base.bias_init),
    loss,
    output_activation: choice(d.output_activation, OUTPUT_ACTIVATIONS, "linear"),
    optimizer: checkOptimizer(d.optimizer, base.optimizer),
    batch_size: num(d.batch_size, 1, LIMITS.maxBatchSize, base.batch_size, true),
    l1: num(d.l1, 0, 1, base.l1),
    l2: num(d.l2, 0, 1, base.l2),
    seed: num(d.seed, 0, MAX_SEED, base.seed, true),
    speed: num(d.speed, 1, LIMITS.maxSpeed, base.speed, true),
    lesson: checkLesson(d.lesson),
  };
}

// -- against the server's catalogue -----------------------------------------------------

/** The tasks each loss fits, from `/api/losses`. */
function lossTasks(catalogue) {
  return Object.fromEntries((catalogue.losses || []).map((l) => [l.name, l.tasks || []]));
}

/**
 * The task of a state's data: from the catalogue's data set, or `uploadKind`
 * for an upload (null when unknown).
 * @param {object} state a state
 * @param {object} catalogue {datasets, ...} as the API answers
 * @param {string|null} uploadKind the upload's kind, if known
 * @returns {string|null} "binary", "multiclass", "regression" or null
 */
export function taskOf(state, catalogue, uploadKind = null) {
  if (state.data.upload) return uploadKind;
  const entry = (catalogue.datasets || []).find((d) => d.name === state.data.name);
  return entry ? entry.kind : null;
}

/**
 * A state made to fit the server's catalogue (`{datasets, activations,
 * initializers, optimizers, losses}` as the API answers them): an unknown data
 * set becomes the first one, features the data set does not offer go back to its
 * default, unknown activations become tanh, an unknown initialiser or optimiser
 * the default one (options out of the catalogue's range are dropped), and a loss
 * that does not fit the data set's task becomes null (the task's default).
 * Parts of the catalogue that are missing are not checked.
 * @param {object} state a state (as checkState gives)
 * @param {object} catalogue the catalogue
 * @returns {object} a new state
 */
export function normalizeState(state, catalogue = {}) {
  const s = structuredClone(state);
  const datasets = catalogue.datasets || [];
  if (datasets.length && !datasets.some((d) => d.name === s.data.name)) {
    s.data.name = datasets.some((d) => d.name === "circle") ? "circle" : datasets[0].name;
  }
  const entry = datasets.find((d) => d.name === s.data.name);
  const featureChoices = s.data.upload
    ? (datasets.find((d) => d.dims === 2)?.features || FEATURES_2D)
    : entry?.features;
  if (s.data.features && featureChoices
      && !s.data.features.every((f) => featureChoices.includes(f))) {
    s.data.features = null;
  }
  const hiddenNames = catalogue.activations?.hidden?.map((a) => a.name);
  if (hiddenNames?.length) {
    s.network.activations = s.network.activations.map((a) => choice(a, hiddenNames, "tanh"));
  }
  const inits = (catalogue.initializers || []).map((i) => i.name);
  if (inits.length && !inits.includes(s.init)) s.init = inits.includes("xavier_uniform")
    ? "xavier_uniform" : inits[0];
  s.optimizer = fitOptimizer(s.optimizer, catalogue.optimizers);
  const tasks = lossTasks(catalogue);
  const task = taskOf(s, catalogue);
  const known = Object.keys(tasks).length > 0;
  if (known && s.loss !== null && (!tasks[s.loss] || (task && !tasks[s.loss].includes(task)))) {
    s.loss = null;
  }
  return s;
}

/** An optimiser fitted to `/api/optimizers`: known name, options it has, in range. */
function fitOptimizer(optimizer, catalogue) {
  if (!catalogue?.length) return optimizer;
  const entry = catalogue.find((o) => o.name === optimizer.name)
    || catalogue.find((o) => o.name === "sgd") || catalogue[0];
  const out = { name: entry.name };
  for (const [key, range] of Object.entries(entry.options || {})) {
    const value = optimizer[key];
    if (key === "nesterov") {
      if (typeof value === "boolean") out[key] = value;
    } else if (isNumber(value) && value >= range.min && value <= range.max) {
      out[key] = value;
    } else if (key === "lr") {
      out[key] = range.default;
    }
  }
  return out;
}

// -- the URL ---------------------------------------------------------------------------

/** Long field names and their short forms in the URL (one to one). */
const SHORT = {
  data: "d", network: "n", init: "i", init_scale: "is", bias_init: "bi", loss: "lo",
  output_activation: "oa", optimizer: "o", batch_size: "b", l1: "l1", l2: "l2", seed: "s",
  speed: "v", lesson: "ls", name: "nm", noise: "z", train_fraction: "tf", n_samples: "ns",
  classes: "c", features: "f", standardize: "st", upload: "up", offset: "of", scale: "sc",
  hidden: "h", activations: "a", activation_options: "ao", batch_norm: "bn", dropout: "dr",
  dropout_mode: "dm", residual: "r", lr: "lr", momentum: "m", nesterov: "ne", rho: "rh",
  beta1: "b1", beta2: "b2", eps: "e", variant: "va", slope: "sl", alpha: "al",
  init_slope: "isl", lower: "lw", upper: "uw",
};
const LONG = Object.fromEntries(Object.entries(SHORT).map(([long, short]) => [short, long]));
const VERSION = "1";

/** The parts of `value` that differ from `base`, with short keys (undefined if none). */
function diff(value, base) {
  const plain = (v) => v && typeof v === "object" && !Array.isArray(v);
  if (plain(value) && plain(base)) {
    const out = {};
    for (const [key, v] of Object.entries(value)) {
      const d = diff(v, base[key]);
      if (d !== undefined) out[SHORT[key] || key] = d;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (canonical(value) === canonical(base)) return undefined;
  return plain(value) ? expandKeys(value, SHORT) : value;
}

/** `value` with its object keys renamed through `names` (recursively). */
function expandKeys(value, names) {
  if (Array.isArray(value)) return value;
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value)
    .map(([key, v]) => [names[key] || key, expandKeys(v, names)]));
}

/** `raw` laid over `base`: objects merged key by key, anything else replaced. */
function overlay(base, raw) {
  const plain = (v) => v && typeof v === "object" && !Array.isArray(v);
  if (!plain(base) || !plain(raw)) return raw;
  const out = { ...base };
  for (const [key, v] of Object.entries(raw)) out[key] = overlay(base[key], v);
  return out;
}

/** base64url without padding, of UTF-8 text. */
function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** UTF-8 text of base64url (with or without padding); throws on bad input. */
function fromBase64Url(code) {
  const b64 = code.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/**
 * A compact, URL-safe text for `location.hash`: "1." then base64url of the JSON
 * of what differs from defaultState(), with short keys.
 * @param {object} state a state
 * @returns {string} e.g. "1.eyJkIjp7Im5tIjoic3BpcmFsIn19"
 */
export function encodeState(state) {
  const changes = diff(state, defaultState()) || {};
  return `${VERSION}.${toBase64Url(JSON.stringify(changes))}`;
}

/**
 * The state in a text made by encodeState. Anything unreadable gives the default
 * state; unknown or bad fields fall back to their defaults field by field. It
 * never throws. With the server's catalogue, names are checked against it too
 * (see normalizeState).
 * @param {string} text what encodeState gave (a leading "#" is ignored)
 * @param {object} [catalogue] the catalogue, to check names against
 * @returns {object} a state
 */
export function decodeState(text, catalogue = null) {
  let raw = {};
  try {
    const code = String(text ?? "").trim().replace(/^#/, "").replace(/^\d+\./, "");
    const parsed = code ? JSON.parse(fromBase64Url(code)) : {};
    raw = expandKeys(objectOr(parsed), LONG);
  } catch {
    raw = {};
  }
  const state = checkState(overlay(defaultState(), raw));
  return catalogue ? normalizeState(state, catalogue) : state;
}
