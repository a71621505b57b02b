"""Opening another project starts clean: no profile, search text or table filter survive."""

from __future__ import annotations

EXTS = ("gisapp.qt.inspect_tools", "gisapp.qt.trace_panel", "gisapp.qt.profile_dock")


def test_switching_projects_clears_profile_search_and_table_filter(
    qtbot, make_window, project_copy
):
    window = make_window(EXTS, wait_network=True)
    inspect = window.extensions["gisapp.qt.inspect_tools"]
    profile = window.extensions["gisapp.qt.profile_dock"]
    assert profile.show_profile("enterprise:E01") is not None
    assert profile.dock.profile is not None and profile.dock.export_button.isEnabled()
    inspect.search_edit.setText("E01")
    table = inspect.open_table("pipes")
    all_rows = table.model.rowCount()
    table.filter_edit.setText("system=rain")
    table.selected_only_check.setChecked(True)
    table.apply_filter()
    assert table.model.rowCount() < all_rows

    with qtbot.waitSignal(window.project_opened, timeout=30000):
        window.open_project(project_copy)

    assert profile.dock.profile is None and profile.dock.drawn == {}
    assert not profile.dock.export_button.isEnabled()
    assert inspect.search_edit.text() == ""
    assert inspect.tables["pipes"] is table  # the open table stays, on the new layer
    assert table.filter_edit.text() == "" and not table.selected_only_check.isChecked()
    assert table.model.layer is window.canvas.layer("pipes")
    assert table.model.rowCount() == all_rows
