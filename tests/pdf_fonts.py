"""The fonts a PDF embeds, as poppler's ``pdffonts`` lists them (tests skip without poppler)."""

import shutil
import subprocess
from pathlib import Path

import pytest


def pdf_font_names(path: Path) -> str:
    """The ``pdffonts`` listing of ``path`` (skips the test when poppler-utils is missing)."""
    if shutil.which("pdffonts") is None:
        pytest.skip("poppler-utils not installed")
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
