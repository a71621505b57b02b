"""Qt test helpers: a window closed by pytest-qt never waits on a modal question, and
``make_window`` builds the main window on a private copy of the demo park."""

import shutil

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox


@pytest.fixture(autouse=True)
def _no_blocking_questions(monkeypatch):
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )


@pytest.fixture(autouse=True)
def _jobs_end_with_the_test():
    yield
    from gisapp.qt.workers import wait_for_all_jobs

    wait_for_all_jobs()


@pytest.fixture
def project_copy(tmp_path, demo_project):
    """A second private copy of the demo park, in its own folder (``park/demo_park.gpkg``)."""
    dst = tmp_path / "park" / "demo_park.gpkg"
    dst.parent.mkdir()
    shutil.copy(demo_project, dst)
    return dst


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch, demo_project):
    """Factory: ``make_window(extensions=None, project=None, *, wait_network=False, size=None,
    language=None)`` → a shown ``MainWindow`` with its settings in a tmp ini file.

    ``extensions`` are added to ``gisapp.qt.main_window.EXTENSIONS`` (monkeypatched, no
    duplicates); ``project`` (default: the ``demo_project`` copy) is opened and the call waits
    for ``project_opened``, or for ``network_updated`` with ``wait_network``. The window is
    registered with qtbot and left unmodified at teardown."""
    import gisapp.qt.main_window as mw
    from gisapp.qt.settings import AppSettings

    made = []

    def make(extensions=None, project=None, *, wait_network=False, size=None, language=None):
        if extensions:
            monkeypatch.setattr(
                mw, "EXTENSIONS", tuple(dict.fromkeys((*mw.EXTENSIONS, *extensions)))
            )
        settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        if language is not None:
            settings.language = language
        w = mw.MainWindow(settings=settings)
        qtbot.addWidget(w)
        made.append(w)
        if size is not None:
            w.resize(*size)
        w.show()
        qtbot.waitExposed(w)
        signal, timeout = (w.network_updated, 60000) if wait_network else (w.project_opened, 30000)
        with qtbot.waitSignal(signal, timeout=timeout):
            w.open_project(demo_project if project is None else project)
        return w

    yield make
    for w in made:
        w.undo_stack.setClean()
        w.setWindowModified(False)


@pytest.fixture
def stored_demo(demo_project):
    """The demo park with its network stored by this very code (fresh)."""
    from network.io.project import open_project
    from network.io.topology import store_checked_network
    from network.state import build_checked_network

    proj = open_project(demo_project)
    store_checked_network(
        demo_project, build_checked_network(proj.layers, proj.settings, proj.crs)
    )
    return demo_project
