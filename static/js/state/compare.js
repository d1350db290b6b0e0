/**
 * Comparing states: whether two states need a new run (`needsRebuild`), differ
 * only in what the running run can take (`hyperChanged`), or are the same
 * (`sameState`); and `canonical`, JSON with sorted keys, which the URL codec
 * shares. Every function here is pure.
 */

/**
 * JSON with object keys sorted (undefined values left out), so equal states
 * give equal text.
 * @param {any} value
 * @returns {string}
 */
export function canonical(value) {
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
