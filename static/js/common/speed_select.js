/**
 * The speed control of the playground and the lab (the `speed` select of
 * templates/_training_controls.html: steps per frame while playing), and the
 * speed a lesson opens at (its catalogue entry's `steps_per_frame`, chosen so
 * that its phenomenon unfolds over several seconds: docs/engine.md).
 */

/** The largest number of steps per frame the engine takes (LIMITS.maxSpeed). */
const MAX_STEPS = 2000;

/**
 * Whether `steps` is a number of steps per frame the server takes.
 * @param {unknown} steps
 * @returns {boolean}
 */
export function isSpeed(steps) {
  return Number.isInteger(steps) && steps >= 1 && steps <= MAX_STEPS;
}

/**
 * The steps per frame a lesson opens at, or null when its entry names none.
 * @param {object|undefined} entry an entry of GET /api/lessons
 * @returns {number|null}
 */
export function lessonSpeed(entry) {
  return isSpeed(entry?.steps_per_frame) ? entry.steps_per_frame : null;
}

/**
 * Shows `steps` in a speed select, adding it (in order) to the choices when the
 * select does not offer it. Does nothing for a number the server would refuse.
 * @param {HTMLSelectElement|null} select
 * @param {number} steps
 */
export function showSpeed(select, steps) {
  if (!select || !isSpeed(steps)) return;
  const value = String(steps);
  const options = [...select.options];
  if (!options.some((option) => option.value === value)) {
    const next = options.find((option) => Number(option.value) > steps) ?? null;
    select.add(new Option(value, value), next);
  }
  select.value = value;
}
