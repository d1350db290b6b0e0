/**
 * Colours of the views, chosen to stay readable for colour-blind viewers.
 *
 * - A diverging map for signed values and for the two classes of a binary task:
 *   blue (negative, class 0) - light neutral (0) - orange (positive, class 1).
 *   Its stops are our own; the two arms differ in hue along the blue-yellow axis
 *   (which red-green colour blindness keeps) and both darken towards the ends, so
 *   the sign and the size of a value read without hue as well.
 * - Categorical colours for up to 5 classes: a subset of the Okabe-Ito palette
 *   (blue, orange, bluish green, reddish purple, vermillion), checked to stay apart
 *   under simulated protanopia and deuteranopia.
 * - A sequential ramp (dark indigo to amber, lightness rising monotonically) for
 *   ordered series such as layers from the input side to the output.
 *
 * Colours of the page furniture (text, axes, chart series, the diverged message)
 * are CSS variables (names in `CSS_VARS`, defaults in views.css) so that a
 * projector or high-contrast theme can restyle them; `readTheme` reads them.
 */

/** @typedef {[number, number, number]} RGB  red, green, blue in 0..255 */

/** Okabe-Ito colours used for classes, in class order. */
export const CLASS_COLORS = Object.freeze([
  [0, 114, 178], // blue
  [230, 159, 0], // orange
  [0, 158, 115], // bluish green
  [204, 121, 167], // reddish purple
  [213, 94, 0], // vermillion
].map((c) => Object.freeze(c)));

/** Stops of the diverging map: [t in -1..1, RGB]. */
const DIVERGING_STOPS = [
  [-1.0, [24, 78, 140]],
  [-0.5, [104, 158, 208]],
  [0.0, [240, 238, 232]],
  [0.5, [242, 176, 96]],
  [1.0, [184, 98, 12]],
];

/** Stops of the sequential ramp: [t in 0..1, RGB]. */
const SEQUENTIAL_STOPS = [
  [0.0, [40, 30, 110]],
  [0.35, [30, 110, 160]],
  [0.7, [40, 160, 120]],
  [1.0, [220, 150, 20]],
];

/** The neutral colour (the diverging map at 0), for blends. */
export const NEUTRAL = Object.freeze([240, 238, 232]);

/** Piecewise-linear interpolation of `stops` at t (clamped to the stops' range). */
function interpolate(stops, t) {
  const first = stops[0];
  const last = stops[stops.length - 1];
  if (!(t > first[0])) return first[1].slice();
  if (t >= last[0]) return last[1].slice();
  let i = 1;
  while (stops[i][0] < t) i += 1;
  const [t0, c0] = stops[i - 1];
  const [t1, c1] = stops[i];
  const u = (t - t0) / (t1 - t0);
  return [0, 1, 2].map((j) => Math.round(c0[j] + (c1[j] - c0[j]) * u));
}

/** Entries of the diverging lookup table (`DIVERGING_LUT`). */
export const LUT_SIZE = 256;

/**
 * The diverging map sampled at LUT_SIZE points: entry i (RGB at 3i..3i+2) is the
 * colour of t = -1 + 2i / (LUT_SIZE - 1). Read-only by convention; views index it
 * with `lutIndex(t)` to colour a whole map without allocating.
 */
export const DIVERGING_LUT = (() => {
  const lut = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i += 1) {
    lut.set(interpolate(DIVERGING_STOPS, -1 + (2 * i) / (LUT_SIZE - 1)), 3 * i);
  }
  return lut;
})();

/** Index into DIVERGING_LUT of t in [-1, 1] (clamped; NaN gives the neutral middle). */
export function lutIndex(t) {
  const i = Math.round((t + 1) * 0.5 * (LUT_SIZE - 1));
  if (i >= 0) return i < LUT_SIZE ? i : LUT_SIZE - 1;
  return i < 0 ? 0 : LUT_SIZE >> 1;
}

/** The diverging colour of t in [-1, 1]: blue below 0, orange above. */
export function divergingRGB(t) {
  return interpolate(DIVERGING_STOPS, t);
}

/** Colour of class k (0-based; cycles after 5 classes). */
export function classRGB(k) {
  const c = CLASS_COLORS[((k % CLASS_COLORS.length) + CLASS_COLORS.length) % CLASS_COLORS.length];
  return c.slice();
}

/** Colour at t in [0, 1] of the sequential ramp (dark indigo -> amber). */
export function sequentialRGB(t) {
  return interpolate(SEQUENTIAL_STOPS, t);
}

/** `rgb(...)` text of an RGB triple, with an optional alpha. */
export function css(rgb, alpha = 1) {
  return alpha >= 1 ? `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`
    : `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${alpha})`;
}

/**
 * Colour of `value` on the diverging map scaled to [lo, hi]: lo is full blue, hi
 * full orange, the middle neutral. Returns CSS text.
 */
export function heatColor(value, lo, hi) {
  const span = hi - lo;
  const t = span > 0 ? (2 * (value - lo)) / span - 1 : 0;
  return css(divergingRGB(t));
}

/** The CSS variables of the views, by role; defaults live in views.css. */
export const CSS_VARS = Object.freeze({
  ink: "--nn-ink",
  muted: "--nn-muted",
  axis: "--nn-axis",
  grid: "--nn-grid",
  surface: "--nn-surface",
  outline: "--nn-point-outline",
  series1: "--nn-series-1",
  series2: "--nn-series-2",
  divergedMap: "--nn-diverged-map",
  font: "--nn-chart-font",
  negative: "--nn-negative",
  neutral: "--nn-neutral",
  positive: "--nn-positive",
  class0: "--nn-class-0",
  class1: "--nn-class-1",
  class2: "--nn-class-2",
  class3: "--nn-class-3",
  class4: "--nn-class-4",
});

/** Fallbacks of the theme colours when no stylesheet defines the variables. */
const THEME_DEFAULTS = Object.freeze({
  ink: "#1d1d1f",
  muted: "#5b5b60",
  axis: "#6b6b70",
  grid: "rgba(0, 0, 0, 0.09)",
  surface: "#ffffff",
  outline: "rgba(20, 20, 24, 0.85)",
  series1: css(CLASS_COLORS[0]),
  series2: css(CLASS_COLORS[4]),
  divergedMap: "#b9b9b9",
  font: "12px system-ui, sans-serif",
});

/**
 * The theme colours as seen from `element` (CSS variables, see CSS_VARS), with
 * built-in fallbacks: {ink, muted, axis, grid, surface, outline, series1 (loss, f),
 * series2 (accuracy, f′), divergedMap, font}.
 */
export function readTheme(element) {
  const style = element && element.isConnected ? getComputedStyle(element) : null;
  const theme = {};
  for (const [role, fallback] of Object.entries(THEME_DEFAULTS)) {
    const value = style ? style.getPropertyValue(CSS_VARS[role]).trim() : "";
    theme[role] = value || fallback;
  }
  return theme;
}
