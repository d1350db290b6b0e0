/**
 * The lessons panel: the lessons in the order of the notes, each one's text
 * (the claim, what to watch, why it happens), a button that loads it, a choice of
 * variant, and, for lessons with variants, a side-by-side comparison of two or
 * three of them (`MAX_COMPARED`).
 *
 * `new LessonsPanel(container, lessons, {onLoad, makeComparison})` with `lessons`
 * the `GET /api/lessons` answer: `[{name, title, claim, watch, why, spec, steps,
 * expectation, variants: [{name, label, spec, hand_weights}], hand_weights,
 * display}]`. `onLoad({name, variant})` (variant a variant's name, or null for
 * the lesson's own preset); `makeComparison(lesson, variants)` with the lesson
 * object and the chosen variant names, in the lesson's order (two or three).
 * `datasets` (GET /api/datasets), when given,
 * tells which lessons are the lab's (data that are not points, see
 * lab_lessons.js): those get a link that opens them in the lab instead.
 *
 * All text from the server goes into the page through textContent.
 */

import { el } from "../common/dom.js";
import { t } from "../common/i18n.js";
import { isLabLesson, labHref } from "./lab_lessons.js";

/** The parts of a lesson's text, in reading order, with their headings. */
const TEXT_PARTS = [
  ["claim", t("The idea")],
  ["watch", t("What to watch")],
  ["why", t("Why it happens")],
];

/**
 * Paragraphs and bullet lists from plain text: blank lines split paragraphs,
 * lines starting with "- " or "* " are bullets.
 * @param {string} text
 * @returns {HTMLElement[]}
 */
export function textBlocks(text) {
  const blocks = [];
  for (const chunk of String(text || "").split(/\n\s*\n/)) {
    const lines = chunk.split("\n").map((l) => l.trim()).filter(Boolean);
    if (!lines.length) continue;
    const bullet = /^[-*]\s+/;
    if (lines.every((l) => bullet.test(l))) {
      blocks.push(el("ul", {}, ...lines.map((l) => el("li", { text: l.replace(bullet, "") }))));
    } else {
      blocks.push(el("p", { text: lines.join(" ") }));
    }
  }
  return blocks;
}

/**
 * A lesson's text as elements: a heading and paragraphs for each of claim,
 * watch and why (for the lessons panel, and for a note beside the views).
 * @param {object} lesson an entry of GET /api/lessons
 * @param {string} [headingTag] the tag of the part headings
 * @returns {DocumentFragment}
 */
export function lessonText(lesson, headingTag = "h4") {
  const out = document.createDocumentFragment();
  for (const [key, heading] of TEXT_PARTS) {
    if (!lesson[key]) continue;
    out.append(el(headingTag, { text: heading }), ...textBlocks(lesson[key]));
  }
  return out;
}

/** JSON with sorted keys (to compare specs). */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The index of the variant whose spec is the lesson's own (-1 if none). */
export function presetIndex(lesson) {
  const own = canonical(lesson.spec);
  return (lesson.variants || []).findIndex((v) => canonical(v.spec) === own);
}

/** Most variants compared side by side. */
export const MAX_COMPARED = 3;

/**
 * The variants to compare first: all of them when there are at most
 * MAX_COMPARED, else the pair `defaultPair` gives.
 * @param {object} lesson
 * @returns {string[]} variant names in the lesson's order ([] with fewer than two)
 */
export function defaultChoice(lesson) {
  const variants = lesson.variants || [];
  if (variants.length < 2) return [];
  if (variants.length <= MAX_COMPARED) return variants.map((v) => v.name);
  return defaultPair(lesson);
}

/**
 * The two variants to compare first: the lesson's own setting and the one
 * listed before it (or after it, when it is the first).
 * @param {object} lesson
 * @returns {[string, string]|null} two variant names, or null with fewer than two
 */
export function defaultPair(lesson) {
  const variants = lesson.variants || [];
  if (variants.length < 2) return null;
  const at = Math.max(0, presetIndex(lesson));
  const [a, b] = at > 0 ? [at - 1, at] : [0, 1];
  return [variants[a].name, variants[b].name];
}

export class LessonsPanel {
  /**
   * @param {HTMLElement} container where the panel goes (its content is replaced)
   * @param {object[]} lessons the GET /api/lessons answer
   * @param {{onLoad: (choice: {name: string, variant: string|null}) => void,
   *   makeComparison: (lesson: object, variants: string[]) => void,
   *   datasets?: object[]}} handlers
   */
  constructor(container, lessons, { onLoad, makeComparison, datasets = [] }) {
    this.container = container;
    this.datasets = datasets;
    this.lessons = Array.isArray(lessons) ? lessons : [];
    this.onLoad = onLoad;
    this.makeComparison = makeComparison;
    this.prefix = container.id || "lessons";
    this.current = null;
    this.list = el("ol", { class: "lessons-list", "data-testid": "lesson-list",
      "aria-label": t("Lessons") });
    this.body = el("div", { class: "lesson-body", "data-testid": "lesson-body",
      "aria-live": "polite" });
    this.list.append(...this.lessons.map((lesson) => this.entry(lesson)));
    this.list.addEventListener("keydown", (event) => this.arrows(event));
    container.replaceChildren(el("div", { class: "lessons" }, this.list, this.body));
    if (this.lessons.length) this.show(this.lessons[0].name);
    else this.body.append(el("p", { text: t("No lessons on this server.") }));
  }

