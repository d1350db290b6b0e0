/**
 * What a frame's header says a run is doing: playing, paused or diverged, and
 * at which step (docs/protocol.md: `playing` is the live view's wish, `status`
 * the run's own state). A run that diverged has stopped itself even while its
 * header still says `playing`: the server trains it no further, so the pages
 * show it stopped (the Play button reads Play) and pause it.
 */

/** @typedef {{kind: "playing"|"paused"|"diverged", step: number}} RunState */

/**
 * The run's state from a frame header.
 * @param {{playing?: boolean, status?: string, step?: number}} header
 * @returns {RunState}
 */
export function runState(header) {
  const step = Number(header.step) || 0;
  if (header.status === "diverged") return { kind: "diverged", step };
  return { kind: header.playing ? "playing" : "paused", step };
}

/**
 * Whether the run stopped itself while the view still plays it (it diverged):
 * the page should send `pause`, so that the server's view matches the button.
 * @param {{playing?: boolean, status?: string}} header
 */
export function stoppedItself(header) {
  return header.status === "diverged" && header.playing === true;
}
