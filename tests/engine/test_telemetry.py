"""Frames: gradient norms by depth, unit activity, grids, and no side effects."""

from __future__ import annotations

import numpy as np
import pytest

from engine.budget import MB, Budget, pass_bytes, samples_per_pass
from engine.errors import SpecError
from engine.spec import Limits
from engine.telemetry import MapMaker, gradient_picture, snapshot, unit_activity
from engine.trainer import Trainer
from tests.large_runs import TEN_BY_64, traced_peak

SPEC = {"hidden": [5, 4], "activation": "relu", "seed": 2,
        "data": {"name": "circle", "n_samples": 100}}


def test_snapshot_has_every_weight_and_metric() -> None:
    trainer = Trainer(SPEC)
    trainer.train(30)
    frame = snapshot(trainer, output_grid=20, unit_grid=10)
    assert frame["step"] == 30
    assert frame["train_loss"] == pytest.approx(trainer.metrics()["train_loss"])
    dense = [layer for layer in frame["layers"] if layer["type"] == "dense"]
    assert [d["path"] for d in dense] == ["0", "2", "4"]
    for d in dense:
        view = trainer.net.view(d["path"], "W")
        assert np.array_equal(d["params"]["W"], view)
        assert d["params"]["W"] is not view  # a copy, not the live buffer
    assert frame["output_map"].shape == (20, 20)
    acts = [layer for layer in frame["layers"] if layer["type"] == "activation"]
    assert [a["unit_maps"].shape for a in acts] == [(5, 10, 10), (4, 10, 10)]
    assert frame["extent"] == (-6.0, 6.0, -6.0, 6.0)


def test_snapshot_gradient_norms_match_a_full_batch_backward() -> None:
    trainer = Trainer(SPEC)
    trainer.train(10)
    picture, _ = gradient_picture(trainer)
    net = trainer.net
    out = net.forward(trainer.X_train, False)
    net.backward(trainer.loss.grad(out, trainer.T_train), input_grad=True)
    for path in ("0", "2", "4"):
        expected = np.linalg.norm(net.grad_view(path, "W"))
        assert picture[path]["weight_grad_norm"] == pytest.approx(expected, rel=1e-12)
    assert picture["4"]["input_grad_norm"] > 0


def test_snapshot_does_not_disturb_training() -> None:
    a, b = Trainer({**SPEC, "dropout": 0.2, "batch_norm": True}), Trainer(
        {**SPEC, "dropout": 0.2, "batch_norm": True})
    a.train(25)
    b.train(25)
    grads = b.net.grads.copy()
    snapshot(b, output_grid=8, unit_grid=8)
    assert np.array_equal(b.net.grads, grads)
    a.train(25)
    b.train(25)
    assert np.array_equal(a.net.params, b.net.params)
    assert np.array_equal(a.net.state, b.net.state)


def test_unit_activity_marks_relu_units_dead_on_every_input() -> None:
    trainer = Trainer(SPEC)
    # kill unit 1 of the first layer: no input can make its pre-activation positive
    trainer.set_param("0", "W", (0, 1), 0.0)
    trainer.set_param("0", "W", (1, 1), 0.0)
    trainer.set_param("0", "b", (1,), -1.0)
    gradient_picture(trainer)
    activity = unit_activity(trainer.net)
    assert activity["1"]["dead"].tolist()[1] is True
    assert activity["1"]["inactive_share"][1] == 1.0
    assert activity["1"]["dead"].sum() == 1


def test_unit_activity_counts_saturated_sigmoid_units() -> None:
    trainer = Trainer({**SPEC, "activation": "sigmoid"})
    trainer.set_param("0", "W", (0, 0), 0.0)
    trainer.set_param("0", "W", (1, 0), 0.0)
    trainer.set_param("0", "b", (0,), 20.0)  # sigmoid'(20) ~ 2e-9: saturated everywhere
    gradient_picture(trainer)
    activity = unit_activity(trainer.net)
    assert activity["1"]["inactive_share"][0] == 1.0
    assert activity["1"]["dead"][0]


def test_leaky_relu_units_never_count_as_dead() -> None:
    trainer = Trainer({**SPEC, "activation": "leaky_relu"})
    trainer.set_param("0", "W", (0, 1), 0.0)
    trainer.set_param("0", "W", (1, 1), 0.0)
    trainer.set_param("0", "b", (1,), -1.0)
    gradient_picture(trainer)
    assert not unit_activity(trainer.net)["1"]["dead"].any()


def test_grid_maps_equal_the_network_on_grid_points() -> None:
    trainer = Trainer(SPEC)
    trainer.train(40)
    maker = MapMaker(trainer)
    drawn = maker.maps(6, 4)
    points = trainer.data.grid(6)
    expected = trainer.loss.predict(trainer.net.predict(trainer.data.transform(points)))
    assert np.allclose(drawn["output"].reshape(-1), expected[:, 0], atol=1e-5)
    # unit map of the first hidden layer, unit 3, on the 4 x 4 grid
    z = trainer.data.transform(trainer.data.grid(4)) @ trainer.net.view("0", "W")
    z += trainer.net.view("0", "b")
    assert np.allclose(drawn["units"]["1"][3].reshape(-1), np.maximum(z[:, 3], 0), atol=1e-5)


