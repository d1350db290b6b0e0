"""The catalogue: what a spec may name, and the lessons.

Everything here comes from the engine's own registries and defaults, so the page
and the engine never disagree; the answers are computed once per process.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from app.errors import ApiError
from app.frames import clean
from app.routes.responses import answers
from engine.data import DataSpec
from engine.data import list_datasets as dataset_entries
from engine.initializers import DEFAULT_SCALE, INITIALIZERS
from engine.lessons import LESSONS
from engine.lessons import list_lessons as lesson_entries
from engine.lessons.activations import GRID, curves
from engine.spec import (
    OPTIMIZER_KEYS,
    OPTIMIZER_OPTIONS,
    OUTPUT_ACTIVATIONS,
    TASK_LOSSES,
    parse_spec,
)
from engine.spec_layers import ACTIVATION_NAMES, ACTIVATION_OPTIONS

router = APIRouter(prefix="/api", tags=["catalogue"])


@cache
def _datasets() -> list[dict[str, Any]]:
    defaults = asdict(DataSpec())
    defaults.pop("name")
    return [{**entry, "defaults": {k: defaults[k] for k in entry["settings"] if k in defaults}}
            for entry in clean(dataset_entries())]


@cache
def _activations() -> dict[str, Any]:
    drawn = curves(GRID)
    hidden = []
    for name in ACTIVATION_NAMES:
        options = {key: {"default": default, "min": low, "max": high}
                   for key, (default, low, high, applies) in ACTIVATION_OPTIONS.items()
                   if name in applies}
        hidden.append({"name": name, "options": options,
                       "f": drawn[name]["f"], "df": drawn[name]["df"]})
    return {"x": GRID.tolist(), "hidden": hidden, "output": list(OUTPUT_ACTIVATIONS)}


@cache
def _optimizers() -> list[dict[str, Any]]:
    result = []
    for name, keys in OPTIMIZER_KEYS.items():
        defaults = parse_spec({"optimizer": name}).optimizer
        options = {}
        for key in keys:
            if key == "nesterov":
                options[key] = {"default": defaults[key]}
            else:
                _, low, high = OPTIMIZER_OPTIONS[key]
                options[key] = {"default": defaults[key], "min": low, "max": high}
        result.append({"name": name, "options": options})
    return result


@router.get("/datasets", summary="Data sets, with the settings that apply and their defaults")
async def list_datasets() -> list[dict[str, Any]]:
    """Each data set's name, task kind (binary, multiclass, regression), input
    dimension, description, the `data` settings that apply to it with their
    defaults, and the input features it offers. These are the sets the server can
    draw; your own points are not listed: upload them at `/api/uploads` and use the
    `data` it answers (the engine's data set `points` carries them inline)."""
    return _datasets()


@router.get("/activations", summary="Hidden and output activations, with f and f' curves")
async def list_activations() -> dict[str, Any]:
    """`hidden`: every activation a hidden layer may use, its options (default and
    range) and the curves f(x) and f'(x) on the grid `x` (PReLU at its initial
    slope, RReLU at its mean slope). `output`: the output activations."""
    return _activations()


@router.get("/initializers", summary="Weight initialisers")
async def list_initializers() -> list[dict[str, Any]]:
    """Each initialiser's name and the scale used when a spec gives none."""
    return [{"name": name, "default_scale": DEFAULT_SCALE.get(name, 1.0)}
            for name in INITIALIZERS]


@router.get("/optimizers", summary="Optimisers, with their options and defaults")
async def list_optimizers() -> list[dict[str, Any]]:
    """Each optimiser's options with the default a spec gets and the allowed range
    (the learning rate: 0.03 for sgd and momentum, 0.01 for rmsprop and adam).
    Momentum steps by v = momentum v + g, w -= lr v (Nesterov: w -= lr (g +
    momentum v)), so a changed learning rate applies from the next step; the
    update rules of all four are in docs/engine.md."""
    return _optimizers()


@router.get("/losses", summary="Losses and the tasks they fit")
async def list_losses() -> list[dict[str, Any]]:
    """Each loss, the tasks it may be used for, and the tasks it is the default of."""
    names = dict.fromkeys(loss for options in TASK_LOSSES.values() for loss in options)
    return [{"name": name,
             "tasks": [task for task, options in TASK_LOSSES.items() if name in options],
             "default_for": [task for task, options in TASK_LOSSES.items()
                             if options[0] == name]}
            for name in names]


Language = Annotated[Literal["en", "zh-Hant"], Query(
    description="the language of the texts: English or Traditional Chinese")]


@cache
def _lessons(language: str) -> list[dict[str, Any]]:
    return clean(lesson_entries(language))


@router.get("/lessons", summary="The lessons, in the order of the notes",
            responses=answers({422: "an unknown language"}))
async def list_lessons(lang: Language = "en") -> list[dict[str, Any]]:
    """Each lesson's name, title, texts (claim, watch, why) in the language
    asked, preset spec, steps, variants and hand-set weights."""
    return _lessons(lang)


@router.get("/lessons/{name}", summary="One lesson",
            responses=answers({404: "no lesson with that name"},
                              {422: "an unknown language"}))
async def get_lesson(name: str, lang: Language = "en") -> dict[str, Any]:
    """The lesson called `name` (see `/api/lessons` for the names)."""
    if name not in LESSONS:
        raise ApiError.coded(404, ["path", "name"], "lesson_not_found", lesson=name,
                             choices=", ".join(LESSONS))
    return clean(LESSONS[name].describe(lang))
