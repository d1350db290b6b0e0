/**
 * One y range for several charts, so that runs shown side by side compare at a
 * glance: every chart joined to a `SharedAxis` draws its y axis over the union
 * of the members' value ranges, and when a new frame widens (or narrows) that
 * union the other members redraw.
 *
 * A member is a time chart (time_chart.js): it answers `extent()`, its own
 * `{lo, hi}` (smallest positive and largest value its y axis shows, NaN when it
 * has none), and `requestDraw()`; it calls `changed(member)` when its values
 * change and reads `range()` when it draws.
 */

export class SharedAxis {
  constructor() {
    /** @type {Set<object>} */
    this.charts = new Set();
    this.key = "";
  }

  /** Join `chart` to this axis (it reads the shared range from now on). */
  add(chart) {
    this.charts.add(chart);
    chart.axis = this;
    this.changed(null);
  }

  /** Let `chart` go back to its own range. */
  delete(chart) {
    if (!this.charts.delete(chart)) return;
    if (chart.axis === this) chart.axis = null;
    chart.requestDraw();
    this.changed(null);
  }

  /**
   * The union of the members' extents: `{lo, hi}`, the smallest positive and
   * the largest value of any member (NaN when no member has one).
   * @returns {{lo: number, hi: number}}
   */
  range() {
    let lo = Infinity;
    let hi = -Infinity;
    for (const chart of this.charts) {
      const own = chart.extent();
      if (own.lo < lo) lo = own.lo;
      if (own.hi > hi) hi = own.hi;
    }
    return { lo: Number.isFinite(lo) ? lo : NaN, hi: Number.isFinite(hi) ? hi : NaN };
  }

  /** A member's values changed: when the union moved, the other members redraw. */
  changed(from) {
    const { lo, hi } = this.range();
    const key = `${lo}|${hi}`;
    if (key === this.key) return;
    this.key = key;
    for (const chart of this.charts) if (chart !== from) chart.requestDraw();
  }
}
