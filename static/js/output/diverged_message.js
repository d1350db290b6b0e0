/**
 * The message shown over a view's plot instead of a diverged run's NaN map: a
 * `div.nn-diverged` placed after the canvas (styled in views.css), and the
 * canvas's aria-label while it shows (the page's own label comes back after).
 */

import { t } from "../common/i18n.js";

/** The message over a diverged run. */
export const DIVERGED_MESSAGE =
  t("The run diverged: the loss became infinite. Lower the learning rate and reset.");

/** @typedef {{x: number, y: number, w: number, h: number}} Rect  CSS px */

export class DivergedMessage {
  /** @param {HTMLCanvasElement} canvas the canvas the message covers */
  constructor(canvas) {
    this.canvas = canvas;
    this.element = null; // made when first needed
    this.label = canvas.getAttribute("aria-label"); // restored when a run recovers
    this.showing = false;
  }

  /**
   * Show the message over `area` (inside the canvas), or hide it when `area` is
   * null; the canvas's aria-label follows.
   * @param {Rect|null} area
   */
  show(area) {
    this.#label(area !== null);
    if (area === null) {
      if (this.element) this.element.hidden = true;
      return;
    }
    const element = this.#ensure();
    if (!element) return;
    Object.assign(element.style, {
      left: `${this.canvas.offsetLeft + area.x}px`,
      top: `${this.canvas.offsetTop + area.y}px`,
      width: `${area.w}px`,
      height: `${area.h}px`,
    });
    element.hidden = false;
  }

  /** Remove the message element. */
  destroy() {
    if (this.element) this.element.remove();
    this.element = null;
  }

  /** The canvas's aria-label: the message while shown, else the page's own label. */
  #label(diverged) {
    if (diverged === this.showing) return;
    this.showing = diverged;
    if (diverged) this.canvas.setAttribute("aria-label", DIVERGED_MESSAGE);
    else if (this.label === null) this.canvas.removeAttribute("aria-label");
    else this.canvas.setAttribute("aria-label", this.label);
  }

  /** The message element, made after the canvas (null while the canvas has no parent). */
  #ensure() {
    if (!this.element && this.canvas.parentElement) {
      this.element = document.createElement("div");
      this.element.className = "nn-diverged";
      this.element.setAttribute("role", "alert");
      const text = document.createElement("span");
      text.className = "nn-diverged-text";
      text.textContent = DIVERGED_MESSAGE;
      this.element.append(text);
      this.canvas.insertAdjacentElement("afterend", this.element);
    }
    return this.element;
  }
}
