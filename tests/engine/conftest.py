"""Fixtures shared by the engine's tests."""

from __future__ import annotations

import pytest

from engine import compute


@pytest.fixture
def without_arithmetic_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lift engine.compute's bounds on a step's and a pass's multiply-adds, for tests
    of the memory budget whose nets are heavy on purpose (the two bounds are
    separate; tests/engine/test_compute.py checks the arithmetic one)."""
    for name in ("MAX_STEP_MACS", "MAX_PASS_MACS", "MAX_GRID_MACS"):
        monkeypatch.setattr(compute, name, 10**15)
