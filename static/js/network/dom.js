/**
 * Small DOM helpers of the network diagram: making SVG and HTML elements, and
 * changing an attribute or a text only when it differs (later frames touch the
 * DOM as little as they can, which saves style and layout work).
 */

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * A new SVG element with attributes, appended to `parent` if given.
 * @param {string} tag
 * @param {Record<string, string|number>} [attrs]
 * @param {Element|null} [parent]
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, parent = null) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.append(el);
  return el;
}

/**
 * A new HTML element with a class, appended to `parent` if given.
 * @param {string} tag
 * @param {string} [className]
 * @param {Element|null} [parent]
 * @returns {HTMLElement}
 */
export function html(tag, className, parent = null) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (parent) parent.append(el);
  return el;
}

/** Sets an attribute only when its value changes. */
export function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** Sets the text only when it changes. */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
