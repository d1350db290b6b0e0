/**
 * The class scores of the probed sample: one labelled bar per class (its
 * probability), the predicted class's bar filled in the accent colour and marked
 * "predicted", the true class marked "true" (a typed sentence or a drawn image
 * of no data set has its own label only when the server gives one). The marks
 * are words, not only colours.
 *
 * Reads `header.probe`: `class_names`, `scores`, `predicted`, `label`.
 */

import { el } from "./control_dom.js";

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
    const names = probe.class_names || probe.scores.map((_, i) => `class ${i}`);
    if (names.join("|") !== this.names) this.build(names);
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
      row.marks.textContent = [truth ? "true" : "", predicted ? "predicted" : ""]
        .filter(Boolean).join(" · ");
      row.box.dataset.value = String(p);
    });
    const guess = names[probe.predicted] ?? "–";
    const truth = Number.isInteger(probe.label) ? names[probe.label] : null;
    this.summary.textContent = truth === null ? `The net says: ${guess}.`
      : `True: ${truth} · the net says: ${guess} ${guess === truth ? "(right)" : "(wrong)"}`;
    this.container.dataset.predicted = guess;
    this.container.dataset.scores = probe.scores.map((p) => p.toFixed(4)).join(",");
  }

  build(names) {
    this.names = names.join("|");
    this.rows = names.map((name) => {
      const bar = el("span", { class: "lab-bar-fill" });
      const value = el("span", { class: "lab-bar-value" });
      const marks = el("span", { class: "lab-bar-marks" });
      const box = el("li", { class: "lab-score", "data-testid": `score-${name}` },
        el("span", { class: "lab-bar-name", text: name }),
        el("span", { class: "lab-bar-track" }, bar), value, marks);
      return { box, bar, value, marks };
    });
    this.container.replaceChildren(this.summary,
      el("ol", { class: "lab-scores", "aria-label": "Class probabilities" },
        ...this.rows.map((r) => r.box)));
  }
}
