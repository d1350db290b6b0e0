/**
 * The teacher's read-only view of one student's run: its output map (runs on
 * points) or the sample the student's lab shows with its class scores (image and
 * text runs: the lab's own views), its loss chart and its gradient-by-depth chart,
 * fed by the run's live socket. The server refuses commands on this socket; the
 * view sends none.
 */

import { api } from "../common/api.js";
import { LossChart } from "../charts/charts.js";
import { fmt } from "../playground/comparison.js";
import { t } from "../common/i18n.js";
import { DepthGradientChart } from "../lab/depth_chart.js";
import { InputView } from "../lab/input.js";
import { modalityOf } from "../lessons/lab_lessons.js";
import { ScoresView } from "../lab/scores.js";
import { TextView } from "../lab/text.js";
import { LiveRun } from "../common/live.js";
import { OutputView } from "../output/view.js";

export class WatchView {
  /**
   * @param {HTMLElement} section the `#watch` section
   * @param {object[]} datasets GET /api/datasets (which runs have points to map)
   * @param {(err: Error|object) => void} onError
   */
  constructor(section, datasets, onError) {
    this.section = section;
    this.datasets = datasets;
    this.onError = onError;
    this.title = section.querySelector("#watch-title");
    this.metrics = section.querySelector("#watch-metrics");
    this.outputCanvas = section.querySelector("#watch-output");
    this.output = new OutputView(this.outputCanvas);
    this.loss = new LossChart(section.querySelector("#watch-loss"));
    // gradient by depth over conv layers too (the lab's chart; dense nets alike)
    this.gradient = new DepthGradientChart(section.querySelector("#watch-gradient"));
    this.probeBox = section.querySelector("#watch-probe");
    this.inputFigure = section.querySelector("#watch-input-figure");
    this.input = new InputView(section.querySelector("#watch-input"),
      section.querySelector("#watch-input-caption"));
    this.textBox = section.querySelector("#watch-text");
    this.text = new TextView(this.textBox);
    this.scores = new ScoresView(section.querySelector("#watch-scores"));
    this.modality = "points";
    this.live = null;
    this.runId = null;
    this.latest = null;
    this.drawPending = false;
    section.querySelector("#watch-close").addEventListener("click", () => this.close());
  }

  /** Watch `run` (a class table row's run) of student `name`. */
  async open(name, run) {
    this.close();
    this.runId = run.id;
    this.title.textContent = t("Watching {name}", { name });
    this.metrics.textContent = "";
    this.loss.reset();
    this.gradient.reset();
    this.section.hidden = false;
    // only a run on 2-D points has a map to draw (asking for an image or text
    // run's points is refused, and the browser would log the refusal)
    const info = await api(`/api/runs/${run.id}`);
    if (this.runId !== run.id) return; // another run was chosen meanwhile
    this.modality = modalityOf({ spec: info.spec }, this.datasets);
    const points = this.modality === "points" ? await api(`/api/runs/${run.id}/points`) : null;
    if (this.runId !== run.id) return;
    this.outputCanvas.hidden = points === null;
    this.probeBox.hidden = points !== null;
    this.inputFigure.hidden = this.modality !== "image";
    this.textBox.hidden = this.modality !== "text";
    this.output.setPoints(points);
    const live = new LiveRun(run.id);
    live.addEventListener("frame", (event) => this.receive(event.detail));
    live.addEventListener("servererror", (event) => {
      // the run went (the student's page replaced it): say so here; the page
      // moves the view to the student's next run (TeacherPage.follow)
      if (event.detail.field === "run") this.metrics.textContent = event.detail.message;
      else this.onError(event.detail);
    });
    live.connect();
    this.live = live;
  }

  receive(frame) {
    const h = frame.header;
    this.loss.push(frame);
    this.gradient.push(frame);
    this.metrics.textContent = t("step {step} · test loss {loss} · test accuracy {accuracy}",
      { step: h.step, loss: fmt(h.test_loss), accuracy: fmt(h.test_accuracy, 2) });
    this.latest = frame;
    if (this.modality !== "points" && frame.header.probe) {
      if (this.modality === "image") this.input.update(frame);
      else this.text.update(frame);
      this.scores.update(frame.header.probe);
      return;
    }
    if (!this.drawPending && !this.outputCanvas.hidden) {
      this.drawPending = true;
      requestAnimationFrame(() => {
        this.drawPending = false;
        if (this.latest) this.output.update(this.latest);
      });
    }
  }

  /** Stop watching (the student's run is not touched). */
  close() {
    this.live?.close();
    this.live = null;
    this.runId = null;
    this.latest = null;
    this.section.hidden = true;
  }
}
