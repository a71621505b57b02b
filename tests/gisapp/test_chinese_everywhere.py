"""Chinese all the way: every dock and dialog of the window, opened in zh_CN on the demo park,
shows no English. A visible text made of ASCII only fails unless it is a code, number, id or
unit (PK01, WS-0245, DN600, EPSG:4525, mg/L, 1:19,000 …)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTabBar,
    QWidget,
)

from gisapp.qt.app import install_translation

# words that are names, units or codes in any language
ALLOWED_WORDS = {
    "pipeatlas",  # the product
    "english",  # the language switch offers English by its own name
    "excel",
    "word",
    "pdf",
    "png",
    "dxf",
    "gpkg",
    "shp",
    "csv",
    "xlsx",
    "cgcs",
    "wgs",
    "utm",
    "epsg",
    "gcj",
    "bd",
    "mg",
    "ha",
    "km",
    "mm",
    "cm",
    "kg",
    "ph",
    "nh",
    "yyyy",
    "dd",
}
_TOKEN = re.compile(r"[A-Za-z]+")
# a file name or path (a user's data: pipes_sewage.shp, /data/park) and text encodings
_FILE = re.compile(r"(.*[/\\].*|[\w\-. ]+\.(shp|gpkg|dxf|csv|xlsx?|pdf|png|json|geojson|dbf))")
ENCODINGS = {"utf-8", "gbk", "gb18030", "big5", "latin-1"}


def is_code_or_number(text: str) -> bool:
    """True for ASCII texts a Chinese reader needs no translation of.

    >>> [is_code_or_number(t) for t in ("PK01", "WS-0245, YS-0195", "DN600", "EPSG:4525")]
    [True, True, True, True]
    >>> [is_code_or_number(t) for t in ("mg/L", "1:19,000", "t/d", "3.5 m")]
    [True, True, True, True]
    >>> [is_code_or_number(t) for t in ("pipes_sewage.shp", "/work/park", "gbk")]
    [True, True, True]
    >>> [is_code_or_number(t) for t in ("Fix", "sewage", "error", "Open project")]
    [False, False, False, False]
    """
    if _FILE.fullmatch(text) or text.lower() in ENCODINGS:
        return True
    for word in _TOKEN.findall(text):
        if word.isupper() or len(word) == 1:  # codes (PK, DN, COD, WS) and units (m, t, d, L)
            continue
        if word.lower() in ALLOWED_WORDS:
            continue
        return False
    return True


def english_texts(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(where, t) for where, t in texts if t.isascii() and not is_code_or_number(t)]


def _plain(text: str) -> str:
    return re.sub(r"<[^>]+>", " ", text or "").replace("&nbsp;", " ").strip()


def _model_texts(view: QAbstractItemView, where: str, out: list, rows: int = 40) -> None:
    model = view.model()
    if model is None:
        return
    root = QModelIndex()

    def columns(parent: QModelIndex) -> int:
        try:
            return model.columnCount(parent)
        except TypeError:  # a list model: one column, its count is not public
            return 1

    hidden = getattr(view, "isColumnHidden", lambda _c: False)
    header = getattr(view, "horizontalHeader", None) or getattr(view, "header", None)
    if header is not None and not header().isHidden():
        for c in range(columns(root)):
            h = model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
            if h is not None and not hidden(c):
                out.append((f"{where} header", str(h)))

    def walk(parent: QModelIndex, depth: int) -> None:
        for r in range(min(model.rowCount(parent), rows)):
            for c in range(columns(parent)):
                if hidden(c):
                    continue
                v = model.index(r, c, parent).data(Qt.ItemDataRole.DisplayRole)
                if v is not None and not isinstance(v, bool):
                    out.append((f"{where} cell", str(v)))
            if depth < 2:
                walk(model.index(r, 0, parent), depth + 1)

    walk(root, 0)


def visible_texts(root: QWidget, where: str) -> list[tuple[str, str]]:
    """Texts a user sees in ``root``: titles, labels, buttons, boxes, tabs, tables, trees."""
    out: list[tuple[str, str]] = []
    title = root.windowTitle()
    if title:
        out.append((f"{where} title", title))
    for w in [root, *root.findChildren(QWidget)]:
        if w is not root and not w.isVisibleTo(root):
            continue
        name = f"{where}/{w.objectName() or type(w).__name__}"
        if isinstance(w, QLabel):
            out.append((name, _plain(w.text())))
        elif isinstance(w, QAbstractButton):
            out.append((name, w.text().replace("&", "")))
        elif isinstance(w, QGroupBox):
            out.append((name, w.title()))
        elif isinstance(w, QLineEdit):
            out.append((name + " placeholder", w.placeholderText()))
        elif isinstance(w, QComboBox):
            out.extend((name + " item", w.itemText(i)) for i in range(w.count()))
        elif isinstance(w, QTabBar):
            out.extend((name + " tab", w.tabText(i)) for i in range(w.count()))
        elif isinstance(w, QAbstractItemView) and not isinstance(w, QHeaderView):
            _model_texts(w, name, out)
        elif isinstance(w, QDockWidget):
            out.append((name + " title", w.windowTitle()))
    return [(k, t.strip()) for k, t in out if t and t.strip()]


def menu_texts(menu: QMenu, where: str) -> list[tuple[str, str]]:
    out = []
    for act in menu.actions():
        if act.isSeparator():
            continue
        out.append((f"{where}>{act.objectName()}", act.text().replace("&", "")))
        if act.menu() is not None:
            out.extend(menu_texts(act.menu(), f"{where}>{act.text()}"))
    return out


@pytest.fixture
def chinese_window(qtbot, make_window, project_copy):
    app = QApplication.instance()
    assert install_translation(app, "zh_CN")
    try:
        # every extension the window installs (docks added later are walked too)
        w = make_window(None, project_copy, wait_network=True, language="zh_CN")
        yield w
    finally:
        install_translation(app, "en")


def test_every_dock_dialog_and_menu_speaks_chinese(qtbot, chinese_window, tmp_path):
    w = chinese_window
    texts: list[tuple[str, str]] = []
    # fill the docks as a user would: a trace, an identify, an attribute table, the forms
    inspect = w.extensions["gisapp.qt.inspect_tools"]
    inspect.open_table("pipes")
    inspect.open_table("outfalls")
    pipes = w.project.layers["pipes"]
    g = pipes.geometry.iloc[0].interpolate(0.5, normalized=True)
    inspect.identify(g.x, g.y)
    trace = w.extensions["gisapp.qt.trace_panel"]
    from gisapp.qt.trace_panel import TraceRequest
    from network.trace import UPSTREAM

    trace.trace(TraceRequest(UPSTREAM, (("plants", "P01"),)))
    qtbot.waitUntil(lambda: trace.dock.summary_label.text() != "", timeout=20000)
    surveys = w.extensions["gisapp.qt.surveys_ext"]
    for kind in ("inspection", "observation", "misconnection", "leak", "siltation", "problem"):
        surveys.open_form(kind)
    for dock in w.findChildren(QDockWidget):
        dock.show()
        dock.raise_()
        QApplication.processEvents()
        tabs = dock.findChildren(QTabBar)
        for bar in tabs:  # every page of a dock's tabs
            for i in range(bar.count()):
                bar.setCurrentIndex(i)
                QApplication.processEvents()
                texts += visible_texts(dock, dock.objectName())
        texts += visible_texts(dock, dock.objectName())
    for menu in w.menuBar().findChildren(QMenu):
        texts += menu_texts(menu, menu.title())
    texts += [(f"toolbar>{a.objectName()}", a.text()) for a in w.map_toolbar.actions()]
    texts += visible_texts(w.statusBar(), "statusbar")

    # dialogs reachable from the menus, opened non-modally
    w.new_project_dialog()
    src = Path(__file__).resolve().parents[2] / "resources" / "demo" / "src"
    w._new_dialog.add_file("pipes", str(src / "pipes_sewage.shp"))  # guesses, CRS, preview
    texts += visible_texts(w._new_dialog, "new_project_dialog")
    w._new_dialog.reject()
    exporter = w.extensions["gisapp.qt.export_dialog"]
    dlg = exporter.open_dialog()
    if dlg is not None:
        texts += visible_texts(dlg, "export_dialog")
        dlg.reject()
    folder = tmp_path / "管线数据"
    folder.mkdir()
    (folder / "园区").mkdir()
    fd = QFileDialog(w, "打开项目", str(folder), "PipeAtlas 项目 (*.gpkg)")
    fd.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    fd.show()
    qtbot.waitUntil(
        lambda: (
            fd.findChild(QAbstractItemView, "listView")
            .model()
            .rowCount(fd.findChild(QAbstractItemView, "listView").rootIndex())
            > 0
        ),
        timeout=5000,
    )
    # the dialog's own words (labels, buttons, column headers); the file lists show the
    # user's folders as they are, but their kind in Chinese
    texts += [(k, t) for k, t in visible_texts(fd, "file_dialog") if " cell" not in k]
    listing = fd.findChild(QAbstractItemView, "treeView")
    model = listing.model()
    row = model.index(0, 2, listing.rootIndex())  # 园区: its type column
    assert row.data() == "文件夹"
    fd.reject()
    # the attribute form of a pipe (Edit → attributes), a new outfall's facts, the column
    # mapping of a survey table
    edit = w.extensions["gisapp.qt.edit_tools"]
    inspect.hub.set_selection("pipes", [str(pipes["pipe_id"].iloc[0])])
    form = edit.edit_attributes()
    assert form is not None
    texts += visible_texts(form, "feature_form")
    form.reject()
    outfalls = w.extensions["gisapp.qt.outfalls_dock"]
    add = outfalls.ask_new_outfall(g.x + 5.0, g.y + 5.0)
    if add is not None:
        texts += visible_texts(add, "add_outfall_dialog")
        add.close()
    import pandas as pd

    from gisapp.qt.survey_import_dialogs import ImportMappingDialog

    table = pd.DataFrame({"管段编号": ["WS-0001"], "缺陷代码": ["PL"], "等级": [3]})
    mapping = ImportMappingDialog(tmp_path / "检测表.xlsx", table, 1, w)
    mapping.show()
    texts += visible_texts(mapping, "import_mapping_dialog")
    mapping.reject()
    for dlg in w.findChildren(QDialog):
        if dlg.isVisible():
            texts += visible_texts(dlg, dlg.objectName() or type(dlg).__name__)

    assert len(texts) > 500  # the walk saw the window (not an empty list)
    # the names a Chinese user reads: the CRS, PipeAtlas's own columns and their codes
    assert w.crs_label.text() == "EPSG:4525 CGCS2000 3度带 第37带"
    model = inspect.tables["pipes"].model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert {"管径(mm)", "管网类别", "起点井号", "长度(m)"} <= set(headers)
    col = headers.index("管网类别")
    assert {model.index(r, col).data() for r in range(model.rowCount())} <= {
        "污水",
        "雨水",
        "工业废水专管",
        "合流",
        "",
    }
    identify = inspect.identify_dock.field_values()
    assert any("管线编号" in fields for fields in identify.values())
    found = english_texts(texts)
    assert found == [], "\n".join(f"{where}: {t!r}" for where, t in sorted(set(found)))
