"""Word vectors from co-occurrence counts: positive PMI, then a truncated SVD.

"You shall know a word by the company it keeps." Count how often each word c
appears within ``window`` words of each word w (both sides, not across sentence
ends) into a matrix C (V, V). Pointwise mutual information compares the count
with what independent words would give:

    PMI(w, c) = log( C[w, c] * N / (C[w, :].sum() * C[:, c].sum()) ),  N = C.sum()

PPMI keeps the positive part (and 0 where C is 0): a context counts only when it
turns up more often than chance. Rows of PPMI (V, V) are long and sparse; a
truncated SVD, PPMI = U S V^T, keeps the ``dims`` strongest directions, and the
word vectors are the rows of U[:, :dims] * sqrt(S[:dims]), scaled to unit length,
so the dot product of two vectors is their cosine. Words that keep the same
company ("great", "lovely") end up close.

Determinism: a singular vector and its negative are equally valid, so each column
of U is flipped to make its largest-magnitude entry positive. The PAD row is zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.blas_threads import one_blas_thread
from engine.data.sentences import PAD, UNK


def cooccurrence(corpus: Sequence[Sequence[str]], index: dict[str, int],
                 window: int = 2) -> np.ndarray:
    """Symmetric window counts, float64 (V, V) with V = len(index); C[w, c] is how
    often c lies 1..window words from w in the same sentence. Words missing from
    ``index`` count as UNK."""
    V = len(index)
    lengths = np.array([len(s) for s in corpus], dtype=np.int64)
    ids = np.array([index.get(w, UNK) for s in corpus for w in s], dtype=np.int64)
    sentence = np.repeat(np.arange(len(lengths)), lengths)
    counts = np.zeros(V * V, dtype=np.float64)
    for d in range(1, int(window) + 1):
        same = sentence[:-d] == sentence[d:]
        left, right = ids[:-d][same], ids[d:][same]
        counts += np.bincount(left * V + right, minlength=V * V)
        counts += np.bincount(right * V + left, minlength=V * V)
    return counts.reshape(V, V)


def ppmi(counts: np.ndarray) -> np.ndarray:
    """Positive pointwise mutual information of a count matrix (V, V), float64;
    0 where a count is 0 (and for rows or columns that are all 0)."""
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0))
    out = np.zeros_like(counts)
    seen = counts > 0
    out[seen] = np.log(counts[seen] * total / expected[seen])
    return np.maximum(out, 0.0)


def fix_signs(U: np.ndarray) -> np.ndarray:
    """U (m, k) with each column negated where needed so that its entry of largest
    magnitude is positive (the first such entry on a tie)."""
    rows = np.argmax(np.abs(U), axis=0)
    signs = np.sign(U[rows, np.arange(U.shape[1])])
    signs[signs == 0] = 1.0
    return U * signs


@one_blas_thread
def word_vectors(corpus: Sequence[Sequence[str]], vocab: Sequence[str], dims: int,
                 window: int = 2) -> np.ndarray:
    """Vectors float64 (V, dims) learned from ``corpus``: PPMI over a ``window``,
    truncated SVD, rows U sqrt(S) scaled to unit length (words never seen stay 0,
    and so does PAD)."""
    V = len(vocab)
    if not 1 <= dims <= V:
        raise ValueError(f"dims must lie in 1..{V}, got {dims}")
    index = {w: i for i, w in enumerate(vocab)}
    U, S, _ = np.linalg.svd(ppmi(cooccurrence(corpus, index, window)))
    vectors = fix_signs(U[:, :dims]) * np.sqrt(S[:dims])
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 1e-12)
    vectors[PAD] = 0.0
    return vectors


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors (0 if either is zero)."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(a @ b) / (na * nb) if na and nb else 0.0
