"""Pooling: mean keeps the background, max keeps the texture; overlap; pyramids.

The notes make three points about pooling:

* mean pooling keeps the overall level of a region (the background), max pooling
  keeps its strongest responses (a texture's peaks). On a plain background the
  two agree. Measured with :class:`Pool2D` (4 x 4 windows) on
  ``texture_on_background`` (one bright dot in every 4 x 4 window) and
  ``flat_background``;
* overlapping pooling (windows of 3 every 2 pixels, as in AlexNet) gives
  floor((S - 3) / 2) + 1 outputs per side, and a pixel may fall in up to 4
  windows. Counted by a mean-pooling backward of ones, which hands each window's
  pixels 1/9 each. Windows that do not fit are dropped, so for even S the last
  row and column feed no window at all; that is reported too;
* spatial pyramid pooling (He et al.) max-pools each channel over 1 x 1, 2 x 2 and
  4 x 4 grids of bins whatever the input size, so one network takes images of any
  size and always hands the output layer C * 21 numbers. The SPP net is trained
  on 16 x 16 images only and then shown 12 x 12, 20 x 20 and 24 x 24 images drawn
  with the same random figures (``image_of_size``, from a generator seeded by
  the data seed); it must classify them at over three times chance.

The variants put max, mean or overlapping max pooling (or max pooling followed by
an SPP head) into the same small conv net, trained on the shapes with the same
seeds and steps; each must reach 90% test accuracy.

The first three points are arithmetic on made-up pictures and hold for every
seed; the trained ones were measured over seeds 1 to 60 (model and data seed
both, ``bench/lessons.py``). With the earlier setting (360 images, half of them
for training, Adam at 0.01, 600 steps) the SPP variant ended under 90% for 4 of
20 seeds (0.83 to 0.89) and the mean variant once (0.75): every variant fits its
training set completely, and the SPP head, whose 336 pooled values keep where in
the image a feature was, over-fits 30 training images a class. The arithmetic
bound of a data pass caps this net at 407 images, so the data set is 400 images
with 60% for training (40 a class, 160 to test on), and Adam runs at 0.003
instead of 0.01. Each change alone still left 1 SPP run in 20 under 90%; both
together none in 60 at 600 steps, but there the mean variant, slower at the lower
rate, missed for 1 seed in 40 (0.89, its training set not yet fitted), so the
lesson trains 800 steps. With this setting every claim held for all 60 seeds: the
lowest SPP test accuracy was 0.906, the lowest of the other variants 0.919, and
the SPP net's lowest accuracy on another size 0.60 (three times chance is 0.5).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from engine.data.images import (
    IMAGE_CLASSES,
    flat_background,
    image_of_size,
    texture_on_background,
)
from engine.layers import Pool2D, SpatialPyramidPool
from engine.lessons.base import Draw, Lesson, Pace, Signature, Variant, claim
from engine.lessons.pace import loss_settles
from engine.trainer import Trainer

DATA = {"name": "shapes", "n_samples": 400, "train_fraction": 0.6, "size": 16, "seed": 0}
RELU = {"type": "activation", "name": "relu"}
CONV = {"type": "conv2d", "filters": 8, "kernel": 3, "padding": 1}
CONV2 = {"type": "conv2d", "filters": 16, "kernel": 3, "padding": 1}
GLOBAL_MAX = {"type": "global_max_pool"}


def conv_net(pool: dict[str, Any], head: dict[str, Any] = GLOBAL_MAX) -> dict[str, Any]:
    """conv - relu - ``pool`` - conv - relu - ``head`` on the shapes."""
    return {"data": DATA, "layers": [CONV, RELU, pool, CONV2, RELU, head],
            "optimizer": {"name": "adam", "lr": 0.003}, "batch_size": 16, "seed": 0,
            "dtype": "float32"}


MAX = conv_net({"type": "pool2d", "mode": "max", "size": 2})
MEAN = conv_net({"type": "pool2d", "mode": "mean", "size": 2})
OVERLAP = conv_net({"type": "pool2d", "mode": "max", "size": 3, "stride": 2})
SPP = conv_net({"type": "pool2d", "mode": "max", "size": 2},
               {"type": "spp", "levels": [1, 2, 4], "mode": "max"})
EARLY = 100
STEPS = 800
BACKGROUND, PEAK, PERIOD = 0.1, 0.9, 4
SIZES = (12, 16, 24)
"""Input sides the SPP net must accept with the same output length."""
TEST_SIZES = (12, 16, 20, 24)
PER_CLASS = 50
"""Images of each class drawn at every size for the SPP size test."""
SIZE_TEST_SEED = 1
"""The SPP size test's images come from the generator seeded this plus the data seed."""
MIN_ACCURACY = 0.9
"""Every variant's test accuracy after STEPS steps."""


