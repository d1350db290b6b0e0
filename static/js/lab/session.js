/**
 * One run of the lab on the server and its live socket: the lab's counterpart of
 * session.js, without the point views (image and text runs have no points to
 * draw; their frames carry a probe of one sample instead).
 *
 * Frames go to the time charts at once (they keep every point), to `onFrame` at
 * once (counters, metrics) and to `onDraw` once per animation frame (the newest
 * frame only: maps and kernels). A run that stopped itself (it diverged) is
 * paused, so that a reset leaves it paused at step 0.
 */

import { createRun, deleteRun, releaseRun } from "../common/api.js";
import { LiveRun } from "../common/live.js";
import { stoppedItself } from "../common/run_state.js";

export class LabSession {
  /**
   * @param {{charts?: object[], onFrame?: (frame) => void, onDraw?: (frame) => void,
   *   onError?: (detail: {field?: string, message: string}) => void}} views
   *   charts: objects with `reset()` and `push(frame)` (LossChart, GradientChart)
   */
  constructor(views) {
    this.views = views;
    this.charts = views.charts || [];
    this.run = null;
    this.live = null;
    this.latest = null;
    this.drawPending = false;
    this.framesDrawn = 0;
    this.closed = false;
    this.gone = false;
  }

  /**
   * Create a run from `{lesson, variant}` or `{spec}` and connect to it, unless
   * `wanted()` says by then that the page has moved on (the run is deleted again).
   * Rejects with the ApiError of a refused request.
   */
  async open(request, wanted = () => true) {
    this.run = await createRun(request);
    if (this.closed || !wanted()) {  // given up meanwhile: leave the shared charts alone
      this.closed = true;
      this.gone = true;  // deleted here: close() has nothing left to delete
      await deleteRun(this.run.id);
      return this.run;
    }
    for (const chart of this.charts) chart.reset();
    this.live = new LiveRun(this.run.id);
    this.live.addEventListener("frame", (event) => this.receive(event.detail));
    this.live.addEventListener("servererror", (event) => this.views.onError?.(event.detail));
    this.live.connect();
    return this.run;
  }

  receive(frame) {
    if (this.closed) return;
    if (stoppedItself(frame.header)) this.send({ type: "pause" }); // diverged: stopped
    for (const chart of this.charts) chart.push(frame);
    this.latest = frame;
    this.views.onFrame?.(frame);
    if (!this.drawPending) {
      this.drawPending = true;
      requestAnimationFrame(() => this.draw());
    }
  }

  draw() {
    this.drawPending = false;
    if (!this.latest || this.closed) return;
    this.views.onDraw?.(this.latest);
    this.framesDrawn += 1;
  }

  /** Send one live command (see docs/protocol.md). */
  send(command) {
    this.live?.send(command);
  }

  /** Clear the charts and send the run back to step 0. */
  reset() {
    for (const chart of this.charts) chart.reset();
    this.send({ type: "reset" });
  }

  /** Close the socket and drop the run on the server (unless `gone`: the server
   * said it was deleted or lost). */
  async close() {
    this.closed = true;
    this.live?.close();
    if (this.run && this.gone) releaseRun(this.run.id);
    else if (this.run) await deleteRun(this.run.id);
    this.run = null;
  }
}
