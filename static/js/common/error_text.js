/**
 * A server error in the page's language.
 *
 * Every error the server raises itself has a stable code (an answer's `type`, a
 * websocket error's `code`) and the parameters of its sentence (`ctx`, `params`);
 * pydantic's validation errors carry the same. The tables below give each code's
 * English sentence with `{name}` slots, the same the server writes (docs/errors.md
 * lists them); `errorText` runs the sentence through `t()` and fills it in. A page
 * in English shows the server's own words, and a code the tables lack falls back
 * to them too.
 */

import { isEnglish, t } from "./i18n.js";

/** The server's own codes (app/error_codes.py ALL_ERRORS: a test keeps them equal). */
export const SERVER_TEMPLATES = Object.freeze({
  not_integer: "must be an integer, got {got}",
  value_out_of_range: "must be between {low} and {high}, got {value}",
  not_number: "must be a number, got {got}",
  not_finite: "must be a finite number",
  not_boolean: "must be true or false",
  not_choice_text: "must be a string naming the {what}",
  unknown_choice: "unknown {what} '{value}'; choose one of {choices}",
  not_object: "must be an object",
  unknown_field: "unknown field",
  not_list: "must be a list",
  too_many_entries: "must have at most {max} entries, got {count}",
  too_many_layers: "at most {max} hidden dense or convolution layers",
  batch_too_large: "a batch of {batch} takes about {need} in this net (forward and backward); at most {most_bytes} per pass: use {name} <= {most}, or a smaller net",
  batch_norm_batch: "batch norm needs at least 2 samples in every batch: with one, each unit's batch variance is 0 and its running variance decays towards 0; use 2 or more, or leave batch norm out",
  step_too_long: "a training step on {batch} samples takes {macs} multiply-adds in this net; at most {max} (use at most {most} samples per batch, or a smaller net)",
  data_too_many_values: "{samples} samples through this net are {values} values per pass; at most {max} (use at most {most} samples, or a smaller net)",
  data_too_large: "the {samples} training samples take about {need} in one pass through this net (a frame's gradient picture); at most {most_bytes} per pass: use at most {most} samples, or a smaller net",
  sample_too_large: "one sample takes about {need} in this net at this size; at most {most_bytes} per pass",
  probe_fixed_size: "this net only takes {side} x {side} images: it has no spatial pyramid or global pooling before its dense layers",
  probe_size_too_large: "one sample takes about {need} in this net at this size; at most {most_bytes} per pass: use size <= {fits}",
  probe_text_too_long: "at most {max} characters, got {count}",
  label_not_binary: "label {label} is not a binary class: use 0 or 1",
  label_not_class: "label {label} is not a class: multiclass labels are whole numbers 0 to {max}",
  csv_not_finite: "{column}: '{text}' is not allowed (only finite numbers)",
  csv_not_number: "{column}: '{text}' is not a number",
  csv_value_too_large: "{column}: {text} is out of range (at most {max} in size)",
  csv_too_many_rows: "has more than {max_rows} data rows; upload at most {max_rows} rows",
  csv_not_text: "must be text, got {got}",
  csv_bad_kind: "must be one of {kinds}, got '{kind}'",
  csv_no_rows: "holds no data rows: give one point per line as x1,x2,label",
  csv_too_few_rows: "needs at least {min_rows} data rows, got {rows}",
  csv_wrong_value_count: "expected 3 values (x1, x2, label), got {count}",
  csv_too_few_classes: "multiclass points need 3 to 5 classes (labels 0 to at least 2); for two classes use kind 'binary'",
  model_file_bad_format: "not an nnplay model (expected format '{format}')",
  model_file_bad_version: "unsupported version {version}",
  model_file_missing: "missing",
  model_file_not_numbers: "must be numbers of shape {shape}",
  model_file_not_finite: "must be finite numbers",
  model_file_bad_shape: "has shape {shape}, expected {expected}",
  model_file_per_position: "has one value per position (shape {shape}), as an earlier nnplay saved it; {layer} after a convolution now has one per channel (shape [{channels}]), and these values differ between the positions of a channel, so they cannot be converted exactly: start a new run from the record's spec instead",
  run_not_found: "no run with id '{id}' (it may have been dropped after idling)",
  run_lost: "no run with id '{id}' (the engine process holding it stopped; saved models are kept)",
  run_deleted: "the run was deleted",
  run_busy: "run '{id}' is training for another request or a background job; wait for it to finish (or cancel the job)",
  too_many_runs: "the server holds {max} runs already; delete one or try again later",
  client_limit_runs: "this client holds {limit} runs, the most one client may keep; delete one (DELETE /api/runs/{id}) or wait for one to be dropped after {seconds} s unused",
  steps_use_a_job: "must be between {low} and {high}, got {value}; train longer with a background job: POST /api/runs/{id}/jobs",
  job_training_run: "job {job} is training this run; wait for it or cancel it",
  job_already_training: "job {job} is already training this run",
  job_not_found: "run '{id}' has no job '{job}'",
  lesson_not_found: "no lesson '{lesson}'; choose one of {choices}",
  lesson_and_spec: "give either 'spec' or 'lesson', not both",
  unknown_lesson: "unknown lesson '{lesson}'; choose one of {choices}",
  unknown_variant: "lesson '{lesson}' has no variant '{variant}'; its variants: {choices}",
  model_not_found: "no saved model with id '{id}'",
  store_full: "the server keeps at most {max} saved models and has that many; delete one before saving another",
  client_limit_models: "this client holds {limit} saved models, the most one client may keep; delete one of them (DELETE /api/models/{id}) before saving another",
  model_id_and_record: "give either a model_id or a record, not both",
  not_text: "must be a string",
  upload_not_found: "no uploaded data set with id '{id}'",
  upload_gone: "no uploaded data set with id '{id}'; upload the data again or list the uploads with GET /api/uploads",
  uploads_full: "the server keeps at most {max} uploaded data sets and has that many; delete one before uploading another",
  client_limit_uploads: "this client holds {limit} uploaded data sets, the most one client may keep; delete one of them (DELETE /api/uploads/{id}) before uploading another",
  classroom_off: "the classroom is off: the server has no teacher token (setting NNPLAY_TEACHER_TOKEN)",
  teacher_token_needed: "the teacher's token is needed: log in at /teacher, or send 'Authorization: Bearer <token>'",
  teacher_token_wrong: "wrong teacher token",
  class_unknown_lesson: "no lesson '{lesson}'; choose one of {choices}",
  class_unknown_variant: "lesson '{lesson}' has no variant '{variant}'; choose one of {choices}",
  class_no_variants: "lesson '{lesson}' has no variant '{variant}'",
  class_not_found: "no class with id '{id}'",
  class_code_not_found: "no class with the code '{code}'",
  student_not_found: "class '{id}' has no student with id '{student}'",
  not_in_class: "not in a class: join one with its code first",
  class_full: "this class has {max} students already",
  too_many_classes: "the server holds {max} classes already; end one first",
  name_not_text: "{field} must be text",
  name_length: "{field} must be 1 to {max} characters",
  name_control: "{field} must not contain control characters",
  unknown_command: "unknown command '{command}'; one of {choices}",
  unknown_setting: "one of lr, l1, l2, batch_size",
  not_index: "must be a list of integers",
  message_too_long: "longer than {max} characters",
  message_not_json: "not valid JSON: {reason}",
  message_not_object: "must be a JSON object with a 'type'",
  message_binary: "send commands as JSON text, not binary",
  read_only_view: "this view is read-only: the run is a student's own",
});

