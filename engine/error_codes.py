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
    # engine/spec.py and engine/spec_layers.py: the shape of a spec
    "not_text": "must be a string",
    "not_an_integer": "must be an integer",
    "layers_and_hidden": "give either 'layers' or 'hidden', not both",
    "only_with_hidden": "only applies with 'hidden'; put it in 'layers'",
    "text_needs_layers": "text data need a 'layers' list that starts with an embedding "
                         "layer, e.g. [{\"type\": \"embedding\"}, {\"type\": \"conv1d\"}, "
                         "{\"type\": \"global_max_pool\"}]",
    "loss_wrong_task": "'{loss}' does not fit a {task} task; use one of {choices}",
    "loss_needs_linear": "{loss} works on logits: use 'linear' (the loss applies the sigmoid "
                         "or softmax itself)",
    "not_for_optimiser": "does not apply to {name}",
    "one_activation_per_layer": "give one activation per hidden layer ({count})",
    "lower_above_upper": "must not exceed upper",
    "layer_not_object": "must be an object with a 'type'",
    "residual_nested": "residual blocks cannot be nested",
    "residual_no_weights": "a residual block needs at least one dense or convolution layer",
    "spp_no_levels": "give at least one level, e.g. [1, 2, 4]",
    "spp_levels_repeat": "levels must differ from each other",
    # engine/build.py and engine/layers/: a layer that does not fit its input
    "embedding_needs_text": "an embedding layer needs a text data set (e.g. 'sentiment')",
    "too_many_activations": "the layers up to here output {total} values per sample; at "
                            "most {max} are allowed",
    "dense_not_flat": "dense layer needs flat input, got shape {shape}",
    "dense_not_flat_hint": "dense layer needs flat input, got shape {shape} (add a flatten "
                           "or global_max_pool layer before it)",
    "conv_input_shape": "{kind} needs input (channels, {axes} spatial axes), got shape {shape}",
    "smaller_than_kernel": "input length {length} (padding {padding}) is smaller than the "
                           "kernel {kernel}",
    "needs_feature_maps": "{kind} needs input (channels, height, width), got {shape}",
    "smaller_than_pool": "input {shape} is smaller than the pool window {size}",
    "smaller_than_level": "input {shape} is smaller than the pyramid level {level}",
    "global_pool_needs_maps": "global max pooling needs (channels, *spatial), got {shape}",
    "residual_projection": "a residual projection needs flat input and output or feature "
                           "maps that keep their size, got {shape} -> {out}",
    "embedding_input_shape": "embedding needs inputs of shape (L,) per sample, got {shape}",
    "layer_misfit": "{reason}",
    # engine/compute.py and engine/budget.py: passes and maps over the budget
    "pass_too_long": "{samples} {what} through this net take {macs} multiply-adds per pass; "
                     "at most {max} (use at most {most} {what}, or a smaller net)",
    "grid_too_large": "a grid of side {side} is {points} points, {macs} multiply-adds "
                      "through this net; at most {max} (use a side of at most {most}, or a "
                      "smaller net)",
    "sample_over_budget": "one sample alone takes about {need} in this net, over the budget "
                          "of {most_bytes} per pass: use a smaller net",
    "maps_too_large": "at most {max} map values (outputs x {out_field}{square} + units x "
                      "{unit_field}{square}), and {units} hidden units x {unit_grid}{square} "
                      "plus the output map are {total}: use {field} <= {most}",
    "maps_too_many_units": "at most {max} map values (outputs x {out_field}{square} + units "
                           "x {unit_field}{square}), and {units} hidden units x "
                           "{unit_grid}{square} plus the output map are {total}: this net "
                           "has too many units",
    "batch_norm_split": "batch norm needs at least 2 training samples; this split leaves "
                        "{count}: use more samples or a larger train_fraction",
    # engine/trainer.py: a weight set by hand
    "no_param_layer": "no layer {layer} with parameters; layers: {layers}",
    "layer_param_names": "layer {layer} has {names}",
    "index_count": "needs {count} indices for shape {shape}",
    # engine/data/: the data part of a spec
    "dataset_not_text": "must be a data set name (a string)",
    "unknown_dataset": "unknown dataset '{name}'; choose one of {choices}, or 'points' with "
                       "the rows in data.points",
    "unknown_dataset_upload": "unknown dataset '{name}'; choose one of {choices}, or 'points' "
                              "with the rows in data.points ('upload' names a data set "
                              "uploaded to a server, which puts its points in the spec as "
                              "'points')",
    "only_for_points": "only applies to the data set 'points'",
    "only_for_images": "only applies to image data",
    "not_for_modality": "does not apply to {modality} data",
    "too_few_samples": "{modality} data need at least {min} samples, got {count}",
    "offset_not_pair": "must be a list of two numbers [dx, dy]",
    "offset_count": "must have exactly 2 numbers, got {count}",
    "features_not_list": "must be a list of feature names",
    "no_features": "choose at least one feature",
    "feature_not_text": "must be a feature name (a string)",
    "unknown_feature": "unknown feature '{name}' for {dims}-D data; choose from {choices}",
    "feature_twice": "feature '{name}' is listed twice",
    "kind_not_text": "must be one of {kinds}, got {got}",
    "points_not_list": "must be a list of [x1, x2, label] rows",
    "points_row_count": "must have {min} to {max} rows, got {count}",
    "point_not_row": "must be a row of 3 numbers [x1, x2, label]",
    "point_not_number": "{column} must be a number, got {got}",
    "point_not_finite": "{column} must be a finite number, got {value}",
    "point_out_of_range": "{column} must be between {low} and {high}, got {value}",
    "points_too_few_classes": "multiclass points need {min} to {max} classes (labels up to "
                              "at least {top}); for two classes use kind 'binary'",
    # engine/probe.py: more of the lab's probe
    "probe_not_available": "only image and text runs have a probe view",
    "only_for_image_runs": "only applies to image runs",
    "only_for_text_runs": "only applies to text runs",
    "probe_shift_pair": "give [dy, dx]",
    "only_with_draw": "only applies with 'draw'",
    "probe_cannot_take": "this net cannot take {size} x {size} images: {reason}",
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
