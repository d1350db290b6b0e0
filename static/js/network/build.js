/**
 * Building the SVG of the network diagram, once per network shape: residual
 * arcs, columns (header, one cell per unit with its overlays, counts), links
 * and bias marks, and the model that later frames paint (network/paint.js) and
 * events look up (network/view.js). Batch-norm statistics are not drawn here:
 * they have their own panel (bn_panel.js).
 *
 * The model: `{layout, dims, geom, colours, output, items, columns, linkSets, projections, labelled}`
 * - `columns[ci]`: `{column, units, count}`; a unit is `{column, k, x, y, size,
 *   state, off}` and, outside the input column, `{g, canvas, ctx, image, hatch,
 *   cross, tip}` (`g` its group, `tip` its tooltip);
 * - `linkSets[l]`: one per dense layer, `{link, from, to, paths, hits, biases,
 *   widths, signs, maxWidth}` (`from`, `to`: the units it joins);
 * - `projections`: the matrices of residual projections on their arcs (network/projection.js);
 * - `items`: element -> focusable item (`unit`, `weight` or `bias`, see network/focus.js).
 */

import { addItem, focusGroup } from "./focus.js";
import { arcShape, biasBox, computeGeometry, crossPath, LINE, linkMax, linkPath, unitBox } from "./geometry.js";
import { arcNote, columnHeader, columnName, columnNote, DEAD_HELP, describeNetwork } from "./labels.js";
import { html, svg } from "./dom.js";
import { t } from "../common/i18n.js";
import { curvePixels, paintBlank } from "./unit_canvas.js";
import { buildProjection } from "./projection.js";

/**
 * The SVG and model of a layout.
 * @param {object} layout from `layoutColumns`
 * @param {1|2} dims curves or heatmaps
 * @param {{ids: string, colours: object, room?: number}} how `ids` prefixes the
 *   element ids (unique per view); `colours` from `readColours`; `room` the
 *   width the diagram has (see `computeGeometry`)
 * @returns {{root: SVGSVGElement, model: object}}
 */
export function buildDiagram(layout, dims, { ids, colours, room }) {
  const geom = computeGeometry(layout, room);
  const root = svg("svg", {
    class: "nv-svg", viewBox: `0 0 ${geom.width} ${geom.height}`, role: "group",
    "aria-label": describeNetwork(layout), preserveAspectRatio: "xMidYMid meet",
  });
  buildDefs(root, ids);
  const model = {
    layout, dims, geom, colours, output: { centre: 0, fixedScale: null },
    items: new Map(), linkSets: [], columns: [], projections: [], labelled: false,
  };
  const ctx = { model, ids };
  const arcs = svg("g", { class: "nv-arcs" }, root);
  const visible = svg("g", { class: "nv-links", "aria-hidden": "true" }, root);
  const units = svg("g", { class: "nv-columns" }, root);
  const hits = svg("g", { class: "nv-hits" }, root);
  layout.arcs.forEach((arc) => buildArc(arcs, arc, model, ids));
  layout.columns.forEach((column, ci) => model.columns.push(buildColumn(units, ctx, column, ci)));
  layout.links.forEach((link) => model.linkSets.push(buildLinks(visible, hits, ctx, link)));
  return { root, model };
}

/** The hatch pattern and arrow marker (ids unique to the view). */
function buildDefs(root, ids) {
  const defs = svg("defs", {}, root);
  const hatch = svg("pattern", {
    id: `${ids}-hatch`, width: 6, height: 6, patternUnits: "userSpaceOnUse",
    patternTransform: "rotate(45)",
  }, defs);
  svg("rect", { width: 6, height: 6, class: "nv-hatch-bg" }, hatch);
  svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "nv-hatch-line" }, hatch);
  const marker = svg("marker", {
    id: `${ids}-arrow`, viewBox: "0 0 8 8", refX: 7, refY: 4, markerWidth: 7,
    markerHeight: 7, orient: "auto-start-reverse",
  }, defs);
  svg("path", { d: "M0,0 L8,4 L0,8 z", class: "nv-arrow" }, marker);
}

/**
 * The "+ skip" arc of a residual block, from its input column to its output
 * column; a projection's matrix on its peak, under the label.
 */
function buildArc(parent, arc, model, ids) {
  const { geom, layout } = model;
  const shape = arcShape(geom.columns[arc.from].x, geom.columns[arc.to].x, geom.arcBase, geom.arcTop);
  const g = svg("g", { class: "nv-arc", "data-block": arc.block }, parent);
  svg("path", { d: shape.d, "marker-end": `url(#${ids}-arrow)` }, g);
  const peak = shape.labelY + 4;
  const proj = arc.projection ? buildProjection(parent, layout, arc, shape.labelX, peak) : null;
  const label = svg("text", { x: shape.labelX,
    y: proj ? peak - proj.box.h / 2 - 5 : shape.labelY, "text-anchor": "middle" }, g);
  label.textContent = t("+ skip");
  svg("title", {}, label).textContent = arcNote(arc);
  if (proj) model.projections.push(proj);
}

