"""Shared fixtures. Qt runs offscreen in every test."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
DEMO_DIR = REPO_ROOT / "resources" / "demo"

# --doctest-modules would also import every conftest.py as a module named "conftest", and two
# of them (tests/ and tests/acceptance/) then clash over that name: they hold no doctests
collect_ignore_glob = ["*conftest.py"]


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture
def demo_project(tmp_path: Path) -> Path:
    """A private copy of the demo project: tests never touch the committed file."""
    copy = tmp_path / "demo_park.gpkg"
    shutil.copyfile(DEMO_DIR / "demo_park.gpkg", copy)
    return copy


@pytest.fixture(scope="session", autouse=True)
def _demo_project_is_never_written():
    import hashlib

    path = DEMO_DIR / "demo_park.gpkg"
    before = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    yield
    after = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    assert after == before, "a test wrote into resources/demo/demo_park.gpkg; use demo_project"
