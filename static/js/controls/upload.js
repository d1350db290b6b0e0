/**
 * The student's own points: `UploadBook` (the uploads this panel knows of, sent
 * with `POST /api/uploads` or looked up with `GET /api/uploads/{id}`) and
 * `uploadBox(panel)`, the CSV file input with its status line and the way back
 * to the built-in data sets. A refused file shows the server's words in the
 * page's language, naming the bad line ("halves.csv: line 4: x2: 'abc' is not a
 * number").
 */

import { el } from "../common/dom.js";
import { errorText } from "../common/error_text.js";
import { t } from "../common/i18n.js";

/** The dataset select's value for an upload: this prefix, then the upload's id. */
export const UPLOAD_VALUE = "upload:";

/** The words shown for an upload's kind (the server's names). */
const KIND_LABELS = { binary: t("binary"), multiclass: t("multiclass"),
  regression: t("regression") };

/**
 * The server's words for a refused upload, in the page's language (by the error's
 * code and parameters): "line 4: x2: 'abc' is not a number".
 * @param {Response} response
 * @param {any} body the parsed JSON answer (or null)
 * @returns {string}
 */
export function uploadError(response, body) {
  const first = Array.isArray(body?.detail) ? body.detail[0] : null;
  if (!first) {
    return typeof body?.detail === "string" ? body.detail
      : t("the server answered {status} {text}",
        { status: response.status, text: response.statusText });
  }
  const loc = (first.loc || []).map(String);
  const line = loc.indexOf("line");
  const message = first.msg ? errorText({ code: first.type, params: first.ctx, message: first.msg })
    : t("not accepted");
  return line >= 0 && loc[line + 1] ? t("line {line}: {message}", { line: loc[line + 1], message })
    : message;
}

/** An upload's description without its (large) points and data. */
function describe(body) {
  const { points: _points, data: _data, ...info } = body;
  return info;
}

/** What the panel knows of uploads: `{id, name, rows, kind, classes}` by id. */
export class UploadBook {
  constructor() {
    this.known = new Map();
    this.pending = new Set();
  }

  /** The description of upload `id` (undefined while unknown). */
  get(id) {
    return this.known.get(id);
  }

  /**
   * "name: 120 points, binary" for a known upload.
   * @param {string} id
   * @returns {string}
   */
  text(id) {
    const info = this.known.get(id);
    if (!info) return t("Your uploaded points (looking them up…)");
    if (info.missing) return t("These uploaded points are no longer on the server.");
    const kind = KIND_LABELS[info.kind] || info.kind;
    return info.kind === "multiclass"
      ? t("{name}: {rows} points, {kind}, {classes} classes",
        { name: info.name, rows: info.rows, kind, classes: info.classes })
      : t("{name}: {rows} points, {kind}", { name: info.name, rows: info.rows, kind });
  }

  /**
   * Look up an upload named by a state (e.g. from a link), once; `found(id)`
   * hears when its description (or that it is missing) arrives.
   * @param {string|null} id
   * @param {(id: string) => void} found
   */
  lookUp(id, found) {
    if (!id || this.known.has(id) || this.pending.has(id)) return;
    this.pending.add(id);
    fetch(`/api/uploads/${encodeURIComponent(id)}`)
      .then((r) => (r.ok ? r.json() : { missing: true }))
      .catch(() => ({ missing: true }))
      .then((body) => {
        this.pending.delete(id);
        this.known.set(id, describe(body));
        found(id);
      });
  }

  /**
   * Send a CSV file to /api/uploads.
   * @param {File} file
   * @returns {Promise<{info?: object, refused?: string}>} the new upload's
   *   description, or the server's words for refusing it (rejects when the
   *   file cannot be read or the server not reached)
   */
  async send(file) {
    const text = await file.text();
    const name = (file.name || "my points").slice(0, 80);
    const response = await fetch(`/api/uploads?name=${encodeURIComponent(name)}`, {
      method: "POST", headers: { "Content-Type": "text/csv" }, body: text,
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) return { refused: uploadError(response, body) };
    const info = describe(body);
    this.known.set(info.id, info);
    return { info };
  }
}

/**
 * Send `file` and, if the server takes it, switch the panel's data to it;
 * otherwise say why in `status`.
 * @param {object} panel the Controls
 * @param {File} file
 * @param {HTMLElement} status where to say how it went
 */
async function uploadFile(panel, file, status) {
  const say = (text, error = false) => {
    status.classList.toggle("ctl-error", error);
    status.textContent = text;
  };
  say(t("Uploading {file}…", { file: file.name }));
  try {
    const { info, refused } = await panel.uploads.send(file);
    if (refused !== undefined) {
      say(t("{file}: {message}", { file: file.name, message: refused }), true);
      return;
    }
    say("");
    panel.commit((s) => {
      s.data.upload = info.id;
      panel.fitData(s);
    });
  } catch (err) {
    say(t("{file}: the upload failed ({error}).", { file: file.name, error: err.message || err }),
      true);
  }
}

/**
 * The file input for a CSV of own points, its status and the way back.
 * @param {object} panel the Controls
 * @returns {HTMLElement}
 */
export function uploadBox(panel) {
  const input = el("input", { type: "file", id: panel.id("upload"), "data-testid": "upload",
    accept: ".csv,.tsv,.txt,text/csv,text/plain" });
  const status = el("p", { class: "ctl-hint", "data-testid": "upload-status", role: "status",
    "aria-live": "polite" });
  const back = panel.button("upload-clear", t("Back to the built-in sets"), (s) => {
    s.data.upload = null;
    panel.fitData(s);
  });
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    input.value = "";
    if (file) uploadFile(panel, file, status);
  });
  back.addEventListener("click", () => {
    status.classList.remove("ctl-error");
    status.textContent = "";
  });
  panel.onRender((state) => {
    back.hidden = !state.data.upload;
  });
  const label = el("label", { for: panel.id("upload") }, t("Your own points "),
    el("span", { class: "ctl-muted", text: t("(CSV: x1, x2, label)") }));
  return el("div", { class: "ctl-upload" }, label, input, status, back);
}
