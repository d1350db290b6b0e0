/**
 * A student's link to their class, on the playground and the lab.
 *
 * When the page was rendered for a student (`<body data-student-name>`), this
 * module opens the class socket (`/ws/classroom`), shows the class and the
 * student's name in the header, and hands each lesson the teacher gives the class
 * to the page: the page registers `onClassLesson(open)` once it is ready, and
 * `open({lesson, variant})` is called for every lesson not opened yet. The newest
 * `lesson_version` opened is kept in sessionStorage with the class's code, so a
 * reload does not reopen a lesson the student has since left, and joining another
 * class (whose versions start again at 1) still opens its lessons.
 *
 * `open` answers true once the lesson is open (or handed to the page that opens
 * it), false if it could not be opened (the server full, say): the lesson is
 * then offered again every LESSON_RETRY_MS until it opens or another comes.
 * null means another page takes it (not marked as opened). When the class ends,
 * the page's `onClassEnded` callback is called.
 */

import { t } from "../common/i18n.js";

const STORAGE_KEY = "nnplay-class-lesson";
const RETRY_MS = 2000;
const LESSON_RETRY_MS = 5000;

let handler = null;
let endedHandler = null;
let pending = null;
let socket = null;
let over = false;

/** Whether this page belongs to a student of a class. */
export function inClass() {
  return Boolean(document.body.dataset.studentName);
}

/** Whether the class socket said that the student's class has ended. */
export function classEnded() {
  return over;
}

/**
 * Register the page's way to open a lesson (called at once with a lesson the
 * class is waiting on).
 * @param {(lesson: {lesson: string, variant: string|null, version: number}) =>
 *   (boolean|null|Promise<boolean|null>)} open
 */
export function onClassLesson(open) {
  handler = open;
  if (pending) deliver(pending);
}

/** What a student's page says once their class has ended. */
export function endedMessage() {
  return t("The class has ended and its runs are closed (saved models are kept). Reload the page to go on by yourself, or join a class with a new code.");
}

/** Register what the page does when the class ends (called at once if it has). */
export function onClassEnded(callback) {
  endedHandler = callback;
  if (over) callback();
}

/** The newest lesson version opened on this tab for the class with `code`. */
function openedVersion(code) {
  try {
    const kept = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
    return kept && kept.code === code ? Number(kept.version) || 0 : 0;
  } catch {
    return 0;
  }
}

function markOpened(code, version) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ code, version }));
}

async function deliver(message) {
  pending = message;
  if (!handler || message.lesson_version <= openedVersion(message.code)) return;
  pending = null;
  const opened = await handler({ lesson: message.lesson, variant: message.variant ?? null,
    version: message.lesson_version });
  if (opened === true) {
    markOpened(message.code, message.lesson_version);
  } else if (opened === false && !pending && !over) {
    pending = message;
    setTimeout(() => {
      if (pending === message) deliver(message);
    }, LESSON_RETRY_MS);
  }
}

function show(message) {
  const box = document.getElementById("class-banner");
  if (!box) return;
  box.hidden = false;
  box.querySelector("[data-class-name]").textContent = message.class;
  box.querySelector("[data-class-code]").textContent = message.code;
}

function ended() {
  over = true;
  pending = null;
  const box = document.getElementById("class-banner");
  if (box) {
    box.querySelector("[data-class-name]").textContent = t("the class has ended");
    box.classList.add("ended");
  }
  endedHandler?.();
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws/classroom`);
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
    } else if (message.type === "ended" && !over) {
      ended();
    }
  });
  socket.addEventListener("close", (event) => {
    if (event.code === 4401 && !over) ended(); // the server no longer knows this student
    if (over) return;
    setTimeout(connect, RETRY_MS); // the server restarted, or the network blinked
  });
}

if (inClass()) connect();
