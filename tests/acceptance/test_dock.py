"""The Acceptance dock: score at a glance, items, manual scoring, survey answers, files."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox

from surveys.acceptance.store import read_acceptance

EXT = "gisapp.qt.acceptance_dock"


@pytest.fixture
def dock_window(qtbot, tmp_path, monkeypatch, small_park):
    import gisapp.qt.main_window as mw
    from gisapp.qt.settings import AppSettings

    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )
    errors = []
    monkeypatch.setattr(
        "gisapp.qt.acceptance_dock.handle_error", lambda _w, exc: errors.append(exc)
    )
    if EXT not in mw.EXTENSIONS:
        monkeypatch.setattr(mw, "EXTENSIONS", (*mw.EXTENSIONS, EXT))
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    w = mw.MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    with qtbot.waitSignal(w.network_updated, timeout=60000):
        w.open_project(small_park)
    dock = w.extensions[EXT]
    dock.date_edit.setDate(dock.date_edit.date().fromString("2025-01-10", "yyyy-MM-dd"))
    dock.action.trigger()
    qtbot.waitUntil(lambda: dock.assessment is not None, timeout=10000)
    yield w, dock, small_park, errors
    from gisapp.qt.workers import wait_for_all_jobs

    wait_for_all_jobs()
    w.undo_stack.setClean()
    w.setWindowModified(False)


def test_dock_shows_the_score_and_takes_manual_scores(dock_window, tmp_path, monkeypatch):
    _w, dock, _path, errors = dock_window
    assert dock.isVisible()
    # the small park with nothing answered: S1 5, S5 2.25, N1 6, N2 6, N3 4, N4 8, N6 3,
    # P1 6, P2 4, P3 4, M1 5 = 53.25
    assert dock.score_label.text() == "53.25 / 100"
    assert "not passed" in dock.verdict_label.text()
    assert "源（企业） 7.25/30" in dock.subtotals_label.text()
    assert "not an official" in dock.pack_label.text()
    assert dock.items_tree.topLevelItemCount() == 4
    n1 = dock._item_rows["N1"]
    assert (n1.text(1), n1.text(2)) == ("6", "8")
    dock.grab().save(str(tmp_path / "dock.png"))
    assert errors == []

    # a manual score with its reason and evidence
    path = _path
    dock.select_item("M3")
    assert dock.set_score_button.isEnabled()
    dock.manual_spin.setValue(2)
    dock.reason_edit.setText("平台仅部分上线")
    dock.set_score_button.click()
    assert dock.assessment.item("M3").score == 2.0
    assert dock.score_label.text() == "55.25 / 100"
    w = _w
    w.undo_stack.undo()  # the manual score is taken back …
    assert dock.score_label.text() == "53.25 / 100"
    assert "M3" not in read_acceptance(path).manual_scores(dock.pack.id)
    w.undo_stack.redo()  # … and given again
    assert dock.score_label.text() == "55.25 / 100"
    assert not w.isWindowModified()  # written to the file at once
    ev = tmp_path / "截图.png"
    ev.write_bytes(b"png")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(ev)], ""))
    )
    dock.attach_button.click()
    assert dock.evidence_list.count() == 1
    assert read_acceptance(path).evidence[0].target == "item:M3"
    # an automatic item with data takes no manual score
    dock.select_item("S1")
    assert not dock.set_score_button.isEnabled()
    # below full points without a reason: refused, nothing stored
    dock.select_item("M4")
    dock.manual_spin.setValue(1)
    dock.reason_edit.setText("")
    dock.set_score_button.click()
    assert len(errors) == 1 and "reason" in errors[0].message
    assert "M4" not in read_acceptance(path).manual_scores(dock.pack.id)


def test_survey_answers_raise_the_score_and_scores_are_kept(dock_window, tmp_path):
    _w, dock, path, errors = dock_window
    dock.tabs.setCurrentIndex(1)
    k = dock.subject_combo.findData("ent:E1")
    dock.subject_combo.setCurrentIndex(k)
    dock.answer_combos["rs_separation"].setCurrentText("是")
    dock.answer_combos["pretreatment"].setCurrentText("是")
    dock.save_answers_button.click()
    assert read_acceptance(path).answer("ent:E1", "rs_separation") == "是"
    # S2 6 × 1/4 = 1.5, S4 4 × 1/4 = 1
    assert dock.assessment.total == pytest.approx(53.25 + 2.5)
    k = dock.subject_combo.findData("plant:W1")
    dock.subject_combo.setCurrentIndex(k)
    dock.answer_combos["stable_compliance"].setCurrentText("是")
    dock.save_answers_button.click()
    assert dock.assessment.item("P4").score == 6.0
    dock.grab().save(str(tmp_path / "survey.png"))

    assert dock.score_and_keep()
    assert "Kept 2025-01-10" in dock.message_label.text()
    assert "2025-01-10 61.75" in dock.history_label.text()
    hist = read_acceptance(path).history(dock.pack.id)
    assert [(h.assessed, h.total) for h in hist] == [("2025-01-10", 61.75)]

    out = tmp_path / "评分表.xlsx"
    dock.write_checklist(str(out))
    dock.write_survey(str(tmp_path / "调查表.xlsx"))
    dock.write_report(str(tmp_path / "报告.docx"))
    assert out.exists() and (tmp_path / "报告.docx").exists()
    assert errors == []
