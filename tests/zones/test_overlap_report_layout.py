"""The PDF for the bureau: a long zone name wraps inside its column, over no other text."""

import datetime as dt
import itertools
import shutil
import subprocess

import geopandas as gpd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from shapely import LineString, box

import surveys.zones.report as report
from network.io.fonts import cjk_font_properties
from surveys.zones.overlap import run_overlap_check
from surveys.zones.report import (
    _PDF_COLUMNS,
    _row_cells,
    layout_row,
    text_width_pt,
    wrap_text,
    write_pdf,
)

X, Y = 500_000.0, 3_400_000.0
CRS = "EPSG:4547"
LONG_NAME = (
    "国家级自然保护区核心区域及其周边生态敏感地带"  # a 40-character zone name
    "水源涵养与生物多样性维护重要生态功能区"
)[:40]


@pytest.fixture
def result():
    assert len(LONG_NAME) == 40
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ["ZR-1"],
            "name": [LONG_NAME],
            "zone_class": ["nature_reserve"],
            "zone_level": ["core"],
        },
        geometry=[box(X, Y, X + 100, Y + 100)],
        crs=CRS,
    )
    pipes = gpd.GeoDataFrame(
        {"pipe_id": ["P1", "P2"]},
        geometry=[
            LineString([(X + 50, Y + 50), (X + 150, Y + 50)]),
            LineString([(X + 10, Y + 10), (X + 20, Y + 10)]),
        ],
        crs=CRS,
    )
    return run_overlap_check({"pipes": pipes}, zones)


def test_wrap_text_keeps_every_character_within_the_width():
    prop = cjk_font_properties(7)
    lines = wrap_text(LONG_NAME, 100.0, prop, max_lines=10)
    assert len(lines) > 1 and "".join(lines) == LONG_NAME
    assert all(text_width_pt(line, prop) <= 100.0 for line in lines)
    cut = wrap_text(LONG_NAME * 3, 100.0, prop, max_lines=2)
    assert len(cut) == 2 and cut[-1].endswith("…")
    assert wrap_text("Spring Creek water source", 60.0, prop)[0] in ("Spring", "Spring Creek")


def test_long_zone_name_wraps_in_its_column_and_grows_the_row(result):
    rec = result.rows.drop(columns=result.rows.geometry.name).to_dict("records")[0]
    cells = _row_cells(0, rec)
    assert LONG_NAME in cells["zone"]
    boxes, height = layout_row(cells, 0.9, cjk_font_properties(7))
    zone = [b for b in boxes if b.column == "zone"]
    assert len(zone) >= 2 and "".join(b.text for b in zone) == cells["zone"]
    assert height >= len(zone) * zone[0].height
    for a, b in itertools.combinations(boxes, 2):
        assert not a.intersects(b), (a, b)
    lefts = [report.LEFT + x * (report.RIGHT - report.LEFT) for _k, _h, x in _PDF_COLUMNS]
    right_of = dict(
        zip((k for k, _h, _x in _PDF_COLUMNS), [*lefts[1:], report.RIGHT], strict=True)
    )
    for b in boxes:
        assert b.x + b.width <= right_of[b.column]  # inside its column
        assert 0.9 - height <= b.bounds[1] and b.bounds[3] <= 0.9  # inside the row


def test_pdf_page_text_of_a_long_zone_name_overlaps_nothing(result, tmp_path, monkeypatch):
    pages = []

    class Recording(report.PdfPages):
        def savefig(self, figure=None, **kw):
            pages.append(figure)
            super().savefig(figure, **kw)

    monkeypatch.setattr(report, "PdfPages", Recording)
    path = write_pdf(result, tmp_path / "r.pdf", generated_at=dt.date(2024, 6, 30))
    page = next(f for f in pages if any("问题明细" in t.get_text() for t in f.texts))
    renderer = FigureCanvasAgg(page).get_renderer()
    texts = [t for t in page.texts if t.get_text().strip()]
    zone_lines = [
        t for t in texts if len(t.get_text()) > 3 and t.get_text() in _row_cells_zone(result)
    ]
    assert len(zone_lines) >= 2
    extents = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    for (ta, a), (tb, b) in itertools.combinations(extents, 2):
        assert not a.overlaps(b), (ta, tb)
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "110",
                "-f",
                "2",
                "-l",
                "2",
                str(path),
                str(tmp_path / "p"),
            ],
            check=True,
        )
        assert list(tmp_path.glob("p*.png"))


def _row_cells_zone(result) -> str:
    rec = result.rows.drop(columns=result.rows.geometry.name).to_dict("records")[0]
    return _row_cells(0, rec)["zone"]
