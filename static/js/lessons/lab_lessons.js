/**
 * Which lessons belong to the lab, and the lab's address for one of them.
 *
 * A lesson is a lab lesson when its data are not 2-D points: its data set is
 * `shapes` or `sentiment`, or the catalogue gives its data set another
 * `modality` than "points". The residual lesson runs on points but is in the lab
 * too (its training curves and gradient-by-depth, side by side).
 *
 * The lab reads `#lesson=<name>&variant=<v>&seed=<s>&data_seed=<d>` from its
 * address (the seeds optional: without them the lesson's own). Every function
 * here is pure.
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

/** `#lesson=<name>&variant=<v>&seed=<s>&data_seed=<d>` (each left out when null). */
export function labHash({ lesson, variant, seed = null, dataSeed = null }) {
  const params = new URLSearchParams();
  if (lesson) params.set("lesson", lesson);
  if (variant) params.set("variant", variant);
  if (Number.isInteger(seed)) params.set("seed", String(seed));
  if (Number.isInteger(dataSeed)) params.set("data_seed", String(dataSeed));
  const text = params.toString();
  return text ? `#${text}` : "";
}

/** A seed written in an address: a whole number 0 to 2^32 - 1, else null. */
function seedOf(text) {
  if (!/^\d{1,10}$/.test(text || "")) return null;
  const seed = Number(text);
  return seed <= MAX_SEED ? seed : null;
}

/**
 * The lesson, variant and seeds in an address's hash ({lesson: null, variant:
 * null, seed: null, dataSeed: null} when absent; a seed that is not a whole
 * number in range is ignored).
 * @param {string} hash e.g. location.hash
 */
export function readLabHash(hash) {
  const params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  return { lesson: params.get("lesson") || null, variant: params.get("variant") || null,
    seed: seedOf(params.get("seed")), dataSeed: seedOf(params.get("data_seed")) };
}
