/**
 * The activation explorer: f and f' of one activation drawn on labelled axes, a
 * chooser of every activation, and the notes' identities checked numerically on
 * the server's curves:
 *
 *   sigmoid'(x) = p (1 - p), p = sigmoid(x)
 *   tanh'(x)    = 1 - p^2,   p = tanh(x)
 *   tanh(x)     = 2 sigmoid(2x) - 1
 *
 * Each identity shows the largest |left side - right side| over the grid points,
 * computed from the sampled curves (activation_identities.js, re-exported here),
 * so the page checks them rather than stating them. Since the server computes
 * sigmoid′ and tanh′ from p, the first two agree to the last bit; an independent
 * check follows for the activation shown: its f′ against the slope of its sampled
 * f (a central difference).
 */

import { checkIdentities, checkSlope, nearest } from "./activation_identities.js";
import { activationLabel } from "../common/activation_names.js";
import { fitCanvas } from "../common/canvas_fit.js";
import { drawRule } from "../charts/lines.js";
import { formatNumber, niceTicks } from "../charts/scales.js";
import { t } from "../common/i18n.js";
import { readTheme } from "../common/palette.js";

export {
  checkIdentities, checkSlope, IDENTITY_TOLERANCE, SLOPE_TOLERANCE,
} from "./activation_identities.js";

/**
 * @typedef {{name: string, options: Object<string, {default: number, min: number, max: number}>,
 *   f: number[], df: number[]}} ActivationCurve
 * @typedef {{x: number[], hidden: ActivationCurve[], output?: string[]}} Activations
 *   the JSON of GET /api/activations: f and df sampled at the same x
 */

export class ActivationExplorer {
  /**
   * Build the explorer inside `container` (its children are replaced).
   * @param {HTMLElement} container
   * @param {Activations} activations
   */
  constructor(container, activations) {
    this.container = container;
    this.x = (activations && activations.x) || [];
    this.curves = ((activations && activations.hidden) || [])
      .filter((c) => c.f.length === this.x.length && c.df.length === this.x.length);
    this.resizer = null;
    if (this.x.length < 2 || this.curves.length === 0) {
      container.replaceChildren(element("p", "nn-explorer-empty", t("No activation curves to show.")));
      return;
    }
    this.current = this.curves.find((c) => c.name === "tanh") || this.curves[0];
    this.hoverIndex = -1;
    this.#build();
    this.#showIdentities();
    this.select(this.current.name);
    this.resizer = typeof ResizeObserver === "function" ? new ResizeObserver(() => this.draw()) : null;
    if (this.resizer) this.resizer.observe(this.canvas);
  }

  /** Show the activation called `name` (ignored when unknown). */
  select(name) {
    const curve = this.curves.find((c) => c.name === name);
    if (!curve || !this.canvas) return;
    this.current = curve;
    this.chooser.value = name;
    this.options.textContent = describeOptions(curve.options);
    this.canvas.setAttribute("aria-label", t("{name}: f(x) and its derivative f′(x) for x from {low} to {high}",
      { name: activationLabel(name), low: this.x[0], high: this.x[this.x.length - 1] }));
    for (const item of this.identityItems) {
      item.element.classList.toggle("nn-current", item.about.includes(name));
    }
    this.#showSlopeCheck();
    this.draw();
  }

