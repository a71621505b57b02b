"""The window on the demo park: layers drawn, Chinese names, status bar, bad input kept calm."""

from __future__ import annotations

import pytest


@pytest.fixture
def window(make_window):
    return make_window()


def test_main_window_opens_demo_park(window):
    names = [layer.kind for layer in window.canvas.layers]
    assert names == [  # bottom to top; the demo has residents and farms too
        "zones",
        "boundary",
        "population",
        "pipes",
        "manholes",
        "plants",
        "outfalls",
        "enterprises",
        "farms",
    ]
    pipes = window.canvas.layer("pipes").data
    assert "起点编号" in pipes.columns
    assert pipes["材质"].str.contains("钢筋混凝土").any()  # GBK decoded, not mojibake
    assert window.crs_label.text().startswith("EPSG:4525")
    assert str(window.settings.recent_projects[0]).endswith("demo_park.gpkg")
    # the opening view is the park, not the far-away nature reserve
    x0, _, x1, _ = window.canvas.view.extent
    bx0, _, bx1, _ = window.project.layers["boundary"].total_bounds
    assert x0 <= bx0 and x1 >= bx1 and (x1 - x0) < 3 * (bx1 - bx0)


def test_status_bar_shows_map_and_lonlat_coordinates(window):
    window._on_canvas_mouse_moved(37_626_000.0, 3_166_000.0)
    assert "37,626,000.00" in window.coord_label.text()
    lon_text = window.lonlat_label.text()
    lon = float(lon_text.split("°E")[0])
    assert 112.2 < lon < 112.4


def test_opening_a_bad_file_shows_message_and_keeps_window(qtbot, window, tmp_path):
    bad = tmp_path / "x.gpkg"
    bad.write_text("not a project")
    with qtbot.waitSignal(window.job_finished, timeout=10000) as blocker:
        window.open_project(bad)
    assert "not a PipeAtlas project" in blocker.args[0].message
    assert window.project.path.name == "demo_park.gpkg"  # the open project is kept


def test_network_builds_by_itself_and_colours_enterprises(qtbot, window):
    if not window.network_ctl.is_current:
        with qtbot.waitSignal(window.network_updated, timeout=60000):
            pass
    state = window.network_ctl.state
    assert state.network.n_edges > 1000
    layer = window.canvas.layer("enterprises")
    ents = dict(zip(layer.data["ent_id"], layer.column("connection_status"), strict=True))
    assert ents["E01"] == "connected"
    assert ents["E40"] == "not_connected"  # planted: no connection manhole, far from pipes
    pipes = window.canvas.layer("pipes")
    assert not pipes.column("flow_forward").all()  # some pipes are digitised against the flow
    # the derived columns are arrays beside the project's own frames, which are not copied
    assert pipes.data is window.project.layers["pipes"]
    assert "flow_forward" not in pipes.data.columns


def test_a_network_build_keeps_the_prepared_geometry(qtbot, window):
    if not window.network_ctl.is_current:
        with qtbot.waitSignal(window.network_updated, timeout=60000):
            pass
    pipes = window.canvas.layer("pipes")
    prepared = pipes.prepared_geometry()
    tree = pipes.spatial_index()
    edited = window.project.layers["pipes"].copy()  # an attribute edit: same geometry objects
    edited["diameter_mm"] = edited["diameter_mm"] * 1.0
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        window.update_layer("pipes", edited)
    assert pipes.prepared_geometry() is prepared  # neither the edit nor the rebuild re-prepared
    assert pipes.spatial_index() is tree
    assert len(pipes.column("flow_forward")) == len(edited)
    window.setWindowModified(False)


def test_editing_a_layer_rebuilds_the_network(qtbot, window):
    if not window.network_ctl.is_current:
        with qtbot.waitSignal(window.network_updated, timeout=60000):
            pass
    pipes = window.project.layers["pipes"]
    before = window.network_ctl.state.network.n_edges
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        window.update_layer("pipes", pipes[pipes["pipe_id"] != "WS-0001"].reset_index(drop=True))
    assert window.network_ctl.state.network.n_edges < before
    assert window.isWindowModified()
    window.setWindowModified(False)  # no "save changes?" question at teardown


