/**
 * How the pages name a layer: its type as a word of the page's language
 * ("conv2d" in English, as the API writes it; 二維卷積層 in Chinese), with its
 * activation (ReLU) or mode (max, translated), and numbered ("conv2d 2"). The
 * lab's feature maps, kernels, pooling panel and depth chart use these, so no
 * raw type or mode word is left in a translated page.
 */

import { activationLabel } from "./activation_names.js";
import { isEnglish, t } from "./i18n.js";

/** A layer type as the page shows it (the English text is the API's type). */
const TYPE_WORDS = {
  dense: t("dense"), activation: t("activation"), dropout: t("dropout"),
  batchnorm: t("batchnorm"), residual: t("residual"), conv2d: t("conv2d"), conv1d: t("conv1d"),
  pool2d: t("pool2d"), spp: t("spp"), global_max_pool: t("global_max_pool"),
  flatten: t("flatten"), embedding: t("embedding"),
};

/** A mode or option value as the page shows it (pooling's max and mean, dropout's). */
const MODE_WORDS = {
  max: t("max"), mean: t("mean"), inverted: t("inverted"), classic: t("classic"),
};

/** What a type's name says, for English readers, where the type alone is jargon. */
const TYPE_KINDS = {
  conv2d: t("convolution"), pool2d: t("pooling"), batchnorm: t("batch norm"),
  residual: t("residual block"),
};

/**
 * A layer type as a word of the page's language.
 * @param {string} type the API's type, e.g. "conv2d"
 * @returns {string}
 */
export function layerTypeName(type) {
  return Object.hasOwn(TYPE_WORDS, type) ? TYPE_WORDS[type] : type;
}

/**
 * A layer with what sets it apart: "activation ReLU", "pool2d max" (激活函數 ReLU,
 * 二維池化層 最大), or the type alone ("conv2d (convolution)" in English, which
 * explains the jargon; the translated type word needs no such note).
 * @param {string} type the API's type
 * @param {{name?: string, mode?: string}} [layer] the frame header's layer entry
 * @returns {string}
 */
export function layerLabel(type, layer) {
  const id = layer?.name || "";
  let detail = "";
  if (type === "activation" && id) detail = activationLabel(id);
  else if (id) detail = Object.hasOwn(MODE_WORDS, id) ? MODE_WORDS[id] : id;
  else if (layer?.mode) detail = Object.hasOwn(MODE_WORDS, layer.mode) ? MODE_WORDS[layer.mode] : layer.mode;
  const word = layerTypeName(type);
  if (detail) return t("{type} {detail}", { type: word, detail });
  if (isEnglish() && Object.hasOwn(TYPE_KINDS, type)) {
    return t("{type} ({kind})", { type: word, kind: TYPE_KINDS[type] });
  }
  return word;
}

/**
 * The n-th layer of a type: "conv2d 2".
 * @param {string} type
 * @param {number} n from 1
 * @returns {string}
 */
export function numberedLayer(type, n) {
  return t("{type} {n}", { type: layerTypeName(type), n });
}
