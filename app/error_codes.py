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
    "not_text": "must be a string",
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
}
"""Code -> English template of every coded error the web layer raises."""

ALL_ERRORS: dict[str, str] = {**ENGINE_ERRORS, **APP_ERRORS}
"""Every code the server sends with a template (the pages translate these)."""


def app_error(field: str, code: str, /, **params: Any) -> SpecError:
    """A SpecError of one of the web layer's codes about ``field``."""
    return SpecError.coded(field, code, APP_ERRORS, **params)


def message(code: str, /, **params: Any) -> str:
    """The English sentence of ``code`` with ``params``."""
    return render(ALL_ERRORS[code], params)
