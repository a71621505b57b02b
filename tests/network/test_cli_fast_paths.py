"""The command line at the scale of a park, the same text: the JSON writer, id look-ups
without million-entry dicts, column-only statistics and commands loading only what they use."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio
import pytest

from gisapp.cli import JsonItems, json_text, print_json
from network.analysis import network_statistics, plant_balance
from network.graph import IdIndex
from network.io import topology
from network.io.project import open_project, save_project
from network.state import build_checked_network

REPO = Path(__file__).resolve().parents[2]


def _dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


@pytest.fixture
def saved(demo_project):
    save_project(open_project(demo_project))
    return demo_project


@pytest.mark.parametrize(
    "data",
    [
        {},
        [],
        {"a": [], "b": {}, "c": [[]], "d": [{}]},
        {"k": {"n": [1, "a", None, {"z": [("x", "y"), ()]}]}},
        [np.int64(3), np.float64(2.5), np.bool_(True), float("nan"), float("inf"), -0.0, 10**30],
        {7: 2, 2.5: 3, True: "t", False: "f", None: "n", "中": '文\n"\\\x01'},
        "plain",
        None,
        {"ids": ["P1", "管-2", "P\t3"], "mixed": ["a", 1, None]},
        # dicts of scalars (written in one piece) beside ones holding more
        {"J1": {"flow_tpd": 1.5, "cod_kgd": None}, "J2": {}, "J3": {"a": {"b": 1}}},
        {"n": {7: True, 2.5: float("nan"), None: "管\n", "x": np.float64(0.1)}},
        {"deep": {"er": {"flat": {"q": 1}, "list": [{"r": 2}]}}},
    ],
)
def test_json_text_is_the_standard_librarys_text(data):
    assert json_text(data) == _dumps(data)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print_json(data)
    assert out.getvalue() == _dumps(data) + "\n"


def test_json_items_print_as_the_dict_would(demo_project):
    project = open_project(demo_project)
    checked = build_checked_network(project.layers, project.settings, project.crs)
    bal = plant_balance(checked.network)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print_json({**bal.to_dict(), "nodes": JsonItems(bal.node_items())})
    assert out.getvalue() == _dumps(bal.to_dict(with_nodes=True)) + "\n"
    assert json_text(checked.register.to_dict()) == _dumps(checked.register.to_dict())


def test_id_index_answers_as_the_dict_does():
    ids = np.array(["A", "B", "A", "C"], dtype=object)
    for first in (True, False):
        ix = IdIndex(ids, first=first)
        want = {"A": 0 if first else 2, "B": 1, "C": 3}
        for _ in range(IdIndex.SCANS + 2):  # by scanning, then from the dict
            assert ix.get("A") == want["A"] and ix["C"] == 3 and ix.get("Z") is None
            assert "B" in ix and "Z" not in ix and 1 not in ix
        assert dict(ix) == want and len(ix) == 3
        for scans in (0, IdIndex.SCANS):  # in one pass, or key by key
            fresh = IdIndex(ids, first=first)
            fresh._scans = scans
            assert fresh.positions(["A", "C", "Z", 5]) == {"A": want["A"], "C": 3}


def test_stats_of_a_stored_network_read_one_column_and_no_geometry(saved, monkeypatch):
    want = network_statistics(
        topology.load_checked_network(saved, open_project(saved).layers).network
    )
    reads = []
    real = pyogrio.read_dataframe

    def spy(*args, **kwargs):
        reads.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "read_dataframe", spy)
    checked = topology.load_checked_network(saved)
    assert network_statistics(checked.network) == want
    assert [(r.get("columns"), r.get("read_geometry")) for r in reads] == [(["pipe_class"], False)]


def _modules_loaded(*argv: str) -> set[str]:
    code = (
        "import sys, json; from gisapp.cli import main; "
        f"rc = main({list(argv)!r}); "
        "sys.stderr.write(json.dumps(sorted(sys.modules)))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(json.loads(res.stderr.strip().splitlines()[-1]))


def test_info_and_traces_load_no_geodata_library(saved):
    heavy = {"geopandas", "pandas", "pyogrio", "networkx", "scipy.spatial", "matplotlib"}
    assert not heavy & _modules_loaded("info", str(saved), "--json")
    for how in (["--from", "P01", "--up"], ["--from", "E01", "--down"]):
        assert not heavy & _modules_loaded("trace", str(saved), *how, "--json")
