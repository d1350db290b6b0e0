/**
 * The page's status line: one sentence saying what happened, marked as an
 * error when something failed (the playground and the lab share it).
 */
import { ApiError } from "./api.js";
import { t } from "./i18n.js";

export class StatusLine {
  /** @param {HTMLElement} element the line's element */
  constructor(element) {
    this.element = element;
  }

  say(message, error = false) {
    this.element.textContent = message;
    this.element.classList.toggle("error", error);
  }

  /** Show a failure in words: an ApiError (its message names the field), an
   * Error, or a server notice `{field, message}`. */
  failed(err) {
    const message = String(err.message ?? err);
    this.say(err.field && !(err instanceof ApiError)
      ? t("{field}: {message}", { field: err.field, message }) : message, true);
  }
}
