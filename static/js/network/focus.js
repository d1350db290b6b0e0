/**
 * Roving focus for the network diagram: the units of a column, or the links and
 * biases of a dense layer, form a group with one tab stop; arrow keys, Home and
 * End move within the group. An item is `{el, group, pos, ...}` and a group
 * `{items, stop}`; both are plain objects owned by the diagram's model.
 */

/** How far each key moves in a group. */
const MOVES = Object.freeze({ ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, Home: -Infinity, End: Infinity });

/** A new, empty group. */
export function focusGroup() {
  return { items: [], stop: null };
}

/**
 * Makes `el` the next item of `item.group` (the first one is the tab stop) and
 * records it in `items` for event lookup.
 * @param {Map<Element, object>} items
 * @param {Element} el
 * @param {object} item with `group`; gets `el` and `pos`
 */
export function addItem(items, el, item) {
  item.el = el;
  item.pos = item.group.items.length;
  item.group.items.push(item);
  if (!item.group.stop) {
    item.group.stop = item;
    el.setAttribute("tabindex", "0");
  }
  items.set(el, item);
}

/**
 * The item of the same group that `key` moves to from `item`, or null when the
 * key does not move focus.
 */
export function moveTarget(item, key) {
  if (!(key in MOVES)) return null;
  const step = MOVES[key];
  const last = item.group.items.length - 1;
  const pos = Number.isFinite(step) ? Math.min(last, Math.max(0, item.pos + step)) : (step < 0 ? 0 : last);
  return item.group.items[pos];
}

/** Makes the focused `item` its group's tab stop. */
export function takeStop(item) {
  if (item.group.stop === item) return;
  item.group.stop.el.setAttribute("tabindex", "-1");
  item.el.setAttribute("tabindex", "0");
  item.group.stop = item;
}
