"""Outfalls by class × decision status: one symbology for the screen and the paper map."""

from __future__ import annotations

import shutil
import subprocess

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.markers import MarkerStyle

from gisapp.cartography import flowmap
from gisapp.cartography import symbology as sym
from gisapp.cartography.export import export_project_map
from gisapp.cli import main
from network.io.project import open_project

SEALED_LABEL = "取缔封堵（已封堵）"


def test_status_style_crosses_sealed_outfalls_and_keeps_the_class_look():
    style = sym.outfall_status_style("zh")
    keys = sym.outfall_symbol_keys(
        ["industrial", "rain", None, "weird"], ["sealed", "keep", "merge", None]
    )
    assert keys.tolist() == [
        "industrial|sealed",
        "rain|keep",
        "unknown|merge",
        "unknown|undecided",
    ]
    frame = pd.DataFrame({sym.OUTFALL_SYMBOL: keys})
    symbols = [style.symbol(int(c)) for c in sym.classify(style, frame)]
    marker, color = sym.OUTFALL_SYMBOLS["industrial"]
    assert (symbols[0].marker, symbols[0].color, symbols[0].overlay) == (marker, color, "x")
    assert symbols[1].marker == sym.OUTFALL_SYMBOLS["rain"][0] and symbols[1].overlay == "none"
    assert symbols[1].outline == sym.OUTFALL_STATUS_MARKS["keep"][0]
    assert symbols[3] == sym.outfall_status_symbol("unknown", "undecided")
    # an undecided outfall looks as it does without decisions
    plain = sym.default_style("outfalls")
    undecided = sym.outfall_status_symbol("rain", "undecided")
    assert undecided == plain.classes[[c.value for c in plain.classes].index("rain")].symbol


def test_status_legend_lists_classes_then_the_statuses_present():
    style = sym.outfall_status_style("zh")
    frame = pd.DataFrame({sym.OUTFALL_SYMBOL: ["industrial|sealed", "rain|undecided"]})
    labels = [e.label for e in sym.legend_entries(style, "point", "zh", data=frame)]
    assert labels == ["工业排污口", "雨水排口", SEALED_LABEL, "待定（未决策）"]
    sealed = sym.legend_entries(style, "point", "zh", data=frame)[2].symbol
    assert sealed.overlay == "x"
    everything = sym.legend_entries(style, "point", "en")
    assert "banned and sealed" in [e.label for e in everything]


@pytest.fixture
def sealed_pk07(demo_project):
    args = ["outfalls", "decide", str(demo_project), "PK07", "取缔封堵"]
    assert main([*args, "--deadline", "2025-06-30", "--unit", "市生态环境局"]) == 0
    return demo_project


def _capture_figures(monkeypatch):
    figures = []
    make = flowmap.flow_map_figure

    def spy(*args, **kwargs):
        figures.append(make(*args, **kwargs))
        return figures[-1]

    monkeypatch.setattr(flowmap, "flow_map_figure", spy)
    return figures


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_map_export_draws_the_sealed_outfall_crossed(sealed_pk07, tmp_path, monkeypatch):
    figures = _capture_figures(monkeypatch)
    project = open_project(sealed_pk07)
    out = export_project_map(project, tmp_path / "m.pdf")
    assert out.exists()
    fig = figures[-1]
    assert SEALED_LABEL in _texts(fig)
    assert "保留并规范" not in _texts(fig)  # only the statuses present
    pk07 = project.layers["outfalls"].set_index("outfall_id").geometry["PK07"]
    crosses = [c for c in fig.axes[0].collections if len(c.get_offsets()) and _is_red_x(c)]
    at = np.vstack([c.get_offsets() for c in crosses])
    assert len(at) == 1
    assert tuple(at[0]) == pytest.approx((shapely.get_x(pk07), shapely.get_y(pk07)))


def _is_red_x(collection):
    colors = collection.get_facecolors()
    x = MarkerStyle("x").get_path().transformed(MarkerStyle("x").get_transform())
    paths = collection.get_paths()
    return (
        len(colors)
        and np.allclose(colors[0][:3], (0xE0 / 255, 0x1B / 255, 0x1B / 255))
        and len(paths) == 1
        and paths[0].vertices.shape == x.vertices.shape
        and np.allclose(paths[0].vertices, x.vertices)
    )


def test_map_without_decisions_shows_no_status(demo_project, tmp_path, monkeypatch):
    figures = _capture_figures(monkeypatch)
    export_project_map(open_project(demo_project), tmp_path / "m.png", dpi=40)
    assert SEALED_LABEL not in _texts(figures[-1])
    assert "待定（未决策）" not in _texts(figures[-1])


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils")
def test_map_cli_pdf_shows_the_sealed_legend_and_red_cross(sealed_pk07, tmp_path):
    out = tmp_path / "map.pdf"
    assert main(["map", str(sealed_pk07), "--out", str(out)]) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert SEALED_LABEL in text
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(out), str(tmp_path / "p")], check=True)
    img = mpimg.imread(next(tmp_path.glob("p*.png")))[..., :3]
    red = (img[..., 0] > 0.8) & (img[..., 1] < 0.25) & (img[..., 2] < 0.25)
    assert red.sum() > 10
