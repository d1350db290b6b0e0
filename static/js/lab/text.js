/**
 * A sentence through the text CNN: the words in a row, and under them, for each
 * filter of the 1-D convolution, a heat strip of its activation at every n-gram
 * position, with the position that max over time picks outlined and the words of
 * that winning n-gram written at the end of the strip.
 *
 * Reads `header.probe`: `words` (L words, "" for padding), the conv1d entry's
 * `windows` ([start, end) word span of each output position), the
 * global_max_pool entry's `argmax` (winning position per channel), and the
 * quantised map feeding that pool, `probe.layers.<pool - 1>` ((F, L')). A net
 * without a convolution (bag of words) shows its embedding dimensions instead,
 * each position one word.
 */

import { el } from "../common/dom.js";
import { t } from "../common/i18n.js";
import { absMax, short } from "./paint.js";
import { css, divergingRGB } from "../common/palette.js";

/** Most strips drawn (a bag of words has one per embedding dimension). */
const MAX_STRIPS = 16;

/** What the view needs from a frame, or null when the probe is not a text one. */
export function textProbe(frame) {
  const probe = frame.header.probe;
  if (!probe || !Array.isArray(probe.words)) return null;
  const entries = probe.layers || [];
  const pool = entries.findIndex((e) => e.type === "global_max_pool" && Array.isArray(e.argmax));
  if (pool < 1) return null;
  const map = frame.arrays[`probe.layers.${pool - 1}`];
  if (!map || map.shape.length !== 2) return null;
  const conv = entries.slice(0, pool).reverse().find((e) => e.type === "conv1d");
  const [channels, length] = map.shape;
  const windows = conv?.windows || Array.from({ length }, (_, p) => [p, p + 1]);
  return { probe, map, channels, length, windows, argmax: entries[pool].argmax,
    unit: conv ? "filter" : "dimension" };
}

/** The texts that name the rows' unit ("filter" of a convolution, or "dimension"
 * of a bag of words' embedding): whole sentences, one set per unit. */
const UNIT_TEXTS = {
  filter: {
    grid: t("Activation of each filter at each word position"),
    row: (n) => t("filter {n}", { n }),
    at: (v) => t("filter {n} at “{ngram}”: {value}", v),
    note: (v) => (v.shown < v.n
      ? t("{n} filters (the first {shown} shown), each {width} words wide; colour scale ±{scale}; the outlined cell is the position max over time keeps.", v)
      : t("{n} filters, each {width} words wide; colour scale ±{scale}; the outlined cell is the position max over time keeps.", v)),
  },
  dimension: {
    grid: t("Activation of each dimension at each word position"),
    row: (n) => t("dimension {n}", { n }),
    at: (v) => t("dimension {n} at “{ngram}”: {value}", v),
    note: (v) => (v.shown < v.n
      ? t("{n} dimensions (the first {shown} shown), colour scale ±{scale}; the outlined cell is the position max over time keeps.", v)
      : t("{n} dimensions, colour scale ±{scale}; the outlined cell is the position max over time keeps.", v)),
  },
};

/** The words of window [start, end), padding left out. */
function ngram(words, [start, end]) {
  return words.slice(start, end).filter(Boolean).join(" ");
}

export class TextView {
  /** @param {HTMLElement} container where the strips go (its content is replaced) */
  constructor(container) {
    this.container = container;
    this.note = el("p", { class: "lab-note" });
  }

  update(frame) {
    const tp = textProbe(frame);
    if (!tp) {
      this.container.replaceChildren(el("p", { class: "lab-note",
        text: t("This net does not end in max over time: no n-gram positions to show.") }));
      return;
    }
    const texts = UNIT_TEXTS[tp.unit];
    const words = tp.probe.words;
    const real = words.filter(Boolean).length;
    let shown = tp.windows.filter(([start]) => start < Math.max(1, real)).length;
    shown = Math.min(tp.length, Math.max(shown, ...tp.argmax.slice(0, tp.channels).map((p) => p + 1)));
    const strips = Math.min(tp.channels, MAX_STRIPS);
    const scale = absMax(tp.map.data);
    const grid = el("div", { class: "lab-text-grid", role: "table", "aria-label": texts.grid });
    grid.style.setProperty("--lab-positions", String(shown));
    grid.append(this.wordsRow(words, shown));
    for (let f = 0; f < strips; f += 1) grid.append(this.strip(tp, texts, f, shown, scale));
    this.note.textContent = texts.note({ n: tp.channels, shown: strips, width: windowWidth(tp.windows),
      scale: short(scale) });
    this.container.replaceChildren(this.note, grid);
    this.container.dataset.words = words.filter(Boolean).join(" ");
  }

  wordsRow(words, shown) {
    const cells = [];
    for (let p = 0; p < shown; p += 1) {
      cells.push(el("span", { class: words[p] ? "lab-word" : "lab-word lab-word-pad", role: "columnheader",
        text: words[p] || "·", title: words[p] || t("padding") }));
    }
    return el("div", { class: "lab-text-row", role: "row", "data-testid": "text-words" },
      el("span", { class: "lab-text-label", role: "rowheader", text: t("words") }), ...cells,
      el("span", { class: "lab-text-win", text: t("max over time keeps") }));
  }

  strip(tp, texts, f, shown, scale) {
    const best = tp.argmax[f];
    const cells = [];
    for (let p = 0; p < shown; p += 1) {
      const value = tp.map.data[f * tp.length + p];
      const win = p === best;
      const cell = el("span", { class: win ? "lab-heat lab-argmax" : "lab-heat", role: "cell",
        title: texts.at({ n: f + 1, ngram: ngram(tp.probe.words, tp.windows[p] || [p, p + 1]),
          value: short(value) }),
        "aria-label": win ? t("{value}, the maximum", { value: short(value) }) : short(value) });
      cell.style.background = css(divergingRGB(scale > 0 ? value / scale : 0));
      cells.push(cell);
    }
    const winner = ngram(tp.probe.words, tp.windows[best] || [best, best + 1]);
    const value = tp.map.data[f * tp.length + best];
    return el("div", { class: "lab-text-row", role: "row", "data-testid": `filter-${f}`,
      "data-argmax": best, "data-ngram": winner || "(padding)" },
    el("span", { class: "lab-text-label", role: "rowheader", text: texts.row(f + 1) }),
    ...cells,
    el("span", { class: "lab-text-win", role: "cell",
      text: t("“{ngram}” {value}", { ngram: winner || t("(padding)"), value: short(value) }) }));
  }
}

/** The widest window of the conv1d (its kernel, seen from the windows). */
function windowWidth(windows) {
  return Math.max(...windows.map(([s, e]) => e - s));
}
