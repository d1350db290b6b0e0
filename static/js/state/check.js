/**
 * Checking a state field by field: `checkState(raw)` makes a valid state of any
 * value, giving each field that is missing, of the wrong type or out of range
 * its default (it never throws). The small checkers it is made of (`num`,
 * `choice`, `bool`, `objectOr`, `isNumber`) are shared with the other state
 * modules. Every function here is pure.
 */

import {
  ACTIVATION_OPTIONS, ACTIVATIONS, defaultState, DROPOUT_MODES, FEATURES_1D, FEATURES_2D,
  INITIALIZERS, LIMITS, LOSSES, MAX_SEED, NAME_PATTERN, OPTIMIZER_KEYS, OPTIMIZER_RANGES,
  OUTPUT_ACTIVATIONS, rreluInOrder,
} from "./schema.js";

/** Whether `v` is a finite number. */
export const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

/**
 * `value` if it is a number in [lo, hi] (a whole one if `int`), else `fallback`.
 * @param {any} value
 * @param {number} lo
 * @param {number} hi
 * @param {any} fallback
 * @param {boolean} [int]
 */
export function num(value, lo, hi, fallback, int = false) {
  if (!isNumber(value) || value < lo || value > hi || (int && !Number.isInteger(value))) {
    return fallback;
  }
  return value;
}

/** `value` if it is one of `choices`, else `fallback`. */
export function choice(value, choices, fallback) {
  return choices.includes(value) ? value : fallback;
}

/** `value` if it is a boolean, else `fallback`. */
export function bool(value, fallback) {
  return typeof value === "boolean" ? value : fallback;
}

/** A plain object (not an array, not null), or an empty one. */
export function objectOr(value) {
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
function checkNetwork(raw, fallback) {
  const d = objectOr(raw);
  const hidden = Array.isArray(d.hidden) && d.hidden.length <= LIMITS.maxHiddenLayers
    && d.hidden.every((w) => num(w, 1, LIMITS.maxUnits, null, true) !== null)
    ? [...d.hidden] : [...fallback.hidden];
  const given = Array.isArray(d.activations) ? d.activations : [];
  const first = choice(given[0], ACTIVATIONS, "tanh");
  const activations = hidden.map((_, i) => choice(given[i], ACTIVATIONS,
    choice(given[given.length - 1], ACTIVATIONS, first)));
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
function checkOptimizer(raw, fallback) {
  const d = objectOr(raw);
  const name = Object.hasOwn(OPTIMIZER_KEYS, d.name) ? d.name : fallback.name;
  const [lo, hi] = OPTIMIZER_RANGES.lr;
  const defaultLr = name === "rmsprop" || name === "adam" ? 0.01 : 0.03;
  const out = { name, lr: num(d.lr, lo, hi, name === fallback.name ? fallback.lr : defaultLr) };
  for (const key of OPTIMIZER_KEYS[name] || []) {
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
  return {
    data: checkData(d.data, base.data),
    network: checkNetwork(d.network, base.network),
    init: choice(d.init, INITIALIZERS, base.init),
    init_scale: d.init_scale === null ? null : num(d.init_scale, -100, 100, null),
    bias_init: num(d.bias_init, -10, 10, base.bias_init),
    loss: choice(d.loss, LOSSES, null),
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
