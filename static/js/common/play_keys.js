/**
 * The keyboard shortcuts of a page that trains: space plays or pauses, s steps,
 * r resets. Keys typed into a field, or with a modifier, are left alone, and a
 * focused button, link or diagram item keeps its own space.
 */

/** @param {{togglePlay: () => void, step: () => void, reset: () => void}} actions */
export function bindPlayKeys(actions) {
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.closest?.("input, select, textarea, [contenteditable], dialog");
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === " " && target.closest?.("button, a, [role=button], [tabindex]")) return;
    if (event.key === " ") {
      event.preventDefault();
      actions.togglePlay();
    } else if (event.key === "s") {
      actions.step();
    } else if (event.key === "r") {
      actions.reset();
    }
  });
}
