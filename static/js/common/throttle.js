/**
 * Work that follows a playing run's frames, but at most so often: the network
 * diagram's links and the batch-norm table cost the browser a layout or a
 * raster each time they change, so while a run plays they are redone at most
 * once per `period` milliseconds and per `frames` frames. The newest frame's
 * work always lands: a frame whose work waits is done `fallback` ms after the
 * period ends unless a later frame comes first (it replaces it), and a frame of
 * a run that is not playing (a step, a reset, an edit, a pause) at once.
 *
 * `new Throttle({period, frames, fallback})`, `.offer(playing, work)` per frame,
 * `.cancel()` to drop the waiting work.
 */
export class Throttle {
  /** @param {{period?: number, frames?: number, fallback?: number}} options */
  constructor({ period = 0, frames = 1, fallback = 0 } = {}) {
    this.period = period;
    this.frames = frames;
    this.fallback = fallback;
    this.doneAt = -Infinity; // when the work was last done (performance.now())
    this.since = Infinity;   // frames offered since then
    this.timer = 0;
  }

  /**
   * A frame's work: done now, or kept (in place of any kept before) for later.
   * @param {boolean} playing whether the frame's run is playing
   * @param {() => void} work
   */
  offer(playing, work) {
    this.since += 1;
    this.cancel();
    const now = performance.now();
    const due = this.doneAt + (playing ? this.period : 0);
    if (!playing || (now >= due && this.since >= this.frames)) {
      this.#run(work);
      return;
    }
    this.timer = setTimeout(() => this.#run(work), Math.max(0, due - now) + this.fallback);
  }

  /** Drops the work waiting, if any. */
  cancel() {
    clearTimeout(this.timer);
    this.timer = 0;
  }

  #run(work) {
    this.cancel();
    this.doneAt = performance.now();
    this.since = 0;
    work();
  }
}
