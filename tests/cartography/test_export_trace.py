"""File → Export map prints the trace on the map (issue 17 item 4: the option was always off
because the dialog read a highlight group no trace draws in)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from network.trace import trace_downstream


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, demo_project):
    import gisapp.qt.main_window as mw
    from gisapp.qt.settings import AppSettings
    from gisapp.qt.workers import wait_for_all_jobs

    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )
    exts = ("gisapp.qt.inspect_tools", "gisapp.qt.trace_panel", "gisapp.qt.export_dialog")
    monkeypatch.setattr(mw, "EXTENSIONS", tuple(dict.fromkeys((*mw.EXTENSIONS, *exts))))
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    settings.language = "zh_CN"
    w = mw.MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.network_updated, timeout=60000):
        w.open_project(demo_project)
    yield w
    wait_for_all_jobs()
    w.undo_stack.setClean()
    w.setWindowModified(False)


def test_export_dialog_offers_and_prints_the_trace_of_the_trace_tool(
    qtbot, window, tmp_path, monkeypatch
):
    exporter = window.extensions["gisapp.qt.export_dialog"]
    dlg = exporter.open_dialog()
    qtbot.addWidget(dlg)
    assert not dlg.trace_check.isEnabled()  # nothing traced yet
    dlg.close()

    ctl = window.extensions["gisapp.qt.trace_panel"]
    with qtbot.waitSignal(ctl.trace_finished, timeout=10000):
        ctl.trace_downstream("E01")
    expected = set(trace_downstream(window.network_ctl.state.network, "E01").pipes)
    assert expected  # E01 drains somewhere

    dlg = exporter.open_dialog()
    qtbot.addWidget(dlg)
    assert dlg.trace_check.isEnabled()
    assert dlg.trace_check.isChecked()

    import gisapp.cartography.export as export_mod

    seen = {}
    real = export_mod.export_project_map

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(export_mod, "export_project_map", spy)
    dlg.path_edit.setText(str(tmp_path / "trace.png"))
    with qtbot.waitSignal(window.job_finished, timeout=60000):
        dlg._on_ok()
    assert set(seen["trace_pipes"]) == expected
    assert (tmp_path / "trace.png").stat().st_size > 10_000


def test_export_dialog_writes_a_dxf_with_the_chosen_scale(qtbot, window, tmp_path):
    exporter = window.extensions["gisapp.qt.export_dialog"]
    dlg = exporter.open_dialog()
    qtbot.addWidget(dlg)
    assert dlg.options()["scale"] is None  # the whole park on one page stays the default
    dlg.scale_combo.setCurrentIndex(dlg.scale_combo.findData(1000))
    dlg.rain_check.setChecked(False)
    dlg.path_edit.setText(str(tmp_path / "管网图.dxf"))
    opts = dlg.options()
    assert (opts["scale"], opts["rain"]) == (1000, "normal")
    with qtbot.waitSignal(window.job_finished, timeout=60000):
        dlg._on_ok()  # a DXF is a valid choice
    assert dlg.error_label.text() == ""
    assert exporter.last_path == tmp_path / "管网图.dxf"
    import ezdxf

    assert "污水管线" in ezdxf.readfile(tmp_path / "管网图.dxf").layers
