"""Run a pure progress generator off the GUI thread (STYLE.md §5)."""

from __future__ import annotations

import inspect
import threading
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot


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


class _JobThread(QThread):
    """Runs one worker's job in :meth:`run`.

    The worker stays in the GUI thread (it is never moved): its signals are emitted from
    this thread and reach their receivers queued, and every QObject of a job is created and
    destroyed in the GUI thread. (Moving the worker back at the end deadlocked: PySide keeps
    the GIL during ``moveToThread``, which waits for a Qt lock that the GUI thread held while
    it waited for the GIL to destroy a relay.)
    """

    def __init__(self, worker: JobWorker) -> None:
        super().__init__()
        self._pa_worker = worker  # keep the wrapper alive

    def run(self) -> None:
        self._pa_worker.run()


def start_job(owner: QObject, worker: JobWorker) -> QThread:
    """Start ``worker`` on a new thread owned by ``owner``; keep the returned thread."""
    # The thread has no Qt parent: closing or deleting the window while a job runs must never
    # destroy a running QThread (Qt aborts the process). A module registry keeps it alive
    # until it has finished; the reaper (GUI thread) lets it go afterwards.
    thread = _JobThread(worker)
    _LIVE_THREADS.add(thread)
    thread.finished.connect(_reaper().release)
    thread.start()
    return thread


_LIVE_THREADS: set[QThread] = set()


class _Reaper(QObject):
    """Drops finished job threads, in the GUI thread."""

    @Slot()
    def release(self) -> None:
        pending = False
        for t in [t for t in _LIVE_THREADS if t.isFinished()]:
            # isFinished is true already while the thread runs its last steps (its finished
            # signal, deferred deletes); wait(0) only once it has ended: dropping the last
            # reference before that would delete a QThread still running
            if t.wait(0):
                _LIVE_THREADS.discard(t)
            else:
                pending = True
        if pending:
            QTimer.singleShot(20, self.release)


_REAPER: list[_Reaper] = []


def _reaper() -> _Reaper:
    if not _REAPER:
        _REAPER.append(_Reaper())
    return _REAPER[0]


def wait_for_all_jobs(ms: int = 30000) -> None:
    """Wait for every running job thread (at application exit and in tests)."""
    for t in list(_LIVE_THREADS):
        t.wait(ms)


def _weakly(fn: Callable[[Any], None]) -> Callable[[], Callable[[Any], None] | None]:
    """A getter of *fn* that does not keep a bound method's object alive (None once gone)."""
    if inspect.ismethod(fn):
        return weakref.WeakMethod(fn)
    return lambda: fn


#: Callbacks of relays that have fired, let go of in an event of their own (see _Relay).
_RELEASING: list[Any] = []


def _release_later(*refs: Any) -> None:
    """Keep *refs* until the event loop's next turn: whatever they were the last hold on is
    then deleted in a timer event of its own, never inside the relay's event or delete."""
    if not _RELEASING:
        QTimer.singleShot(0, _RELEASING.clear)
    _RELEASING.extend(refs)


class _Relay(QObject):
    """Lives in the GUI thread, so the worker's results arrive there (queued).

    Its owner (its Qt parent) must not live on through it. A bound method of the owner, held
    strongly, kept the owner's wrapper alive through its own child; when the relay's deferred
    delete freed that last reference, the owner's destructor deleted the relay a second time,
    inside its own delete (a crash seen after a test let go of its dock as the job's failure
    arrived; ``tests/gisapp/test_workers_relay.py``). So bound methods are held weakly, and
    once the relay has fired every callback (a closure may hold the owner too) is let go of
    in an event of its own, after the relay's slot has returned.
    """

    def __init__(
        self, on_done: Callable[[Any], None], on_failed: Callable[[Any], None], parent: QObject
    ) -> None:
        super().__init__(parent)
        self._callbacks: tuple[Any, Any] | None = (_weakly(on_done), _weakly(on_failed))

    def _take(self, which: int) -> Callable[[Any], None] | None:
        if self._callbacks is None:
            return None
        getters, self._callbacks = self._callbacks, None
        fn = getters[which]()
        _release_later(getters, fn)
        return fn

    @Slot(object)
    def done(self, result: Any) -> None:
        fn = self._take(0)
        if fn is not None:
            fn(result)
        self.deleteLater()

    @Slot(object)
    def fail(self, exc: Any) -> None:
        fn = self._take(1)
        if fn is not None:
            fn(exc)
        self.deleteLater()


def listed_while_running(threads: list[QThread], thread: QThread) -> QThread:
    """Add *thread* to *threads* (an owner's list of its running jobs) and take it out once
    it has finished, holding neither the thread nor the owner: a lambda that held them,
    connected to the thread's own signal, kept the thread, and the window or controller
    whose list it was, alive for good (one window per test added up to 11 GB in the suite)."""
    threads.append(thread)
    ref = weakref.ref(thread)

    def drop() -> None:
        t = ref()
        if t is not None and t in threads:
            threads.remove(t)

    thread.finished.connect(drop)
    return thread


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
