/**
 * A student's link to their class, on the playground and the lab.
 *
 * When the page was rendered for a student (`<body data-student-name>`), this
 * module opens the class socket (`/ws/classroom`), shows the class and the
 * student's name in the header, and hands each lesson the teacher gives the class
 * to the page: the page registers `onClassLesson(open)` once it is ready, and
 * `open({lesson, variant})` is called for every lesson not opened yet (the
 * newest `lesson_version` opened is kept in sessionStorage, so a reload does not
 * reopen a lesson the student has since left).
 */

import { t } from "./i18n.js";

const STORAGE_KEY = "nnplay-class-lesson-version";
const RETRY_MS = 2000;

let handler = null;
let pending = null;
let socket = null;

/** Whether this page belongs to a student of a class. */
export function inClass() {
  return Boolean(document.body.dataset.studentName);
}

/**
 * Register the page's way to open a lesson (called at once with a lesson the
 * class is waiting on).
 * @param {(lesson: {lesson: string, variant: string|null, version: number}) => (void|Promise<void>)} open
 */
export function onClassLesson(open) {
  handler = open;
  if (pending) deliver(pending);
}

function openedVersion() {
  return Number(sessionStorage.getItem(STORAGE_KEY) || 0);
}

/** Mark the class's lesson `version` as opened on this tab. */
export function markOpened(version) {
  sessionStorage.setItem(STORAGE_KEY, String(version));
}

async function deliver(message) {
  pending = message;
  if (!handler || message.lesson_version <= openedVersion()) return;
  pending = null;
  await handler({ lesson: message.lesson, variant: message.variant ?? null,
    version: message.lesson_version });
}

function show(message) {
  const box = document.getElementById("class-banner");
  if (!box) return;
  box.hidden = false;
  box.querySelector("[data-class-name]").textContent = message.class;
  box.querySelector("[data-class-code]").textContent = message.code;
}

function ended() {
  const box = document.getElementById("class-banner");
  if (box) {
    box.querySelector("[data-class-name]").textContent = t("the class has ended");
    box.classList.add("ended");
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws/classroom`);
  let over = false;
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === "lesson") {
      show(message);
      deliver(message);
    } else if (message.type === "ended") {
      over = true;
      ended();
    }
  });
  socket.addEventListener("close", (event) => {
    if (over || event.code === 4401) return;
    setTimeout(connect, RETRY_MS); // the server restarted, or the network blinked
  });
}

if (inClass()) connect();
