"""Reports: content, map extracts, byte-identical re-runs."""

import datetime as dt
import zipfile

import geopandas as gpd
import pytest
from pdf_fonts import pdf_font_names
from shapely import LineString, Point, box

from network.io.fonts import cjk_font, cjk_font_file
from surveys.zones.overlap import run_overlap_check
from surveys.zones.report import write_pdf, write_xlsx

X, Y = 500_000.0, 3_400_000.0
CRS = "EPSG:4547"


@pytest.fixture
def result():
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ["HX-1", "SY-1"],
            "name": ["红线", "水源"],
            "zone_class": ["redline", "water_source"],
            "zone_level": [None, "level1"],
        },
        geometry=[box(X, Y, X + 100, Y + 100), box(X + 300, Y, X + 400, Y + 100)],
        crs=CRS,
    )
    pipes = gpd.GeoDataFrame(
        {"pipe_id": ["P1", "P2", "P3"]},
        geometry=[
            LineString([(X + 50, Y + 50), (X + 150, Y + 50)]),
            LineString([(X + 10, Y + 10), (X + 20, Y + 10)]),
            LineString([(X + 150, Y + 500), (X + 250, Y + 500)]),
        ],
        crs=CRS,
    )
    outfalls = gpd.GeoDataFrame(
        {"outfall_id": ["PK1"]}, geometry=[Point(X + 350, Y + 50)], crs=CRS
    )
    park = gpd.GeoDataFrame(
        {"name": ["园区"]}, geometry=[box(X - 50, Y - 50, X + 250, Y + 250)], crs=CRS
    )
    return run_overlap_check(
        {"pipes": pipes, "outfalls": outfalls, "boundary": park},
        zones,
        sources={"pipes": [{"path": "/data/管线.shp", "sha256": "ab" * 32}]},
    )


def sheets(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}


def test_write_xlsx_has_summary_details_rules_and_reproducibility(result, tmp_path):
    from openpyxl import load_workbook

    path = write_xlsx(result, tmp_path / "r.xlsx", generated_at=dt.date(2024, 6, 30))
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "问题明细", "规则", "数据问题", "可复现信息"]
    details = wb["问题明细"]
    header = [c.value for c in details[1]]
    assert header[:4] == ["序号", "严重程度", "要素类型", "要素编号"]
    rows = list(details.iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in rows] == ["P1", "P2", "园区", "PK1"]
    assert rows[0][9] == 50.0  # 区内长度(m)
    assert len(details._images) == 4  # one extract per conflict
    repro = dict(wb["可复现信息"].iter_rows(min_row=2, values_only=True))
    assert repro["输入文件（管线）"] == f"管线.shp  SHA-256 {'ab' * 32}"
    assert repro["报告日期"].startswith("2024-06-30")
    assert "EPSG:4547" in repro["项目坐标系"]
    assert "shapely" in " ".join(repro)
    summary = list(wb["汇总"].iter_rows(min_row=5, values_only=True))
    assert ("生态保护红线", "冲突", "管线", 2, 2, 60.0, None) in summary


def test_write_xlsx_is_byte_identical_on_rerun(result, tmp_path):
    a = write_xlsx(result, tmp_path / "a.xlsx", generated_at=dt.datetime(2024, 6, 30, 9))
    b = write_xlsx(result, tmp_path / "b.xlsx", generated_at=dt.datetime(2024, 6, 30, 9))
    assert a.read_bytes() == b.read_bytes()
    # without a fixed date, the data tables are still identical
    c = write_xlsx(result, tmp_path / "c.xlsx")
    sa, sc = sheets(a), sheets(c)
    for name in (
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
        "xl/worksheets/sheet3.xml",
        "xl/worksheets/sheet4.xml",
    ):
        assert sa[name] == sc[name]


def test_rerun_of_the_check_gives_identical_report(result, tmp_path):

    again = run_overlap_check(
        result.layers,
        result.zones,
        result.rules,
        sources={"pipes": [{"path": "/data/管线.shp", "sha256": "ab" * 32}]},
    )
    a = write_xlsx(result, tmp_path / "a.xlsx", generated_at=dt.date(2024, 6, 30))
    b = write_xlsx(again, tmp_path / "b.xlsx", generated_at=dt.date(2024, 6, 30))
    assert a.read_bytes() == b.read_bytes()
    p = write_pdf(result, tmp_path / "a.pdf", generated_at=dt.date(2024, 6, 30))
    q = write_pdf(again, tmp_path / "b.pdf", generated_at=dt.date(2024, 6, 30))
    assert p.read_bytes() == q.read_bytes()


def test_write_pdf_has_no_creation_date_and_embeds_cjk_font(result, tmp_path):
    path = write_pdf(result, tmp_path / "r.pdf", generated_at=dt.date(2024, 6, 30))
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/CreationDate" not in data
    if cjk_font_file() is not None:
        assert b"CJK" in data or b"WenQuanYi" in data
    if (cjk_font() or "").startswith("Noto Sans CJK"):  # the Simplified-Chinese face, not JP
        names = pdf_font_names(path)
        assert "NotoSansCJKsc" in names and "CJKjp" not in names


def test_write_xlsx_reports_unwritable_path(result, tmp_path):
    from surveys.zones.report import ReportError

    with pytest.raises(ReportError, match="Cannot write"):
        write_xlsx(result, tmp_path / "missing" / "r.xlsx")
