/**
 * The legend under the network diagram: what its marks mean, for the marks the
 * network can show (built once per network shape, like the SVG).
 *
 * - links: width by |weight| against the layer's largest (at least 1), colour by sign;
 * - a cross: the unit is dead on the training data (`data-testid="legend-dead"`,
 *   its tooltip saying what that means, with the count of dead units of the last
 *   frame);
 * - hatching: saturated on more than 90% of the training points;
 * - grey: switched off by the last dropout mask (nets with dropout);
 * - P: a residual block's projection, a cell per weight (nets that have one).
 *
 * `buildLegend(layout)` gives `{root, dead}`; `paintLegend(legend, dead)` writes
 * the number of dead units of a frame.
 */

import { DEAD_UNIT_NOTE, SATURATED_UNIT_NOTE } from "./labels.js";
import { html, setText, svg } from "./dom.js";
import { t } from "../common/i18n.js";

/** A 22 x 14 swatch drawing one mark. */
function swatch(kind) {
  const box = svg("svg", { class: "nv-swatch", viewBox: "0 0 22 14", width: 22, height: 14,
    "aria-hidden": "true" });
  if (kind === "links") {
    svg("line", { x1: 1, y1: 4, x2: 21, y2: 4, class: "nv-link nv-pos", "stroke-width": 4 }, box);
    svg("line", { x1: 1, y1: 11, x2: 21, y2: 11, class: "nv-link nv-neg", "stroke-width": 1 }, box);
    return box;
  }
  const cell = { x: 4, y: 0.5, width: 13, height: 13 };
  svg("rect", { ...cell, class: "nv-swatch-cell" }, box);
  if (kind === "dead") {
    svg("path", { d: "M4,0.5 L17,13.5 M17,0.5 L4,13.5", class: "nv-cross" }, box);
  } else if (kind === "saturated") {
    for (const x of [4, 8, 12, 16]) {
      svg("line", { x1: x, y1: 13.5, x2: x + 5, y2: 0.5, class: "nv-hatch-line" }, box);
    }
  } else if (kind === "off") {
    svg("rect", { ...cell, class: "nv-off" }, box);
  } else if (kind === "projection") {
    svg("rect", { x: 4, y: 0.5, width: 6.5, height: 6.5, class: "nv-bias nv-pos" }, box);
    svg("rect", { x: 10.5, y: 7, width: 6.5, height: 6.5, class: "nv-bias nv-neg" }, box);
  }
  svg("rect", { ...cell, class: "nv-frame" }, box);
  return box;
}

/** One legend entry: swatch, words, tooltip. */
function entry(parent, kind, words, note) {
  const li = html("li", "nv-legend-item", parent);
  li.dataset.testid = `legend-${kind}`;
  li.append(swatch(kind));
  const text = html("span", "", li);
  text.textContent = words;
  if (note) li.title = note;
  return { li, text };
}

/**
 * The legend of a layout (from `layoutColumns`).
 * @returns {{root: HTMLElement, dead: {li: HTMLElement, text: HTMLElement}|null}}
 */
export function buildLegend(layout) {
  const root = html("ul", "nv-legend");
  root.setAttribute("aria-label", t("What the diagram's marks mean"));
  entry(root, "links", t("link width: |weight| against the layer's largest (at least 1); orange positive, blue negative"),
    t("Widths compare each weight with the largest of its layer in this frame, or with 1 when all are smaller, so weights that vanish are drawn thin."));
  const activated = layout.hidden.some((c) => c.activation);
  const dead = activated ? entry(root, "dead", "", DEAD_UNIT_NOTE) : null;
  if (activated) entry(root, "saturated", t("hatched: saturated"), SATURATED_UNIT_NOTE);
  if (layout.columns.some((c) => c.dropout)) {
    entry(root, "off", t("grey: switched off by the last dropout mask"), "");
  }
  if (layout.arcs.some((a) => a.projection)) {
    entry(root, "projection", t("P on a skip: the learned projection where a block changes the width, a cell per weight"),
      t("h(x) = f(x) + P x: when a residual block's output is wider or narrower than its input, the skip goes through P, a dense layer without activation."));
  }
  const legend = { root, dead };
  paintLegend(legend, 0);
  return legend;
}

/** The dead entry's words, with the number of dead units in the frame. */
export function paintLegend(legend, deadUnits) {
  if (!legend.dead) return;
  legend.dead.li.dataset.count = String(deadUnits);
  setText(legend.dead.text, deadUnits
    ? t("crossed out: dead on the training data ({n} now)", { n: deadUnits })
    : t("crossed out: dead on the training data"));
}
