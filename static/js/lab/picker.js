/**
 * The lab's lesson picker: a select of the lab's lessons, a select of the chosen
 * lesson's variants (the lesson's own preset first when it is not one of them),
 * and the lesson's text (the claim, what to watch, why) in the page.
 *
 * `new LessonPicker({lessonSelect, variantSelect, textBox}, lessons, onChange)`;
 * `choose({lesson, variant})` sets the choice without calling back and answers
 * the choice it settled on (an unknown lesson gives the first, an unknown
 * variant the preset); `onChange({lesson, variant})` follows the user's choices.
 */

import { el } from "../common/dom.js";
import { t } from "../common/i18n.js";
import { lessonText, presetIndex } from "../lessons/panel.js";

export class LessonPicker {
  /**
   * @param {{lessonSelect: HTMLSelectElement, variantSelect: HTMLSelectElement,
   *   textBox: HTMLElement}} elements
   * @param {object[]} lessons the lab's lessons (GET /api/lessons entries)
   * @param {(choice: {lesson: string, variant: string|null}) => void} onChange
   */
  constructor({ lessonSelect, variantSelect, textBox }, lessons, onChange) {
    this.lessonSelect = lessonSelect;
    this.variantSelect = variantSelect;
    this.textBox = textBox;
    this.lessons = lessons;
    this.onChange = onChange;
    lessonSelect.replaceChildren(...lessons.map((l) => el("option", { value: l.name,
      text: l.title || l.name })));
    lessonSelect.addEventListener("change", () => {
      const choice = this.choose({ lesson: lessonSelect.value, variant: null });
      this.onChange(choice);
    });
    variantSelect.addEventListener("change", () => {
      this.onChange({ lesson: lessonSelect.value, variant: variantSelect.value || null });
    });
  }

  /** The lesson called `name` (or undefined). */
  lesson(name) {
    return this.lessons.find((l) => l.name === name);
  }

  /** Set the selects and the text to a choice; answers the choice made. */
  choose({ lesson, variant }) {
    const entry = this.lesson(lesson) || this.lessons[0];
    if (!entry) return { lesson: null, variant: null };
    this.lessonSelect.value = entry.name;
    const variants = entry.variants || [];
    const preset = presetIndex(entry);
    const options = variants.map((v) => el("option", { value: v.name, text: v.label || v.name }));
    if (preset < 0) options.unshift(el("option", { value: "", text: t("as set in the lesson") }));
    this.variantSelect.replaceChildren(...options);
    this.variantSelect.disabled = variants.length === 0;
    let chosen = variants.some((v) => v.name === variant) ? variant : null;
    if (chosen === null && preset >= 0) chosen = variants[preset].name;
    this.variantSelect.value = chosen ?? "";
    this.showText(entry);
    return { lesson: entry.name, variant: chosen };
  }

  showText(entry) {
    this.textBox.replaceChildren(el("h2", { "data-testid": "lesson-title", text: entry.title }),
      lessonText(entry, "h3"));
  }
}
