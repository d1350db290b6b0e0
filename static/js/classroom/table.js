/**
 * The class table: one row per student with their newest run's lesson, step,
 * test loss and accuracy, dead units and state, a button to watch the run and
 * one to remove the student from the class.
 * `ClassTable.render(table, lessons)` redraws the body from a
 * `GET /api/classes/{id}` answer, keeping rows (and focus) where it can.
 */

import { fmt } from "../playground/comparison.js";
import { t } from "../common/i18n.js";

/** The words for a run's state. */
export function stateOf(run) {
  if (!run) return t("no run yet");
  if (run.status === "diverged") return t("diverged");
  if (run.playing) return t("playing");
  return run.watched ? t("paused") : t("page closed");
}

/** The lesson's title (and variant label) in the page's language. */
export function lessonLabel(run, lessons) {
  if (!run?.lesson) return run ? t("own network") : "–";
  const lesson = lessons.find((l) => l.name === run.lesson);
  if (!lesson) return run.lesson;
  const variant = (lesson.variants || []).find((v) => v.name === run.variant);
  return variant ? t("{lesson}: {variant}", { lesson: lesson.title, variant: variant.label })
    : lesson.title;
}

/** Counts for the line above the table. */
export function classCounts(students) {
  const runs = students.map((s) => s.run).filter(Boolean);
  return {
    students: students.length,
    playing: runs.filter((r) => r.playing).length,
    diverged: runs.filter((r) => r.status === "diverged").length,
    dead: runs.filter((r) => r.dead_units > 0).length,
  };
}

export class ClassTable {
  /**
   * @param {HTMLTableElement} table
   * @param {(student: object) => void} onWatch called with a row's student
   * @param {(student: object) => void} onRemove called with a row's student
   */
  constructor(table, onWatch, onRemove) {
    this.body = table.tBodies[0];
    this.onWatch = onWatch;
    this.onRemove = onRemove;
    this.rows = new Map(); // student id -> tr
  }

  /** Redraw from a class table answer. */
  render(answer, lessons) {
    const seen = new Set();
    for (const student of answer.students) {
      seen.add(student.id);
      let tr = this.rows.get(student.id);
      if (!tr) {
        tr = this.#row(student);
        this.rows.set(student.id, tr);
      }
      this.#fill(tr, student, lessons);
      this.body.append(tr); // in the server's order (joining order)
    }
    for (const [id, tr] of this.rows) {
      if (!seen.has(id)) {
        tr.remove();
        this.rows.delete(id);
      }
    }
    if (!answer.students.length) {
      const empty = document.createElement("tr");
      empty.className = "empty";
      const cell = document.createElement("td");
      cell.colSpan = 8;
      cell.textContent = t("No student has joined yet: show them the join code.");
      empty.append(cell);
      this.body.replaceChildren(empty);
    } else {
      this.body.querySelector("tr.empty")?.remove();
    }
  }

  #row(student) {
    const tr = document.createElement("tr");
    tr.dataset.testid = "student-row";
    tr.dataset.student = student.id;
    for (let i = 0; i < 7; i += 1) tr.append(document.createElement("td"));
    const cell = document.createElement("td");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = t("Watch");
    button.dataset.testid = "watch-student";
    button.addEventListener("click", () => this.onWatch(tr.student));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove-student";
    remove.textContent = t("Remove");
    remove.dataset.testid = "remove-student";
    remove.addEventListener("click", () => this.onRemove(tr.student));
    cell.append(button, remove);
    tr.append(cell);
    return tr;
  }

  #fill(tr, student, lessons) {
    tr.student = student;
    const run = student.run;
    const cells = tr.cells;
    const dead = run ? `${run.dead_units} / ${run.units}` : "–";
    const texts = [student.name, lessonLabel(run, lessons), run ? String(run.step) : "–",
      fmt(run?.test_loss), run?.test_accuracy == null ? "–" : `${Math.round(run.test_accuracy * 100)}%`,
      dead, stateOf(run)];
    texts.forEach((text, i) => {
      if (cells[i].textContent !== text) cells[i].textContent = text;
    });
    for (const i of [2, 3, 4, 5]) cells[i].className = "num";
    tr.classList.toggle("diverged", run?.status === "diverged");
    tr.classList.toggle("has-dead", Boolean(run && run.dead_units > 0));
    cells[7].querySelector("[data-testid=watch-student]").disabled = !run;
    cells[7].querySelector("[data-testid=remove-student]").title =
      t("Remove {name} from the class", { name: student.name });
  }
}
