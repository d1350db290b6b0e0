/**
 * Which lessons belong to the lab, and the lab's address for one of them.
 *
 * A lesson is a lab lesson when its data are not 2-D points: its data set is
 * `shapes` or `sentiment`, or the catalogue gives its data set another
 * `modality` than "points". The residual lesson runs on points but is in the lab
 * too (its training curves and gradient-by-depth, side by side).
 *
 * The lab reads `#lesson=<name>&variant=<v>&seed=<s>&data_seed=<d>&speed=<n>`
 * from its address (the seeds optional: without them the lesson's own; the
 * speed, steps per frame, is there once the student has chosen one: without it,
 * the lesson's own). Every function here is pure.
 */

/** The largest seed the engine takes. */
const MAX_SEED = 2 ** 32 - 1;

/** Data sets of the lab's lessons (image and text). */
const LAB_DATA = new Set(["shapes", "sentiment"]);

/** Lessons on points that the lab shows as a side-by-side comparison only. */
const LAB_ALSO = new Set(["residual"]);

/**
 * The modality of a lesson's data: "image", "text" or "points".
 * @param {object} lesson an entry of GET /api/lessons
 * @param {object[]} datasets GET /api/datasets
 * @returns {string}
 */
export function modalityOf(lesson, datasets = []) {
  const name = lesson?.spec?.data?.name;
  const entry = (datasets || []).find((d) => d.name === name);
  if (entry?.modality) return entry.modality;
  if (name === "shapes") return "image";
  if (name === "sentiment") return "text";
  return "points";
}

/**
 * Whether the playground should send this lesson to the lab (its data are not
 * points, so the playground cannot draw them).
 * @param {object} lesson
 * @param {object[]} datasets
 */
export function isLabLesson(lesson, datasets = []) {
  return LAB_DATA.has(lesson?.spec?.data?.name) || modalityOf(lesson, datasets) !== "points";
}

/** The lessons the lab offers, in the catalogue's order. */
export function labLessons(lessons, datasets = []) {
  return (lessons || []).filter((l) => isLabLesson(l, datasets) || LAB_ALSO.has(l.name));
}

/**
 * The lab's address for a lesson (and variant).
 * @param {string} name
 * @param {string|null} [variant]
 */
export function labHref(name, variant = null) {
  return `/lab${labHash({ lesson: name, variant })}`;
}

/** The most steps per frame the engine takes. */
const MAX_SPEED = 2000;

/** `#lesson=<name>&variant=<v>&seed=<s>&data_seed=<d>&speed=<n>` (each left out
 * when null). */
export function labHash({ lesson, variant, seed = null, dataSeed = null, speed = null }) {
  const params = new URLSearchParams();
  if (lesson) params.set("lesson", lesson);
  if (variant) params.set("variant", variant);
  if (Number.isInteger(seed)) params.set("seed", String(seed));
  if (Number.isInteger(dataSeed)) params.set("data_seed", String(dataSeed));
  if (Number.isInteger(speed)) params.set("speed", String(speed));
  const text = params.toString();
  return text ? `#${text}` : "";
}

/** A seed written in an address: a whole number 0 to 2^32 - 1, else null. */
function seedOf(text) {
  if (!/^\d{1,10}$/.test(text || "")) return null;
  const seed = Number(text);
  return seed <= MAX_SEED ? seed : null;
}

/** Steps per frame written in an address: a whole number 1 to MAX_SPEED, else null. */
function speedOf(text) {
  if (!/^\d{1,4}$/.test(text || "")) return null;
  const speed = Number(text);
  return speed >= 1 && speed <= MAX_SPEED ? speed : null;
}

/**
 * The lesson, variant, seeds and speed in an address's hash ({lesson: null,
 * variant: null, seed: null, dataSeed: null, speed: null} when absent; a seed or
 * speed that is not a whole number in range is ignored).
 * @param {string} hash e.g. location.hash
 */
export function readLabHash(hash) {
  const params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  return { lesson: params.get("lesson") || null, variant: params.get("variant") || null,
    seed: seedOf(params.get("seed")), dataSeed: seedOf(params.get("data_seed")),
    speed: speedOf(params.get("speed")) };
}
