"""The text CNN: n-gram filters over word vectors, max over time, two channels.

The notes' text CNN (Kim, 2014) looks words up in pre-trained word vectors, slides
1-D convolution filters k words wide over the sentence (each filter an n-gram
detector), keeps each filter's largest response anywhere in the sentence (max
over time) and classifies those maxima. The vectors come in two channels, both
starting from the same pre-trained vectors: one is frozen ("static"), the other
is fine-tuned by back-propagation ("trained"), so the net can adapt words to the
task without forgetting what the pre-training knew.

The lesson trains, on the generated reviews of the ``sentiment`` set (where "not",
"never" and "hardly" flip the meaning of the word after them):

* a static, a trained and a two-channel text CNN (8 filters of 3 words);
* a bag-of-words baseline with no convolution: the two-channel embedding, then the
  maximum of every vector dimension over the sentence, which sees which words
  occur but not their order;
* a unigram net, convolution of width 1, reported for honesty: with max pooling
  and a trained table it can (depending on the seed) learn negation from word
  occurrences alone, since the maximum of "negator present" and "positive word
  present" features is not linear in them; here it catches up on the negated
  sentences but loses accuracy on the others.

It measures the test accuracy after 200 steps and at the end; the accuracy on the
negated sentences among FRESH sentences drawn like the data set's (from the data
seed: the test set holds only about 60 negated ones) and on hand-made pairs ("the
food was good" / "the food was not good", every sentiment adjective); that the
frozen channel's table is still bit-identical to the pre-trained vectors while the
trained one moved; and, for the sentences "the food was good" and "the food was
not good", which 3-gram each filter's max over time picks and which filter's push
on the score drops most when "not" is put in: the filter that turns the
prediction.

With ``bench/lessons.py`` over seeds 1 to 60 (model and data seed both) every
claim held for every seed. The settings came from those measurements:

* the first form of the last claim asked for the filter pushing hardest towards
  "negative" in "the food was not good"; for 8 of 120 draws (seeds 1 to 40, both
  seeds, only the model's, only the data's) it kept a 3-gram without "not": a
  filter firing on a sentence-final "good" as strongly in the plain sentence can
  be the largest single push, and says nothing about negation. What "not" changes
  is the difference between the two sentences; the filter with the largest drop
  kept a 3-gram with "not" in all 120, and the filters on "not" made at least 79%
  of the drop;
* the bag of words' accuracy on the negated test sentences swung with the test
  sample (80% of them right for one seed, 64% of 700 fresh ones), which put the
  CNN's lead under 20 points for 2 of 40 seeds; hence the fresh sentences;
* at Adam's 0.01, "the food was not good" came out positive for 2 of 60 seeds
  (a net right on 96% of negated sentences can still miss this short one). 1000
  steps or 1200 sentences did not help (the bag of words learned more negation
  too); 16 filters did, at about 1.5 times the cost of a live frame; at 0.007 it
  held for all 60 (and for 98 of 100 draws changing only the model seed, 1 to
  60, or only the data seed, 1 to 40), with the other claims' margins wider:
  the two-channel net's lowest final test accuracy 0.95, the static net's 0.855,
  the CNN's lowest lead over the bag of words 33 points on negated sentences and
  on pairs;
* the static net is compared with the two-channel net after 200 steps: at 0.01,
  after 100 steps it was ahead for one seed in 60 (by one test sentence), from
  step 125 on behind in all 60; at 0.007 it was behind at step 200 by 8.5 to 30
  points in all 60.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.data.sentences import NEGATIVE, NEGATORS, POSITIVE, UNK, sentiment_set
from engine.layers import Conv1D, GlobalMaxPool, TwoChannelEmbedding
from engine.lessons.base import Draw, Lesson, Pace, Signature, Variant, claim
from engine.lessons.pace import loss_settles
from engine.trainer import Trainer

DATA = {"name": "sentiment", "n_samples": 800, "train_fraction": 0.75, "seed": 0}
KERNEL = 3


def text_net(channels: str, kernel: int | None = KERNEL) -> dict[str, Any]:
    """embedding - conv1d (8 filters, ``kernel`` words) - relu - max over time; no
    convolution at all when ``kernel`` is None."""
    conv = [] if kernel is None else [
        {"type": "conv1d", "filters": 8, "kernel": kernel, "padding": kernel // 2},
        {"type": "activation", "name": "relu"},
    ]
    return {"data": DATA,
            "layers": [{"type": "embedding", "channels": channels}, *conv,
                       {"type": "global_max_pool"}],
            "optimizer": {"name": "adam", "lr": 0.007}, "batch_size": 16, "seed": 0,
            "dtype": "float32"}


STATIC = text_net("static")
TRAINED = text_net("trained")
TWO_CHANNEL = text_net("two_channel")
BAG_OF_WORDS = text_net("two_channel", kernel=None)
UNIGRAM = text_net("two_channel", kernel=1)
EARLY = 200
STEPS = 600
SENTENCE = "the food was not good"
PLAIN_SENTENCE = "the food was good"
NOUNS = ("food", "film", "hotel")
FRESH = 1000
"""Fresh sentences drawn to measure accuracy on negated and plain sentences."""
MIN_ACCURACY = 0.8
"""Test accuracy each of the static, trained and two-channel CNNs reaches."""
MIN_CHANGE = 0.1
"""How far (relative norm) the trained table moves at least."""
MIN_LEAD = 0.2
"""The two-channel CNN's lead over the bag of words on negation."""


