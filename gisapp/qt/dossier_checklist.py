"""The checklist of the Park dossier dock: items, their status, files and review.

One :class:`ChecklistPanel` shows the 20 park items grouped in the six groups of 附件1-2, or
one enterprise's five 一企一档 items (flat). Each item row shows its status (缺失 / 部分 / 齐全,
coloured), how many files it has and the reviewer's note; its files are child rows (a file
that has gone missing is marked red, one edited since it was attached is marked too). Below:
*Attach…*, *Open*, *Remove* and the review (status, reviewer, date, note).

The panel only asks; the dock writes (signals ``attach_requested``, ``open_requested``,
``remove_requested``, ``review_requested``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from surveys.dossier.codes import DossierError, parse_date
from surveys.dossier.pack import STATUS_ZH, DossierPack
from surveys.dossier.park import Attachment, ItemStatus, Review

STATUS_COLORS = {"missing": "#c62828", "partial": "#e65100", "complete": "#2e7d32"}
FILE_PROBLEM_COLOR = "#c62828"
PRODUCED_COLOR = "#607d8b"
ROLE = Qt.ItemDataRole.UserRole
COL_ITEM, COL_STATUS, COL_FILES, COL_REVIEW = range(4)
REVIEW_STATUSES = ("", "missing", "partial", "complete")  # "" = automatic (no review)


class ChecklistPanel(QWidget):
    """Items with status, files and review; buttons to attach, open, remove and review."""

    attach_requested = Signal(str)  # item code
    open_requested = Signal(object)  # Attachment
    remove_requested = Signal(list)  # [Attachment]
    review_requested = Signal(object)  # Review (status None: back to automatic)

    def __init__(self, ent_id: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ent_id = ent_id
        self.project_path: Path | None = None
        self._statuses: dict[str, ItemStatus] = {}
        self._titles: dict[str, str] = {}
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.tree = QTreeWidget(objectName="checklist_tree")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(
            [self.tr("Dossier item"), self.tr("Status"), self.tr("Files"), self.tr("Review")]
        )
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        head = self.tree.header()
        head.setStretchLastSection(True)
        head.setSectionResizeMode(COL_ITEM, QHeaderView.ResizeMode.Interactive)
        head.setSectionResizeMode(COL_STATUS, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(COL_FILES, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setColumnWidth(COL_ITEM, 250)
        self.tree.currentItemChanged.connect(self._on_tree_current_item_changed)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        box.addWidget(self.tree, 1)

        self.title_label = QLabel(objectName="item_title_label")
        self.title_label.setWordWrap(True)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.title_label)

        buttons = QHBoxLayout()
        self.attach_button = QPushButton(self.tr("Attach…"), objectName="attach_button")
        self.open_button = QPushButton(self.tr("Open file"), objectName="open_button")
        self.remove_button = QPushButton(self.tr("Remove"), objectName="remove_button")
        self.attach_button.setToolTip(
            self.tr("Attach PDF, images, Word or Excel files to the selected item")
        )
        self.remove_button.setToolTip(
            self.tr("Remove the selected files from the dossier (the files stay on disk)")
        )
        self.attach_button.clicked.connect(self._on_attach_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        for b in (self.attach_button, self.open_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        box.addLayout(buttons)

        review = QGroupBox(self.tr("Review"))
        grid = QGridLayout(review)
        self.status_combo = QComboBox(objectName="review_status_combo")
        self.status_combo.addItem(self.tr("Automatic (from the files)"), "")
        for code in REVIEW_STATUSES[1:]:
            self.status_combo.addItem(STATUS_ZH[code], code)
        self.reviewer_edit = QLineEdit(objectName="reviewer_edit")
        self.date_edit = QLineEdit(objectName="review_date_edit")
        self.date_edit.setPlaceholderText(dt.date.today().isoformat())
        self.note_edit = QLineEdit(objectName="review_note_edit")
        self.save_review_button = QPushButton(self.tr("Save review"), objectName="review_button")
        self.save_review_button.clicked.connect(self._on_save_review_button_clicked)
        self.review_error = QLabel(objectName="review_error_label")
        self.review_error.setStyleSheet("color: #b00020;")
        self.review_error.hide()
        grid.addWidget(QLabel(self.tr("Status")), 0, 0)
        grid.addWidget(self.status_combo, 0, 1)
        grid.addWidget(QLabel(self.tr("Date")), 0, 2)
        grid.addWidget(self.date_edit, 0, 3)
        grid.addWidget(QLabel(self.tr("Reviewer")), 1, 0)
        grid.addWidget(self.reviewer_edit, 1, 1)
        grid.addWidget(self.save_review_button, 1, 2, 1, 2)
        grid.addWidget(QLabel(self.tr("Note")), 2, 0)
        grid.addWidget(self.note_edit, 2, 1, 1, 3)
        grid.addWidget(self.review_error, 3, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        box.addWidget(review)
        self._update_buttons()

    # --- showing ------------------------------------------------------------------------------
    def show_items(
        self, items: list[ItemStatus], pack: DossierPack, project_path: Path, *, grouped: bool
    ) -> None:
        """Show ``items`` (grouped under the pack's groups, or flat); keep the selection."""
        keep_item, keep_files = self.current_item(), {a.fid for a in self.selected_files()}
        self.project_path = Path(project_path)
        self._statuses = {s.item: s for s in items}
        self._titles = {s.item: pack.item(s.item).title_zh for s in items}
        self.tree.clear()
        parents: dict[str, QTreeWidgetItem] = {}
        bold = QFont()
        bold.setBold(True)
        current = None
        kept: list[QTreeWidgetItem] = []
        for st in items:
            it = pack.item(st.item)
            parent: Any = self.tree
            if grouped:
                if it.group not in parents:
                    g = QTreeWidgetItem(self.tree, [pack.group(it.group).label])
                    g.setFont(COL_ITEM, bold)
                    g.setFirstColumnSpanned(True)
                    g.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    g.setExpanded(True)
                    parents[it.group] = g
                parent = parents[it.group]
            row = QTreeWidgetItem(parent, self._item_texts(st, it.no, it.short_zh))
            row.setData(COL_ITEM, ROLE, ("item", st.item))
            row.setToolTip(COL_ITEM, it.label)
            row.setForeground(COL_STATUS, QBrush(QColor(STATUS_COLORS[st.status])))
            row.setFont(COL_STATUS, bold)
            if st.item == keep_item or (current is None and keep_item is None):
                current = row
            for a, check in st.files:
                f = QTreeWidgetItem(row, [self._file_text(a, check), "", "", a.added[:10]])
                f.setData(COL_ITEM, ROLE, ("file", st.item, a, check))
                f.setToolTip(COL_ITEM, str(a.resolved(self.project_path)))
                if check != "ok":
                    f.setForeground(COL_ITEM, QBrush(QColor(FILE_PROBLEM_COLOR)))
                if a.fid in keep_files:
                    kept.append(f)
            if st.produced:
                p = QTreeWidgetItem(row, [self._produced_text(it.produced_zh)])
                p.setData(COL_ITEM, ROLE, ("produced", st.item))
                p.setForeground(COL_ITEM, QBrush(QColor(PRODUCED_COLOR)))
                p.setToolTip(COL_ITEM, p.text(COL_ITEM))
                p.setFlags(Qt.ItemFlag.ItemIsEnabled)
            row.setExpanded(True)
        if current is not None:
            self.tree.setCurrentItem(current)
            if kept:
                current.setSelected(False)
                for f in kept:
                    f.setSelected(True)
        self._show_current()

    def _item_texts(self, st: ItemStatus, no: int, short: str) -> list[str]:
        n_files = len(st.files)
        files = str(n_files) if n_files else "—"
        if st.missing_files:
            files = (
                self.tr("%1 (%2 missing)")
                .replace("%1", files)
                .replace("%2", str(len(st.missing_files)))
            )
        review = st.detail
        if st.review is not None and st.review.status:
            who = " ".join(x for x in (st.review.reviewer, st.review.reviewed) if x)
            review = " · ".join(x for x in (st.review.note, who) if x) or self.tr("reviewed")
        return [f"{no}. {short}", st.status_zh, files, review]

    def _file_text(self, a: Attachment, check: str) -> str:
        name = Path(a.path).name
        if check == "missing":
            return self.tr("%1 — file missing").replace("%1", name)
        if check == "changed":
            return self.tr("%1 — changed since attached").replace("%1", name)
        return name

    def _produced_text(self, what: str) -> str:
        return self.tr("Made by PipeAtlas at export: %1").replace("%1", what)

    # --- selection ----------------------------------------------------------------------------
    def current_item(self) -> str | None:
        """The item code of the current row (a file row gives its item)."""
        row = self.tree.currentItem()
        data = row.data(COL_ITEM, ROLE) if row is not None else None
        return data[1] if data else None

    def select_item(self, code: str) -> None:
        """Make the row of item ``code`` current."""
        for row in self._rows():
            if row.data(COL_ITEM, ROLE) == ("item", code):
                self.tree.setCurrentItem(row)
                return

    def _rows(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            row = stack.pop(0)
            out.append(row)
            stack[:0] = [row.child(i) for i in range(row.childCount())]
        return out

    def file_rows(self, code: str | None = None) -> list[QTreeWidgetItem]:
        """The file rows (of one item)."""
        return [
            r
            for r in self._rows()
            if (d := r.data(COL_ITEM, ROLE)) and d[0] == "file" and code in (None, d[1])
        ]

    def selected_files(self) -> list[Attachment]:
        """The attachments of the selected file rows."""
        out = []
        for row in self.tree.selectedItems():
            d = row.data(COL_ITEM, ROLE)
            if d and d[0] == "file":
                out.append(d[2])
        return out

    def _update_buttons(self) -> None:
        files = self.selected_files()
        has_item = self.current_item() is not None and self.project_path is not None
        self.attach_button.setEnabled(has_item)
        self.open_button.setEnabled(len(files) == 1)
        self.remove_button.setEnabled(bool(files))
        self.save_review_button.setEnabled(has_item)

    def _on_tree_current_item_changed(self, *_: Any) -> None:
        self._show_current()

    def _show_current(self) -> None:
        code = self.current_item()
        st = self._statuses.get(code or "")
        self.title_label.setText(self._titles.get(code or "", ""))
        r = st.review if st is not None else None
        self.status_combo.setCurrentIndex(
            REVIEW_STATUSES.index(r.status) if r is not None and r.status else 0
        )
        self.reviewer_edit.setText(r.reviewer if r else "")
        self.note_edit.setText(r.note if r else "")
        self.date_edit.setText(r.reviewed if r else "")
        self.review_error.hide()
        self._update_buttons()

    # --- asking -------------------------------------------------------------------------------
    def _on_attach_button_clicked(self) -> None:
        code = self.current_item()
        if code:
            self.attach_requested.emit(code)

    def _on_open_button_clicked(self) -> None:
        files = self.selected_files()
        if len(files) == 1:
            self.open_requested.emit(files[0])

    def _on_tree_item_double_clicked(self, row: QTreeWidgetItem, _column: int) -> None:
        d = row.data(COL_ITEM, ROLE)
        if d and d[0] == "file":
            self.open_requested.emit(d[2])

    def _on_remove_button_clicked(self) -> None:
        files = self.selected_files()
        if files:
            self.remove_requested.emit(files)

    def review_from_form(self) -> Review | None:
        """The review the form describes (None and a message when the date is not one)."""
        code = self.current_item()
        if code is None:
            return None
        status = self.status_combo.currentData() or None
        day = self.date_edit.text().strip()
        if status and day:
            try:
                day = parse_date(day).isoformat()
            except DossierError:
                self.review_error.setText(self.tr("Not a date: write it as 2024-06-30."))
                self.review_error.show()
                return None
        self.review_error.hide()
        return Review(
            code,
            self.ent_id,
            status,
            self.reviewer_edit.text().strip(),
            self.note_edit.text().strip(),
            day if status else "",
        )

    def _on_save_review_button_clicked(self) -> None:
        r = self.review_from_form()
        if r is not None:
            self.review_requested.emit(r)

    def status_of(self, code: str) -> ItemStatus | None:
        """The shown status of an item."""
        return self._statuses.get(code)
