/**
 * The words of the network diagram (pure): column headers, names of units and
 * columns for screen readers, tooltips, and numbers formatted for labels.
 * Columns are those of `layoutColumns` (network/layout.js). Every word goes
 * through `t()` (i18n.js); activations are named by `activationLabel`.
 */

import { activationLabel } from "../common/activation_names.js";
import { t } from "../common/i18n.js";

/** Between the items of a list ("x1, x2"; "、" in Chinese). */
const SEP = t(", ");

/** Tooltip of the "3 dead, 1 saturated" counts under a hidden column. */
export const DEAD_HELP = t("Dead on the training data: the unit passes no gradient for any training input (e.g. a ReLU whose input is always negative there), so its incoming weights stop learning; away from the data its map may still show colour. Saturated: on more than 90% of the training inputs the activation is flat there (|f'(z)| about 0), so little gradient gets through.");

/** What a dead unit is, for its tooltip, the enlarged map and the legend. */
export const DEAD_UNIT_NOTE = t("Dead on the training data: the unit is flat (zero for a ReLU) on every training point, so no gradient reaches its weights and they stop learning. Away from the data, as in the corners of its map, it may still be nonzero.");

/** What a saturated unit is, for its tooltip and the enlarged map. */
export const SATURATED_UNIT_NOTE = t("Saturated: the activation is flat on more than 90% of the training points, so little gradient gets through.");

/**
 * Header lines above a column: its role or activation, then BN / dropout notes
 * ("" when there is none).
 * @returns {[string, string]}
 */
export function columnHeader(column) {
  const drop = column.dropout ? t("drop {p}", { p: fmtP(column.dropout.p) }) : "";
  if (column.kind === "input") return [t("input"), drop];
  if (column.kind === "output") return [t("output"), ""];
  const extras = [column.batchnorm ? "BN" : "", drop];
  return [column.activation ? activationLabel(column.activation.name) : t("linear"), extras.filter(Boolean).join(" ")];
}

/** The tooltip of a column's second header line (what BN and dropout show). */
export function columnNote(column) {
  return [
    column.batchnorm ? t("BN: batch normalisation; the running mean μ and variance σ² it uses at evaluation are in the batch-norm panel under the diagram.") : "",
    column.dropout ? t("Dropout with rate {p}: greyed units were switched off in the last training batch's first example.", { p: column.dropout.p }) : "",
  ].filter(Boolean).join(" ");
}

/** The tooltip of a residual block's arc. */
export function arcNote(arc) {
  return arc.projection
    ? t("Residual block: its input, through a learned projection (the widths differ), is added to its output.")
    : t("Residual block: its input is added to its output.");
}

/** A dropout rate for a header: ".5", ".25" ("?" if not a number). */
export function fmtP(p) {
  return Number.isFinite(p) ? String(Number(p.toFixed(2))).replace(/^0\./, ".") : "?";
}

/** A number for labels: 2 decimals, or 2 significant digits when tiny. */
export function fmt(v) {
  if (!Number.isFinite(v)) return t("not a number");
  const a = Math.abs(v);
  if (a !== 0 && a < 0.01) return v.toExponential(1);
  return v.toFixed(a >= 100 ? 0 : 2);
}

/** A person's name for a unit: "x1", "unit 3 of layer 1", "the output", "output 2". */
export function unitName(column, k) {
  if (column.kind === "input") return column.names[k];
  if (column.kind === "output") {
    return column.width > 1 ? t("output {n} (class {k})", { n: k + 1, k }) : t("the output");
  }
  return t("unit {n} of layer {layer}", { n: k + 1, layer: column.number });
}

/** The caption of a unit's enlarged map ("unit 2 of layer 1 (tanh)", "output for class 1"). */
export function zoomCaption(column, k) {
  if (column.kind === "output") return column.width > 1 ? t("output for class {k}", { k }) : t("output");
  const activation = column.activation ? activationLabel(column.activation.name) : t("linear");
  return t("{unit} ({activation})", { unit: unitName(column, k), activation });
}

/** A person's name for a column ("inputs x1, x2", "hidden layer 2: 8 relu units", "output"). */
export function columnName(column) {
  if (column.kind === "input") return t("inputs {names}", { names: column.names.join(SEP) });
  if (column.kind === "output") {
    return column.width > 1 ? t("output: {n} units", { n: column.width }) : t("output");
  }
  const values = { n: column.number, width: column.width,
    activation: column.activation ? activationLabel(column.activation.name) : t("linear") };
  const extras = [column.batchnorm ? t("batch norm") : "",
    column.dropout ? t("dropout {p}", { p: column.dropout.p }) : ""].filter(Boolean);
  return extras.length
    ? t("hidden layer {n}: {width} {activation} units, {extras}", { ...values, extras: extras.join(SEP) })
    : t("hidden layer {n}: {width} {activation} units", values);
}

/** The diagram's accessible summary. */
export function describeNetwork(layout) {
  const widths = layout.hidden.map((c) => c.width);
  const values = { n: widths.length, widths: widths.join(SEP) };
  const hidden = widths.length === 0 ? t("no hidden layers")
    : widths.length === 1 ? t("{n} hidden layer of {widths} units", values)
      : t("{n} hidden layers of {widths} units", values);
  const blocks = layout.arcs.length;
  const skips = blocks === 1 ? t("{n} residual block", { n: blocks })
    : t("{n} residual blocks", { n: blocks });
  const outputs = layout.output ? layout.output.width : 0;
  const out = !layout.output ? t("no output")
    : outputs === 1 ? t("{n} output", { n: outputs }) : t("{n} outputs", { n: outputs });
  const parts = { n: layout.inputs.width, names: layout.inputs.names.join(SEP), hidden, skips, out };
  const summary = blocks
    ? t("Network diagram: {n} inputs ({names}), {hidden}, {skips}, {out}.", parts)
    : t("Network diagram: {n} inputs ({names}), {hidden}, {out}.", parts);
  return t("{summary} Tab to a layer's weights, arrows to move, Enter to edit.", { summary });
}
