/**
 * The loss chart: train and test loss (solid, dashed) against the training step
 * on the left axis (linear from 0, or log), and train and test accuracy (0..1) on
 * a right axis when the task has them. Hover shows the nearest step's values.
 * The canvas's `data-scale` says which loss axis was last drawn ("linear" or
 * "log"; read by the browser tests).
 */

import { accuracyScale, formatNumber, linearScale, logScale } from "./scales.js";
import { numberOr, TimeChart } from "./time_chart.js";
import { t } from "../common/i18n.js";

const TRAIN_LOSS = 0;
const TEST_LOSS = 1;
const TRAIN_ACCURACY = 2;
const TEST_ACCURACY = 3;

/**
 * Train and test loss against step (left axis, linear from 0 or log), and train
 * and test accuracy on a right axis 0..1 when any frame had them. Reads header
 * `step`, `train_loss`, `test_loss`, `train_accuracy`, `test_accuracy` (nulls are
 * skipped).
 */
export class LossChart extends TimeChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{log?: boolean}} [options] log: start with a log loss axis
   */
  constructor(canvas, { log = false } = {}) {
    super(canvas);
    this.log = log;
  }

  /** Switch the loss axis between linear (from 0) and log. */
  setLogScale(on) {
    this.log = Boolean(on);
    this.requestDraw();
  }

  /** The losses set the left axis (the accuracies have their own, 0..1). */
  yValues(row) {
    return [row.values[TRAIN_LOSS], row.values[TEST_LOSS]];
  }

  rowOf(h) {
    return {
      step: h.step,
      values: [numberOr(h.train_loss), numberOr(h.test_loss),
        numberOr(h.train_accuracy), numberOr(h.test_accuracy)],
    };
  }

  /** Whether any row has an accuracy (classification). */
  hasAccuracy() {
    return this.rows.some((r) => !Number.isNaN(r.values[TRAIN_ACCURACY]) || !Number.isNaN(r.values[TEST_ACCURACY]));
  }

  /** The plot below the legend's rows, with the accuracy axis on the right. */
  plotArea(size) {
    const rows = this.#legendRows(size.width, this.theme).length;
    return super.plotArea(size, this.hasAccuracy() ? 44 : 14, 8 + 16 * rows);
  }

  /** loss -> y (CSS px): linear over [0, a round max] or log over whole decades,
   * of this chart's losses or of every chart sharing its axis. */
  yScale(plot) {
    const { lo, hi } = this.yRange();
    if (this.log) return logScale(plot, [lo, hi].filter((v) => v > 0));
    return linearScale(plot, Number.isFinite(hi) ? [hi] : []);
  }

  drawYAxes(plot, y, theme) {
    this.canvas.dataset.scale = this.log ? "log" : "linear";
    this.drawGrid(plot, y, y.ticks, theme, "left");
    if (this.hasAccuracy()) {
      const acc = accuracyScale(plot);
      this.drawGrid(plot, acc, [0, 0.25, 0.5, 0.75, 1].map((v) => ({ value: v, label: `${v * 100}%` })),
        theme, "right");
    }
  }

  /** Loss lines in the loss colour, accuracy lines in the accuracy colour; test dashed. */
  drawSeries(plot, x, y) {
    const theme = this.theme;
    if (this.hasAccuracy()) {
      const acc = accuracyScale(plot);
      this.strokeSeries(x, acc, TRAIN_ACCURACY, theme.series2, false);
      this.strokeSeries(x, acc, TEST_ACCURACY, theme.series2, true);
    }
    this.strokeSeries(x, y, TRAIN_LOSS, theme.series1, false, 2);
    this.strokeSeries(x, y, TEST_LOSS, theme.series1, true, 2);
  }

  drawLegend(plot, theme) {
    this.#legendRows(this.canvas.clientWidth || this.fallback.width, theme)
      .forEach((entries, i) => this.drawLegendRow(plot, entries, theme, 10 + 16 * i));
  }

  /** The legend: one row when it fits beside the axis labels, else loss and accuracy
   * rows, else (a narrow chart) a row per entry. */
  #legendRows(width, theme) {
    const loss = [
      { label: t("train loss"), color: theme.series1, dashed: false },
      { label: t("test loss"), color: theme.series1, dashed: true },
    ];
    if (!this.hasAccuracy()) return [loss];
    const accuracy = [
      { label: t("train accuracy"), color: theme.series2, dashed: false },
      { label: t("test accuracy"), color: theme.series2, dashed: true },
    ];
    const one = loss.concat(accuracy);
    if (this.legendWidth(one) <= width - 60) return [one];
    if (Math.max(this.legendWidth(loss), this.legendWidth(accuracy)) <= width - 4) return [loss, accuracy];
    return one.map((entry) => [entry]);
  }

  hoverRows(row) {
    const theme = this.theme;
    const percent = (v) => (Number.isNaN(v) ? "–" : `${(100 * v).toFixed(1)}%`);
    const rows = [
      { label: t("train loss"), value: formatNumber(row.values[TRAIN_LOSS], 4), color: theme.series1 },
      { label: t("test loss"), value: formatNumber(row.values[TEST_LOSS], 4), color: theme.series1, dash: true },
    ];
    if (this.hasAccuracy()) {
      rows.push({ label: t("train accuracy"), value: percent(row.values[TRAIN_ACCURACY]), color: theme.series2 },
        { label: t("test accuracy"), value: percent(row.values[TEST_ACCURACY]), color: theme.series2, dash: true });
    }
    return rows;
  }
}
