"""One call run in a forked child process while the parent goes on with its own work.

Writing a million features into a GeoPackage holds the GIL in GDAL for ten seconds, so a
thread cannot overlap it with building the network; a forked child can (it starts with the
parent's frames, copy-on-write, and nothing is pickled). Used by ``new``: the child writes
the layers while the parent builds the network to store beside them.

Only on Linux, from the main thread of a process with no other thread (forking a process
with running threads, e.g. the window's, can deadlock the child): elsewhere
:func:`can_fork` is false and the caller does both in turn. ``PIPEATLAS_NO_FORK=1`` turns it
off.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any


def can_fork() -> bool:
    """True when :class:`ForkedCall` may be used here and now."""
    return (
        sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and not os.environ.get("PIPEATLAS_NO_FORK")
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    )


class ForkedCall:
    """``fn(*args)`` in a forked child; :meth:`join` waits and raises the child's exception.

    Use as a context manager: leaving it without :meth:`join` (the parent failed) kills
    the child and reaps it, so nothing is left writing.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: run, report a failure through the pipe, never return
            # the child only writes and exits: a collection would walk, and so copy, every
            # page of the parent's objects it shares
            gc.disable()
            os.close(read_fd)
            code = 0
            try:
                fn(*args)
            except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent
                code = 1
                try:
                    payload = pickle.dumps(exc)
                except Exception:  # noqa: BLE001 - an unpicklable error still says what
                    payload = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
                with contextlib.suppress(OSError), os.fdopen(write_fd, "wb") as fh:
                    fh.write(payload)
            finally:
                os._exit(code)
        os.close(write_fd)
        self._pid: int | None = pid
        self._read_fd = read_fd

    def join(self) -> None:
        """Wait for the child. Raises the child's exception, or ``OSError`` when it died
        without one (killed, out of memory)."""
        with os.fdopen(self._read_fd, "rb") as fh:
            payload = fh.read()
        pid, self._pid = self._pid, None
        assert pid is not None
        _, status = os.waitpid(pid, 0)
        if payload:
            raise pickle.loads(payload)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise OSError(f"the writing process ended with status {code}")

    def abandon(self) -> None:
        """Kill and reap the child if it was not joined."""
        pid, self._pid = self._pid, None
        if pid is None:
            return
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
        with contextlib.suppress(OSError):
            os.close(self._read_fd)

    def __enter__(self) -> ForkedCall:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abandon()
