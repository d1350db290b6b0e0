/**
 * A state against the server's catalogue (`{datasets, activations, initializers,
 * optimizers, losses}` as the API answers them): `taskOf` (the task of a state's
 * data) and `normalizeState` (names the server does not offer replaced, options
 * out of its ranges dropped). Every function here is pure.
 */

import { choice, isNumber } from "./check.js";
import { FEATURES_2D } from "./schema.js";

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

/** The data set, and features it offers, fitted to `/api/datasets` (in place); data
 * sets that are not points (images, text: the lab's) count as unknown. */
function fitData(s, catalogueSets) {
  const datasets = catalogueSets.filter((d) => (d.modality ?? "points") === "points");
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
}

/** The loss, null unless the catalogue knows it and it fits the task (in place). */
function fitLoss(s, catalogue) {
  const tasks = lossTasks(catalogue);
  const task = taskOf(s, catalogue);
  const known = Object.keys(tasks).length > 0;
  if (known && s.loss !== null && (!tasks[s.loss] || (task && !tasks[s.loss].includes(task)))) {
    s.loss = null;
  }
}

/**
 * A state made to fit the server's catalogue: an unknown data set becomes the
 * first one, features the data set does not offer go back to its default,
 * unknown activations become tanh, an unknown initialiser or optimiser the
 * default one (options out of the catalogue's range are dropped), and a loss
 * that does not fit the data set's task becomes null (the task's default).
 * Parts of the catalogue that are missing are not checked.
 * @param {object} state a state (as checkState gives)
 * @param {object} catalogue the catalogue
 * @returns {object} a new state
 */
export function normalizeState(state, catalogue = {}) {
  const s = structuredClone(state);
  fitData(s, catalogue.datasets || []);
  const hiddenNames = catalogue.activations?.hidden?.map((a) => a.name);
  if (hiddenNames?.length) {
    s.network.activations = s.network.activations.map((a) => choice(a, hiddenNames, "tanh"));
  }
  const inits = (catalogue.initializers || []).map((i) => i.name);
  if (inits.length && !inits.includes(s.init)) {
    s.init = inits.includes("xavier_uniform") ? "xavier_uniform" : inits[0];
  }
  s.optimizer = fitOptimizer(s.optimizer, catalogue.optimizers);
  fitLoss(s, catalogue);
  return s;
}
