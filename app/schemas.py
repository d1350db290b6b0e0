"""The shapes of the REST API's requests and answers, with examples for /docs.

Request models are strict (a number must be a JSON number, not a string or a
boolean), refuse unknown fields and non-finite numbers. Specs and saved-model
records stay plain JSON objects here: the engine validates them field by field
(see docs/engine.md) and its errors name the field. The uploads' shapes are in
:mod:`app.upload_schemas`, the classroom's in :mod:`app.class_schemas`.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine.spec import MAX_SEED, OPTIMIZER_KEYS, optimizer_defaults

MAX_POINTS = 10_000
"""Points one predict request may ask about."""

SPEC_EXAMPLE: dict[str, Any] = {
    "data": {"name": "circle", "noise": 0.1, "n_samples": 400},
    "hidden": [8, 8],
    "activation": "tanh",
    "optimizer": {"name": "sgd", "lr": 0.03},
    "batch_size": 10,
    "seed": 0,
}

METRICS_EXAMPLE: dict[str, Any] = {
    "step": 1000, "epoch": 50, "status": "idle", "train_loss": 0.052, "test_loss": 0.061,
    "train_accuracy": 0.99, "test_accuracy": 0.985,
}


def optimizer_defaults_text() -> str:
    """Each optimiser's defaults in a spec, as the API docs state them: "sgd lr 0.03;
    momentum lr 0.03, momentum 0.9, nesterov false; ..."."""
    def shown(value: Any) -> str:
        return str(value).lower() if isinstance(value, bool) else f"{value:g}"

    return "; ".join(
        f"{name} " + ", ".join(f"{key} {shown(value)}"
                               for key, value in optimizer_defaults(name).items()
                               if key != "name")
        for name in OPTIMIZER_KEYS)


MOMENTUM_RULE = ("momentum steps by v = momentum v + g, w -= lr v: its velocity holds "
                 "gradients, not steps, so a new lr applies from the next step")


class StrictBody(BaseModel):
    """Base of the request bodies: strict, closed, finite."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


class RunCreate(StrictBody):
    """A new run, from a spec or from a lesson (optionally one of its variants, and
    with a seed of the student's own)."""

    spec: dict[str, Any] | None = Field(
        default=None, description="a network and training spec (docs/engine.md); every "
        "key is optional. The optimizer's options, where left out: "
        f"{optimizer_defaults_text()} (GET /api/optimizers); {MOMENTUM_RULE}")
    lesson: str | None = Field(default=None, description="a lesson name, see /api/lessons")
    variant: str | None = Field(default=None, description="one of the lesson's variants")
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED, description="with 'lesson': "
                             "a seed drawn for it, used as the run's seed and, unless "
                             "'data_seed' is given, its data set's (the lesson's preset is "
                             "seed 0); with 'spec', set the spec's own 'seed' and data "
                             "'seed' instead")
    data_seed: int | None = Field(default=None, ge=0, le=MAX_SEED, description="with "
                                  "'lesson' and 'seed': the data set's seed instead of "
                                  "'seed' (the points or images drawn; data without "
                                  "randomness, the XOR table, ignore it)")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"spec": SPEC_EXAMPLE},
        {"lesson": "dead-relu", "variant": "leaky_relu"},
        {"lesson": "batch-norm", "seed": 17},
        {"lesson": "dead-relu", "seed": 4821, "data_seed": 17},
    ]})


class TrainRequest(StrictBody):
    """How many steps to train."""

    steps: int = Field(ge=1, description="bounded by the server setting "
                       "max_steps_per_request (jobs: a larger bound)")

    model_config = ConfigDict(json_schema_extra={"examples": [{"steps": 500}]})


class PredictRequest(StrictBody):
    """Points in the input plane (or on the line, for 1-D data sets)."""

    points: list[list[float]] = Field(min_length=1, max_length=MAX_POINTS)

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"points": [[0.0, 0.0], [1.5, -2.0], [4.0, 4.0]]}]})


