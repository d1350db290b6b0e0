"""Convolution and pooling speed: medians of repeated timings (run: python bench/conv.py).

Measures forward + backward (parameter gradients and dL/dx) of a Conv2D with 8
filters 3x3, stride 1, padding 1 on a batch of 32 one-channel 16x16 images, in
float64 and float32, against a target of 2 ms; and the same for 2x2 max/mean
pooling, overlapping 3x3/2 max pooling and spatial pyramid pooling of its output
(32 x 8 x 16 x 16, laid out in memory as a convolution's output is). Output
gradients are laid out as each layer's output, as in a network. Then a lab
frame, against a target of 20 ms: what the server's engine does for one live
frame of each lab lesson's preset (the playground's default of 10 training
steps, the frame content with its probe of one sample, and the binary encoding).
Prints medians; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.allocator import keep_freed_memory
from app.run_host import HostedRun
from bench.engine import call_overhead, per_call
from engine.initializers import Initializer
from engine.layers.base import Layer, total_size
from engine.layers.conv import Conv2D
from engine.layers.pooling import GlobalMaxPool, Pool2D
from engine.layers.pyramid import SpatialPyramidPool
from engine.lessons import LESSONS
from engine.trainer import Trainer

LAB_LESSONS = ("convolution", "pooling", "text-cnn")
STEPS_PER_FRAME = 10
"""The live view's default steps per frame (app.registry.RunSlot)."""


def bound(layer: Layer, in_shape: tuple[int, ...], dtype: type) -> Layer:
    """Build and bind a layer to buffers of ``dtype`` and initialise it."""
    layer.build(in_shape)
    size = total_size(layer.param_specs())
    layer.bind(np.zeros(size, dtype), np.zeros(size, dtype), np.zeros(0, dtype))
    layer.init(np.random.default_rng(0), Initializer("he_normal"), 0.0)
    return layer


def samples_inner(x: np.ndarray) -> np.ndarray:
    """x's values laid out (C, *spatial, n) in memory, seen as (n, C, ...): the
    memory order of a convolution's output, and so of what the layers after one
    receive."""
    return np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 0, -1)), -1, 0)


def step_time(layer: Layer, x: np.ndarray, repeats: int, calls: int = 50) -> float:
    """Forward (training mode) then backward with a fixed output gradient, laid out
    as the layer's output is (as the gradient from the layer above would be)."""
    out = layer.forward(x, True)
    g = np.empty_like(out)
    g[...] = np.random.default_rng(1).standard_normal(out.shape)

    def step() -> None:
        layer.forward(x, True)
        layer.backward(g)

    return per_call(step, calls, repeats)


def lab_frame_time(lesson: str, repeats: int) -> tuple[float, float, int]:
    """Median seconds of one live frame (steps + snapshot + probe + encoding) of a
    lesson's preset, of its snapshot alone, and the frame's size in bytes."""
    run = HostedRun(Trainer(LESSONS[lesson].spec))
    header = {"type": "frame", "run": "bench", "seq": 1}
    frame = run.live_frame(STEPS_PER_FRAME, 100, 16, header)
    whole = per_call(lambda: run.live_frame(STEPS_PER_FRAME, 100, 16, header), 5, repeats)
    content = per_call(lambda: run.snapshot(100, 16), 5, repeats)
    return whole, content, len(frame)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    keep_freed_memory()  # as the server's engine processes do
    r = args.repeats
    rng = np.random.default_rng(0)
    rows = []
    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        images = rng.standard_normal((32, 1, 16, 16)).astype(dtype)
        conv = bound(Conv2D(8, 3, stride=1, padding=1), (1, 16, 16), dtype)
        rows.append((f"conv2d 8x3x3 p1, 32x1x16x16 {name}", step_time(conv, images, r), 2e-3))
        # feature maps as a convolution hands them on
        maps = samples_inner(rng.standard_normal((32, 8, 16, 16)).astype(dtype))
        for label, layer in [
            ("max pool 2x2", Pool2D("max", 2)),
            ("mean pool 2x2", Pool2D("mean", 2)),
            ("max pool 3x3 stride 2", Pool2D("max", 3, stride=2)),
            ("spp (1, 2, 4) max", SpatialPyramidPool((1, 2, 4), "max")),
            ("spp (1, 2, 4) mean", SpatialPyramidPool((1, 2, 4), "mean")),
            ("global max pool", GlobalMaxPool()),
        ]:
            layer = bound(layer, (8, 16, 16), dtype)
            rows.append((f"{label}, 32x8x16x16 {name}", step_time(layer, maps, r), None))
    # reference: the one product at the heart of the conv forward, alone
    cols = rng.standard_normal((32, 9, 256))
    weights = rng.standard_normal((8, 9))
    reference = per_call(lambda: np.matmul(weights, cols), 200, r)

    print(f"{'forward + backward':44s} {'median':>10s} {'target':>10s}")
    for name, seconds, target in rows:
        verdict = "" if target is None else f"{target * 1e6:8.0f}us  " + (
            "ok" if seconds <= target else "OVER")
        print(f"{name:44s} {seconds * 1e6:8.1f}us {verdict}")
    print(f"{'(reference: matmul (8,9) @ (32,9,256) f64)':44s} {reference * 1e6:8.1f}us")
    print(f"\n{'lab frame, ' + str(STEPS_PER_FRAME) + ' steps + content':44s} {'median':>10s} "
          f"{'target':>10s}   content alone, frame size")
    for lesson in LAB_LESSONS:
        whole, content, size = lab_frame_time(lesson, max(3, r // 3))
        verdict = "ok" if whole <= 20e-3 else "OVER"
        print(f"{lesson:44s} {whole * 1e3:8.2f}ms {20:8.0f}ms  {verdict}   "
              f"{content * 1e3:.2f} ms, {size / 1024:.1f} KB")
    print(f"{'(reference: one 80-element NumPy multiply)':44s} {call_overhead(r) * 1e6:8.2f}us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
