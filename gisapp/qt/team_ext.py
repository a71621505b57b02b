"""Main-window extension for a PostGIS team project (issue #16).

``install(window)`` returns a :class:`TeamController`:

* *File → Open PostGIS project…* asks for a project address (``postgresql://…?schema=park``)
  and opens it like a ``.gpkg``: the window works on the cached copy of the schema
  (:func:`network.io.postgis.locate.resolve_project`).
* Every Save of such a project is checked in (:func:`network.io.postgis.offline.checkin`, in
  a job): changes others made meanwhile become listed conflicts, writes the role may not make
  are listed as refused; both are named in a message, and the local copy keeps the work.
* *Team → Refresh from the database* sends what was saved but not merged, then opens the
  project again; a timer polls ``pa_audit`` (:func:`~network.io.postgis.records.changes_since`)
  and the status bar says how many changes others made since.
* *Team → Conflicts…* lists the waiting conflicts; keep the database version or mine.
* The status bar shows the logged-in person, their role and what it may write
  (:func:`~network.io.postgis.records.my_permissions`; the database enforces it).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gisapp.qt.errors import handle_error
from gisapp.qt.inspect_tools import use_chinese
from gisapp.qt.workers import JobWorker, listed_while_running, run_in_thread
from network.schema import ENT_ID, LAYER_KINDS, LAYER_LABELS_ZH, NODE_ID, OUTFALL_ID, PIPE_ID

log = logging.getLogger(__name__)

EXTENSION_NAME = "gisapp.qt.team_ext"
POLL_MS = 30_000  # how often the database is asked for others' changes
#: the column that names a feature in messages, per layer
ID_COLUMNS = {"pipes": PIPE_ID, "manholes": NODE_ID, "outfalls": OUTFALL_ID, "enterprises": ENT_ID}
#: tables a role writes that are not layers but count as "may write" (records, ledger)
RECORD_PREFIXES = ("sv_", "dossier", "ledger")


# --- jobs (no Qt) --------------------------------------------------------------------------------
def team_status_job(address: str) -> dict[str, Any]:
    """Who is logged in, their role, what they may write, the newest audit id, open conflicts."""
    from network.io.postgis.ddl import ROLES, q
    from network.io.postgis.dsn import parse_address
    from network.io.postgis.records import my_permissions

    addr = parse_address(address)
    with addr.connect() as con:
        user, superuser = con.execute(
            "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        roles = [
            r
            for r in ROLES
            if not superuser
            and con.execute(
                "SELECT pg_has_role(current_user, %s, 'member') "
                "AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)",
                (r, r),
            ).fetchone()[0]
        ]
        perms = my_permissions(con, addr.schema)
        audit_id = con.execute(
            f"SELECT coalesce(max(id), 0) FROM {q(addr.schema)}.pa_audit"
        ).fetchone()[0]
        n_conflicts = con.execute(
            f"SELECT count(*) FROM {q(addr.schema)}.pa_conflicts WHERE resolution IS NULL"
        ).fetchone()[0]
    return {
        "user": user,
        "superuser": bool(superuser),
        "roles": roles,
        "permissions": perms,
        "audit_id": int(audit_id),
        "conflicts": int(n_conflicts),
    }


def others_changes_job(address: str, since: int) -> tuple[int, int]:
    """(changes others made after audit id *since*, the newest audit id)."""
    from network.io.postgis.dsn import parse_address
    from network.io.postgis.records import changes_since

    addr = parse_address(address)
    with addr.connect() as con:
        me = con.execute("SELECT current_user").fetchone()[0]
        changes = changes_since(con, addr.schema, since)
    newest = max((c["id"] for c in changes), default=since)
    return sum(1 for c in changes if c["who"] != me), int(newest)


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _stamp_file(path: Path) -> Path:
    return path.with_suffix(".stamp.json")


def unmerged(path: Path) -> bool:
    """The cached copy holds saved changes not yet checked in."""
    stamp = _stamp_file(path)
    if not stamp.exists():
        return False  # never written by resolve_project: nothing known to merge
    return json.loads(stamp.read_text()).get("sha256") != file_digest(path)


def checkin_job(path: Path, address: str) -> dict[str, Any]:
    """Check the saved copy in; return the result and the new conflicts named for people.

    After a merge with nothing refused, the copy counts as merged (its digest is recorded)
    and the next refresh checks the project out afresh. When something was refused, or the
    checkin failed, the record stays as it was: the copy keeps the work and is never
    replaced by a refresh (``resolve_project`` keeps a copy with unmerged changes).
    """
    from network.io.postgis.dsn import parse_address
    from network.io.postgis.offline import checkin, list_conflicts

    addr = parse_address(address)
    digest = file_digest(path)  # what is merged: a Save during the checkin is not
    result = checkin(path, addr)
    named = []
    if result.conflicts:
        ids = {c["id"] for c in result.conflicts}
        at = {c["id"]: c["db_changed_at"] for c in list_conflicts(addr) if c["id"] in ids}
        names = _feature_names(path, {(c["table"], c["uuid"]) for c in result.conflicts})
        for c in result.conflicts:
            when = at.get(c["id"])
            named.append(
                {
                    **c,
                    "feature": names.get((c["table"], c["uuid"]), c["uuid"]),
                    "name": f"{c['table']} {names.get((c['table'], c['uuid']), c['uuid'])}",
                    "at": f"{when:%Y-%m-%d %H:%M:%S}" if when is not None else "?",
                }
            )
    if not result.refused:
        stamp = _stamp_file(path)
        old = json.loads(stamp.read_text()) if stamp.exists() else {}
        old.update({"stamp": "merged", "sha256": digest})
        stamp.write_text(json.dumps(old))
    return {"result": result, "conflicts": named}


def _feature_names(path: Path, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The id of records in the cached copy (e.g. ``WS-0008``), by (table, UUID)."""
    import sqlite3

    out: dict[tuple[str, str], str] = {}
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for table, uid in wanted:
            row = con.execute(
                "SELECT row_fid FROM pa_team_rows WHERE table_name = ? AND pa_uuid = ?",
                (table, uid),
            ).fetchone()
            label = None
            col = ID_COLUMNS.get(table)
            if row is not None and col:
                try:
                    got = con.execute(
                        f'SELECT "{col}" FROM "{table}" WHERE fid = ?', (row[0],)
                    ).fetchone()
                    label = got[0] if got else None
                except sqlite3.Error:
                    label = None
            out[(table, uid)] = str(label or uid)
    finally:
        con.close()
    return out


