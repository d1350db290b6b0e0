/**
 * The class scores of the probed sample: one labelled bar per class (its
 * probability), the predicted class's bar filled in the accent colour and marked
 * "predicted", the true class marked "true" (a typed sentence or a drawn image
 * of no data set has its own label only when the server gives one). The marks
 * are words, not only colours.
 *
 * Reads `header.probe`: `class_names`, `scores`, `predicted`, `label`.
 */

import { el } from "../common/dom.js";
import { t } from "../common/i18n.js";

export class ScoresView {
  /** @param {HTMLElement} container where the bars go (its content is replaced) */
  constructor(container) {
    this.container = container;
    this.names = "";
    this.rows = [];
    this.summary = el("p", { class: "lab-scores-summary", "data-testid": "scores-summary" });
  }

  /** @param {object} probe the frame header's `probe` */
  update(probe) {
    if (!probe || !Array.isArray(probe.scores)) return;
    // names: the server's class names (ids and data); labels: what the page shows
    const names = probe.class_names || probe.scores.map((_, i) => `class ${i}`);
    // the class names of the lab's data sets are in the catalogue (lab.json)
    const labels = probe.class_names ? probe.class_names.map((name) => t(name))
      : probe.scores.map((_, i) => t("class {i}", { i }));
    if (names.join("|") !== this.names) this.build(names, labels);
    probe.scores.forEach((p, i) => {
      const row = this.rows[i];
      if (!row) return;
      const percent = Math.max(0, Math.min(100, 100 * p));
      row.bar.style.width = `${percent}%`;
      row.value.textContent = `${percent.toFixed(1)}%`;
      const predicted = i === probe.predicted;
      const truth = i === probe.label;
      row.box.classList.toggle("predicted", predicted);
      row.box.classList.toggle("truth", truth);
      row.marks.textContent = [truth ? t("true") : "", predicted ? t("predicted") : ""]
        .filter(Boolean).join(" · ");
      row.box.dataset.value = String(p);
    });
    const guess = names[probe.predicted] ?? "–";
    const truth = Number.isInteger(probe.label) ? names[probe.label] : null;
    const shown = { guess: labels[probe.predicted] ?? "–", truth: labels[probe.label] };
    if (truth === null) this.summary.textContent = t("The net says: {guess}.", shown);
    else if (guess === truth) this.summary.textContent = t("True: {truth} · the net says: {guess} (right)", shown);
    else this.summary.textContent = t("True: {truth} · the net says: {guess} (wrong)", shown);
    this.container.dataset.predicted = guess;
    this.container.dataset.scores = probe.scores.map((p) => p.toFixed(4)).join(",");
  }

  build(names, labels = names) {
    this.names = names.join("|");
    this.rows = names.map((name, i) => {
      const bar = el("span", { class: "lab-bar-fill" });
      const value = el("span", { class: "lab-bar-value" });
      const marks = el("span", { class: "lab-bar-marks" });
      const box = el("li", { class: "lab-score", "data-testid": `score-${name}` },
        el("span", { class: "lab-bar-name", text: labels[i] }),
        el("span", { class: "lab-bar-track" }, bar), value, marks);
      return { box, bar, value, marks };
    });
    this.container.replaceChildren(this.summary,
      el("ol", { class: "lab-scores", "aria-label": t("Class probabilities") },
        ...this.rows.map((r) => r.box)));
  }
}