/** The common codes of pydantic's validation errors (FastAPI's 422s), as it words them. */
export const VALIDATION_TEMPLATES = Object.freeze({
  missing: "Field required",
  greater_than_equal: "Input should be greater than or equal to {ge}",
  less_than_equal: "Input should be less than or equal to {le}",
  greater_than: "Input should be greater than {gt}",
  less_than: "Input should be less than {lt}",
  string_too_long: "String should have at most {max_length} characters",
  string_too_short: "String should have at least {min_length} characters",
  too_long: "{field_type} should have at most {max_length} items after validation, not {actual_length}",
  too_short: "{field_type} should have at least {min_length} items after validation, not {actual_length}",
  literal_error: "Input should be {expected}",
  int_parsing: "Input should be a valid integer, unable to parse string as an integer",
  int_type: "Input should be a valid integer",
  int_from_float: "Input should be a valid integer, got a number with a fractional part",
  float_parsing: "Input should be a valid number, unable to parse string as a number",
  float_type: "Input should be a valid number",
  bool_parsing: "Input should be a valid boolean, unable to interpret input",
  string_type: "Input should be a valid string",
  extra_forbidden: "Extra inputs are not permitted",
});

/** Parameters that are English words of their own (a thing's kind), translated too. */
const WORD_PARAMS = new Set(["what", "field_type"]);

/** A parameter as the sentence writes it: a list as [a, b], a number as the server does. */
function paramText(value) {
  if (Array.isArray(value)) return `[${value.map(paramText).join(", ")}]`;
  if (typeof value === "number" && !Number.isInteger(value)) return String(Number(value.toPrecision(6)));
  return String(value);
}

/**
 * The English template of an error code, or undefined for a code the page does not know.
 * @param {string} code
 * @returns {string|undefined}
 */
export function templateOf(code) {
  if (Object.hasOwn(SERVER_TEMPLATES, code)) return SERVER_TEMPLATES[code];
  if (Object.hasOwn(VALIDATION_TEMPLATES, code)) return VALIDATION_TEMPLATES[code];
  return undefined;
}

/**
 * What went wrong, in the page's language.
 * @param {{code?: string, params?: Record<string, unknown>, message: string}} error the
 *   code and parameters the server sent, and its English message
 * @returns {string}
 */
export function errorText({ code, params, message }) {
  const template = code ? templateOf(code) : undefined;
  if (template === undefined || isEnglish()) return message;
  const values = {};
  for (const [name, value] of Object.entries(params || {})) {
    values[name] = WORD_PARAMS.has(name) ? t(String(value)) : paramText(value);
  }
  return t(template, values);
}
