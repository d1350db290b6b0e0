/**
 * One run on the server, its live socket, and the views it feeds: the unit of
 * the playground (one session) and of a side-by-side comparison (two).
 */

import { api, createRun, deleteRun, holdRun } from "../common/api.js";
import { LiveRun } from "../common/live.js";
import { stoppedItself } from "../common/run_state.js";

/**
 * One run on the server, its live socket, and the views it feeds. Frames are
 * handed to charts at once (they keep every point) and to the drawings once per
 * animation frame (only the newest counts). A run that stopped itself (it
 * diverged) is paused, so that a reset leaves it paused at step 0. Commands sent
 * while the run is still being made (a Play pressed at once) go to its socket
 * when it opens. A session closed while its run is being made drops that run
 * when it comes and never connects (`open` gives null).
 */
export class Session {
  /**
   * @param {object} views {output: OutputView, network?: NetworkView,
   *   stats?: BatchNormPanel,
   *   loss: LossChart, gradient: GradientChart, onFrame?(frame), onError?(detail)}
   */
  constructor(views) {
    this.views = views;
    this.run = null;
    this.closed = false;
    this.early = []; // commands sent before the socket existed
    this.live = null;
    this.latest = null;
    this.drawPending = false;
    this.framesDrawn = 0;
    this.drawTimes = [];
  }

  /** Create a run from `request` ({spec} or {lesson, variant}), or adopt `run`;
   * null if the session was closed meanwhile. */
  async open(request, run = null) {
    const made = run || (await createRun(request));
    if (this.closed) { // closed while the run was being made: nobody shows it
      if (!run) await deleteRun(made.id);
      return null;
    }
    this.run = made;
    if (run) holdRun(run.id);
    let points;
    try {
      points = await api(`/api/runs/${this.run.id}/points`);
    } catch (err) {
      if (this.closed) return null; // its run went with the close
      throw err;
    }
    if (this.closed) return null;
    this.views.output.setPoints(points);
    this.views.loss.reset();
    this.views.gradient.reset();
    this.live = new LiveRun(this.run.id);
    this.live.addEventListener("frame", (event) => this.receive(event.detail));
    this.live.addEventListener("servererror", (event) => {
      if (this.run) this.views.onError?.(event.detail); // not a closed session's
    });
    this.live.connect();
    for (const command of this.early) this.live.send(command);
    this.early = [];
    return this.run;
  }

  receive(frame) {
    if (!this.run) return; // closed: a frame still on its way
    if (stoppedItself(frame.header)) this.send({ type: "pause" }); // diverged: stopped
    this.views.loss.push(frame);
    this.views.gradient.push(frame);
    this.latest = frame;
    this.views.onFrame?.(frame);
    if (!this.drawPending) {
      this.drawPending = true;
      requestAnimationFrame(() => this.draw());
    }
  }

  draw() {
    this.drawPending = false;
    const frame = this.latest;
    if (!frame || !this.run) return; // closed since the draw was asked for
    const started = performance.now();
    this.views.output.update(frame);
    if (this.views.network) this.views.network.update(frame, this.run.spec);
    this.views.stats?.update(frame);
    this.framesDrawn += 1;
    this.drawTimes.push(performance.now() - started);
    if (this.drawTimes.length > 100) this.drawTimes.shift();
    this.views.onDrawn?.(this);
  }

  send(command) {
    if (this.live) this.live.send(command);
    else this.early.push(command);
  }

  /** Close the socket and drop the run on the server. */
  async close() {
    this.closed = true;
    this.early = [];
    this.live?.close();
    const run = this.run;
    this.run = null; // before waiting: no frame is drawn for a closed session
    this.latest = null;
    if (run) await deleteRun(run.id);
  }
}
