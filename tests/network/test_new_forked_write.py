"""``new`` writes the layers in a forked child while it builds the network (Linux).

The project must be the very same file either way, a failure in the child must reach the
user as the same error with nothing left behind, and a failure in the parent must not leave
the child writing.
"""

from __future__ import annotations

import gc
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from network.errors import ProjectError
from network.io import forked
from network.io import project as projmod
from network.io.project import create_project

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is Linux")

SRC = Path(__file__).resolve().parents[2] / "resources" / "demo" / "src"
INPUTS = {
    "pipes": [SRC / "pipes_sewage.shp", SRC / "pipes_rain.shp"],
    "manholes": [SRC / "manholes.shp"],
    "outfalls": [SRC / "outfalls.shp"],
    "enterprises": [SRC / "enterprises.shp"],
    "plants": [SRC / "plants.shp"],
}


def _digest(path: Path) -> dict[str, str]:
    """Every table's rows, hashed (the creation time and write times left out)."""
    con = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        out = {}
        for name in names:
            h = hashlib.sha256()
            for row in con.execute(f'SELECT * FROM "{name}" ORDER BY 1'):
                if name == "gpkg_contents":
                    row = row[:4] + row[5:]  # last_change
                if name == "pa_project" and row[1] == "created":
                    continue
                if name == "pa_topology" and row[1] == "meta":
                    continue  # holds the file's own write stamps
                h.update(repr(row).encode())
            out[name] = h.hexdigest()
        return out
    finally:
        con.close()


@pytest.fixture
def fork_always(monkeypatch):
    monkeypatch.setattr(projmod, "FORK_MIN_PIPES", 0)
    monkeypatch.delenv("PIPEATLAS_NO_FORK", raising=False)
    # earlier window tests leave idle Qt threads in this process, so can_fork() is false
    # here (as in the window); the CLI's clean process is checked in the test below
    monkeypatch.setattr(forked, "can_fork", lambda: not os.environ.get("PIPEATLAS_NO_FORK"))


def test_fork_only_in_a_process_without_other_threads():
    code = (
        "import threading, time\n"
        "from network.io import forked\n"
        "alone = forked.can_fork()\n"
        "threading.Thread(target=time.sleep, args=(1,), daemon=True).start()\n"
        "print(alone, forked.can_fork())\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("PIPEATLAS_NO_FORK", None)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root, check=True
    )
    assert out.stdout.split() == ["True", "False"]
    env["PIPEATLAS_NO_FORK"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root, check=True
    )
    assert out.stdout.split() == ["False", "False"]


def test_forked_write_makes_the_same_project(tmp_path, fork_always, monkeypatch):
    calls = []
    real = forked.ForkedCall

    def counting(*a, **kw):
        calls.append(tuple(a[-1]))  # the kinds the child writes
        return real(*a, **kw)

    monkeypatch.setattr(forked, "ForkedCall", counting)
    one = create_project(tmp_path / "forked.gpkg", INPUTS)
    # the pipes went to a child as soon as they were read, the rest to a second one
    rest = ("manholes", "outfalls", "enterprises", "plants")
    assert calls == [("pipes",), rest], "the layers were written by two children"
    monkeypatch.setenv("PIPEATLAS_NO_FORK", "1")
    two = create_project(tmp_path / "plain.gpkg", INPUTS)
    assert len(calls) == 2, "PIPEATLAS_NO_FORK writes in turn"
    a, b = _digest(one.path), _digest(two.path)
    assert a.keys() == b.keys() and "pa_topology" in a
    assert {k for k in a if a[k] != b[k]} == set()
    reopened = projmod.open_project(one.path)
    assert len(reopened.layers["pipes"]) == len(two.layers["pipes"]) > 0


def test_a_failure_in_the_child_reaches_the_user_and_leaves_nothing(
    tmp_path, fork_always, monkeypatch
):
    parent = os.getpid()
    marker = tmp_path / "child.pid"

    def refuse(project, tmp, kinds, *, copied, target, **kw):
        marker.write_text(str(os.getpid()))
        raise ProjectError(
            f"{target.name}: cannot write layer pipes: disk full", file=str(target), layer="pipes"
        )

    monkeypatch.setattr(projmod, "_write_layers", refuse)
    out = tmp_path / "p.gpkg"
    with pytest.raises(ProjectError) as err:
        create_project(out, INPUTS)
    assert "disk full" in str(err.value) and err.value.layer == "pipes"
    assert err.value.file == str(out)
    assert int(marker.read_text()) != parent, "it ran in the child"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["child.pid"]


def test_a_child_killed_midway_is_an_error_not_a_project(tmp_path, fork_always, monkeypatch):
    def die(project, tmp, kinds, *, copied, target, **kw):
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(projmod, "_write_layers", die)
    out = tmp_path / "p.gpkg"
    with pytest.raises(ProjectError, match="Cannot write"):
        create_project(out, INPUTS)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_build_stops_the_writing_children(tmp_path, fork_always, monkeypatch):
    pids = []
    real = forked.ForkedCall

    class Spy(real):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            pids.append(self._pid)

    def boom(project, checked):
        raise MemoryError("no room to build")

    monkeypatch.setattr(forked, "ForkedCall", Spy)
    monkeypatch.setattr(projmod, "_checked_for_store", boom)
    with pytest.raises(MemoryError):
        create_project(tmp_path / "p.gpkg", INPUTS)
    assert len(pids) == 2, "the pipes' writer and the rest's"
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped: no child is left writing
    assert list(tmp_path.iterdir()) == []