def background_and_texture() -> dict[str, float]:
    """Mean and max pooling (PERIOD x PERIOD windows) of a dotted texture and of a
    plain background: the extremes of each pooled map."""
    texture = texture_on_background(16, BACKGROUND, PEAK, PERIOD)[None, None]
    flat = flat_background(16, BACKGROUND)[None, None]
    mean, peak = Pool2D("mean", PERIOD), Pool2D("max", PERIOD)
    t_mean, t_max = mean.forward(texture, False), peak.forward(texture, False)
    f_mean, f_max = mean.forward(flat, False), peak.forward(flat, False)
    return {
        "background": BACKGROUND, "peak": PEAK,
        "texture_mean_low": float(t_mean.min()), "texture_mean_high": float(t_mean.max()),
        "texture_max_low": float(t_max.min()), "texture_max_high": float(t_max.max()),
        "flat_mean": float(f_mean.mean()), "flat_max": float(f_max.mean()),
        "flat_mean_max_difference": float(np.max(np.abs(f_mean - f_max))),
        "mean_contrast": float(t_mean.mean() - f_mean.mean()),
        "max_contrast": float(t_max.mean() - f_max.mean()),
    }


def window_counts(side: int, size: int, stride: int) -> dict[str, Any]:
    """Output side of ``size`` x ``size`` pooling every ``stride`` pixels on a
    side x side input, and in how many windows each input pixel falls."""
    pool = Pool2D("mean", size, stride)
    out = pool.forward(np.ones((1, 1, side, side)), False)
    counts = np.rint(pool.backward(np.ones_like(out)) * size * size).astype(int)
    histogram = {str(c): n for c, n in sorted(Counter(counts.ravel().tolist()).items())}
    return {"out_side": int(out.shape[-1]), "formula": (side - size) // stride + 1,
            "max_windows": int(counts.max()), "pixels_by_windows": histogram}


def spp_lengths(trainer: Trainer) -> dict[str, int]:
    """Length of the SPP layer's output per image, for inputs of each side in SIZES."""
    lengths = {}
    for side in SIZES:
        x = np.zeros((1, 1, side, side))
        for layer in trainer.net.layers:
            x = layer.forward(x, False)
            if isinstance(layer, SpatialPyramidPool):
                break
        lengths[str(side)] = int(x.shape[1])
    return lengths


def accuracy_by_size(trainer: Trainer, seed: int) -> dict[str, float]:
    """Test accuracy of a net trained on 16 x 16 images on fresh images of each side
    in TEST_SIZES; generator ``seed`` draws the same figures at every side."""
    labels = np.repeat(np.arange(len(IMAGE_CLASSES)), PER_CLASS)
    result = {}
    for side in TEST_SIZES:
        rng = np.random.default_rng(seed)
        images = np.stack([image_of_size(IMAGE_CLASSES[k], side, rng) for k in labels])
        out = trainer.net.predict(images[:, None])
        result[str(side)] = float(np.mean(trainer.loss.classify(out) == labels))
    return result


