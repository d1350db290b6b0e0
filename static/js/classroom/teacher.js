/**
 * The teacher's page: log in with the teacher token; start a class (a name and a
 * first lesson) and show its join code; the class table, refreshed twice a
 * second; push a lesson to everyone; watch one student's run read-only; remove
 * a student; end the class; log out.
 */

import { api, listAll } from "../common/api.js";
import { LANG, t } from "../common/i18n.js";
import { StatusLine } from "../common/status_line.js";
import { bindProjectorView } from "./projector.js";
import { ClassTable, classCounts } from "./table.js";
import { WatchView } from "./watch.js";

const REFRESH_MS = 500;
const CLASS_KEY = "nnplay-teacher-class";

const status = new StatusLine(document.getElementById("status"));

/** Fill a lesson select and its variant select (kept in step). Returns
 * {chosen() -> {lesson, variant}, show(lesson, variant)}. */
function lessonPicker(lessonSelect, variantSelect, lessons) {
  lessonSelect.replaceChildren(...lessons.map((l) => new Option(l.title, l.name)));
  const fillVariants = () => {
    const lesson = lessons.find((l) => l.name === lessonSelect.value);
    variantSelect.replaceChildren(new Option(t("the lesson's own"), ""),
      ...(lesson?.variants || []).map((v) => new Option(v.label, v.name)));
  };
  lessonSelect.addEventListener("change", fillVariants);
  fillVariants();
  return {
    chosen: () => ({ lesson: lessonSelect.value, variant: variantSelect.value || null }),
    show(lesson, variant) {
      if (!lessons.some((l) => l.name === lesson)) return;
      lessonSelect.value = lesson;
      fillVariants();
      variantSelect.value = variant || "";
    },
  };
}

async function login() {
  const form = document.getElementById("login");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("/api/teacher/login", { method: "POST",
        json: { token: document.getElementById("token").value } });
      window.location.reload();
    } catch (err) {
      status.failed(err.status === 401 ? new Error(t("Wrong teacher token.")) : err);
    }
  });
  document.getElementById("token").focus();
}

class TeacherPage {
  constructor(lessons, datasets) {
    this.lessons = lessons;
    this.classes = [];
    this.current = null;
    this.timer = null;
    this.watching = null; // the id of the student whose run the watch panel shows
    this.ending = false; // true while the class is being ended: no table requests
    this.inFlight = null; // the table request under way
    this.select = document.getElementById("class-select");
    this.panel = document.getElementById("class-panel");
    this.table = new ClassTable(document.getElementById("class-table"),
      (student) => this.watch(student), (student) => this.remove(student));
    this.watcher = new WatchView(document.getElementById("watch"), datasets,
      (err) => status.failed(err));
    this.newLesson = lessonPicker(document.getElementById("new-lesson"),
      document.getElementById("new-variant"), lessons);
    this.pushLesson = lessonPicker(document.getElementById("push-lesson"),
      document.getElementById("push-variant"), lessons);
    this.select.addEventListener("change", () => this.choose(this.select.value));
    document.getElementById("new-class").addEventListener("submit", (e) => this.create(e));
    document.getElementById("push").addEventListener("submit", (e) => this.push(e));
    document.getElementById("end-class").addEventListener("click", () => this.end());
    document.getElementById("logout").addEventListener("click", () => this.logout());
  }

  async load(preferred = null) {
    this.classes = await listAll("/api/classes");
    this.select.replaceChildren(...this.classes.map((c) => new Option(
      t("{name} ({code})", { name: c.name, code: c.code }), c.id)));
    const wanted = preferred || localStorage.getItem(CLASS_KEY);
    const chosen = this.classes.find((c) => c.id === wanted) || this.classes[0] || null;
    this.choose(chosen?.id || null);
    if (!chosen) status.say(t("Start a class: give it a name and a first lesson."));
  }

  choose(classId) {
    clearTimeout(this.timer);
    this.watcher.close();
    this.current = this.classes.find((c) => c.id === classId) || null;
    this.panel.hidden = !this.current;
    if (!this.current) return;
    localStorage.setItem(CLASS_KEY, this.current.id);
    this.select.value = this.current.id;
    document.getElementById("class-title").textContent = this.current.name;
    document.getElementById("join-code").textContent = this.current.code;
    const link = document.getElementById("join-link");
    link.href = `/join?code=${encodeURIComponent(this.current.code)}`;
    link.textContent = `${location.host}/join?code=${this.current.code}`;
    // the push form starts at the class's lesson (after a reload, or another class)
    this.pushLesson.show(this.current.lesson, this.current.variant);
    this.refresh();
  }