@pytest.mark.parametrize("spec", [
    {"data": {"name": "spiral"}, "hidden": [8, 8, 8], "activation": "tanh"},
    {"data": {"name": "circle"}, "hidden": [5, 3], "activation": "sigmoid"},
    {"data": {"name": "xor", "features": ["x1", "x2", "x1*x2", "sin(x1)"]}, "hidden": [4],
     "activation": "leaky_relu"},
    {"data": {"name": "blobs", "classes": 5}, "hidden": [6, 6], "activation": "elu"},
    {"data": {"name": "sine"}, "hidden": [9, 9], "activation": "softplus"},
    {"data": {"name": "circle"},
     "layers": [{"type": "activation", "name": "tanh"}, {"type": "dense", "units": 4},
                {"type": "activation", "name": "relu"}]},
    # batch norm and dropout are affine per unit in evaluation mode
    {"data": {"name": "circle"}, "hidden": [8, 8, 8], "activation": "sigmoid",
     "batch_norm": True},
    {"data": {"name": "spiral"}, "hidden": [16, 16], "activation": "tanh", "dropout": 0.5,
     "dropout_mode": "inverted"},
    {"data": {"name": "spiral"}, "hidden": [16, 16], "activation": "relu", "dropout": 0.3,
     "dropout_mode": "classic", "batch_norm": True},
    # residual blocks: identity skips, dense projections where the width changes,
    # and batch norm inside the branches
    {"data": {"name": "circle"}, "hidden": [8, 8, 8, 8, 8], "activation": "sigmoid",
     "residual": True},
    {"data": {"name": "spiral"}, "hidden": [4, 6, 6, 3, 5], "activation": "tanh",
     "residual": True},
    {"data": {"name": "circle"}, "hidden": [6, 6, 6], "activation": "relu", "residual": True,
     "batch_norm": True},
])
def test_lean_map_pass_matches_the_layers_own_forward(spec: dict) -> None:
    trainer = Trainer(spec)
    trainer.train(30)
    lean = MapMaker(trainer)
    assert lean._lean is not None  # dense, activation, affine and residual layers only
    layered = MapMaker(trainer)
    layered._lean = None
    for sides in ((40, 7), (12, 12)):
        a, b = lean.maps(*sides), layered.maps(*sides)
        assert a["output"].shape == b["output"].shape
        assert np.allclose(a["output"], b["output"], atol=2e-6)
        assert a["units"].keys() == b["units"].keys() and a["units"]
        for path in a["units"]:
            assert a["units"][path].shape == b["units"][path].shape
            assert np.allclose(a["units"][path], b["units"][path], atol=2e-6)
    # the pass never writes over its cached input grid
    _, inputs, inputs_t = lean._grids[(12, 12)]
    assert np.array_equal(inputs_t, inputs.T)


@pytest.mark.parametrize("hidden", [[4, 4, 4], [4, 6, 6, 3]])
def test_maps_of_residual_nets_follow_the_skip_connections(hidden: list[int]) -> None:
    trainer = Trainer({"hidden": hidden, "activation": "relu", "residual": True})
    trainer.train(200)
    maker = MapMaker(trainer)
    assert maker._lean is not None  # the lean pass, skips included
    drawn = maker.maps(7, 3)
    points = trainer.data.grid(7)
    expected = trainer.loss.predict(trainer.net.predict(trainer.data.transform(points)))
    assert np.allclose(drawn["output"].reshape(-1), expected[:, 0], atol=1e-5)


def test_multiclass_output_map_has_class_probabilities() -> None:
    trainer = Trainer({"data": {"name": "blobs", "classes": 4}, "hidden": [6]})
    frame = snapshot(trainer, output_grid=12, unit_grid=6)
    assert frame["output_map"].shape == (12, 12, 4)
    assert np.allclose(frame["output_map"].sum(axis=-1), 1.0, atol=1e-5)


def test_one_dimensional_data_gives_curves() -> None:
    trainer = Trainer({"data": {"name": "sine"}, "hidden": [7]})
    frame = snapshot(trainer, output_grid=50, unit_grid=25)
    assert frame["output_map"].shape == (50,)
    unit = next(layer for layer in frame["layers"] if "unit_maps" in layer)
    assert unit["unit_maps"].shape == (7, 25)


def test_snapshot_reports_batchnorm_and_dropout_state() -> None:
    trainer = Trainer({**SPEC, "batch_norm": True, "dropout": 0.5})
    trainer.train(3)
    frame = snapshot(trainer, output_grid=4, unit_grid=4)
    bn = next(layer for layer in frame["layers"] if layer["type"] == "batchnorm")
    assert bn["running_mean"].shape == (5,)
    assert np.any(bn["running_mean"] != 0)
    drop = next(layer for layer in frame["layers"] if layer["type"] == "dropout")
    assert drop["mask"].shape == (10, 5)
    assert drop["mask"].dtype == bool


