"""The largest runs the limits allow, as the budget tests make them, and how much
memory a call takes."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from typing import Any

TEN_BY_64 = {"data": {"name": "circle", "n_samples": 400}, "hidden": [64] * 10,
             "activation": "tanh"}
"""The largest playground net the default limits allow."""

CONV = {"type": "conv2d", "filters": 16, "kernel": 1}
IMAGE_RUN = {"data": {"name": "shapes", "size": 16, "n_samples": 240}, "batch_size": 10,
             "layers": [CONV, {"type": "activation", "name": "relu"},
                        {"type": "global_max_pool"}]}
"""An image run whose step takes much memory per sample for little arithmetic (1 x 1
kernels): with the setting pass_memory_mb at 16, its 120 training images in one batch
are refused for their memory, not for the arithmetic bound of engine.compute."""


def traced_peak(call: Callable[[], Any]) -> tuple[Any, int]:
    """call()'s result and the peak of the memory allocated meanwhile (bytes; runs
    kept in the test process count, those in engine processes do not)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
