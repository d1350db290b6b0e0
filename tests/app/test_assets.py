"""Tests for app.assets: the pages' folders next to the package, or wherever the
installed distribution's record of its files puts them."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

from app import assets


def fake_install(root: Path, record: list[str]) -> metadata.Distribution:
    """A distribution in ``root/site`` whose RECORD lists ``record`` (paths relative to
    the site folder, as pip writes them), with those files made."""
    site = root / "site"
    info = site / "nnplay-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nnplay\nVersion: 0.1.0\n")
    (info / "RECORD").write_text("".join(f"{line},,\n" for line in record))
    for line in record:
        (site / line).parent.mkdir(parents=True, exist_ok=True)
        (site / line).write_text("x")
    return metadata.PathDistribution(info)


def test_asset_dir_prefers_the_checkout_next_to_the_package() -> None:
    assert assets.asset_dir("static") == assets.SOURCE_ROOT / "static"
    assert (assets.asset_dir("templates") / "lab.html").is_file()


def test_asset_dir_finds_a_user_install_by_the_distribution_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # pip install --user: the package under ~/.local/lib/python3.X/site-packages and
    # its data files under ~/.local/share, which no sys.prefix guess reaches
    dist = fake_install(tmp_path, ["app/__init__.py",
                                   "../share/nnplay-pages/static/i18n/zh-Hant/common.json",
                                   "../share/nnplay-pages/static/js/playground/main.js",
                                   "../share/nnplay-pages/templates/index.html"])
    monkeypatch.setattr(assets, "SOURCE_ROOT", tmp_path / "site")  # no pyproject.toml there
    monkeypatch.setattr(assets.metadata, "distribution", lambda name: dist)
    assert assets.asset_dir("static") == (tmp_path / "share" / "nnplay-pages" / "static").resolve()
    assert assets.asset_dir("templates") == (tmp_path / "share/nnplay-pages/templates").resolve()


def test_asset_dir_ignores_a_stray_static_folder_in_site_packages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = fake_install(tmp_path, ["../share/nnplay-pages/static/js/playground/main.js",
                                   "static/other.js"])
    monkeypatch.setattr(assets, "SOURCE_ROOT", tmp_path / "site")
    monkeypatch.setattr(assets.metadata, "distribution", lambda name: dist)
    assert assets.asset_dir("static") == (tmp_path / "share" / "nnplay-pages" / "static").resolve()


def test_asset_dir_names_what_is_missing(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    dist = fake_install(tmp_path, ["../share/nnplay-pages/static/js/playground/main.js"])
    monkeypatch.setattr(assets, "SOURCE_ROOT", tmp_path / "site")
    monkeypatch.setattr(assets.metadata, "distribution", lambda name: dist)
    with pytest.raises(RuntimeError, match=r"'templates'.*reinstall nnplay"):
        assets.asset_dir("templates")


def test_asset_dir_without_any_installed_distribution(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> metadata.Distribution:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(assets, "SOURCE_ROOT", tmp_path)
    monkeypatch.setattr(assets.metadata, "distribution", missing)
    with pytest.raises(RuntimeError, match="static"):
        assets.asset_dir("static")
