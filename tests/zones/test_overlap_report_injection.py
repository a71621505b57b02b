"""Issue 10 items 13/15: the overlap workbook is text-safe and made for people."""

import zipfile

import geopandas as gpd
from openpyxl import load_workbook
from shapely import LineString, box

from gisapp.cli import main

X, Y = 37_600_000.0, 3_160_000.0
CRS = "EPSG:4525"
NAMES = ('=HYPERLINK("http://evil.example/","点此")', "+cmd", "-x", "@x")


def formulas(path):
    with zipfile.ZipFile(path) as z:
        return sum(
            z.read(n).count(b"<f>") + z.read(n).count(b"<f ")
            for n in z.namelist()
            if n.startswith("xl/worksheets/sheet")
        )


def test_overlap_xlsx_writes_zone_and_feature_names_as_text(tmp_path, capsys):
    from network.io.project import create_project

    src = tmp_path / "src.gpkg"
    gpd.GeoDataFrame(
        {"编号": ["=P1", "@P2"], "起点编号": ["J1", "J2"], "终点编号": ["J2", "J3"]},
        geometry=[
            LineString([(X + 50, Y + 50), (X + 150, Y + 50)]),
            LineString([(X + 150, Y + 50), (X + 250, Y + 50)]),
        ],
        crs=CRS,
    ).to_file(src, layer="pipes", driver="GPKG")
    gpd.GeoDataFrame(
        {"编号": ["-HX"], "名称": [NAMES[0]], "类别": ["生态保护红线"]},
        geometry=[box(X, Y, X + 100, Y + 100)],
        crs=CRS,
    ).to_file(src, layer="redline", driver="GPKG")
    project = tmp_path / "park.gpkg"
    create_project(project, {"pipes": [f"{src}:pipes"], "zones": [f"{src}:redline"]})
    out = tmp_path / "overlap.xlsx"
    assert main(["overlap", str(project), "--xlsx", str(out)]) == 1
    capsys.readouterr()
    assert formulas(out) == 0
    wb = load_workbook(out)
    ws = wb["问题明细"]
    head = [c.value for c in ws[1]]
    row = dict(zip(head, next(ws.iter_rows(min_row=2, values_only=True)), strict=False))
    assert (row["要素编号"], row["保护区编号"], row["保护区名称"]) == ("=P1", "-HX", NAMES[0])
    assert row["位置关系"] in ("位于区内", "穿越边界") and row["严重程度"] == "冲突"
    share = ws.cell(row=2, column=head.index("重叠比例") + 1)
    assert share.number_format == "0.00%"
    assert ws.column_dimensions["F"].width >= 20  # 保护区名称 fitted to the long name
    for name in wb.sheetnames:
        # no internal codes in the tables meant for people
        text = " ".join(
            str(v) for r in wb[name].iter_rows(values_only=True) for v in r if v is not None
        )
        for code in ("redline", "conflict", "inside", "crosses", "warning"):
            assert code not in text.split(), (name, code)