/** One column: header, unit cells with their overlays, bias marks, counts. */
function buildColumn(parent, ctx, column, ci) {
  const { geom } = ctx.model;
  const place = geom.columns[ci];
  const g = svg("g", { class: `nv-column nv-${column.kind}`, role: "group" }, parent);
  g.setAttribute("aria-label", columnName(column));
  const [line1, line2] = columnHeader(column);
  const head = svg("text", { x: place.x, y: geom.headerY[line2 ? 0 : 1] - place.lift, class: "nv-head", "text-anchor": "middle" }, g);
  head.textContent = line1;
  if (line2) {
    const sub = svg("text", { x: place.x, y: geom.headerY[1] - place.lift, class: "nv-sub", "text-anchor": "middle" }, g);
    sub.textContent = line2;
    svg("title", {}, sub).textContent = columnNote(column);
  }
  const group = focusGroup();
  const units = place.units.map((u, k) => (column.kind === "input"
    ? buildInput(g, column, k, u)
    : buildUnit(g, ctx, column, k, u, group)));
  const view = { column, units, count: null };
  if (column.kind === "hidden") {
    view.count = buildCount(g, place.x, geom.countY);
    view.count.short = geom.spacing < 90; // "3 saturated" is about 70 units wide
  }
  return view;
}

/** A "2 dead · 1 saturated" text under a hidden column. */
function buildCount(parent, x, y) {
  const text = svg("text", { x, y, class: "nv-count", "text-anchor": "middle" }, parent);
  const dead = svg("tspan", { x, dy: 0 }, text);
  const sat = svg("tspan", { x, dy: LINE }, text);
  svg("title", {}, text).textContent = DEAD_HELP;
  return { dead, sat };
}

/** An input node with its label (and a grey overlay for input dropout). */
function buildInput(parent, column, k, u) {
  const g = svg("g", { class: "nv-unit" }, parent);
  const unit = { column, k, x: u.x, y: u.y, size: u.size, state: "" };
  svg("rect", { ...unitBox(u), rx: 4, class: "nv-input-node" }, g);
  const name = svg("text", { x: u.x - u.size / 2 - 6, y: u.y + 4, "text-anchor": "end", class: "nv-input-label" }, g);
  name.textContent = column.names[k];
  unit.off = svg("rect", { ...unitBox(u), rx: 4, class: "nv-off", visibility: "hidden" }, g);
  return unit;
}

/** A hidden or output unit: a canvas with overlays (grey, hatch, cross), frame and labels. */
function buildUnit(parent, ctx, column, k, u, group) {
  const { model, ids } = ctx;
  const g = svg("g", { class: "nv-unit" }, parent);
  const unit = { column, k, x: u.x, y: u.y, size: u.size, state: "", g };
  const fo = svg("foreignObject", unitBox(u), g);
  const canvas = html("canvas", "nv-map", fo);
  canvas.width = canvas.height = model.dims === 1 ? curvePixels(u.size) : 16;
  canvas.tabIndex = -1;
  canvas.setAttribute("role", "img");
  Object.assign(unit, { canvas, ctx: canvas.getContext("2d"), image: null });
  paintBlank(unit, model.colours);
  const box = (cls) => svg("rect", { ...unitBox(u), class: cls, visibility: "hidden" }, g);
  unit.off = box("nv-off");
  unit.hatch = box("nv-hatched");
  unit.hatch.setAttribute("fill", `url(#${ids}-hatch)`);
  unit.cross = svg("path", { d: crossPath(u), class: "nv-cross", visibility: "hidden" }, g);
  svg("rect", { ...unitBox(u), class: "nv-frame" }, g);
  unit.tip = svg("title", {}, g); // what the unit's marks mean (set as they change)
  if (column.kind === "output" && column.width > 1) {
    const label = svg("text", { x: u.x + u.size / 2 + 6, y: u.y + 4, class: "nv-output-label" }, g);
    label.textContent = t("class {k}", { k });
  }
  addItem(model.items, canvas, { kind: "unit", unit, group });
  return unit;
}

/** The links (visible and hit paths) and bias marks of one dense layer. */
function buildLinks(visible, hits, ctx, link) {
  const { model } = ctx;
  const from = model.columns[link.from].units, to = model.columns[link.to].units;
  const set = { link, from, to, paths: [], hits: [], biases: [], widths: [], signs: [],
    maxWidth: linkMax(from.length * to.length) };
  const g = svg("g", { class: "nv-link-set", "data-layer": link.dense.path, "data-units": to.length }, visible);
  const hg = svg("g", { class: "nv-link-hits", role: "group" }, hits);
  hg.setAttribute("aria-label", t("weights and biases into {column}",
    { column: columnName(model.layout.columns[link.to]) }));
  const group = focusGroup();
  from.forEach((a, i) => to.forEach((b, j) => {
    const d = linkPath(a, b);
    set.paths.push(svg("path", { d, class: "nv-link" }, g));
    const hit = svg("path", { d, class: "nv-hit", role: "button", tabindex: -1 }, hg);
    set.hits.push(hit);
    addItem(model.items, hit, { kind: "weight", set, i, j, group });
  }));
  to.forEach((b, j) => set.biases.push(buildBias(hg, model, set, b, j, group)));
  return set;
}

/** A bias mark: a small square to the upper left of its unit, with a larger hit area. */
function buildBias(parent, model, set, unit, j, group) {
  const { x, y, size } = biasBox(unit);
  const g = svg("g", { class: "nv-bias-mark", role: "button", tabindex: -1 }, parent);
  svg("rect", { x: x - 3, y: y - 3, width: size + 6, height: size + 6, class: "nv-bias-hit" }, g);
  const mark = svg("rect", { x, y, width: size, height: size, class: "nv-bias" }, g);
  addItem(model.items, g, { kind: "bias", set, j, group });
  return { g, mark, sign: 0, opacity: "" };
}
