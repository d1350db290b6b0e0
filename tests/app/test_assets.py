"""Tests for app.assets: the pages' folders next to the package, or installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import assets


def test_asset_dir_prefers_the_folder_next_to_the_package() -> None:
    assert assets.asset_dir("static") == assets.SOURCE_ROOT / "static"
    assert (assets.asset_dir("templates") / "lab.html").is_file()


def test_asset_dir_falls_back_to_the_installed_copy(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    installed = tmp_path / "share" / "nnplay"
    (installed / "static").mkdir(parents=True)
    monkeypatch.setattr(assets, "SOURCE_ROOT", tmp_path / "nowhere")
    monkeypatch.setattr(assets, "INSTALLED_ROOT", installed)
    assert assets.asset_dir("static") == installed / "static"
    with pytest.raises(RuntimeError, match="templates"):
        assets.asset_dir("templates")