def pairs() -> tuple[list[str], np.ndarray]:
    """Sentences "the <noun> was <adj>" and "the <noun> was not <adj>" for every
    sentiment adjective, in (plain, negated) order, with their labels (1 positive)."""
    sentences, labels = [], []
    for noun in NOUNS:
        for adj in POSITIVE + NEGATIVE:
            good = adj in POSITIVE
            sentences += [f"the {noun} was {adj}", f"the {noun} was not {adj}"]
            labels += [int(good), int(not good)]
    return sentences, np.array(labels)


def token_rows(trainer: Trainer, sentences: list[str]) -> np.ndarray:
    """Word ids (n, L) as floats, right-padded, of lower-case sentences (unknown
    words -> UNK), as the trainer's data set encodes them."""
    vocab = {word: i for i, word in enumerate(trainer.data.vocab)}
    length = trainer.X_train.shape[1]
    ids = np.zeros((len(sentences), length))
    for row, sentence in enumerate(sentences):
        words = [vocab.get(w, UNK) for w in sentence.split()][:length]
        ids[row, : len(words)] = words
    return ids


def predict(trainer: Trainer, sentences: list[str]) -> np.ndarray:
    """Predicted labels (n,) of typed sentences."""
    return trainer.loss.classify(trainer.net.predict(token_rows(trainer, sentences))).ravel()


def fresh_sentences(seed: int, max_len: int) -> tuple[list[str], np.ndarray]:
    """FRESH labelled sentences drawn like the data set's, from their own generator
    (seeded by the data seed, apart from the data set's own): enough negated ones
    (about a third) to measure accuracy on negation to a few points, where the
    test set holds only about 70."""
    _, labels, sentences = sentiment_set(FRESH, np.random.default_rng((seed, FRESH)), max_len)
    return sentences, labels


def scores(trainer: Trainer, fresh: tuple[list[str], np.ndarray]) -> dict[str, float]:
    """Test accuracy; accuracy on the ``fresh`` sentences with a negation word and
    without; and the share of hand-made pairs with both sentences right."""
    truth = trainer.data.y_test
    guess = trainer.loss.classify(trainer.net.predict(trainer.X_test)).ravel()
    sentences, labels = fresh
    right = predict(trainer, sentences) == labels
    negated = np.array([any(w in NEGATORS for w in s.split()) for s in sentences])
    pair_sentences, pair_labels = pairs()
    pair_right = predict(trainer, pair_sentences) == pair_labels
    return {"test_accuracy": float(np.mean(guess == truth)),
            "negated_accuracy": float(np.mean(right[negated])),
            "plain_accuracy": float(np.mean(right[~negated])),
            "negated_count": int(negated.sum()),
            "pair_accuracy": float(np.mean(pair_right[0::2] & pair_right[1::2]))}


def max_over_time(trainer: Trainer, sentence: str) -> dict[str, Any]:
    """Which n-gram each filter's max over time picks in ``sentence``, and how much
    each filter pushes the score (its pooled value times its weight in the output
    layer; positive towards "positive")."""
    layers = trainer.net.layers
    conv = next(layer for layer in layers if isinstance(layer, Conv1D))
    pool_at = next(i for i, layer in enumerate(layers) if isinstance(layer, GlobalMaxPool))
    words = sentence.split()
    x = token_rows(trainer, [sentence])
    for layer in layers[: pool_at + 1]:
        x = layer.forward(x, False)
    pooled, winners = x[0].copy(), layers[pool_at].argmax[0]
    weights = layers[pool_at + 1].params["W"][:, 0]
    logit = float(pooled @ weights + layers[pool_at + 1].params["b"][0])

    def gram(t: int) -> str:
        start = t - conv.padding
        return " ".join(words[j] for j in range(start, start + conv.kernel)
                        if 0 <= j < len(words))

    return {"sentence": sentence, "positive": logit > 0, "logit": logit,
            "positions": [int(t) for t in winners], "ngrams": [gram(t) for t in winners],
            "most_active_filter": int(np.argmax(pooled)),
            "most_active_ngram": gram(winners[int(np.argmax(pooled))]),
            "pushes": [float(v) for v in pooled * weights]}


