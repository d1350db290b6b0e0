/**
 * The teacher's read-only view of one student's run: its output map (runs on
 * points), its loss chart and its gradient-by-depth chart, fed by the run's live
 * socket. The server refuses commands on this socket; the view sends none.
 */

import { api } from "./api.js";
import { GradientChart, LossChart } from "./charts.js";
import { fmt } from "./comparison.js";
import { t } from "./i18n.js";
import { modalityOf } from "./lab_lessons.js";
import { LiveRun } from "./live.js";
import { OutputView } from "./output_view.js";

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
    this.gradient = new GradientChart(section.querySelector("#watch-gradient"));
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
    const points = modalityOf({ spec: info.spec }, this.datasets) === "points"
      ? await api(`/api/runs/${run.id}/points`) : null;
    if (this.runId !== run.id) return;
    this.outputCanvas.hidden = points === null;
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
