"""The codes of the errors the web layer raises, with their English sentences.

An error answer's ``type`` is its code and ``ctx`` the parameters of its sentence
(``{"detail": [{"loc", "msg", "type", "ctx"}]}``, as pydantic writes its own
validation errors); a websocket error message carries the same as ``code`` and
``params``. :data:`ALL_ERRORS` is every code with a template: the engine's
(:mod:`engine.error_codes`) and the ones below. The pages translate an error by
its code (``static/js/common/error_text.js`` holds the same templates, a test
checks it), and fall back to ``msg`` for a code they do not know. docs/errors.md
lists them.
"""

from __future__ import annotations

from typing import Any

from engine.error_codes import ENGINE_ERRORS, render
from engine.errors import SpecError

APP_ERRORS: dict[str, str] = {
    # runs
    "run_not_found": "no run with id '{id}' (it may have been dropped after idling)",
    "engine_unavailable": "the server's engine cannot take a new run now: its Ray cluster is "
                          "out of reach or has no engine worker left; try again in a minute "
                          "(tell whoever runs the server)",
    "run_lost": "no run with id '{id}' (the engine process holding it stopped; saved "
                "models are kept)",
    "run_deleted": "the run was deleted",
    "run_busy": "run '{id}' is training for another request or a background job; wait "
                "for it to finish (or cancel the job)",
    "too_many_runs": "the server holds {max} runs already; delete one or try again later",
    "client_limit_runs": "this client holds {limit} runs, the most one client may keep; "
                         "delete one (DELETE /api/runs/{id}) or wait for one to be dropped "
                         "after {seconds} s unused",
    "steps_use_a_job": "must be between {low} and {high}, got {value}; train longer with a "
                       "background job: POST /api/runs/{id}/jobs",
    "job_training_run": "job {job} is training this run; wait for it or cancel it",
    "job_already_training": "job {job} is already training this run",
    "job_not_found": "run '{id}' has no job '{job}'",
    "lesson_not_found": "no lesson '{lesson}'; choose one of {choices}",
    "lesson_and_spec": "give either 'spec' or 'lesson', not both",
    "unknown_lesson": "unknown lesson '{lesson}'; choose one of {choices}",
    "unknown_variant": "lesson '{lesson}' has no variant '{variant}'; its variants: {choices}",
    # saved models and model files
    "model_not_found": "no saved model with id '{id}'",
    "store_full": "the server keeps at most {max} saved models and has that many; delete "
                  "one before saving another",
    "client_limit_models": "this client holds {limit} saved models, the most one client may "
                           "keep; delete one of them (DELETE /api/models/{id}) before "
                           "saving another",
    "model_id_and_record": "give either a model_id or a record, not both",
    # uploads
    "upload_not_found": "no uploaded data set with id '{id}'",
    "upload_gone": "no uploaded data set with id '{id}'; upload the data again or list the "
                   "uploads with GET /api/uploads",
    "uploads_full": "the server keeps at most {max} uploaded data sets and has that many; "
                    "delete one before uploading another",
    "client_limit_uploads": "this client holds {limit} uploaded data sets, the most one "
                            "client may keep; delete one of them (DELETE /api/uploads/{id}) "
                            "before uploading another",
    # the classroom
    "classroom_off": "the classroom is off: the server has no teacher token (setting "
                     "NNPLAY_TEACHER_TOKEN)",
    "teacher_token_needed": "the teacher's token is needed: log in at /teacher, or send "
                            "'Authorization: Bearer <token>'",
    "teacher_token_wrong": "wrong teacher token",
    "class_unknown_lesson": "no lesson '{lesson}'; choose one of {choices}",
    "class_unknown_variant": "lesson '{lesson}' has no variant '{variant}'; choose one of "
                             "{choices}",
    "class_no_variants": "lesson '{lesson}' has no variant '{variant}'",
    "class_not_found": "no class with id '{id}'",
    "class_code_not_found": "no class with the code '{code}'",
    "student_not_found": "class '{id}' has no student with id '{student}'",
    "not_in_class": "not in a class: join one with its code first",
    "class_full": "this class has {max} students already",
    "too_many_classes": "the server holds {max} classes already; end one first",
    "name_not_text": "{field} must be text",
    "name_length": "{field} must be 1 to {max} characters",
    "name_control": "{field} must not contain control characters",
    # the live view's commands
    "unknown_command": "unknown command '{command}'; one of {choices}",
    "unknown_setting": "one of lr, l1, l2, batch_size",
    "not_index": "must be a list of integers",
    "message_too_long": "longer than {max} characters",
    "message_not_json": "not valid JSON: {reason}",
    "message_not_object": "must be a JSON object with a 'type'",
    "message_binary": "send commands as JSON text, not binary",
    "read_only_view": "this view is read-only: the run is a student's own",
    # a run's recipe and the points a page asks about
    "only_with_lesson": "only applies with 'lesson'",
    "seed_only_with_lesson": "only applies with 'lesson'; a spec has its own 'seed' (and its "
                             "data its own)",
    "data_seed_only_with_lesson": "only applies with 'lesson' (and 'seed'); a spec's data has "
                                  "its own 'seed'",
    "spec_or_lesson": "give a spec (an object, may be empty) or a lesson name",
    "data_seed_needs_seed": "goes with 'seed' (the run's seed); give both",
    "point_size": "must have {dims} numbers (this run's data is {dims}-D), got {count}",
    "point_size_1": "must have {dims} number (this run's data is {dims}-D), got {count}",
    "needs_points_images": "{what} needs point data; this run's data are images (its probe "
                           "shows one sample at a time)",
    "needs_points_sentences": "{what} needs point data; this run's data are sentences (its "
                              "probe shows one sample at a time)",
    "no_activation_layer": "no hidden activation layer {layer}; layers: {layers}",
    "upload_id_not_text": "must be the id of an uploaded data set (a string, from POST "
                          "/api/uploads)",
    "comes_from_upload": "comes from the upload; leave it out",
    "upload_not_points": "an upload holds the data set 'points'",
    "must_name_upload": "must be 'upload' when data.upload is given",
    # names of saved models and uploads
    "name_not_string": "name must be a string, not {got}",
    "name_empty": "name must not be empty",
    "name_too_long": "name must be at most {max} characters, not {count}",
    "name_bad_character": "name must not contain control characters such as line breaks or "
                          "bidi overrides (found {char})",
    "value_refused": "{reason}",
    # how often one client may act (429)
    "rate_runs": "this client created {limit} runs in the last minute, the most it may; try "
                 "again in {wait} s",
    "rate_joins": "this address tried to join a class {limit} times in the last minute, the "
                  "most it may; try again in {wait} s",
    "rate_class_joins": "this class was joined by {limit} students in the last minute, the "
                        "most it may; try again in {wait} s",
    "rate_teacher_failures": "this address sent {limit} wrong teacher tokens in the last "
                             "minute, the most it may; try again in {wait} s",
    # the request itself
    "too_large": "the request body is larger than {max} bytes (setting max_request_bytes)",
    "length_not_whole": "must be a whole number of bytes",
    "too_deep": "nested deeper than {max} levels (setting max_json_depth)",
    "finite_number": "must be a finite number (NaN and Infinity are not allowed)",
    "unsupported_media_type": "send the CSV text as the body with Content-Type text/csv, not "
                              "{media}",
    "csv_sent_as_form": "send the CSV text as the body with Content-Type text/csv, not "
                        "{media} (not a form: send the file itself, e.g. curl --data-binary "
                        "@points.csv -H 'Content-Type: text/csv')",
    "host_not_allowed": "this server does not answer to the host {host}; a teacher who means "
                        "it can add it to the setting NNPLAY_ALLOWED_HOSTS",
    "not_found": "Not Found",
    "method_not_allowed": "Method Not Allowed",
    "internal_error": "internal error: this is a bug in nnplay; the run and the server are "
                      "unharmed, please report it",
    # the server's data folder (app/store_errors.py)
    "store_unavailable": "the database is busy or unavailable; try again in a moment",
    "disk_full": "the server's disk is full: nothing can be saved until space is freed on it "
                 "(tell whoever runs the server)",
    "data_folder_not_writable": "the server's data folder cannot be written ({reason}): saved "
                                "models, uploads and classes fail until it is made writable "
                                "again (tell whoever runs the server)",
    "data_folder_missing": "the server's data folder is gone: saved models, uploads and "
                           "classes fail until it is back (tell whoever runs the server)",
    # the live view's own notices
    "run_failed": "the run failed and is paused",
    "run_lost_live": "the run was lost: the engine process holding it stopped (saved models "
                     "are kept)",
}
"""Code -> English template of every coded error the web layer raises."""

ALL_ERRORS: dict[str, str] = {**ENGINE_ERRORS, **APP_ERRORS}
"""Every code the server sends with a template (the pages translate these)."""


def app_error(field: str, code: str, /, **params: Any) -> SpecError:
    """A SpecError of one of the server's codes (the web layer's or the engine's)
    about ``field``."""
    return SpecError.coded(field, code, ALL_ERRORS, **params)


def message(code: str, /, **params: Any) -> str:
    """The English sentence of ``code`` with ``params``."""
    return render(ALL_ERRORS[code], params)
