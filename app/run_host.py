"""Where runs live and compute: a :class:`RunHost` holds trainers by id and carries
out named operations on them.

A host lives either in the server process or in an engine worker process (see
:mod:`app.engine_pool`); either way it is driven by one thread at a time, so an
operation never overlaps another on any of its runs. Every operation takes and
returns plain picklable values (numbers, strings, dicts, NumPy arrays, bytes), so
the same code serves both places. Nothing here imports anything web.

Operations on a run (the methods of :class:`HostedRun` named in ``OPERATIONS``):
``info``, ``train``, ``metrics``, ``snapshot``, ``live_frame``, ``unit_map``,
``check_maps``, ``predict``, ``points``, ``set_param``, ``set_hyper``, ``reset``,
``export``, ``check_probe``, ``probe``, ``summary``. Host operations:
``create`` (from a :data:`Recipe`), ``adopt`` (an existing trainer, in-process
only) and ``drop``.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

import numpy as np

from app.error_codes import app_error
from app.frames import encode_frame, pack, quantise
from engine import compute
from engine.budget import MapShape, check_maps
from engine.checkpoint import export_run, import_run
from engine.compute import check_grid, check_pass
from engine.errors import SpecError
from engine.lessons import LESSONS
from engine.probe import ProbeRequest, parse_probe
from engine.probe import probe as run_probe
from engine.telemetry import FrameParts, MapMaker, gradient_picture, snapshot, unit_activity
from engine.trainer import Trainer
from engine.validate import as_int

Recipe = tuple
"""How to make a run: ``("spec", spec_dict, limits)``, ``("lesson", name, variant,
budget, draw)`` (draw None for the preset's seeds, else the
:class:`engine.lessons.base.Draw` of the seeds a student drew) or ``("record",
saved_model_record, limits)``; the limits' ``budget`` (a lesson's own) bounds the
run's memory (see :mod:`engine.budget`)."""


MAX_POINT_VALUE = 1e6
"""Largest coordinate a predict request may ask about."""


def as_points(points: list[list[float]], dims: int) -> np.ndarray:
    """The points as an (n, dims) array; SpecError naming the first bad point."""
    for i, point in enumerate(points):
        if len(point) != dims:
            raise app_error(f"points.{i}", "point_size" if dims > 1 else "point_size_1",
                            dims=dims, count=len(point))
    array = np.asarray(points, dtype=np.float64).reshape(len(points), dims)
    outside = np.argwhere(np.abs(array) > MAX_POINT_VALUE)
    if len(outside):
        i, j = outside[0]
        raise SpecError.coded(f"points.{i}.{j}", "value_out_of_range",
                              low=-float(MAX_POINT_VALUE), high=float(MAX_POINT_VALUE),
                              value=float(array[i, j]))
    return array


class HostedRunMissingError(KeyError):
    """The host holds no run with that id (it was dropped, or its worker restarted)."""


def make_trainer(recipe: Recipe) -> Trainer:
    """A new trainer from a recipe; SpecError naming the field for a bad one."""
    kind = recipe[0]
    if kind == "spec":
        _, spec, limits = recipe
        try:
            return Trainer(spec, limits)
        except SpecError as err:
            raise err.nested("spec") from None
    if kind == "lesson":
        _, name, variant, budget, draw = recipe
        return LESSONS[name].trainer(variant, budget, draw)
    if kind == "record":
        _, record, limits = recipe
        return import_run(record, limits)
    raise ValueError(f"unknown recipe {kind!r}")


