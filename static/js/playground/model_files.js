/**
 * Trained models as files: download the run as the server's saved-model record,
 * and open such a file again as a new run.
 */

import { api } from "../common/api.js";
import { t } from "../common/i18n.js";

/**
 * Save the run on the server and download its record.
 * @param {object} run the run's description (id, spec)
 * @param {number} step the step reached (for the file name)
 * @returns {Promise<string>} the file name
 */
export async function downloadModel(run, step) {
  const name = `nnplay ${run.spec.data.name} step ${step}`;
  const saved = await api(`/api/runs/${run.id}/save`, { method: "POST", json: { name } });
  const link = document.createElement("a");
  link.href = `/api/models/${saved.id}`;
  link.download = `${name}.nnplay.json`;
  document.body.append(link);
  link.click();
  link.remove();
  return link.download;
}

/**
 * Open a downloaded record as a new run.
 * @param {File} file a `.nnplay.json` file
 * @returns {Promise<object>} the new run's description
 */
export async function openModelFile(file) {
  let record;
  try {
    record = JSON.parse(await file.text());
  } catch {
    throw new Error(t("{file} is not a model file (not JSON)", { file: file.name }));
  }
  return api("/api/models/import", { method: "POST", json: record });
}
