/**
 * A state in the URL: `encodeState(state)` gives a compact, URL-safe text for
 * `location.hash` ("1." then base64url of the JSON of what differs from
 * defaultState(), with short keys); `decodeState(text, catalogue)` reads it
 * back, falling back field by field (see checkState) and never throwing.
 */

import { normalizeState } from "./catalogue.js";
import { checkState, objectOr } from "./check.js";
import { canonical } from "./compare.js";
import { defaultState } from "./schema.js";

/** Long field names and their short forms in the URL (one to one). */
const SHORT = {
  data: "d", network: "n", init: "i", init_scale: "is", bias_init: "bi", loss: "lo",
  output_activation: "oa", optimizer: "o", batch_size: "b", l1: "l1", l2: "l2", seed: "s",
  speed: "v", lesson: "ls", name: "nm", noise: "z", train_fraction: "tf", n_samples: "ns",
  classes: "c", features: "f", standardize: "st", upload: "up", offset: "of", scale: "sc",
  hidden: "h", activations: "a", activation_options: "ao", batch_norm: "bn", dropout: "dr",
  dropout_mode: "dm", residual: "r", lr: "lr", momentum: "m", nesterov: "ne", rho: "rh",
  beta1: "b1", beta2: "b2", eps: "e", variant: "va", slope: "sl", alpha: "al",
  init_slope: "isl", lower: "lw", upper: "uw",
};
const LONG = Object.fromEntries(Object.entries(SHORT).map(([long, short]) => [short, long]));
const VERSION = "1";

/** Whether `v` is a plain object (not an array, not null). */
const isPlain = (v) => Boolean(v) && typeof v === "object" && !Array.isArray(v);

/** The parts of `value` that differ from `base`, with short keys (undefined if none). */
function diff(value, base) {
  if (isPlain(value) && isPlain(base)) {
    const out = {};
    for (const [key, v] of Object.entries(value)) {
      const d = diff(v, base[key]);
      if (d !== undefined) out[SHORT[key] || key] = d;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (canonical(value) === canonical(base)) return undefined;
  return isPlain(value) ? expandKeys(value, SHORT) : value;
}

/** `value` with its object keys renamed through `names` (recursively). */
function expandKeys(value, names) {
  if (Array.isArray(value)) return value;
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value)
    .map(([key, v]) => [names[key] || key, expandKeys(v, names)]));
}

/** `raw` laid over `base`: objects merged key by key, anything else replaced. */
function overlay(base, raw) {
  if (!isPlain(base) || !isPlain(raw)) return raw;
  const out = { ...base };
  for (const [key, v] of Object.entries(raw)) out[key] = overlay(base[key], v);
  return out;
}

/** base64url without padding, of UTF-8 text. */
function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** UTF-8 text of base64url (with or without padding); throws on bad input. */
function fromBase64Url(code) {
  const b64 = code.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/**
 * A compact, URL-safe text for `location.hash`: "1." then base64url of the JSON
 * of what differs from defaultState(), with short keys.
 * @param {object} state a state
 * @returns {string} e.g. "1.eyJkIjp7Im5tIjoic3BpcmFsIn19"
 */
export function encodeState(state) {
  const changes = diff(state, defaultState()) || {};
  if (state?.lesson && changes[SHORT.speed] === undefined) changes[SHORT.speed] = state.speed;
  return `${VERSION}.${toBase64Url(JSON.stringify(changes))}`;
}

/**
 * The state in a text made by encodeState. Anything unreadable gives the default
 * state; unknown or bad fields fall back to their defaults field by field. It
 * never throws. With the server's catalogue, names are checked against it too
 * (see normalizeState).
 * @param {string} text what encodeState gave (a leading "#" is ignored)
 * @param {object} [catalogue] the catalogue, to check names against
 * @returns {object} a state
 */
export function decodeState(text, catalogue = null) {
  const state = checkState(overlay(defaultState(), rawState(text)));
  return catalogue ? normalizeState(state, catalogue) : state;
}

/**
 * Whether a text made by encodeState names a speed of its own (a lesson's link
 * always does; another state's only when it differs from the default).
 * @param {string} text what encodeState gave
 * @returns {boolean}
 */
export function hasOwnSpeed(text) {
  return Object.hasOwn(rawState(text), "speed");
}

/** The fields written in a text made by encodeState, long names ({} if unreadable). */
function rawState(text) {
  try {
    const code = String(text ?? "").trim().replace(/^#/, "").replace(/^\d+\./, "");
    const parsed = code ? JSON.parse(fromBase64Url(code)) : {};
    return expandKeys(objectOr(parsed), LONG);
  } catch {
    return {};
  }
}
