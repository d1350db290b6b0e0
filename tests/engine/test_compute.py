"""The arithmetic budget of one step and one pass, counted from a net's shapes."""

from __future__ import annotations

import pytest

from engine.compute import (
    MAX_GRID_MACS,
    MAX_PASS_MACS,
    MAX_STEP_MACS,
    check_grid,
    largest_grid,
    macs_per_sample,
    step_macs,
)
from engine.errors import SpecError
from engine.lessons import LESSONS
from engine.telemetry import snapshot
from engine.trainer import Trainer

WIDE = {"hidden": [64] * 10, "activation": "relu", "data": {"name": "circle"}}
"""A 10 x 64 net: 2x64 + 9 x 64x64 + 64x1 multiply-adds and 640 activations."""
WIDE_MACS = 2 * 64 + 9 * 64 * 64 + 64 + 10 * 64


def test_macs_count_dense_weights_and_other_layers_outputs() -> None:
    small = Trainer({"hidden": [8, 8], "activation": "tanh", "data": {"name": "xor"}})
    assert macs_per_sample(small.net) == 2 * 8 + 8 + 8 * 8 + 8 + 8 * 1
    assert macs_per_sample(Trainer(WIDE).net) == WIDE_MACS
    assert step_macs(Trainer(WIDE).net, 10) == 3 * 10 * WIDE_MACS


def test_macs_count_a_convolutions_weights_at_every_output_position() -> None:
    spec = {"data": {"name": "shapes", "n_samples": 40, "size": 16},
            "layers": [{"type": "conv2d", "filters": 3, "kernel": 3}], "dtype": "float32"}
    net = Trainer(spec).net
    # conv 3 filters x 1 channel x 3x3 at 14x14 positions, its 3x14x14 outputs flattened,
    # then a dense layer to the classes
    classes = net.describe()[-1]["units"]
    assert macs_per_sample(net) == (3 * 9 * 14 * 14 + 3 * 14 * 14
                                    + 3 * 14 * 14 * classes)


def test_a_step_too_heavy_for_one_slice_is_refused_naming_the_batch() -> None:
    most = MAX_STEP_MACS // (3 * WIDE_MACS)
    Trainer({**WIDE, "batch_size": most, "data": {"name": "circle", "n_samples": 400}})
    with pytest.raises(SpecError) as err:
        Trainer({**WIDE, "batch_size": most + 1,
                 "data": {"name": "circle", "n_samples": 400}})
    assert err.value.field == "batch_size"
    assert f"at most {most} samples per batch" in err.value.message


def test_a_data_set_too_large_for_one_pass_is_refused_naming_its_size() -> None:
    most = MAX_PASS_MACS // WIDE_MACS
    with pytest.raises(SpecError) as err:
        Trainer({**WIDE, "data": {"name": "circle", "n_samples": most + 1}})
    assert err.value.field == "data.n_samples"
    assert f"at most {most} samples" in err.value.message


def test_raising_the_batch_later_meets_the_same_budget() -> None:
    trainer = Trainer({**WIDE, "data": {"name": "circle", "n_samples": 400}})
    with pytest.raises(SpecError) as err:
        trainer.set_hyper(batch_size=200)
    assert err.value.field == "batch_size" and "multiply-adds" in err.value.message
    assert trainer.batch_size == 10  # unchanged
    trainer.set_hyper(batch_size=MAX_STEP_MACS // (3 * WIDE_MACS))


def test_largest_grid_is_the_largest_side_that_fits_one_pass() -> None:
    net = Trainer(WIDE).net
    side = largest_grid(net, 2, 200)
    assert side ** 2 * WIDE_MACS <= MAX_GRID_MACS < (side + 1) ** 2 * WIDE_MACS
    assert largest_grid(net, 2, 10) == 10  # a small grid is drawn as asked
    assert largest_grid(net, 1, 200) == 200  # a curve of 200 points fits
    assert largest_grid(net, 2, 100) == 72  # a 10 x 64 net's map
    check_grid(net, 2, side, "output_grid")
    with pytest.raises(SpecError) as err:
        check_grid(net, 2, side + 1, "output_grid")
    assert err.value.field == "output_grid"
    assert f"a side of at most {side}," in err.value.message


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_every_lesson_and_variant_fits_the_budget(name: str) -> None:
    lesson = LESSONS[name]
    for variant in [None, *(v.name for v in lesson.variants)]:
        trainer = lesson.trainer(variant)
        assert step_macs(trainer.net, trainer.batch_size) <= MAX_STEP_MACS / 2


def test_a_snapshot_draws_its_grids_within_the_bound_or_refuses_them() -> None:
    trainer = Trainer(WIDE)
    frame = snapshot(trainer, output_grid=100, unit_grid=16, fit=True)
    assert frame["grid"] == {"output": 72, "units": 16}
    assert frame["output_map"].shape == (72, 72)
    with pytest.raises(SpecError) as err:
        snapshot(trainer, output_grid=100, unit_grid=16)
    assert err.value.field == "output_grid"
    assert "a side of at most 72," in err.value.message