class HostedRun:
    """One trainer and the map maker reused between its frames."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.revision = 0  # increases with every change to the run
        self._maps: MapMaker | None = None
        # its cohort key and what it was computed for (see app.cohort_frames)
        self.cohort_mark: tuple | None = None
        self.cohort_key: Any = None
        # its next frame's passes over the data, computed with its cohort's, and
        # the revision they are of
        self.prepared: tuple[int, FrameParts] | None = None

    @property
    def maps(self) -> MapMaker:
        if self._maps is None:
            self._maps = MapMaker(self.trainer)
        return self._maps

    def info(self) -> dict[str, Any]:
        """Step, epoch, spec, hyperparameters, layers and metrics (no arrays)."""
        trainer = self.trainer
        return {"step": trainer.step_count, "epoch": trainer.epoch,
                "spec": trainer.spec.to_dict(), "hyper": trainer.hyper(),
                "layers": trainer.net.describe(), "metrics": trainer.metrics()}

    def train(self, steps: int, slice_seconds: float | None = None) -> int:
        """Up to ``steps`` training steps; returns how many were taken. Stops early,
        rewound, on divergence, and once ``slice_seconds`` have gone by (the time
        slice of one request: see :mod:`app.fair_queue`)."""
        if not steps or self.trainer.status == "diverged":
            return 0
        deadline = None if slice_seconds is None else time.perf_counter() + slice_seconds
        done = self.trainer.advance(steps, deadline)
        self.revision += 1
        return done

    def metrics(self) -> dict[str, Any]:
        return self.trainer.metrics()

    def summary(self) -> dict[str, Any]:
        """The metrics and the dead hidden units, for the teacher's class table:
        {step, epoch, status, train_loss, test_loss, ..., dead_units, units}."""
        _, train_out = gradient_picture(self.trainer)
        dead = [a["dead"] for a in unit_activity(self.trainer.net).values()]
        return {**self.trainer.metrics(train_out=train_out),
                "dead_units": int(sum(d.sum() for d in dead)),
                "units": int(sum(d.size for d in dead))}

    def snapshot(self, output_grid: int, unit_grid: int,
                 probe: dict[str, Any] | None = None, fit: bool = True) -> dict[str, Any]:
        """The frame content as arrays (see :func:`engine.telemetry.snapshot`);
        ``probe`` picks the sample an image or text run's probe shows. With ``fit``
        (a live frame) grids whose maps exceed the run's budget, or whose passes the
        arithmetic bound of :mod:`engine.compute`, are lowered to fit,
        and the frame's ``grid`` says the sides drawn; without it (a request that
        named its grids) they are refused with a SpecError naming the grid."""
        request = None
        if probe is not None or self.trainer.data.modality != "points":
            request = parse_probe(probe, self.trainer)
        prepared, self.prepared = self.prepared, None
        parts = prepared[1] if prepared and prepared[0] == self.revision else None
        return snapshot(self.trainer, output_grid, unit_grid,
                        maps=self.maps if request is None else None, probe_request=request,
                        fit=fit, parts=parts)

    def live_frame(self, steps: int, output_grid: int, unit_grid: int,
                   header: dict[str, Any], probe: dict[str, Any] | None = None,
                   slice_seconds: float | None = None) -> bytes:
        """Train up to ``steps`` steps within ``slice_seconds``, then the encoded binary
        frame; ``header`` gets the run's status after the steps. The maps are drawn on
        the grids asked for, or the finest that fit (see :meth:`snapshot`); the
        frame's ``grid`` says which."""
        self.train(steps, slice_seconds)
        frame = self.snapshot(output_grid, unit_grid, probe)
        return encode_frame(frame, {**header, "status": self.trainer.status})

    def check_probe(self, probe: dict[str, Any] | None) -> dict[str, Any]:
        """The probe request with its defaults filled in; SpecError naming the
        request's field (``index``, ``shift.0`` ...) for a bad one."""
        return asdict(self._probe_request(probe))

    def probe(self, probe: dict[str, Any] | None) -> dict[str, Any]:
        """One sample's way through an image or text net (see :mod:`engine.probe`)."""
        return run_probe(self.trainer, self._probe_request(probe))

    def _probe_request(self, probe: dict[str, Any] | None) -> ProbeRequest:
        """parse_probe, with errors naming the field as the client sent it (the
        request's own fields, not ``probe.<field>``)."""
        try:
            return parse_probe(probe, self.trainer)
        except SpecError as err:
            raise err.moved(err.field.removeprefix("probe.")) from None

    def _points_only(self, field: str, what: str) -> None:
        modality = self.trainer.data.modality
        if modality != "points":
            raise app_error(field, "needs_points_images" if modality == "image"
                            else "needs_points_sentences", what=what)

    def unit_map(self, layer: Any, unit: Any, grid: int, header: dict[str, Any]) -> bytes:
        """One hidden unit's map on a ``grid`` x ``grid`` grid, encoded as a binary
        message with one uint8 array ``map``; SpecError naming ``layer``, ``unit`` or
        ``grid``. Only that unit's map is kept from the pass (not every unit's at
        this resolution), and the pass goes in chunks within the run's budget."""
        self._points_only("layer", "a unit map")
        grid = as_int("grid", grid, 2, 200)
        check_grid(self.trainer.net, self.trainer.data.dims, grid, "grid")
        maker = MapMaker(self.trainer)
        counts = maker.unit_counts()
        if layer not in counts:
            raise app_error("layer", "no_activation_layer", layer=repr(layer),
                            layers=", ".join(counts))
        index = as_int("unit", unit, 0, counts[layer] - 1)
        shape = maker.shape()
        check_maps(MapShape(1, shape.outputs, shape.dims), 2, grid, self.trainer.budget,
                   ("grid", "grid"))
        q, lo, hi = quantise(maker.maps(2, grid, keep=(layer, index))["units"][layer][0])
        head = {**header, "layer": layer, "unit": index, "grid": grid,
                "arrays": [{"name": "map", "dtype": "uint8", "shape": list(q.shape),
                            "offset": 0, "lo": lo, "hi": hi}]}
        return pack(head, [q.tobytes()])

    def check_maps(self, output_grid: int, unit_grid: int,
                   fields: tuple[str, str] = ("output_grid", "unit_grid")) -> None:
        """SpecError naming ``fields[1]`` (or ``fields[0]``) if this run's maps at
        these grid sides exceed its budget (image and text runs have no maps)."""
        if self.trainer.data.modality == "points":
            check_maps(self.maps.shape(), output_grid, unit_grid, self.trainer.budget,
                       tuple(fields))

    def predict(self, points: list[list[float]]) -> dict[str, Any]:
        """points: n lists of dims numbers in plotted coordinates -> task, shown
        output (n,) or (n, k), and classes (n,) (None for regression)."""
        self._points_only("points", "predicting on points")
        trainer = self.trainer
        check_pass(trainer.net, len(points), "points", "points", compute.MAX_GRID_MACS)
        X = trainer.data.transform(as_points(points, trainer.data.dims))
        out = np.array(trainer.forward_all(X.astype(trainer.net.dtype)))
        shown = trainer.loss.predict(out)
        task = trainer.spec.task
        classes = None if task == "regression" else trainer.loss.classify(out).tolist()
        return {"task": task, "output": shown[:, 0] if shown.shape[1] == 1 else shown,
                "classes": classes}

    def points(self) -> dict[str, Any]:
        """The data as plotted: dims, task, classes, extent, and the train and test
        rows [x1, x2, y] (1-D data: [x, y]), y a class number or a target value."""
        self._points_only("run", "a plot of the data")
        data = self.trainer.data

        def rows(points: np.ndarray, y: np.ndarray) -> list[list[float]]:
            labels = y.reshape(len(points), -1)[:, :1]
            return np.hstack([points, labels.astype(np.float64)]).tolist()

        return {"dims": data.dims, "task": data.task,
                "classes": data.n_classes or None, "extent": list(data.extent),
                "features": list(data.feature_names),
                "train": rows(data.points_train, data.y_train),
                "test": rows(data.points_test, data.y_test)}

    def set_param(self, layer: str, name: str, index: list[int], value: float) -> None:
        self.trainer.set_param(layer, name, index, value)
        self.revision += 1

    def set_hyper(self, given: dict[str, Any]) -> dict[str, Any]:
        """All or nothing: if one value is refused, none changes."""
        before = self.trainer.hyper()
        try:
            self.trainer.set_hyper(**given)
        except SpecError:
            self.trainer.set_hyper(**before)
            raise
        self.revision += 1
        return self.trainer.hyper()

    def reset(self) -> None:
        self.trainer.reset()
        self.revision += 1

    def params(self) -> dict[str, Any]:
        """Step, epoch, the layer list and every layer's parameters as nested lists
        by layer path and name (no metrics, spec or state: one cheap request)."""
        trainer = self.trainer
        return {"step": trainer.step_count, "epoch": trainer.epoch,
                "layers": trainer.net.describe(),
                "params": {path: {name: values.tolist() for name, values in arrays.items()}
                           for path, arrays in trainer.net.weights().items()}}

    def export(self) -> dict[str, Any]:
        """The saved-model record (see :func:`engine.checkpoint.export_run`)."""
        return export_run(self.trainer)


