/**
 * A run's spec (the explicit `layers` form the server answers with) turned back
 * into the page state of state.js, so that the controls show a run that came
 * from a lesson or a loaded model.
 *
 * Hidden layers are the dense layers before the output; each takes the activation
 * that follows it. Batch norm, dropout and residual blocks set the network-wide
 * switches of the controls. A spec the controls cannot show exactly (say, a
 * residual block around one layer) is shown as closely as they allow; the run
 * itself keeps its exact spec until the student changes a control.
 */

const ACTIVATION_OPTION_KEYS = ["slope", "alpha", "init_slope", "lower", "upper"];

/** Every leaf layer of the spec, in order, with whether it sits in a residual block. */
function leaves(layers, inResidual = false, out = []) {
  for (const layer of layers || []) {
    if (layer.type === "residual") {
      leaves(layer.layers, true, out);
    } else {
      out.push({ ...layer, inResidual });
    }
  }
  return out;
}

/**
 * @param {object} spec a spec in the explicit layers form (GET /api/runs/{id}: spec)
 * @param {object} base the state to start from (defaults for what the spec lacks)
 * @returns {object} a page state
 */
export function stateFromSpec(spec, base) {
  const state = structuredClone(base);
  const data = spec.data || {};
  state.data = {
    ...state.data,
    name: data.name === "points" ? state.data.name : data.name ?? state.data.name,
    noise: data.noise ?? state.data.noise,
    train_fraction: data.train_fraction ?? state.data.train_fraction,
    n_samples: data.n_samples ?? state.data.n_samples,
    classes: data.classes ?? state.data.classes,
    features: data.features ?? null,
    seed: data.seed ?? 0,
    standardize: Boolean(data.standardize),
  };
  const all = leaves(spec.layers);
  const hidden = [];
  const activations = [];
  const options = {};
  let current = null;
  for (const layer of all) {
    if (layer.type === "dense") {
      current = { units: layer.units };
      hidden.push(current);
      activations.push(null);
    } else if (layer.type === "activation" && current) {
      activations[activations.length - 1] = layer.name;
      for (const key of ACTIVATION_OPTION_KEYS) {
        if (layer[key] !== undefined) options[key] = layer[key];
      }
    }
  }
  // the output layer is the spec's last dense layer; the rest are hidden
  hidden.pop();
  activations.pop();
  const dropout = all.find((layer) => layer.type === "dropout");
  state.network = {
    hidden: hidden.map((layer) => layer.units),
    activations: activations.map((name) => name || "linear"),
    activation_options: options,
    batch_norm: all.some((layer) => layer.type === "batchnorm"),
    dropout: dropout ? dropout.p : 0,
    dropout_mode: dropout ? dropout.mode : "inverted",
    residual: (spec.layers || []).some((layer) => layer.type === "residual"),
  };
  const init = spec.init || {};
  state.init = init.name ?? state.init;
  if (init.scale !== undefined && "init_scale" in state) state.init_scale = init.scale;
  state.bias_init = spec.bias_init ?? state.bias_init;
  state.loss = spec.loss ?? null;
  state.optimizer = { ...(spec.optimizer || state.optimizer) };
  state.batch_size = spec.batch_size ?? state.batch_size;
  state.l1 = spec.l1 ?? 0;
  state.l2 = spec.l2 ?? 0;
  state.seed = spec.seed ?? 0;
  return state;
}
