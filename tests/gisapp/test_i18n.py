"""The Chinese interface: the shipped translation is complete and the window uses it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from gisapp.qt.app import install_translation
from gisapp.qt.main_window import MainWindow
from gisapp.qt.settings import AppSettings
from resources import resource_path


def test_translation_file_has_no_unfinished_messages():
    tree = ET.parse(resource_path("translations", "pipeatlas_zh_CN.ts"))
    unfinished = [
        m.findtext("source")
        for m in tree.iter("message")
        if m.find("translation").get("type") == "unfinished"
    ]
    assert unfinished == []
    for m in tree.iter("message"):
        src = m.findtext("source") or ""
        text = "".join(m.find("translation").itertext())
        for ph in ("%1", "%2", "%3", "{0}", "{1}", "%n"):
            assert (ph in src) == (ph in text), (src, text)


@pytest.fixture
def chinese(qapp):
    assert install_translation(QApplication.instance(), "zh_CN")
    yield
    install_translation(QApplication.instance(), "en")


def test_window_is_chinese_with_the_translation(qtbot, tmp_path, chinese):
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    assert w.file_menu.title() == "文件(&F)"
    assert w.edit_menu.title() == "编辑(&E)"
    export = w.extensions["gisapp.qt.export_dialog"].action.text()
    assert export.startswith("导出地图")
