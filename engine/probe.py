"""What one input does inside a network: each layer's output for a single sample.

The lab shows one image (or sentence) at a time going through a convolutional
net: each convolution's feature maps, the pooled maps, the class scores and, for
text, which n-gram each filter's max over time picked. :func:`probe` runs the
sample through the network's top-level layers one by one in evaluation mode and
keeps every output. A :class:`ProbeRequest` says which sample:

* ``set`` and ``index``: a sample of the training or test split (default: the
  first test sample);
* images only: ``shift`` [dy, dx], whole pixels, to move the image (the vacated
  border takes the image's background level), which shows the feature maps
  moving with it (translation equivariance); ``draw``, a class name, with
  ``size``, to draw a fresh image of that class at another size (e.g. 12 or 24,
  for spatial pyramid pooling; ``index`` then seeds the drawing);
* text only: ``text``, a sentence typed by the user (unknown words become UNK).

For an image net, the probe also pools the first convolution block's maps three
ways side by side: max 2x2, mean 2x2 and overlapping max 3x3 with stride 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.blas_threads import one_blas_thread
from engine.budget import check_sample
from engine.build import build_network
from engine.data.images import IMAGE_CLASSES, image_of_size, shift
from engine.data.sentences import encode
from engine.errors import SpecError
from engine.layers import (
    Act,
    Conv1D,
    Conv2D,
    Dense,
    Flatten,
    GlobalMaxPool,
    Pool2D,
    SpatialPyramidPool,
)
from engine.network import Network
from engine.validate import as_choice, as_int, as_list, as_mapping

if TYPE_CHECKING:
    from engine.trainer import Trainer

PROBE_KEYS = ("set", "index", "shift", "draw", "size", "text")
MAX_TEXT = 200
"""Longest sentence, in characters, a probe accepts."""
DRAW_SIZES = (8, 32)
COMPARED_POOLS = {"max": ("max", 2, 2), "mean": ("mean", 2, 2), "overlapping": ("max", 3, 2)}
"""The pooling compared side by side: (mode, window, stride)."""


@dataclass(frozen=True)
class ProbeRequest:
    """Which sample to probe (see the module docstring); build with :func:`parse_probe`."""

    set: str = "test"
    index: int = 0
    shift: tuple[int, int] = (0, 0)
    draw: str | None = None
    size: int | None = None
    text: str | None = None


def parse_probe(d: Mapping[str, Any] | None, trainer: Trainer) -> ProbeRequest:
    """Validate a probe request against the run's data; SpecError names
    ``probe.<field>``."""
    data = trainer.data
    if data.modality == "points":
        raise SpecError.coded("probe", "probe_not_available")
    d = as_mapping("probe", d if d is not None else {}, PROBE_KEYS)
    split = as_choice("probe.set", d.get("set", "test"), ("train", "test"), "split")
    count = len(trainer.X_train if split == "train" else trainer.X_test)
    index = as_int("probe.index", d.get("index", 0), 0, max(count - 1, 0))
    image_only = [k for k in ("shift", "draw", "size") if k in d]
    if data.modality != "image" and image_only:
        raise SpecError.coded(f"probe.{image_only[0]}", "only_for_image_runs")
    if data.modality != "text" and "text" in d:
        raise SpecError.coded("probe.text", "only_for_text_runs")
    side = data.input_shape[-1]
    request = ProbeRequest(split, index)
    if data.modality == "image":
        moves = as_list("probe.shift", d.get("shift", [0, 0]), 2)
        if len(moves) != 2:
            raise SpecError.coded("probe.shift", "probe_shift_pair")
        dy, dx = (as_int(f"probe.shift.{i}", m, -(side // 2), side // 2)
                  for i, m in enumerate(moves))
        kind = d.get("draw")
        if kind is not None:
            kind = as_choice("probe.draw", kind, IMAGE_CLASSES, "image class")
        elif "size" in d:
            raise SpecError.coded("probe.size", "only_with_draw")
        size = as_int("probe.size", d.get("size", side), *DRAW_SIZES) if kind else None
        if size not in (None, side):
            _check_size(trainer, size, side)
        return ProbeRequest(split, index, (dy, dx), kind, size)
    if "text" in d:
        text = d["text"]
        if not isinstance(text, str):
            raise SpecError.coded("probe.text", "not_text")
        if len(text) > MAX_TEXT:
            raise SpecError.coded("probe.text", "probe_text_too_long", max=MAX_TEXT,
                                  count=len(text))
        request = ProbeRequest(split, index, text=text)
    return request


def _check_size(trainer: Trainer, size: int, side: int) -> None:
    """SpecError naming ``probe.size`` unless the net takes size x size images
    within the run's memory budget: it needs a spatial pyramid or global pooling
    before anything flat, every layer must fit (a try on a blank image: a
    convolution's kernel must fit its input; batch norm and PReLU keep one value
    per channel and fit any size), and one image of that size must pass through
    it within the budget (a net made for small images holds size^2 / side^2 times
    as much per image)."""
    if not takes_any_size(trainer.net.layers):
        raise SpecError.coded("probe.size", "probe_fixed_size", side=side)
    try:
        check_sample(_net_of_size(trainer, size), trainer.budget, "probe.size")
    except SpecError as err:
        fits = next((s for s in range(size - 1, DRAW_SIZES[0] - 1, -1)
                     if _fits(trainer, s)), None)
        if fits is None:
            raise err.moved("probe.size") from None
        raise SpecError.coded("probe.size", "probe_size_too_large", **err.params,
                              fits=fits) from None
    try:
        trainer.net.predict(np.zeros((1, 1, size, size)))
    except ValueError as err:
        raise SpecError.coded("probe.size", "probe_cannot_take", size=size,
                              reason=str(err)) from None


def _net_of_size(trainer: Trainer, size: int) -> Network:
    """The run's net as built for (1, size, size) images (unfilled weights), to
    estimate a pass of such an image; SpecError naming ``probe.size`` if a layer
    cannot take it."""
    try:
        return build_network(trainer.spec, (1, size, size), trainer.data.vectors)
    except SpecError as err:
        raise SpecError.coded("probe.size", "probe_cannot_take", size=size,
                              reason=err.message) from None


def _fits(trainer: Trainer, size: int) -> bool:
    """Whether one size x size image passes through the net within the budget."""
    try:
        check_sample(_net_of_size(trainer, size), trainer.budget, "probe.size")
    except SpecError:
        return False
    return True


def takes_any_size(layers: list) -> bool:
    """Whether a net of these top-level layers takes images of any size: a spatial
    pyramid or global pooling layer comes before anything flat."""
    for layer in layers:
        if isinstance(layer, SpatialPyramidPool | GlobalMaxPool):
            return True
        if isinstance(layer, Flatten | Dense):
            return False
    return False


def probe_input(trainer: Trainer, req: ProbeRequest) -> tuple[np.ndarray, dict[str, Any]]:
    """The sample as a batch of one, (1, *shape) in the network's dtype, and what
    to say about it: ``label`` (None for a typed or drawn sample unless known),
    and for text the ``words`` (L,) ('' for padding)."""
    data = trainer.data
    X = trainer.X_train if req.set == "train" else trainer.X_test
    labels = data.y_train if req.set == "train" else data.y_test
    meta: dict[str, Any] = {"label": int(labels[req.index])}
    if data.modality == "image":
        if req.draw is not None:
            rng = np.random.default_rng(req.index)
            image = image_of_size(req.draw, req.size or data.input_shape[-1], rng)[None, None]
            meta["label"] = IMAGE_CLASSES.index(req.draw)
        else:
            image = X[req.index : req.index + 1]
        if req.shift != (0, 0):
            image = shift(image, req.shift[0], req.shift[1])
        x = np.ascontiguousarray(image, dtype=trainer.net.dtype)
    else:
        if req.text is not None:
            x = encode(req.text, data.input_shape[0])[None].astype(trainer.net.dtype)
            meta["label"] = None
        else:
            x = X[req.index : req.index + 1]
        meta["words"] = [data.vocab[int(i)] if i else "" for i in x[0]]
    return x, meta


@one_blas_thread
def probe(trainer: Trainer, req: ProbeRequest) -> dict[str, Any]:
    """Every top-level layer's output for the requested sample.

    Returns a dict with the request's fields, ``input`` ((S, S) image or (L,)
    ids), ``label``, ``words`` (text), ``scores`` (k,) class probabilities,
    ``predicted``, ``class_names``, ``layers``: [{path, type, values (the
    layer's output for the sample, (C, H, W), (C, L) or (k,)), and for conv1d
    ``windows`` [[start, end), ...] the word positions each output position
    covers, for global max pooling ``argmax`` (C,) the winning positions}], and
    for image nets ``pooling`` {max, mean, overlapping: (C, h, w)}.
    """
    net = trainer.net
    x, meta = probe_input(trainer, req)
    layers: list[dict[str, Any]] = []
    out = x
    field = (0, 1, 1)  # a text position's word span: first word, step, width
    for i, layer in enumerate(net.layers):
        out = layer.forward(out, False)
        entry: dict[str, Any] = {"path": str(i), "type": layer.kind,
                                 "values": np.array(out[0], dtype=np.float32)}
        if isinstance(layer, Conv1D):
            field = _widen(field, layer)
            entry["windows"] = _windows(field, out.shape[-1], x.shape[-1])
        if isinstance(layer, GlobalMaxPool) and layer.argmax is not None:
            entry["argmax"] = [int(v) for v in layer.argmax[0]]
        layers.append(entry)
    shown = trainer.loss.predict(np.asarray(out, dtype=np.float64))[0]
    scores = np.array([1.0 - shown[0], shown[0]]) if trainer.spec.task == "binary" else shown
    result: dict[str, Any] = {
        "set": req.set, "index": req.index, "shift": list(req.shift), "draw": req.draw,
        "text": req.text, "input": np.array(x[0, 0] if x.ndim == 4 else x[0], np.float32),
        **meta, "scores": [float(s) for s in scores], "predicted": int(np.argmax(scores)),
        "class_names": list(trainer.data.class_names), "layers": layers,
    }
    pooled = _pool_comparison(net.layers, layers)
    if pooled is not None:
        result["pooling"] = pooled
    return result


def _widen(field: tuple[int, int, int], layer: Conv1D) -> tuple[int, int, int]:
    """The word span of a position after one more conv1d layer: position j of it
    reads positions j s - p ... j s - p + k - 1 of the layer below, so its span
    starts at first - p step, steps by step s and is (k - 1) step wider."""
    first, step, width = field
    return (first - layer.padding * step, step * layer.stride,
            width + (layer.kernel - 1) * step)


def _windows(field: tuple[int, int, int], n_out: int, length: int) -> list[list[int]]:
    """[start, end) word positions under each output position (clipped to the
    sentence's L positions), from the span ``field`` of the layer's positions."""
    first, step, width = field
    starts = first + np.arange(n_out) * step
    return [[int(max(s, 0)), int(min(s + width, length))] for s in starts]


def _pool_comparison(net_layers: list, entries: list[dict]) -> dict[str, Any] | None:
    """The first conv2d block's maps (after its activation, if one follows)
    pooled three ways, (C, h, w) each; None without a conv2d layer."""
    first = next((i for i, layer in enumerate(net_layers) if isinstance(layer, Conv2D)), None)
    if first is None:
        return None
    if first + 1 < len(net_layers) and isinstance(net_layers[first + 1], Act):
        first += 1
    maps = entries[first]["values"].astype(np.float64)[None]
    if min(maps.shape[2:]) < 3:
        return None
    pooled: dict[str, Any] = {"source": entries[first]["path"]}
    for name, (mode, window, stride) in COMPARED_POOLS.items():
        pool = Pool2D(mode, window, stride)
        pool.build(maps.shape[1:])
        pooled[name] = np.array(pool.forward(maps, False)[0], dtype=np.float32)
    return pooled
