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
  not_text: "must be a string",
  not_an_integer: "must be an integer",
  layers_and_hidden: "give either 'layers' or 'hidden', not both",
  only_with_hidden: "only applies with 'hidden'; put it in 'layers'",
  text_needs_layers: "text data need a 'layers' list that starts with an embedding layer, e.g. [{\"type\": \"embedding\"}, {\"type\": \"conv1d\"}, {\"type\": \"global_max_pool\"}]",
  loss_wrong_task: "'{loss}' does not fit a {task} task; use one of {choices}",
  loss_needs_linear: "{loss} works on logits: use 'linear' (the loss applies the sigmoid or softmax itself)",
  not_for_optimiser: "does not apply to {name}",
  one_activation_per_layer: "give one activation per hidden layer ({count})",
  lower_above_upper: "must not exceed upper",
  layer_not_object: "must be an object with a 'type'",
  residual_nested: "residual blocks cannot be nested",
  residual_no_weights: "a residual block needs at least one dense or convolution layer",
  spp_no_levels: "give at least one level, e.g. [1, 2, 4]",
  spp_levels_repeat: "levels must differ from each other",
  embedding_needs_text: "an embedding layer needs a text data set (e.g. 'sentiment')",
  too_many_activations: "the layers up to here output {total} values per sample; at most {max} are allowed",
  dense_not_flat: "dense layer needs flat input, got shape {shape}",
  dense_not_flat_hint: "dense layer needs flat input, got shape {shape} (add a flatten or global_max_pool layer before it)",
  conv_input_shape: "{kind} needs input (channels, {axes} spatial axes), got shape {shape}",
  smaller_than_kernel: "input length {length} (padding {padding}) is smaller than the kernel {kernel}",
  needs_feature_maps: "{kind} needs input (channels, height, width), got {shape}",
  smaller_than_pool: "input {shape} is smaller than the pool window {size}",
  smaller_than_level: "input {shape} is smaller than the pyramid level {level}",
  global_pool_needs_maps: "global max pooling needs (channels, *spatial), got {shape}",
  residual_projection: "a residual projection needs flat input and output or feature maps that keep their size, got {shape} -> {out}",
  embedding_input_shape: "embedding needs inputs of shape (L,) per sample, got {shape}",
  layer_misfit: "{reason}",
  pass_too_long: "{samples} {what} through this net take {macs} multiply-adds per pass; at most {max} (use at most {most} {what}, or a smaller net)",
  grid_too_large: "a grid of side {side} is {points} points, {macs} multiply-adds through this net; at most {max} (use a side of at most {most}, or a smaller net)",
  sample_over_budget: "one sample alone takes about {need} in this net, over the budget of {most_bytes} per pass: use a smaller net",
  maps_too_large: "at most {max} map values (outputs x {out_field}{square} + units x {unit_field}{square}), and {units} hidden units x {unit_grid}{square} plus the output map are {total}: use {field} <= {most}",
  maps_too_many_units: "at most {max} map values (outputs x {out_field}{square} + units x {unit_field}{square}), and {units} hidden units x {unit_grid}{square} plus the output map are {total}: this net has too many units",
  batch_norm_split: "batch norm needs at least 2 training samples; this split leaves {count}: use more samples or a larger train_fraction",
  no_param_layer: "no layer {layer} with parameters; layers: {layers}",
  layer_param_names: "layer {layer} has {names}",
  index_count: "needs {count} indices for shape {shape}",
  dataset_not_text: "must be a data set name (a string)",
  unknown_dataset: "unknown dataset '{name}'; choose one of {choices}, or 'points' with the rows in data.points",
  unknown_dataset_upload: "unknown dataset '{name}'; choose one of {choices}, or 'points' with the rows in data.points ('upload' names a data set uploaded to a server, which puts its points in the spec as 'points')",
  only_for_points: "only applies to the data set 'points'",
  only_for_images: "only applies to image data",
  not_for_modality: "does not apply to {modality} data",
  too_few_samples: "{modality} data need at least {min} samples, got {count}",
  offset_not_pair: "must be a list of two numbers [dx, dy]",
  offset_count: "must have exactly 2 numbers, got {count}",
  features_not_list: "must be a list of feature names",
  no_features: "choose at least one feature",
  feature_not_text: "must be a feature name (a string)",
  unknown_feature: "unknown feature '{name}' for {dims}-D data; choose from {choices}",
  feature_twice: "feature '{name}' is listed twice",
  kind_not_text: "must be one of {kinds}, got {got}",
  points_not_list: "must be a list of [x1, x2, label] rows",
  points_row_count: "must have {min} to {max} rows, got {count}",
  point_not_row: "must be a row of 3 numbers [x1, x2, label]",
  point_not_number: "{column} must be a number, got {got}",
  point_not_finite: "{column} must be a finite number, got {value}",
  point_out_of_range: "{column} must be between {low} and {high}, got {value}",
  points_too_few_classes: "multiclass points need {min} to {max} classes (labels up to at least {top}); for two classes use kind 'binary'",
  probe_not_available: "only image and text runs have a probe view",
  only_for_image_runs: "only applies to image runs",
  only_for_text_runs: "only applies to text runs",
  probe_shift_pair: "give [dy, dx]",
  only_with_draw: "only applies with 'draw'",
  probe_cannot_take: "this net cannot take {size} x {size} images: {reason}",
  run_not_found: "no run with id '{id}' (it may have been dropped after idling)",
  engine_unavailable: "the server's engine cannot take a new run now: its Ray cluster is out of reach or has no engine worker left; try again in a minute (tell whoever runs the server)",
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
  only_with_lesson: "only applies with 'lesson'",
  seed_only_with_lesson: "only applies with 'lesson'; a spec has its own 'seed' (and its data its own)",
  data_seed_only_with_lesson: "only applies with 'lesson' (and 'seed'); a spec's data has its own 'seed'",
  spec_or_lesson: "give a spec (an object, may be empty) or a lesson name",
  data_seed_needs_seed: "goes with 'seed' (the run's seed); give both",
  point_size: "must have {dims} numbers (this run's data is {dims}-D), got {count}",
  point_size_1: "must have {dims} number (this run's data is {dims}-D), got {count}",
  needs_points_images: "{what} needs point data; this run's data are images (its probe shows one sample at a time)",
  needs_points_sentences: "{what} needs point data; this run's data are sentences (its probe shows one sample at a time)",
  no_activation_layer: "no hidden activation layer {layer}; layers: {layers}",
  upload_id_not_text: "must be the id of an uploaded data set (a string, from POST /api/uploads)",
  comes_from_upload: "comes from the upload; leave it out",
  upload_not_points: "an upload holds the data set 'points'",
  must_name_upload: "must be 'upload' when data.upload is given",
  name_not_string: "name must be a string, not {got}",
  name_empty: "name must not be empty",
  name_too_long: "name must be at most {max} characters, not {count}",
  name_bad_character: "name must not contain control characters such as line breaks or bidi overrides (found {char})",
  value_refused: "{reason}",
  rate_runs: "this client created {limit} runs in the last minute, the most it may; try again in {wait} s",
  rate_joins: "this address tried to join a class {limit} times in the last minute, the most it may; try again in {wait} s",
  rate_class_joins: "this class was joined by {limit} students in the last minute, the most it may; try again in {wait} s",
  rate_teacher_failures: "this address sent {limit} wrong teacher tokens in the last minute, the most it may; try again in {wait} s",
  too_large: "the request body is larger than {max} bytes (setting max_request_bytes)",
  length_not_whole: "must be a whole number of bytes",
  too_deep: "nested deeper than {max} levels (setting max_json_depth)",
  finite_number: "must be a finite number (NaN and Infinity are not allowed)",
  unsupported_media_type: "send the CSV text as the body with Content-Type text/csv, not {media}",
  csv_sent_as_form: "send the CSV text as the body with Content-Type text/csv, not {media} (not a form: send the file itself, e.g. curl --data-binary @points.csv -H 'Content-Type: text/csv')",
  host_not_allowed: "this server does not answer to the host {host}; a teacher who means it can add it to the setting NNPLAY_ALLOWED_HOSTS",
  not_found: "Not Found",
  method_not_allowed: "Method Not Allowed",
  internal_error: "internal error: this is a bug in nnplay; the run and the server are unharmed, please report it",
  store_unavailable: "the database is busy or unavailable; try again in a moment",
  disk_full: "the server's disk is full: nothing can be saved until space is freed on it (tell whoever runs the server)",
  data_folder_not_writable: "the server's data folder cannot be written ({reason}): saved models, uploads and classes fail until it is made writable again (tell whoever runs the server)",
  data_folder_missing: "the server's data folder is gone: saved models, uploads and classes fail until it is back (tell whoever runs the server)",
  run_failed: "the run failed and is paused",
  run_lost_live: "the run was lost: the engine process holding it stopped (saved models are kept)",
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
