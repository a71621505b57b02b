"""The window on a PostGIS team project: open by address, save = checkin, conflicts shown."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from network.io.postgis.dsn import parse_address
from network.io.postgis.dsn import with_user as as_user
from network.io.postgis.records import read_record, update_record

# the demo park (resources/demo/demo_park.gpkg): 1411 pipes, 1416 manholes; WS-0001 is HDPE,
# WS-0002 PVC-U, WS-0005 钢筋混凝土 (sqlite3 demo_park.gpkg "select count(*) from pipes" etc.)
DEMO_PIPES = 1411


@pytest.fixture(autouse=True)
def _window_env(monkeypatch, tmp_path):
    """Cached copies in the test's folder; no question ever blocks (Discard on close)."""
    monkeypatch.setenv("PIPEATLAS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )
    yield
    from gisapp.qt.workers import wait_for_all_jobs

    wait_for_all_jobs()


@pytest.fixture
def window(qtbot, tmp_path):
    from gisapp.qt.main_window import MainWindow
    from gisapp.qt.settings import AppSettings

    made = []

    def make(address: str):
        settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        w = MainWindow(settings=settings)
        qtbot.addWidget(w)
        made.append(w)
        w.show()
        qtbot.waitExposed(w)
        team = w.extensions["gisapp.qt.team_ext"]
        with (
            qtbot.waitSignal(w.network_updated, timeout=60000),
            qtbot.waitSignal(team.status_changed, timeout=30000),
        ):
            w.open_project(address)
        return w, team

    yield make
    for w in made:
        w.undo_stack.setClean()
        w.setWindowModified(False)


def _sql(pushed: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(pushed.split("?")[0]) as con:
        cur = con.execute(sql, params)
        return cur.fetchall() if cur.description else []


def _edit_material(w, pipe_id: str, material: str) -> None:
    gdf = w.project.layers["pipes"].copy()
    gdf.loc[gdf["pipe_id"] == pipe_id, "material"] = material
    w.update_layer("pipes", gdf)


def test_open_by_address_shows_layers_network_and_role(window, pushed: str) -> None:
    alice = as_user(pushed, "alice")
    w, team = window(alice)
    assert w.project_address == alice
    assert len(w.project.layers["pipes"]) == DEMO_PIPES
    assert {"pipes", "manholes"} <= {layer.kind for layer in w.canvas.layers}
    assert len(w.network_ctl.state.network.piece_pipe_id) >= DEMO_PIPES
    assert "postgresql://alice@" in w.windowTitle() and "schema=park" in w.windowTitle()
    assert "alice" in team.label.text() and "field engineer" in team.label.text()
    assert "pipes" in team.label.toolTip()
    assert team.refresh_action.isEnabled() and team.conflicts_action.isEnabled()
    # the address (not the cached file) is what Recent projects offers again
    assert w.settings.recent_projects[0] == alice


def test_auditor_sees_read_only(window, pushed: str) -> None:
    _w, team = window(as_user(pushed, "dave"))
    assert "auditor" in team.label.text()
    assert "Read only" in team.label.text()


def test_edit_and_save_reach_the_database(window, pushed: str, qtbot) -> None:
    w, team = window(as_user(pushed, "alice"))
    _edit_material(w, "WS-0001", "球墨铸铁管")
    assert w.isWindowModified()
    with qtbot.waitSignal(team.checked_in, timeout=30000) as got:
        assert w.save()
    res = got.args[0]
    assert res["result"].updated == [
        (
            "pipes",
            _sql(pushed, "SELECT pa_uuid::text FROM park.pipes WHERE pipe_id='WS-0001'")[0][0],
        )
    ]
    assert not res["conflicts"] and not res["result"].refused
    row = _sql(
        pushed,
        "SELECT material, pa_version, pa_changed_by FROM park.pipes WHERE pipe_id = 'WS-0001'",
    )
    assert row == [("球墨铸铁管", 2, "alice")]
    # the other pipes are untouched (version 1 as pushed)
    assert _sql(pushed, "SELECT count(*) FROM park.pipes WHERE pa_version = 1") == [
        (DEMO_PIPES - 1,)
    ]
    assert team.message_box is None  # no conflict: a status message only


def test_concurrent_change_is_a_conflict_in_the_window_and_nothing_is_lost(
    window, pushed: str, qtbot
) -> None:
    w, team = window(as_user(pushed, "alice"))
    # meanwhile bob changes pipe WS-0002 in the database
    bob = parse_address(as_user(pushed, "bob"))
    with bob.connect(autocommit=True) as con:
        (uid,) = con.execute("SELECT pa_uuid FROM park.pipes WHERE pipe_id = 'WS-0002'").fetchone()
        rec = read_record(con, "park", "pipes", uid)
        update_record(con, "park", "pipes", uid, rec["pa_version"], {"material": "钢管"})
    # the window hears of it (polling the audit)
    with qtbot.waitSignal(team.changes_seen, timeout=10000) as seen:
        team.poll()
    assert seen.args == [1]
    assert "1" in team.label.text()
    # alice, still on the old version, changes the same pipe and one bob did not touch
    _edit_material(w, "WS-0002", "HDPE双壁波纹管")
    _edit_material(w, "WS-0003", "HDPE")
    with qtbot.waitSignal(team.checked_in, timeout=30000) as got:
        assert w.save()
    res = got.args[0]
    assert [c["name"] for c in res["conflicts"]] == ["pipes WS-0002"]
    assert res["conflicts"][0]["changed_by"] == "bob"
    assert [t for t, _ in res["result"].updated] == ["pipes"]  # WS-0003 went in
    box = team.message_box
    assert box is not None and box.isVisible()
    assert "pipes WS-0002" in box.informativeText() and "bob" in box.informativeText()
    # the database keeps bob's version; alice's is kept beside it, and in her copy
    mats = dict(
        _sql(
            pushed,
            "SELECT pipe_id, material FROM park.pipes WHERE pipe_id IN ('WS-0002', 'WS-0003')",
        )
    )
    assert mats == {"WS-0002": "钢管", "WS-0003": "HDPE"}
    kept = _sql(
        pushed, "SELECT package_row->>'material' FROM park.pa_conflicts WHERE resolution IS NULL"
    )
    assert kept == [("HDPE双壁波纹管",)]
    con = sqlite3.connect(w.project.path)
    assert con.execute("SELECT material FROM pipes WHERE pipe_id = 'WS-0002'").fetchone() == (
        "HDPE双壁波纹管",
    )
    con.close()
    # Team → Conflicts…: keep mine writes alice's version over bob's
    with qtbot.waitSignal(team.conflicts_loaded, timeout=10000) as loaded:
        dlg = team.show_conflicts()
    assert [c["kind"] for c in loaded.args[0]] == ["changed on both sides"]
    assert dlg.table.item(0, 4).text() == "bob"
    assert dlg.table.item(0, 2).text() == "WS-0002"
    with qtbot.waitSignal(team.conflicts_loaded, timeout=10000) as after:
        dlg.keep_mine.click()
    assert after.args[0] == []
    assert _sql(pushed, "SELECT material FROM park.pipes WHERE pipe_id = 'WS-0002'") == [
        ("HDPE双壁波纹管",)
    ]
    dlg.close()


def test_refresh_shows_others_changes(window, pushed: str, qtbot) -> None:
    w, team = window(as_user(pushed, "alice"))
    _sql(pushed, "UPDATE park.pipes SET material = '铸铁管' WHERE pipe_id = 'WS-0004'")
    with qtbot.waitSignal(w.project_opened, timeout=60000):
        team.refresh()
    gdf = w.project.layers["pipes"]
    assert gdf.loc[gdf["pipe_id"] == "WS-0004", "material"].tolist() == ["铸铁管"]
    assert w.project_address == as_user(pushed, "alice")


def test_app_keeps_an_address_as_it_is() -> None:
    from gisapp.qt.app import project_argument

    a = "postgresql:///pa?host=/run/pg&schema=park"
    assert project_argument(a) == a
    assert project_argument("x/park.gpkg") == Path("x/park.gpkg")


def test_checkin_that_cannot_reach_the_database_keeps_the_work(
    window, pushed: str, pg_cluster, qtbot
) -> None:
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as con:
        con.execute("CREATE ROLE erin LOGIN IN ROLE field_engineer")
    erin = as_user(pushed, "erin")
    w, team = window(erin)
    _edit_material(w, "WS-0005", "玻璃钢夹砂管")
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as con:
        con.execute("ALTER ROLE erin NOLOGIN")  # the database cannot be reached as erin
    with qtbot.waitSignal(w.job_finished, timeout=30000) as got:
        assert w.save()
    assert isinstance(got.args[0], Exception)
    # the failure is said (naming the address), the database is unchanged, the copy keeps it
    box = w.findChild(QMessageBox, "user_error_box")
    assert box is not None and "erin@" in box.text()
    assert _sql(pushed, "SELECT material FROM park.pipes WHERE pipe_id = 'WS-0005'") == [
        ("钢筋混凝土",)
    ]
    con = sqlite3.connect(w.project.path)
    assert con.execute("SELECT material FROM pipes WHERE pipe_id = 'WS-0005'").fetchone() == (
        "玻璃钢夹砂管",
    )
    con.close()
    # reachable again: Refresh sends the saved change first, then reads the merged database
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as con:
        con.execute("ALTER ROLE erin LOGIN")
    with (
        qtbot.waitSignal(team.checked_in, timeout=30000),
        qtbot.waitSignal(w.project_opened, timeout=60000),
    ):
        team.refresh()
    assert _sql(
        pushed, "SELECT material, pa_changed_by FROM park.pipes WHERE pipe_id = 'WS-0005'"
    ) == [("玻璃钢夹砂管", "erin")]
    gdf = w.project.layers["pipes"]
    assert gdf.loc[gdf["pipe_id"] == "WS-0005", "material"].tolist() == ["玻璃钢夹砂管"]


def test_file_menu_opens_an_address(window, pushed: str, qtbot, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    w, team = window(as_user(pushed, "alice"))
    action = w.findChild(type(team.open_action), "open_postgis_action")
    assert action in w.file_menu.actions()
    bob = as_user(pushed, "bob")
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (bob, True)))
    with qtbot.waitSignal(team.status_changed, timeout=60000):
        action.trigger()
    assert w.project_address == bob and "bob" in team.label.text()
    # a file path typed there is refused with a message, nothing else changes
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: warned.append(a)))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("x.gpkg", True)))
    action.trigger()
    assert warned and "x.gpkg" in warned[0][2]
    assert w.project_address == bob