  /** Draw f (solid) and f' (dashed) of the current activation, axes and legend. */
  draw() {
    if (!this.canvas) return;
    const size = fitCanvas(this.canvas, { width: 480, height: 260 });
    const ctx = this.canvas.getContext("2d");
    const theme = readTheme(this.canvas);
    ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
    ctx.clearRect(0, 0, size.width, size.height);
    ctx.font = theme.font;
    const plot = plotOf(size);
    if (plot.w < 20 || plot.h < 20) return;
    const scale = this.#scale(plot);
    drawFrame(ctx, plot, scale, theme);
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.x, plot.y, plot.w, plot.h);
    ctx.clip();
    strokeCurve(ctx, this.x, this.current.f, scale, theme.series1, []);
    strokeCurve(ctx, this.x, this.current.df, scale, theme.series2, [6, 4]);
    this.#drawHover(ctx, plot, scale, theme);
    ctx.restore();
    drawLegend(ctx, plot, theme, activationLabel(this.current.name));
  }

  /** Stop observing and empty the container. */
  destroy() {
    if (this.resizer) this.resizer.disconnect();
    this.container.replaceChildren();
  }

  // -------------------------------------------------------------------------

  /** The chooser, the canvas, the hover read-out and the list of identities. */
  #build() {
    const root = element("div", "nn-explorer");
    const bar = element("div", "nn-explorer-bar");
    const label = element("label", "nn-explorer-choice", t("Activation "));
    this.chooser = element("select", "");
    for (const curve of this.curves) {
      const option = element("option", "", activationLabel(curve.name));
      option.value = curve.name;
      this.chooser.append(option);
    }
    this.chooser.addEventListener("change", () => this.select(this.chooser.value));
    label.append(this.chooser);
    this.options = element("span", "nn-explorer-options");
    bar.append(label, this.options);
    this.canvas = element("canvas", "nn-explorer-plot");
    this.canvas.setAttribute("role", "img");
    this.canvas.addEventListener("pointermove", (event) => this.#hover(event));
    this.canvas.addEventListener("pointerleave", () => this.#hover(null));
    this.readout = element("div", "nn-explorer-readout", t("Point at the plot to read f and f′."));
    this.identityList = element("ul", "nn-identities");
    this.slopeItem = element("li", "nn-identity nn-identity-slope nn-current");
    this.slopeFormula = element("span", "nn-identity-formula");
    this.slopeCheck = element("span", "nn-identity-check");
    this.slopeItem.append(this.slopeFormula, this.slopeCheck);
    root.append(bar, this.canvas, this.readout, this.identityList);
    this.container.replaceChildren(root);
  }

  /** The three identities with their largest differences, as list items. */
  #showIdentities() {
    this.identityItems = checkIdentities(this.x, this.curves).map((check) => {
      const item = element("li", check.ok ? "nn-identity nn-ok" : "nn-identity nn-fail");
      const formula = element("span", "nn-identity-formula", check.formula);
      const result = element("span", "nn-identity-check", check.text);
      item.append(formula, result);
      this.identityList.append(item);
      return { element: item, about: check.about };
    });
    this.identityList.append(this.slopeItem);
  }

  /** The current activation's f′ against the slope of its f on the grid. */
  #showSlopeCheck() {
    const check = checkSlope(this.x, this.current);
    this.slopeFormula.textContent = t("{name}′(x) = slope of {name} (central difference, h = {h}, |x| ≥ {from})",
      { name: activationLabel(this.current.name), h: formatNumber(check.h), from: formatNumber(1.5 * check.h) });
    this.slopeCheck.textContent = check.text;
    this.slopeItem.classList.toggle("nn-ok", check.ok);
    this.slopeItem.classList.toggle("nn-fail", !check.ok);
  }

  /** Maps of x and of y to CSS px over the data's x range and the curves' y range. */
  #scale(plot) {
    const x0 = this.x[0];
    const x1 = this.x[this.x.length - 1];
    let lo = 0;
    let hi = 1;
    for (const v of this.current.f.concat(this.current.df)) {
      if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    const pad = (hi - lo) * 0.06;
    lo -= pad;
    hi += pad;
    return {
      x0, x1, lo, hi,
      x: (v) => plot.x + ((v - x0) / (x1 - x0)) * plot.w,
      y: (v) => plot.y + ((hi - v) / (hi - lo)) * plot.h,
      invert: (px) => x0 + ((px - plot.x) / plot.w) * (x1 - x0),
    };
  }

  #hover(event) {
    if (!event) {
      this.hoverIndex = -1;
    } else {
      const box = this.canvas.getBoundingClientRect();
      const x = this.#scale(plotOf(box)).invert(event.clientX - box.left);
      this.hoverIndex = nearest(this.x, x);
    }
    const i = this.hoverIndex;
    this.readout.textContent = i < 0 ? t("Point at the plot to read f and f′.")
      : `x = ${formatNumber(this.x[i], 4)}   f(x) = ${formatNumber(this.current.f[i], 4)}   `
        + `f′(x) = ${formatNumber(this.current.df[i], 4)}`;
    this.draw();
  }

  /** A vertical rule and two dots at the hovered x. */
  #drawHover(ctx, plot, scale, theme) {
    const i = this.hoverIndex;
    if (i < 0) return;
    const px = scale.x(this.x[i]);
    drawRule(ctx, px, plot, theme.muted);
    for (const [values, color] of [[this.current.f, theme.series1], [this.current.df, theme.series2]]) {
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.arc(px, scale.y(values[i]), 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

// ---------------------------------------------------------------------------
// Drawing and DOM helpers

/** The plot rectangle (CSS px) in a canvas of CSS size {width, height}. */
function plotOf(size) {
  return { x: 40, y: 10, w: size.width - 52, h: size.height - 40 };
}

/** Grid lines and tick labels, the axes through 0 drawn darker, axis names. */
function drawFrame(ctx, plot, scale, theme) {
  ctx.lineWidth = 1;
  ctx.fillStyle = theme.muted;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of niceTicks(scale.x0, scale.x1, Math.max(2, Math.floor(plot.w / 60)))) {
    const px = Math.round(scale.x(v)) + 0.5;
    ctx.strokeStyle = v === 0 ? theme.axis : theme.grid;
    line(ctx, px, plot.y, px, plot.y + plot.h);
    ctx.fillText(formatNumber(v), px, plot.y + plot.h + 4);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of niceTicks(scale.lo, scale.hi, Math.max(2, Math.floor(plot.h / 36)))) {
    const py = Math.round(scale.y(v)) + 0.5;
    ctx.strokeStyle = v === 0 ? theme.axis : theme.grid;
    line(ctx, plot.x, py, plot.x + plot.w, py);
    ctx.fillText(formatNumber(v), plot.x - 5, py);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "bottom";
  ctx.fillText("x", plot.x + plot.w, plot.y + plot.h + 29);
}

function line(ctx, x0, y0, x1, y1) {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

/** The polyline (x[i], values[i]) in `color`, dashed by `dash`. */
function strokeCurve(ctx, x, values, scale, color, dash) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2.25;
  ctx.lineJoin = "round";
  ctx.setLineDash(dash);
  ctx.beginPath();
  values.forEach((v, i) => {
    if (i === 0) ctx.moveTo(scale.x(x[i]), scale.y(v)); else ctx.lineTo(scale.x(x[i]), scale.y(v));
  });
  ctx.stroke();
  ctx.setLineDash([]);
}

/** "f(x)" solid and "f′(x)" dashed, top left inside the plot, on a light backing. */
function drawLegend(ctx, plot, theme, name) {
  const entries = [[`${name}(x)`, theme.series1, []], [`${name}′(x)`, theme.series2, [5, 3]]];
  const width = 30 + Math.max(...entries.map(([label]) => ctx.measureText(label).width));
  ctx.fillStyle = theme.surface;
  ctx.globalAlpha = 0.85;
  ctx.fillRect(plot.x + 6, plot.y + 6, width + 8, 40);
  ctx.globalAlpha = 1;
  entries.forEach(([label, color, dash], k) => {
    const py = plot.y + 16 + 18 * k;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2.25;
    ctx.setLineDash(dash);
    line(ctx, plot.x + 12, py, plot.x + 32, py);
    ctx.setLineDash([]);
    ctx.fillStyle = theme.ink;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(label, plot.x + 38, py);
  });
}

/** The options' names as the explorer shows them: the server's names in English
 * (as in a model file), translated in other languages; alpha is a symbol. */
const OPTION_NAMES = {
  slope: t("slope"), init_slope: t("init_slope"), lower: t("lower"), upper: t("upper"),
};

/** "slope = 0.01 (0 to 1)" for each option, or a note that there are none. */
function describeOptions(options) {
  const entries = Object.entries(options || {});
  if (!entries.length) return t("no options");
  const shown = entries.map(([key, o]) => t("{key} = {value} (may be {min} to {max})", {
    key: Object.hasOwn(OPTION_NAMES, key) ? OPTION_NAMES[key] : key,
    value: formatNumber(o.default), min: formatNumber(o.min), max: formatNumber(o.max),
  })).join(t(", "));
  return t("drawn at {options}", { options: shown });
}

/** A new element with a class and optional text. */
function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}
