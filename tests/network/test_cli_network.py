"""The network commands: check, trace, connections, balance, stats (no Qt)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from gisapp.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo_park.gpkg"
TRACE_KEYS = {
    "start",
    "direction",
    "pipes",
    "nodes",
    "enterprises",
    "sinks",
    "length_m",
    "warnings",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A private copy of the demo: a command stores a rebuilt network into a stale project,
    and must never write into the committed file."""
    if not DEMO.exists():
        pytest.skip("resources/demo/demo_park.gpkg has not been built")
    copy = tmp_path_factory.mktemp("demo") / DEMO.name
    shutil.copyfile(DEMO, copy)
    return str(copy)


def run(capsys, *argv):
    code = cli_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_check_json(capsys, project):
    code, out, err = run(capsys, "check", project, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["summary"]["total"] == len(data["issues"]) > 0
    kinds = {(i["category"], i["kind"]) for i in data["issues"]}
    assert ("connectivity", "side_connection") in kinds
    first = data["issues"][0]
    assert {
        "id",
        "category",
        "severity",
        "feature_ids",
        "x",
        "y",
        "message_zh",
        "message_en",
    } <= set(first)
    code, _, _ = run(capsys, "check", project, "--json", "--fail-on-errors")
    assert code == 1


def test_cli_check_table(capsys, project):
    code, out, _ = run(capsys, "check", project, "--lang", "en")
    assert code == 0
    assert "connectivity.side_connection" in out and "findings:" in out


def test_cli_trace_down_and_up_json(capsys, project):
    code, out, _ = run(capsys, "trace", project, "--from", "E01", "--down", "--json")
    assert code == 0
    d = json.loads(out)
    assert set(d) >= TRACE_KEYS
    assert d["direction"] == "downstream" and d["plants"] == ["P01"]
    assert d["sinks"][0]["paths"][0]["pipes"][0] == d["pipes"][0]
    code, out, _ = run(capsys, "trace", project, "--from", "PK07", "--up", "--json")
    d = json.loads(out)
    assert sorted(d["enterprises"]) == ["E03", "E04", "E05"]
    assert len(d["warnings"]) == 3


def test_cli_trace_common_upstream(capsys, project):
    code, out, _ = run(capsys, "trace", project, "--common-upstream", "PK07,WJ-0001", "--json")
    assert code == 0
    d = json.loads(out)
    assert set(d) >= TRACE_KEYS
    assert d["start"] == ["PK07", "WJ-0001"] and d["direction"] == "common_upstream"


def test_cli_trace_profile_and_table(capsys, project):
    code, out, _ = run(
        capsys, "trace", project, "--from", "WJ-0012", "--to", "WJ-0005", "--profile", "--json"
    )
    assert code == 0
    rows = json.loads(out)["rows"]
    assert rows[0]["from_node"] == "WJ-0012" and rows[-1]["to_node"] == "WJ-0005"
    code, out, _ = run(capsys, "trace", project, "--from", "E01", "--down")
    assert "plant  P01" in out


@pytest.mark.parametrize(
    "argv",
    [
        ("trace", "{p}", "--from", "NOPE", "--up"),
        ("trace", "{p}", "--common-upstream", "PK07,NOPE"),
        ("trace", "{p}", "--from", "E01"),
        ("trace", "{p}", "--up"),
        ("check", "{bad}"),
        ("balance", "{missing}"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(capsys, project, tmp_path, argv):
    bad = tmp_path / "not_a_project.gpkg"
    bad.write_text("hello")
    argv = [a.format(p=project, bad=bad, missing=tmp_path / "missing.gpkg") for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")


def test_cli_connections_json_and_xlsx(capsys, project, tmp_path):
    code, out, _ = run(capsys, "connections", project, "--json")
    d = json.loads(out)
    assert code == 0 and d["park"]["n_enterprises"] == 40
    status = {r["ent_id"]: r["status"] for r in d["enterprises"]}
    assert status["E40"] == "unattached" and status["E01"] == "plant"
    xlsx = tmp_path / "reg.xlsx"
    code, out, _ = run(capsys, "connections", project, "--xlsx", str(xlsx))
    assert code == 0 and "wrote" in out
    ws = openpyxl.load_workbook(xlsx)["纳管台账"]
    assert ws.cell(1, 1).value == "企业编号" and ws.max_row == 41
    code, out, _ = run(capsys, "connections", project)
    assert "园区纳管率" in out


def test_cli_balance_and_stats(capsys, project):
    code, out, _ = run(capsys, "balance", project, "--json")
    d = json.loads(out)
    assert code == 0 and [p["plant_id"] for p in d["plants"]] == ["P01", "P02"]
    assert d["nodes"]["WJ-0005"]["flow_tpd"] == d["plants"][0]["connected_flow_tpd"]
    code, out, _ = run(capsys, "stats", project, "--json")
    st = json.loads(out)
    assert st["n_pipes"] == 1411 and st["main_length_km"] > 0
    code, out, _ = run(capsys, "balance", project)
    assert "P01" in out


def test_cli_network_module_imports_no_qt():
    code = (
        "import sys, gisapp.cli.network_commands, network.checks, network.analysis, network.trace,"
        " network.state\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_cli_through_main_entry(project):
    proc = subprocess.run(
        [sys.executable, "main.py", "trace", project, "--from", "NOPE", "--down"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "NOPE" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
