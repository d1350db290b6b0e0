/**
 * The words of the network diagram (pure): column headers, names of units and
 * columns for screen readers, tooltips, and numbers formatted for labels.
 * Columns are those of `layoutColumns` (network_layout.js).
 */

/** Tooltip of the "3 dead, 1 saturated" counts under a hidden column. */
export const DEAD_HELP = "Dead: the unit passes no gradient for any training input "
  + "(e.g. a ReLU whose input is always negative), so its incoming weights stop learning. "
  + "Saturated: on more than 90% of the training inputs the activation is flat there "
  + "(|f'(z)| about 0), so little gradient gets through.";

/**
 * Header lines above a column: its role or activation, then BN / dropout notes
 * ("" when there is none).
 * @returns {[string, string]}
 */
export function columnHeader(column) {
  if (column.kind === "input") return ["input", column.dropout ? `drop ${fmtP(column.dropout.p)}` : ""];
  if (column.kind === "output") return ["output", ""];
  const extras = [column.batchnorm ? "BN" : "", column.dropout ? `drop ${fmtP(column.dropout.p)}` : ""];
  return [column.activation ? column.activation.name : "linear", extras.filter(Boolean).join(" ")];
}

/** The tooltip of a column's second header line (what BN and dropout show). */
export function columnNote(column) {
  return [
    column.batchnorm ? "BN: batch normalisation; the running mean μ and variance σ² it uses at evaluation are under each unit." : "",
    column.dropout ? `Dropout with rate ${column.dropout.p}: greyed units were switched off in the last training batch's first example.` : "",
  ].filter(Boolean).join(" ");
}

/** The tooltip of a residual block's arc. */
export function arcNote(arc) {
  return arc.projection
    ? "Residual block: its input, through a learned projection (the widths differ), is added to its output."
    : "Residual block: its input is added to its output.";
}

/** A dropout rate for a header: ".5", ".25" ("?" if not a number). */
export function fmtP(p) {
  return Number.isFinite(p) ? String(Number(p.toFixed(2))).replace(/^0\./, ".") : "?";
}

/** A number for labels: 2 decimals, or 2 significant digits when tiny. */
export function fmt(v) {
  if (!Number.isFinite(v)) return "not a number";
  const a = Math.abs(v);
  if (a !== 0 && a < 0.01) return v.toExponential(1);
  return v.toFixed(a >= 100 ? 0 : 2);
}

/** A person's name for a unit: "x1", "unit 3 of layer 1", "the output", "output 2". */
export function unitName(column, k) {
  if (column.kind === "input") return column.names[k];
  if (column.kind === "output") return column.width > 1 ? `output ${k + 1} (class ${k})` : "the output";
  return `unit ${k + 1} of layer ${column.number}`;
}

/** The caption of a unit's enlarged map ("unit 2 of layer 1 (tanh)", "output for class 1"). */
export function zoomCaption(column, k) {
  if (column.kind === "output") return column.width > 1 ? `output for class ${k}` : "output";
  return `${unitName(column, k)} (${column.activation.name})`;
}

/** A person's name for a column ("inputs x1, x2", "hidden layer 2: 8 relu units", "output"). */
export function columnName(column) {
  if (column.kind === "input") return `inputs ${column.names.join(", ")}`;
  if (column.kind === "output") return column.width > 1 ? `output: ${column.width} units` : "output";
  const act = column.activation ? column.activation.name : "linear";
  const extras = [column.batchnorm ? "batch norm" : "", column.dropout ? `dropout ${column.dropout.p}` : ""].filter(Boolean);
  return `hidden layer ${column.number}: ${column.width} ${act} units${extras.length ? `, ${extras.join(", ")}` : ""}`;
}

/** The diagram's accessible summary. */
export function describeNetwork(layout) {
  const widths = layout.hidden.map((c) => c.width);
  const hidden = widths.length
    ? `${widths.length} hidden layer${widths.length > 1 ? "s" : ""} of ${widths.join(", ")} units`
    : "no hidden layers";
  const skips = layout.arcs.length ? `, ${layout.arcs.length} residual block${layout.arcs.length > 1 ? "s" : ""}` : "";
  const out = layout.output ? `${layout.output.width} output${layout.output.width > 1 ? "s" : ""}` : "no output";
  return `Network diagram: ${layout.inputs.width} inputs (${layout.inputs.names.join(", ")}), ${hidden}${skips}, ${out}. `
    + "Tab to a layer's weights, arrows to move, Enter to edit.";
}