class ProbeBody(StrictBody):
    """Which sample of an image or text run to follow through the network (all
    fields optional: the first test sample by default)."""

    set: str | None = Field(default=None, description="'train' or 'test'")
    index: int | None = Field(default=None, ge=0, description="sample number in that split "
                              "(with 'draw': the seed of the drawing)")
    shift: list[int] | None = Field(default=None, min_length=2, max_length=2,
                                    description="images: [dy, dx] in whole pixels")
    draw: str | None = Field(default=None, description="images: draw a fresh image of "
                             "this class instead (e.g. 'ring')")
    size: int | None = Field(default=None, description="images, with 'draw': its side")
    text: str | None = Field(default=None, max_length=200,
                             description="text: a sentence to classify")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"set": "test", "index": 3, "shift": [2, -1]}, {"draw": "ring", "size": 24},
        {"text": "the food was not good"}]})


class ParamRequest(StrictBody):
    """One weight or bias to set by hand (layer paths as in the run's ``layers``)."""

    layer: str = Field(description="dotted layer path, e.g. '0' or '2.0.1'")
    name: str = Field(description="'W', 'b', 'gamma', 'beta' or 'alpha'")
    index: list[int] = Field(max_length=4, description="position in the array")
    value: float

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"layer": "0", "name": "W", "index": [0, 1], "value": 0.5}]})


class HyperRequest(StrictBody):
    """Settings that may change mid-run; give at least one."""

    lr: float | None = Field(default=None, description="the learning rate, from the next "
                             f"step on (1e-7 to 10); {MOMENTUM_RULE}")
    l1: float | None = None
    l2: float | None = None
    batch_size: int | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"lr": 0.1, "batch_size": 20}]})

    @model_validator(mode="after")
    def _something(self) -> HyperRequest:
        if all(v is None for v in (self.lr, self.l1, self.l2, self.batch_size)):
            raise ValueError("give at least one of lr, l1, l2, batch_size")
        return self


class SaveRequest(StrictBody):
    """The name to save a run under."""

    name: str = Field(description="1 to 80 characters, no control characters")

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "circle, 2 x 8 tanh"}]})


class Metrics(BaseModel):
    """Step, epoch, status and losses; null where not finite or not a classification."""

    step: int
    epoch: int
    status: str
    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None

    model_config = ConfigDict(json_schema_extra={"examples": [METRICS_EXAMPLE]})


class RunInfo(BaseModel):
    """A run: where it came from, its spec, settings, layers and metrics."""

    id: str
    status: str = Field(description="idle, training or diverged")
    step: int
    epoch: int
    lesson: str | None
    variant: str | None
    spec: dict[str, Any]
    hyper: dict[str, float | int]
    layers: list[dict[str, Any]]
    metrics: Metrics


class Hyper(BaseModel):
    lr: float
    l1: float
    l2: float
    batch_size: int


class ParamSet(BaseModel):
    layer: str
    name: str
    index: list[int]
    value: float
    status: str


class Points(BaseModel):
    """A run's data as the page plots it."""

    dims: int = Field(description="dimension of the plotted points, 1 or 2")
    task: str = Field(description="binary, multiclass or regression")
    classes: int | None = Field(description="number of classes (None for regression)")
    extent: list[float] = Field(description="[xmin, xmax, ymin, ymax] (1-D: [xmin, xmax])")
    features: list[str] = Field(description="the input features the network sees")
    train: list[list[float]] = Field(description="rows [x1, x2, y] (1-D: [x, y])")
    test: list[list[float]] = Field(description="rows [x1, x2, y] (1-D: [x, y])")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"dims": 2, "task": "binary", "classes": 2, "extent": [-6, 6, -6, 6],
         "features": ["x1", "x2"], "train": [[0.5, -1.25, 1], [4.8, 2.1, 0]],
         "test": [[-0.3, 0.9, 1]]}]})