def test_file_export_map_writes_the_page(qtbot, window, tmp_path):
    exporter = window.extensions["gisapp.qt.export_dialog"]
    dlg = exporter.open_dialog()
    qtbot.addWidget(dlg)
    dlg.path_edit.setText(str(tmp_path / "map.png"))
    dlg.extent_combo.setCurrentIndex(dlg.extent_combo.findData("view"))
    with qtbot.waitSignal(window.job_finished, timeout=60000):
        dlg._on_ok()
    assert exporter.last_path == tmp_path / "map.png"
    assert (tmp_path / "map.png").stat().st_size > 10_000


def test_export_dialog_refuses_other_formats(qtbot, window, tmp_path):
    dlg = window.extensions["gisapp.qt.export_dialog"].open_dialog()
    qtbot.addWidget(dlg)
    dlg.path_edit.setText(str(tmp_path / "map.svg"))
    dlg._on_ok()
    assert ".pdf or .png" in dlg.error_label.text()
    assert dlg.isVisible()


def test_language_switch_reopens_the_window_in_english(qtbot, window):
    new = window.switch_language("en")
    qtbot.addWidget(new)
    with qtbot.waitSignal(new.project_opened, timeout=30000):
        pass
    assert window.settings.language == "en"
    assert new.file_menu.title() == "&File"
    assert new.project.path == window.project.path
    assert not window.isVisible()


def test_a_first_feature_of_a_new_kind_appears_on_the_map(window):
    manholes = window.project.layers.pop("manholes")
    window.canvas.remove_layer("manholes")
    window.update_layer("manholes", manholes.iloc[:1])
    kinds = [layer.kind for layer in window.canvas.layers]
    assert kinds.index("manholes") == kinds.index("pipes") + 1
    window.undo_stack.setClean()
    window.setWindowModified(False)


def test_the_demo_opens_from_a_working_copy(tmp_path):
    import os

    from gisapp.qt.app import DEMO_PROJECT, working_copy_of_demo

    copy = working_copy_of_demo(tmp_path)
    assert copy != DEMO_PROJECT
    assert copy.read_bytes() == DEMO_PROJECT.read_bytes()
    copy.write_bytes(b"the user's edited demo")  # newer than the shipped file: kept
    assert working_copy_of_demo(tmp_path).read_bytes() == b"the user's edited demo"
    old = DEMO_PROJECT.stat().st_mtime - 100
    os.utime(copy, (old, old))  # a newer demo was shipped: it replaces the old copy
    assert working_copy_of_demo(tmp_path).read_bytes() == DEMO_PROJECT.read_bytes()


def test_network_build_shows_progress_then_hides_it(qtbot, window):
    seen = []
    window.network_ctl.progress.connect(lambda f, m: seen.append(window.progress_bar.isVisible()))
    pipes = window.project.layers["pipes"]
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        window.update_layer("pipes", pipes.iloc[:-1].reset_index(drop=True))
    assert seen and all(seen)
    assert not window.progress_bar.isVisible()
    window.undo_stack.setClean()
    window.setWindowModified(False)


def test_survey_records_do_not_mark_the_window_modified(window):
    from gisapp.qt.undo import QtCommand

    class Saved:  # a surveys command already written to the project
        label = "Add record"
        done = 1

        def do(self):
            self.done += 1

        def undo(self):
            self.done -= 1

    window.undo_stack.push(QtCommand(Saved(), saves_immediately=True))
    assert not window.isWindowModified()
    window.undo_stack.undo()
    assert not window.isWindowModified()
    pipes = window.project.layers["pipes"]
    window.update_layer("pipes", pipes.iloc[:-1].reset_index(drop=True))
    assert window.isWindowModified()  # a layer edit outside the stack is still unsaved
    window.setWindowModified(False)


def test_checks_run_once_per_build(qtbot, window, monkeypatch):
    import network.checks

    calls = []
    real = network.checks.run_checks
    monkeypatch.setattr(network.checks, "run_checks", lambda net: calls.append(1) or real(net))
    pipes = window.project.layers["pipes"]
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        window.update_layer("pipes", pipes.iloc[:-1].reset_index(drop=True))
    state = window.network_ctl.state
    assert state.issue_index.findings == state.checks  # traces read the same findings
    assert calls == []  # … without running the checks a second time
    window.setWindowModified(False)


def test_the_legend_follows_the_connection_status_after_a_build(qtbot, window):
    if not window.network_ctl.is_current:
        with qtbot.waitSignal(window.network_updated, timeout=60000):
            pass
    item = window.layer_panel.layer_item("enterprises")
    labels = {item.child(i).text(0) for i in range(item.childCount())}
    assert {"已接管", "未接管"} <= labels  # not the "unknown" row of the first drawing
