"""Start the window: QApplication, translation (Chinese first), CJK font, the demo park."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from gisapp.qt.settings import AppSettings
from resources import resource_path
from resources.fonts import CJK_FAMILIES

log = logging.getLogger(__name__)
DEMO_PROJECT = resource_path("demo", "demo_park.gpkg")
_translators: list[QTranslator] = []


def ui_language(settings: AppSettings) -> str:
    """'zh_CN' or 'en': the saved choice, else Chinese on a Chinese system locale."""
    if settings.language in ("zh_CN", "en"):
        return settings.language
    forced = os.environ.get("PIPEATLAS_LANG")
    if forced in ("zh_CN", "en"):
        return forced
    return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def install_translation(app: QApplication, language: str) -> bool:
    """Load the zh_CN translation (ours and Qt's own dialogs); remove it for English."""
    for t in _translators:
        app.removeTranslator(t)
    _translators.clear()
    # the default locale follows the interface language: widgets that word data messages
    # (check items, form validation) ask QLocale() which language to use
    QLocale.setDefault(
        QLocale(QLocale.Language.Chinese, QLocale.Country.China)
        if language == "zh_CN"
        else QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    )
    if language != "zh_CN":
        return True
    ours = QTranslator(app)
    ok = ours.load(str(resource_path("translations", "pipeatlas_zh_CN.qm")))
    if ok:
        app.installTranslator(ours)
        _translators.append(ours)
    else:
        log.warning("the Chinese translation file is missing; the interface stays English")
    qt = QTranslator(app)
    if qt.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _translators.append(qt)
    gaps = QtGapsTranslator(app)  # installed last: asked first
    app.installTranslator(gaps)
    _translators.append(gaps)
    return ok


#: Texts of Qt's own dialogs that Qt's zh_CN translation leaves in English (Qt 6), by
#: (context, source): the file dialog's labels and the file-type column.
QT_GAPS_ZH = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "File"): "文件",
    ("QAbstractFileIconProvider", "Shortcut"): "快捷方式",
    ("QAbstractFileIconProvider", "Unknown"): "未知",
}


class QtGapsTranslator(QTranslator):
    """Chinese for the few texts of Qt's own dialogs that ``qtbase_zh_CN`` lacks."""

    def translate(self, context, source_text, disambiguation=None, n=-1):
        return QT_GAPS_ZH.get((context, source_text))

    def isEmpty(self) -> bool:
        return False


def choose_ui_font() -> QFont | None:
    """A font that has Chinese glyphs, so names never show as boxes."""
    families = set(QFontDatabase.families())
    for fam in CJK_FAMILIES:
        if fam in families:
            return QFont(fam, 9)
    return None


def make_app(argv: Sequence[str] = ()) -> QApplication:
    app = QApplication.instance() or QApplication(["PipeAtlas", *argv])
    app.setApplicationName("PipeAtlas")
    app.setOrganizationName("PipeAtlas")
    font = choose_ui_font()
    if font is not None:
        app.setFont(font)
    return app  # type: ignore[return-value]


def working_copy_of_demo(folder: Path | None = None) -> Path:
    """The demo park is opened from a copy in the user's data folder, never from the shipped
    file (which may be read-only, and must stay pristine). A newer shipped demo replaces the
    copy; edits to the copy are kept otherwise."""
    import shutil

    from PySide6.QtCore import QStandardPaths

    base = folder or Path(
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    )
    base.mkdir(parents=True, exist_ok=True)
    copy = base / DEMO_PROJECT.name
    if not copy.exists() or copy.stat().st_mtime < DEMO_PROJECT.stat().st_mtime:
        tmp = copy.with_suffix(".tmp")
        shutil.copyfile(DEMO_PROJECT, tmp)
        tmp.replace(copy)
    return copy


def project_argument(arg: str) -> str | Path:
    """The project to open: a file path, or a PostGIS address kept as it is (``Path`` would
    collapse the ``//`` of ``postgresql:///db?host=/run/pg``).

    >>> project_argument("postgresql:///pa?host=/srv/pg&schema=park")
    'postgresql:///pa?host=/srv/pg&schema=park'
    >>> project_argument("park.gpkg")
    PosixPath('park.gpkg')
    """
    from network.io.postgis.dsn import is_postgres_address

    return arg if is_postgres_address(arg) else Path(arg)


def run_app(argv: Sequence[str]) -> int:
    """``python main.py [PROJECT.gpkg | postgresql://…?schema=park]``: the window on the
    project (a PostGIS project address opens its cached copy) or the demo park."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = make_app(argv)
    settings = AppSettings()
    install_translation(app, ui_language(settings))
    from gisapp.qt.errors import install_excepthook
    from gisapp.qt.main_window import MainWindow

    install_excepthook()
    from gisapp.qt.workers import wait_for_all_jobs

    app.aboutToQuit.connect(wait_for_all_jobs)
    path = project_argument(argv[0]) if argv else working_copy_of_demo()
    window = MainWindow(settings=settings)
    window.show()
    window.open_project(path)
    return app.exec()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_app(sys.argv[1:]))
