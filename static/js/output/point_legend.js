/**
 * The legend under an output map: what a filled point and a ring are (training
 * and test points, as point_layer.js draws them), and, when every test point is
 * also a training point (XOR's four points), that they are the same points.
 * A `p.nn-point-legend` placed after the canvas, hidden while there are no points.
 */

import { t } from "../common/i18n.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/** A 14 x 14 swatch: a filled disc (`train`) or a ring (`test`). */
function swatch(kind) {
  const box = document.createElementNS(SVG_NS, "svg");
  for (const [k, v] of Object.entries({ viewBox: "0 0 14 14", width: 14, height: 14,
    class: `nn-point-swatch nn-point-${kind}`, "aria-hidden": "true" })) box.setAttribute(k, String(v));
  const circle = document.createElementNS(SVG_NS, "circle");
  for (const [k, v] of Object.entries({ cx: 7, cy: 7, r: kind === "train" ? 5.5 : 5 })) {
    circle.setAttribute(k, String(v));
  }
  box.append(circle);
  return box;
}

/** One entry: a swatch and its words. */
function entry(kind, words) {
  const span = document.createElement("span");
  span.className = "nn-point-entry";
  span.dataset.kind = kind;
  const text = document.createElement("span");
  text.textContent = words;
  span.append(swatch(kind), text);
  return span;
}

/** Whether every test row is also a train row (same coordinates). */
function testIsTrain(points) {
  const dims = points.dims;
  const key = (row) => row.slice(0, dims).join(",");
  const train = new Set(points.train.map(key));
  return points.test.length > 0 && points.test.every((row) => train.has(key(row)));
}

/** The legend of the points of one output map. */
export class PointLegend {
  /** @param {HTMLCanvasElement} canvas the output map it sits under */
  constructor(canvas) {
    this.element = document.createElement("p");
    this.element.className = "nn-point-legend";
    this.element.dataset.testid = "point-legend";
    this.element.hidden = true;
    this.same = document.createElement("span");
    this.same.className = "nn-point-same";
    this.element.append(entry("train", t("filled: training point")),
      entry("test", t("ring: test point")), this.same);
    canvas.insertAdjacentElement("afterend", this.element);
  }

  /**
   * Shows the legend for `points` (normalised, see output/data.js), or hides it.
   * @param {{dims: number, train: number[][], test: number[][]}|null} points
   */
  show(points) {
    const any = Boolean(points && (points.train.length || points.test.length));
    this.element.hidden = !any;
    const same = any && testIsTrain(points);
    this.same.textContent = same
      ? t("here the test points are the {n} training points: a ring round each dot", { n: points.train.length })
      : "";
    this.same.hidden = !same;
    this.element.dataset.same = String(same);
  }

  destroy() {
    this.element.remove();
  }
}