def list_conflicts_job(address: str) -> list[dict[str, Any]]:
    from network.io.postgis.offline import list_conflicts

    return list_conflicts(address)


def resolve_conflict_job(address: str, conflict_id: int, keep: str) -> str:
    from network.io.postgis.offline import resolve_conflict

    return resolve_conflict(address, conflict_id, keep)


# --- window ------------------------------------------------------------------------------------
class TeamController(QObject):
    """The Team menu, the status-bar label and the checkin after each Save."""

    status_changed = Signal(object)  # the team_status_job dict
    checked_in = Signal(object)  # the checkin_job dict
    changes_seen = Signal(int)  # changes by others since the last refresh
    conflicts_loaded = Signal(object)  # list of open conflicts

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.status: dict[str, Any] | None = None
        self.last_result: dict[str, Any] | None = None
        self.message_box: QMessageBox | None = None
        self.others = 0
        self._jobs: list[Any] = []
        self._checkins = 0  # checkins running (0 or 1)
        self._again: tuple[Path, str] | None = None  # saved again while one ran
        self._reopen: str | None = None  # the address to open again after them (Refresh)

        self.open_action = QAction(self.tr("Open PostGIS project…"), window)
        self.open_action.setObjectName("open_postgis_action")
        self.open_action.triggered.connect(self.ask_address)
        window.file_menu.insertAction(window.recent_menu.menuAction(), self.open_action)

        menu = QMenu(self.tr("&Team"), window)
        menu.setObjectName("team_menu")
        window.menuBar().insertMenu(window.settings_menu.menuAction(), menu)
        self.menu = menu
        self.send_action = self._add(
            self.tr("Send my changes to the database"), self.send, "team_send_action"
        )
        self.refresh_action = self._add(
            self.tr("Refresh from the database"), self.refresh, "team_refresh_action"
        )
        self.conflicts_action = self._add(
            self.tr("Conflicts…"), self.show_conflicts, "team_conflicts"
        )

        self.label = QLabel(objectName="team_label")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        window.project_opened.connect(self._on_project_opened)
        window.project_saved.connect(self._on_project_saved)
        self._set_enabled(False)

    def _add(self, text: str, slot: Any, name: str) -> QAction:
        act = QAction(text, self.window)
        act.setObjectName(name)
        act.triggered.connect(slot)
        self.menu.addAction(act)
        return act

    def _set_enabled(self, on: bool) -> None:
        for act in (self.send_action, self.refresh_action, self.conflicts_action):
            act.setEnabled(on)

    @property
    def address(self) -> str | None:
        return self.window.project_address

    def _background(self, job: Any, *args: Any, on_done: Any, quiet: bool = False) -> None:
        """A short database job off the GUI thread, without the progress bar."""
        worker = JobWorker(job, *args)

        def failed(exc: BaseException) -> None:
            if quiet:
                log.info("team job failed: %s", exc)
            else:
                handle_error(self.window, exc)

        def done(result: Any) -> None:
            try:
                on_done(result)
            except Exception as exc:  # noqa: BLE001 - GUI boundary
                handle_error(self.window, exc)

        listed_while_running(self._jobs, run_in_thread(self, worker, done, failed))

    # --- opening ------------------------------------------------------------------------------
    def ask_address(self) -> None:
        """File → Open PostGIS project…: an address, then opened like a file."""
        text, ok = QInputDialog.getText(
            self.window,
            self.tr("Open PostGIS project…"),
            self.tr("PostgreSQL address (the password stays in ~/.pgpass):"),
            QLineEdit.EchoMode.Normal,
            "postgresql://localhost/",
        )
        if ok and text.strip():
            self.open_address(text.strip())

    def open_address(self, address: str) -> Any:
        from network.io.postgis.dsn import is_postgres_address, parse_address

        if not is_postgres_address(address):
            QMessageBox.warning(
                self.window,
                self.tr("Open PostGIS project…"),
                self.tr(
                    "%1 is not a PostgreSQL address: it must start with postgresql:// or pg:."
                ).replace("%1", address),
            )
            return None
        try:
            parse_address(address)
        except Exception as exc:  # noqa: BLE001 - a bad schema name: said, nothing opened
            handle_error(self.window, exc)
            return None
        return self.window.open_project(address)

    def _on_project_opened(self, _project: Any) -> None:
        address = self.address
        self._set_enabled(address is not None)
        self.others = 0
        if address is None:
            self.timer.stop()
            self.label.hide()
            self.status = None
            return
        self.label.setText(self.tr("Connecting to the database…"))
        self.label.show()
        self._background(team_status_job, address, on_done=self._on_status)
        self.timer.start()

    def _on_status(self, status: dict[str, Any]) -> None:
        self.status = status
        self.label.setText(self.status_text(status))
        self.label.setToolTip(self.permissions_text(status))
        self.status_changed.emit(status)

    def layer_text(self, table: str) -> str:
        """A layer's name as the user reads it (管线 in Chinese, pipes in English)."""
        if use_chinese(self.window):
            return LAYER_LABELS_ZH.get(table, table)
        return table

    def role_text(self, status: dict[str, Any]) -> str:
        if status["superuser"]:
            return self.tr("database owner")
        if not status["roles"]:
            return self.tr("no PipeAtlas role")
        names = {
            "field_engineer": self.tr("field engineer"),
            "park_staff": self.tr("park staff"),
            "auditor": self.tr("auditor"),
        }
        return "、".join(names[r] for r in status["roles"])

    def writable(self, status: dict[str, Any]) -> list[str]:
        """The layers and record tables the role may write."""
        perms = status["permissions"]
        return [
            t
            for t, p in perms.items()
            if (p["insert"] or p["update"]) and (t in LAYER_KINDS or t.startswith(RECORD_PREFIXES))
        ]

    def status_text(self, status: dict[str, Any]) -> str:
        text = self.tr("Signed in as %1 (%2)").replace("%1", status["user"])
        text = text.replace("%2", self.role_text(status))
        if not self.writable(status):
            text += "  " + self.tr("Read only: your role may write comments only.")
        if self.others:
            text += "  " + self.tr("%1 change(s) by others since the last refresh").replace(
                "%1", str(self.others)
            )
        if status.get("conflicts"):
            text += "  " + self.tr("%1 conflict(s) waiting").replace(
                "%1", str(status["conflicts"])
            )
        return text

    def permissions_text(self, status: dict[str, Any]) -> str:
        writable = self.writable(status)
        layers = [k for k in LAYER_KINDS if k in status["permissions"]]
        read_only = [k for k in layers if k not in writable]

        def names(tables: list[str]) -> str:
            return ", ".join(self.layer_text(t) for t in tables) or "—"

        lines = [self.tr("May write: %1").replace("%1", names(writable))]
        if read_only:
            lines.append(self.tr("Read only: %1").replace("%1", names(read_only)))
        return "\n".join(lines)

    # --- others' changes ----------------------------------------------------------------------
    def poll(self) -> None:
        """Ask the database how many changes others made since the project was opened."""
        address = self.address
        if address is None or self.status is None:
            return
        self._background(
            others_changes_job,
            address,
            self.status["audit_id"],
            on_done=self._on_polled,
            quiet=True,
        )

    def _on_polled(self, found: tuple[int, int]) -> None:
        count, newest = found
        if self.status is None:
            return
        self.others += count
        self.status["audit_id"] = newest
        if self.others:
            self.label.setText(self.status_text(self.status))
            self.window.statusBar().showMessage(
                self.tr("%1 change(s) by others since the last refresh").replace(
                    "%1", str(self.others)
                ),
                8000,
            )
        self.changes_seen.emit(self.others)

    # --- saving: checkin ----------------------------------------------------------------------
    def send(self) -> None:
        """Team → Send my changes: save (which checks in), or check in what was saved."""
        if self.address is None:
            return
        if self.window.isWindowModified():
            self.window.save()
        else:
            self._checkin(self.window.project.path, self.address)

    def _on_project_saved(self, project: Any) -> None:
        if self.address is not None:
            self._checkin(project.path, self.address)

    def _checkin(self, path: Path, address: str) -> None:
        """Check the saved copy in (one checkin at a time: a Save meanwhile is sent after)."""
        if self._checkins:
            self._again = (path, address)
            return
        self._checkins = 1

        def done(res: dict[str, Any]) -> None:
            self._checkins = 0
            self.show_checkin(res)
            again, self._again = self._again, None
            if again is not None:
                self._checkin(*again)
                return
            reopen, self._reopen = self._reopen, None
            if reopen is not None and reopen == self.address:
                self.window.open_project(reopen)

        def failed(_exc: BaseException) -> None:
            self._checkins = 0
            self._again = self._reopen = None
            self.window.statusBar().showMessage(
                self.tr(
                    "Your changes are kept in this computer's copy; the next Save sends them."
                ),
                10000,
            )

        self.window.run_job(
            self.tr("Sending changes to the database"),
            checkin_job,
            Path(path),
            address,
            on_done=done,
            on_failed=failed,
        )

    def show_checkin(self, res: dict[str, Any]) -> None:
        """What a checkin did: a short status message, or a message naming each conflict."""
        self.last_result = res
        result = res["result"]
        if not (res["conflicts"] or result.refused):
            n = len(result.added) + len(result.updated) + len(result.deleted)
            self.window.statusBar().showMessage(
                self.tr("%1 change(s) sent to the database").replace("%1", str(n)), 8000
            )
            self.checked_in.emit(res)
            return
        lines = [
            self.tr("%1 was changed by %2 at %3; your change was not written.")
            .replace("%1", f"{self.layer_text(c['table'])} {c['feature']}")
            .replace("%2", str(c.get("changed_by") or "?"))
            .replace("%3", c["at"])
            for c in res["conflicts"]
        ]
        lines += [
            self.tr("%1 %2: refused for your role.")
            .replace("%1", self.layer_text(r["table"]))
            .replace("%2", str(r["record"]))
            for r in result.refused
        ]
        box = QMessageBox(self.window)
        box.setObjectName("team_checkin_box")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Conflicts"))
        box.setText(
            self.tr(
                "%1 conflict(s) with others' changes, %2 change(s) refused. Nothing is lost: "
                "your version is kept (Team → Conflicts…)."
            )
            .replace("%1", str(len(res["conflicts"])))
            .replace("%2", str(len(result.refused)))
        )
        box.setInformativeText("\n".join(lines[:12]) + ("\n…" if len(lines) > 12 else ""))
        box.setDetailedText("\n".join(lines))
        self.message_box = box
        box.open()
        if self.status is not None:
            self.status["conflicts"] = self.status.get("conflicts", 0) + len(res["conflicts"])
            self.label.setText(self.status_text(self.status))
        self.checked_in.emit(res)

    # --- refresh ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Team → Refresh: unsaved edits offered for saving, unmerged ones sent, then reopen."""
        address = self.address
        if address is None:
            return
        if not self.window.maybe_save(
            self.tr("Save the changes before refreshing from the database?")
        ):
            return
        self.window.undo_stack.setClean()  # saved (and being sent) or discarded
        self.window.setWindowModified(False)
        path = self.window.project.path
        if self._checkins == 0 and unmerged(path):
            self._checkin(path, address)
        if self._checkins:
            self._reopen = address  # after the checkin: the merged database is read
        else:
            self.window.open_project(address)

    # --- conflicts ----------------------------------------------------------------------------
    def show_conflicts(self) -> QDialog | None:
        if self.address is None:
            return None
        dlg = ConflictsDialog(self, self.window)
        self.dialog = dlg
        dlg.open()
        dlg.reload()
        return dlg