def measure(draw: Draw) -> Signature:
    """Train the four variants for ``draw`` and measure the pictures, the window
    counts, the SPP lengths and accuracies; one claim per point of the notes."""
    runs = {v.name: Trainer(draw.apply(v.spec)) for v in POOLING.variants}
    early = {name: t.train(EARLY)["test_accuracy"] for name, t in runs.items()}
    final = {name: t.train(STEPS - EARLY)["test_accuracy"] for name, t in runs.items()}
    spp = runs["spp"]
    spp_layer = next(layer for layer in spp.net.layers if isinstance(layer, SpatialPyramidPool))
    values: dict[str, Any] = {
        "pictures": background_and_texture(),
        "overlap": {str(side): window_counts(side, 3, 2) for side in SIZES},
        "no_overlap": window_counts(16, 2, 2),
        "spp_channels": int(spp_layer.in_shape[0]),
        "spp_bins": spp_layer.bins,
        "spp_lengths": spp_lengths(spp),
        "spp_accuracy_by_size": accuracy_by_size(spp, SIZE_TEST_SEED + draw.data),
        "test_accuracy_early": early,
        "test_accuracy": final,
    }
    pics, by_size = values["pictures"], values["spp_accuracy_by_size"]
    chance = 1 / len(IMAGE_CLASSES)
    overlap = values["overlap"]
    others = {s: a for s, a in by_size.items() if s != "16"}
    claims = [
        claim("on a dotted texture mean pooling stays near the background, max gives the peak",
              abs(pics["texture_mean_high"] - BACKGROUND) < abs(pics["texture_mean_high"] - PEAK)
              and pics["texture_max_low"] == PEAK,
              texture_mean=pics["texture_mean_high"], texture_max=pics["texture_max_low"]),
        claim("on a flat background mean and max pooling agree",
              pics["flat_mean_max_difference"] < 1e-12,
              difference=pics["flat_mean_max_difference"]),
        claim("3x3 windows every 2 pixels: floor((S-3)/2)+1 outputs, a pixel in up to 4 "
              "windows (1 without overlap)",
              all(c["out_side"] == c["formula"] and c["max_windows"] == 4
                  for c in overlap.values())
              and values["no_overlap"]["max_windows"] == 1,
              out_side_16=overlap["16"]["out_side"], max_windows=overlap["16"]["max_windows"]),
        claim("the SPP layer gives channels x 21 values at every input size",
              set(values["spp_lengths"].values()) == {values["spp_channels"] * 21},
              length=values["spp_lengths"]["16"]),
        claim("the SPP net trained on 16x16 classifies other sizes at over 3x chance",
              min(others.values()) >= 3 * chance,
              **{f"accuracy_{s}": a for s, a in by_size.items()}),
    ]
    claims += [claim(f"{name} variant >= {MIN_ACCURACY:.0%} test accuracy after {STEPS} steps",
                     final[name] >= MIN_ACCURACY, early=early[name], final=final[name])
               for name in final]
    return Signature(
        claims=tuple(claims),
        values=values,
        summary=f"on a dotted texture mean pooling gives {pics['texture_mean_high']:.2f}, near "
                f"the background {BACKGROUND}, and max pooling {pics['texture_max_high']:.2f}, "
                f"the peak; on a flat background both give {pics['flat_max']:.2f}; 3x3 windows "
                f"every 2 pixels give {overlap['16']['out_side']} outputs on 16 pixels "
                f"and put a pixel in up to {overlap['16']['max_windows']} windows; the "
                f"SPP layer gives {values['spp_lengths']['16']} numbers at sides "
                f"{', '.join(map(str, SIZES))} and, trained on 16x16, classifies "
                + ", ".join(f"{a:.0%} at {s}" for s, a in by_size.items())
                + f" (chance {chance:.0%}); test accuracy after {STEPS} steps: "
                + ", ".join(f"{n} {a:.0%}" for n, a in final.items()),
    )


POOLING = Lesson(
    name="pooling",
    title="Pooling: mean, max, overlapping, pyramid",
    claim="Mean pooling keeps the overall level of a region, such as a background, "
          "while max pooling keeps the strongest responses, such as a texture's peaks. "
          "Overlapping windows (3 every 2 pixels) share pixels between neighbouring "
          "outputs. Spatial pyramid pooling pools over fixed grids of bins, so a network "
          "accepts images of any size and still gives its classifier a fixed-length vector.",
    watch="Compare the pooled maps under the feature maps: after max pooling a thin "
          "bright bar or a texture's dots survive at full strength, after mean pooling "
          "they fade towards the background grey. With overlapping pooling the pooled "
          "maps are 7x7 instead of 8x8 and smoother. All four variants usually reach "
          "90% test accuracy or more by step 800. For the SPP net, draw a fresh 12x12 or "
          "24x24 image (Draw an image, on the left) and watch \"Spatial pyramid of this "
          "sample\": each channel's map, then its 1, 4 and 16 bins, and the class scores; "
          "the maps grow with the image, the bins stay 21 per channel, and so does the "
          "number of pooled values. Trained on "
          "16x16 images only, it usually still names 60% or more of the other sizes "
          "right (chance is 1 in 6).",
    why="The mean of a window is dominated by whatever covers most of it, usually the "
        "background; the max reports whether the feature occurs anywhere in it, which "
        "also makes the output stay put when the feature moves a little inside the "
        "window. An SPP layer cuts any map into 1x1, 2x2 and 4x4 bins, so the number of "
        "pooled values depends on the channels and the levels, not on the image size.",
    spec=SPP,
    steps=STEPS,
    pace=Pace(2, loss_settles(), "the pyramid-pooled net learns the shapes"),
    measure_fn=measure,
    expectation="4x4 pooling of one dot per window on a 0.1 background: mean 0.15, max 0.9; "
                "flat background: mean == max; 3x3/stride-2 windows: floor((S-3)/2)+1 "
                "outputs for S = 12, 16, 24 and up to 4 windows per pixel (1 without "
                "overlap); the SPP net outputs 16*21 = 336 values at 12, 16 and 24 and, "
                "trained on 16x16, classifies 12x12, 20x20 and 24x24 images at over 3x "
                "chance; every variant >= 90% test accuracy after 800 steps",
    variants=(
        Variant("max", "max pooling 2x2", MAX),
        Variant("mean", "mean pooling 2x2", MEAN),
        Variant("overlap", "overlapping max pooling 3x3, stride 2", OVERLAP),
        Variant("spp", "max pooling, then a spatial pyramid (1, 2, 4)", SPP),
    ),
)
