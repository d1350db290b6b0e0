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
 * This module is the one door to the state; the work is done in:
 * - state/schema.js: defaultState, the names and ranges (mirroring engine/spec.py
 *   and engine/data/spec.py, so that a state decoded from any URL turns into a
 *   spec the server accepts without asking it), LIMITS, HYPER_FIELDS, rreluInOrder;
 * - state/check.js: checkState, a valid state from any value, field by field;
 * - state/catalogue.js: normalizeState and taskOf, against the server's catalogue;
 * - state/spec.js: stateToSpec and specToState;
 * - state/compare.js: needsRebuild, hyperChanged, sameState;
 * - state/codec.js: encodeState and decodeState, the URL form (hasOwnSpeed: whether
 *   a link names its speed).
 *
 * Every function is pure: it never changes its arguments.
 */

export { normalizeState, taskOf } from "./catalogue.js";
export { checkState } from "./check.js";
export { decodeState, encodeState, hasOwnSpeed } from "./codec.js";
export { hyperChanged, needsRebuild, sameState } from "./compare.js";
export { defaultState, HYPER_FIELDS, LIMITS, rreluInOrder } from "./schema.js";
export { specToState, stateToSpec } from "./spec.js";
