"""A small sentiment data set made by the engine, with pre-trained word vectors.

Everything is generated, nothing is downloaded:

* the vocabulary and grammar come from :mod:`engine.data.sentences`
  (PAD = 0, UNK = 1, 216 words);
* the "pre-trained" vectors are learned once from an unlabelled corpus of
  ``CORPUS_SIZE`` sentences drawn with the fixed seed ``CORPUS_SEED``
  (:mod:`engine.data.word_vectors`: PPMI over a window of 2, truncated SVD), so
  they are the same for every run and every data seed, like vectors downloaded
  from elsewhere;
* the labelled train and test sentences are drawn from ``seed``.

Typical use::

    data = build_text_data(800, seed=3)
    data.tokens_train.shape   # (600, 16), int64, right-padded with 0
    data.vectors.shape        # (V, 16), float64, unit rows, PAD row 0
    data.encode("The food was not great!")  # (16,) ids for a typed sentence
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.data.sentences import (
    INDEX,
    PAD,
    UNK,
    VOCAB,
    decode,
    encode,
    sentiment_set,
    tokenize,
    unlabelled_corpus,
)
from engine.data.word_vectors import cooccurrence, ppmi, word_vectors

__all__ = [
    "CLASSES",
    "CORPUS_SEED",
    "CORPUS_SIZE",
    "PAD",
    "UNK",
    "TextData",
    "build_text_data",
    "cooccurrence",
    "decode",
    "encode",
    "ppmi",
    "pretrained_vectors",
    "sentiment_set",
    "tokenize",
    "unlabelled_corpus",
    "word_vectors",
]

CORPUS_SEED = 2014
"""Seed of the unlabelled corpus the vectors are learned from (fixed: "pre-trained")."""
CORPUS_SIZE = 4000
"""Sentences in that corpus."""
WINDOW = 2
"""Context window of the co-occurrence counts, in words on each side."""
CLASSES = ("negative", "positive")
"""Label names: 0 negative, 1 positive."""


@lru_cache(maxsize=8)
def _pretrained(dims: int) -> np.ndarray:
    corpus = unlabelled_corpus(CORPUS_SIZE, np.random.default_rng(CORPUS_SEED))
    # rounded to 8 decimals, so a different LAPACK's last digits do not change
    # the numbers a run gives
    vectors = np.round(word_vectors(corpus, VOCAB, dims, WINDOW), 8)
    vectors.flags.writeable = False
    return vectors


def pretrained_vectors(dims: int = 16) -> np.ndarray:
    """The fixed word vectors, float64 (V, dims), read-only (computed once per ``dims``)."""
    return _pretrained(int(dims))


@dataclass(frozen=True, eq=False)
class TextData:
    """A labelled sentiment data set with its vocabulary and pre-trained vectors.

    With V words, E = dims, L = max_len:

    Attributes:
        vocab: the words, id order (vocab[0] is PAD, vocab[1] UNK).
        index: word -> id.
        vectors: pre-trained vectors, float64 (V, E), read-only; PAD row zero.
        max_len: L, words per sentence after padding.
        seed: seed of the labelled sentences.
        tokens_train, tokens_test: int64 (n, L) ids, right-padded with PAD.
        labels_train, labels_test: int64 (n,), 1 positive, 0 negative.
        sentences_train, sentences_test: the sentences as strings.
    """

    vocab: tuple[str, ...]
    index: dict[str, int]
    vectors: np.ndarray
    max_len: int
    seed: int
    tokens_train: np.ndarray
    labels_train: np.ndarray
    sentences_train: tuple[str, ...]
    tokens_test: np.ndarray
    labels_test: np.ndarray
    sentences_test: tuple[str, ...]

    @property
    def dims(self) -> int:
        return int(self.vectors.shape[1])

    def encode(self, sentence: str) -> np.ndarray:
        """Ids int64 (max_len,) of a typed sentence; unknown words -> UNK."""
        return encode(sentence, self.max_len, self.index)

    def decode(self, ids: np.ndarray) -> str:
        """The sentence of a row of ids (padding left out)."""
        return decode(ids, self.vocab)


def build_text_data(n_samples: int = 800, seed: int = 0, dims: int = 16, max_len: int = 16,
                    test_fraction: float = 0.25) -> TextData:
    """Draw ``n_samples`` labelled sentences from ``seed`` and split them: the last
    round(n_samples * test_fraction) are the test set; each split is balanced on
    its own. The same arguments give the same data, and the vectors depend only on
    ``dims``."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction}")
    n_test = round(n_samples * test_fraction)
    n_train = int(n_samples) - n_test
    if n_train < 2 or n_test < 2:
        raise ValueError(f"{n_samples} samples leave too few for a train/test split")
    rng = np.random.default_rng(seed)
    tokens_train, labels_train, sentences_train = sentiment_set(n_train, rng, max_len)
    tokens_test, labels_test, sentences_test = sentiment_set(n_test, rng, max_len)
    return TextData(
        vocab=VOCAB, index=dict(INDEX), vectors=pretrained_vectors(dims), max_len=int(max_len),
        seed=int(seed), tokens_train=tokens_train, labels_train=labels_train,
        sentences_train=tuple(sentences_train), tokens_test=tokens_test,
        labels_test=labels_test, sentences_test=tuple(sentences_test),
    )
