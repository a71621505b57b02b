"""Unsaved edits are never lost without asking: New, Open, Open Recent, the language switch
and closing the window all ask Save / Discard / Cancel before the project goes."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gisapp.qt.undo import WindowStore, push
from network.commands import SetAttributes
from network.errors import NetworkError
from network.io.project import open_project

Button = QMessageBox.StandardButton
PIPE, EDITED = "WS-0001", 777.0


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def answer(monkeypatch):
    """``answer(button)``: every Save/Discard/Cancel question answers ``button``; returns the
    list of questions asked."""

    def set_answer(button):
        asked = []

        def question(_parent, _title, text, *_a, **_k):
            asked.append(text)
            return button

        monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
        return asked

    return set_answer


def edit(window) -> None:
    push(
        window,
        SetAttributes(
            WindowStore(window), kind="pipes", feature_id=PIPE, values={"diameter_mm": EDITED}
        ),
    )
    assert window.isWindowModified()


def diameter(pipes) -> float:
    return float(pipes.loc[pipes["pipe_id"] == PIPE, "diameter_mm"].iloc[0])


def saved_diameter(path) -> float:
    return diameter(open_project(path).layers["pipes"])


def kept(window, project) -> bool:
    """The project and its unsaved edit are as they were."""
    return (
        window.project is project
        and window.isWindowModified()
        and diameter(window.project.layers["pipes"]) == EDITED
        and window.undo_stack.canUndo()
    )


def new_dialog(window):
    from gisapp.qt.new_project_dialog import NewProjectDialog

    return [d for d in window.findChildren(NewProjectDialog) if d.isVisible()]


# --- File → New project -------------------------------------------------------------------------
def test_new_project_cancel_keeps_the_edit(window, answer):
    project = window.project
    edit(window)
    asked = answer(Button.Cancel)
    window.findChild(type(window.save_action), "new_action").trigger()
    assert len(asked) == 1
    assert not new_dialog(window)
    assert kept(window, project)


def test_new_project_save_writes_the_edit_then_opens_the_dialog(window, answer):
    edit(window)
    answer(Button.Save)
    window.new_project_dialog()
    assert saved_diameter(window.project.path) == EDITED
    assert not window.isWindowModified()
    dialogs = new_dialog(window)
    assert len(dialogs) == 1
    dialogs[0].reject()


def test_new_project_discard_opens_the_dialog(window, answer):
    path = window.project.path
    edit(window)
    answer(Button.Discard)
    window.new_project_dialog()
    assert len(new_dialog(window)) == 1
    assert saved_diameter(path) != EDITED
    new_dialog(window)[0].reject()


# --- File → Open, Open Recent -------------------------------------------------------------------
def test_open_cancel_keeps_the_project_and_the_edit(window, answer, project_copy, monkeypatch):
    project = window.project
    edit(window)
    asked = answer(Button.Cancel)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(project_copy), ""))
    window.findChild(type(window.save_action), "open_action").trigger()
    assert len(asked) == 1
    assert kept(window, project)
    assert window.open_project(project_copy) is None  # the method asks too
    assert kept(window, project)


def test_open_discard_replaces_the_project(qtbot, window, answer, project_copy):
    path = window.project.path
    edit(window)
    answer(Button.Discard)
    with qtbot.waitSignal(window.project_opened, timeout=30000):
        assert window.open_project(project_copy) is not None
    assert window.project.path == project_copy
    assert not window.isWindowModified() and not window.undo_stack.canUndo()
    assert saved_diameter(path) != EDITED


def test_open_save_writes_the_edit_then_opens(qtbot, window, answer, project_copy):
    path = window.project.path
    edit(window)
    answer(Button.Save)
    with qtbot.waitSignal(window.project_opened, timeout=30000):
        window.open_project(project_copy)
    assert window.project.path == project_copy
    assert saved_diameter(path) == EDITED


def test_a_failed_save_does_not_open(window, answer, project_copy, monkeypatch):
    import network.io.project

    def fail(_project):
        raise NetworkError("The disk is full.")

    monkeypatch.setattr(network.io.project, "save_project", fail)
    project = window.project
    edit(window)
    answer(Button.Save)
    assert window.open_project(project_copy) is None
    assert kept(window, project)


def test_open_recent_asks_first(qtbot, window, answer, project_copy):
    project = window.project
    window.settings.add_recent(str(project_copy))
    edit(window)
    window._fill_recent_menu()
    action = next(a for a in window.recent_menu.actions() if a.text() == str(project_copy))
    asked = answer(Button.Cancel)
    action.trigger()
    assert len(asked) == 1
    assert kept(window, project)
    answer(Button.Save)
    with qtbot.waitSignal(window.project_opened, timeout=30000):
        action.trigger()
    assert window.project.path == project_copy
    assert saved_diameter(project.path) == EDITED


# --- Settings → Language ------------------------------------------------------------------------
def test_language_switch_cancel_keeps_the_window(window, answer):
    project = window.project
    language = window.settings.language
    edit(window)
    answer(Button.Cancel)
    assert window.switch_language("en") is None
    assert window.isVisible() and window.settings.language == language
    assert kept(window, project)


@pytest.mark.parametrize("button", [Button.Save, Button.Discard])
def test_language_switch_save_or_discard_asks_once(qtbot, window, answer, button):
    path = window.project.path
    edit(window)
    asked = answer(button)
    new = window.switch_language("en")
    assert new is not None
    qtbot.addWidget(new)
    with qtbot.waitSignal(new.project_opened, timeout=30000):
        pass
    assert len(asked) == 1  # closing the old window does not ask again
    assert not window.isVisible()
    assert (saved_diameter(path) == EDITED) == (button == Button.Save)
    assert diameter(new.project.layers["pipes"]) == saved_diameter(path)


# --- closing the window -------------------------------------------------------------------------
def test_close_cancel_keeps_the_window(window, answer):
    project = window.project
    edit(window)
    answer(Button.Cancel)
    assert not window.close()
    assert window.isVisible()
    assert kept(window, project)


def test_close_save_writes_the_edit(window, answer):
    path = window.project.path
    edit(window)
    answer(Button.Save)
    assert window.close()
    assert saved_diameter(path) == EDITED


def test_close_discard_closes_without_saving(window, answer):
    path = window.project.path
    edit(window)
    answer(Button.Discard)
    assert window.close()
    assert saved_diameter(path) != EDITED


def test_nothing_unsaved_asks_nothing(qtbot, window, answer, project_copy):
    asked = answer(Button.Cancel)
    with qtbot.waitSignal(window.project_opened, timeout=30000):
        window.open_project(project_copy)
    window.new_project_dialog()
    new_dialog(window)[0].reject()
    assert window.close()
    assert asked == []
