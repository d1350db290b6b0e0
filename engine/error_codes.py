"""The codes of the engine's errors and their English sentences.

A :class:`engine.errors.SpecError` made with :meth:`~engine.errors.SpecError.coded`
carries a stable ``code`` and the ``params`` its sentence is built from, so a
program (a page in another language) can say the same thing in its own words.
Each sentence is a template: ``{name}`` is replaced by ``params[name]``, a float
written as Python's ``:g`` does, anything else as ``str``. A code without an entry
here is ``value_error``: its sentence is the English message alone.

The web layer adds its own codes (:mod:`app.error_codes`); both tables are
listed in docs/errors.md, and the pages' table (``static/js/common/error_text.js``)
holds the same templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ENGINE_ERRORS: dict[str, str] = {
    # engine/validate.py: a value of the wrong type or out of range
    "not_integer": "must be an integer, got {got}",
    "value_out_of_range": "must be between {low} and {high}, got {value}",
    "not_number": "must be a number, got {got}",
    "not_finite": "must be a finite number",
    "not_boolean": "must be true or false",
    "not_choice_text": "must be a string naming the {what}",
    "unknown_choice": "unknown {what} '{value}'; choose one of {choices}",
    "not_object": "must be an object",
    "unknown_field": "unknown field",
    "not_list": "must be a list",
    "too_many_entries": "must have at most {max} entries, got {count}",
    # engine/spec.py and engine/budget.py: a net or a batch too large
    "too_many_layers": "at most {max} hidden dense or convolution layers",
    "batch_too_large": "a batch of {batch} takes about {need} in this net (forward and "
                       "backward); at most {most_bytes} per pass: use {name} <= {most}, or a "
                       "smaller net",
    "batch_norm_batch": "batch norm needs at least 2 samples in every batch: with one, each "
                        "unit's batch variance is 0 and its running variance decays towards "
                        "0; use 2 or more, or leave batch norm out",
    "step_too_long": "a training step on {batch} samples takes {macs} multiply-adds in this "
                     "net; at most {max} (use at most {most} samples per batch, or a smaller "
                     "net)",
    "data_too_many_values": "{samples} samples through this net are {values} values per "
                            "pass; at most {max} (use at most {most} samples, or a smaller "
                            "net)",
    "data_too_large": "the {samples} training samples take about {need} in one pass through "
                      "this net (a frame's gradient picture); at most {most_bytes} per pass: "
                      "use at most {most} samples, or a smaller net",
    "sample_too_large": "one sample takes about {need} in this net at this size; at most "
                        "{most_bytes} per pass",
    # engine/probe.py: the lab's probe
    "probe_fixed_size": "this net only takes {side} x {side} images: it has no spatial "
                        "pyramid or global pooling before its dense layers",
    "probe_size_too_large": "one sample takes about {need} in this net at this size; at most "
                            "{most_bytes} per pass: use size <= {fits}",
    "probe_text_too_long": "at most {max} characters, got {count}",
    # engine/data/points.py: a label that does not fit the kind of data
    "label_not_binary": "label {label} is not a binary class: use 0 or 1",
    "label_not_class": "label {label} is not a class: multiclass labels are whole numbers "
                       "0 to {max}",
    # engine/data/csv_points.py: an uploaded CSV
    "csv_not_finite": "{column}: '{text}' is not allowed (only finite numbers)",
    "csv_not_number": "{column}: '{text}' is not a number",
    "csv_value_too_large": "{column}: {text} is out of range (at most {max} in size)",
    "csv_too_many_rows": "has more than {max_rows} data rows; upload at most {max_rows} rows",
    "csv_not_text": "must be text, got {got}",
    "csv_bad_kind": "must be one of {kinds}, got '{kind}'",
    "csv_no_rows": "holds no data rows: give one point per line as x1,x2,label",
    "csv_too_few_rows": "needs at least {min_rows} data rows, got {rows}",
    "csv_wrong_value_count": "expected 3 values (x1, x2, label), got {count}",
    "csv_too_few_classes": "multiclass points need 3 to 5 classes (labels 0 to at least 2); "
                           "for two classes use kind 'binary'",
    # engine/checkpoint.py: a model file (a downloaded record)
    "model_file_bad_format": "not an nnplay model (expected format '{format}')",
    "model_file_bad_version": "unsupported version {version}",
    "model_file_missing": "missing",
    "model_file_not_numbers": "must be numbers of shape {shape}",
    "model_file_not_finite": "must be finite numbers",
    "model_file_bad_shape": "has shape {shape}, expected {expected}",
    "model_file_per_position": "has one value per position (shape {shape}), as an earlier "
                               "nnplay saved it; {layer} after a convolution now has one per "
                               "channel (shape [{channels}]), and these values differ between "
                               "the positions of a channel, so they cannot be converted "
                               "exactly: start a new run from the record's spec instead",
}
"""Code -> English template of every coded error the engine raises."""


def param_text(value: Any) -> str:
    """A parameter as the English sentence writes it (floats as ``:g``)."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render(template: str, params: Mapping[str, Any]) -> str:
    """``template`` with each ``{name}`` replaced by ``params[name]``."""
    out = template
    for name, value in params.items():
        out = out.replace("{" + name + "}", param_text(value))
    return out
