"""The single place where the GUI turns exceptions into messages."""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from gisapp.cli import user_errors

log = logging.getLogger(__name__)
USER_ERRORS = user_errors()


def show_user_error(parent: QWidget | None, exc: BaseException) -> None:
    """A fixable problem: say what, where and how to fix, in a warning box."""
    msg = getattr(exc, "message", str(exc))
    where = exc.where() if hasattr(exc, "where") else ""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("Errors", "Cannot do that"))
    box.setText(msg)
    if where:
        box.setInformativeText(where)
    details = getattr(exc, "details", "")
    if details:
        box.setDetailedText(str(details))
    box.setObjectName("user_error_box")
    box.open()


def show_bug(parent: QWidget | None, exc: BaseException) -> None:
    """Anything else is a bug: log it and show the traceback; the window stays up."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("unexpected error\n%s", text)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(QCoreApplication.translate("Errors", "Unexpected error"))
    box.setText(
        QCoreApplication.translate(
            "Errors", "This is a bug in PipeAtlas. Your data has not been changed."
        )
    )
    box.setDetailedText(text)
    box.setObjectName("bug_box")
    box.open()


def handle_error(parent: QWidget | None, exc: BaseException) -> None:
    if isinstance(exc, USER_ERRORS):
        show_user_error(parent, exc)
    else:
        show_bug(parent, exc)


def install_excepthook() -> None:
    def hook(etype, value, tb):
        if value is not None:
            value.__traceback__ = tb
            show_bug(None, value)
        else:  # pragma: no cover
            sys.__excepthook__(etype, value, tb)

    sys.excepthook = hook
