"""Main-window extension: the Acceptance dock (污水零直排区 zero-direct-discharge acceptance).

``install(window)`` adds *Surveys → Zero-direct-discharge acceptance* and returns the
:class:`AcceptanceDock` (docked right, hidden until asked for). The header shows the score at a
glance (``41.5 / 100 · not passed`` with the pass mark and the group subtotals) and the score
history. Two tabs:

* **Checklist**: the items by group with points, score, how they were scored and why; a manual
  item (or an automatic one without data) takes a score, a reason and evidence files here;
* **Survey**: the 源·网·厂 facts (自动 / 人工), and the form for one enterprise or plant:
  rain/sewage separation, separation by kind, pretreatment, online monitoring, stable
  compliance … with evidence files.

Below: *Score and keep* (kept under the date, lost points raised in the ledger), the checklist
and survey workbooks and the Word summary report. Everything is computed by
:mod:`surveys.acceptance` from the window's project and its checked network; answers and
scores are written to the project file at once (its acceptance tables).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gisapp.qt.docking import SubjectDock, install_subject_dock
from gisapp.qt.errors import handle_error
from gisapp.qt.undo import push_applied
from surveys.acceptance.commands import AttachEvidence, SetAnswers, SetManualScore
from surveys.acceptance.facts import FACT_LIST, PARTS, fact_text
from surveys.acceptance.pack import AcceptancePack, load_pack
from surveys.acceptance.score import Assessment, raise_lost_points, score_checklist
from surveys.acceptance.store import QUESTIONS, AcceptanceStore, read_acceptance
from surveys.acceptance.survey import (
    ENTERPRISE_COLUMNS,
    PLANT_COLUMNS,
    Survey,
    build_survey,
)

log = logging.getLogger(__name__)

EXTENSION_NAME = "gisapp.qt.acceptance_dock"
DOCK_WIDTH_PX = 600
EVIDENCE_FILTER = "*.pdf *.doc *.docx *.xls *.xlsx *.jpg *.jpeg *.png *.tif *.tiff *.bmp *.ofd"
STATUS_COLORS = {
    "full": "#2e7d32",
    "partial": "#ef6c00",
    "zero": "#c62828",
    "unscored": "#757575",
}
PASS_COLOR, FAIL_COLOR = "#2e7d32", "#c62828"
ANSWER_CHOICES = ("", "是", "否")


class AcceptanceDock(SubjectDock):
    """The zero-direct-discharge acceptance: score at a glance, items, survey form."""

    DOCK_WIDTH_PX = DOCK_WIDTH_PX

    refreshed = Signal()

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("acceptance_dock")
        self.setWindowTitle(self.tr("Zero-direct-discharge acceptance"))
        self.window_ = window
        self.pack: AcceptancePack = load_pack()
        self.survey: Survey | None = None
        self.assessment: Assessment | None = None
        self._item_rows: dict[str, QTreeWidgetItem] = {}

        body = QWidget()
        box = QVBoxLayout(body)
        head = QHBoxLayout()
        self.score_label = QLabel(objectName="score_label")
        self.score_label.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.verdict_label = QLabel(objectName="verdict_label")
        self.verdict_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        head.addWidget(self.score_label)
        head.addWidget(self.verdict_label, 1)
        self.date_edit = QDateEdit(objectName="date_edit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDate(QDate.currentDate())
        head.addWidget(QLabel(self.tr("Assessment date")))
        head.addWidget(self.date_edit)
        box.addLayout(head)
        self.subtotals_label = QLabel(objectName="subtotals_label")
        self.subtotals_label.setWordWrap(True)
        box.addWidget(self.subtotals_label)
        pack_row = QHBoxLayout()
        self.pack_label = QLabel(objectName="pack_label")
        self.pack_label.setWordWrap(True)
        self.pack_label.setStyleSheet("color: #555;")
        self.pack_button = QPushButton(self.tr("Load checklist pack…"), objectName="pack_button")
        self.pack_button.clicked.connect(self._on_pack_button_clicked)
        pack_row.addWidget(self.pack_label, 1)
        pack_row.addWidget(self.pack_button)
        box.addLayout(pack_row)
        self.history_label = QLabel(objectName="history_label")
        self.history_label.setWordWrap(True)
        box.addWidget(self.history_label)

        self.tabs = QTabWidget(objectName="acceptance_tabs")
        self.tabs.addTab(self._build_items_page(), self.tr("Checklist"))
        self.tabs.addTab(self._build_survey_page(), self.tr("Survey (source · network · plant)"))
        box.addWidget(self.tabs, 1)

        row = QHBoxLayout()
        self.score_button = QPushButton(self.tr("Score and keep"), objectName="score_button")
        self.score_button.setToolTip(
            self.tr("Keep the scores under the date and raise the lost points in the ledger")
        )
        self.checklist_button = QPushButton(
            self.tr("Checklist (Excel)…"), objectName="checklist_xlsx_button"
        )
        self.survey_button = QPushButton(
            self.tr("Survey (Excel)…"), objectName="survey_xlsx_button"
        )
        self.report_button = QPushButton(
            self.tr("Summary report (Word)…"), objectName="report_button"
        )
        self.score_button.clicked.connect(self.score_and_keep)
        self.checklist_button.clicked.connect(self._on_checklist_button_clicked)
        self.survey_button.clicked.connect(self._on_survey_button_clicked)
        self.report_button.clicked.connect(self._on_report_button_clicked)
        for b in (
            self.score_button,
            self.checklist_button,
            self.survey_button,
            self.report_button,
        ):
            row.addWidget(b)
        box.addLayout(row)
        self.message_label = QLabel(objectName="message_label")
        self.message_label.setWordWrap(True)
        box.addWidget(self.message_label)
        self.setWidget(body)
        self.setMinimumWidth(440)
        window.project_opened.connect(self._on_window_project_opened)
        window.network_updated.connect(self._on_window_network_updated)
        self._set_enabled(False)

    # --- building -----------------------------------------------------------------------------
    def _build_items_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(4, 4, 4, 4)
        self.items_tree = QTreeWidget(objectName="items_tree")
        self.items_tree.setColumnCount(5)
        self.items_tree.setHeaderLabels(
            [
                self.tr("Checklist item"),
                self.tr("Score"),
                self.tr("Points"),
                self.tr("Scoring method"),
                self.tr("Why"),
            ]
        )
        self.items_tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.items_tree.setColumnWidth(0, 210)
        self.items_tree.currentItemChanged.connect(self._on_item_selected)
        box.addWidget(self.items_tree, 1)
        form = QFormLayout()
        self.item_label = QLabel(objectName="item_label")
        self.item_label.setWordWrap(True)
        self.manual_spin = QDoubleSpinBox(objectName="manual_score_spin")
        self.manual_spin.setDecimals(2)
        self.manual_spin.setSingleStep(0.5)
        self.reason_edit = QLineEdit(objectName="reason_edit")
        self.reason_edit.setPlaceholderText(self.tr("Reason for the points lost"))
        self.set_score_button = QPushButton(self.tr("Set score"), objectName="set_score_button")
        self.set_score_button.clicked.connect(self._on_set_score_clicked)
        self.attach_button = QPushButton(self.tr("Attach evidence…"), objectName="attach_button")
        self.attach_button.clicked.connect(self._on_attach_item_clicked)
        self.evidence_list = QListWidget(objectName="evidence_list")
        self.evidence_list.setMaximumHeight(70)
        buttons = QHBoxLayout()
        buttons.addWidget(self.manual_spin)
        buttons.addWidget(self.set_score_button)
        buttons.addWidget(self.attach_button)
        form.addRow(self.tr("Checklist item"), self.item_label)
        form.addRow(self.tr("Manual score"), buttons)
        form.addRow(self.tr("Reason for the score"), self.reason_edit)
        form.addRow(self.tr("Evidence"), self.evidence_list)
        box.addLayout(form)
        return page

    def _build_survey_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(4, 4, 4, 4)
        self.facts_table = QTableWidget(objectName="facts_table")
        self.facts_table.setColumnCount(4)
        self.facts_table.setHorizontalHeaderLabels(
            [self.tr("Part"), self.tr("Figure"), self.tr("Survey value"), self.tr("Source")]
        )
        self.facts_table.verticalHeader().setVisible(False)
        self.facts_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.facts_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        box.addWidget(self.facts_table, 1)
        self.subject_combo = QComboBox(objectName="subject_combo")
        self.subject_combo.currentIndexChanged.connect(self._on_subject_changed)
        box.addWidget(self.subject_combo)
        self.subject_info = QLabel(objectName="subject_info_label")
        self.subject_info.setWordWrap(True)
        box.addWidget(self.subject_info)
        self.answer_form = QFormLayout()
        self.answer_combos: dict[str, QComboBox] = {}
        box.addLayout(self.answer_form)
        row = QHBoxLayout()
        self.save_answers_button = QPushButton(
            self.tr("Save answers"), objectName="save_answers_button"
        )
        self.save_answers_button.clicked.connect(self.save_answers)
        self.attach_answer_button = QPushButton(
            self.tr("Attach evidence…"), objectName="attach_answer_button"
        )
        self.attach_answer_button.clicked.connect(self._on_attach_answer_clicked)
        row.addStretch(1)
        row.addWidget(self.attach_answer_button)
        row.addWidget(self.save_answers_button)
        box.addLayout(row)
        return page

    def _set_enabled(self, on: bool) -> None:
        for w in (
            self.tabs,
            self.score_button,
            self.checklist_button,
            self.survey_button,
            self.report_button,
            self.pack_button,
        ):
            w.setEnabled(on)

    # --- reading ------------------------------------------------------------------------------
    @property
    def project_path(self) -> Path | None:
        project = self.window_.project
        return Path(project.path) if project is not None else None

    @property
    def date(self) -> str:
        """The assessment date shown (YYYY-MM-DD)."""
        return self.date_edit.date().toString("yyyy-MM-dd")

    def refresh(self) -> None:
        """Fill the survey and score it again (later, when the dock is hidden)."""
        project = self.window_.project
        state = self.window_.network_ctl.state
        if project is None or state is None:
            self.survey = self.assessment = None
            self._set_enabled(False)
            self.score_label.setText("—")
            self.verdict_label.setText(self.tr("Waiting for the network") if project else "")
            return
        if self.defer_while_hidden():
            return
        try:
            self.survey = build_survey(project, state)
            self.assessment = score_checklist(
                self.survey.facts, self.pack, self.survey.data, date=self.date
            )
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            self._set_enabled(False)
            return
        self._set_enabled(True)
        self._show()
        self.refreshed.emit()

    def _show(self) -> None:
        a, s = self.assessment, self.survey
        if a is None or s is None:
            return
        self.score_label.setText(f"{a.total:g} / {a.max_total:g}")
        passed = a.passed
        self.verdict_label.setText(
            (self.tr("passed") if passed else self.tr("not passed"))
            + self.tr(" (pass mark {0})").format(f"{a.pack.pass_score:g}")
        )
        self.verdict_label.setStyleSheet(
            f"font-size: 15px; font-weight: bold; color: {PASS_COLOR if passed else FAIL_COLOR};"
        )
        self.subtotals_label.setText(
            "    ".join(
                f"{a.pack.group(k).title_zh} {sc:g}/{pts:g}"
                for k, (sc, pts) in a.subtotals().items()
            )
        )
        official = (
            "" if a.pack.official else self.tr(" — PipeAtlas default, not an official checklist")
        )
        self.pack_label.setText(a.pack.title_zh + official)
        hist = s.data.history(a.pack.id)
        self.history_label.setText(
            self.tr("History: ") + " → ".join(f"{h.assessed} {h.total:g}" for h in hist)
            if hist
            else self.tr("No assessment kept yet.")
        )
        self._fill_items(a)
        self._fill_facts(s)
        self._fill_subjects(s)

    def _fill_items(self, a: Assessment) -> None:
        current = self.current_item_code()
        self.items_tree.clear()
        self._item_rows = {}
        method_text = {"auto": self.tr("automatic"), "manual": self.tr("manual")}
        for g in a.pack.groups:
            sc, pts = a.subtotals()[g.code]
            top = QTreeWidgetItem([g.title_zh, f"{sc:g}", f"{pts:g}", "", ""])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self.items_tree.addTopLevelItem(top)
            for s in a.items:
                if s.group != g.code:
                    continue
                it = QTreeWidgetItem(
                    [
                        f"{s.code} {s.title_zh}",
                        f"{s.score:g}",
                        f"{s.points:g}",
                        method_text.get(s.method, s.method),
                        s.reason,
                    ]
                )
                it.setData(0, Qt.ItemDataRole.UserRole, s.code)
                it.setForeground(1, QBrush(QColor(STATUS_COLORS.get(s.status, "#000"))))
                it.setToolTip(4, f"{s.reason}\n{s.rule}")
                top.addChild(it)
                self._item_rows[s.code] = it
            top.setExpanded(True)
        if current in self._item_rows:
            self.items_tree.setCurrentItem(self._item_rows[current])
        else:
            self._on_item_selected(None, None)

    def _fill_facts(self, s: Survey) -> None:
        self.facts_table.setRowCount(len(FACT_LIST))
        for r, f in enumerate(FACT_LIST):
            auto = f.source_zh != "调查表"
            values = [
                PARTS[f.part],
                f.title_zh,
                fact_text(f.name, s.facts.get(f.name)),
                (self.tr("automatic") if auto else self.tr("form")) + f" · {f.source_zh}",
            ]
            for c, v in enumerate(values):
                self.facts_table.setItem(r, c, QTableWidgetItem(v))
        self.facts_table.resizeColumnToContents(0)
        self.facts_table.resizeColumnToContents(2)

    def _fill_subjects(self, s: Survey) -> None:
        current = self.subject_combo.currentData()
        self.subject_combo.blockSignals(True)
        self.subject_combo.clear()
        for r in (*s.enterprises, *s.plants):
            self.subject_combo.addItem(f"{r.ident} {r.name}", r.subject)
        self.subject_combo.blockSignals(False)
        k = self.subject_combo.findData(current) if current else 0
        self.subject_combo.setCurrentIndex(max(k, 0))
        self._on_subject_changed()

    # --- items --------------------------------------------------------------------------------
    def current_item_code(self) -> str:
        it = self.items_tree.currentItem()
        return str(it.data(0, Qt.ItemDataRole.UserRole) or "") if it is not None else ""

    def select_item(self, code: str) -> None:
        self.items_tree.setCurrentItem(self._item_rows[code])

    def _on_item_selected(self, _cur: Any, _prev: Any) -> None:
        code = self.current_item_code()
        a = self.assessment
        on = bool(code) and a is not None
        for w in (self.manual_spin, self.reason_edit, self.set_score_button, self.attach_button):
            w.setEnabled(on)
        self.evidence_list.clear()
        if not on or a is None:
            self.item_label.setText(self.tr("Pick an item."))
            return
        s = a.item(code)
        it = a.pack.item(code)
        self.item_label.setText(
            f"{s.code} {s.title_zh}：{it.explain_zh}\n"
            + self.tr("Evidence needed: ")
            + it.evidence_zh
        )
        manual_ok = not it.automatic or (s.method == "manual" or "数据缺失" in s.reason)
        self.manual_spin.setRange(0.0, it.points)
        self.manual_spin.setValue(s.score)
        for w in (self.manual_spin, self.reason_edit, self.set_score_button):
            w.setEnabled(manual_ok)
        stored = self.survey.data.manual_scores(a.pack.id).get(code) if self.survey else None
        self.reason_edit.setText(stored.reason if stored else "")
        if self.survey is not None:
            for e in self.survey.data.evidence_of(f"item:{code}"):
                self.evidence_list.addItem(e.title or e.path)

    def _push(self, command: Any) -> bool:
        """Run an edit (written at once) and put it on the window's undo stack."""
        try:
            command.do()
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            self._rescore()
            return False
        push_applied(self.window_.undo_stack, command, self.window_, saves_immediately=True)
        return True

    def set_manual_score(self, code: str, score: float, reason: str) -> bool:
        path = self.project_path
        if path is None:
            return False
        return self._push(SetManualScore(path, self.pack, code, score, reason, self._rescore))

    def _on_set_score_clicked(self) -> None:
        code = self.current_item_code()
        if code:
            self.set_manual_score(code, self.manual_spin.value(), self.reason_edit.text())

    def attach_evidence(self, target: str, files: list[str]) -> int:
        path = self.project_path
        if path is None or not files:
            return 0
        ok = self._push(AttachEvidence(path, target, list(files), self._rescore))
        return len(files) if ok else 0

    def _ask_files(self) -> list[str]:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Attach evidence"),
            str(self.project_path.parent if self.project_path else ""),
            self.tr("Evidence ({0});;All files (*)").format(EVIDENCE_FILTER),
        )
        return list(files)

    def _on_attach_item_clicked(self) -> None:
        code = self.current_item_code()
        if code:
            self.attach_evidence(f"item:{code}", self._ask_files())

    # --- survey form --------------------------------------------------------------------------
    def _on_subject_changed(self, *_args: Any) -> None:
        while self.answer_form.rowCount():
            self.answer_form.removeRow(0)
        self.answer_combos = {}
        subject = self.subject_combo.currentData()
        if not subject or self.survey is None:
            self.subject_info.setText("")
            return
        row = self.survey.subject(subject)
        titles = {c: t for c, t, _ in (*ENTERPRISE_COLUMNS, *PLANT_COLUMNS)}
        auto = [f"{titles.get(code, code)} {c.value}" for code, c in row.cells.items() if c.auto]
        self.subject_info.setText(self.tr("From the project: ") + "；".join(auto))
        kind = subject.partition(":")[0]
        for q in QUESTIONS[kind]:
            if q.code == "note":
                continue
            combo = QComboBox(objectName=f"{q.code}_combo")
            if q.kind == "yesno":
                combo.addItems(ANSWER_CHOICES)
            else:
                combo.setEditable(True)
            cell = row.cells.get(q.code)
            value = cell.value if cell is not None and not cell.auto else ""
            k = combo.findText(value)
            if k >= 0:
                combo.setCurrentIndex(k)
            else:
                combo.setEditText(value)
            label = q.title_zh
            if cell is not None and cell.auto:
                label += "（" + self.tr("project") + f": {cell.value}）"
            if cell is not None and cell.evidence:
                label += f" 📎{cell.evidence}"
            caption = QLabel(label)
            self.answer_form.addRow(caption, combo)
            for w in (caption, combo):
                w.setVisible(True)  # shown now, not on the next event-loop pass
            self.answer_combos[q.code] = combo

    def save_answers(self) -> bool:
        path = self.project_path
        subject = self.subject_combo.currentData()
        if path is None or not subject:
            return False
        values = {code: combo.currentText() for code, combo in self.answer_combos.items()}
        return self._push(SetAnswers(path, subject, values, self._rescore))

    def _on_attach_answer_clicked(self) -> None:
        subject = self.subject_combo.currentData()
        if not subject:
            return
        yes_no = [q.code for q in QUESTIONS[subject.partition(":")[0]] if q.kind == "yesno"]
        code = yes_no[0] if yes_no else "note"
        self.attach_evidence(f"answer:{subject}:{code}", self._ask_files())

    # --- scoring and files ---------------------------------------------------------------------
    def _rescore(self) -> None:
        """Read the answers and scores again (the network is unchanged)."""
        project, state = self.window_.project, self.window_.network_ctl.state
        if project is None or state is None or self.survey is None:
            self.refresh()
            return
        self.survey = build_survey(project, state)
        self.assessment = score_checklist(
            self.survey.facts, self.pack, self.survey.data, date=self.date
        )
        self._show()
        self.refreshed.emit()

    def score_and_keep(self) -> bool:
        """Keep the assessment under the date and raise the lost points in the ledger."""
        path = self.project_path
        if path is None or self.assessment is None:
            return False
        try:
            self._rescore()
            a = self.assessment
            from surveys.store import SurveyStore

            with SurveyStore(path) as store:
                res = raise_lost_points(store, a)
            with AcceptanceStore(path) as st:
                st.save_assessment(a)
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            return False
        ctl = self.window_.extensions.get("gisapp.qt.surveys_ext")
        if ctl is not None and hasattr(ctl, "refresh_ledger"):
            ctl.refresh_ledger()  # the ledger dock shows the new problems
        self.message_label.setText(
            self.tr("Kept {0}: {1} points; {2} problems raised, {3} closed in the ledger.").format(
                a.date, f"{a.total:g}", len(res.added), len(res.closed)
            )
        )
        self._rescore()
        return True

    def _ask_save(self, title: str, name: str, filt: str) -> str:
        start = self.project_path.parent / name if self.project_path else Path(name)
        path, _ = QFileDialog.getSaveFileName(self, title, str(start), filt)
        return path

    def write_checklist(self, path: str) -> None:
        from surveys.acceptance.export import write_checklist_xlsx

        data = read_acceptance(self.project_path)
        write_checklist_xlsx(
            self.assessment,
            path,
            history=data.history(self.pack.id),
            evidence=data.evidence,
            project_path=self.project_path,
        )
        self.message_label.setText(self.tr("Wrote {0}").format(path))

    def _on_checklist_button_clicked(self) -> None:
        path = self._ask_save(self.tr("Scored checklist"), "评分表.xlsx", "Excel (*.xlsx)")
        if path:
            self._guard(self.write_checklist, path)

    def write_survey(self, path: str) -> None:
        from surveys.acceptance.export import write_survey_xlsx

        write_survey_xlsx(self.survey, path)
        self.message_label.setText(self.tr("Wrote {0}").format(path))

    def _on_survey_button_clicked(self) -> None:
        path = self._ask_save(self.tr("Survey"), "源网厂调查表.xlsx", "Excel (*.xlsx)")
        if path:
            self._guard(self.write_survey, path)

    def write_report(self, path: str) -> None:
        from surveys.acceptance.export import write_report_docx

        data = read_acceptance(self.project_path)
        write_report_docx(self.survey, self.assessment, path, history=data.history(self.pack.id))
        self.message_label.setText(self.tr("Wrote {0}").format(path))

    def _on_report_button_clicked(self) -> None:
        path = self._ask_save(self.tr("Summary report"), "建设总结报告.docx", "Word (*.docx)")
        if path:
            self._guard(self.write_report, path)

    def load_pack_file(self, path: str) -> bool:
        try:
            self.pack = load_pack(path)
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            return False
        self._rescore()
        return True

    def _on_pack_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Checklist pack"), "", self.tr("Checklist pack (*.json)")
        )
        if path:
            self.load_pack_file(path)

    def _guard(self, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)

    # --- window events ------------------------------------------------------------------------
    def _on_window_project_opened(self, _project: Any) -> None:
        self.message_label.setText("")
        self.refresh()

    def _on_window_network_updated(self, _state: Any) -> None:
        self.refresh()


def install(window: Any) -> AcceptanceDock:
    """Add the Acceptance dock (right, hidden) and *Surveys → Zero-direct-discharge acceptance*."""
    dock = AcceptanceDock(window)
    install_subject_dock(
        window,
        dock,
        window.surveys_menu,
        dock.tr("Zero-direct-discharge acceptance…"),
        "acceptance_action",
        separator=False,
    )
    return dock


__all__ = ["AcceptanceDock", "install"]