  /**
   * Show the lesson called `name` (its text, variants and buttons).
   * @param {string} name
   * @returns {boolean} whether there is such a lesson
   */
  show(name) {
    const lesson = this.lessons.find((l) => l.name === name);
    if (!lesson) return false;
    this.current = lesson;
    for (const button of this.list.querySelectorAll("button")) {
      button.setAttribute("aria-current", String(button.dataset.lesson === name));
    }
    const parts = [
      el("h3", { "data-testid": "lesson-title", text: lesson.title || lesson.name }),
      el("div", { "data-testid": "lesson-text" }, lessonText(lesson)),
      this.variantList(lesson),
      this.actions(lesson),
    ];
    this.body.replaceChildren(...parts.filter(Boolean));
    return true;
  }

  /** One lesson in the list: a button with its title. */
  entry(lesson) {
    const button = el("button", { type: "button", "data-testid": `lesson-${lesson.name}`,
      "data-lesson": lesson.name, "aria-current": "false" },
    el("span", { text: lesson.title || lesson.name }));
    button.addEventListener("click", () => this.show(lesson.name));
    return el("li", {}, button);
  }

  /** Up and down arrows move through the list (and show the lesson). */
  arrows(event) {
    if (!["ArrowUp", "ArrowDown", "Home", "End"].includes(event.key)) return;
    const buttons = [...this.list.querySelectorAll("button")];
    const at = buttons.indexOf(event.target);
    if (at < 0) return;
    event.preventDefault();
    const next = { ArrowUp: at - 1, ArrowDown: at + 1, Home: 0, End: buttons.length - 1 }[event.key];
    const target = buttons[Math.min(buttons.length - 1, Math.max(0, next))];
    target.focus();
    this.show(target.dataset.lesson);
  }

  /** The variants as a short list ("what the variants are"). */
  variantList(lesson) {
    const variants = lesson.variants || [];
    if (!variants.length) return null;
    return el("div", { class: "lesson-variants" },
      el("h4", { text: t("Variants") }),
      el("ul", { "data-testid": "lesson-variants" },
        ...variants.map((v) => el("li", { text: v.label || v.name }))));
  }

  /** An id unique to this panel. */
  id(key) {
    return `${this.prefix}-${key}`;
  }

  /** A labelled select of the lesson's variants. */
  variantSelect(lesson, key, label, chosen, withPreset = false) {
    const select = el("select", { id: this.id(key), "data-testid": key });
    if (withPreset) select.append(el("option", { value: "", text: t("as set in the lesson") }));
    for (const v of lesson.variants || []) {
      select.append(el("option", { value: v.name, text: v.label || v.name }));
    }
    select.value = chosen ?? "";
    return [el("label", { for: this.id(key), text: label }), select];
  }

  /** A lab lesson: its variant choice and a link that opens it in the lab. */
  labActions(lesson) {
    const box = el("div", { class: "lesson-actions" });
    const link = el("a", { class: "lesson-primary lesson-lab-link", "data-testid": "lesson-open-lab",
      href: labHref(lesson.name), text: t("Open in the lab") });
    const variants = lesson.variants || [];
    if (variants.length) {
      const preset = presetIndex(lesson);
      const [label, select] = this.variantSelect(lesson, "lesson-variant", t("Variant"),
        preset >= 0 ? variants[preset].name : "", preset < 0);
      const follow = () => { link.href = labHref(lesson.name, select.value || null); };
      select.addEventListener("change", follow);
      follow();
      box.append(label, select);
    }
    box.append(link, el("span", { class: "lesson-lab-note",
      text: t("Its data are images or text: the lab shows them.") }));
    return box;
  }

  /** Load (with the variant choice) and compare (two or three variants ticked). */
  actions(lesson) {
    if (isLabLesson(lesson, this.datasets)) return this.labActions(lesson);
    const box = el("div", { class: "lesson-actions" });
    const variants = lesson.variants || [];
    let variantSelect = null;
    if (variants.length) {
      const preset = presetIndex(lesson);
      const [label, select] = this.variantSelect(lesson, "lesson-variant", t("Variant"),
        preset >= 0 ? variants[preset].name : "", preset < 0);
      variantSelect = select;
      box.append(label, select);
    }
    const load = el("button", { type: "button", class: "lesson-primary",
      "data-testid": "lesson-load", text: t("Load") });
    load.addEventListener("click", () => this.onLoad({ name: lesson.name,
      variant: variantSelect?.value || null }));
    box.append(load);
    const chosen = defaultChoice(lesson);
    if (!chosen.length) return box;
    return el("div", {}, box, this.compareChoice(lesson, chosen));
  }

  /**
   * A box to tick per variant (those in `chosen` ticked) and the button that
   * compares the ticked ones: enabled with two or three ticked; with three, the
   * other boxes wait until one is unticked.
   */
  compareChoice(lesson, chosen) {
    const boxes = (lesson.variants || []).map((v) => el("input", { type: "checkbox",
      id: this.id(`compare-${v.name}`), value: v.name, "data-testid": `lesson-compare-${v.name}`,
      checked: chosen.includes(v.name) }));
    const compare = el("button", { type: "button", "data-testid": "lesson-compare",
      text: t("Compare side by side") });
    const ticked = () => boxes.filter((b) => b.checked).map((b) => b.value);
    const sync = () => {
      const count = ticked().length;
      for (const box of boxes) box.disabled = !box.checked && count >= MAX_COMPARED;
      compare.disabled = count < 2;
      compare.title = compare.disabled ? t("Tick two or three variants") : "";
    };
    for (const box of boxes) box.addEventListener("change", sync);
    sync();
    compare.addEventListener("click", () => this.makeComparison(lesson, ticked()));
    const labels = boxes.map((box, i) => el("label", { class: "lesson-compare-choice", for: box.id },
      box, ` ${lesson.variants[i].label || lesson.variants[i].name}`));
    return el("fieldset", { class: "lesson-actions lesson-compare", "data-testid": "lesson-compare-choice" },
      el("legend", { text: t("Compare two or three variants side by side") }), ...labels, compare);
  }
}
