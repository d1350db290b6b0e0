/**
 * The control panel's Data section: the data set (grouped by task, with the
 * student's uploaded points), the upload box (controls/upload.js), noise, the
 * train/test split, the number of points and classes, a new data seed,
 * standardising, the input features, and the offset and scale of the points.
 * Rows of settings that do not apply to the chosen data set are hidden.
 *
 * `dataSection(panel)` builds it for a Controls panel; `featureSlug(name)` is
 * the data-testid-safe name of a feature.
 */

import { el } from "../common/dom.js";
import { fillOptions, pairs, section } from "./widgets.js";
import { isEnglish, t } from "../common/i18n.js";
import { drawSeed } from "../lessons/seeds.js";
import { UPLOAD_VALUE, uploadBox } from "./upload.js";

const TASK_GROUPS = [
  ["binary", t("Two classes")],
  ["multiclass", t("Several classes")],
  ["regression", t("Regression (a number)")],
];
const FEATURE_LABELS = { "x1^2": "x1²", "x2^2": "x2²", "x1*x2": "x1·x2" };

/**
 * A data-testid-safe name for a feature: "x1^2" -> "x1sq", "sin(x1)" -> "sin-x1".
 * @param {string} name
 * @returns {string}
 */
export function featureSlug(name) {
  return name.replace(/\^2/g, "sq").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** A data set's name as the page shows it: its id in English, a translation in
 * another language. */
function datasetLabel(name) {
  if (isEnglish()) return name;
  const labels = {
    circle: t("circle"), xor: t("xor"), gauss: t("gauss"), spiral: t("spiral"),
    moons: t("moons"), blobs: t("blobs"), spirals: t("spirals"), plane: t("plane"),
    "multi-gaussian": t("multi-gaussian"), sine: t("sine"), abs: t("abs"),
    step: t("step (data set)"),
    "xor-table": t("xor-table"),
  };
  return labels[name] || name;
}

/** The data set select, grouped by task, and the description of the choice. */
function datasetRow(panel) {
  const select = panel.select("dataset",
    (s) => (s.data.upload ? UPLOAD_VALUE + s.data.upload : s.data.name),
    (s, value) => {
      if (value.startsWith(UPLOAD_VALUE)) return;
      s.data.upload = null;
      s.data.name = value;
      panel.fitData(s);
    });
  // images and text live in the lab (/lab): the playground draws points only
  const points = (panel.catalogue.datasets || []).filter((d) => (d.modality ?? "points") === "points");
  const groups = TASK_GROUPS.map(([kind, title]) => {
    const sets = points.filter((d) => d.kind === kind);
    return sets.length ? el("optgroup", { label: title },
      ...sets.map((d) => el("option", { value: d.name, title: t(d.description), text: datasetLabel(d.name) })))
      : null;
  });
  const mine = el("optgroup", { label: t("Your points") });
  select.append(...groups.filter(Boolean), mine);
  const hint = el("p", { class: "ctl-hint", id: panel.id("dataset-hint"),
    "data-testid": "dataset-description" });
  select.setAttribute("aria-describedby", panel.id("dataset-hint"));
  panel.onRender((state) => {
    const upload = state.data.upload;
    mine.hidden = !upload;
    mine.replaceChildren(...(upload ? [el("option", { value: UPLOAD_VALUE + upload,
      text: panel.uploads.get(upload)?.name || t("uploaded points") })] : []));
    select.value = upload ? UPLOAD_VALUE + upload : state.data.name;
    hint.textContent = upload ? panel.uploads.text(upload)
      : t(panel.datasetEntry(state)?.description || "");
  });
  return el("div", {}, panel.row("dataset", t("Data set"), select), hint);
}

/** Regenerate (or, for an upload, a new split) and the data seed it shows. */
function seedRow(panel) {
  const regenerate = panel.button("regenerate", t("Regenerate"), (s) => {
    s.data.seed = drawSeed(s.data.seed);
  });
  const seedNote = el("span", { class: "ctl-muted", "data-testid": "data-seed" });
  panel.onRender((state) => {
    seedNote.textContent = t("data seed {seed}", { seed: state.data.seed });
    regenerate.textContent = state.data.upload ? t("New split") : t("Regenerate");
    regenerate.title = state.data.upload ? t("Shuffle the points into new train and test sets")
      : t("Draw the points again with a new data seed");
  });
  return el("div", { class: "ctl-row" }, regenerate, seedNote);
}

/** Noise, split, points, classes, seed and standardising, each tagged with its setting. */
function dataSettings(panel) {
  const [noise, noiseOut] = panel.slider("noise", { min: 0, max: 0.5, step: 0.05 },
    (s) => s.data.noise, (s, v) => { s.data.noise = v; }, (v) => v.toFixed(2));
  const [split, splitOut] = panel.slider("train-fraction", { min: 0.1, max: 0.9, step: 0.1 },
    (s) => s.data.train_fraction, (s, v) => { s.data.train_fraction = v; },
    (v) => t("{percent}% train", { percent: Math.round(v * 100) }));
  const samples = panel.number("n-samples", { min: 4, max: 5000, step: 1, integer: true },
    (s) => s.data.n_samples, (s, v) => { s.data.n_samples = v; });
  const classes = panel.select("classes", (s) => String(s.data.classes),
    (s, v) => { s.data.classes = Number(v); });
  fillOptions(classes, [["3", "3"], ["4", "4"], ["5", "5"]]);
  const standardize = panel.checkbox("standardize", t("Standardise the inputs"),
    (s) => s.data.standardize, (s, v) => { s.data.standardize = v; });
  standardize.dataset.setting = "standardize";
  standardize.title = t("Rescale each input to mean 0 and spread 1 (statistics of the training points)");
  const rows = [
    [panel.row("noise", t("Noise"), noise, noiseOut), "noise"],
    [panel.row("train-fraction", t("Train / test"), split, splitOut), "train_fraction"],
    [panel.cell("n-samples", t("Points"), samples), "n_samples"],
    [panel.cell("classes", t("Classes"), classes), "classes"],
    [seedRow(panel), "seed"],
  ];
  for (const [node, setting] of rows) node.dataset.setting = setting;
  const [noiseRow, splitRow, samplesCell, classesCell, seedNode] = rows.map(([node]) => node);
  return el("div", { class: "ctl-group" }, noiseRow, splitRow,
    pairs(samplesCell, classesCell), seedNode, standardize);
}

/** One feature's checkbox; unticking the last one chosen is refused. */
function featureCheck(panel, name) {
  const key = `features-${featureSlug(name)}`;
  const box = el("input", { type: "checkbox", id: panel.id(key), "data-testid": key,
    "data-feature": name });
  box.addEventListener("change", () => panel.commit((s) => {
    const { all, preset } = panel.featureChoices(s);
    const chosen = new Set(s.data.features || preset);
    if (box.checked) chosen.add(name);
    else chosen.delete(name);
    const ordered = all.filter((f) => chosen.has(f));
    if (!ordered.length) return;
    s.data.features = ordered.join(",") === preset.join(",") ? null : ordered;
  }));
  return el("span", { class: "ctl-check" }, box,
    el("label", { for: panel.id(key), text: FEATURE_LABELS[name] || name }));
}

/** Bring the feature checkboxes up to date (remade when the offered set changes). */
function refreshFeatures(panel, list, state) {
  const { all, preset } = panel.featureChoices(state);
  if (list.dataset.names !== all.join(",")) {
    list.dataset.names = all.join(",");
    list.replaceChildren(...all.map((name) => featureCheck(panel, name)));
  }
  const chosen = state.data.features || preset;
  for (const box of list.querySelectorAll("input")) {
    box.checked = chosen.includes(box.dataset.feature);
    box.disabled = box.checked && chosen.length === 1;
    box.title = box.disabled ? t("The network needs at least one input") : "";
  }
}

/** Checkboxes of the input features the data set offers. */
function featuresBox(panel) {
  const list = el("div", { class: "ctl-features" });
  const box = el("fieldset", { class: "ctl-subsection", "data-setting": "features",
    "data-testid": "features" }, el("legend", { text: t("Input features") }), list);
  panel.onRender((state) => refreshFeatures(panel, list, state));
  return box;
}

/** Offset and scale of the points (the input-normalisation lesson). */
function moveBox(panel) {
  const dx = panel.number("offset-x", { min: -1000, max: 1000 }, (s) => s.data.offset[0],
    (s, v) => { s.data.offset = [v, s.data.offset[1]]; });
  const dy = panel.number("offset-y", { min: -1000, max: 1000 }, (s) => s.data.offset[1],
    (s, v) => { s.data.offset = [s.data.offset[0], v]; });
  const scale = panel.number("scale", { min: 0.01, max: 100 }, (s) => s.data.scale,
    (s, v) => { s.data.scale = v; });
  const details = el("details", { class: "ctl-details", "data-setting": "offset" },
    el("summary", { text: t("Move the points") }),
    el("p", { class: "ctl-hint", text: t("Each point becomes raw × scale + offset.") }),
    panel.row("scale", t("Scale"), scale),
    panel.row("offset-x", t("Offset x1"), dx),
    panel.row("offset-y", t("Offset x2"), dy));
  panel.onRender((state) => {
    const moved = state.data.scale !== 1 || state.data.offset.some((v) => v !== 0);
    if (moved) details.open = true;
  });
  return details;
}

/**
 * The Data section of a Controls panel.
 * @param {object} panel the Controls
 * @returns {HTMLElement}
 */
export function dataSection(panel) {
  const box = section(t("Data"), "data-section",
    datasetRow(panel), uploadBox(panel), dataSettings(panel), featuresBox(panel),
    moveBox(panel));
  panel.onRender((state) => {
    const settings = panel.settingsOf(state);
    for (const node of box.querySelectorAll("[data-setting]")) {
      node.hidden = !settings.includes(node.dataset.setting);
    }
  });
  return box;
}
