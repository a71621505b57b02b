"""The Outfalls dock: register table, filters, trace, samples, decision, add from the map."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from surveys.outfalls.store import read_outfall_data

EXT = "gisapp.qt.outfalls_dock"


@pytest.fixture
def dock_window(make_window, project_copy):
    window = make_window(project=project_copy, wait_network=True)
    dock = window.extensions[EXT]
    dock.show_dock()
    assert dock.isVisible() and dock.register is not None
    return window, dock, project_copy


def _cell(table, row, col):
    return table.item(row, col).text()


def _row_of(dock, oid):
    return dock.visible_ids().index(oid)


def test_menu_entry_shows_the_register(make_window):
    window = make_window()
    dock = window.extensions[EXT]
    assert not dock.isVisible()
    dock.action.trigger()
    assert dock.isVisible()
    assert dock.visible_ids()[:3] == ["PK01", "PK02", "PK03"]
    assert len(dock.visible_ids()) == 10


def test_shared_outfall_lists_its_dischargers_and_highlights_the_trace(dock_window, qtbot):
    window, dock, _ = dock_window
    i = _row_of(dock, "PK07")
    assert _cell(dock.table, i, 5) == "共用"
    with qtbot.waitSignal(dock.outfall_selected, timeout=5000):
        assert dock.select_outfall("PK07")
    ids = [_cell(dock.dischargers_table, r, 0) for r in range(dock.dischargers_table.rowCount())]
    assert ids == ["E03", "E04", "E05"]
    shares = [_cell(dock.dischargers_table, r, 5) for r in range(3)]
    assert all(s.endswith("%") for s in shares)
    assert "548.0" in dock.balance_label.text()  # declared COD load, kg/d
    pipes = window.canvas.highlighted_ids("pipes", group="outfall_trace")
    assert len(pipes) == 6
    assert window.canvas.highlighted_ids("enterprises", "outfall_trace") == {"E03", "E04", "E05"}
    window.extensions["gisapp.qt.inspect_tools"].hub.escape_pressed.emit()
    assert not window.canvas.highlighted_ids("pipes", group="outfall_trace")


def test_filters_by_class_and_status(dock_window):
    _, dock, _ = dock_window
    dock.set_filters(class_code="rain")
    assert dock.visible_ids() == ["PK03", "PK04", "PK05", "PK06"]
    assert dock.count_label.text() == "4 of 10"
    dock.set_filters(status="shared")
    assert dock.visible_ids() == ["PK07"]
    dock.set_filters(status="unreachable")
    assert dock.visible_ids() == ["PK08", "PK09", "PK10"]
    dock.set_filters(class_code="plant_overflow")
    assert dock.visible_ids() == ["PK08"]


def test_a_sample_above_the_limit_is_flagged_and_undone(dock_window):
    window, dock, path = dock_window
    dock.select_outfall("PK07")
    form = dock.sample_form
    form.number_edits["flow_m3d"].setText("1300")
    form.number_edits["cod_mgl"].setText("320")  # GB 8978-1996 一级: COD 100 mg/L
    form.weather_combo.setCurrentIndex(form.weather_combo.findData("dry"))
    n = window.undo_stack.count()
    form.add_button.click()
    assert window.undo_stack.count() == n + 1
    assert not window.isWindowModified()  # saved at once
    assert len(read_outfall_data(path).records_of("PK07")) == 1
    assert dock.records_table.rowCount() == 1
    assert "超过" in _cell(dock.records_table, 0, 8)
    assert _cell(dock.table, _row_of(dock, "PK07"), 6) == "1"
    assert "416.0" in dock.balance_label.text()  # monitored 1300 m³/d × 320 mg/L
    window.undo_stack.undo()
    assert read_outfall_data(path).records_of("PK07") == []
    assert dock.records_table.rowCount() == 0
    assert _cell(dock.table, _row_of(dock, "PK07"), 6) == ""


def test_facts_are_saved_undoably(dock_window):
    window, dock, path = dock_window
    dock.select_outfall("PK03")
    dock.facts.set_value("registration", "已登记")
    dock.facts.set_value("responsible_unit", "园区管委会")
    dock.save_facts_button.click()
    entry = read_outfall_data(path).entries["PK03"]
    assert entry.value("registration") == "已登记"
    assert entry.value("responsible_unit") == "园区管委会"
    assert _cell(dock.table, _row_of(dock, "PK03"), 4) == "已登记"
    window.undo_stack.undo()
    assert read_outfall_data(path).entries["PK03"].value("registration") == ""


def test_sealing_the_shared_outfall_raises_ledger_problems(dock_window):
    from surveys.store import SurveyStore

    window, dock, path = dock_window
    dock.select_outfall("PK07")
    form = dock.decision_form
    form.set_decision("seal")
    form.deadline_edit.setText("2025年6月底")
    form.unit_edit.setText("生态环境局")
    form.save_button.click()
    d = read_outfall_data(path).decisions["PK07"]
    assert (d.decision, d.deadline, d.responsible_unit) == ("seal", "2025-06-30", "生态环境局")
    assert dock.last_ledger.added
    assert "台账" in dock.decision_label.text() or "Ledger" in dock.decision_label.text()
    with SurveyStore(path) as store:
        problems = store.records("problem")
    assert any("PK07" in (p.source_ref or "") for p in problems)
    assert _cell(dock.table, _row_of(dock, "PK07"), 7) == "取缔封堵"
    sealed = [_cell(dock.seal_table, r, 0) for r in range(dock.seal_table.rowCount())]
    assert sealed == ["E03", "E04", "E05"]
    window.undo_stack.undo()
    assert "PK07" not in read_outfall_data(path).decisions
    assert _cell(dock.table, _row_of(dock, "PK07"), 7) == ""


def test_add_an_outfall_from_the_map(make_window, project_copy, qtbot):
    window = make_window(project=project_copy, wait_network=True)
    dock = window.extensions[EXT]
    dock.add_action.trigger()
    assert dock.isVisible()
    assert window.canvas.mode == "draw"
    p = window.project.layer("outfalls").geometry.iloc[0]
    x, y = p.x + 40.0, p.y + 25.0
    with qtbot.waitSignal(dock.add_dialog_shown, timeout=5000) as blocker:
        window.canvas.clicked.emit(x, y, Qt.KeyboardModifier.NoModifier)
    dlg = blocker.args[0]
    assert "CGCS2000" in dlg.position_label.text()
    dlg.id_edit.setText("PK11")
    dlg.facts.set_value("name", "暗管排口")
    dlg.facts.set_value("class", "domestic_scattered")
    dlg.facts.set_value("receiving_water", "清溪河")
    with qtbot.waitSignal(dock.refreshed, timeout=5000):
        dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    assert not dlg.isVisible()
    assert "PK11" in dock.visible_ids()
    assert dock.current_id() == "PK11"
    i = _row_of(dock, "PK11")
    assert _cell(dock.table, i, 1) == "暗管排口"
    assert _cell(dock.table, i, 2) == "城镇/农村生活污水散乱排口"
    assert dock.add_action.isChecked() is False
    window.undo_stack.setClean()

    again = make_window(project=project_copy, wait_network=True)
    dock2 = again.extensions[EXT]
    dock2.show_dock()
    assert "PK11" in dock2.visible_ids()
    row = dock2.row("PK11")
    assert row.origin == "field"
    assert (row.x, row.y) == pytest.approx((x, y))


def test_sealing_pk07_crosses_it_out_on_the_map(dock_window):
    from gisapp.cartography import symbology

    window, dock, _ = dock_window
    layer = window.canvas.layer("outfalls")
    assert layer.style == symbology.default_style("outfalls")  # no decision yet
    dock.select_outfall("PK07")
    form = dock.decision_form
    form.set_decision("seal")
    form.deadline_edit.setText("2025-06-30")
    form.unit_edit.setText("市生态环境局")
    form.save_button.click()
    row = int(layer.rows_of(["PK07"])[0])
    status = layer.column(symbology.OUTFALL_STATUS)
    assert status[row] == "sealed"
    assert set(status.tolist()) == {"sealed", "undecided"}
    assert symbology.is_outfall_status_style(layer.style)
    codes = symbology.classify(layer.style, layer.snapshot().style_frame())
    sealed = layer.style.symbol(int(codes[row]))
    assert sealed == symbology.outfall_status_symbol("industrial", "sealed")
    assert sealed.overlay == "x"
    legend = [e.label for e in symbology.legend_entries(layer.style, "point", "zh", data=None)]
    assert "取缔封堵（已封堵）" in legend
    window.undo_stack.undo()  # no decision left: the class symbols come back
    assert layer.column(symbology.OUTFALL_STATUS)[row] == "undecided"
    assert layer.style == symbology.default_style("outfalls")
