"""Tests for the synthetic grey images in engine.data.images."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine.data import images as im

K = len(im.IMAGE_CLASSES)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def centre_of_mass(images: np.ndarray) -> np.ndarray:
    """(row, column) centre of mass of the part of each image above its
    background estimate, in pixel coordinates (pixel i has centre i + 0.5):
    images (n, S, S) -> (n, 2)."""
    weight = np.maximum(images - im.background_level(images)[:, None, None], 0.0)
    centres = np.arange(images.shape[-1]) + 0.5
    total = weight.sum(axis=(1, 2))
    rows = (weight.sum(axis=2) * centres).sum(axis=1) / total
    cols = (weight.sum(axis=1) * centres).sum(axis=1) / total
    return np.column_stack([rows, cols])


def nearest_mean_accuracy(F_train, y_train, F_test, y_test) -> float:
    """Accuracy of a nearest-class-mean classifier on features (n, d)."""
    means = np.stack([F_train[y_train == c].mean(axis=0) for c in range(K)])
    dist = ((F_test[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)
    return float((dist.argmin(axis=1) == y_test).mean())


def spectrum(X: np.ndarray) -> np.ndarray:
    """Shift-invariant features: the unit-normalised magnitude of the 2-D Fourier
    transform of each background-subtracted image, (n, 1, S, S) -> (n, S*S)."""
    Z = X[:, 0] - im.background_level(X[:, 0])[:, None, None]
    A = np.abs(np.fft.fft2(Z)).reshape(len(X), -1)
    return A / np.linalg.norm(A, axis=1, keepdims=True)


# ------------------------------------------------------------------ image_set


def test_image_classes_are_shapes_then_textures() -> None:
    assert (*im.SHAPES, *im.TEXTURES) == im.IMAGE_CLASSES
    assert 4 <= K <= 6
    assert len(set(im.IMAGE_CLASSES)) == K


@pytest.mark.parametrize("size", [8, 12, 16, 24, 64])
def test_image_set_shapes_dtype_and_range(size: int) -> None:
    X, y = im.image_set(60, rng(), size=size, noise=0.2)
    assert X.shape == (60, 1, size, size) and X.dtype == np.float64
    assert y.shape == (60,) and y.dtype == np.int64
    assert X.min() >= 0.0 and X.max() <= 1.0
    assert X.min() == 0.0 and X.max() > 0.8  # heavy noise reaches the clip


def test_image_set_default_size_is_16() -> None:
    X, _ = im.image_set(6, rng())
    assert X.shape == (6, 1, 16, 16)


def test_image_set_same_seed_identical() -> None:
    X1, y1 = im.image_set(50, rng(7), noise=0.1)
    X2, y2 = im.image_set(50, rng(7), noise=0.1)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)


def test_image_set_different_seed_differs() -> None:
    X1, _ = im.image_set(50, rng(7))
    X2, _ = im.image_set(50, rng(8))
    assert np.abs(X1 - X2).mean() > 0.05


@pytest.mark.parametrize("n", [6, 600, 601, 1003])
def test_image_set_labels_balanced(n: int) -> None:
    _, y = im.image_set(n, rng(), noise=0.0)
    counts = np.bincount(y, minlength=K)
    assert counts.sum() == n and counts.max() - counts.min() <= 1
    assert np.all(np.diff(y) >= 0)  # blocks by class


def test_image_set_classes_by_name_and_count() -> None:
    X, y = im.image_set(40, rng(), classes=["checker", "square"], noise=0.0)
    assert np.bincount(y).tolist() == [20, 20]
    # label 0 is a checker here: many more light/dark changes than a square
    contrast = X.max(axis=(1, 2, 3)) - X.min(axis=(1, 2, 3))
    edges = np.abs(np.diff(X[:, 0], axis=2)).sum(axis=(1, 2)) / contrast
    assert edges[y == 0].mean() > 2.0 * edges[y == 1].mean()
    _, y3 = im.image_set(30, rng(), classes=3)
    assert np.bincount(y3).tolist() == [10, 10, 10]


def test_image_set_noise_adds_spread() -> None:
    clean, _ = im.image_set(60, rng(2), noise=0.0)
    noisy, _ = im.image_set(60, rng(2), noise=0.1)
    diff = noisy - clean
    assert 0.07 < diff.std() < 0.11


@pytest.mark.parametrize(
    "kwargs",
    [
        {"size": 7},
        {"size": 65},
        {"size": 16.0},
        {"noise": -0.1},
        {"noise": 0.6},
        {"classes": ["square", "blob"]},
        {"classes": ["ring"]},
        {"classes": ["ring", "ring"]},
        {"classes": "ring"},
        {"classes": 1},
    ],
)
def test_image_set_bad_arguments_raise(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        im.image_set(12, rng(), **kwargs)


def test_image_set_zero_images_raise() -> None:
    with pytest.raises(ValueError):
        im.image_set(0, rng())


def test_image_set_positions_vary_within_each_class() -> None:
    X, y = im.image_set(1200, rng(4), noise=0.0)
    com = centre_of_mass(X[:, 0])
    for c, name in enumerate(im.IMAGE_CLASSES):
        spread = com[y == c].max(axis=0) - com[y == c].min(axis=0)
        assert np.all(spread > 5.0), name  # pixels, on a 16-pixel image
        assert np.all(com[y == c].std(axis=0) > 1.2), name


def test_image_set_backgrounds_and_contrast_vary() -> None:
    X, _ = im.image_set(600, rng(5), noise=0.0)
    flat = X[:, 0]
    background = im.background_level(flat)
    assert background.min() < 0.05 and background.max() > 0.45
    contrast = flat.max(axis=(1, 2)) - background
    assert contrast.min() > 0.25 and contrast.max() < 0.51
    assert contrast.max() - contrast.min() > 0.15


def test_image_set_brightness_alone_near_chance() -> None:
    data = im.build_image_data(3000, seed=11)
    b_train = data.X_train.mean(axis=(1, 2, 3))[:, None]
    b_test = data.X_test.mean(axis=(1, 2, 3))[:, None]
    acc = nearest_mean_accuracy(b_train, data.y_train, b_test, data.y_test)
    assert acc < 1.0 / K + 0.08


def test_image_set_shift_invariant_features_separate_classes() -> None:
    data = im.build_image_data(3000, seed=11)
    pred_acc = nearest_mean_accuracy(
        spectrum(data.X_train), data.y_train, spectrum(data.X_test), data.y_test
    )
    assert pred_acc > 0.85  # six classes, chance is 1/6
    raw_acc = nearest_mean_accuracy(
        data.X_train.reshape(len(data.y_train), -1),
        data.y_train,
        data.X_test.reshape(len(data.y_test), -1),
        data.y_test,
    )
    assert raw_acc < pred_acc - 0.4  # fixed pixel templates fail: positions vary


def test_image_set_spectrum_tells_shapes_from_textures() -> None:
    data = im.build_image_data(1200, seed=12)
    F_train, F_test = spectrum(data.X_train), spectrum(data.X_test)
    means = np.stack([F_train[data.y_train == c].mean(axis=0) for c in range(K)])
    pred = ((F_test[:, None, :] - means[None]) ** 2).sum(axis=2).argmin(axis=1)
    n_shapes = len(im.SHAPES)
    agree = (pred >= n_shapes) == (data.y_test >= n_shapes)
    assert agree.mean() > 0.9


def test_image_set_fast_enough() -> None:
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        im.image_set(2000, rng(), size=16)
        best = min(best, time.perf_counter() - start)
    assert best < 0.5


# ----------------------------------------------------------- build_image_data


def test_build_image_data_shapes_and_balance() -> None:
    data = im.build_image_data(600, seed=3, size=12, train_fraction=0.75)
    assert data.X_train.shape == (450, 1, 12, 12) and data.X_test.shape == (150, 1, 12, 12)
    assert data.y_train.dtype == np.int64 and data.y_test.dtype == np.int64
    assert np.bincount(data.y_train).tolist() == [75] * K
    assert np.bincount(data.y_test).tolist() == [25] * K
    assert data.X_train.flags.c_contiguous and data.X_test.flags.c_contiguous
    assert data.class_names == im.IMAGE_CLASSES and data.n_classes == K
    assert data.size == 12 and data.seed == 3
    assert not np.all(np.diff(data.y_train) >= 0)  # shuffled


def test_build_image_data_same_seed_identical() -> None:
    a = im.build_image_data(120, seed=5, noise=0.1)
    b = im.build_image_data(120, seed=5, noise=0.1)
    for name in ("X_train", "X_test", "y_train", "y_test"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_build_image_data_different_seed_differs() -> None:
    a = im.build_image_data(120, seed=5)
    b = im.build_image_data(120, seed=6)
    assert not np.array_equal(a.X_train, b.X_train)


def test_build_image_data_train_and_test_disjoint() -> None:
    data = im.build_image_data(60, seed=1, noise=0.0)
    train = {row.tobytes() for row in data.X_train}
    test = {row.tobytes() for row in data.X_test}
    assert len(train) == len(data.X_train) and not train & test


def test_build_image_data_class_subset() -> None:
    data = im.build_image_data(40, seed=0, classes=["ring", "stripes"], train_fraction=0.5)
    assert data.class_names == ("ring", "stripes") and data.n_classes == 2
    assert np.bincount(data.y_train).tolist() == [10, 10]


@pytest.mark.parametrize(
    "kwargs", [{"n_samples": 11}, {"train_fraction": 0.05}, {"train_fraction": 0.95}]
)
def test_build_image_data_bad_arguments_raise(kwargs: dict) -> None:
    args = {"n_samples": 60, "seed": 0, **kwargs}
    with pytest.raises(ValueError):
        im.build_image_data(**args)


# ----------------------------------------------------------------------- draw


@pytest.mark.parametrize("kind", im.IMAGE_CLASSES)
def test_draw_shape_and_levels(kind: str) -> None:
    img = im.draw(kind, 24, background=0.2, foreground=0.7)
    assert img.shape == (24, 24) and img.dtype == np.float64
    assert img[0, 0] == pytest.approx(0.2)  # corner is background
    assert img.min() == pytest.approx(0.2) and img.max() == pytest.approx(0.7)


@pytest.mark.parametrize("kind", im.SHAPES)
def test_draw_shape_centred_at_center(kind: str) -> None:
    img = im.draw(kind, 16, center=(6.25, 9.5), scale=0.45)
    # sampling on the pixel grid moves the centre of mass by a few hundredths
    np.testing.assert_allclose(centre_of_mass(img[None])[0], [6.25, 9.5], atol=0.05)


def test_draw_square_area_matches_scale() -> None:
    img = im.draw("square", 32, center=(16.0, 16.0), scale=0.5, background=0.0, foreground=1.0)
    assert img.sum() == pytest.approx(16.0**2)


def test_draw_dark_figure_on_light_background() -> None:
    img = im.draw("cross", 16, background=0.9, foreground=0.1)
    assert img[8, 8] == pytest.approx(0.1) and img[0, 0] == pytest.approx(0.9)


def test_draw_bad_arguments_raise() -> None:
    with pytest.raises(ValueError):
        im.draw("triangle")
    with pytest.raises(ValueError):
        im.draw("ring", background=1.5)
    with pytest.raises(ValueError):
        im.draw("ring", scale=0.0)


# ---------------------------------------------------------------------- shift


@pytest.mark.parametrize("dy, dx", [(2, 3), (-3, 1), (0, -4), (5, 0), (-1, -2)])
def test_shift_moves_content_exactly(dy: int, dx: int) -> None:
    X, _ = im.image_set(8, rng(), noise=0.1)
    out = im.shift(X, dy, dx)
    S = X.shape[-1]
    dst = (slice(max(dy, 0), S + min(dy, 0)), slice(max(dx, 0), S + min(dx, 0)))
    src = (slice(max(-dy, 0), S - max(dy, 0)), slice(max(-dx, 0), S - max(dx, 0)))
    np.testing.assert_array_equal(out[..., dst[0], dst[1]], X[..., src[0], src[1]])
    assert out.shape == X.shape and out.dtype == np.float64


def test_shift_fills_border_with_each_image_background() -> None:
    X, _ = im.image_set(6, rng(1), noise=0.0)
    out = im.shift(X, 3, -2)
    level = im.background_level(X)[..., None, None]  # (6, 1, 1, 1)
    assert np.all(out[:, :, :3, :] == level)
    assert np.all(out[:, :, :, -2:] == level)
    assert np.all(out[:, :, 3:, :-2] == X[:, :, :-3, 2:])


def test_shift_fill_value_and_array() -> None:
    img = im.draw("square", 16)
    out = im.shift(img, -4, 0, fill=0.0)
    assert np.all(out[-4:, :] == 0.0)
    stack = np.stack([img, img])
    out = im.shift(stack, 0, 2, fill=np.array([0.3, 0.6]))
    assert np.all(out[0, :, :2] == 0.3) and np.all(out[1, :, :2] == 0.6)


def test_shift_equals_drawing_at_moved_centre() -> None:
    for kind in im.IMAGE_CLASSES:
        img = im.draw(kind, 16, center=(8.0, 8.0), scale=0.4, background=0.25)
        moved = im.draw(kind, 16, center=(10.0, 5.0), scale=0.4, background=0.25)
        np.testing.assert_allclose(im.shift(img, 2, -3, fill=0.25), moved, atol=1e-12)


def test_shift_zero_is_identity_and_full_shift_is_fill() -> None:
    X, _ = im.image_set(4, rng(), noise=0.05)
    np.testing.assert_array_equal(im.shift(X, 0, 0), X)
    assert np.all(im.shift(X, 16, 0, fill=0.0) == 0.0)
    assert np.all(im.shift(X, 0, -20, fill=0.5) == 0.5)


def test_shift_bad_steps_raise() -> None:
    with pytest.raises(ValueError):
        im.shift(np.zeros((4, 4)), 1.5, 0)
    with pytest.raises(ValueError):
        im.shift(np.zeros(4), 1, 0)


# ------------------------------------------------------------- pooling lesson


def pool(image: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and max over non-overlapping k x k windows of an (S, S) image."""
    S = image.shape[0]
    blocks = image[: S - S % k, : S - S % k].reshape(S // k, k, S // k, k)
    return blocks.mean(axis=(1, 3)), blocks.max(axis=(1, 3))


def test_texture_on_background_mean_pool_near_background_max_pool_at_peak() -> None:
    img = im.texture_on_background(16, background=0.1, texture_level=0.9, period=4)
    mean, peak = pool(img, 4)
    assert mean.shape == (4, 4)
    np.testing.assert_allclose(mean, 0.1 + 0.8 / 16)
    assert np.abs(mean - 0.1).max() <= 0.06
    assert np.all(peak == 0.9)
    flat_mean, flat_peak = pool(im.flat_background(16, 0.1), 4)
    assert np.abs(mean - flat_mean).max() <= 0.06  # mean pooling hides the texture
    assert np.all(peak - flat_peak == pytest.approx(0.8))  # max pooling keeps it


@pytest.mark.parametrize("period", [2, 3, 4, 5])
def test_texture_on_background_every_window_holds_one_dot(period: int) -> None:
    img = im.texture_on_background(20, background=0.2, texture_level=1.0, period=period)
    windows = np.lib.stride_tricks.sliding_window_view(img, (period, period))
    assert np.all(windows.max(axis=(2, 3)) == 1.0)
    np.testing.assert_allclose(windows.mean(axis=(2, 3)), 0.2 + 0.8 / period**2)


def test_flat_background_is_constant() -> None:
    img = im.flat_background(24, 0.35)
    assert img.shape == (24, 24) and img.dtype == np.float64
    assert np.all(img == 0.35)


def test_texture_on_background_bad_arguments_raise() -> None:
    with pytest.raises(ValueError):
        im.texture_on_background(16, period=1)
    with pytest.raises(ValueError):
        im.texture_on_background(16, period=17)
    with pytest.raises(ValueError):
        im.texture_on_background(16, texture_level=1.2)
    with pytest.raises(ValueError):
        im.flat_background(16, -0.1)


# -------------------------------------------------------------- image_of_size


@pytest.mark.parametrize("size", [12, 16, 24])
@pytest.mark.parametrize("kind", im.IMAGE_CLASSES)
def test_image_of_size_shape_and_range(kind: str, size: int) -> None:
    img = im.image_of_size(kind, size, rng(), noise=0.05)
    assert img.shape == (size, size) and img.dtype == np.float64
    assert img.min() >= 0.0 and img.max() <= 1.0


@pytest.mark.parametrize("kind", im.SHAPES)
def test_image_of_size_same_seed_scales_the_picture(kind: str) -> None:
    small = im.image_of_size(kind, 16, rng(9))
    large = im.image_of_size(kind, 32, rng(9))
    assert im.background_level(small) == pytest.approx(im.background_level(large))
    assert small.max() == pytest.approx(large.max())
    com_small = centre_of_mass(small[None])[0]
    com_large = centre_of_mass(large[None])[0]
    np.testing.assert_allclose(com_large, 2.0 * com_small, atol=0.05)


def test_image_of_size_matches_its_class() -> None:
    ring = im.image_of_size("ring", 24, rng(3))
    com = np.round(centre_of_mass(ring[None])[0] - 0.5).astype(int)
    assert ring[com[0], com[1]] == pytest.approx(im.background_level(ring))  # hole


def test_background_level_shape() -> None:
    X, _ = im.image_set(5, rng())
    assert im.background_level(X).shape == (5, 1)
    assert im.background_level(X[0, 0]).shape == ()
