"""The built network kept in the project: round trip, staleness, garbled caches, info."""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3

import numpy as np
import pyogrio
import pytest

from gisapp.cli import main as cli_main
from network.io import topology
from network.io.project import open_project, save_project
from network.state import build_checked_network
from network.trace import trace_downstream, trace_upstream


def assert_same_network(a, b):
    for f in dataclasses.fields(b):
        if f.name in ("layers", "piece_geom", "pipe_edges"):
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(y, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape, f.name
            if y.dtype.kind == "f":
                assert np.array_equal(x, y, equal_nan=True), f.name
            else:
                assert x.tolist() == y.tolist(), f.name
        else:  # repr: floats exactly, and a NaN (an unknown invert) equal to a NaN
            assert x == y or repr(x) == repr(y), f.name
    assert a.pipe_edges.codes.tolist() == b.pipe_edges.codes.tolist()
    assert a.pipe_edges.uniques.tolist() == b.pipe_edges.uniques.tolist()


def assert_same_checked(stored, fresh):
    assert_same_network(stored.network, fresh.network)
    assert stored.checks == fresh.checks
    assert stored.register == fresh.register
    net_s, net_f = stored.network, fresh.network
    for start in list(net_f.ent_ids[:5]) + list(net_f.plant_ids):
        for trace in (trace_downstream, trace_upstream):
            try:
                want = trace(net_f, start, findings=fresh.issue_index).to_dict()
            except Exception as exc:  # noqa: BLE001 - the stored one must fail alike
                with pytest.raises(type(exc)):
                    trace(net_s, start, findings=stored.issue_index)
                continue
            assert trace(net_s, start, findings=stored.issue_index).to_dict() == want


@pytest.fixture
def saved(demo_project):
    """The demo project saved once by this PipeAtlas (so it keeps its network)."""
    save_project(open_project(demo_project))
    return demo_project


def fresh_build(path):
    p = open_project(path)
    return build_checked_network(p.layers, p.settings, p.crs)


def test_stored_network_equals_a_fresh_build(saved):
    assert topology.topology_status(saved) == "fresh"
    stored = topology.load_checked_network(saved)
    assert stored is not None
    assert_same_checked(stored, fresh_build(saved))


def test_edits_in_between_are_stored_with_the_next_save(saved):
    project = open_project(saved)
    pipes = project.layers["pipes"]
    project.layers["pipes"] = pipes.iloc[: len(pipes) - 40].copy()
    ents = project.layers["enterprises"]
    project.layers["enterprises"] = ents.iloc[1:].copy()
    save_project(project, kinds=["pipes", "enterprises"])
    stored = topology.load_checked_network(saved)
    assert stored is not None
    assert stored.network.n_edges < fresh_build(saved).network.n_edges + 1
    assert_same_checked(stored, fresh_build(saved))


def test_a_checked_network_given_to_save_is_stored_as_it_is(saved):
    project = open_project(saved)
    checked = build_checked_network(project.layers, project.settings, project.crs)
    save_project(project, checked=checked)
    assert_same_checked(topology.load_checked_network(saved), checked)


def _sql(path, *statements):
    con = sqlite3.connect(path)
    with con:
        for s in statements:
            con.execute(s)
    con.close()


def test_a_layer_edited_by_another_program_is_detected(saved):
    # what QGIS does through SQLite: the triggers count it
    _sql(saved, "DELETE FROM pipes WHERE fid = 1")
    assert topology.topology_status(saved) == "stale: layer(s) pipes changed"
    assert topology.load_checked_network(saved) is None


def test_an_attribute_edit_keeping_counts_is_detected(saved):
    # an UPDATE that changes neither the count nor the largest fid: only the triggers see it
    con = sqlite3.connect(saved)
    for fn in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(fn, 1, lambda g: 0)  # GDAL's rtree triggers name them
    with con:
        con.execute("UPDATE pipes SET to_node = 'nowhere' WHERE fid = 1")
    con.close()
    assert topology.topology_status(saved) == "stale: layer(s) pipes changed"


def test_a_layer_replaced_by_another_program_is_detected(saved):
    gdf = pyogrio.read_dataframe(saved, layer="plants")
    pyogrio.write_dataframe(gdf, saved, layer="plants", driver="GPKG")  # drops the table
    assert topology.topology_status(saved).startswith("stale: layer(s) plants")


def test_changed_settings_are_detected(saved):
    _sql(
        saved, "UPDATE pa_project SET value = '{\"snap_tolerance_m\": 0.5}' WHERE key = 'settings'"
    )
    assert topology.topology_status(saved) == "stale: the settings changed"


def test_another_topology_format_is_detected(saved, monkeypatch):
    monkeypatch.setattr(topology, "TOPOLOGY_FORMAT", topology.TOPOLOGY_FORMAT + 1)
    assert topology.topology_status(saved).startswith("stale: format")
    assert topology.load_checked_network(saved) is None


def test_another_engine_is_detected(saved, monkeypatch):
    monkeypatch.setattr(topology, "engine_hash", lambda: "0" * 16)
    assert "another version" in topology.topology_status(saved)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("edges", b"not arrow at all"),
        ("checks", b"{not json"),
        ("meta", b"\x00\x01garbage"),
    ],
)
def test_a_garbled_cache_is_ignored_with_a_note(saved, caplog, name, data):
    con = sqlite3.connect(saved)
    with con:
        con.execute("UPDATE pa_topology SET data = ? WHERE name = ?", (data, name))
    con.close()
    with caplog.at_level(logging.WARNING, logger="network.io.topology"):
        assert topology.load_checked_network(saved) is None
    assert "garbled" in caplog.text


