"""Killing a writer (SIGKILL) in the middle of saves never corrupts the project or loses a
committed record."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from synthetic_surveys import make_pipes_gpkg

from surveys.store import SurveyStore

REPO_ROOT = Path(__file__).resolve().parents[2]

WRITER = r"""
import dataclasses, sys
from surveys.records import Observation
from surveys.store import SurveyStore
store = SurveyStore(sys.argv[1], author="writer")
start = int(sys.argv[2])
last = None
i = start
while True:
    rec = store.add(Observation(pipe_id=f"P{i % 3 + 1}", distance_m=float(i % 39),
                                code="PL", grade=i % 4 + 1, remarks=f"rec-{i}"))
    print("A", rec.uuid, i, flush=True)
    if last is not None and i % 3 == 0:
        saved = store.update(dataclasses.replace(last, grade=i % 4 + 1, remarks=f"upd-{i}"))
        print("U", saved.uuid, saved.revision, saved.remarks, flush=True)
        last = saved
    else:
        last = rec
    i += 1
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL semantics")
def test_kill_during_save_loses_nothing_committed(tmp_path):
    path = make_pipes_gpkg(tmp_path / "park.gpkg", 3)
    SurveyStore(path).close()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    added: dict[str, int] = {}
    updated: dict[str, tuple[int, str]] = {}
    start = 0
    for kill_after in (3, 17, 8, 29, 12, 41, 5, 23):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(start)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO_ROOT,
        )
        assert proc.stdout is not None
        for lines, line in enumerate(proc.stdout, 1):
            kind, uuid, *rest = line.split()
            if kind == "A":
                added[uuid] = int(rest[0])
            else:
                updated[uuid] = (int(rest[0]), rest[1])
            if lines >= kill_after:
                proc.kill()  # SIGKILL: no cleanup, possibly mid-transaction
                break
        proc.wait()
        proc.stdout.close()
        start += 1000

    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    store = SurveyStore(path)
    rows = {r.uuid: r for r in store.records("observation")}
    for uuid, i in added.items():
        rec = rows[uuid]
        assert rec.distance_m == float(i % 39)
        assert rec.code == "PL"
        if uuid not in updated:
            assert rec.remarks.startswith(("rec-", "upd-"))
    for uuid, (rev, remarks) in updated.items():
        rec = rows[uuid]
        assert rec.revision >= rev
        if rec.revision == rev:
            assert rec.remarks == remarks
    # grades still consistent with the records after the crashes
    before = store.grades_frame()[["n", "f"]].sort_index()
    after = store.regrade()[["n", "f"]].loc[before.index]
    assert before.equals(after)
    store.close()
    assert len(added) >= 8
