"""Qt test helpers: a window closed by pytest-qt never waits on a modal question."""

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture(autouse=True)
def _no_blocking_questions(monkeypatch):
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )


@pytest.fixture(autouse=True)
def _jobs_end_with_the_test():
    yield
    from gisapp.workers import wait_for_all_jobs

    wait_for_all_jobs()
