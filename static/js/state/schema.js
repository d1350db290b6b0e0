/**
 * The shape of a page state: its defaults, and the names and ranges each field
 * may take. The ranges mirror engine/spec.py and engine/data/spec.py, so that a
 * state kept within them turns into a spec the server accepts without asking it.
 *
 * Exports: defaultState, LIMITS, HYPER_FIELDS, rreluInOrder, and the tables the
 * other state modules check against (MAX_SEED, ACTIVATIONS, ACTIVATION_OPTIONS,
 * RRELU_DEFAULTS, OPTIMIZER_RANGES, OPTIMIZER_KEYS, INITIALIZERS, LOSSES,
 * OUTPUT_ACTIVATIONS, DROPOUT_MODES, FEATURES_2D, FEATURES_1D, NAME_PATTERN).
 */

/** The largest seed the engine takes. */
export const MAX_SEED = 2 ** 32 - 1;

/** Hidden activations the engine knows (engine.spec.ACTIVATION_NAMES). */
export const ACTIVATIONS = Object.freeze(["linear", "sigmoid", "tanh", "relu", "leaky_relu",
  "elu", "softplus", "prelu", "rrelu"]);

/** Activation options: [low, high, the activations they apply to]. */
export const ACTIVATION_OPTIONS = Object.freeze({
  slope: [0, 1, ["leaky_relu"]],
  alpha: [0.01, 10, ["elu"]],
  init_slope: [0, 1, ["prelu"]],
  lower: [0, 1, ["rrelu"]],
  upper: [0, 1, ["rrelu"]],
});

/** RReLU's default slopes (engine.spec.ACTIVATION_OPTIONS). */
export const RRELU_DEFAULTS = Object.freeze({ lower: 1 / 8, upper: 1 / 3 });

/** Optimiser options: [low, high] (nesterov is a boolean). */
export const OPTIMIZER_RANGES = Object.freeze({
  lr: [1e-7, 10],
  momentum: [0, 0.999],
  rho: [0, 0.9999],
  beta1: [0, 0.9999],
  beta2: [0, 0.99999],
  eps: [1e-12, 1],
});

/** The options each optimiser takes besides `lr` (engine.spec.OPTIMIZER_KEYS). */
export const OPTIMIZER_KEYS = Object.freeze({
  sgd: [],
  momentum: ["momentum", "nesterov"],
  rmsprop: ["rho", "eps"],
  adam: ["beta1", "beta2", "eps"],
});

export const INITIALIZERS = Object.freeze(["zeros", "constant", "uniform", "normal",
  "xavier_uniform", "xavier_normal", "he_uniform", "he_normal"]);
export const LOSSES = Object.freeze(["bce", "softmax_ce", "mse"]);
export const OUTPUT_ACTIVATIONS = Object.freeze(["linear", "sigmoid", "tanh"]);
export const DROPOUT_MODES = Object.freeze(["inverted", "classic"]);
export const FEATURES_2D = Object.freeze(["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)",
  "sin(x2)"]);
export const FEATURES_1D = Object.freeze(["x"]);

/** Names of data sets, uploads and lessons. */
export const NAME_PATTERN = /^[A-Za-z0-9_.~-]{1,100}$/;

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

/**
 * Whether RReLU options (either may be missing: its default applies) are in order.
 * @param {{lower?: number, upper?: number}} options
 * @returns {boolean}
 */
export function rreluInOrder(options) {
  const lower = options.lower ?? RRELU_DEFAULTS.lower;
  const upper = options.upper ?? RRELU_DEFAULTS.upper;
  return lower <= upper;
}
