/**
 * The page's language and its strings.
 *
 * The server renders a page in one language and says which in `<html lang>`
 * ("en" or "zh-Hant"). Scripts write every string they show in English and pass
 * it through `t()`, which looks it up in the same catalogue the templates use:
 * `/static/i18n/<lang>/<part>.json`, English text -> translation. `{name}` in a
 * string is replaced by `values.name`.
 *
 * The catalogue is loaded once, before any module that imports this one runs
 * (a top-level await), so `t()` is synchronous.
 */

/** The catalogue files of a language (app/i18n.py PARTS). */
const PARTS = ["common", "playground", "lab", "classroom", "errors"];

/** The page's language tag, e.g. "en" or "zh-Hant". */
export const LANG = document.documentElement.lang || "en";

async function loadCatalogue(lang) {
  if (lang === "en") return {};
  const parts = await Promise.all(PARTS.map(async (part) => {
    try {
      const response = await fetch(`/static/i18n/${lang}/${part}.json`);
      return response.ok ? await response.json() : {};
    } catch {
      return {};
    }
  }));
  return Object.assign({}, ...parts);
}

const CATALOGUE = await loadCatalogue(LANG);

/**
 * The page's translation of an English string, `{name}` filled in from values.
 * @param {string} text English
 * @param {Record<string, unknown>} [values]
 * @returns {string}
 */
export function t(text, values) {
  let out = Object.hasOwn(CATALOGUE, text) ? CATALOGUE[text] : text;
  if (values) {
    out = out.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }
  return out;
}

/** Whether the page is in English (some layouts and number words differ). */
export function isEnglish() {
  return LANG === "en";
}
