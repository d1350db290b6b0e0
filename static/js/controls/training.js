/**
 * The control panel's Training section: the initialiser, its scale and the
 * bias start; the loss and the output activation (squared error only); the
 * optimiser and its options (shown for the optimiser chosen), with a hint that
 * says its update rule and the defaults a run gets for options left unset (from
 * `/api/optimizers`); the learning rate (a common one or any typed one), batch
 * size, L1 and L2 rates, and the seed.
 *
 * `trainingSection(panel)` builds it for a Controls panel.
 */

import { el, numberText } from "../common/dom.js";
import { fillOptions, pairs, section } from "./widgets.js";
import { t } from "../common/i18n.js";
import { drawSeed } from "../lessons/seeds.js";
import { MAX_SEED } from "../state/schema.js";

const UI_MAX_BATCH = 100;
const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const PENALTIES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const OPTIMIZER_LABELS = { sgd: "SGD", momentum: t("SGD with momentum"), rmsprop: "RMSprop",
  adam: "Adam" };
const OPTIMIZER_OPTION_LABELS = { momentum: t("Momentum"), nesterov: "Nesterov",
  rho: t("Decay rho"), beta1: "beta1", beta2: "beta2", eps: "epsilon" };
/** Each optimiser's update, in the symbols of its options (η: the learning rate). */
const OPTIMIZER_RULES = {
  sgd: t("Each step: w ← w − η·g (η: the learning rate, g: the gradient)."),
  momentum: t("Each step: v ← μ·v + g, then w ← w − η·v (μ: momentum, η: the learning rate). v adds up gradients only, so a new learning rate acts from the next step. Nesterov: w ← w − η·(g + μ·v)."),
  rmsprop: t("Each step: s ← ρ·s + (1 − ρ)·g², then w ← w − η·g / (√s + ε): each weight's step is scaled down by its recent gradient size."),
  adam: t("Each step: m ← β1·m + (1 − β1)·g and v ← β2·v + (1 − β2)·g², then w ← w − η·m̂ / (√v̂ + ε), where m̂ and v̂ are m and v corrected for starting at 0."),
};
const INIT_LABELS = { zeros: t("zeros"), constant: t("constant"), uniform: t("uniform"),
  normal: t("normal"), xavier_uniform: t("Xavier uniform"), xavier_normal: t("Xavier normal"),
  he_uniform: t("He uniform"), he_normal: t("He normal") };
const LOSS_LABELS = { bce: t("cross-entropy (bce)"), softmax_ce: t("softmax cross-entropy"),
  mse: t("squared error (mse)") };
const OUTPUT_LABELS = { linear: t("linear") };

/** The initialiser, its scale (blank: its default) and the bias start. */
function initRows(panel) {
  const init = panel.select("init", (s) => s.init, (s, v) => {
    s.init = v;
    s.init_scale = null;
  });
  const inits = panel.catalogue.initializers || [];
  fillOptions(init, inits.map((i) => [i.name, INIT_LABELS[i.name] || i.name]));
  const scale = panel.number("init-scale", { min: -100, max: 100, nullable: true },
    (s) => s.init_scale, (s, v) => { s.init_scale = v; });
  panel.onRender((state) => {
    const entry = inits.find((i) => i.name === state.init);
    scale.placeholder = entry ? t("{value} (default)", { value: numberText(entry.default_scale) })
      : "";
  });
  const bias = panel.number("bias-init", { min: -10, max: 10, step: 0.1 },
    (s) => s.bias_init, (s, v) => { s.bias_init = v; });
  return el("div", { class: "ctl-group" }, panel.row("init", t("Initialiser"), init),
    pairs(panel.cell("init-scale", t("Initial scale"), scale),
      panel.cell("bias-init", t("Bias start"), bias)));
}

/** The losses that fit the task, and the output activation (squared error only). */
function lossRows(panel) {
  const loss = panel.select("loss", (s) => panel.effectiveLoss(s) || "",
    (s, v) => { s.loss = v || null; });
  const output = panel.select("output-activation", (s) => s.output_activation, (s, v) => {
    s.output_activation = v;
    s.loss = "mse";
  });
  fillOptions(output, (panel.catalogue.activations?.output || ["linear"])
    .map((name) => [name, OUTPUT_LABELS[name] || name]));
  const hint = el("p", { class: "ctl-hint", id: panel.id("output-hint"),
    text: t("Output activations go with squared error only."),
    title: t("Cross-entropy applies its own sigmoid or softmax to a linear output.") });
  output.setAttribute("aria-describedby", panel.id("output-hint"));
  panel.onRender((state) => {
    fillOptions(loss, panel.lossChoices(state)
      .map((l) => [l.name, LOSS_LABELS[l.name] || l.name]));
    loss.value = panel.effectiveLoss(state) || "";
    const mse = panel.effectiveLoss(state) === "mse";
    output.disabled = !mse;
    output.value = mse ? state.output_activation : "linear";
    hint.hidden = mse;
  });
  return el("div", { class: "ctl-group" }, panel.row("loss", t("Loss"), loss),
    panel.row("output-activation", t("Output"), output), hint);
}

