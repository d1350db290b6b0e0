/**
 * The hover box of the charts: a small HTML box of values next to the pointer,
 * placed over a canvas (title, then rows of line swatch, label and value).
 * Styled by `.nn-hover` in views.css.
 */

/**
 * A small box of values next to the pointer: a `div.nn-hover` placed after the
 * canvas in its parent and positioned absolutely over it (the parent, or an
 * ancestor, should be positioned). Built with text nodes only.
 */
export class HoverBox {
  /** @param {HTMLCanvasElement} canvas the canvas the box points into */
  constructor(canvas) {
    this.canvas = canvas;
    this.element = null;
  }

  /**
   * Show `title` and rows `[{label, value, color?, dash?}]` near (x, y), CSS px
   * inside the canvas; the box flips to the left of x when it would pass `right`
   * (default: the canvas's right edge).
   */
  show(x, y, title, rows, right = this.canvas.clientWidth) {
    const box = this.#ensure();
    if (!box) return;
    box.replaceChildren(line("nn-hover-title", title), ...rows.map(hoverRow));
    box.hidden = false;
    const left = this.canvas.offsetLeft;
    const top = this.canvas.offsetTop;
    const flip = x + 16 + box.offsetWidth > right && x - 12 - box.offsetWidth >= 0;
    box.style.left = `${left + (flip ? x - 12 - box.offsetWidth : x + 12)}px`;
    box.style.top = `${top + Math.max(0, Math.min(y - box.offsetHeight / 2,
      this.canvas.clientHeight - box.offsetHeight))}px`;
  }

  hide() {
    if (this.element) this.element.hidden = true;
  }

  destroy() {
    if (this.element) this.element.remove();
    this.element = null;
  }

  #ensure() {
    if (!this.element && this.canvas.parentElement) {
      this.element = document.createElement("div");
      this.element.className = "nn-hover";
      this.element.setAttribute("role", "status");
      this.element.hidden = true;
      this.canvas.insertAdjacentElement("afterend", this.element);
    }
    return this.element;
  }
}

/** A div of one class holding `text`. */
function line(className, text) {
  const div = document.createElement("div");
  div.className = className;
  div.textContent = text;
  return div;
}

/** One row of a hover box: a line swatch, the label and the value. */
function hoverRow({ label, value, color, dash }) {
  const row = line("nn-hover-row", "");
  const swatch = document.createElement("span");
  swatch.className = dash ? "nn-swatch nn-swatch-dashed" : "nn-swatch";
  if (color) swatch.style.color = color;
  const name = document.createElement("span");
  name.textContent = label;
  const number = document.createElement("span");
  number.className = "nn-hover-value";
  number.textContent = value;
  row.append(swatch, name, number);
  return row;
}
