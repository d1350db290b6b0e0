"""Image and text data sets as :class:`engine.data.dataset.Dataset` objects.

The playground's point sets become (n, k) feature rows; the lab's sets are
tensors instead:

* ``shapes``: grey images, X (n, 1, S, S) in [0, 1], six classes
  (:mod:`engine.data.images`);
* ``sentiment``: sentences as word ids, X (n, L) (ids stored as floats, since a
  network's input is a float array; the embedding layer turns them back), two
  classes, with the vocabulary and the pre-trained vectors (V, E) on the data set
  (:mod:`engine.data.text`).

Neither has plotted points, features or an extent: those fields are empty.
"""

from __future__ import annotations

import numpy as np

from engine.data.images import build_image_data
from engine.data.spec import DataSpec
from engine.data.text import CLASSES, build_text_data

MAX_LEN = 16
"""Words per sentence after padding."""
EMBEDDING_DIMS = 16
"""Dimensions of the pre-trained word vectors."""


def tensor_fields(spec: DataSpec) -> dict:
    """The :class:`Dataset` fields of an image or text data set, as keyword
    arguments (``spec``: a DataSpec of modality ``image`` or ``text``)."""
    info = spec.info
    empty = np.empty((0, 0))
    common = {"points_train": empty, "points_test": empty, "extent": (), "feature_names": (),
              "modality": info.modality}
    if info.modality == "image":
        images = build_image_data(spec.n_samples, spec.seed, size=spec.size, noise=spec.noise,
                                  train_fraction=spec.train_fraction)
        return {**common, "X_train": images.X_train, "X_test": images.X_test,
                "y_train": images.y_train, "y_test": images.y_test,
                "class_names": images.class_names}
    text = build_text_data(spec.n_samples, spec.seed, dims=EMBEDDING_DIMS, max_len=MAX_LEN,
                           test_fraction=1.0 - spec.train_fraction)
    return {**common,
            "X_train": text.tokens_train.astype(np.float64),
            "X_test": text.tokens_test.astype(np.float64),
            "y_train": text.labels_train, "y_test": text.labels_test,
            "class_names": CLASSES, "vocab": text.vocab, "vectors": text.vectors,
            "texts_train": text.sentences_train, "texts_test": text.sentences_test}
