"""Convolution lesson: exact translation equivariance, parameter sharing, sparse
interaction, and a conv net beating a much larger MLP on moving figures."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.layers import Conv2D
from engine.lessons.convolution import (
    CONV,
    CONVOLUTION,
    DENSE,
    SHIFTS,
    equivariance,
    interior,
    quantise,
)
from engine.network import Network
from engine.spec import parse_spec
from engine.trainer import Trainer


@pytest.fixture(scope="module")
def sig():
    return CONVOLUTION.measure()


def test_convolution_claim_holds(sig) -> None:
    assert sig.holds
    assert "526,336" in sig.summary


def test_convolution_is_translation_equivariant_bit_for_bit(sig) -> None:
    eq = sig.values["equivariance"]
    assert eq["exact"] is True
    assert eq["max_difference_unrounded"] < 1e-12
    assert eq["border_outputs_differing"] > 0  # why the border is left out


def test_convolution_equivariance_of_the_initialised_net() -> None:
    trainer = Trainer(CONV)
    result = equivariance(trainer.net.layer("0"), trainer.X_test[:10])
    assert result["exact"] is True
    assert result["max_difference_unrounded"] < 1e-12


def test_convolution_shares_parameters(sig) -> None:
    assert sig.values["conv_params"] == 80
    assert sig.values["dense_equivalent_params"] == 526_336
    assert sig.values["second_conv_params"] == 1168
    assert sig.values["second_dense_equivalent_params"] == 525_312


def test_convolution_outputs_read_a_3x3_patch(sig) -> None:
    sparse = sig.values["sparsity"]
    assert sparse["max_inputs"] == 9
    assert sparse["inside_window"] is True
    assert sparse["dense_inputs"] == 256
    # 14x14 inner outputs see 9 pixels, edges 6, corners 4 (padding)
    assert sparse["inputs_per_output"] == {"4": 4, "6": 56, "9": 196}


def test_convolution_net_beats_a_larger_mlp(sig) -> None:
    conv, dense = sig.values["conv_net"], sig.values["dense_net"]
    assert conv["params"] == 1350
    assert dense["params"] == 16_838
    # measured for the preset after 400 steps: conv 0.98; dense 0.35 at its best rate
    assert conv["test_accuracy"] >= 0.95
    assert max(dense["test_accuracy_by_lr"].values()) == dense["test_accuracy"]
    assert dense["test_accuracy"] <= 0.4
    assert conv["test_accuracy"] - dense["test_accuracy"] >= 0.5
    # five times the steps: the MLP fits its training set (1.0) but still generalises
    # worse (0.51)
    assert dense["long_train_accuracy"] >= 0.95
    assert dense["long_test_accuracy"] <= conv["test_accuracy"] - 0.3


def test_convolution_claims_are_separate(sig) -> None:
    texts = [c.text for c in sig.claims]
    assert len(texts) == len(set(texts)) == 6
    assert all(c.numbers for c in sig.claims)  # the bench shows their spread


def test_convolution_helpers() -> None:
    values = quantise(np.array([0.3, -0.51, 1 / 64]), 64)
    assert np.array_equal(values * 64, np.round(values * 64))
    layer = Network([Conv2D(2, 3, 1, 1)], (1, 16, 16)).layers[0]
    assert interior(16, 2, layer) == slice(3, 15)
    assert interior(16, -3, layer) == slice(1, 12)
    assert all(abs(dy) < 8 and abs(dx) < 8 for dy, dx in SHIFTS)
    strided = Network([Conv2D(2, 3, 2, 1)], (1, 16, 16)).layers[0]
    with pytest.raises(ValueError, match="same"):
        equivariance(strided, np.zeros((1, 1, 16, 16)))


def test_convolution_presets_parse_and_train() -> None:
    parse_spec(CONVOLUTION.spec)
    assert CONVOLUTION.trainer().train(3)["step"] == 3
    assert [v.name for v in CONVOLUTION.variants] == ["conv", "dense"]
    assert CONVOLUTION.trainer("dense").net.params.size == Trainer(DENSE).net.params.size
    for variant in CONVOLUTION.variants:
        assert CONVOLUTION.trainer(variant.name).train(3)["status"] == "idle"
    assert CONVOLUTION.describe()["name"] == "convolution"


def test_convolution_values_and_catalogue_entry_are_json(sig) -> None:
    assert json.loads(json.dumps(sig.values)) == sig.values
    entry = json.loads(json.dumps(CONVOLUTION.describe()))
    assert entry["variants"] and entry["expectation"] == CONVOLUTION.expectation
