/**
 * The join page: a student types the class code and their name; on success the
 * server sets their cookie and the page goes to the playground, whose class
 * banner opens the class's lesson.
 */

import { api } from "./api.js";
import { t } from "./i18n.js";
import { StatusLine } from "./status_line.js";

const status = new StatusLine(document.getElementById("status"));
const form = document.getElementById("join");
const code = document.getElementById("code");
const name = document.getElementById("name");
(code.value ? name : code).focus();

form.addEventListener("submit", async (event) => {
  event.preventDefault();
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
    status.failed(err.status === 404 ? new Error(t("No class has that code: check it with your teacher."))
      : err);
    button.disabled = false;
  }
});
