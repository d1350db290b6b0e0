/**
 * The REST client: JSON in, JSON out, errors that name the field.
 *
 * Every server error has the shape
 * {"detail": [{"loc": [...], "msg": "...", "type": "...", "ctx": {...}}]};
 * `api` turns it into an ApiError whose `field` is the dotted location without
 * its source ("body", "query", "path"), and whose message is in the page's
 * language (the code `type` and its parameters `ctx`, see error_text.js).
 */

import { errorText } from "./error_text.js";
import { LANG, t } from "./i18n.js";

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status
   * @param {string} field dotted field path, e.g. "spec.hidden.1" ("" when none)
   * @param {string} message the server's words (English)
   * @param {string} [code] the error's code (its `type`)
   * @param {Record<string, unknown>} [params] the parameters of its sentence (`ctx`)
   */
  constructor(status, field, message, code = "", params = {}) {
    const text = errorText({ code, params, message });
    super(field ? t("{field}: {message}", { field, message: text }) : text);
    this.status = status;
    this.field = field;
    this.detail = message;
    this.code = code;
    this.params = params;
    this.text = text;
  }
}

const SOURCES = new Set(["body", "query", "path", "header"]);

/** The ApiError for a failed response. */
async function errorOf(response) {
  let field = "";
  let message = `${response.status} ${response.statusText}`;
  let code = "";
  let params = {};
  try {
    const body = await response.json();
    const first = Array.isArray(body.detail) ? body.detail[0] : null;
    if (first) {
      const loc = (first.loc || []).map(String);
      field = (SOURCES.has(loc[0]) ? loc.slice(1) : loc).join(".");
      message = first.msg || message;
      code = typeof first.type === "string" ? first.type : "";
      params = first.ctx && typeof first.ctx === "object" ? first.ctx : {};
    } else if (typeof body.detail === "string") {
      message = body.detail;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, field, message, code, params);
}

/**
 * Call the API.
 * @param {string} path e.g. "/api/runs"
 * @param {{method?: string, json?: any, body?: BodyInit, headers?: object}} options
 * @returns {Promise<any>} the parsed JSON answer (null for 204)
 */
export async function api(path, { method = "GET", json, body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  const response = await fetch(path, init);
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return null;
  return response.json();
}

/** Items asked for per page when reading a whole list (the server's most). */
const PAGE_LIMIT = 200;

/**
 * Every item of a paged list (`GET /api/models`, `/api/uploads`, `/api/classes`
 * answer `{items, total, limit, offset}`), read page by page.
 * @param {string} path e.g. "/api/classes"
 * @returns {Promise<any[]>}
 */
export async function listAll(path) {
  const items = [];
  const join = path.includes("?") ? "&" : "?";
  for (;;) {
    const page = await api(`${path}${join}limit=${PAGE_LIMIT}&offset=${items.length}`);
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return items;
  }
}

/** The catalogue the controls are built from (the lessons' texts in the page's language). */
export async function loadCatalogue() {
  const names = ["datasets", "activations", "initializers", "optimizers", "losses", "lessons"];
  const query = { lessons: `?lang=${encodeURIComponent(LANG)}` };
  const answers = await Promise.all(names.map((name) => api(`/api/${name}${query[name] || ""}`)));
  return Object.fromEntries(names.map((name, i) => [name, answers[i]]));
}

/** The runs this page made or adopted and has not dropped (see dropRunsOnLeave). */
const held = new Set();

/** Count a run made elsewhere (an imported model) as this page's. */
export function holdRun(runId) {
  held.add(runId);
}

/** Stop counting a run as this page's (the server said it is gone). */
export function releaseRun(runId) {
  held.delete(runId);
}

/** Create a run from `{spec}` or `{lesson, variant}`; answers the run's description. */
export async function createRun(request) {
  const run = await api("/api/runs", { method: "POST", json: request });
  held.add(run.id);
  return run;
}

/** Drop a run on the server (errors ignored: it may be gone already). */
export async function deleteRun(runId) {
  held.delete(runId);
  try {
    await api(`/api/runs/${runId}`, { method: "DELETE" });
  } catch {
    // already dropped
  }
}

/**
 * When the page goes for good (closed, reloaded, left for another page), drop the
 * runs it holds, so reloads do not pile runs up on the server until they idle
 * out; the requests are `keepalive`, which outlive the page. A page kept in the
 * browser's back-forward cache keeps them. `keep()` true keeps them too (a
 * student's, which the teacher's class table still shows).
 * @param {() => boolean} keep
 */
export function dropRunsOnLeave(keep) {
  window.addEventListener("pagehide", (event) => {
    if (event.persisted || keep()) return;
    for (const runId of held) {
      fetch(`/api/runs/${runId}`, { method: "DELETE", keepalive: true }).catch(() => {});
    }
  });
}
