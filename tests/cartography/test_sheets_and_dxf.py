"""Sheets at a working scale with an index map (item 2), the DXF for the design institute and
the survey company's DXF read by CAD layer (item 3)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import ezdxf
import geopandas as gpd
import pytest
from shapely.geometry import LineString

from gisapp.cartography import sheets
from gisapp.cartography.export import export_project_map
from network.errors import InputFileError, SchemaError
from network.io.cad import cad_layers, parse_layer_mapping, read_cad
from network.io.project import open_project

REPO = Path(__file__).resolve().parents[2]
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils")


# --- sheets -------------------------------------------------------------------------------------
def test_sheet_grid_keeps_only_sheets_with_features_numbered_from_the_north_west():
    sw, sh = sheets.sheet_ground_size("A3", "landscape", 1000)
    # three 1 m pipes at the centres of cells (0, 0), (2, 0) and (0, 1) of a 3 × 2 grid
    # (x east, y north); the 4 % margin round the park moves them by less than half a cell
    centres = [(0.5 * sw, 0.5 * sh), (2.5 * sw, 0.5 * sh), (0.5 * sw, 1.5 * sh)]
    pipes = gpd.GeoDataFrame(
        {"pipe_id": ["a", "b", "c"]},
        geometry=[LineString([(x, y), (x + 1, y)]) for x, y in centres],
        crs="EPSG:4547",
    )
    grid = sheets.sheet_grid({"pipes": pipes}, "A3", "landscape", 1000)
    assert [(s.number, s.row, s.col) for s in grid] == [(1, 0, 0), (2, 1, 0), (3, 1, 2)]
    for s in grid:
        x0, y0, x1, y1 = s.extent
        assert (x1 - x0, y1 - y0) == pytest.approx((sw, sh))
    # sheet 1 is the north-west one and holds pipe c
    x0, y0, x1, y1 = grid[0].extent
    assert x0 < centres[2][0] < x1 and y0 < centres[2][1] < y1


def test_sheet_grid_refuses_a_set_of_more_than_400_sheets():
    pipes = gpd.GeoDataFrame(
        {"pipe_id": ["a"]}, geometry=[LineString([(0, 0), (60000, 40000)])], crs="EPSG:4547"
    )
    with pytest.raises(sheets.MapExportError, match="more than 400"):
        sheets.sheet_grid({"pipes": pipes}, "A4", "landscape", 500)


@needs_poppler
def test_map_cli_scale_writes_an_index_map_then_numbered_sheets(tmp_path, demo_project):
    out = tmp_path / "管网图.pdf"
    r = subprocess.run(
        [
            sys.executable,
            "main.py",
            "map",
            str(demo_project),
            "--scale",
            "1:2000",
            "--size",
            "A1",
            "--unit",
            "益阳市环境科学研究院",
            "--height-datum",
            "1985国家高程基准",
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    project = open_project(demo_project)
    n = len(sheets.sheet_grid(project.layers, "A1", "landscape", 2000))
    assert n >= 2
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+(\d+)", info).group(1) == str(n + 1)
    assert "2383.94 x 1683.78" in info  # A1 landscape
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(out), "-"], capture_output=True, text=True
    ).stdout
    assert "分幅索引图" in first
    second = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(out), "-"], capture_output=True, text=True
    ).stdout
    assert "幅，共" in second and f"1/{n}" in second  # 图号 of sheet 1 in the title block
    assert "1:2000（比例尺长" in second
    assert "益阳市环境科学研究院" in second and "1985国家高程基准" in second  # title block


def test_map_without_scale_stays_one_page(tmp_path, demo_project):
    out = export_project_map(open_project(demo_project), tmp_path / "m.pdf", dpi=40)
    assert out.read_bytes().count(b"/Type /Page\n") + out.read_bytes().count(b"/Type /Page ") <= 1


def test_map_cli_rejects_a_bad_scale(tmp_path, demo_project):
    r = subprocess.run(
        [
            sys.executable,
            "main.py",
            "map",
            str(demo_project),
            "--scale",
            "1:abc",
            "--out",
            str(tmp_path / "m.pdf"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "1:1000" in r.stderr


# --- DXF out ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dxf(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dxf")
    copy = tmp / "demo_park.gpkg"
    shutil.copyfile(REPO / "resources" / "demo" / "demo_park.gpkg", copy)
    project = open_project(copy)
    out = export_project_map(project, tmp / "管网图.dxf")
    return project, out


def test_dxf_audit_is_clean_and_has_a_layer_per_system_and_kind(dxf):
    _, out = dxf
    doc = ezdxf.readfile(out)
    auditor = doc.audit()
    assert not auditor.has_errors and not auditor.has_fixes
    names = {layer.dxf.name for layer in doc.layers}
    assert {
        "污水管线",
        "雨水管线",
        "工业废水管线",
        "检查井",
        "排放口",
        "企业",
        "污水处理厂",
        "园区范围",
        "文字",
        "流向",
    } <= names


def test_dxf_holds_every_pipe_on_its_system_layer_in_project_coordinates(dxf):
    project, out = dxf
    msp = ezdxf.readfile(out).modelspace()
    pipes = project.layers["pipes"]
    for system, layer in (("sewage", "污水管线"), ("rain", "雨水管线")):
        n = len(msp.query(f'LWPOLYLINE[layer=="{layer}"]'))
        assert n == (pipes["system"] == system).sum()
    # WS-0001 runs from (37626540, 3164800) to (37626540, 3164717) in EPSG:4525
    ends = {
        tuple(round(v) for v in p[:2])
        for e in msp.query('LWPOLYLINE[layer=="工业废水管线"]')
        for p in e.get_points()
    }
    assert {(37626540, 3164800), (37626540, 3164717)} <= ends


def test_dxf_texts_use_the_cjk_style_and_arrows_are_blocks(dxf):
    _project, out = dxf
    doc = ezdxf.readfile(out)
    msp = doc.modelspace()
    texts = msp.query('TEXT[layer=="文字"]')
    assert "益泉精细化工产业园污水处理厂" in {t.dxf.text for t in texts}
    assert {t.dxf.style for t in texts} == {"PA_CJK"}
    assert doc.styles.get("PA_CJK").dxf.font.lower().startswith("simsun")
    assert any(t.dxf.text == "DN800 钢筋混凝土" for t in msp.query('TEXT[layer=="管线标注"]'))
    arrows = msp.query('INSERT[name=="FLOW_ARROW"]')
    assert len(arrows) > 100
    assert {a.dxf.layer for a in arrows} == {"流向"}


# --- DXF in (survey company) --------------------------------------------------------------------
def _survey_dxf(
    path: Path, version: str = "R2013", codepage: str | None = None, encoding: str | None = None
) -> Path:
    doc = ezdxf.new(version)
    if codepage:
        doc.header["$DWGCODEPAGE"] = codepage
    for name in ("WS", "YS", "JCJ", "标注"):
        doc.layers.add(name)
    msp = doc.modelspace()
    msp.add_lwpolyline([(500000, 3300000), (500050, 3300000)], dxfattribs={"layer": "WS"})
    msp.add_line((500050, 3300000), (500050, 3300040), dxfattribs={"layer": "WS"})
    msp.add_lwpolyline([(500000, 3300010), (500050, 3300010)], dxfattribs={"layer": "YS"})
    msp.add_circle((500050, 3300000), 0.5, dxfattribs={"layer": "JCJ"})
    msp.add_point((500000, 3300000), dxfattribs={"layer": "JCJ"})
    msp.add_text("污水检查井", dxfattribs={"layer": "标注"}).set_placement((500001, 3300001))
    doc.saveas(path, encoding=encoding)
    return path


def test_read_cad_selects_lines_by_layer_and_maps_the_system(tmp_path):
    path = _survey_dxf(tmp_path / "管线.dxf")
    pipes = read_cad(path, {"ws": "污水", "YS ": "雨水"}, crs="EPSG:4545")
    assert sorted(pipes["类型"]) == ["污水", "污水", "雨水"]
    assert set(pipes["cad_layer"]) == {"WS", "YS"}
    assert pipes.crs.to_epsg() == 4545
    assert sorted(round(g.length) for g in pipes.geometry) == [40, 50, 50]


def test_read_cad_points_include_circles_by_their_centre(tmp_path):
    path = _survey_dxf(tmp_path / "管线.dxf")
    wells = read_cad(path, ["JCJ"], geometry="point")
    assert sorted((round(g.x), round(g.y)) for g in wells.geometry) == [
        (500000, 3300000),
        (500050, 3300000),
    ]


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [("gbk", True), ("gbk", False), (None, False)],  # GBK bytes under ANSI_936 / ANSI_1252;
)  # \\U+6807 escapes
def test_read_cad_reads_an_r2000_drawing_in_chinese(tmp_path, encoding, declared):
    path = _survey_dxf(tmp_path / "old.dxf", "R2000", encoding=encoding)
    if declared:
        path.write_bytes(path.read_bytes().replace(b"ANSI_1252", b"ANSI_936"))
    if encoding == "gbk":
        assert "标注".encode("gbk") in path.read_bytes()
    assert "标注" in cad_layers(path)
    text = read_cad(path, ["标注"], geometry="point")
    assert list(text["text"]) == ["污水检查井"]


def test_read_cad_names_the_missing_layer_and_lists_the_others(tmp_path):
    path = _survey_dxf(tmp_path / "管线.dxf")
    with pytest.raises(InputFileError, match=r"no CAD layer 'wsg'.*WS, YS") as info:
        read_cad(path, {"WSG": "污水"})
    assert info.value.file == str(path)
    with pytest.raises(SchemaError, match="holds no lines"):
        read_cad(path, ["JCJ"])


def test_parse_layer_mapping_reads_the_cli_form():
    assert parse_layer_mapping("WS=污水，YS=雨水,JCJ") == {
        "WS": "污水",
        "YS": "雨水",
        "JCJ": "JCJ",
    }


def test_load_cad_layer_gives_the_reader_a_frame_and_its_encoding(tmp_path):
    from network.io.cad import is_cad_spec, load_cad_layer

    path = _survey_dxf(tmp_path / "管线.dxf")
    spec = f"{path}:WS=污水,YS=雨水"
    assert is_cad_spec(spec) and is_cad_spec(path) and not is_cad_spec(tmp_path / "a.gpkg")
    gdf, engine, enc = load_cad_layer(spec, "pipes")
    assert sorted(gdf["类型"]) == ["污水", "污水", "雨水"]
    assert gdf.crs is None  # the reader declares the CRS the user names
    assert engine == "pyogrio (DXF)" and enc.codec == "utf-8"
    wells, _, _ = load_cad_layer(f"{path}:JCJ", "manholes")
    assert len(wells) == 2


def test_read_cad_closed_polylines_are_polygons(tmp_path):
    doc = ezdxf.new("R2013")
    doc.layers.add("园区范围")
    doc.modelspace().add_lwpolyline(
        [(0, 0), (100, 0), (100, 50), (0, 50)], close=True, dxfattribs={"layer": "园区范围"}
    )
    doc.saveas(tmp_path / "b.dxf")
    (poly,) = read_cad(tmp_path / "b.dxf", ["园区范围"], geometry="polygon").geometry
    assert poly.geom_type == "Polygon" and poly.area == pytest.approx(5000.0)


def test_new_reads_a_survey_dxf_by_cad_layer(tmp_path):
    """``new --pipes 管线.dxf:WS=污水,YS=雨水 --manholes 管线.dxf:JCJ``: a project from CAD."""
    from gisapp.cli import main as cli_main
    from network.io.project import open_project

    path = _survey_dxf(tmp_path / "管线.dxf")
    project = tmp_path / "park.gpkg"
    code = cli_main(
        [
            "new",
            str(project),
            "--pipes",
            f"{path}:WS=污水,YS=雨水",
            "--manholes",
            f"{path}:JCJ",
            "--source-crs",
            "EPSG:4545",
            "--quiet",
        ]
    )
    assert code == 0
    opened = open_project(project)
    pipes = opened.layers["pipes"]
    assert sorted(pipes["system"]) == ["rain", "sewage", "sewage"]
    assert sorted(round(v) for v in pipes.geometry.length) == [40, 50, 50]
    assert len(opened.layers["manholes"]) == 2
    assert opened.crs.to_epsg() == 4545