def test_snapshot_of_a_conv_net_reports_batchnorm_and_prelu_per_channel() -> None:
    """After a convolution, the frame's batch-norm statistics, gamma, beta and the
    PReLU slopes are one value per filter; the probe passes through them."""
    trainer = Trainer({"data": {"name": "shapes", "n_samples": 40, "size": 8}, "seed": 2,
                       "layers": [{"type": "conv2d", "filters": 4, "padding": 1},
                                  {"type": "batchnorm"}, {"type": "activation", "name": "prelu"},
                                  {"type": "pool2d"}, {"type": "flatten"}]})
    trainer.train(6)
    frame = snapshot(trainer)
    bn, prelu = frame["layers"][1], frame["layers"][2]
    assert bn["type"] == "batchnorm" and prelu["type"] == "prelu"
    for values in (bn["running_mean"], bn["running_var"], bn["params"]["gamma"],
                   bn["params"]["beta"], prelu["params"]["alpha"]):
        assert values.shape == (4,)
    np.testing.assert_array_equal(bn["running_mean"], trainer.net.layer("1").state["running_mean"])
    assert np.all(bn["running_mean"] != 0) and np.all(bn["running_var"] != 1)
    assert prelu["inactive_share"].shape == (4,)
    assert [layer["values"].shape for layer in frame["probe"]["layers"][:3]] == [(4, 8, 8)] * 3


def test_snapshot_grid_size_is_validated() -> None:
    with pytest.raises(SpecError) as err:
        snapshot(Trainer(SPEC), output_grid=1000)
    assert err.value.field == "output_grid"





@pytest.mark.usefixtures("without_arithmetic_bound")  # the map budget alone
def test_snapshot_refuses_maps_over_the_budget_before_drawing_them() -> None:
    """200 x 200 maps of 640 units were 25.6 million values: 100 MB of float32 drawn,
    and half a gigabyte of JSON, before anything said no."""
    trainer = Trainer(TEN_BY_64)
    maker = MapMaker(trainer)

    def refused() -> SpecError:
        with pytest.raises(SpecError) as err:
            snapshot(trainer, 200, 200, maps=maker)
        return err.value

    err, peak = traced_peak(refused)
    assert err.field == "unit_grid"
    assert "at most 1,000,000 map values" in err.message
    assert err.message.endswith("use unit_grid <= 38")
    assert peak < 2_000_000  # refused before any pass
    frame = snapshot(trainer, 200, 38, maps=maker)
    assert frame["layers"][1]["unit_maps"].shape == (64, 38, 38)
    assert frame["grid"] == {"output": 200, "units": 38}


@pytest.mark.usefixtures("without_arithmetic_bound")  # the map budget alone
def test_snapshot_that_fits_lowers_the_unit_grid_and_says_so() -> None:
    trainer = Trainer(TEN_BY_64, Limits(budget=Budget(map_values=100_000)))
    frame = snapshot(trainer, 100, 16, fit=True)
    # 640 units x 10^2 + 100^2 = 74,000 fit; 640 x 11^2 + 100^2 = 87,440 fit; 12^2 not
    assert frame["grid"] == {"output": 100, "units": 11}
    assert frame["layers"][1]["unit_maps"].shape == (64, 11, 11)
    assert frame["output_map"].shape == (100, 100)


@pytest.mark.parametrize("activation", ["tanh", "prelu"])  # the lean pass, and the layers'
def test_map_pass_in_chunks_equals_one_pass(activation: str) -> None:
    spec = {"data": {"name": "spiral", "n_samples": 100}, "hidden": [16, 16],
            "activation": activation}
    whole = Trainer(spec)
    whole.train(50)
    chunked = Trainer(spec, Limits(budget=Budget(pass_bytes=150_000)))
    chunked.train(50)
    one, parts = MapMaker(whole), MapMaker(chunked)
    assert (one._lean is None) == (activation == "prelu")
    assert samples_per_pass(parts.mirror, chunked.budget) < 30 * 30 // 2  # several chunks
    a, b = one.maps(40, 30), parts.maps(40, 30)
    np.testing.assert_allclose(b["output"], a["output"], atol=1e-6)
    assert a["units"].keys() == b["units"].keys()
    for path in a["units"]:
        np.testing.assert_allclose(b["units"][path], a["units"][path], atol=1e-6)
    kept = parts.maps(40, 30, keep=("3", 5))
    assert list(kept["units"]) == ["3"] and kept["units"]["3"].shape == (1, 30, 30)
    np.testing.assert_allclose(kept["units"]["3"][0], a["units"]["3"][5], atol=1e-6)


def test_map_pass_of_a_fine_grid_stays_within_the_pass_budget() -> None:
    spec = {**TEN_BY_64, "activation": "prelu"}  # the layers' own forward pass
    trainer = Trainer(spec, Limits(budget=Budget(pass_bytes=8 * MB)))
    maker = MapMaker(trainer)
    maker.maps(2, 2)
    drawn, peak = traced_peak(lambda: maker.maps(100, 2))
    assert drawn["output"].shape == (100, 100)
    # one pass over the 10,004 points is estimated at about 100 MB (60 MB measured)
    assert pass_bytes(maker.mirror, 100 * 100) > 90 * MB
    assert peak < 1.5 * 8 * MB
