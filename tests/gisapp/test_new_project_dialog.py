"""File → New project: a failed import brings the same dialog back with everything the user set
(files, field mapping, encoding, CRS), so one fix and a retry are enough."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QMessageBox

from network.errors import NetworkError

SRC = Path(__file__).resolve().parents[2] / "resources" / "demo" / "src"


@pytest.fixture
def window(make_window):
    return make_window()


def choose(dlg, role: str, column: str | None) -> None:
    combo = dlg.roles_table.findChild(QComboBox, f"{role}_combo")
    combo.setCurrentIndex(combo.findData(column) if column else 0)


def fill_in(dlg, target: Path, crs: str) -> None:
    dlg.project_edit.setText(str(target))
    dlg.crs_edit.setText(crs)
    dlg.add_file("pipes", str(SRC / "pipes_rain.shp"))
    dlg.encoding_combo.setCurrentText("gbk")
    dlg.source_crs_edit.setText("EPSG:4525")
    dlg.source_crs_edit.editingFinished.emit()
    choose(dlg, "owner", None)  # the user clears a guess …
    choose(dlg, "material", "权属单位")  # … and changes another


def open_dialog(window):
    window.new_project_dialog()
    dlg = window._new_dialog
    assert dlg is not None and dlg.isVisible()
    return dlg


def test_a_failed_import_keeps_the_dialog_and_its_mapping(qtbot, window, tmp_path):
    dlg = open_dialog(window)
    target = tmp_path / "new" / "park.gpkg"
    target.parent.mkdir()
    fill_in(dlg, target, "EPSG:999999")  # not a CRS: the import fails
    before = dlg.job_arguments()
    assert before[2]["mapping"]["pipes"] == {"owner": None, "material": "权属单位"}
    with qtbot.waitSignal(window.job_finished, timeout=60000) as blocker:
        dlg._on_ok()
    assert isinstance(blocker.args[0], NetworkError)

    assert window._new_dialog is dlg and dlg.isVisible()
    assert "EPSG:999999" in dlg.error_label.text()
    assert dlg.job_arguments() == before
    assert dlg.encoding_combo.currentText() == "gbk"
    assert dlg.source_crs_edit.text() == "EPSG:4525"
    combo = dlg.roles_table.findChild(QComboBox, "material_combo")
    assert combo.currentData() == "权属单位"
    assert window.project.path.name == "demo_park.gpkg"  # the open project is kept

    dlg.crs_edit.setText("EPSG:4525")  # one fix, then retry
    with qtbot.waitSignal(window.project_opened, timeout=60000):
        dlg._on_ok()
    assert window.project.path == target
    pipes = window.project.layers["pipes"]
    assert pipes["owner"].isna().all()  # the user's mapping was used
    assert window._new_dialog is None


def test_an_import_raising_a_network_error_keeps_the_dialog(qtbot, window, tmp_path, monkeypatch):
    import gisapp.qt.main_window as mw

    def broken(*_a, **_k):
        raise NetworkError("FID column 'fid' should be of Arrow format int32/int64.")
        yield  # a generator, as the real job

    monkeypatch.setattr(mw, "create_project_job", broken)
    dlg = open_dialog(window)
    fill_in(dlg, tmp_path / "park.gpkg", "EPSG:4525")
    before = dlg.job_arguments()
    with qtbot.waitSignal(window.job_finished, timeout=60000):
        dlg._on_ok()
    assert dlg.isVisible()
    assert "FID column" in dlg.error_label.text()
    assert dlg.job_arguments() == before
    box = dlg.findChild(QMessageBox, "user_error_box")  # the message, on top of the dialog
    assert box is not None and box.isVisible()


def _row(dlg, role: str) -> int:
    return next(
        r for r in range(dlg.roles_table.rowCount()) if dlg.roles_table.item(r, 0).text() == role
    )


def test_each_guess_shows_how_sure_it_is_and_a_hand_choice_says_so(window):
    dlg = open_dialog(window)
    dlg.add_file("pipes", str(SRC / "pipes_rain.shp"))
    how_sure = dlg.roles_table.item(_row(dlg, "pipe_id"), 2).text()
    assert how_sure  # a known Chinese name (编号 …) was found, and the dialog says how
    assert dlg.roles_table.item(_row(dlg, "pipe_id"), 3).text()  # preview still shown
    choose(dlg, "material", "权属单位")
    assert dlg.roles_table.item(_row(dlg, "material"), 2).text() == dlg.tr("set by you")


def test_the_crs_hint_is_chinese_in_the_chinese_interface(window, tmp_path):
    import shutil

    from PySide6.QtCore import QLocale

    for ext in ("shp", "shx", "dbf"):  # the same pipes without their .prj
        shutil.copy(SRC / f"pipes_rain.{ext}", tmp_path / f"p.{ext}")
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    try:
        dlg = open_dialog(window)
        dlg.add_file("pipes", str(tmp_path / "p.shp"))
        text = dlg.crs_label.text()
    finally:
        QLocale.setDefault(before)
    assert "EPSG:4525" in text and "带" in text
