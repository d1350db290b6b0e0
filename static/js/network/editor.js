/**
 * Editing one weight or bias of the network diagram: what an editable item (a
 * link or a bias mark) is called and holds in a frame, its accessible label, and
 * `WeightEditor`, the small number field that floats over the diagram (Enter
 * applies, Escape or leaving cancels).
 *
 * An editable item is `{kind: "weight", set, i, j}` or `{kind: "bias", set, j}`,
 * `set` being a dense layer's link set (`{link, to, ...}`, see network/build.js).
 */

import { clamp } from "./geometry.js";
import { readArray } from "./frame.js";
import { fmt, unitName } from "./labels.js";
import { html, setAttr } from "./dom.js";
import { t } from "../common/i18n.js";

/**
 * The parameter behind an editable item and its value in `frame`.
 * @param {object} layout from `layoutColumns`
 * @param {object} frame a decoded frame
 * @param {object} item a weight or bias item
 * @returns {{name: "W"|"b", value: number, text: string, index: number[]}} `text`
 *   describes it ("weight from x1 to unit 3 of layer 1"); `index` is [i, j] or [j]
 */
export function describeEditable(layout, frame, item) {
  const { set } = item;
  const to = layout.columns[set.link.to], from = layout.columns[set.link.from];
  const name = item.kind === "weight" ? "W" : "b";
  const arr = readArray(frame, `layers.${set.link.dense.index}.params.${name}`);
  const flat = item.kind === "weight" ? item.i * set.to.length + item.j : item.j;
  const value = arr ? arr.data[flat] : NaN;
  const text = item.kind === "weight"
    ? t("weight from {from} to {to}", { from: unitName(from, item.i), to: unitName(to, item.j) })
    : t("bias of {unit}", { unit: unitName(to, item.j) });
  return { name, value, text, index: item.kind === "weight" ? [item.i, item.j] : [item.j] };
}

/** Sets the accessible name of a link or bias ("weight from x1 to unit 3 of layer 1: -0.52"). */
export function labelEditable(layout, frame, item) {
  if (!frame) return;
  const d = describeEditable(layout, frame, item);
  setAttr(item.el, "aria-label", t("{name}: {value}", { name: d.text, value: fmt(d.value) }));
}

/** A small number field over the diagram: Enter applies, Escape or leaving cancels. */
export class WeightEditor {
  #box;
  #label;
  #input;
  #target = null;
  #onApply;

  /**
   * @param {HTMLElement} root the positioned element to float in
   * @param {(target: object, value: number) => void} onApply called with the
   *   target given to `open` and the finite number typed
   */
  constructor(root, onApply) {
    this.#onApply = onApply;
    this.#box = html("div", "nv-editor", root);
    this.#box.hidden = true;
    this.#box.setAttribute("role", "dialog");
    const label = html("label", "", this.#box);
    this.#label = html("span", "nv-editor-label", label);
    this.#input = html("input", "", label);
    this.#input.type = "number";
    this.#input.step = "any";
    html("span", "nv-editor-hint", this.#box).textContent = t("Enter to apply, Esc to cancel");
    this.#input.addEventListener("keydown", (e) => this.#key(e));
    this.#input.addEventListener("blur", () => this.close(false));
  }

  /** The target being edited, or null. */
  get target() {
    return this.#target;
  }

  /**
   * Opens for `target` (`{el, text, value}`) at (x, y) in the root's content
   * coordinates, kept inside `rootWidth`.
   */
  open(target, x, y, rootWidth) {
    this.#target = target;
    this.#label.textContent = target.text;
    this.#box.setAttribute("aria-label", t("Edit {name}", { name: target.text }));
    this.#input.value = Number.isFinite(target.value) ? String(Number(target.value.toPrecision(4))) : "";
    this.#input.removeAttribute("aria-invalid");
    this.#box.hidden = false;
    const w = this.#box.offsetWidth;
    this.#box.style.left = `${clamp(x - w / 2, 2, Math.max(2, rootWidth - w - 2))}px`;
    this.#box.style.top = `${Math.max(2, y + 10)}px`;
    this.#input.focus();
    this.#input.select();
  }

  /** Closes; gives the focus back to the edited link or bias when `restoreFocus`. */
  close(restoreFocus) {
    if (!this.#target) return;
    const el = this.#target.el;
    this.#target = null;
    this.#box.hidden = true;
    if (restoreFocus && el.isConnected) el.focus({ preventScroll: true });
  }

  #key(event) {
    event.stopPropagation(); // typing here is not a page shortcut
    if (event.key === "Escape") {
      event.preventDefault();
      this.close(true);
    } else if (event.key === "Enter") {
      event.preventDefault();
      this.#submit();
    }
  }

  /** Applies a finite value (closing first), or marks the field invalid. */
  #submit() {
    const value = this.#input.value.trim() === "" ? NaN : Number(this.#input.value);
    if (!Number.isFinite(value)) {
      this.#input.setAttribute("aria-invalid", "true");
      return;
    }
    const target = this.#target;
    this.close(true);
    this.#onApply(target, value);
  }
}
