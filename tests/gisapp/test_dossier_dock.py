"""The Park dossier dock: facts form, checklist with files, enterprise files, export."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog

from surveys.dossier.park import read_park

EXT = "gisapp.qt.dossier_dock"
VALID_CODE = "91350100M000100Y43"
WRONG_CHECK = "91350100M000100Y44"


@pytest.fixture
def dock_window(make_window, project_copy):
    window = make_window(project=project_copy, wait_network=True)
    dock = window.extensions[EXT]
    dock.show_dock()
    assert dock.isVisible() and dock.dossier is not None
    return window, dock, project_copy


def _type(editor, text):
    editor.edit.setText(text)
    editor.edit.textEdited.emit(text)
    editor.edit.editingFinished.emit()


def _attach_with_dialog(monkeypatch, panel, item, files):
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileNames",
        staticmethod(lambda *a, **k: ([str(f) for f in files], "")),
    )
    panel.select_item(item)
    assert panel.attach_button.isEnabled()
    panel.attach_button.click()


def test_menu_entry_shows_the_dock(make_window):
    window = make_window()
    dock = window.extensions[EXT]
    assert not dock.isVisible()
    dock.action.trigger()
    assert dock.isVisible()
    assert dock.park_label.text() == "益泉精细化工产业园"
    assert dock.completeness_label.text() == "Complete 0/20"


def test_facts_are_saved_and_a_wrong_credit_code_is_not(dock_window):
    window, dock, path = dock_window
    form = dock.form
    _type(form.editors["city"], "益阳市")
    assert read_park(path).value("city") == "益阳市"
    n = window.undo_stack.count()
    assert not window.isWindowModified()  # saved at once

    credit = form.editors["credit_code"]
    _type(credit, WRONG_CHECK)
    assert credit.error_label.isVisibleTo(credit)
    message = credit.error_label.text()
    assert "18" in message and "“3”" in message and "Y4[4]" in message
    assert read_park(path).value("credit_code") == ""
    assert window.undo_stack.count() == n
    assert credit.edit.text() == WRONG_CHECK  # what was typed stays, marked, unsaved

    credit.edit.setText("91350100M00010OY43")
    credit.edit.textEdited.emit(credit.edit.text())
    assert "15 “O”" in credit.error_label.text()  # the letter O is not in the code set

    _type(credit, VALID_CODE.lower())
    assert not credit.error_label.isVisibleTo(credit)
    assert read_park(path).value("credit_code") == VALID_CODE
    assert credit.edit.text() == VALID_CODE

    _type(form.editors["report_date"], "2024年6月30日")
    assert read_park(path).value("report_date") == "2024-06-30"

    window.undo_stack.undo()
    window.undo_stack.undo()
    assert read_park(path).value("credit_code") == ""
    assert form.editors["credit_code"].edit.text() == ""
    window.undo_stack.redo()
    assert read_park(path).value("credit_code") == VALID_CODE


def test_override_shows_the_computed_figure_and_clears(dock_window):
    _window, dock, path = dock_window
    area = dock.form.editors["area_km2"]
    computed = dock.dossier.values["area_km2"].computed
    assert computed is not None
    assert area.edit.placeholderText() == f"{computed:g}"
    assert not area.clear_button.isEnabled()
    _type(area, "3.4")
    assert read_park(path).value("area_km2") == "3.4"
    assert dock.dossier.values["area_km2"].overridden
    assert f"{computed:g}" in area.computed_label.text()
    assert area.clear_button.isEnabled()
    area.clear_button.click()
    assert read_park(path).value("area_km2") == ""
    assert dock.dossier.values["area_km2"].value == computed


def test_attach_review_reopen_and_remove(dock_window, monkeypatch, qtbot):
    window, dock, path = dock_window
    evidence = path.parent / "环保批复.pdf"
    evidence.write_bytes(b"%PDF-1.4 approval")
    panel = dock.checklist
    assert panel.status_of("Y01").status == "missing"

    _attach_with_dialog(monkeypatch, panel, "Y01", [evidence])
    assert panel.status_of("Y01").status == "partial"
    rows = panel.file_rows("Y01")
    assert [r.text(0) for r in rows] == ["环保批复.pdf"]

    panel.select_item("Y01")
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("complete"))
    panel.reviewer_edit.setText("张三")
    panel.note_edit.setText("批复齐全")
    panel.date_edit.setText("2024/7/1")
    panel.save_review_button.click()
    assert panel.status_of("Y01").status == "complete"
    assert dock.completeness_label.text() == "Complete 1/20"
    assert not window.isWindowModified()

    with qtbot.waitSignal(window.project_opened, timeout=30000):
        window.open_project(path)
    rec = read_park(path)
    assert [a.path for a in rec.files] == ["环保批复.pdf"]
    assert rec.reviews[("Y01", "")].reviewed == "2024-07-01"
    panel = dock.checklist
    assert [r.text(0) for r in panel.file_rows("Y01")] == ["环保批复.pdf"]
    assert dock.completeness_label.text() == "Complete 1/20"

    opened = []
    monkeypatch.setattr(
        "gisapp.qt.dossier_dock.QDesktopServices.openUrl", lambda url: opened.append(url) or True
    )
    panel.tree.setCurrentItem(panel.file_rows("Y01")[0])
    panel.open_button.click()
    assert opened and opened[0].toLocalFile() == str(evidence)

    panel.tree.setCurrentItem(panel.file_rows("Y01")[0])
    panel.remove_button.click()
    assert read_park(path).files == ()
    assert panel.file_rows("Y01") == []
    assert evidence.exists()  # the file itself stays
    window.undo_stack.undo()
    assert [a.path for a in read_park(path).files] == ["环保批复.pdf"]


def test_a_missing_file_is_marked(dock_window):
    _window, dock, path = dock_window
    scan = path.parent / "规划.pdf"
    scan.write_bytes(b"%PDF-1.4 plan")
    assert dock.attach_files("Y02", [scan])
    scan.unlink()
    dock.refresh()
    st = dock.checklist.status_of("Y02")
    assert st.status == "missing" and len(st.missing_files) == 1
    assert "file missing" in dock.checklist.file_rows("Y02")[0].text(0)


def test_enterprise_files(dock_window, monkeypatch):
    _window, dock, path = dock_window
    dock.tabs.setCurrentWidget(dock.enterprise_page)
    dock.select_enterprise("E02")
    assert dock.current_enterprise() == "E02"
    panel = dock.enterprise_panel
    assert [panel.status_of(f"Q{i}").status for i in range(1, 6)] == ["missing"] * 5
    licence = path.parent / "营业执照.jpg"
    licence.write_bytes(b"\xff\xd8\xff jpeg")
    _attach_with_dialog(monkeypatch, panel, "Q2", [licence])
    assert panel.status_of("Q2").status == "partial"
    assert read_park(path).files_of("Q2", "E02")[0].path == "营业执照.jpg"
    dock.scale_edit.setText("年产 5 万吨")
    dock.scale_edit.editingFinished.emit()
    assert read_park(path).value("ent:E02:scale") == "年产 5 万吨"


def test_export_word_folder_and_tables(dock_window, qtbot, tmp_path):
    _window, dock, _path = dock_window
    out = tmp_path / "out"
    with qtbot.waitSignal(dock.exported, timeout=120000) as sig:
        dock.export_to(out, with_map=False)
    result = sig.args[0]
    assert result.docx is not None and result.docx.is_file()
    assert result.docx.suffix == ".docx" and result.docx.parent == out
    assert (result.folder / "目录.xlsx").is_file()
    assert dock.export_label.isVisibleTo(dock)
    table = dock.write_table("annex13", tmp_path / "附件1-3.xlsx")
    assert table is not None and table.is_file()
