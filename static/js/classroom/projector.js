/**
 * The teacher's projector view: one button (`aria-pressed`) that turns the page
 * into what a class reads from the back of the room: the class panel across the
 * whole width, the join code and the class table in large type, the charts in
 * the projector theme (views.css `[data-theme="projector"]`). The page
 * remembers the choice (localStorage) for the next visit.
 */

const KEY = "nnplay-teacher-projector";

/**
 * Bind the projector-view button: pressing it toggles `data-theme="projector"`
 * on `root` (the document element) and the button's `aria-pressed`.
 * @param {HTMLButtonElement|null} button
 * @param {HTMLElement} [root]
 * @returns {{set: (on: boolean) => void}|null} null when the page has no button
 */
export function bindProjectorView(button, root = document.documentElement) {
  if (!button) return null;
  const set = (on) => {
    button.setAttribute("aria-pressed", String(on));
    if (on) root.dataset.theme = "projector";
    else delete root.dataset.theme;
    try {
      localStorage.setItem(KEY, on ? "on" : "off");
    } catch {
      // storage refused (private mode): the view still changes, only not remembered
    }
  };
  let remembered = null;
  try {
    remembered = localStorage.getItem(KEY);
  } catch {
    remembered = null;
  }
  set(remembered === "on");
  button.addEventListener("click", () => set(button.getAttribute("aria-pressed") !== "true"));
  return { set };
}
