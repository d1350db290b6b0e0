/**
 * Numbers on chart axes: short labels (`formatNumber`), metrics with a fixed
 * count of significant digits (`formatMetric`), round tick values
 * (`niceTicks`, `niceCeil`), and the value -> pixel scales the time charts use
 * (`linearScale` from 0, `logScale` over whole decades, `accuracyScale` for 0..1,
 * `decadeLabel` for exponent tick labels). A scale is a function of a value
 * returning a y in CSS px, with its tick list as `scale.ticks` ({value, label}).
 */

/** Below this size (and from 1e5 up) numbers are written in exponent form. */
const SMALLEST_DECIMAL = 1e-4;

/**
 * A short label of a number: `digits` significant digits (trailing zeros
 * dropped), written out down to 0.0001 (0.00042 reads "0.00042") and in
 * exponent form when tinier or huge ("4.2e-5").
 */
export function formatNumber(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const size = Math.abs(value);
  if (size >= 1e5 || size < SMALLEST_DECIMAL) {
    const [mantissa, power] = value.toExponential(Math.max(0, digits - 1)).split("e");
    return `${Number(mantissa)}e${Number(power)}`;
  }
  return String(Number(value.toPrecision(digits)));
}

/**
 * A metric (a loss) with `digits` significant digits kept, trailing zeros
 * included so that a column of them lines up: "0.690", "0.000420", "4.20e-5"
 * (exponent form below 0.0001 and from 1e5 up); "–" when missing.
 * @param {number|null|undefined} value
 * @param {number} [digits]
 * @returns {string}
 */
export function formatMetric(value, digits = 3) {
  if (typeof value !== "number" || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const size = Math.abs(value);
  if (size >= 1e5 || size < SMALLEST_DECIMAL) {
    const [mantissa, power] = value.toExponential(digits - 1).split("e");
    return `${mantissa}e${Number(power)}`;
  }
  const text = value.toPrecision(digits); // "1.23e+3" from 1000 up: whole numbers there
  return text.includes("e") ? String(Math.round(value)) : text;
}

/**
 * About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 times a
 * power of ten), inside the range.
 */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || 10 * power;
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return ticks;
}

/** The smallest round value (1, 2 or 5 times a power of ten) not below v > 0. */
export function niceCeil(v) {
  const power = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= v * (1 - 1e-12));
}

/** value -> y over [0, a round max of `values`], with its ticks. */
export function linearScale(plot, values) {
  const top = values.length ? niceCeil(Math.max(...values) * 1.04 || 1) : 1;
  const scale = (v) => plot.y + plot.h - (v / top) * plot.h;
  scale.ticks = niceTicks(0, top, Math.max(2, Math.floor(plot.h / 40)))
    .map((v) => ({ value: v, label: formatNumber(v) }));
  return scale;
}

/**
 * value -> y over whole decades around `values` (> 0). Ticks at the decades
 * (thinned to fit), labelled by `label(value, m, d)` for value = m * 10^d; when
 * the range spans at most two decades, also at 2 and 5 times each decade.
 */
export function logScale(plot, values, label = (v) => formatNumber(v)) {
  let lo = values.length ? Math.floor(Math.log10(Math.min(...values))) : -3;
  let hi = values.length ? Math.ceil(Math.log10(Math.max(...values))) : 0;
  if (hi <= lo) hi = lo + 1;
  lo = Math.max(lo, -30);
  hi = Math.min(hi, 30);
  const scale = (v) => (v > 0 ? plot.y + plot.h - ((Math.log10(v) - lo) / (hi - lo)) * plot.h : NaN);
  const every = Math.ceil((hi - lo + 1) / Math.max(2, Math.floor(plot.h / 22)));
  scale.ticks = [];
  for (let d = lo; d <= hi; d += 1) {
    if ((d - lo) % every === 0 || d === hi) scale.ticks.push({ value: 10 ** d, label: label(10 ** d, 1, d) });
    if (hi - lo <= 2 && d < hi && plot.h > 120) {
      for (const m of [2, 5]) scale.ticks.push({ value: m * 10 ** d, label: label(m * 10 ** d, m, d) });
    }
  }
  return scale;
}

/** Exponent labels of a log axis: "1e-6", and "2e-6", "5e-6" between decades. */
export function decadeLabel(value, m, d) {
  return `${m}e${d}`;
}

/** accuracy in 0..1 -> y. */
export function accuracyScale(plot) {
  return (v) => plot.y + plot.h - v * plot.h;
}
