/**
 * Sizing a canvas for crisp drawing: its backing store follows its CSS box times
 * devicePixelRatio. Used by every canvas view (charts, output map, explorer).
 */

/**
 * Size the canvas's backing store to its CSS box times devicePixelRatio and
 * return the CSS size. `fallback` ({width, height}, CSS px) is used while the
 * canvas has no layout box (detached or hidden). If the canvas has no CSS size of
 * its own (its box followed the backing store), its style size is pinned so that
 * it does not grow with every resize.
 *
 * @param {HTMLCanvasElement} canvas
 * @param {{width: number, height: number}} fallback
 * @returns {{width: number, height: number, dpr: number}}
 */
export function fitCanvas(canvas, fallback) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || fallback.width;
  const height = canvas.clientHeight || fallback.height;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    if (canvas.clientWidth && canvas.clientWidth !== width) canvas.style.width = `${width}px`;
    if (canvas.clientHeight && canvas.clientHeight !== height) canvas.style.height = `${height}px`;
  }
  return { width, height, dpr };
}
