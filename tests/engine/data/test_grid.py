"""Tests for the evaluation grids in engine.data.grid."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.data import grid, grid_1d
from engine.errors import SpecError


def test_grid_shape_and_image_order() -> None:
    pts = grid((-6.0, 6.0, -4.0, 4.0), 4)  # cells 3 wide, 2 tall
    assert pts.shape == (16, 2) and pts.dtype == np.float64
    np.testing.assert_array_equal(pts[0], [-4.5, 3.0])  # top-left
    np.testing.assert_array_equal(pts[1], [-1.5, 3.0])  # along the top row
    np.testing.assert_array_equal(pts[4], [-4.5, 1.0])  # next row down
    np.testing.assert_array_equal(pts[-1], [4.5, -3.0])  # bottom-right
    image_x = pts[:, 0].reshape(4, 4)
    image_y = pts[:, 1].reshape(4, 4)
    assert np.all(np.diff(image_x, axis=1) > 0) and np.all(np.diff(image_y, axis=0) < 0)


def test_grid_1d_centres() -> None:
    pts = grid_1d((0.0, 1.0), 4)
    np.testing.assert_allclose(pts, [[0.125], [0.375], [0.625], [0.875]])


@pytest.mark.parametrize("g", [1, 201, 2.5, True, "10"])
def test_grid_bad_size_rejected(g) -> None:
    with pytest.raises(SpecError) as err:
        grid((0.0, 1.0, 0.0, 1.0), g)
    assert err.value.field == "grid"
    with pytest.raises(SpecError):
        grid_1d((0.0, 1.0), g)


def test_grid_bad_extent_rejected() -> None:
    with pytest.raises(ValueError):
        grid((1.0, 0.0, 0.0, 1.0), 5)
    with pytest.raises(ValueError):
        grid((0.0, 1.0), 5)
    with pytest.raises(ValueError):
        grid_1d((0.0, math.nan), 5)
