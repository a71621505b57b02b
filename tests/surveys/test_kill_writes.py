"""Kill -9 during any write, at any moment, 100 times: the project opens, every command works
afterwards and nothing committed is lost (issue 10, "Done when").

The four writes a user makes: ``survey import``, ``ledger import --yes``, Save (the window's
:func:`~network.io.project.save_project`) and ``new --force``. Each runs in a process forked
from a helper that has already imported PipeAtlas (a fork costs milliseconds, a fresh Python
with GeoPandas a second), and is killed with SIGKILL after a random delay drawn (fixed seed)
between 0 and the write's own duration, so kills land before, inside and after the commit.
After every kill: :func:`open_project` works, ``info``, ``check`` and ``survey list`` exit 0,
every record committed before the write is there unchanged, and the write itself happened
wholly or not at all (wholly, when the writer exited before the kill).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from openpyxl import load_workbook
from shapely.geometry import LineString

from gisapp.cli import main
from network.io.project import create_project, open_project
from surveys import ledger
from surveys.records import Problem
from surveys.store import SurveyStore

REPO_ROOT = Path(__file__).resolve().parents[2]
KILLS_PER_WRITE = 25  # x 4 writes = 100 kills
N_ROWS = 20  # observations per survey import
N_PROBLEMS = 8
E0, N0 = 37_600_000.0, 3_160_000.0  # EPSG:4525

# Forks one writer per request. Protocol on stdin/stdout, one JSON line each way:
#   {"op": "cli", "argv": [...]} or {"op": "save", "path": P, "value": V} -> {"pid": N}
#   {"op": "wait", "pid": N} -> {"exited": CODE} or {"signal": SIG}
FORK_SERVER = r"""
import json, os, signal, sys
from gisapp.cli import main
from network.io.project import open_project, save_project
import surveys.importer, surveys.ledger, surveys.store, openpyxl  # preload

def save(path, value):
    project = open_project(path)
    project.layers["pipes"]["owner"] = value
    save_project(project)
    return 0

warm = json.loads(sys.argv[1])  # commands run once here, so the children import nothing
with open(os.devnull, "w") as null:
    out, err = os.dup(1), os.dup(2)
    os.dup2(null.fileno(), 1); os.dup2(null.fileno(), 2)
    for argv in warm:
        main(argv)
    sys.stdout.flush(); sys.stderr.flush()
    os.dup2(out, 1); os.dup2(err, 2)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    job = json.loads(line)
    if job["op"] == "wait":
        _, status = os.waitpid(job["pid"], 0)
        if os.WIFEXITED(status):
            print(json.dumps({"exited": os.WEXITSTATUS(status)}), flush=True)
        else:
            print(json.dumps({"signal": os.WTERMSIG(status)}), flush=True)
        continue
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            os.dup2(os.open(sys.argv[2], os.O_WRONLY | os.O_APPEND | os.O_CREAT), 2)
            code = main(job["argv"]) if job["op"] == "cli" else save(job["path"], job["value"])
        finally:
            os._exit(code)
    print(json.dumps({"pid": pid}), flush=True)
