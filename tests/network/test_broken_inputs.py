"""Broken source files are refused by ``new`` with exit 2 and one line naming the file.

Every input is a real file in ``tmp_path``: a small real shapefile (Johnson VT storm lines,
the demo park's sewage pipes) copied and then damaged byte by byte, or rewritten with
pyogrio. ``gisapp.cli.main`` runs in-process; no reader is mocked.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import CRS

from gisapp.cli import main
from network.io.project import create_project

REPO = Path(__file__).resolve().parents[2]
JOHNSON = REPO.parent / "shared" / "data" / "johnson_vt" / "storm_lines.shp"
NORFOLK = REPO.parent / "shared" / "data" / "norfolk_brambleton" / "brambleton_conduits_gis.shp"
DEMO_PIPES = REPO / "resources" / "demo" / "src" / "pipes_sewage.shp"

pytestmark = pytest.mark.skipif(not JOHNSON.exists(), reason="../shared/data is not present")


def copy_shapefile(src: Path, folder: Path, name: str) -> Path:
    """Copy every part of a shapefile under a new name; return the new .shp."""
    for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        part = src.with_suffix(ext)
        if part.exists():
            shutil.copyfile(part, folder / f"{name}{ext}")
    return folder / f"{name}.shp"


def _records(shp: Path) -> list[tuple[int, int]]:
    """(offset, content length in bytes) of each record, from the .shx."""
    shx = shp.with_suffix(".shx").read_bytes()
    out = []
    for k in range(100, len(shx), 8):
        off, length = struct.unpack(">ii", shx[k : k + 8])
        out.append((off * 2, length * 2))
    return out


def _first_point_offset(shp_bytes: bytes, off: int) -> int:
    """Byte offset of the first x of a PolyLine record starting at ``off``."""
    nparts = struct.unpack("<i", shp_bytes[off + 8 + 36 : off + 8 + 40])[0]
    return off + 8 + 44 + 4 * nparts


# --- the broken inputs ---------------------------------------------------------------------------
def half_dbf(tmp: Path) -> tuple[list[str], str]:
    shp = copy_shapefile(JOHNSON, tmp, "halfdbf")
    dbf = shp.with_suffix(".dbf")
    data = dbf.read_bytes()
    dbf.write_bytes(data[: len(data) // 2])
    return ["--pipes", str(shp)], "halfdbf.dbf"


def shx_of_another_copy(tmp: Path) -> tuple[list[str], str]:
    """The .dbf lost its last records but still says so in its header: .shx and .dbf differ."""
    shp = copy_shapefile(JOHNSON, tmp, "fewer")
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    n = struct.unpack("<I", data[4:8])[0]
    header_len, record_len = struct.unpack("<HH", data[8:12])
    data[4:8] = struct.pack("<I", n - 5)
    dbf.write_bytes(bytes(data[: header_len + (n - 5) * record_len]) + b"\x1a")
    return ["--pipes", str(shp)], "fewer"


def wgs84_prj_on_gauss_kruger(tmp: Path) -> tuple[list[str], str]:
    shp = copy_shapefile(DEMO_PIPES, tmp, "wgsprj")
    shp.with_suffix(".prj").write_text(CRS.from_epsg(4326).to_wkt("WKT1_ESRI"))
    return ["--pipes", str(shp)], "wgsprj.shp"


def _scaled(tmp: Path, src: Path, name: str, factor: float) -> Path:
    g = pyogrio.read_dataframe(src)
    g = g.set_geometry(g.geometry.scale(factor, factor, origin=(0, 0)))
    pyogrio.write_dataframe(g, tmp / f"{name}.shp")
    return tmp / f"{name}.shp"


def all_times_1e7(tmp: Path) -> tuple[list[str], str]:
    return ["--pipes", str(_scaled(tmp, JOHNSON, "x1e7", 1e7))], "x1e7.shp"


def feet_times_1e7(tmp: Path) -> tuple[list[str], str]:
    return ["--pipes", str(_scaled(tmp, NORFOLK, "ft1e7", 1e7))], "ft1e7.shp"


def one_feature_at_1e15(tmp: Path) -> tuple[list[str], str]:
    g = pyogrio.read_dataframe(JOHNSON)
    geoms = g.geometry.to_numpy().copy()
    c = shapely.get_coordinates(geoms[3])
    c[:, 0] = -1e15
    geoms[3] = shapely.set_coordinates(geoms[3], c)
    g = g.set_geometry(geoms)
    pyogrio.write_dataframe(g, tmp / "huge.shp")
    return ["--pipes", str(tmp / "huge.shp")], "huge.shp"


def all_geometries_empty(tmp: Path) -> tuple[list[str], str]:
    g = pyogrio.read_dataframe(JOHNSON)
    g["geometry"] = None
    pyogrio.write_dataframe(g, tmp / "empty.shp", geometry_type="LineString")
    return ["--pipes", str(tmp / "empty.shp")], "empty.shp"


def garbage_records(tmp: Path) -> tuple[list[str], str]:
    shp = copy_shapefile(JOHNSON, tmp, "garbage")
    data = bytearray(shp.read_bytes())
    rng = np.random.default_rng(7)
    data[100:] = rng.integers(0, 256, len(data) - 100, dtype=np.uint8).tobytes()
    shp.write_bytes(bytes(data))
    return ["--pipes", str(shp)], "garbage.shp"


def two_line_layers_none_named(tmp: Path) -> tuple[list[str], str]:
    g = pyogrio.read_dataframe(JOHNSON)
    pyogrio.write_dataframe(g, tmp / "two.gpkg", layer="storm_a")
    pyogrio.write_dataframe(g, tmp / "two.gpkg", layer="storm_b")
    return ["--pipes", str(tmp / "two.gpkg")], "two.gpkg"


def wrong_layer_name(tmp: Path) -> tuple[list[str], str]:
    g = pyogrio.read_dataframe(JOHNSON)
    pyogrio.write_dataframe(g, tmp / "one.gpkg", layer="storm_a")
    return ["--pipes", f"{tmp / 'one.gpkg'}:stormlines"], "one.gpkg"


def no_prj(tmp: Path) -> tuple[list[str], str]:
    shp = copy_shapefile(DEMO_PIPES, tmp, "noprj")
    shp.with_suffix(".prj").unlink()
    return ["--pipes", str(shp)], "noprj.shp"


def utf8_given_for_gbk_field_names(tmp: Path) -> tuple[list[str], str]:
    shp = copy_shapefile(DEMO_PIPES, tmp, "gbknames")  # 编号, 起点编号 … in GBK, no .cpg
    return ["--pipes", str(shp), "--encoding", "utf-8"], "gbknames.shp"


def utf8_given_for_gbk_values(tmp: Path) -> tuple[list[str], str]:
    shp = tmp / "gbkvalues.shp"
    frame = pyogrio.read_dataframe(DEMO_PIPES)
    plain = frame[["geometry"]].assign(GXBH=[f"P{i}" for i in range(len(frame))], CZ="混凝土")
    pyogrio.write_dataframe(plain, shp, encoding="GBK")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    return ["--pipes", str(shp), "--encoding", "utf-8"], "gbkvalues.shp"


def table_without_geometry(tmp: Path) -> tuple[list[str], str]:
    csv = tmp / "pipes_table.csv"
    csv.write_text("pipe_id,from_node,to_node\nP1,M1,M2\n", encoding="utf-8")
    return ["--pipes", str(csv)], "pipes_table.csv"


def local_cs_prj(tmp: Path) -> tuple[list[str], str]:
    shp = copy_shapefile(DEMO_PIPES, tmp, "localcs")  # as CAD exports write it
    shp.with_suffix(".prj").write_text('LOCAL_CS["Unknown",UNIT["metre",1]]')
    return ["--pipes", str(shp)], "localcs.shp"


def same_file_twice(tmp: Path) -> tuple[list[str], str]:
    shp = copy_shapefile(DEMO_PIPES, tmp, "twice")  # each feature would come in twice
    return ["--pipes", str(shp), str(tmp / "." / "twice.shp")], "twice.shp"


CASES: dict[str, Callable[[Path], tuple[list[str], str]]] = {
    f.__name__: f
    for f in (
        half_dbf,
        shx_of_another_copy,
        wgs84_prj_on_gauss_kruger,
        all_times_1e7,
        feet_times_1e7,
        one_feature_at_1e15,
        all_geometries_empty,
        garbage_records,
        two_line_layers_none_named,
        wrong_layer_name,
        no_prj,
        utf8_given_for_gbk_field_names,
        utf8_given_for_gbk_values,
        table_without_geometry,
        local_cs_prj,
        same_file_twice,
    )
}


def run_new(tmp: Path, args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["new", str(tmp / "out" / "p.gpkg"), *args, "-q"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "out").mkdir()
    return tmp_path


@pytest.mark.parametrize("case", list(CASES))
def test_broken_input_is_refused_with_one_line(case, work, capsys):
    args, names = CASES[case](work)
    code, _out, err = run_new(work, args, capsys)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert "Traceback" not in err
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and names in lines[0], lines[0]
    assert list((work / "out").iterdir()) == []  # no project, no temp file


def test_truncated_dbf_names_the_counts(work, capsys):
    args, _ = half_dbf(work)
    _code, _out, err = run_new(work, args, capsys)
    assert "halfdbf.dbf is truncated: its header says 35 records" in err


def test_wrong_prj_is_refused_with_the_zone_hint(work, capsys):
    args, _ = wgs84_prj_on_gauss_kruger(work)
    _code, _out, err = run_new(work, args, capsys)
    assert "coordinates impossible in EPSG:4326" in err
    assert "--source-crs EPSG:4525" in err and "feature 0" in err


def test_missing_prj_hint_names_the_flag_that_works(work, capsys):
    args, _ = no_prj(work)
    _code, _out, err = run_new(work, args, capsys)
    assert "e.g. --source-crs EPSG:4525" in err and "--crs EPSG" not in err
    # the suggested flag works
    code = main(["new", str(work / "out" / "p.gpkg"), *args, "--source-crs", "EPSG:4525", "-q"])
    assert code == 0, capsys.readouterr().err


def test_missing_prj_error_carries_chinese_and_structured_hint(work):
    from network.errors import CRSError

    args, _ = no_prj(work)
    with pytest.raises(CRSError) as info:
        create_project(work / "out" / "p.gpkg", {"pipes": [args[1]]})
    err = info.value
    assert err.hint["epsg"] == [4525] and err.hint["flag"] == "--source-crs EPSG:4525"
    assert "没有坐标系" in err.message_zh and "第 37 带" in err.message_zh


def test_two_layers_are_listed_and_one_can_be_named(work, capsys):
    args, _ = two_line_layers_none_named(work)
    _code, _out, err = run_new(work, args, capsys)
    assert "storm_a" in err and "storm_b" in err and "two.gpkg:LAYER" in err
    code = main(["new", str(work / "out" / "p.gpkg"), "--pipes", f"{args[1]}:storm_b", "-q"])
    assert code == 0, capsys.readouterr().err


def test_wrong_layer_name_lists_the_layers(work, capsys):
    args, _ = wrong_layer_name(work)
    _code, _out, err = run_new(work, args, capsys)
    assert "has no layer 'stormlines'; its layers are storm_a" in err
    assert "incomplete" not in err


def test_nan_coordinates_are_dropped_and_named(work, capsys):
    shp = copy_shapefile(JOHNSON, work, "nan")
    data = bytearray(shp.read_bytes())
    for k, value in ((1, float("nan")), (5, float("nan")), (9, float("inf"))):
        off, _length = _records(shp)[k]
        first = _first_point_offset(data, off)
        data[first : first + 8] = struct.pack("<d", value)
    shp.write_bytes(bytes(data))
    project = create_project(work / "out" / "p.gpkg", {"pipes": [shp]})
    notes = [i for i in project.issues if i.kind == "nonfinite_coordinates"]
    assert sorted(i.data["src_fid"] for i in notes) == [1, 5, 9]
    assert all("nan.shp: feature" in i.message_en for i in notes)
    pipes = project.layers["pipes"]
    assert len(pipes) == 35  # the features stay, without geometry
    coords = shapely.get_coordinates(pipes.geometry.to_numpy())
    assert np.isfinite(coords).all()
    assert pipes.geometry.isna().sum() + pipes.geometry.is_empty.sum() == 3


def _polyline_m(src: Path, dst: Path) -> Path:
    """Rewrite a PolyLine shapefile as PolyLineM (type 23), M = 1.5 everywhere."""
    data = src.read_bytes()
    records = []
    for off, length in _records(src):
        content = data[off + 8 : off + 8 + length]
        _nparts, npoints = struct.unpack("<ii", content[36:44])
        m = struct.pack("<dd", 1.5, 1.5) + struct.pack(f"<{npoints}d", *([1.5] * npoints))
        records.append(struct.pack("<i", 23) + content[4:] + m)
    body, index, pos = b"", b"", 50
    for n, rec in enumerate(records, start=1):
        body += struct.pack(">ii", n, len(rec) // 2) + rec
        index += struct.pack(">ii", pos, len(rec) // 2)
        pos += 4 + len(rec) // 2
    head = bytearray(data[:100])
    head[32:36] = struct.pack("<i", 23)
    shp_head, shx_head = bytearray(head), bytearray(head)
    shp_head[24:28] = struct.pack(">i", (100 + len(body)) // 2)
    shx_head[24:28] = struct.pack(">i", (100 + len(index)) // 2)
    dst.write_bytes(bytes(shp_head) + body)
    dst.with_suffix(".shx").write_bytes(bytes(shx_head) + index)
    for ext in (".dbf", ".prj", ".cpg"):
        shutil.copyfile(src.with_suffix(ext), dst.with_suffix(ext))
    return dst


def test_m_values_are_dropped_with_a_note(work):
    shp = _polyline_m(JOHNSON, work / "mline.shp")
    assert struct.unpack("<i", shp.read_bytes()[32:36])[0] == 23  # PolyLineM
    project = create_project(work / "out" / "p.gpkg", {"pipes": [shp]})
    pipes = project.layers["pipes"]
    assert len(pipes) == 35
    g = pipes.geometry.to_numpy()
    assert not shapely.has_m(g).any() and not shapely.has_z(g).any()
    note = next(i for i in project.issues if i.kind == "z_dropped")
    assert note.data["count"] == 35 and "mline.shp" in note.message_en


def test_a_local_crs_takes_the_crs_given_for_the_coordinates(work, capsys):
    args, _ = local_cs_prj(work)
    real = CRS(pyogrio.read_info(DEMO_PIPES)["crs"]).to_string()  # the zone it lies in
    code, out, err = run_new(work, [*args, "--source-crs", real], capsys)
    assert code == 0, err
    assert "created" in out


def test_a_pipe_file_without_features_makes_a_project_in_its_declared_crs(work, capsys):
    empty = work / "empty_pipes.shp"
    frame = pyogrio.read_dataframe(DEMO_PIPES, encoding="GBK")
    pyogrio.write_dataframe(frame.iloc[:0], empty, encoding="GBK")
    code, out, err = run_new(work, ["--pipes", str(empty)], capsys)
    assert code == 0, err
    assert "pipes 0" in out
    assert CRS(pyogrio.read_info(work / "out" / "p.gpkg", layer="pipes")["crs"]) == frame.crs


def test_list_and_object_properties_of_geojson_are_kept_as_their_json_text(work, capsys):
    frame = pyogrio.read_dataframe(DEMO_PIPES).iloc[:3]
    src = work / "pipes.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"编号": f"P{i}", "备注": ["东段", "检修"], "属性": {"年": 2019}},
            "geometry": shapely.geometry.mapping(g),
        }
        for i, g in enumerate(frame.to_crs(4490).geometry)
    ]
    import json

    src.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    code, _out, err = run_new(work, ["--pipes", str(src)], capsys)
    assert code == 0, err
    kept = pyogrio.read_dataframe(work / "out" / "p.gpkg", layer="pipes")
    assert json.loads(kept["备注"].iloc[0]) == ["东段", "检修"]
    assert json.loads(kept["属性"].iloc[0]) == {"年": 2019}


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "1e308", "abc"])
def test_a_snap_tolerance_beyond_reason_is_refused(value, work, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["new", str(work / "out" / "p.gpkg"), "--pipes", str(DEMO_PIPES),
              f"--snap-tolerance={value}"])  # fmt: skip
    assert exit_.value.code == 2
    assert "--snap-tolerance" in capsys.readouterr().err
    assert list((work / "out").iterdir()) == []


def test_a_project_made_in_code_refuses_the_same_snap_tolerances(work):
    from network.errors import SchemaError

    with pytest.raises(SchemaError, match="0 to 100 m"):
        create_project(
            work / "out" / "p.gpkg",
            {"pipes": [DEMO_PIPES]},
            settings={"snap_tolerance_m": float("inf")},
        )
    assert list((work / "out").iterdir()) == []