  async refresh() {
    const current = this.current;
    if (!current || this.ending) return;
    const request = api(`/api/classes/${encodeURIComponent(current.id)}`);
    this.inFlight = request.catch(() => null);
    try {
      const answer = await request;
      if (this.current !== current || this.ending) return;
      this.remember(answer.class);
      this.table.render(answer, this.lessons);
      this.follow(answer.students);
      const counts = classCounts(answer.students);
      const time = new Date(answer.time * 1000).toLocaleTimeString(LANG);
      document.getElementById("class-summary").textContent = t(
        "students: {students} · playing: {playing} · diverged: {diverged} · with dead units: {dead} · lesson: {lesson} · updated {time}",
        { ...counts, lesson: this.lessonTitle(answer.class), time });
    } catch (err) {
      if (this.current !== current || this.ending) return;
      status.failed(err);
      if (err.status === 404) {
        await this.load();
        return;
      }
    }
    this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
  }

  /** The current class's newest info (from the table or a push), also in the
   * class list, which the push form reads when the class is chosen again. */
  remember(info) {
    this.current = { ...this.current, ...info };
    this.classes = this.classes.map((c) => (c.id === this.current.id ? this.current : c));
  }

  lessonTitle(info) {
    const lesson = this.lessons.find((l) => l.name === info.lesson);
    const variant = (lesson?.variants || []).find((v) => v.name === info.variant);
    const title = lesson?.title || info.lesson;
    return variant ? t("{lesson}: {variant}", { lesson: title, variant: variant.label }) : title;
  }

  async create(event) {
    event.preventDefault();
    try {
      const made = await api("/api/classes", { method: "POST",
        json: { name: document.getElementById("class-name").value.trim(),
          ...this.newLesson.chosen() } });
      document.getElementById("class-name").value = "";
      await this.load(made.id);
      status.say(t("Class started. Students join with the code {code}.", { code: made.code }));
    } catch (err) {
      status.failed(err);
    }
  }

  async push(event) {
    event.preventDefault();
    if (!this.current) return;
    const choice = this.pushLesson.chosen();
    try {
      const info = await api(`/api/classes/${encodeURIComponent(this.current.id)}/lesson`,
        { method: "PUT", json: choice });
      if (this.current?.id === info.id) this.remember(info);
      status.say(t("Pushed {lesson} to the class.", { lesson: this.lessonTitle(info) }));
    } catch (err) {
      status.failed(err);
    }
  }

  async end() {
    if (!this.current) return;
    if (!window.confirm(t("End the class {name}? Its students and their runs go; saved models stay.",
      { name: this.current.name }))) return;
    // stop the table's refreshing first: a request for the table that met the
    // ended class would fail (and the browser log the 404)
    this.ending = true;
    clearTimeout(this.timer);
    await this.inFlight;
    try {
      await api(`/api/classes/${encodeURIComponent(this.current.id)}`, { method: "DELETE" });
      localStorage.removeItem(CLASS_KEY);
      this.ending = false;
      await this.load();
      status.say(t("The class has ended.")); // after load(), whose hint would replace it
    } catch (err) {
      this.ending = false;
      status.failed(err);
      this.refresh();
    }
  }

  async remove(student) {
    const current = this.current;
    if (!current || !window.confirm(t(
      "Remove {name} from the class? They are out: their runs, saved models and uploaded data go.",
      { name: student.name }))) return;
    try {
      await api(`/api/classes/${encodeURIComponent(current.id)}/students/${encodeURIComponent(student.id)}`,
        { method: "DELETE" });
      status.say(t("{name} was removed from the class.", { name: student.name }));
    } catch (err) {
      status.failed(err);
    }
  }

  async watch(student) {
    if (!student.run) return;
    this.watching = student.id;
    try {
      await this.watcher.open(student.name, student.run);
      this.watcher.section.scrollIntoView({ behavior: "smooth", block: "nearest" });
    } catch (err) {
      status.failed(err);
    }
  }

  /** Keep the watch panel on the watched student's newest run: a pushed lesson (or
   * the student's own change) replaces their run, and deletes the one watched. */
  follow(students) {
    if (!this.watching || this.watcher.section.hidden) {
      this.watching = null;
      return;
    }
    const student = students.find((s) => s.id === this.watching);
    if (!student) {
      this.watching = null;
      this.watcher.close();
    } else if (student.run && student.run.id !== this.watcher.runId) {
      this.watcher.open(student.name, student.run).catch((err) => status.failed(err));
    }
  }

  async logout() {
    await api("/api/teacher/logout", { method: "POST" });
    window.location.reload();
  }
}

async function start() {
  if (document.body.dataset.teacher !== "yes") {
    await login();
    return;
  }
  bindProjectorView(document.getElementById("projector-view"));
  try {
    const [lessons, datasets] = await Promise.all([
      api(`/api/lessons?lang=${encodeURIComponent(LANG)}`), api("/api/datasets")]);
    const page = new TeacherPage(lessons, datasets);
    await page.load();
    window.teacherPage = page; // for the browser tests
  } catch (err) {
    status.failed(err);
  }
}

start();
