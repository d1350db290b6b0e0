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

import { el } from "./control_dom.js";
import { absMax, short } from "./lab_paint.js";
import { css, divergingRGB } from "./palette.js";

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
    const t = textProbe(frame);
    if (!t) {
      this.container.replaceChildren(el("p", { class: "lab-note",
        text: "This net does not end in max over time: no n-gram positions to show." }));
      return;
    }
    const words = t.probe.words;
    const real = words.filter(Boolean).length;
    let shown = t.windows.filter(([start]) => start < Math.max(1, real)).length;
    shown = Math.min(t.length, Math.max(shown, ...t.argmax.slice(0, t.channels).map((p) => p + 1)));
    const strips = Math.min(t.channels, MAX_STRIPS);
    const scale = absMax(t.map.data);
    const grid = el("div", { class: "lab-text-grid", role: "table",
      "aria-label": `Activation of each ${t.unit} at each word position` });
    grid.style.setProperty("--lab-positions", String(shown));
    grid.append(this.wordsRow(words, shown));
    for (let f = 0; f < strips; f += 1) grid.append(this.strip(t, f, shown, scale));
    this.note.textContent = `${t.channels} ${t.unit}s` +
      `${strips < t.channels ? ` (the first ${strips} shown)` : ""}, ` +
      `${t.unit === "filter" ? `each ${windowWidth(t.windows)} words wide; ` : ""}` +
      `colour scale ±${short(scale)}; the outlined cell is the position max over time keeps.`;
    this.container.replaceChildren(this.note, grid);
    this.container.dataset.words = words.filter(Boolean).join(" ");
  }

  wordsRow(words, shown) {
    const cells = [];
    for (let p = 0; p < shown; p += 1) {
      cells.push(el("span", { class: words[p] ? "lab-word" : "lab-word lab-word-pad", role: "columnheader",
        text: words[p] || "·", title: words[p] || "padding" }));
    }
    return el("div", { class: "lab-text-row", role: "row", "data-testid": "text-words" },
      el("span", { class: "lab-text-label", role: "rowheader", text: "words" }), ...cells,
      el("span", { class: "lab-text-win", text: "max over time keeps" }));
  }

  strip(t, f, shown, scale) {
    const best = t.argmax[f];
    const cells = [];
    for (let p = 0; p < shown; p += 1) {
      const value = t.map.data[f * t.length + p];
      const win = p === best;
      const cell = el("span", { class: win ? "lab-heat lab-argmax" : "lab-heat", role: "cell",
        title: `${t.unit} ${f + 1} at “${ngram(t.probe.words, t.windows[p] || [p, p + 1])}”: ` +
          `${short(value)}`, "aria-label": `${short(value)}${win ? ", the maximum" : ""}` });
      cell.style.background = css(divergingRGB(scale > 0 ? value / scale : 0));
      cells.push(cell);
    }
    const winner = ngram(t.probe.words, t.windows[best] || [best, best + 1]) || "(padding)";
    const value = t.map.data[f * t.length + best];
    return el("div", { class: "lab-text-row", role: "row", "data-testid": `filter-${f}`,
      "data-argmax": best, "data-ngram": winner },
    el("span", { class: "lab-text-label", role: "rowheader", text: `${t.unit} ${f + 1}` }),
    ...cells,
    el("span", { class: "lab-text-win", role: "cell", text: `“${winner}” ${short(value)}` }));
  }
}

/** The widest window of the conv1d (its kernel, seen from the windows). */
function windowWidth(windows) {
  return Math.max(...windows.map(([s, e]) => e - s));
}
