/**
 * A lesson's seeds, which a student can see, draw anew and share: the model seed
 * (initial weights and batch order) and the data seed (the points or images
 * drawn). A lesson run made with seeds (`POST /api/runs` with `seed` and
 * `data_seed`) is the lesson's preset from those seeds; the page keeps them in
 * its address, so whoever opens the link gets the same run.
 *
 * - `drawSeed(previous)`: a new seed, 1 to 99999 (short enough to read out), not
 *   the previous one;
 * - `onlySeedsDiffer(a, b)`: whether two playground states differ in their seeds
 *   and nothing else (their lessons aside), so that a new seed keeps the lesson;
 * - `lessonRequest(lesson, variant, seeds)`: the body of `POST /api/runs`;
 * - `SeedLine`: the line that shows the seeds, with "New seed" and "New data".
 *
 * Used by the playground (main.js) and the lab (lab/main.js).
 */

import { t } from "../common/i18n.js";
import { canonical } from "../state/compare.js";

/** The largest seed `drawSeed` gives. */
export const DRAWN_SEED_MAX = 99999;

/**
 * A new seed between 1 and DRAWN_SEED_MAX, other than `previous`.
 * @param {number|null} [previous]
 * @param {() => number} [random] a source of numbers in [0, 1)
 * @returns {number}
 */
export function drawSeed(previous = null, random = Math.random) {
  for (;;) {
    const seed = 1 + Math.floor(random() * DRAWN_SEED_MAX);
    if (seed !== previous) return seed;
  }
}

/** A state without its lesson and seeds. */
function withoutSeeds(state) {
  const { lesson: _lesson, seed: _seed, data = {}, ...rest } = state || {};
  const { seed: _dataSeed, ...dataRest } = data;
  return { ...rest, data: dataRest };
}

/**
 * Whether states `a` and `b` differ in the model or data seed and in nothing
 * else (their `lesson` fields are not compared).
 */
export function onlySeedsDiffer(a, b) {
  if (canonical(withoutSeeds(a)) !== canonical(withoutSeeds(b))) return false;
  return a.seed !== b.seed || a.data?.seed !== b.data?.seed;
}

/**
 * The request that makes a lesson's run: from its own seeds, or from `seeds`
 * ({seed, dataSeed}, either may be null). The server takes `seed` for both the
 * model and the data unless `data_seed` says otherwise, and `data_seed` only
 * with `seed`: a data seed without a model seed is left out.
 * @returns {{lesson: string, variant: string|null, seed?: number, data_seed?: number}}
 */
export function lessonRequest(lesson, variant, seeds = {}) {
  const request = { lesson, variant: variant ?? null };
  if (Number.isInteger(seeds.seed)) {
    request.seed = seeds.seed;
    if (Number.isInteger(seeds.dataSeed)) request.data_seed = seeds.dataSeed;
  }
  return request;
}

/** The model and data seeds of a run's spec (explicit form), null where absent. */
export function seedsOfSpec(spec) {
  const seed = spec?.seed;
  const dataSeed = spec?.data?.seed;
  return { seed: Number.isInteger(seed) ? seed : null,
    dataSeed: Number.isInteger(dataSeed) ? dataSeed : null };
}

/** A translated `text` with `{key}` replaced by a bold element holding `value`. */
function withNumber(text, key, value, testid) {
  const span = document.createElement("span");
  const [before, after = ""] = text.split(`{${key}}`);
  const b = document.createElement("b");
  b.dataset.testid = testid;
  b.textContent = String(value);
  span.append(before, b, after);
  return span;
}

/**
 * The seeds line: "model seed 4821 · data seed 17 [New seed] [New data]".
 * `new SeedLine({onNewSeed, onNewData})`, its element `.root`; `show({seed,
 * dataSeed, dataSeeded})` (`dataSeeded` false hides the data seed and its button,
 * for data a seed does not change).
 */
export class SeedLine {
  constructor({ onNewSeed, onNewData }) {
    this.root = document.createElement("p");
    this.root.className = "seed-line";
    this.root.dataset.testid = "seed-line";
    this.root.title = t("The page's address carries these seeds: whoever opens it gets this same run.");
    this.text = document.createElement("span");
    this.newSeed = button(t("New seed"), t("Draw a new model seed: new initial weights and batch order"),
      "lesson-new-seed", onNewSeed);
    this.newData = button(t("New data"), t("Draw a new data seed: the data drawn again"),
      "lesson-new-data", onNewData);
    this.root.append(this.text, " ", this.newSeed, " ", this.newData);
    this.root.hidden = true;
  }

  /** Shows the seeds (hidden while `seed` is null). */
  show({ seed, dataSeed, dataSeeded = true }) {
    this.root.hidden = seed == null;
    if (seed == null) return;
    const parts = [withNumber(t("model seed {seed}"), "seed", seed, "seed-shown")];
    if (dataSeeded && dataSeed != null) {
      parts.push(" · ", withNumber(t("data seed {seed}"), "seed", dataSeed, "data-seed-shown"));
    }
    this.text.replaceChildren(...parts);
    this.newData.hidden = !dataSeeded;
    this.root.dataset.seed = String(seed);
    this.root.dataset.dataSeed = dataSeed == null ? "" : String(dataSeed);
  }

  /** Enables or disables the buttons (while a run is being made). */
  busy(on) {
    this.newSeed.disabled = on;
    this.newData.disabled = on;
  }
}

function button(text, title, testid, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.title = title;
  b.dataset.testid = testid;
  b.addEventListener("click", () => onClick());
  return b;
}
