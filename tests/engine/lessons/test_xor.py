"""XOR lessons: one neuron tops out at 75%, two hand-set ReLUs are exact."""

from __future__ import annotations

from engine.lessons.xor import TWO_RELU_WEIGHTS, XOR_ONE_NEURON, XOR_TWO_RELU


def test_xor_one_neuron_never_beats_three_of_four() -> None:
    sig = XOR_ONE_NEURON.measure()
    assert sig.holds
    assert sig.values["best_accuracy"] <= 0.75
    assert all(acc <= 0.75 for acc in sig.values["trained_accuracy"])
    # the search does find lines that get 3 of 4 right, so 75% is the real ceiling
    assert sig.values["best_random_search_accuracy"] == 0.75


def test_xor_two_relu_hand_weights_are_exact() -> None:
    sig = XOR_TWO_RELU.measure()
    assert sig.holds
    assert sig.values["outputs"] == [0.0, 1.0, 1.0, 0.0]
    assert sig.values["points"] == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]


def test_xor_two_relu_weights_are_the_notes_weights() -> None:
    trainer = XOR_TWO_RELU.trainer()
    assert trainer.net.view("0", "W").tolist() == [[1.0, -1.0], [1.0, -1.0]]
    assert trainer.net.view("0", "b").tolist() == [-1.0, 1.0]
    assert trainer.net.view("2", "W").tolist() == [[-1.0], [-1.0]]
    assert trainer.net.view("2", "b").tolist() == [1.0]
    assert len(TWO_RELU_WEIGHTS) == 9


def test_xor_two_relu_learned_variant_learns_xor_from_random_weights() -> None:
    assert [v.name for v in XOR_TWO_RELU.variants] == ["hand-set", "learned"]
    hand = XOR_TWO_RELU.trainer("hand-set")
    assert hand.metrics()["test_loss"] == 0.0
    learned = XOR_TWO_RELU.trainer("learned")
    assert learned.metrics()["test_loss"] > 0.5
    metrics = learned.train(300)
    assert metrics["test_loss"] < 0.1 and metrics["test_accuracy"] == 1.0
    assert XOR_TWO_RELU.measure().values["learned_4_tanh_test_loss"] < 0.1
