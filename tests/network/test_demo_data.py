"""The demo park: reproducible, readable, and faulty exactly where the answer key says."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import re
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point

from network import schema

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo"
SRC = DEMO / "src"
KEY = json.loads((DEMO / "answer_key.json").read_text(encoding="utf-8"))
FAULTS = KEY["faults"]

# layer -> (encoding to read with, language-driver byte, has .cpg, layer kind)
LAYERS = {
    "park_boundary": ("GBK", 0x4D, False, schema.BOUNDARY),
    "enterprises": ("GBK", 0x4D, False, schema.ENTERPRISES),
    "pipes_sewage": ("GBK", 0x00, False, schema.PIPES),
    "pipes_rain": ("GBK", 0x4D, False, schema.PIPES),
    "manholes": ("GBK", 0x00, False, schema.MANHOLES),
    "plants": ("UTF-8", 0x00, True, schema.PLANTS),
    "outfalls": ("GBK", 0x4D, False, schema.OUTFALLS),
    "redline": ("GBK", 0x00, False, schema.ZONES),
    "water_source": ("GBK", 0x4D, False, schema.ZONES),
    "nature_reserve": ("GBK", 0x00, False, schema.ZONES),
}
ZONE_LAYERS = ("redline", "water_source", "nature_reserve")
ID_FIELD = {"enterprises": "企业编号", "park_boundary": "名称"}
ID_RE = re.compile(r"^(WS|YS|WJ|YJ)-\d{4}$")


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_demo_under_test", DEMO / "make_demo.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while executing it
    spec.loader.exec_module(mod)
    return mod


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def data():
    out = {}
    for name, (enc, *_rest) in LAYERS.items():
        out[name] = pyogrio.read_dataframe(SRC / f"{name}.shp", encoding=enc)
    out["pipes"] = pd.concat([out["pipes_sewage"], out["pipes_rain"]], ignore_index=True)
    return out


def _faults(kind: str) -> list[dict]:
    return [f for f in FAULTS if f["kind"] == kind]


def _planted_ids() -> set[str]:
    found: set[str] = set()

    def walk(v):
        if isinstance(v, str) and ID_RE.match(v):
            found.add(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(FAULTS)
    return found


def _ends(geom) -> tuple[Point, Point]:
    lines = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
    return Point(lines[0].coords[0]), Point(lines[-1].coords[-1])


def _graph(data) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_nodes_from(data["manholes"]["编号"])
    for pid, u, v in zip(
        data["pipes"]["编号"], data["pipes"]["起点编号"], data["pipes"]["终点编号"], strict=False
    ):
        g.add_edge(
            u if isinstance(u, str) else f"free:{pid}:start",
            v if isinstance(v, str) else f"free:{pid}:end",
            key=pid,
        )
    return g


def _plant_and_outfall_nodes(data) -> tuple[set[str], dict[str, str]]:
    plants = set(data["plants"]["接入井"])
    outfalls = {
        n: c
        for n, c in zip(data["outfalls"]["接入井"], data["outfalls"]["类别"], strict=False)
        if isinstance(n, str)
    }
    return plants, outfalls


# --------------------------------------------------------------------------------------------
def test_regenerating_gives_identical_bytes(tmp_path):
    gen = _load_generator()
    gen.generate(tmp_path / "src", tmp_path / "answer_key.json")
    committed = sorted(p.name for p in SRC.iterdir())
    fresh = sorted(p.name for p in (tmp_path / "src").iterdir())
    assert fresh == committed
    for name in committed:
        assert _sha(tmp_path / "src" / name) == _sha(SRC / name), name
    assert _sha(tmp_path / "answer_key.json") == _sha(DEMO / "answer_key.json")


def test_layers_read_with_counts_crs_and_prefixed_eastings(data):
    for name in LAYERS:
        gdf = data[name]
        assert len(gdf) == KEY["counts"][name], name
        assert gdf.crs.to_epsg() == 4525, name
        assert (SRC / f"{name}.prj").is_file()
        xmin, ymin, xmax, ymax = gdf.total_bounds
        assert str(int(xmin)).startswith("37") and len(str(int(xmax))) == 8, name
        assert 3_100_000 < ymin < ymax < 3_200_000, name
    assert 1300 <= len(data["pipes"]) <= 1700
    assert 1300 <= len(data["manholes"]) <= 1600
    assert 35 <= len(data["enterprises"]) <= 45
    assert len(data["plants"]) == 2
    assert 8 <= len(data["outfalls"]) <= 10
    park_area = data["park_boundary"].geometry.iloc[0].area / 1e6
    assert 2.8 < park_area < 3.6
    assert data["park_boundary"]["面积"].iloc[0] == pytest.approx(park_area, abs=0.001)


def test_encodings_and_sidecar_files(data):
    for name, (_enc, ldid, has_cpg, _kind) in LAYERS.items():
        head = (SRC / f"{name}.dbf").read_bytes()[:32]
        assert head[29] == ldid, name
        assert head[1:4] == bytes([124, 6, 30]), name  # fixed header date
        cpg = SRC / f"{name}.cpg"
        assert cpg.exists() == has_cpg, name
        if has_cpg:
            assert cpg.read_bytes() == b"UTF-8"
    # the sewage pipes carry no hint: read blindly they are not Chinese
    blind = pyogrio.read_dataframe(SRC / "pipes_sewage.shp", max_features=1)
    assert "编号" not in blind.columns
    assert "类型" in data["pipes_sewage"].columns
    assert set(data["pipes_sewage"]["类型"]) == {"污水", "工业废水专管"}
    assert set(data["plants"]["类型"]) == {"自建", "共用"}


def _norm(s: str) -> str:
    return s.replace(" ", "").replace("_", "").casefold()


def _is_10_byte_cut(field: str, alias: str, enc: str) -> bool:
    """``field`` is ``alias`` cut to at most 10 bytes at a character boundary."""
    if not alias.startswith(field) or len(alias) == len(field):
        return False
    return len(field.encode(enc)) <= 10 < len((field + alias[len(field)]).encode(enc))


def test_field_names_are_schema_aliases_or_their_10_byte_cuts():
    for name, (enc, _ldid, _cpg, kind) in LAYERS.items():
        fields = pyogrio.read_info(SRC / f"{name}.shp", encoding=enc)["fields"]
        aliases = [a for _t, names in schema.ROLE_ALIASES[kind].values() for a in names]
        for f in fields:
            full = [a for a in aliases if _norm(a) == _norm(f)]
            cut = [a for a in aliases if _is_10_byte_cut(f, a, enc)]
            assert full or cut, (name, f)


def test_answer_key_feature_ids_exist(data):
    ids = {
        "pipes": set(data["pipes"]["编号"]),
        "outfalls": set(data["outfalls"]["编号"]),
        "enterprises": set(data["enterprises"]["企业编号"]),
    }
    manholes = set(data["manholes"]["编号"])
    assert len(FAULTS) >= 18
    assert len({f["id"] for f in FAULTS}) == len(FAULTS)
    for f in FAULTS:
        assert f["feature_ids"], f["id"]
        for fid in f["feature_ids"]:
            assert fid in ids[f["layer"]], (f["id"], fid)
        assert f["description_zh"] and f["description_en"]
    for fid in _planted_ids():
        assert fid in ids["pipes"] or fid in manholes, fid
    assert set(KEY["attach_by_nearest_pipe"]) <= ids["enterprises"]


def test_zones_intersect_only_what_the_key_lists(data):
    found = []
    for zname in ZONE_LAYERS:
        for zid, zg in zip(data[zname]["编号"], data[zname].geometry, strict=False):
            for lname in (
                "pipes_sewage",
                "pipes_rain",
                "manholes",
                "outfalls",
                "enterprises",
                "plants",
                "park_boundary",
            ):
                lay = data[lname]
                col = ID_FIELD.get(lname, "编号")
                for fid in lay[lay.intersects(zg)][col]:
                    found.append({"zone_id": zid, "layer": lname, "feature_id": fid})
    key = sorted(KEY["zone_intersections"], key=json.dumps)
    assert sorted(found, key=json.dumps) == key
    # level-2 water-source zone is a ring around level 1
    w = data["water_source"].set_index("分区").geometry
    assert len(w["二级保护区"].interiors) == 1
    assert w["二级保护区"].intersection(w["一级保护区"]).area == pytest.approx(0, abs=1e-6)
    red = data["redline"].geometry.iloc[0]
    (f,) = _faults("pipe_crosses_redline")
    pipe = data["pipes"].set_index("编号").geometry[f["expected"]["pipe_id"]]
    assert pipe.intersection(red).length == pytest.approx(
        f["expected"]["overlap_length_m"], abs=0.01
    )
    bnd = data["park_boundary"].geometry.iloc[0]
    assert bnd.intersection(red).area == pytest.approx(
        f["expected"]["boundary_overlap_area_m2"], abs=0.1
    )


def test_clean_parts_are_clean(data):
    planted = _planted_ids()
    pipes, mh = data["pipes"], data["manholes"]
    loc = {n: (p.x, p.y) for n, p in zip(mh["编号"], mh.geometry, strict=False)}
    g = _graph(data)
    plants, outfalls = _plant_and_outfall_nodes(data)
    n_rev = 0
    for row in pipes.itertuples(index=False):
        pid, u, v = row.编号, row.起点编号, row.终点编号
        if pid in planted:
            continue
        # ends coincide exactly with the named manholes (either digitising direction)
        a, b = _ends(row.geometry)
        ends = ((a.x, a.y), (b.x, b.y))
        assert ends in ((loc[u], loc[v]), (loc[v], loc[u])), pid
        n_rev += ends == (loc[v], loc[u])
        # the flow ends at a plant (sewage) or an outfall of the right class
        sinks = {n for n in nx.descendants(g, v) | {v} if g.out_degree(n) == 0}
        if pid.startswith("WS"):
            assert sinks <= plants | {n for n, c in outfalls.items() if c == "污水处理厂排污口"}
        else:
            assert sinks and all(outfalls.get(n) == "雨水排口" for n in sinks), pid
    assert 0.06 < n_rev / len(pipes) < 0.14
    # inverts fall along the flow everywhere except the planted uphill and zero-length pipes
    uphill = {f["expected"]["pipe_id"] for f in _faults("invert_against_flow")}
    (zero,) = _faults("zero_length_pipe")
    rise = pipes["终点管底高"] - pipes["起点管底高"]
    assert set(pipes["编号"][rise > 0]) == uphill
    assert set(pipes["编号"][rise == 0]) == {zero["expected"]["pipe_id"]}
    # diameters never shrink downstream except at the planted node
    dn = dict(zip(pipes["编号"], pipes["管径"], strict=False))
    (lis,) = _faults("large_into_small")
    for n in g.nodes:
        ins = [dn[k] for _u, _v, k in g.in_edges(n, keys=True)]
        outs = [dn[k] for _u, _v, k in g.out_edges(n, keys=True)]
        if ins and outs and n != lis["expected"]["node_id"]:
            assert max(ins) <= min(outs), n
    # no near misses: every pipe end is on a manhole or > 0.5 m from all of them
    tree = shapely.STRtree(mh.geometry.values)
    (nm,) = _faults("near_miss_end")
    for pid, geom in zip(pipes["编号"], pipes.geometry, strict=False):
        for e in _ends(geom):
            d = (
                min(e.distance(mh.geometry.iloc[i]) for i in tree.query(e, "dwithin", 1.0))
                if len(tree.query(e, "dwithin", 1.0))
                else math.inf
            )
            if pid == nm["expected"]["pipe_id"] and 0 < d < 1:
                assert 0.05 < d < 0.06
            else:
                assert d == 0 or d > 0.5, (pid, d)


def test_enterprises_and_codes(data):
    ent = data["enterprises"]
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for code, permit in zip(ent["统一社会信"], ent["排污许可证"], strict=False):
        assert len(code) == 18 and code.startswith("91")
        total = sum(chars.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
        assert chars[(31 - total % 31) % 31] == code[17]
        assert re.fullmatch(code + r"\d{3}[A-Z]", permit)
    assert ent["企业名称"].is_unique
    sewer = data["pipes_sewage"]
    empty = set(ent[ent["接入井"].isna()]["企业编号"])
    (far,) = [
        f for f in _faults("enterprise_unconnected") if f["expected"]["connect_node"] is None
    ]
    assert empty == set(KEY["attach_by_nearest_pipe"]) | {far["expected"]["ent_id"]}
    for eid in KEY["attach_by_nearest_pipe"]:
        p = ent.set_index("企业编号").geometry[eid]
        d = data["pipes"].distance(p)
        assert d.min() < 30
        assert data["pipes"]["编号"][d.idxmin()] in set(sewer["编号"])


@pytest.mark.parametrize("fault", FAULTS, ids=[f"{f['id']}-{f['kind']}" for f in FAULTS])
def test_planted_fault_is_where_the_key_says(data, fault):
    pipes = data["pipes"].set_index("编号")
    mh = data["manholes"].set_index("编号")
    ent = data["enterprises"].set_index("企业编号")
    outf = data["outfalls"].set_index("编号")
    g = _graph(data)
    plants, outfalls = _plant_and_outfall_nodes(data)
    kind, e = fault["kind"], fault["expected"]
    if kind.startswith("misconnection"):
        p = pipes.loc[e["pipe_id"]]
        src, dst = e["direction"].split("->")
        label = {"rain": "雨水", "sewage": "污水"}
        assert p["类型"] == label[src]
        assert mh.loc[p["终点编号"], "类型"] == label[dst] + "井"
        assert mh.loc[p["起点编号"], "类型"] == label[src] + "井"
    elif kind == "enterprise_unconnected":
        row = ent.loc[e["ent_id"]]
        if e["connect_node"] is None:
            assert not isinstance(row["接入井"], str)
            assert data["pipes"].distance(row.geometry).min() > 200
        elif e["reason"] == "connect_node_drains_to_dead_end":
            sinks = {n for n in nx.descendants(g, row["接入井"]) if g.out_degree(n) == 0}
            assert sinks == {e["sink_node"]} and not sinks & (plants | set(outfalls))
        else:
            assert mh.loc[row["接入井"], "类型"] == "雨水井"
    elif kind == "dangling_pipe":
        p = pipes.loc[e["pipe_id"]]
        assert not isinstance(p["起点编号"], str) and not isinstance(p["终点编号"], str)
        others = data["pipes"][data["pipes"]["编号"] != e["pipe_id"]]
        for end in _ends(p.geometry):
            assert data["manholes"].distance(end).min() > 10
            assert others.distance(end).min() > 10
    elif kind == "invert_against_flow":
        p = pipes.loc[e["pipe_id"]]
        assert p["终点管底高"] > p["起点管底高"]
        start, _ = _ends(p.geometry)
        at_from = start.equals(mh.geometry[p["起点编号"]])
        assert at_from != e["digitised_reversed"]
    elif kind == "pipe_crosses_redline":
        assert e["overlap_length_m"] > 30
    elif kind == "outfall_in_water_source":
        z = data["water_source"].set_index("编号").geometry[e["zone_id"]]
        assert z.contains(outf.geometry[e["outfall_id"]])
    elif kind == "outfall_shared_by_three":
        node = outf.loc[e["outfall_id"], "接入井"]
        assert node == e["node_id"] and outf.loc[e["outfall_id"], "类别"] == "工业排污口"
        up = nx.ancestors(g, node) | {node}
        ents = sorted(ent.index[ent["接入井"].isin(up)])
        assert ents == e["enterprise_ids"] and len(ents) == 3
    elif kind == "large_into_small":
        assert pipes.loc[e["upstream_pipe"], "管径"] == 600 == e["upstream_dn"]
        assert pipes.loc[e["downstream_pipe"], "管径"] == 300 == e["downstream_dn"]
        assert pipes.loc[e["upstream_pipe"], "终点编号"] == e["node_id"]
        assert pipes.loc[e["downstream_pipe"], "起点编号"] == e["node_id"]
    elif kind == "near_miss_end":
        p = pipes.loc[e["pipe_id"]]
        a, b = _ends(p.geometry)
        end = b if e["digitised_end"] == "last" else a
        gap = end.distance(mh.geometry[e["node_id"]])
        assert 0.05 < gap < 0.06 and gap == pytest.approx(e["gap_m"], abs=1e-4)
    elif kind == "side_connection":
        b = pipes.loc[e["branch_pipe"]]
        host = pipes.loc[e["host_pipe"]].geometry
        _, end = _ends(b.geometry)
        assert host.distance(end) == 0
        assert min(end.distance(q) for q in _ends(host)) > 5
        assert data["manholes"].distance(end).min() > 5
    elif kind == "duplicate_pipe":
        a, b = pipes.loc[e["pipe_id"]], pipes.loc[e["duplicate_of"]]
        assert a.geometry.equals_exact(b.geometry, 0)
        assert (a["起点编号"], a["终点编号"]) == (b["起点编号"], b["终点编号"])
    elif kind == "zero_length_pipe":
        assert pipes.loc[e["pipe_id"]].geometry.length == 0
    elif kind == "multipart_pipe":
        geom = pipes.loc[e["pipe_id"]].geometry
        assert geom.geom_type == "MultiLineString" and len(geom.geoms) == 2
        assert geom.geoms[0].touches(geom.geoms[1])
    elif kind == "cycle":
        sub = g.edge_subgraph([(u, v, k) for u, v, k in g.edges(keys=True) if k in e["pipe_ids"]])
        cyc = nx.find_cycle(sub)
        assert sorted(k for _u, _v, k in cyc) == e["pipe_ids"]
    else:  # pragma: no cover - a new kind needs a check here
        pytest.fail(f"unchecked fault kind {kind}")


def test_faults_are_far_apart(data):
    pipes = data["pipes"].set_index("编号").geometry
    spots = []
    for f in FAULTS:
        pids = [i for i in f["feature_ids"] if i in pipes.index]
        if pids:
            spots.append((f["id"], pipes[pids[0]].centroid))
    for i, (fa, pa) in enumerate(spots):
        for fb, pb in spots[i + 1 :]:
            assert pa.distance(pb) > 100, (fa, fb)
