/**
 * The join page: a student types the class code and their name; on success the
 * server sets their cookie and the page goes to the playground, whose class
 * banner opens the class's lesson.
 */

import { api } from "../common/api.js";
import { t } from "../common/i18n.js";
import { StatusLine } from "../common/status_line.js";

const status = new StatusLine(document.getElementById("status"));
const form = document.getElementById("join");
const code = document.getElementById("code");
const name = document.getElementById("name");
(code.value ? name : code).focus();

/** What a name may be, in the page's language. */
const nameRule = () => t("Type a name of 1 to 40 characters: letters, digits, spaces or emoji.");

/** A join failure as the student should read it, in the page's language. */
function explain(err) {
  if (err.status === 404) return new Error(t("No class has that code: check it with your teacher."));
  if (err.status === 422 && err.field === "name") return new Error(nameRule());
  if (err.status === 429) return new Error(t("Many are joining just now: try again in a minute."));
  return err;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!name.value.trim()) {
    status.failed(new Error(nameRule()));
    name.focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  status.say(t("Joining…"));
  try {
    const joined = await api("/api/classroom/join", {
      method: "POST", json: { code: code.value.trim(), name: name.value.trim() },
    });
    status.say(t("Welcome, {name}: opening the lesson…", { name: joined.student.name }));
    window.location.assign("/");
  } catch (err) {
    status.failed(explain(err));
    button.disabled = false;
  }
});
