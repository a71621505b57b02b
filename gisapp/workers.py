"""Run a pure progress generator off the GUI thread (STYLE.md §5)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot


class Cancelled(Exception):
    """The user pressed Cancel; not an error."""


class JobWorker(QObject):
    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, job: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._job, self._args, self._kwargs = job, args, kwargs
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        try:
            gen = self._job(*self._args, **self._kwargs)
            if not hasattr(gen, "__next__"):  # a plain function: its value is the result
                self.finished.emit(gen)
                return
            while True:
                if self._cancel.is_set():
                    gen.close()
                    raise Cancelled
                self.progress.emit(*next(gen))
        except StopIteration as stop:
            self.finished.emit(stop.value)
        except Exception as exc:  # noqa: BLE001 - handed to the UI boundary
            self.failed.emit(exc)


def start_job(owner: QObject, worker: JobWorker) -> QThread:
    """Start ``worker`` on a new thread owned by ``owner``; keep the returned thread."""
    thread = QThread(owner)
    thread._pa_worker = worker  # type: ignore[attr-defined]  # keep the wrapper alive
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    # QThread.quit is thread-safe: call it from the worker thread at once, so waiting for the
    # thread never depends on the GUI event loop
    worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    worker.failed.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    thread.finished.connect(thread.deleteLater)
    thread.start()
    return thread


class _Relay(QObject):
    """Lives in the GUI thread, so the worker's results arrive there (queued)."""

    def __init__(
        self, on_done: Callable[[Any], None], on_failed: Callable[[Any], None], parent: QObject
    ) -> None:
        super().__init__(parent)
        self._on_done, self._on_failed = on_done, on_failed

    @Slot(object)
    def done(self, result: Any) -> None:
        self._on_done(result)
        self.deleteLater()

    @Slot(object)
    def fail(self, exc: Any) -> None:
        self._on_failed(exc)
        self.deleteLater()


def run_in_thread(
    owner: QObject,
    worker: JobWorker,
    on_done: Callable[[Any], None],
    on_failed: Callable[[Any], None],
) -> QThread:
    """Start ``worker``; ``on_done``/``on_failed`` run in the GUI thread of ``owner``."""
    relay = _Relay(on_done, on_failed, owner)
    worker.finished.connect(relay.done)
    worker.failed.connect(relay.fail)
    return start_job(owner, worker)
