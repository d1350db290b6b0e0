"""residual: deep plain trains worse than shallow; the same depth with skips does not."""

from __future__ import annotations

import pytest

from engine.layers import Residual
from engine.lessons.base import Signature
from engine.lessons.residual import DEEP_PLAIN, DEEP_RESIDUAL, RESIDUAL
from engine.trainer import Trainer


@pytest.fixture(scope="module")
def signature() -> Signature:
    return RESIDUAL.measure()


def test_residual_deep_plain_degrades(signature: Signature) -> None:
    assert signature.failed() == []
    shallow, plain = signature.values["shallow"], signature.values["deep_plain"]
    # measured after 5000 steps: shallow 100% (loss 0.0006), plain 54% (loss 0.691)
    assert shallow["train_accuracy"] >= 0.98
    assert plain["train_loss"] > 0.6
    assert plain["train_accuracy"] <= 0.6


def test_residual_skips_train_as_well_as_shallow(signature: Signature) -> None:
    shallow, res = signature.values["shallow"], signature.values["deep_residual"]
    # measured: 100%, loss 0.0005
    assert res["train_accuracy"] >= shallow["train_accuracy"] - 0.02
    assert res["train_loss"] < 0.01


def test_residual_gradients_reach_the_first_layers(signature: Signature) -> None:
    plain, res = signature.values["deep_plain"], signature.values["deep_residual"]
    # measured at step 0: 2.9e-7 without skips, 0.016 with them
    assert plain["grad_first_over_last_start"] < 1e-4
    assert res["grad_first_over_last_start"] > 1e-3
    assert res["grad_first_over_last_start"] >= 100 * plain["grad_first_over_last_start"]


def test_residual_same_depth_with_and_without_skips() -> None:
    plain, res = Trainer(DEEP_PLAIN), Trainer(DEEP_RESIDUAL)
    dense = [leaf for _, leaf in plain.net.leaves if leaf.kind == "dense"]
    dense_res = [leaf for _, leaf in res.net.leaves if leaf.kind == "dense"]
    assert len(dense) == len(dense_res) == 11
    assert sum(isinstance(layer, Residual) for layer in res.net.layers) == 4
    assert plain.net.params.size == res.net.params.size