class ConflictsDialog(QDialog):
    """The conflicts waiting for a person: keep the database version, or mine."""

    def __init__(self, controller: TeamController, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller = controller
        self.address = controller.address
        self.conflicts: list[dict[str, Any]] = []
        self.setObjectName("team_conflicts_dialog")
        self.setWindowTitle(self.tr("Conflicts"))
        self.resize(820, 360)
        lay = QVBoxLayout(self)
        self.table = QTableWidget(0, 6, self)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("No."),
                self.tr("Layer"),
                self.tr("Record"),
                self.tr("What happened"),
                self.tr("Changed by"),
                self.tr("Changed at"),
            ]
        )
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table)
        self.info = QLabel(self)
        lay.addWidget(self.info)
        row = QHBoxLayout()
        self.keep_db = QPushButton(self.tr("Keep the database version"), self)
        self.keep_db.setObjectName("keep_database_button")
        self.keep_mine = QPushButton(self.tr("Keep my version"), self)
        self.keep_mine.setObjectName("keep_mine_button")
        self.keep_db.clicked.connect(lambda: self.decide("database"))
        self.keep_mine.clicked.connect(lambda: self.decide("package"))
        row.addWidget(self.keep_db)
        row.addWidget(self.keep_mine)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row.addWidget(buttons)
        lay.addLayout(row)

    def reload(self) -> None:
        self.controller._background(list_conflicts_job, self.address, on_done=self._fill)

    def _fill(self, conflicts: list[dict[str, Any]]) -> None:
        self.conflicts = conflicts
        self.table.setRowCount(len(conflicts))
        for i, c in enumerate(conflicts):
            at = c.get("db_changed_at")
            values = [
                str(c["id"]),
                self.controller.layer_text(c["table_name"]),
                self.record_text(c),
                self.kind_text(c["kind"]),
                str(c.get("db_changed_by") or ""),
                f"{at:%Y-%m-%d %H:%M:%S}" if at is not None else "",
            ]
            for j, v in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(v))
        if conflicts:
            self.table.selectRow(0)
        self.info.setText(self.tr("%1 conflict(s) waiting").replace("%1", str(len(conflicts))))
        for b in (self.keep_db, self.keep_mine):
            b.setEnabled(bool(conflicts))
        self.controller.conflicts_loaded.emit(conflicts)

    @staticmethod
    def record_text(c: dict[str, Any]) -> str:
        """The record's id (e.g. WS-0002) from the kept version, else its UUID."""
        row = c.get("package_row")
        col = ID_COLUMNS.get(c["table_name"])
        if isinstance(row, dict) and col and row.get(col):
            return str(row[col])
        return c["pa_uuid"]

    def kind_text(self, kind: str) -> str:
        """What happened to a record, in the interface language (offline.py's wording)."""
        return {
            "changed on both sides": self.tr("changed on both sides"),
            "changed offline, deleted in the database": self.tr(
                "changed offline, deleted in the database"
            ),
            "deleted offline, changed in the database": self.tr(
                "deleted offline, changed in the database"
            ),
            "added offline, its key is already in the database": self.tr(
                "added offline, its key is already in the database"
            ),
        }.get(kind, kind)

    def decide(self, keep: str) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        if not rows:
            return
        cid = int(self.conflicts[rows[0]]["id"])

        def done(summary: str) -> None:
            self.window_status(summary)
            self.reload()

        self.controller._background(resolve_conflict_job, self.address, cid, keep, on_done=done)

    def window_status(self, text: str) -> None:
        self.controller.window.statusBar().showMessage(text, 8000)


def install(window: Any) -> TeamController:
    return TeamController(window)