def test_a_foreign_cache_with_bad_indices_is_not_trusted(saved, caplog):
    blob = topology._ipc({"u": np.array([10**9], np.int32)})
    con = sqlite3.connect(saved)
    with con:
        con.execute("UPDATE pa_topology SET data = ? WHERE name = 'edges'", (blob,))
    con.close()
    with caplog.at_level(logging.WARNING, logger="network.io.topology"):
        assert topology.load_checked_network(saved) is None
    assert "garbled" in caplog.text


def test_the_project_stays_a_valid_geopackage(saved):
    layers = {str(n) for n, _ in pyogrio.list_layers(saved)}
    assert {"pipes", "pa_topology", "pa_layer_edits"} <= layers
    con = sqlite3.connect(saved)
    kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    con.close()
    assert kinds["pa_topology"] == kinds["pa_layer_edits"] == "attributes"
    assert len(pyogrio.read_dataframe(saved, layer="pipes")) == len(
        open_project(saved).layers["pipes"]
    )


def test_info_reads_no_feature(saved, monkeypatch, capsys):
    want = open_project(saved).summary()

    def refuse(*a, **k):
        raise AssertionError("info read features")

    monkeypatch.setattr(pyogrio, "read_dataframe", refuse)
    monkeypatch.setattr(pyogrio, "read_arrow", refuse)
    assert cli_main(["info", str(saved), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got == json.loads(json.dumps(want, ensure_ascii=False, default=str))


def test_traces_read_no_feature_from_a_stored_network(saved, monkeypatch, capsys):
    def refuse(*a, **k):
        raise AssertionError("the trace read features")

    monkeypatch.setattr(pyogrio, "read_dataframe", refuse)
    assert cli_main(["trace", str(saved), "--from", "E01", "--down", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["direction"] == "downstream"


def test_a_command_on_a_stale_project_rebuilds_and_stores_again(saved):
    _sql(saved, "DELETE FROM enterprises WHERE fid = 1")
    assert topology.topology_status(saved).startswith("stale")
    assert cli_main(["connections", str(saved), "--json"]) == 0
    assert topology.topology_status(saved) == "fresh"
    assert_same_checked(topology.load_checked_network(saved), fresh_build(saved))


def test_a_project_without_stored_network_is_not_written_by_commands(demo_project):
    con = sqlite3.connect(demo_project)  # the demo ships with its network stored: drop it
    with con:
        topology.drop_topology(con)
    con.close()
    before = demo_project.read_bytes()
    assert cli_main(["check", str(demo_project), "--json"]) in (0, 1)
    assert demo_project.read_bytes() == before


def test_loading_and_tracing_never_builds_the_networkx_graph(saved):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from gisapp.cli import main\n"
        f"assert main(['trace', {str(saved)!r}, '--from', 'E01', '--down', '--json']) == 0\n"
        "assert 'networkx' not in sys.modules, 'networkx was loaded'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
