/**
 * The colours of the network diagram: the diverging map read from the CSS
 * variables `--neg`, `--mid` and `--pos` (see network.css), as a 256-entry RGBA
 * table for heatmaps and as CSS strings for curves.
 */

const FALLBACK_COLOURS = { neg: "#2166ac", mid: "#f7f7f7", pos: "#e08214" };

/**
 * [r, g, b] of any CSS colour, through a 2-D context's colour parser.
 * @param {CanvasRenderingContext2D} ctx a scratch context (its fillStyle changes)
 * @param {string} text the colour ("" for the fallback)
 * @param {string} fallback a colour the parser knows
 * @returns {number[]}
 */
export function parseColour(ctx, text, fallback) {
  ctx.fillStyle = fallback;
  if (text) ctx.fillStyle = text;
  const s = String(ctx.fillStyle);
  if (s.startsWith("#")) return [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16));
  const m = s.match(/[\d.]+/g);
  return m ? m.slice(0, 3).map(Number) : [128, 128, 128];
}

/**
 * The diverging map of `element`'s CSS variables.
 * @param {Element} element
 * @returns {{lut: Uint8ClampedArray, neg: string, pos: string, mid: string,
 *   negFill: string, posFill: string}} `lut`: 256 RGBA entries (index 0 most
 *   negative, 255 most positive); the colours as CSS, the fills half transparent
 */
export function readColours(element) {
  const style = getComputedStyle(element);
  const ctx = document.createElement("canvas").getContext("2d");
  const pick = (name) => parseColour(ctx, style.getPropertyValue(`--${name}`).trim(), FALLBACK_COLOURS[name]);
  const neg = pick("neg"), mid = pick("mid"), pos = pick("pos");
  const css = (c, a = 1) => `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${a})`;
  return {
    lut: divergingTable(neg, mid, pos),
    neg: css(neg), pos: css(pos), mid: css(mid), negFill: css(neg, 0.5), posFill: css(pos, 0.5),
  };
}

/** 256 RGBA entries from `neg` through `mid` (between entries 127 and 128) to `pos`. */
function divergingTable(neg, mid, pos) {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const t = (i - 127.5) / 127.5;
    const end = t < 0 ? neg : pos;
    const w = Math.abs(t);
    for (let c = 0; c < 3; c++) lut[i * 4 + c] = Math.round(mid[c] + (end[c] - mid[c]) * w);
    lut[i * 4 + 3] = 255;
  }
  return lut;
}