def what_not_changes(plain: dict[str, Any], negated: dict[str, Any]) -> dict[str, Any]:
    """What inserting "not" changed, from :func:`max_over_time` of the plain and the
    negated sentence: the filter whose push on the score dropped most (the one that
    turns the prediction), the 3-gram it keeps in the negated sentence, the share of
    the whole drop that comes from filters keeping a 3-gram with "not", and how many
    filters keep one."""
    change = np.array(negated["pushes"]) - np.array(plain["pushes"])
    on_not = np.array(["not" in gram.split() for gram in negated["ngrams"]])
    drops = np.minimum(change, 0.0)
    turning = int(np.argmin(change))
    return {"turning_filter": turning, "turning_ngram": negated["ngrams"][turning],
            "turning_drop": float(change[turning]),
            "drop_share_on_not": float(drops[on_not].sum() / drops.sum()) if drops.any() else 0.0,
            "filters_on_not": int(on_not.sum())}


def tables(trainer: Trainer) -> dict[str, Any]:
    """The frozen table against the pre-trained vectors (bit for bit, in the run's
    dtype) and how far the trained table moved (norm of the change, and relative
    to the vectors)."""
    layer = trainer.net.layers[0]
    vectors = trainer.data.vectors.astype(trainer.net.dtype)
    frozen = layer.state["static"] if isinstance(layer, TwoChannelEmbedding) else None
    moved = layer.params["table"] - vectors
    return {"static_identical": frozen is not None and bool(np.array_equal(frozen, vectors)),
            "trained_change": float(np.linalg.norm(moved)),
            "trained_relative_change": float(np.linalg.norm(moved) / np.linalg.norm(vectors))}


def measure(draw: Draw) -> Signature:
    """Train the five nets for ``draw`` and measure accuracy, negation, the two
    tables and what "not" changes in the two-channel net; one claim each."""
    runs = {name: Trainer(draw.apply(spec)) for name, spec in RUNS.items()}
    fresh = fresh_sentences(draw.data, runs["two-channel"].X_train.shape[1])
    early, final = {}, {}
    for name, trainer in runs.items():
        trainer.advance(EARLY)
        early[name] = scores(trainer, fresh)
        trainer.advance(STEPS - EARLY)
        final[name] = scores(trainer, fresh)
    two = runs["two-channel"]
    static_layer = runs["static"].net.layers[0]
    values: dict[str, Any] = {
        "early": early,
        "final": final,
        "two_channel_tables": tables(two),
        "static_net_unchanged": bool(np.array_equal(
            static_layer.table, two.data.vectors.astype(two.net.dtype))),
        "trained_net_change": tables(runs["trained"])["trained_relative_change"],
        "negated": max_over_time(two, SENTENCE),
        "plain": max_over_time(two, PLAIN_SENTENCE),
    }
    values["not_changes"] = what_not_changes(values["plain"], values["negated"])
    cnn, bag = final["two-channel"], final["bag-of-words"]
    table, negated = values["two_channel_tables"], values["negated"]
    turned = values["not_changes"]
    claims = [claim(f"{name} CNN >= {MIN_ACCURACY:.0%} test accuracy after {STEPS} steps",
                    final[name]["test_accuracy"] >= MIN_ACCURACY,
                    early=early[name]["test_accuracy"], final=final[name]["test_accuracy"])
              for name in ("static", "trained", "two-channel")]
    claims += [
        claim(f"the frozen-only CNN is behind the two-channel CNN after {EARLY} steps",
              early["static"]["test_accuracy"] < early["two-channel"]["test_accuracy"],
              lead=early["two-channel"]["test_accuracy"] - early["static"]["test_accuracy"]),
        claim("the frozen tables stay bit-identical to the pre-trained vectors",
              table["static_identical"] and values["static_net_unchanged"]),
        claim(f"the trained table moves by over {MIN_CHANGE:.0%} of the vectors' norm",
              table["trained_relative_change"] > MIN_CHANGE,
              relative_change=table["trained_relative_change"]),
        claim(f"two-channel CNN >= {MIN_LEAD * 100:.0f} points above the bag of words on "
              f"negated sentences",
              cnn["negated_accuracy"] >= bag["negated_accuracy"] + MIN_LEAD,
              lead=cnn["negated_accuracy"] - bag["negated_accuracy"],
              cnn=cnn["negated_accuracy"], bag=bag["negated_accuracy"]),
        claim(f"two-channel CNN >= {MIN_LEAD * 100:.0f} points above the bag of words on "
              f"good/not-good pairs",
              cnn["pair_accuracy"] >= bag["pair_accuracy"] + MIN_LEAD,
              lead=cnn["pair_accuracy"] - bag["pair_accuracy"],
              cnn=cnn["pair_accuracy"], bag=bag["pair_accuracy"]),
        claim(f"'{SENTENCE}' is negative, '{PLAIN_SENTENCE}' positive",
              not negated["positive"] and values["plain"]["positive"],
              negated_logit=negated["logit"], plain_logit=values["plain"]["logit"]),
        claim("the filter whose push drops most when 'not' is added keeps a 3-gram "
              "holding 'not'", "not" in turned["turning_ngram"].split(),
              drop_share_on_not=turned["drop_share_on_not"],
              filters_on_not=turned["filters_on_not"]),
    ]
    return Signature(
        claims=tuple(claims),
        values=values,
        summary=f"test accuracy after {EARLY} / {STEPS} steps: "
                + ", ".join(f"{n} {early[n]['test_accuracy']:.0%} / {final[n]['test_accuracy']:.0%}"
                            for n in RUNS)
                + f"; on the negated ones of {FRESH} fresh sentences the two-channel CNN gets "
                f"{cnn['negated_accuracy']:.0%} and the bag of words {bag['negated_accuracy']:.0%}"
                f" ({cnn['pair_accuracy']:.0%} vs {bag['pair_accuracy']:.0%} of good/not-good "
                f"pairs both right); the frozen table is "
                f"{'bit-identical to' if table['static_identical'] else 'DIFFERENT from'} the "
                f"pre-trained vectors, the trained one moved by "
                f"{table['trained_relative_change']:.0%} of their norm; in "
                f"'{SENTENCE}' the filter whose push drops most against '{PLAIN_SENTENCE}' "
                f"keeps '{turned['turning_ngram']}', and filters keeping a 3-gram with 'not' "
                f"make {turned['drop_share_on_not']:.0%} of the drop",
    )


