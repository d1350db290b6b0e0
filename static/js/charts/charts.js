/**
 * Time series of a run, drawn on a canvas against the training step: the public
 * face of the chart modules, so that `import ... from "./charts.js"` keeps working.
 *
 * - `LossChart` (loss_chart.js): train and test loss (solid, dashed) on the left
 *   axis, and train and test accuracy (0..1) on a right axis when the task has them.
 * - `GradientChart` (gradient_chart.js): per dense layer, the norm of dL/dW on a
 *   log axis, one line per layer coloured from the input side (dark) to the output
 *   (light).
 *
 * Both take decoded frames (`push(frame)`, reading only `frame.header`), redraw at
 * most once per animation frame, show a vertical rule and a value box under the
 * pointer, and start afresh when the step goes backwards (a reset) or, for the
 * gradient chart, when the dense layers change (a new network); their shared
 * machinery is time_chart.js.
 *
 * Small canvas helpers shared by the other views are exported too:
 * `fitCanvas` (canvas_fit.js), `formatNumber`, `niceTicks` (charts/scales.js),
 * `HoverBox` (hover_box.js), and `MAX_POINTS` (time_chart.js).
 */

export { fitCanvas } from "../common/canvas_fit.js";
export { formatNumber, niceTicks } from "./scales.js";
export { GradientChart } from "./gradient_chart.js";
export { HoverBox } from "./hover_box.js";
export { LossChart } from "./loss_chart.js";
export { MAX_POINTS } from "./time_chart.js";