OPERATIONS = frozenset({"info", "train", "metrics", "snapshot", "live_frame", "unit_map",
                        "check_maps", "predict", "points", "set_param", "set_hyper", "reset",
                        "export", "params", "check_probe", "probe", "summary"})


class RunHost:
    """Runs by id and the operations on them."""

    def __init__(self) -> None:
        self.runs: dict[str, HostedRun] = {}

    def handle(self, run_id: str, op: str, args: tuple) -> tuple[Any, str, int]:
        """Carry out one operation; returns (result, the run's status afterwards, its
        revision afterwards: a count of the changes made to it).

        Raises whatever the operation raises (SpecError for bad input), and
        HostedRunMissingError for an id the host does not hold.
        """
        if op == "create":
            self.runs[run_id] = run = HostedRun(make_trainer(args[0]))
        elif op == "adopt":
            self.runs[run_id] = run = HostedRun(args[0])
        elif op == "drop":
            self.runs.pop(run_id, None)
            return None, "idle", 0
        else:
            run = self.runs.get(run_id)
            if run is None:
                raise HostedRunMissingError(run_id)
            if op not in OPERATIONS:
                raise ValueError(f"unknown operation {op!r}")
            with np.errstate(all="ignore"):
                value = getattr(run, op)(*args)
            return value, run.trainer.status, run.revision
        return None, run.trainer.status, run.revision