"""


def pipes_source(path: Path, n: int) -> Path:
    lines = [LineString([(E0 + 40 * i, N0), (E0 + 40 * (i + 1), N0)]) for i in range(n)]
    gpd.GeoDataFrame(
        {
            "ID": [f"P{i + 1}" for i in range(n)],
            "FROM": [f"J{i + 1}" for i in range(n)],
            "TO": [f"J{i + 2}" for i in range(n)],
            "OWNER": ["park"] * n,
        },
        geometry=lines,
        crs="EPSG:4525",
    ).to_file(path, engine="pyogrio", encoding="UTF-8")
    return path


class ForkServer:
    def __init__(self, warm: list[list[str]], log: Path) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-c", FORK_SERVER, json.dumps(warm), str(log)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        assert self.ask(None) == {"ready": True}

    def ask(self, job: dict | None) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if job is not None:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the fork server died"
        return json.loads(line)

    def run(self, job: dict, kill_after_s: float | None) -> bool:
        """Run one write, SIGKILL it after ``kill_after_s``; True when it exited 0 first."""
        start = time.perf_counter()
        pid = self.ask(job)["pid"]
        if kill_after_s is not None:
            time.sleep(max(0.0, kill_after_s - (time.perf_counter() - start)))
            os.kill(pid, signal.SIGKILL)  # a finished child is a zombie until waited: no reuse
        status = self.ask({"op": "wait", "pid": pid})
        errors = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        if kill_after_s is None:
            assert status == {"exited": 0}, (status, errors)
        assert status in ({"exited": 0}, {"signal": signal.SIGKILL}), (status, errors)
        return status == {"exited": 0}

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


# --- what is committed ------------------------------------------------------------------------
def records(path: Path) -> dict[str, dict[str, tuple]]:
    """Every live survey record: table → uuid → (revision, the fields the writes change)."""
    con = sqlite3.connect(path)  # read-write: a hot journal is rolled back
    try:
        return {
            "sv_inspections": {
                u: (r, c)
                for u, r, c in con.execute(
                    "SELECT uuid, revision, contractor FROM sv_inspections WHERE deleted = 0"
                )
            },
            "sv_observations": {
                u: (r, i)
                for u, r, i in con.execute(
                    "SELECT uuid, revision, inspection_id FROM sv_observations WHERE deleted = 0"
                )
            },
            "sv_problems": {
                u: (r, m)
                for u, r, m in con.execute(
                    "SELECT uuid, revision, measure FROM sv_problems WHERE deleted = 0"
                )
            },
        }
    finally:
        con.close()


def owners(path: Path) -> set[str]:
    return set(pyogrio.read_dataframe(path, layer="pipes", columns=["owner"])["owner"])


def assert_commands_work(path: Path, capsys) -> dict[str, int]:
    open_project(path)
    capsys.readouterr()
    for argv in (["info", str(path)], ["check", str(path), "--json"]):
        assert main(argv) == 0, (argv, capsys.readouterr().err)
    capsys.readouterr()
    assert main(["survey", "list", str(path), "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)["counts"]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def ledger_with_measure(path: Path, xlsx: Path, measure: str, capsys) -> Path:
    """Export the ledger now and set every problem's 整改措施 to ``measure``."""
    capsys.readouterr()
    assert main(["ledger", "export", str(path), "--xlsx", str(xlsx)]) == 0
    capsys.readouterr()
    wb = load_workbook(xlsx)
    ws = wb[ledger.LEDGER_SHEET]
    cell = next(c for row in ws.iter_rows(max_row=5) for c in row if c.value == "整改措施")
    for r in range(cell.row + 1, ws.max_row + 1):
        if ws.cell(r, 1).value not in (None, ""):
            ws.cell(r, cell.column).value = measure
    wb.save(xlsx)
    return xlsx


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="SIGKILL and fork: POSIX only")
def test_kill_9_during_every_write_loses_nothing_committed(tmp_path, capsys):
    src_a = pipes_source(tmp_path / "a.shp", 24)
    src_b = pipes_source(tmp_path / "b.shp", 30)
    park = create_project(tmp_path / "park.gpkg", {"pipes": [src_a]}).path
    fresh = create_project(tmp_path / "fresh.gpkg", {"pipes": [src_a]}).path
    with SurveyStore(park, author="setup") as store:
        for i in range(N_PROBLEMS):
            store.add(Problem(description=f"问题{i}", measure="m-0", responsible_body="企业"))
    csv = tmp_path / "survey.csv"
    csv.write_text(
        "管段编号,距离,缺陷代码,等级\n"
        + "".join(f"P{i % 24 + 1},{i % 30 + 0.5},PL,2\n" for i in range(N_ROWS)),
        encoding="utf-8",
    )
    scratch = tmp_path / "scratch.gpkg"
    scratch.write_bytes(park.read_bytes())
    warm_xlsx = ledger_with_measure(scratch, tmp_path / "warm.xlsx", "warm", capsys)
    server = ForkServer(
        [
            ["survey", "import", str(scratch), str(csv)],
            ["ledger", "import", str(scratch), str(warm_xlsx), "--yes"],
            ["new", str(tmp_path / "warm.gpkg"), "--pipes", str(src_b), "-q"],
            ["info", str(scratch)],
        ],
        tmp_path / "writers.log",
    )
    rng = random.Random(20240511)
    kills = {"survey import": 0, "ledger import": 0, "save": 0, "new --force": 0}
    interrupted = dict.fromkeys(kills, 0)
    duration: dict[str, float] = {}
    try:
        for rnd in range(KILLS_PER_WRITE + 1):
            calibrate = rnd == 0  # first round: no kill, time each write
            for write in kills:
                before = records(park)
                pipes_before = owners(park)
                fresh_before = len(pyogrio.read_dataframe(fresh, layer="pipes", columns=[]))
                if write == "survey import":
                    job = {"op": "cli", "argv": ["survey", "import", str(park), str(csv)]}
                    job["argv"] += ["--contractor", f"round-{rnd}"]
                elif write == "ledger import":
                    xlsx = ledger_with_measure(park, tmp_path / "l.xlsx", f"m-{rnd}", capsys)
                    job = {"op": "cli", "argv": ["ledger", "import", str(park), str(xlsx)]}
                    job["argv"].append("--yes")
                elif write == "save":
                    job = {"op": "save", "path": str(park), "value": f"s-{rnd}"}
                else:
                    src = src_b if rnd % 2 == 0 else src_a
                    job = {"op": "cli", "argv": ["new", str(fresh), "--pipes", str(src)]}
                    job["argv"] += ["--force", "-q"]
                start = time.perf_counter()
                delay = None if calibrate else rng.uniform(0.0, duration[write])
                done = server.run(job, delay)
                if calibrate:
                    duration[write] = time.perf_counter() - start
                else:
                    kills[write] += 1
                    interrupted[write] += not done

                # the project opens and every command works
                assert_commands_work(park, capsys)
                after = records(park)
                # nothing committed before is lost (records not written now are unchanged)
                for table, rows in before.items():
                    assert set(rows) <= set(after[table]), (write, rnd, table)
                if write == "survey import":
                    new_insp = set(after["sv_inspections"]) - set(before["sv_inspections"])
                    new_obs = set(after["sv_observations"]) - set(before["sv_observations"])
                    assert len(new_insp) in (0, 1) and len(new_obs) == N_ROWS * len(new_insp)
                    assert not done or len(new_insp) == 1, "all rows or none"
                    assert {i for _, i in (after["sv_observations"][u] for u in new_obs)} == (
                        new_insp
                    )
                else:
                    assert after["sv_inspections"] == before["sv_inspections"]
                    assert after["sv_observations"] == before["sv_observations"]
                if write == "ledger import":
                    measures = {m for _, m in after["sv_problems"].values()}
                    old = {m for _, m in before["sv_problems"].values()}
                    assert measures in (old, {f"m-{rnd}"}), "all problems or none"
                    assert not done or measures == {f"m-{rnd}"}
                else:
                    assert after["sv_problems"] == before["sv_problems"]
                now = owners(park)
                if write == "save":
                    assert now in (pipes_before, {f"s-{rnd}"}), "the old file or the new one"
                    assert not done or now == {f"s-{rnd}"}
                else:
                    assert now == pipes_before
                # new --force: the old project or the new one, whole
                open_project(fresh)
                n = len(pyogrio.read_dataframe(fresh, layer="pipes", columns=[]))
                if write == "new --force":
                    expect = 30 if rnd % 2 == 0 else 24
                    assert n in (fresh_before, expect)
                    assert not done or n == expect
                    assert main(["info", str(fresh)]) == 0
                else:
                    assert n == fresh_before
    finally:
        server.close()
    assert sum(kills.values()) == 4 * KILLS_PER_WRITE
    # the random delays really hit the writes, not only the time after them
    assert all(n >= KILLS_PER_WRITE // 5 for n in interrupted.values()), interrupted
    # temporary files of killed writers are removed by the next write
    save_job = {"op": "save", "path": str(park), "value": "final"}
    server = ForkServer([], tmp_path / "writers.log")
    try:
        assert server.run(save_job, None)
        argv = ["new", str(fresh), "--pipes", str(src_a), "--force", "-q"]
        assert server.run({"op": "cli", "argv": argv}, None)
    finally:
        server.close()
    assert leftovers(tmp_path) == []
    con = sqlite3.connect(park)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