TEXT_CNN = Lesson(
    name="text-cnn",
    title="A text CNN with a static and a trained channel",
    claim="A 1-D convolution over word vectors turns each filter into an n-gram "
          "detector, and max over time keeps its best match anywhere in the sentence, "
          "so the net can see 'not good' where a bag of words only sees 'not' and "
          "'good'. With two channels from the same pre-trained vectors, one frozen and "
          "one fine-tuned, the net adapts words to the task and keeps the originals.",
    watch="Type a sentence and watch the n-gram activations: each filter's row lights up "
          "over a few words, and the max-over-time marker shows which 3-gram it keeps. "
          "Type 'the food was good', then 'the food was not good': the prediction "
          "usually turns negative, some filters' markers move onto 3-grams holding "
          "'not' ('was not good', 'not good'), and the filter whose push on the score "
          "drops most is usually one of them. Compare the static, trained and "
          "two-channel runs on the loss chart: all three usually reach 85% test "
          "accuracy or more by step 600, the frozen one usually behind the two-channel "
          "one over the first 200 steps. The bag of words, which sees 'not' and 'good' "
          "but not their order, usually gets only 30% to 65% of negated sentences "
          "right, where the two-channel CNN gets 85% or more.",
    why="A filter of width 3 sums weights times the vectors of three neighbouring "
        "words, so it can respond to 'not' followed by a positive word and to nothing "
        "else; max over time makes the answer independent of where the phrase sits. "
        "The frozen channel is never updated (it lives outside the parameters), so the "
        "pre-trained meaning of rare words stays; the trained channel moves the words "
        "that matter for the labels.",
    spec=TWO_CHANNEL,
    steps=STEPS,
    pace=Pace(2, loss_settles(), "the two-channel text CNN learns the sentences"),
    measure_fn=measure,
    expectation="static, trained and two-channel all >= 80% test accuracy after 600 "
                "steps, the static one behind the two-channel one after 200; two-channel "
                "frozen table bit-identical to the pre-trained vectors, trained table moved "
                "by over 10% of their norm; the two-channel CNN at least 20 points better "
                "than the bag of words on negated sentences and on good/not-good "
                "pairs; 'the food was not good' predicted negative, 'the food was good' "
                "positive, and the filter whose push drops most between them keeps a "
                "3-gram holding 'not'",
    variants=(
        Variant("static", "frozen pre-trained vectors", STATIC),
        Variant("trained", "fine-tuned vectors", TRAINED),
        Variant("two-channel", "frozen + fine-tuned channels", TWO_CHANNEL),
        Variant("bag-of-words", "no convolution: max of each dimension", BAG_OF_WORDS),
        Variant("unigram", "convolution one word wide", UNIGRAM),
    ),
)

RUNS = {v.name: v.spec for v in TEXT_CNN.variants}
