"""The Surveys menu of the main window: new records, files in and out, ledger, condition map.

:func:`build_surveys_menu` fills ``window.surveys_menu`` with the actions of a
:class:`~gisapp.qt.surveys_ext.SurveysController` (their object names are what tests and
other extensions look them up by: ``new_observation_action``, ``condition_map_action`` …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QActionGroup

from gisapp.qt.condition_map import FUNCTIONAL, STRUCTURAL

RECORD_KINDS = ("inspection", "observation", "misconnection", "leak", "siltation", "problem")


def tr(text: str) -> str:
    return QCoreApplication.translate("SurveysMenu", text)


@dataclass
class SurveysMenu:
    """The actions added: ``enabled`` (on only while a project's store is open) and the
    condition map's check actions."""

    condition: QAction
    structural: QAction
    functional: QAction
    enabled: list[QAction] = field(default_factory=list)


def _add(ctl: Any, menu: Any, text: str, slot: Any, name: str) -> QAction:
    act = QAction(text, ctl.window)
    act.setObjectName(name)
    act.triggered.connect(slot)
    menu.addAction(act)
    return act


def _record_actions(ctl: Any, menu: Any) -> list[QAction]:
    titles = {
        "inspection": QCoreApplication.translate("SurveysMenu", "New inspection…"),
        "observation": QCoreApplication.translate("SurveysMenu", "New observation…"),
        "misconnection": QCoreApplication.translate("SurveysMenu", "New misconnection record…"),
        "leak": QCoreApplication.translate("SurveysMenu", "New leak/overflow record…"),
        "siltation": QCoreApplication.translate("SurveysMenu", "New siltation record…"),
        "problem": QCoreApplication.translate("SurveysMenu", "New problem…"),
    }
    out = []
    for kind in RECORD_KINDS:
        if kind == "problem":
            menu.addSeparator()
        slot = lambda _=False, k=kind: ctl.open_form(k)  # noqa: E731
        out.append(_add(ctl, menu, titles[kind], slot, f"new_{kind}_action"))
    return out


def _file_actions(ctl: Any, menu: Any) -> list[QAction]:
    entries = [
        (
            QCoreApplication.translate("SurveysMenu", "Import inspection table (CSV/Excel)…"),
            ctl._on_import_action_triggered,
            "import_table_action",
        ),
        (
            QCoreApplication.translate("SurveysMenu", "Grade report (Excel/PDF)…"),
            ctl._on_report_action_triggered,
            "grade_report_action",
        ),
        None,
        (
            QCoreApplication.translate("SurveysMenu", "Export ledger (Excel)…"),
            ctl._on_export_ledger_action_triggered,
            "export_ledger_action",
        ),
        (
            QCoreApplication.translate("SurveysMenu", "Import ledger (Excel)…"),
            ctl._on_import_ledger_action_triggered,
            "import_ledger_action",
        ),
        (
            QCoreApplication.translate("SurveysMenu", "Raise problems from network checks"),
            ctl.raise_from_network_checks,
            "raise_checks_action",
        ),
        (
            QCoreApplication.translate(
                "SurveysMenu", "Raise problems from defects Ⅲ–Ⅳ and misconnections"
            ),
            ctl.raise_from_records,
            "raise_records_action",
        ),
    ]
    out = []
    for entry in entries:
        if entry is None:
            menu.addSeparator()
        else:
            out.append(_add(ctl, menu, *entry))
    return out


def _condition_actions(ctl: Any, menu: Any) -> tuple[QAction, QAction, QAction]:
    condition = QAction(QCoreApplication.translate("SurveysMenu", "Condition map"), ctl.window)
    condition.setObjectName("condition_map_action")
    condition.setCheckable(True)
    condition.toggled.connect(ctl._on_condition_action_toggled)
    menu.addAction(condition)
    sub = menu.addMenu(QCoreApplication.translate("SurveysMenu", "Condition map shows"))
    group = QActionGroup(ctl)
    group.setExclusive(True)
    structural = QAction(
        QCoreApplication.translate("SurveysMenu", "Structural grade"),
        ctl.window,
        checkable=True,
        checked=True,
    )
    structural.setObjectName("condition_structural_action")
    functional = QAction(
        QCoreApplication.translate("SurveysMenu", "Functional grade"), ctl.window, checkable=True
    )
    functional.setObjectName("condition_functional_action")
    for a, f in ((structural, STRUCTURAL), (functional, FUNCTIONAL)):
        group.addAction(a)
        sub.addAction(a)
        a.triggered.connect(lambda _=False, f=f: ctl.set_condition_field(f))
    return condition, structural, functional


def _dock_actions(ctl: Any, menu: Any) -> list[QAction]:
    return [
        _add(
            ctl,
            menu,
            QCoreApplication.translate("SurveysMenu", "Show survey records"),
            lambda: ctl._show_dock(ctl.records_dock),
            "show_records_action",
        ),
        _add(
            ctl,
            menu,
            QCoreApplication.translate("SurveysMenu", "Show problem ledger"),
            lambda: ctl._show_dock(ctl.ledger_dock),
            "show_ledger_action",
        ),
    ]


def build_surveys_menu(ctl: Any) -> SurveysMenu:
    """Fill ``ctl.window.surveys_menu`` with the actions of the surveys controller ``ctl``."""
    menu = ctl.window.surveys_menu
    enabled = _record_actions(ctl, menu)
    menu.addSeparator()
    enabled += _file_actions(ctl, menu)
    menu.addSeparator()
    condition, structural, functional = _condition_actions(ctl, menu)
    enabled.append(condition)
    menu.addSeparator()
    enabled += _dock_actions(ctl, menu)
    return SurveysMenu(condition, structural, functional, enabled)
