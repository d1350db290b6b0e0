"""Text CNN lesson: static, trained and two-channel nets learn; the frozen channel
stays bit-identical; n-gram filters handle negation where a bag of words does not."""

from __future__ import annotations

import json

import pytest

from engine.lessons.text_cnn import SENTENCE, TEXT_CNN, pairs
from engine.spec import parse_spec


@pytest.fixture(scope="module")
def sig():
    return TEXT_CNN.measure()


def test_text_cnn_claim_holds(sig) -> None:
    assert sig.holds


def test_text_cnn_all_channels_learn(sig) -> None:
    final, early = sig.values["final"], sig.values["early"]
    assert final["static"]["test_accuracy"] >= 0.9
    assert final["trained"]["test_accuracy"] >= 0.98
    assert final["two-channel"]["test_accuracy"] >= 0.98
    # frozen vectors learn slower and end lower
    assert early["static"]["test_accuracy"] < early["two-channel"]["test_accuracy"] - 0.05
    assert final["static"]["test_accuracy"] < final["two-channel"]["test_accuracy"]


def test_text_cnn_static_channel_frozen_trained_channel_moved(sig) -> None:
    tables = sig.values["two_channel_tables"]
    assert tables["static_identical"] is True
    assert tables["trained_relative_change"] > 0.5
    assert sig.values["static_net_unchanged"] is True
    assert sig.values["trained_net_change"] > 0.5


def test_text_cnn_beats_bag_of_words_on_negation(sig) -> None:
    final = sig.values["final"]
    cnn, bag = final["two-channel"], final["bag-of-words"]
    assert cnn["negated_count"] == 59
    assert cnn["negated_accuracy"] >= 0.95
    assert bag["negated_accuracy"] <= 0.6
    assert cnn["pair_accuracy"] >= 0.8
    assert bag["pair_accuracy"] <= 0.6
    assert bag["plain_accuracy"] >= 0.9  # the bag of words does fine without negation
    # the unigram net is only reported: it learns the negations but loses elsewhere
    assert final["unigram"]["test_accuracy"] < cnn["test_accuracy"]


def test_text_cnn_max_over_time_finds_the_negation(sig) -> None:
    negated, plain = sig.values["negated"], sig.values["plain"]
    assert negated["sentence"] == SENTENCE
    assert negated["positive"] is False and plain["positive"] is True
    assert "not" in negated["decisive_ngram"].split()
    assert len(negated["ngrams"]) == len(negated["positions"]) == 8
    assert sum("not" in gram.split() for gram in negated["ngrams"]) >= 5
    assert all("not" not in gram for gram in plain["ngrams"])


def test_text_cnn_pairs() -> None:
    sentences, labels = pairs()
    assert len(sentences) == len(labels) == 192
    assert all(" not " in s for s in sentences[1::2])
    assert (labels[0::2] != labels[1::2]).all()


def test_text_cnn_presets_parse_and_train() -> None:
    parse_spec(TEXT_CNN.spec)
    assert TEXT_CNN.trainer().train(3)["step"] == 3
    assert [v.name for v in TEXT_CNN.variants] == [
        "static", "trained", "two-channel", "bag-of-words", "unigram"]
    for variant in TEXT_CNN.variants:
        assert TEXT_CNN.trainer(variant.name).train(3)["status"] == "idle"
    assert TEXT_CNN.describe()["name"] == "text-cnn"


def test_text_cnn_values_and_catalogue_entry_are_json(sig) -> None:
    assert json.loads(json.dumps(sig.values)) == sig.values
    entry = json.loads(json.dumps(TEXT_CNN.describe()))
    assert entry["variants"] and entry["expectation"] == TEXT_CNN.expectation
