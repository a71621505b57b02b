"""The flow-direction map export (also from the command line): page, content, Chinese text."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

from gisapp.cartography.export import export_project_map
from gisapp.cartography.flowmap import MapExportError, cjk_font
from network.io.project import open_project

REPO = Path(__file__).resolve().parents[2]
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils")


def _pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return dict(line.split(":", 1) for line in out.stdout.splitlines() if ":" in line)


@needs_poppler
@pytest.mark.parametrize(("size", "pts"), [("A4", (841.89, 595.276)), ("A3", (1190.55, 841.89))])
def test_map_cli_writes_one_page_pdf_of_the_size(tmp_path, demo_project, size, pts):
    out = tmp_path / "map.pdf"
    r = subprocess.run(
        [
            sys.executable,
            "main.py",
            "map",
            str(demo_project),
            "--out",
            str(out),
            "--size",
            size,
            "--trace-from",
            "E01",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    info = _pdfinfo(out)
    assert info["Pages"].strip() == "1"
    w, h = (float(v) for v in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert (w, h) == pytest.approx(pts, abs=1.0)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True)
    img = mpimg.imread(next(tmp_path.glob("page*.png")))
    ink = (img[..., :3].mean(axis=2) < 0.9).mean()
    assert ink > 0.02  # a drawn map, not a blank page


@needs_poppler
def test_map_pdf_embeds_a_cjk_font(tmp_path, demo_project):
    assert cjk_font() is not None, "install fonts-noto-cjk (tools/install.sh does)"
    out = export_project_map(open_project(demo_project), tmp_path / "m.pdf")
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert "CJK" in fonts or "WenQuanYi" in fonts
    if cjk_font().startswith("Noto Sans CJK"):
        assert "NotoSansCJKsc" in fonts and "CJKjp" not in fonts  # the Simplified-Chinese face
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "管网图及污水流向图" in text and "图例" in text


def test_map_png_shows_the_trace_highlight(tmp_path, demo_project):
    project = open_project(demo_project)
    plain = export_project_map(project, tmp_path / "a.png", dpi=60)
    traced = export_project_map(project, tmp_path / "b.png", dpi=60, trace_from="E01")
    a, b = mpimg.imread(plain), mpimg.imread(traced)
    magenta = (b[..., 0] > 0.9) & (b[..., 1] < 0.5) & (b[..., 2] > 0.6)
    assert magenta.sum() > 50
    assert not np.array_equal(a, b)


def test_map_bad_options_are_user_errors(tmp_path, demo_project):
    project = open_project(demo_project)
    with pytest.raises(MapExportError, match=r"\.pdf or \.png"):
        export_project_map(project, tmp_path / "m.svg")
    with pytest.raises(MapExportError, match="--extent"):
        export_project_map(project, tmp_path / "m.pdf", extent="1,2,3")
    r = subprocess.run(
        [
            sys.executable,
            "main.py",
            "map",
            str(demo_project),
            "--out",
            str(tmp_path / "m.pdf"),
            "--trace-from",
            "NOPE",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "NOPE" in r.stderr
