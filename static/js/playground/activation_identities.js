/**
 * The notes' activation identities, checked numerically on sampled curves (the
 * answer of GET /api/activations: f and f′ of each activation at the same x):
 *
 *   sigmoid'(x) = p (1 - p), p = sigmoid(x)
 *   tanh'(x)    = 1 - p^2,   p = tanh(x)
 *   tanh(x)     = 2 sigmoid(2x) - 1
 *
 * each as the largest |left side - right side| over the grid points, and an
 * independent check of any activation: its f′ against the slope of its sampled
 * f (a central difference). Pure functions; explorer.js shows the results.
 */

import { formatNumber } from "../charts/scales.js";
import { t } from "../common/i18n.js";

/** An identity holds when its largest difference is at most this (rounding only). */
export const IDENTITY_TOLERANCE = 1e-12;

/**
 * The largest |f′ - central difference of f| accepted: the difference quotient
 * itself is off by about h² |f‴| / 6 (up to ~8e-4 for tanh at h = 0.05).
 */
export const SLOPE_TOLERANCE = 2e-3;


/**
 * The notes' identities checked on the curves: each {formula, about (activation
 * names it concerns), text, ok, error}. `x` (n,) and each curve's f, df (n,).
 * tanh(x) = 2 sigmoid(2x) - 1 uses the x whose double is also a grid point.
 */
export function checkIdentities(x, curves) {
  const sigmoid = curves.find((c) => c.name === "sigmoid");
  const tanh = curves.find((c) => c.name === "tanh");
  const checks = [
    {
      formula: "sigmoid′(x) = p (1 − p), p = sigmoid(x)",
      about: ["sigmoid"],
      ...(sigmoid ? maxDifference(x.map((_, i) => [sigmoid.df[i], sigmoid.f[i] * (1 - sigmoid.f[i])])) : null),
    },
    {
      formula: "tanh′(x) = 1 − p², p = tanh(x)",
      about: ["tanh"],
      ...(tanh ? maxDifference(x.map((_, i) => [tanh.df[i], 1 - tanh.f[i] * tanh.f[i]])) : null),
    },
    {
      formula: "tanh(x) = 2 sigmoid(2x) − 1",
      about: ["tanh", "sigmoid"],
      ...(sigmoid && tanh ? maxDifference(doubledPairs(x, tanh.f, sigmoid.f)) : null),
    },
  ];
  return checks.map((check) => ({ ...check, ...verdict(check) }));
}

/**
 * f′ of `curve` against the central difference (f(x + h) - f(x - h)) / 2h of its
 * sampled f, h the grid step, at every inner grid point away from x = 0 (where
 * the ReLU family has a kink). Passes within SLOPE_TOLERANCE, well above the
 * h² truncation error of smooth activations on the server's grid.
 * @returns {{h: number, error: number, count: number, ok: boolean, text: string}}
 */
export function checkSlope(x, curve) {
  const h = (x[x.length - 1] - x[0]) / Math.max(1, x.length - 1);
  const pairs = [];
  for (let i = 1; i + 1 < x.length; i += 1) {
    if (Math.abs(x[i]) < 1.5 * h) continue;
    pairs.push([curve.df[i], (curve.f[i + 1] - curve.f[i - 1]) / (x[i + 1] - x[i - 1])]);
  }
  const { error, count } = maxDifference(pairs);
  const ok = count > 0 && error <= SLOPE_TOLERANCE;
  const mark = ok ? t("✓ within {tolerance} (the difference quotient's own error)",
    { tolerance: formatNumber(SLOPE_TOLERANCE) })
    : t("✗ does not agree");
  return { h, error, count, ok,
    text: t("max |difference| = {error} over {count} points {mark}", { error: exponent(error), count, mark }) };
}

/** An error as short text: "0" or "4.7e-16". */
function exponent(error) {
  return error === 0 ? "0" : error.toExponential(1).replace("e+", "e");
}

/** {error, count}: the largest |a - b| over pairs [a, b], and how many pairs. */
function maxDifference(pairs) {
  let error = 0;
  for (const [a, b] of pairs) error = Math.max(error, Math.abs(a - b));
  return { error, count: pairs.length };
}

/**
 * Pairs [tanh(x), 2 sigmoid(2x) - 1] for every grid x whose double 2x is also a
 * grid point (found to within a millionth of the grid step).
 */
function doubledPairs(x, tanhF, sigmoidF) {
  const step = (x[x.length - 1] - x[0]) / Math.max(1, x.length - 1);
  const pairs = [];
  for (let i = 0; i < x.length; i += 1) {
    const j = nearest(x, 2 * x[i]);
    if (Math.abs(x[j] - 2 * x[i]) <= step * 1e-6) pairs.push([tanhF[i], 2 * sigmoidF[j] - 1]);
  }
  return pairs;
}

/** The text and pass mark of a check: "max |difference| = 5.6e-17 over 201 points". */
function verdict(check) {
  if (check.count === undefined) return { text: t("cannot check: the curves are missing"), ok: false };
  if (check.count === 0) return { text: t("cannot check: no grid point fits"), ok: false };
  const ok = check.error <= IDENTITY_TOLERANCE;
  const size = exponent(check.error);
  return {
    ok,
    text: t("max |difference| = {error} over {count} points {mark}", {
      error: size, count: check.count,
      mark: ok ? t("✓ holds (rounding only)") : t("✗ does not hold"),
    }),
  };
}

/** Index of the value of sorted `xs` nearest v. */
export function nearest(xs, v) {
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= v) lo = mid; else hi = mid;
  }
  return Math.abs(xs[hi] - v) < Math.abs(xs[lo] - v) ? hi : lo;
}