def test_a_bad_file_read_after_the_pipes_stops_their_writer(tmp_path, fork_always, monkeypatch):
    """The pipes' child is already writing when a later file turns out bad: the user gets
    the file's error, the child is stopped and reaped, and no file is left behind."""
    from network.errors import InputFileError

    seen = {}
    real = forked.ForkedCall

    class Spy(real):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            seen.setdefault("pids", []).append(self._pid)

    monkeypatch.setattr(forked, "ForkedCall", Spy)
    bad = tmp_path / "src" / "manholes.shp"
    bad.parent.mkdir()
    for part in (".shp", ".shx", ".prj"):  # no .dbf: the manholes cannot be read
        (bad.with_suffix(part)).write_bytes((SRC / "manholes").with_suffix(part).read_bytes())
    out = tmp_path / "p.gpkg"
    with pytest.raises(InputFileError):
        create_project(out, {**INPUTS, "manholes": [bad]})
    assert len(seen["pids"]) == 1, "the pipes' writer had started"
    with pytest.raises(ChildProcessError):
        os.waitpid(seen["pids"][0], os.WNOHANG)  # reaped: no child is left writing
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def test_a_failing_first_writer_is_reported_once_the_rest_is_stopped(
    tmp_path, fork_always, monkeypatch
):
    """The pipes' child fails: its error reaches the user (not the second child's), and the
    second child, which waits for the first, is stopped too."""

    def refuse_pipes(layers, tmp, kinds, *, copied, target, **kw):
        if "pipes" in kinds:
            raise ProjectError(f"{target.name}: cannot write layer pipes: disk full")
        (tmp.parent / "rest.written").write_text("x")

    monkeypatch.setattr(projmod, "_write_layers", refuse_pipes)
    out = tmp_path / "p.gpkg"
    with pytest.raises(ProjectError, match="layer pipes: disk full"):
        create_project(out, INPUTS)
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["rest.written"])


def _collector_state(out: Path) -> None:
    out.write_text(str(gc.isenabled()))


def test_the_writing_child_never_collects_the_parents_objects(tmp_path):
    # a collection in the child walks every object it shares with the parent, and writing
    # to their headers copies each of those pages: at 1M pipes, hundreds of megabytes
    assert gc.isenabled()
    with forked.ForkedCall(_collector_state, tmp_path / "state") as child:
        child.join()
    assert (tmp_path / "state").read_text() == "False"
    assert gc.isenabled(), "the parent's collector is untouched"


def test_the_import_pauses_the_collector_and_restores_it(tmp_path, fork_always, monkeypatch):
    seen = []
    real = projmod.load_layer

    def watching(*a, **kw):
        seen.append(gc.isenabled())
        return real(*a, **kw)

    monkeypatch.setattr(projmod, "load_layer", watching)
    create_project(tmp_path / "a.gpkg", INPUTS)
    assert seen and not any(seen), "no collection while the layers are read"
    assert gc.isenabled()
    bad = {**INPUTS, "enterprises": [SRC / "pipes_rain.dbf"]}  # not a layer of points
    with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal; the state is the point
        create_project(tmp_path / "b.gpkg", bad)
    assert gc.isenabled(), "a failed import gives the collector back"
    gc.disable()
    try:
        create_project(tmp_path / "c.gpkg", INPUTS, overwrite=True)
        assert not gc.isenabled(), "a caller's paused collector stays paused"
    finally:
        gc.enable()


def test_only_the_writing_children_write_without_syncing_each_batch(
    tmp_path, fork_always, monkeypatch
):
    # their file is a temporary one, flushed whole before it is renamed into place; the
    # parent's own GDAL writes (a saved edit in the window) keep SQLite's syncing
    import pyogrio

    seen = tmp_path / "seen"
    real = projmod._write_layers

    def recording(layers, tmp, kinds, **kw):
        option = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
        with seen.open("a") as fh:
            fh.write(f"{','.join(kinds)}={option}\n")
        return real(layers, tmp, kinds, **kw)

    monkeypatch.setattr(projmod, "_write_layers", recording)
    create_project(tmp_path / "a.gpkg", INPUTS)
    lines = sorted(seen.read_text().split())
    assert lines == ["manholes,outfalls,enterprises,plants=False", "pipes=False"]  # OFF
    assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") is None
    reopened = projmod.open_project(tmp_path / "a.gpkg")
    assert len(reopened.layers["manholes"]) > 0


def test_the_network_is_encoded_while_the_writers_finish(tmp_path, fork_always, monkeypatch):
    """At scale the writing children end after the build: the network's tables are encoded
    in that time, and stored as a fresh encoding would store them."""
    from network.io import topology

    events = []
    real_encode, real_join = topology.encode, projmod._EarlyPipes.join

    def encode(checked):
        events.append("encode")
        return real_encode(checked)

    def join(self):
        events.append("join")
        return real_join(self)

    monkeypatch.setattr(topology, "encode", encode)
    monkeypatch.setattr(projmod._EarlyPipes, "join", join)
    one = create_project(tmp_path / "forked.gpkg", INPUTS)
    assert events == ["encode", "join"]
    stored = topology.load_checked_network(one.path)
    assert real_encode(stored) == real_encode(projmod._checked_for_store(one, None))
    monkeypatch.setenv("PIPEATLAS_NO_FORK", "1")
    two = create_project(tmp_path / "plain.gpkg", INPUTS)
    a, b = _digest(one.path), _digest(two.path)
    assert {k for k in a if a[k] != b[k]} == set()
