"""Main-window extension: the Park dossier dock (一园一档, 一企一档, 附件1-1 / 1-3).

``install(window)`` adds *Surveys → Park dossier* and returns the :class:`DossierDock`
(docked right, hidden until asked for). The dock has three tabs over one header that shows
the completeness at a glance (``齐全 17/20``):

* **Park facts** (:mod:`gisapp.qt.dossier_form`): every field of the park record, checked
  while typed; computed figures beside their overrides;
* **Checklist** (:mod:`gisapp.qt.dossier_checklist`): the 20 items in their six groups, with
  status, files (attach, open, remove) and the reviewer's note and date;
* **Enterprise files**: pick an enterprise (from the list, or click it on the map while the
  tab is shown), its 生产规模 / 运行情况 and its five 一企一档 items.

Below the tabs: export the dossier (Word file and the folder 按序夹装, off the GUI thread with
``window.run_job``), 附件1-3 and 附件1-1 as Excel. Every write goes through
:class:`surveys.dossier.park.ParkStore` as an undoable step on ``window.undo_stack``
(:mod:`gisapp.qt.dossier_edits`; saved at once, so it never marks the project modified). The
dock reads the project again on ``project_opened`` and after every network rebuild (the
figures come from the network statistics and the connection register).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gisapp.qt.docking import SubjectDock, install_subject_dock
from gisapp.qt.dossier_checklist import STATUS_COLORS, ChecklistPanel
from gisapp.qt.dossier_edits import (
    AttachFiles,
    RemoveAttachments,
    SetEnterprise,
    SetParkValues,
    SetReview,
)
from gisapp.qt.dossier_form import ParkFactsForm
from gisapp.qt.errors import handle_error
from gisapp.qt.undo import push_applied
from network import schema as S
from surveys.dossier.build import Dossier, load_dossier
from surveys.dossier.codes import DossierError
from surveys.dossier.figures import compute_figures, format_value, park_values
from surveys.dossier.pack import load_pack
from surveys.dossier.park import FIELDS_BY_CODE, Attachment, Review, checklist, read_park
from surveys.dossier.tables import enterprise_rows

log = logging.getLogger(__name__)

EXTENSION_NAME = "gisapp.qt.dossier_dock"
DOCK_WIDTH_PX = 560
PICK_TOLERANCE_PX = 10.0
ATTACH_FILTER = "*.pdf *.doc *.docx *.xls *.xlsx *.jpg *.jpeg *.png *.tif *.tiff *.bmp *.ofd"


def light_dossier(project: Any) -> Dossier:
    """The dossier before the network is built: the record, the checklist and the figures
    that need no network (the rest follows on ``network_updated``)."""
    path = Path(project.path)
    record = read_park(path)
    pack = load_pack()
    computed = compute_figures(project)  # boundary, enterprises, plants: no network needed
    values = park_values(record, computed)
    d = Dossier(project, record, values, computed, {}, None, [], pack, dt.date.today())
    d.items = checklist(record, path, pack=pack, enterprise_ids=d.enterprise_ids())
    d.enterprises = enterprise_rows(
        project.layers.get(S.ENTERPRISES), None, record, project.layers.get(S.PLANTS)
    )
    return d


def export_job(
    path: Path, project: Any, checked: Any, out: Path, with_map: bool, messages: tuple[str, str]
):
    """Progress generator: read the dossier again and export it (Word, folder, Excel)."""
    from gisapp.cli.dossier_commands import map_producer
    from surveys.dossier.export import export_dossier

    yield 0.05, messages[0]
    d = load_dossier(path, project=project, checked=checked)
    yield 0.25, messages[1]
    producers = {"flow_map": map_producer(d)} if with_map else {}
    result = export_dossier(d, out, producers=producers)
    yield 1.0, messages[1]
    return result


class DossierDock(SubjectDock):
    """The Park dossier dock (see the module docstring)."""

    DOCK_WIDTH_PX = DOCK_WIDTH_PX

    refreshed = Signal()
    exported = Signal(object)  # surveys.dossier.export.ExportResult
    export_failed = Signal(object)  # exception

    def __init__(self, window: Any) -> None:
        super().__init__(self.tr("Park dossier"), window)
        self.setObjectName("dossier_dock")
        self.window_ = window
        self.dossier: Dossier | None = None
        self._ent_ids: list[str] = []
        body = QWidget()
        box = QVBoxLayout(body)
        head = QHBoxLayout()
        self.park_label = QLabel(objectName="park_name_label")
        self.park_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.completeness_label = QLabel(objectName="completeness_label")
        self.completeness_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.breakdown_label = QLabel(objectName="breakdown_label")
        head.addWidget(self.park_label, 1)
        head.addWidget(self.breakdown_label)
        head.addWidget(self.completeness_label)
        box.addLayout(head)

        self.tabs = QTabWidget(objectName="dossier_tabs")
        self.form = ParkFactsForm()
        self.form.value_committed.connect(self._on_form_value_committed)
        self.checklist = ChecklistPanel()
        self._connect_panel(self.checklist)
        self.enterprise_page = self._build_enterprise_page()
        self.tabs.addTab(self.form, self.tr("Park facts"))
        self.tabs.addTab(self.checklist, self.tr("Checklist (20 items)"))
        self.tabs.addTab(self.enterprise_page, self.tr("Enterprise files"))
        box.addWidget(self.tabs, 1)
        box.addLayout(self._build_export_row())
        self.export_label = QLabel(objectName="export_label")
        self.export_label.setWordWrap(True)
        self.export_label.setOpenExternalLinks(True)
        self.export_label.hide()
        box.addWidget(self.export_label)
        self.setWidget(body)
        self.setMinimumWidth(420)

        window.project_opened.connect(self._on_window_project_opened)
        window.network_updated.connect(self._on_window_network_updated)
        window.canvas.clicked.connect(self._on_canvas_clicked)

    # --- building -----------------------------------------------------------------------------
    def _build_enterprise_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(4, 4, 4, 4)
        self.enterprise_combo = QComboBox(objectName="enterprise_combo")
        self.enterprise_combo.currentIndexChanged.connect(self._on_enterprise_combo_changed)
        box.addWidget(self.enterprise_combo)
        hint = QLabel(self.tr("Or click an enterprise on the map while this tab is shown."))
        hint.setStyleSheet("color: #555;")
        box.addWidget(hint)
        form = QFormLayout()
        self.enterprise_info = QLabel(objectName="enterprise_info_label")
        self.enterprise_info.setWordWrap(True)
        self.scale_edit = QLineEdit(objectName="enterprise_scale_edit")
        self.operation_edit = QLineEdit(objectName="enterprise_operation_edit")
        self.scale_edit.editingFinished.connect(self._on_enterprise_fact_edited)
        self.operation_edit.editingFinished.connect(self._on_enterprise_fact_edited)
        form.addRow(self.tr("Connection"), self.enterprise_info)
        form.addRow(self.tr("Production scale"), self.scale_edit)
        form.addRow(self.tr("Operation"), self.operation_edit)
        box.addLayout(form)
        self.enterprise_panel = ChecklistPanel(ent_id="")
        self._connect_panel(self.enterprise_panel)
        box.addWidget(self.enterprise_panel, 1)
        row = QHBoxLayout()
        self.enterprise_summary = QLabel(objectName="enterprise_summary_label")
        row.addWidget(self.enterprise_summary, 1)
        self.enterprise_list_button = QPushButton(
            self.tr("Enterprise list (Excel)…"), objectName="enterprise_list_button"
        )
        self.enterprise_list_button.clicked.connect(self._on_enterprise_list_button_clicked)
        row.addWidget(self.enterprise_list_button)
        box.addLayout(row)
        return page

    def _build_export_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.export_button = QPushButton(
            self.tr("Export dossier (Word + folder)…"), objectName="export_dossier_button"
        )
        self.export_button.setToolTip(
            self.tr(
                "The Word dossier, the folder in item order with its contents list, "
                "annexes 1-3 and 1-1 and the enterprise list"
            )
        )
        self.map_check = QCheckBox(self.tr("with the flow map"), objectName="with_map_check")
        self.map_check.setChecked(True)
        self.annex13_button = QPushButton(
            self.tr("Annex 1-3 (Excel)…"), objectName="annex13_button"
        )
        self.annex11_button = QPushButton(
            self.tr("Annex 1-1 (Excel)…"), objectName="annex11_button"
        )
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.annex13_button.clicked.connect(self._on_annex13_button_clicked)
        self.annex11_button.clicked.connect(self._on_annex11_button_clicked)
        row.addWidget(self.export_button)
        row.addWidget(self.map_check)
        row.addStretch(1)
        row.addWidget(self.annex13_button)
        row.addWidget(self.annex11_button)
        return row

    def _connect_panel(self, panel: ChecklistPanel) -> None:
        panel.attach_requested.connect(lambda code, p=panel: self._ask_attach(p, code))
        panel.open_requested.connect(self.open_attachment)
        panel.remove_requested.connect(
            lambda files, p=panel: self.remove_attachments(files, p.ent_id)
        )
        panel.review_requested.connect(self.set_review)

    # --- reading ------------------------------------------------------------------------------
    @property
    def project_path(self) -> Path | None:
        project = self.window_.project
        return Path(project.path) if project is not None else None

    def refresh(self) -> None:
        """Read the park record again and show it (later, when the dock is hidden)."""
        project = self.window_.project
        if project is None:
            self.dossier = None
            self._set_enabled(False)
            return
        if self.defer_while_hidden():
            return
        state = self.window_.network_ctl.state
        try:
            if state is None:
                d = light_dossier(project)
            else:
                d = load_dossier(project.path, project=project, checked=state)
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            self._set_enabled(False)
            return
        self.dossier = d
        self._set_enabled(True)
        self._show(d)
        self.refreshed.emit()

    def _set_enabled(self, on: bool) -> None:
        for w in (self.tabs, self.export_button, self.annex13_button, self.annex11_button):
            w.setEnabled(on)
        if not on:
            self.park_label.setText(self.tr("No project"))
            self.completeness_label.clear()
            self.breakdown_label.clear()

    def _show(self, d: Dossier) -> None:
        self.park_label.setText(d.park_name)
        done, total = d.completeness()
        counts = {s: sum(i.status == s for i in d.items) for s in STATUS_COLORS}
        self.completeness_label.setText(
            self.tr("Complete %1/%2").replace("%1", str(done)).replace("%2", str(total))
        )
        color = STATUS_COLORS["complete" if done == total else "partial" if done else "missing"]
        self.completeness_label.setStyleSheet(
            f"font-size: 15px; font-weight: bold; color: {color}"
        )
        self.breakdown_label.setText(
            self.tr("partial %1 · missing %2")
            .replace("%1", str(counts["partial"]))
            .replace("%2", str(counts["missing"]))
        )
        self.tabs.setTabText(
            1, self.tr("Checklist %1/%2").replace("%1", str(done)).replace("%2", str(total))
        )
        self.form.show_values(d.record.values, d.values)
        self.checklist.show_items(d.items, d.pack, d.path, grouped=True)
        self._show_enterprises(d)

    def _show_enterprises(self, d: Dossier) -> None:
        ids = [e.ent_id for e in d.enterprises]
        if ids != self._ent_ids:
            keep = self.current_enterprise()
            self._ent_ids = ids
            self.enterprise_combo.blockSignals(True)
            self.enterprise_combo.clear()
            for e in d.enterprises:
                self.enterprise_combo.addItem(f"{e.ent_id}  {e.name}", e.ent_id)
            i = self.enterprise_combo.findData(keep) if keep else -1
            self.enterprise_combo.setCurrentIndex(max(i, 0) if ids else -1)
            self.enterprise_combo.blockSignals(False)
        self._show_enterprise()

    def current_enterprise(self) -> str:
        """The id of the enterprise shown on the Enterprise files tab ("" when none)."""
        return str(self.enterprise_combo.currentData() or "")

    def select_enterprise(self, ent_id: str) -> None:
        """Show the files of enterprise ``ent_id``."""
        i = self.enterprise_combo.findData(str(ent_id))
        if i >= 0:
            self.enterprise_combo.setCurrentIndex(i)

    def _show_enterprise(self) -> None:
        d, eid = self.dossier, self.current_enterprise()
        row = next((e for e in d.enterprises if e.ent_id == eid), None) if d else None
        self.enterprise_page.setEnabled(row is not None)
        if d is None or row is None:
            self.enterprise_panel.show_items([], load_pack(), Path("."), grouped=False)
            self.enterprise_info.clear()
            return
        connected = self.tr("connected") if row.connected else self.tr("not connected")
        flow = format_value(row.flow_tpd)
        info = ", ".join(x for x in (connected, row.plant, f"{flow} t/d" if flow else "") if x)
        self.enterprise_info.setText(info)
        self.scale_edit.setText(row.scale)
        self.operation_edit.setText(row.operation)
        self.enterprise_panel.ent_id = eid
        self.enterprise_panel.show_items(d.enterprise_items(eid), d.pack, d.path, grouped=False)
        n_ok = 0
        for e in d.enterprises:
            n_ok += all(s.status == "complete" for s in d.enterprise_items(e.ent_id))
        self.enterprise_summary.setText(
            self.tr("Complete files: %1 of %2 enterprises")
            .replace("%1", str(n_ok))
            .replace("%2", str(len(d.enterprises)))
        )

    def _on_enterprise_combo_changed(self, _index: int) -> None:
        self._show_enterprise()

    def _on_window_project_opened(self, _project: Any) -> None:
        self._ent_ids = []
        self.export_label.hide()
        self.refresh()

    def _on_window_network_updated(self, _state: Any) -> None:
        self.refresh()

    def _on_canvas_clicked(self, x: float, y: float, _modifiers: Any) -> None:
        if not self.isVisible() or self.tabs.currentWidget() is not self.enterprise_page:
            return
        project = self.window_.project
        ents = project.layers.get(S.ENTERPRISES) if project is not None else None
        if ents is None or not len(ents):
            return
        import shapely

        dist = ents.geometry.distance(shapely.Point(x, y))
        i = int(dist.values.argmin())
        if float(dist.iloc[i]) <= self.window_.canvas.pixels_to_map_units(PICK_TOLERANCE_PX):
            self.select_enterprise(str(ents[S.ENT_ID].iloc[i]))

    # --- writing ------------------------------------------------------------------------------
    def _push(self, command: Any) -> bool:
        try:
            command.do()
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            return False
        push_applied(self.window_.undo_stack, command, self.window_, saves_immediately=True)
        return True

    def set_value(self, code: str, value: str) -> bool:
        """Set one field of the park record (or a figure's override; "" clears), undoably."""
        path, d = self.project_path, self.dossier
        if path is None or d is None:
            return False
        old = {code: d.record.value(code)}
        label = self.tr("Set %1").replace("%1", FIELDS_BY_CODE[code].title)
        return self._push(SetParkValues(path, {code: value}, old, label, self.refresh))

    def _on_form_value_committed(self, code: str, value: str) -> None:
        self.set_value(code, value)

    def _on_enterprise_fact_edited(self) -> None:
        d, eid, path = self.dossier, self.current_enterprise(), self.project_path
        row = next((e for e in d.enterprises if e.ent_id == eid), None) if d else None
        if row is None or path is None:
            return
        new = {"scale": self.scale_edit.text().strip(), "operation": self.operation_edit.text()}
        new["operation"] = new["operation"].strip()
        old = {"scale": row.scale, "operation": row.operation}
        if new == old:
            return
        label = self.tr("Set enterprise %1").replace("%1", eid)
        self._push(SetEnterprise(path, eid, new, old, label, self.refresh))

    def _ask_attach(self, panel: ChecklistPanel, code: str) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Attach files to %1").replace("%1", code),
            str(self.project_path.parent) if self.project_path else "",
            self.tr("Documents and images (%1);;All files (*)").replace("%1", ATTACH_FILTER),
        )
        if files:
            self.attach_files(code, files, panel.ent_id)

    def attach_files(self, item: str, files: list[str | Path], ent_id: str = "") -> bool:
        """Attach files to an item of the park (or of enterprise ``ent_id``), undoably."""
        path = self.project_path
        if path is None or not files:
            return False
        label = self.tr("Attach %1 file(s) to %2").replace("%1", str(len(files)))
        cmd = AttachFiles(path, item, ent_id, files, label.replace("%2", item), self.refresh)
        return self._push(cmd)

    def remove_attachments(self, files: list[Attachment], _ent_id: str = "") -> bool:
        """Remove attachments from the dossier (the files stay on disk), undoably."""
        path = self.project_path
        if path is None or not files:
            return False
        label = self.tr("Remove %1 attachment(s)").replace("%1", str(len(files)))
        return self._push(RemoveAttachments(path, files, label, self.refresh))

    def set_review(self, review: Review) -> bool:
        """Record an item's reviewed status, note and date (status None: automatic)."""
        path, d = self.project_path, self.dossier
        if path is None or d is None:
            return False
        old = d.record.reviews.get((review.item, review.ent_id))
        label = self.tr("Review %1").replace("%1", review.item)
        return self._push(SetReview(path, review, old, label, self.refresh))

    def open_attachment(self, a: Attachment) -> bool:
        """Open an attached file with the system's program for it."""
        path = self.project_path
        if path is None:
            return False
        p = a.resolved(path)
        if not p.is_file():
            msg = self.tr("The file %1 is missing: it was moved or deleted. Attach it again.")
            handle_error(self.window_, DossierError(msg.replace("%1", str(p)), file=str(p)))
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(p)))

    # --- exporting ----------------------------------------------------------------------------
    def export_to(self, folder: str | Path, *, with_map: bool | None = None) -> Any:
        """Export the dossier into ``folder`` off the GUI thread (``exported`` when done)."""
        w = self.window_
        if w.project is None:
            return None
        with_map = self.map_check.isChecked() if with_map is None else with_map
        messages = (self.tr("Reading the dossier"), self.tr("Writing the dossier"))
        self.export_label.hide()
        return w.run_job(
            self.tr("Exporting the park dossier"),
            export_job,
            Path(w.project.path),
            w.project,
            w.network_ctl.state,
            Path(folder),
            with_map,
            messages,
            on_done=self._on_export_done,
            on_failed=self.export_failed.emit,
        )

    def _on_export_done(self, result: Any) -> None:
        url = QUrl.fromLocalFile(str(result.folder.parent)).toString()
        text = self.tr("Wrote %1 and the folder %2 (%3 files).")
        text = (
            text.replace("%1", result.docx.name if result.docx else "")
            .replace("%2", f'<a href="{url}">{result.folder}</a>')
            .replace("%3", str(len(result.files)))
        )
        if result.missing:
            text += " " + self.tr(
                "%1 attached file(s) missing: marked in the contents list."
            ).replace("%1", str(len(result.missing)))
        self.export_label.setText(text)
        self.export_label.show()
        self.window_.statusBar().showMessage(self.tr("Dossier exported"), 5000)
        self.exported.emit(result)

    def _on_export_button_clicked(self) -> None:
        start = str(self.project_path.parent) if self.project_path else ""
        folder = QFileDialog.getExistingDirectory(self, self.tr("Export the dossier to"), start)
        if folder:
            self.export_to(folder)

    def write_table(self, which: str, path: str | Path) -> Path | None:
        """Write 附件1-3 (``which="annex13"``), 附件1-1 (``annex11``) or the enterprise list
        (``enterprises``) of this park."""
        from surveys.dossier.tables import write_annex11, write_annex13, write_enterprise_list

        d = self.dossier
        if d is None:
            return None
        try:
            if which == "annex13":
                out = write_annex13([d.values], path)
            elif which == "annex11":
                out = write_annex11([d.values], path)
            else:
                out = write_enterprise_list(d.enterprises, path, park_name=d.park_name)
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            return None
        self.window_.statusBar().showMessage(self.tr("Wrote %1").replace("%1", str(out)), 5000)
        return out

    def _ask_table(self, which: str, name: str) -> None:
        d = self.dossier
        if d is None:
            return
        start = str(d.path.parent / f"{name} {d.park_name}.xlsx")
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save %1").replace("%1", name), start, self.tr("Excel (*.xlsx)")
        )
        if path:
            self.write_table(which, path)

    def _on_annex13_button_clicked(self) -> None:
        self._ask_table("annex13", "附件1-3")

    def _on_annex11_button_clicked(self) -> None:
        self._ask_table("annex11", "附件1-1")

    def _on_enterprise_list_button_clicked(self) -> None:
        self._ask_table("enterprises", "园区企业情况总表")


def install(window: Any) -> DossierDock:
    """Add the Park dossier dock (right, hidden) and *Surveys → Park dossier*."""
    dock = DossierDock(window)
    install_subject_dock(
        window,
        dock,
        window.surveys_menu,
        dock.tr("Park dossier…"),
        "park_dossier_action",
        separator=True,
    )
    return dock