/** One optimiser option's row (a checkbox for nesterov), shown when it applies. */
function optimizerOptionRow(panel, key, range) {
  const testid = `optimizer-${key}`;
  const label = OPTIMIZER_OPTION_LABELS[key] || key;
  const defaultOf = (s) => panel.optimizerEntry(s.optimizer.name).options[key]?.default;
  const row = key === "nesterov"
    ? panel.checkbox(testid, label, (s) => s.optimizer.nesterov ?? defaultOf(s),
      (s, v) => { s.optimizer.nesterov = v; })
    : panel.row(testid, label, panel.number(testid, { min: range.min, max: range.max },
      (s) => s.optimizer[key] ?? defaultOf(s) ?? null,
      (s, v) => { s.optimizer[key] = v; }));
  panel.onRender((state) => {
    row.hidden = !(key in panel.optimizerEntry(state.optimizer.name).options);
  });
  return row;
}

/**
 * The defaults of an optimiser's options as `/api/optimizers` gives them, e.g.
 * "learning rate 0.01, Decay rho 0.9, epsilon 1e-8" (labels translated).
 * @param {object} entry the optimiser's `/api/optimizers` entry
 * @returns {string}
 */
export function optimizerDefaults(entry) {
  return Object.entries(entry.options || {}).map(([key, option]) => {
    const label = key === "lr" ? t("Learning rate") : OPTIMIZER_OPTION_LABELS[key] || key;
    const value = typeof option.default === "boolean"
      ? (option.default ? t("on") : t("off")) : numberText(option.default);
    return `${label} ${value}`;
  }).join(", ");
}

/** The optimiser, a hint with its rule and defaults, and a row for each option
 * any optimiser has (but lr). */
function optimizerRows(panel) {
  const optimizer = panel.select("optimizer", (s) => s.optimizer.name, (s, v) => {
    s.optimizer = { name: v, lr: s.optimizer.lr };
  });
  const entries = panel.catalogue.optimizers || [];
  fillOptions(optimizer, entries.map((o) => [o.name, OPTIMIZER_LABELS[o.name] || o.name]));
  const hint = el("p", { class: "ctl-hint", id: panel.id("optimizer-hint"),
    "data-testid": "optimizer-hint" });
  optimizer.setAttribute("aria-describedby", panel.id("optimizer-hint"));
  panel.onRender((state) => {
    const name = state.optimizer.name;
    const rule = OPTIMIZER_RULES[name] || "";
    const text = [rule, t("Defaults when not set: {list}.",
      { list: optimizerDefaults(panel.optimizerEntry(name)) })].filter(Boolean).join(" ");
    if (hint.textContent !== text) hint.textContent = text;
    optimizer.title = text;
  });
  const keys = [...new Set(entries.flatMap((o) => Object.keys(o.options || {})))]
    .filter((k) => k !== "lr");
  const rows = keys.map((key) => optimizerOptionRow(panel, key,
    entries.find((o) => o.options[key])?.options[key] || {}));
  return el("div", { class: "ctl-group" }, panel.row("optimizer", t("Optimiser"), optimizer),
    hint, ...rows);
}

/** The learning rate: a choice of common rates (and the state's), or a typed one. */
function learningRate(panel) {
  const lr = panel.select("lr", (s) => numberText(s.optimizer.lr),
    (s, v) => { s.optimizer.lr = Number(v); });
  panel.onRender((state) => {
    const rates = LEARNING_RATES.includes(state.optimizer.lr) ? LEARNING_RATES
      : [...LEARNING_RATES, state.optimizer.lr].sort((a, b) => a - b);
    fillOptions(lr, rates.map((r) => [numberText(r), numberText(r)]));
    lr.value = numberText(state.optimizer.lr);
  });
  const lrRange = panel.optimizerEntry("sgd").options.lr || { min: 1e-7, max: 10 };
  const custom = panel.number("lr-custom", { min: lrRange.min, max: lrRange.max },
    (s) => s.optimizer.lr, (s, v) => { s.optimizer.lr = v; });
  return pairs(panel.cell("lr", t("Learning rate"), lr),
    panel.cell("lr-custom", t("or type a rate"), custom));
}

/** Learning rate, batch, L1, L2, seed. */
function rateRows(panel) {
  const rates = learningRate(panel);
  const batch = panel.number("batch-size", { min: 1, max: 5000, step: 1, integer: true },
    (s) => s.batch_size, (s, v) => { s.batch_size = v; });
  panel.onRender((state) => {
    batch.max = String(Math.max(UI_MAX_BATCH, state.batch_size));
  });
  const list = panel.datalist("penalties", PENALTIES);
  const l1 = panel.number("l1", { min: 0, max: 1, list: panel.id("penalties") },
    (s) => s.l1, (s, v) => { s.l1 = v; });
  const l2 = panel.number("l2", { min: 0, max: 1, list: panel.id("penalties") },
    (s) => s.l2, (s, v) => { s.l2 = v; });
  const seed = panel.number("seed", { min: 0, max: MAX_SEED, step: 1, integer: true },
    (s) => s.seed, (s, v) => { s.seed = v; });
  const reseed = panel.button("new-seed", t("New"), (s) => {
    s.seed = drawSeed(s.seed);
  }, { title: t("A new seed: new initial weights and batch order"),
    "aria-label": t("New seed") });
  return el("div", { class: "ctl-group" }, rates,
    pairs(panel.cell("batch-size", t("Batch size"), batch),
      panel.cell("seed", t("Seed"), seed, reseed)),
    pairs(panel.cell("l1", t("L1 rate"), l1), panel.cell("l2", t("L2 rate"), l2)), list);
}

/**
 * The Training section of a Controls panel.
 * @param {object} panel the Controls
 * @returns {HTMLElement}
 */
export function trainingSection(panel) {
  return section(t("Training"), "training-section",
    initRows(panel), lossRows(panel), optimizerRows(panel), rateRows(panel));
}
