/**
 * Painting one frame into a built network diagram (see network/build.js for the
 * model): unit maps, dead / saturated / dropped-out overlays and the units'
 * tooltips, the counts under each column, link widths and colours, and bias
 * marks. Only attributes and texts that change are written.
 *
 * Arrays are named by the position `i` of their layer in `header.layers`:
 * `layers.{i}.params.W` ([n_in, units]), `layers.{i}.params.b` ([units]),
 * `layers.{i}.unit_maps` ([units, g, g] or [units, g] for 1-D data),
 * `layers.{i}.mask` ([batch, units]) and `output_map` ([G, G], [G, G, k], [G] or [G, k]).
 *
 * Links cost the browser most: every restyled path makes it redo the style,
 * paint and raster of the diagram's links, and a 32 x 32 layer has 1024 of them.
 * While the run plays, a big net's links are therefore restyled at most once
 * every `linkPeriod(links)` milliseconds and every `linkFrames(links)` frames
 * (every frame for a small net; about 4 times a second, and every 4th frame on
 * a machine too busy for 16 frames a second, for the dropout lesson's 32 x 32):
 * unit maps and counts still follow every frame. The links of the newest frame
 * always land: with the next frame due, or LINK_FALLBACK ms after it when no
 * other frame comes, and at once for a frame of a run that is not playing (a
 * step, a reset, an edit, a pause).
 */

import { linkScale, linkWidth } from "./geometry.js";
import { Throttle } from "../common/throttle.js";
import { outputColouring, readArray, unitState } from "./frame.js";
import { DEAD_UNIT_NOTE, SATURATED_UNIT_NOTE, unitName } from "./labels.js";
import { setAttr, setText } from "./dom.js";
import { maxDeviation, paintMap } from "./unit_canvas.js";
import { t } from "../common/i18n.js";

/** The words of a unit's state (network/frame.js `unitState`) in its label. */
const STATE_WORDS = { dead: t("dead on the training data"), saturated: t("saturated") };

/** Links (weights and biases) up to which a playing run's links follow every frame. */
const SMALL_NET = 200;

/** Milliseconds added to the period between two paints of a bigger net's links per link. */
const MS_PER_LINK = 0.2;

/** The longest wait between two paints of a playing run's links, in milliseconds. */
const MAX_LINK_PERIOD = 250;

/** Links restyled per frame, at most, on average over the frames of a playing run. */
const LINKS_PER_FRAME = 300;

/** Milliseconds after a frame whose links were skipped, with no frame since, at
 * which its links are painted anyway. */
const LINK_FALLBACK = 400;

/** A unit's tooltip for its state. */
const STATE_NOTES = { dead: DEAD_UNIT_NOTE, saturated: SATURATED_UNIT_NOTE };

/**
 * Updates every unit, link, bias and count of `model` from `frame`.
 * @param {object} model from `buildDiagram`; its `output` colouring is set from `spec`
 * @param {{header: object, arrays: object}} frame a decoded frame
 * @param {object} spec the run's spec (for how the output is coloured)
 * @returns {{dead: number}} how many units are dead on the training data
 */
export function paintFrame(model, frame, spec) {
  model.output = outputColouring(spec);
  let dead = 0;
  for (const view of model.columns) dead += paintColumn(model, frame, view);
  scheduleLinks(model, frame);
  return { dead };
}

/**
 * The shortest time between two paints of the links of a playing run with
 * `links` links (weights and biases), in milliseconds: 0 (every frame) up to
 * SMALL_NET links, then growing with the count up to MAX_LINK_PERIOD.
 * @param {number} links
 * @returns {number}
 */
export function linkPeriod(links) {
  return links <= SMALL_NET ? 0 : Math.min(MAX_LINK_PERIOD, links * MS_PER_LINK);
}

/**
 * The fewest frames between two paints of the links of a playing run with
 * `links` links: 1 (every frame) up to SMALL_NET, then one per LINKS_PER_FRAME.
 * @param {number} links
 * @returns {number}
 */
export function linkFrames(links) {
  return links <= SMALL_NET ? 1 : Math.ceil(links / LINKS_PER_FRAME);
}

/**
 * Paints the links of `frame` now or, for a playing run whose links were painted
 * less than `linkPeriod` ago or fewer than `linkFrames` frames ago, later
 * (common/throttle.js: with a later frame, or LINK_FALLBACK ms after the period).
 */
function scheduleLinks(model, frame) {
  if (!model.linkThrottle) {
    const links = model.linkSets.reduce((n, set) => n + set.paths.length + set.biases.length, 0);
    model.linkThrottle = new Throttle({
      period: linkPeriod(links), frames: linkFrames(links), fallback: LINK_FALLBACK });
  }
  model.linkThrottle.offer(Boolean(frame.header?.playing), () => {
    for (const set of model.linkSets) paintLinks(frame, set);
  });
}

/**
 * How a column's maps are painted (see `paintMap`): hidden units centred on 0
 * and scaled per unit; the output as the model's `output` colouring says.
 */
