"""A job's result reaches its owner's method or closure without keeping the owner alive: a
window or dock let go of as its job fails or finishes is deleted once, cleanly. (It crashed
the suite: the owner died inside its own relay's deferred delete and deleted it again.)"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import time
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication, QWidget
    from gisapp.qt.workers import JobWorker, run_in_thread, wait_for_all_jobs

    app = QApplication.instance() or QApplication([])

    class Owner(QWidget):
        def __init__(self):
            super().__init__()
            self.seen = []

        def done(self, result):
            self.seen.append(result)

        def failed(self, exc):
            self.seen.append(exc)

    def job(fail):
        if fail:
            raise ValueError("the layer has no CRS")
        yield 0.5, "half"
        return "ok"

    def closures(w):  # callbacks that hold their owner (as nested functions do)
        return (lambda result: w.done(result)), (lambda exc: w.failed(exc))

    results = []
    for i in range(40):
        owner = Owner()
        seen = owner.seen
        done, failed = (owner.done, owner.failed) if i % 4 < 2 else closures(owner)
        run_in_thread(owner, JobWorker(job, i % 2 == 0), done, failed)
        del done, failed
        end = time.time() + 10
        while not seen and time.time() < end:
            app.processEvents()
        results.append(type(seen[0]).__name__ if seen else "nothing")
        del owner  # let go of it as the result has just arrived
        wait_for_all_jobs()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
    print(" ".join(sorted(set(results))))
    """
)


def _run(script: str) -> str:
    """*script*'s output, run in a process of its own (a crash must not take the suite)."""
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert out.returncode == 0, f"the process died ({out.returncode}): {out.stderr[-2000:]}"
    return out.stdout


def test_an_owner_let_go_of_as_its_job_ends_is_deleted_cleanly():
    out = _run(SCRIPT)
    assert out.split() == ["ValueError", "str"], "every result reached its owner"


SCRIPT_LISTED = textwrap.dedent(
    """
    import gc, time, weakref
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication, QWidget
    from gisapp.qt.workers import (
        JobWorker, listed_while_running, run_in_thread, wait_for_all_jobs,
    )

    app = QApplication.instance() or QApplication([])

    class Owner(QWidget):
        def __init__(self):
            super().__init__()
            self.jobs = []
            self.seen = []

        def done(self, result):
            self.seen.append(result)

    def job():
        yield 0.5, "half"
        return "ok"

    gone = []
    for i in range(10):
        owner = Owner()
        thread = run_in_thread(owner, JobWorker(job), owner.done, print)
        listed_while_running(owner.jobs, thread)
        gone.append(weakref.ref(thread))
        del thread
        end = time.time() + 10
        while (owner.jobs or not owner.seen) and time.time() < end:
            app.processEvents()
        assert owner.seen == ["ok"] and owner.jobs == [], (owner.seen, owner.jobs)
        gone.append(weakref.ref(owner))
        owner.deleteLater()
        del owner
        wait_for_all_jobs()
        for _ in range(3):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            app.processEvents()
    gc.collect()
    print(sum(r() is not None for r in gone))
    """
)


def test_a_finished_job_leaves_its_owners_list_and_holds_nothing():
    out = _run(SCRIPT_LISTED)
    assert out.split()[-1] == "0", "finished jobs or deleted owners are still held"
