/**
 * How the pages name an activation function: as the notes write it in either
 * language (sigmoid, tanh, ReLU, leaky ReLU, ELU, PReLU ...: the Chinese notes
 * use these names too), not as the server's id (`leaky_relu`); "linear" is a
 * word, and is translated. The ids stay the values of selects and the names in
 * model files and the API.
 */

import { t } from "./i18n.js";

const LABELS = {
  sigmoid: "sigmoid", tanh: "tanh", relu: "ReLU", leaky_relu: "leaky ReLU", elu: "ELU",
  softplus: "softplus", prelu: "PReLU", rrelu: "RReLU",
};

/** The name of the activation with server id `id` as the pages show it. */
export function activationLabel(id) {
  if (id === "linear") return t("linear");
  return Object.hasOwn(LABELS, id) ? LABELS[id] : id;
}