export function mapColouring(model, column) {
  const { dims, colours } = model;
  return column.kind === "output"
    ? { dims, stacked: false, ...model.output, colours }
    : { dims, stacked: true, centre: 0, fixedScale: null, colours };
}

/** The maps, states and counts of one column; answers its number of dead units. */
function paintColumn(model, frame, view) {
  const { column, units } = view;
  const layers = frame.header.layers;
  const mask = column.dropout ? readArray(frame, `layers.${column.dropout.index}.mask`) : null;
  const act = column.activation ? layers[column.activation.index] ?? {} : {};
  const map = column.kind === "output"
    ? readArray(frame, "output_map")
    : column.activation && readArray(frame, `layers.${column.activation.index}.unit_maps`);
  const how = mapColouring(model, column);
  let dead = 0, saturated = 0;
  units.forEach((unit, k) => {
    if (unit.canvas && map) paintMap(unit, map, k, how);
    const off = mask ? mask.data[k] === 0 && mask.shape[0] > 0 : false;
    const state = unitState(act, k);
    if (state === "dead") dead++;
    if (state === "saturated") saturated++;
    paintUnitState(unit, state, off);
  });
  if (view.count) paintCount(view.count, dead, saturated);
  return dead;
}

/** Shows the cross / hatch / grey overlays and updates the unit's label and
 * tooltip; a dead unit's group gets the class `nv-dead` (a heavier frame). */
function paintUnitState(unit, state, off) {
  setAttr(unit.off, "visibility", off ? "visible" : "hidden");
  if (!unit.canvas) return;
  const key = `${state}|${off}`;
  if (unit.state === key) return;
  unit.state = key;
  unit.dead = state === "dead";
  setAttr(unit.cross, "visibility", unit.dead ? "visible" : "hidden");
  unit.g.classList.toggle("nv-dead", unit.dead);
  setAttr(unit.hatch, "visibility", state === "saturated" ? "visible" : "hidden");
  const notes = [STATE_WORDS[state] ?? state, off ? t("switched off by dropout") : ""]
    .filter(Boolean).join(t(", "));
  const name = unitName(unit.column, unit.k);
  unit.canvas.setAttribute("aria-label", notes ? t("{name}: {value}", { name, value: notes }) : name);
  unit.note = STATE_NOTES[state] ?? "";
  setText(unit.tip, unit.note ? t("{name}: {value}", { name, value: unit.note }) : name);
}

/** "2 dead" and "1 saturated" (or "1 sat." where columns are close) under a column. */
function paintCount(count, dead, saturated) {
  setText(count.dead, dead ? t("{n} dead", { n: dead }) : "");
  const sat = count.short ? t("{n} sat.", { n: saturated }) : t("{n} saturated", { n: saturated });
  setText(count.sat, saturated ? sat : "");
}

/** Stroke widths and colours of one dense layer's links, and its bias marks. */
function paintLinks(frame, set) {
  const { index } = set.link.dense;
  const W = readArray(frame, `layers.${index}.params.W`);
  const b = readArray(frame, `layers.${index}.params.b`);
  const nIn = set.from.length, nOut = set.to.length;
  if (W && W.data.length >= nIn * nOut) {
    const scale = linkScale(maxDeviation(W.data, 0, 1, nIn * nOut, 0));
    for (let p = 0; p < nIn * nOut; p++) paintLink(set, p, W.data[p], scale);
  }
  if (b && b.data.length >= nOut) {
    const scale = linkScale(maxDeviation(b.data, 0, 1, nOut, 0));
    set.biases.forEach((mark, j) => paintBias(mark, b.data[j], scale));
  }
}

/** Width (by |w| relative to the layer's largest, at least 1: see `linkScale`) and
 * colour (by sign) of link `p`. */
function paintLink(set, p, w, scale) {
  const width = linkWidth(w, scale, set.maxWidth);
  const path = set.paths[p];
  if (set.widths[p] !== width) {
    set.widths[p] = width;
    path.setAttribute("stroke-width", width);
  }
  const sign = w < 0 ? -1 : 1;
  if (set.signs[p] !== sign) {
    set.signs[p] = sign;
    path.setAttribute("class", sign < 0 ? "nv-link nv-neg" : "nv-link nv-pos");
  }
}

/** Bias mark: colour by sign, opacity by |b| relative to the layer's largest |b|
 * (at least 1). */
function paintBias(mark, b, scale) {
  const sign = b < 0 ? -1 : 1;
  if (mark.sign !== sign) {
    mark.sign = sign;
    mark.mark.setAttribute("class", sign < 0 ? "nv-bias nv-neg" : "nv-bias nv-pos");
  }
  const opacity = (0.25 + 0.75 * (scale > 0 ? Math.min(1, Math.abs(b) / scale) : 0)).toFixed(2);
  if (mark.opacity !== opacity) {
    mark.opacity = opacity;
    mark.mark.setAttribute("fill-opacity", opacity);
  }
}
