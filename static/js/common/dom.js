/**
 * Small DOM and number helpers of the control panel: `el` (an element with
 * attributes and children), `srOnly` (text for screen readers only),
 * `numberText` (a short exact text of a number) and `typed` (the number in an
 * input). No state of their own.
 */

/**
 * An element with attributes and children. `text` sets textContent; a boolean
 * attribute is set when true and left out when false.
 * @param {string} tag
 * @param {object} [attrs]
 * @param {...(Node|string|null)} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/**
 * A span that screen readers read and eyes do not see.
 * @param {string} text
 * @returns {HTMLElement}
 */
export function srOnly(text) {
  return el("span", { class: "ctl-sr", text });
}

/**
 * A short, exact text of a number (no float noise, no exponent below 1e-6);
 * "" for anything that is not a finite number.
 * @param {any} value
 * @returns {string}
 */
export function numberText(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "";
  return String(Number(value.toPrecision(12)));
}

/**
 * The number typed in an input, or NaN ("" gives NaN).
 * @param {HTMLInputElement} input
 * @returns {number}
 */
export function typed(input) {
  const text = input.value.trim();
  return text === "" ? Number.NaN : Number(text);
}
