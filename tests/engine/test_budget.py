"""Tests for engine.budget: the estimates of a pass and of a frame's maps, and the
refusals of every path that can grow a run (creation, a new batch size, a probe's
image, grids), each naming its field and what would fit."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

from engine.budget import (
    MAX_DATA_VALUES,
    MB,
    Budget,
    MapShape,
    check_maps,
    fit_grids,
    map_values,
    pass_bytes,
    sample_bytes,
    samples_per_pass,
    values_per_sample,
)
from engine.build import build_network
from engine.checkpoint import export_run, import_run
from engine.errors import SpecError
from engine.lessons import LESSONS
from engine.spec import Limits, parse_spec
from engine.trainer import Trainer

CONV = {"type": "conv2d", "filters": 16, "kernel": 3, "padding": 1}
RELU = {"type": "activation", "name": "relu"}
DEEP = {"data": {"name": "circle", "n_samples": 2000}, "hidden": [64] * 10,
        "activation": "tanh", "batch_size": 10}
"""The largest playground net the default limits allow: 10 x 64."""

pytestmark = pytest.mark.usefixtures("without_arithmetic_bound")


def image_spec(layers: list[dict]) -> object:
    return parse_spec({"data": {"name": "shapes"}, "layers": layers})


def big_conv_spec(**data: object) -> object:
    conv = {"type": "conv2d", "filters": 32, "kernel": 7, "padding": 3}
    return parse_spec({"data": {"name": "shapes", "size": 32, **data},
                       "layers": [conv, conv, {"type": "global_max_pool"}], "batch_size": 10})


def test_budget_values_per_sample_counts_columns() -> None:
    spec = image_spec([{"type": "conv2d", "filters": 4, "padding": 1}, RELU])
    net = build_network(spec, (1, 16, 16))
    # the conv's row buffer (19 rows of 17: 18 padded rows and one more, each a row
    # and its left padding, which is the row above's right padding), its columns
    # 9 x (16 rows of 17 slots) and product 4 x (16 x 17), whose slots the output
    # is a view of; relu 4*256 + flatten 1024 + dense 6
    assert values_per_sample(net) == 19 * 17 + 9 * 16 * 17 + 4 * 16 * 17 + 1024 + 1024 + 6
    assert sample_bytes(net) == 2 * values_per_sample(net) * 8
    assert pass_bytes(net, 5) == 5 * sample_bytes(net)


@pytest.mark.parametrize("spec", [
    {**DEEP, "batch_size": 500},
    {"data": {"name": "circle", "n_samples": 2000}, "hidden": [32] * 6, "batch_norm": True,
     "dropout": 0.2, "activation": "relu", "batch_size": 500},
    {"data": {"name": "shapes", "n_samples": 200, "size": 16},
     "layers": [CONV, RELU, {"type": "pool2d", "size": 2}, CONV, RELU,
                {"type": "global_max_pool"}], "batch_size": 50},
    {"data": {"name": "sentiment", "n_samples": 400},
     "layers": [{"type": "embedding", "channels": "two_channel"},
                {"type": "conv1d", "filters": 8, "kernel": 3, "padding": 1}, RELU,
                {"type": "global_max_pool"}], "batch_size": 100},
], ids=["dense", "batchnorm-dropout", "conv2d", "text"])
def test_budget_estimate_of_a_step_is_what_the_step_allocates(spec: dict) -> None:
    trainer = Trainer(spec)
    estimate = pass_bytes(trainer.net, trainer.batch_size)
    gc.collect()
    tracemalloc.start()
    try:
        trainer.advance(1)  # the first step allocates every buffer it keeps
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 0.7 * estimate < peak < 1.3 * estimate, (peak, estimate)


def test_budget_samples_per_pass_is_the_most_that_fits() -> None:
    net = build_network(big_conv_spec(), (1, 32, 32))
    budget = Budget(pass_bytes=40 * MB)
    most = samples_per_pass(net, budget)
    assert pass_bytes(net, most) <= budget.pass_bytes < pass_bytes(net, most + 1)
    assert samples_per_pass(net, Budget(pass_bytes=1)) == 1


def test_budget_refuses_a_batch_over_it_at_creation() -> None:
    with pytest.raises(SpecError) as err:
        Trainer(big_conv_spec(n_samples=24))
    assert err.value.field == "batch_size"
    most = int(err.value.message.rsplit("use batch_size <= ", 1)[1].split(",")[0])
    assert "at most 128 MB per pass" in err.value.message
    assert Trainer(parse_spec({**big_conv_spec(n_samples=24).to_dict(),
                               "batch_size": most})).batch_size == most
    with pytest.raises(SpecError):
        Trainer(parse_spec({**big_conv_spec(n_samples=24).to_dict(), "batch_size": most + 1}))


def test_budget_refuses_a_data_set_over_the_time_bound() -> None:
    conv = {"type": "conv2d", "filters": 8, "kernel": 5, "padding": 2}
    spec = {"data": {"name": "shapes", "size": 32, "n_samples": 5000},
            "layers": [conv, conv, {"type": "global_max_pool"}]}
    with pytest.raises(SpecError) as err:
        Trainer(spec)
    assert err.value.field == "data.n_samples"
    smaller = Trainer({**spec, "data": {**spec["data"], "n_samples": 200}})
    assert values_per_sample(smaller.net) * 200 <= MAX_DATA_VALUES


def test_budget_raising_the_batch_size_later_is_checked_too() -> None:
    """A batch size raised after creation went unchecked: a conv net made with a
    small batch took a batch of the whole training set, hundreds of MB in one step."""
    trainer = Trainer({"data": {"name": "shapes", "size": 32, "n_samples": 270},
                       "layers": [CONV, CONV, {"type": "global_max_pool"}],
                       "batch_size": 10})
    whole = len(trainer.X_train)
    assert pass_bytes(trainer.net, whole) > 400 * MB  # what the old code took in a step
    with pytest.raises(SpecError) as err:
        trainer.set_hyper(batch_size=whole)
    assert err.value.field == "batch_size"
    most = samples_per_pass(trainer.net, trainer.budget)
    assert f"use batch_size <= {most}," in err.value.message
    assert trainer.batch_size == 10
    trainer.set_hyper(batch_size=most)
    assert trainer.batch_size == most
    with pytest.raises(SpecError):
        trainer.set_hyper(batch_size=most + 1)


def test_budget_of_the_limits_is_the_runs() -> None:
    spec = {"data": {"name": "shapes", "n_samples": 240}, "batch_size": 10,
            "layers": [CONV, RELU, {"type": "global_max_pool"}]}
    tight = Limits(budget=Budget(pass_bytes=2 * MB))
    trainer = Trainer(spec, tight)
    assert trainer.budget.pass_bytes == 2 * MB
    most = 2 * MB // sample_bytes(trainer.net)
    assert 10 < most < 100
    with pytest.raises(SpecError) as err:
        trainer.set_hyper(batch_size=100)
    assert f"use batch_size <= {most}," in err.value.message
    Trainer({**spec, "batch_size": 100})  # within the default budget
    with pytest.raises(SpecError) as err:
        Trainer({**spec, "batch_size": 100}, tight)
    assert err.value.field == "batch_size"


def test_budget_of_a_lesson_run() -> None:
    lesson = LESSONS["vanishing-gradients"]
    trainer = lesson.trainer(None, Budget(pass_bytes=16 * MB))
    assert trainer.budget.pass_bytes == 16 * MB
    assert lesson.trainer().budget == Budget()


def test_every_lesson_fits_the_smallest_budget_the_server_allows() -> None:
    smallest = Budget(pass_bytes=16 * MB, map_values=100_000)
    for lesson in LESSONS.values():
        for variant in [None, *(v.name for v in lesson.variants)]:
            assert lesson.trainer(variant, smallest).budget == smallest


def test_budget_point_runs_bound_their_whole_training_set_pass() -> None:
    """A frame's gradient picture of a point run is one pass over the whole training
    set: a deep net on 5000 points took about 250 MB per frame."""
    deep = {"data": {"name": "circle", "n_samples": 5000, "train_fraction": 0.9},
            "layers": [{"type": "dense", "units": 64}] + [RELU] * 27}
    with pytest.raises(SpecError) as err:
        Trainer(deep)
    assert err.value.field == "data.n_samples"
    most = int(err.value.message.split("use at most ")[1].split(" ")[0])
    fits = Trainer({**deep, "data": {**deep["data"], "n_samples": most}})
    assert pass_bytes(fits.net, len(fits.X_train)) <= 128 * MB
    points = [[float(i % 7), float(i % 5), i % 2] for i in range(5000)]
    with pytest.raises(SpecError) as err:
        Trainer({**deep, "data": {"name": "points", "points": points, "train_fraction": 0.9}})
    assert err.value.field == "data.points"


def test_budget_evaluation_of_point_runs_goes_in_chunks() -> None:
    data = {"name": "circle", "n_samples": 400, "train_fraction": 0.1}
    trainer = Trainer({**DEEP, "data": data}, Limits(budget=Budget(pass_bytes=MB)))
    assert samples_per_pass(trainer.net, trainer.budget) < len(trainer.X_test)
    np.testing.assert_allclose(trainer.forward_all(trainer.X_test),
                               trainer.net.predict(trainer.X_test), rtol=1e-12)


def test_budget_import_of_a_record_over_it_is_refused() -> None:
    record = export_run(Trainer({**DEEP, "batch_size": 500}))
    with pytest.raises(SpecError) as err:
        import_run(record, Limits(budget=Budget(pass_bytes=4 * MB)))
    assert err.value.field == "spec.batch_size"
    assert "at most 4.0 MB per pass" in err.value.message
    assert import_run(record).batch_size == 500


TEN_BY_64 = MapShape(units=640, outputs=1, dims=2)


def test_map_values_count_output_and_every_unit() -> None:
    assert map_values(TEN_BY_64, 200, 200) == 40_000 + 640 * 40_000
    assert map_values(MapShape(8, 3, 1), 50, 20) == 3 * 50 + 8 * 20


def test_check_maps_names_the_unit_grid_and_the_largest_side_that_fits() -> None:
    with pytest.raises(SpecError) as err:
        check_maps(TEN_BY_64, 200, 200, Budget())
    assert err.value.field == "unit_grid"
    assert "at most 1,000,000 map values" in err.value.message
    assert err.value.message.endswith("use unit_grid <= 38")
    assert map_values(TEN_BY_64, 200, 38) <= 1_000_000 < map_values(TEN_BY_64, 200, 39)
    check_maps(TEN_BY_64, 200, 38, Budget())
    with pytest.raises(SpecError) as err:
        check_maps(TEN_BY_64, 100, 100, Budget(), fields=("output", "units"))
    assert err.value.field == "units" and err.value.message.endswith("use units <= 39")


def test_check_maps_names_the_output_grid_when_no_unit_grid_fits() -> None:
    budget = Budget(map_values=10_000)
    with pytest.raises(SpecError) as err:
        check_maps(MapShape(100, 5, 2), 100, 2, budget)
    # 100 units x 2^2 leave 9600 values: 5 x 43^2 = 9245 fit, 5 x 44^2 do not
    assert err.value.field == "output_grid" and err.value.message.endswith("<= 43")
    assert fit_grids(MapShape(100, 5, 2), 100, 16, budget) == (43, 2)


def test_fit_grids_lowers_the_unit_grid_first() -> None:
    assert fit_grids(TEN_BY_64, 100, 16, Budget()) == (100, 16)
    assert fit_grids(TEN_BY_64, 100, 100, Budget()) == (100, 39)
    assert fit_grids(MapShape(3, 1, 1), 200, 200, Budget(map_values=100_000)) == (200, 200)
