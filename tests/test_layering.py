"""network/ and surveys/ never load Qt, gisapp or pyplot (STYLE.md §1)."""

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_pure_packages_do_not_load_qt():
    code = (
        "import importlib, pkgutil, sys, network, surveys\n"
        "for pkg in (network, surveys):\n"
        "    for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(mod.name)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'gisapp', 'shiboken6'))\n"
        "       or m == 'matplotlib.pyplot']\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


def test_cli_does_not_load_qt():
    code = (
        "import sys, gisapp.cli\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)
