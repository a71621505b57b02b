"""Only gisapp/qt/ loads Qt (STYLE.md §1).

network/, surveys/, the command line (gisapp/cli/) and the paper maps (gisapp/cartography/)
never load PySide6 or pyplot, so every analysis and every export runs headless; network/ and
surveys/ never load gisapp; network/ never loads surveys.
"""

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
QT = ("PySide6", "shiboken6")


def _loaded_after_importing(packages: tuple[str, ...]) -> list[str]:
    """Import every module of *packages* in a fresh interpreter; return what got loaded."""
    code = (
        "import importlib, pkgutil, sys\n"
        f"for name in {packages!r}:\n"
        "    pkg = importlib.import_module(name)\n"
        "    for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(mod.name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=REPO_ROOT, capture_output=True, text=True
    )
    return out.stdout.split()


@pytest.mark.parametrize(
    ("packages", "forbidden"),
    [
        (("network",), (*QT, "gisapp", "surveys", "matplotlib.pyplot")),
        (("network", "surveys"), (*QT, "gisapp", "matplotlib.pyplot")),
        (("gisapp.cli", "gisapp.cartography"), (*QT, "gisapp.qt", "matplotlib.pyplot")),
    ],
)
def test_headless_packages_never_load_qt(packages, forbidden):
    loaded = _loaded_after_importing(packages)
    bad = [m for m in loaded if m == "matplotlib.pyplot" or m.startswith(forbidden)]
    bad = [m for m in bad if m != "matplotlib.pyplot" or "matplotlib.pyplot" in forbidden]
    assert not bad, f"{packages} loaded {bad}"


def test_every_qt_import_lives_in_gisapp_qt():
    """A grep-level proof: no source file outside gisapp/qt/ (and tests) names PySide6."""
    offenders = []
    for path in REPO_ROOT.rglob("*.py"):
        rel = path.relative_to(REPO_ROOT)
        if rel.parts[0] in (".venv", "tests", "benchmarks", "tools", ".git"):
            continue
        if rel.parts[:2] == ("gisapp", "qt"):
            continue
        text = path.read_text(encoding="utf-8")
        if "import PySide6" in text or "from PySide6" in text:
            offenders.append(str(rel))
    assert not offenders, offenders