class Prediction(BaseModel):
    """The network's output as the page shows it, one entry per point."""

    task: str = Field(description="binary, multiclass or regression")
    output: list[float | None] | list[list[float | None]] = Field(
        description="P(class 1) per point (binary), class probabilities per point "
        "(multiclass) or the predicted value (regression)")
    classes: list[int] | None = Field(description="predicted class per point "
                                      "(classification only)")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"task": "binary", "output": [0.97, 0.12, 0.03], "classes": [1, 0, 0]}]})


class JobInfo(BaseModel):
    """A background training job."""

    id: str
    run: str
    state: str = Field(description="running, finished, failed or cancelled")
    done: int
    total: int
    metrics: Metrics | None
    error: str | None

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": "q3X9aZ0bC1E", "run": "x2kYv0cQ7Q9uD1wA8n3L6g", "state": "running",
         "done": 4200, "total": 50000, "metrics": METRICS_EXAMPLE, "error": None}]})


class ModelListing(BaseModel):
    """A saved model as listed (the record itself is read with GET /api/models/{id})."""

    id: str
    name: str
    created: str
    lesson: str | None = None
    variant: str | None = None
    dataset: str | None = None
    step: int | None = None
    test_loss: float | None = None
    test_accuracy: float | None = None

    model_config = ConfigDict(extra="allow")


Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """One page of a list: ``items`` from position ``offset``, at most ``limit`` of
    them, out of ``total``; the next page starts at offset + limit."""

    items: list[Item]
    total: int = Field(description="how many there are in all")
    limit: int = Field(description="the most items this page may hold (as asked)")
    offset: int = Field(description="the position of the first item in the whole list")


class ModelPage(Page[ModelListing]):
    """A page of saved models, newest first."""


class ParamArray(BaseModel):
    """A parameter array other than weights and biases (batch norm's gamma and
    beta, PReLU's alpha, an embedding's table). Batch norm's and PReLU's are one
    value per unit after a dense layer, and one per channel (filter) after a
    convolution."""

    shape: list[int]
    values: list[Any] = Field(description="nested lists of the given shape")


class LayerParams(BaseModel):
    """One layer's parameters as nested lists."""

    index: int = Field(description="the layer's position in the run's `layers`")
    path: str = Field(description="the layer's path, as in PUT /params")
    kind: str = Field(description="the layer type: dense, conv2d, batchnorm, ...")
    weights: list[Any] | None = Field(description="W: (inputs, units) for a dense layer, "
                                      "(filters, channels, kernel...) for a convolution")
    weights_shape: list[int] | None
    biases: list[float | None] | None = Field(
        description="b, one per unit or filter (null where not finite)")
    biases_shape: list[int] | None
    others: dict[str, ParamArray] = Field(description="any other parameter, by name")


class RunParams(BaseModel):
    """A run's weights and biases at a step (layers without parameters left out)."""

    run: str
    step: int
    epoch: int
    layers: list[LayerParams]

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"run": "x2kYv0cQ7Q9uD1wA8n3L6g", "step": 500, "epoch": 25, "layers": [
            {"index": 0, "path": "0", "kind": "dense", "weights": [[1.2, -0.8], [0.9, 1.1]],
             "weights_shape": [2, 2], "biases": [0.1, -0.3], "biases_shape": [2],
             "others": {}},
            {"index": 2, "path": "2", "kind": "dense", "weights": [[1.5], [-1.4]],
             "weights_shape": [2, 1], "biases": [0.2], "biases_shape": [1], "others": {}}]}]})


class EngineWorker(BaseModel):
    node: str = Field(description="the address of the node the worker runs on ('local' for "
                                  "the local engine)")
    runs: int = Field(description="runs it holds")


class EngineHealth(BaseModel):
    kind: Literal["local", "ray"]
    address: str | None = Field(description="the Ray cluster's address (NNPLAY_ENGINE)")
    reachable: bool
    problem: str | None = Field(description="why the cluster cannot be reached, if it cannot")
    nodes: int = Field(description="machines (Ray nodes) alive")
    workers: list[EngineWorker] = Field(description="engine workers taking runs")


class Health(BaseModel):
    status: Literal["ok", "engine_unreachable", "engine_unavailable"]
    runs: int
    engine: EngineHealth
