"""Tests for the text data set: engine.data.sentences (vocabulary and grammar),
engine.data.word_vectors (PPMI + SVD) and engine.data.text (the built data set)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.data import sentences as grammar
from engine.data.text import (
    CORPUS_SEED,
    CORPUS_SIZE,
    PAD,
    UNK,
    build_text_data,
    cooccurrence,
    encode,
    ppmi,
    pretrained_vectors,
    sentiment_set,
    tokenize,
    unlabelled_corpus,
    word_vectors,
)
from engine.data.word_vectors import cosine, fix_signs

TINY_VOCAB = ("<pad>", "<unk>", "x", "y", "z")
TINY_INDEX = {w: i for i, w in enumerate(TINY_VOCAB)}
TINY_CORPUS = [["x", "y", "x"], ["y", "z"]]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- vocabulary


def test_vocabulary_specials_and_size() -> None:
    assert grammar.VOCAB[PAD] == "<pad>" and grammar.VOCAB[UNK] == "<unk>"
    assert len(set(grammar.VOCAB)) == len(grammar.VOCAB) <= 300
    assert all(grammar.INDEX[w] == i for i, w in enumerate(grammar.VOCAB))


def test_vocabulary_round_trip() -> None:
    words = " ".join(grammar.VOCAB[2:])
    ids = encode(words, len(grammar.VOCAB) - 2)
    np.testing.assert_array_equal(ids, np.arange(2, len(grammar.VOCAB)))
    assert grammar.decode(ids) == words


def test_encode_unknown_words_pad_and_cut() -> None:
    ids = encode("The food was NOT zorgly!", 7)
    expect = [*(grammar.INDEX[w] for w in ("the", "food", "was", "not")), UNK, PAD, PAD]
    np.testing.assert_array_equal(ids, expect)
    assert ids.dtype == np.int64
    np.testing.assert_array_equal(encode("good good good", 2), [grammar.INDEX["good"]] * 2)
    assert tokenize("It's  great, really.") == ["it's", "great", "really"]


def test_articles_agree_with_next_word() -> None:
    fixed = grammar.articles(["a", "awful", "film", "an", "good"])
    assert fixed == ["an", "awful", "film", "a", "good"]


# ---------------------------------------------------------------- labelled sentences


def test_sentiment_set_balanced_labels() -> None:
    tokens, labels, sentences = sentiment_set(101, rng(), 16)
    assert tokens.shape == (101, 16) and tokens.dtype == np.int64
    assert labels.shape == (101,) and labels.dtype == np.int64
    assert (int((labels == 0).sum()), int((labels == 1).sum())) == (50, 51)
    assert len(sentences) == 101


def test_sentiment_set_padding() -> None:
    tokens, _, sentences = sentiment_set(200, rng(1), 16)
    lengths = np.array([len(s.split()) for s in sentences])
    assert lengths.min() >= 3 and lengths.max() <= 16
    positions = np.arange(16)
    np.testing.assert_array_equal(tokens == PAD, positions[None, :] >= lengths[:, None])
    assert not np.any(tokens == UNK)


def test_sentiment_set_short_max_len_keeps_the_core() -> None:
    tokens, labels, sentences = sentiment_set(300, rng(2), grammar.MIN_LEN)
    assert tokens.shape == (300, grammar.MIN_LEN)
    assert all(len(s.split()) <= grammar.MIN_LEN for s in sentences)
    assert [rule_label(s) for s in sentences] == labels.tolist()
    with pytest.raises(ValueError, match="max_len"):
        sentiment_set(10, rng(), grammar.MIN_LEN - 1)


def rule_label(sentence: str) -> int:
    """The labelling rule read back from the words: polarity of the one sentiment
    word, flipped by a negation word."""
    positive = set(grammar.POSITIVE) | {w for pair in grammar.LIKE for w in pair}
    negative = set(grammar.NEGATIVE) | {w for pair in grammar.DISLIKE for w in pair}
    words = sentence.split()
    polar = [w in positive for w in words if w in positive | negative]
    assert len(polar) == 1, sentence
    return int(polar[0] != any(w in grammar.NEGATORS for w in words))


def test_sentiment_labels_follow_negation_rule() -> None:
    _, labels, sentences = sentiment_set(500, rng(3), 16)
    assert [rule_label(s) for s in sentences] == labels.tolist()


def test_sentiment_negation_independent_of_label() -> None:
    _, labels, sentences = sentiment_set(4000, rng(4), 16)
    negated = np.array([any(w in grammar.NEGATORS for w in s.split()) for s in sentences])
    for label in (0, 1):
        assert abs(negated[labels == label].mean() - grammar.NEGATION_RATE) < 0.03


# ---------------------------------------------------------------- PPMI and vectors


def test_cooccurrence_by_hand() -> None:
    counts = cooccurrence([*TINY_CORPUS, ["x", "q"]], TINY_INDEX, window=2)
    x, y, z = 2, 3, 4
    expect = np.zeros((5, 5))
    expect[x, y] = expect[y, x] = 2  # x y and y x in the first sentence
    expect[x, x] = 2  # x _ x, counted from both ends
    expect[y, z] = expect[z, y] = 1  # not across the sentence boundary: x (end) - y (start)
    expect[x, UNK] = expect[UNK, x] = 1  # "q" is not in the vocabulary
    np.testing.assert_array_equal(counts, expect)


def test_ppmi_by_hand() -> None:
    # counts: C[x,x] = 2, C[x,y] = C[y,x] = 2, C[y,z] = C[z,y] = 1; N = 8,
    # row sums x 4, y 3, z 1 (the same for columns).
    out = ppmi(cooccurrence(TINY_CORPUS, TINY_INDEX, window=2))
    x, y, z = 2, 3, 4
    expect = np.zeros((5, 5))
    expect[x, y] = expect[y, x] = math.log(2 * 8 / (4 * 3))  # log 4/3
    expect[y, z] = expect[z, y] = math.log(1 * 8 / (3 * 1))  # log 8/3
    # PMI(x, x) = log(2 * 8 / (4 * 4)) = 0, kept as 0
    np.testing.assert_allclose(out, expect, rtol=1e-12, atol=0)


def test_ppmi_drops_negative_associations() -> None:
    counts = np.array([[1.0, 9.0], [9.0, 1.0]])
    out = ppmi(counts)  # PMI of the diagonal is log(1 * 20 / 100) < 0
    np.testing.assert_allclose(out, [[0.0, math.log(1.8)], [math.log(1.8), 0.0]])


def test_fix_signs_makes_largest_entry_positive() -> None:
    U = np.array([[0.1, -0.9], [-0.8, 0.2], [0.3, 0.1]])
    # column 0 peaks at -0.8 and column 1 at -0.9: both flip
    np.testing.assert_array_equal(fix_signs(U), [[-0.1, 0.9], [0.8, -0.2], [-0.3, -0.1]])


def test_word_vectors_shape_norms_and_determinism() -> None:
    corpus = unlabelled_corpus(500, rng(5))
    a = word_vectors(corpus, grammar.VOCAB, 8)
    b = word_vectors(unlabelled_corpus(500, rng(5)), grammar.VOCAB, 8)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (len(grammar.VOCAB), 8)
    np.testing.assert_array_equal(a[PAD], np.zeros(8))
    norms = np.linalg.norm(a, axis=1)
    seen = {w for s in corpus for w in s}
    for i, w in enumerate(grammar.VOCAB):
        assert norms[i] == pytest.approx(1.0 if w in seen else 0.0, abs=1e-9)
    with pytest.raises(ValueError, match="dims"):
        word_vectors(corpus, grammar.VOCAB, 0)


def test_unlabelled_corpus_covers_vocabulary() -> None:
    corpus = unlabelled_corpus(CORPUS_SIZE, rng(CORPUS_SEED))
    assert {w for s in corpus for w in s} == set(grammar.VOCAB[2:])
    vectors = pretrained_vectors(16)
    assert np.all(np.linalg.norm(vectors[2:], axis=1) > 0.99)
    np.testing.assert_array_equal(vectors[UNK], np.zeros(16))  # UNK never occurs


def test_word_vectors_put_similar_words_nearer() -> None:
    v, ix = pretrained_vectors(16), grammar.INDEX

    def cos(a: str, b: str) -> float:
        return cosine(v[ix[a]], v[ix[b]])

    assert cos("good", "great") > 0.9 > 0.4 > cos("good", "terrible")
    assert cos("film", "movie") > cos("film", "food") + 0.3
    assert cos("loved", "enjoyed") > cos("loved", "hated")
    pos, neg = [ix[w] for w in grammar.POSITIVE], [ix[w] for w in grammar.NEGATIVE]
    sims = v @ v.T
    k = len(pos)
    same = sims[np.ix_(pos, pos)].sum() + sims[np.ix_(neg, neg)].sum() - 2 * k  # no self pairs
    within = same / (2 * k * (k - 1))
    across = sims[np.ix_(pos, neg)].mean()
    assert within > 0.9 and across < 0.4, (within, across)


# ---------------------------------------------------------------- the built data set


def test_build_text_data_deterministic_for_seed() -> None:
    a, b, c = build_text_data(200, seed=7), build_text_data(200, seed=7), build_text_data(200, 8)
    np.testing.assert_array_equal(a.tokens_train, b.tokens_train)
    np.testing.assert_array_equal(a.labels_test, b.labels_test)
    assert a.sentences_train == b.sentences_train
    assert a.sentences_train != c.sentences_train
    np.testing.assert_array_equal(a.vectors, c.vectors)  # pre-trained: same for every seed
    assert not a.vectors.flags.writeable


def test_build_text_data_split_and_fields() -> None:
    data = build_text_data(400, seed=1, dims=12, max_len=14)
    assert data.tokens_train.shape == (300, 14) and data.tokens_test.shape == (100, 14)
    assert data.labels_train.sum() == 150 and data.labels_test.sum() == 50
    assert data.vectors.shape == (len(data.vocab), 12) and data.dims == 12
    assert data.vocab[data.index["film"]] == "film"
    assert data.decode(data.tokens_test[0]) == data.sentences_test[0]
    np.testing.assert_array_equal(data.encode(data.sentences_train[3]), data.tokens_train[3])
    with pytest.raises(ValueError):
        build_text_data(3, seed=0)


def fit_logistic(X: np.ndarray, y: np.ndarray, steps: int = 500, lr: float = 0.5):
    """Plain gradient descent on the mean log loss; returns a 0/1 predictor."""
    X1 = np.c_[X, np.ones(len(X))]
    w = np.zeros(X1.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-X1 @ w))
        w -= lr * X1.T @ (p - y) / len(y)
    return lambda Z: (np.c_[Z, np.ones(len(Z))] @ w > 0).astype(np.int64)


def test_text_data_learnable_but_not_by_bag_of_words() -> None:
    """Mean-pooled pre-trained vectors are a bag of words: order is lost. A linear
    model on them learns word polarity, so it beats chance, and it is right on
    plain sentences but wrong on most negated ones ("not good" reads as good): the
    score tops out near 1 - NEGATION_RATE. Flipping the vectors of the 3 words after
    a negation word, something a convolution of width 4 can learn, fixes that."""
    data = build_text_data(2000, seed=1)
    negated = np.array([any(w in grammar.NEGATORS for w in s.split()) for s in data.sentences_test])

    def pooled(tokens: np.ndarray, flip: bool = False) -> np.ndarray:
        sign = np.ones(tokens.shape)
        if flip:
            is_neg = np.isin(tokens, [data.index[w] for w in grammar.NEGATORS])
            for k in (1, 2, 3):
                sign[:, k:][is_neg[:, :-k]] = -1.0
        mask = (tokens != PAD)[..., None]
        return (data.vectors[tokens] * mask * sign[..., None]).sum(1) / mask.sum(1)

    predict = fit_logistic(pooled(data.tokens_train), data.labels_train)
    right = predict(pooled(data.tokens_test)) == data.labels_test
    assert 0.6 < right.mean() < 1.0 - grammar.NEGATION_RATE + 0.05
    assert right[~negated].mean() > 0.85 and right[negated].mean() < 0.3

    predict = fit_logistic(pooled(data.tokens_train, True), data.labels_train)
    right = predict(pooled(data.tokens_test, True)) == data.labels_test
    assert right.mean() > 0.9 and right[negated].mean() > 0.85
