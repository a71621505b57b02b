"""Keeps the flow network, its checks and the connection register in step with the data.

There is no "refresh topology" button: every change of a layer (an edit, an undo, a new
project) schedules a rebuild off the GUI thread; the newest data always wins, and views
update when the ``network_changed`` / ``checks_changed`` / ``register_changed`` signals fire.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from gisapp.qt.workers import JobWorker, run_in_thread
from network.graph import Network
from network.state import CheckedNetwork, iter_checked_network

log = logging.getLogger(__name__)

NetworkState = CheckedNetwork
"""The controller's state: one :class:`network.state.CheckedNetwork` (old name kept)."""


def build_state(layers: dict[str, Any], settings: dict[str, Any], crs: Any, version: int):
    """Progress generator for the worker: :func:`network.state.iter_checked_network`."""
    return iter_checked_network(layers, settings, crs, version=version)


class NetworkController(QObject):
    """Holds the newest :class:`CheckedNetwork` of the window's layers (``state``)."""

    state_changed = Signal(object)  # CheckedNetwork
    build_failed = Signal(object)  # exception
    progress = Signal(float, str)  # while building (fraction, message)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._layers: dict[str, Any] = {}
        self._settings: dict[str, Any] = {}
        self._crs: Any = None
        self._version = 0
        self._building: int | None = None
        self._threads: list[Any] = []
        self.state: CheckedNetwork | None = None
        self._closed = False
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._start_build)

    # --- inputs -------------------------------------------------------------------------------
    def set_data(self, layers: dict[str, Any], settings: dict[str, Any], crs: Any) -> None:
        """New project (or new settings): rebuild everything."""
        self._layers, self._settings, self._crs = dict(layers), dict(settings), crs
        self.state = None
        self._changed()

    def set_layer(self, kind: str, gdf: Any) -> None:
        """A layer was edited (or an edit undone): rebuild soon."""
        if gdf is None:
            self._layers.pop(kind, None)
        else:
            self._layers[kind] = gdf
        self._changed()

    def _changed(self) -> None:
        self._version += 1
        self._timer.start()

    @property
    def is_current(self) -> bool:
        """The state was built from the layers as they are now (no edit since)."""
        return self.state is not None and self.state.version == self._version

    def current_state(self) -> CheckedNetwork | None:
        """The state when it is current, else None (an edit is waiting for its rebuild)."""
        return self.state if self.is_current else None

    @property
    def network(self) -> Network | None:
        return self.state.network if self.state else None

    # --- building -----------------------------------------------------------------------------
    def _start_build(self) -> None:
        if self._closed or self._building is not None or "pipes" not in self._layers:
            return  # the running build restarts us when it ends
        version = self._version
        self._building = version
        worker = JobWorker(
            build_state, dict(self._layers), dict(self._settings), self._crs, version
        )
        worker.progress.connect(self._on_worker_progress)
        thread = run_in_thread(self, worker, self._on_built, self._on_failed)
        self._threads.append(thread)
        thread.finished.connect(
            lambda t=thread: self._threads.remove(t) if t in self._threads else None
        )

    @Slot(float, str)
    def _on_worker_progress(self, fraction: float, message: str) -> None:
        self.progress.emit(fraction, message)

    def _on_built(self, state: CheckedNetwork) -> None:
        self._building = None
        if state.version == self._version:
            self.state = state
            self.state_changed.emit(state)
        else:  # the data changed while building: build the newest data
            self._timer.start()

    def _on_failed(self, exc: BaseException) -> None:
        self._building = None
        log.warning("network build failed: %s", exc)
        self.build_failed.emit(exc)

    def shutdown(self) -> None:
        """No more builds (the window is closing); wait for the running one."""
        self._closed = True
        self._timer.stop()
        self.wait_idle()

    def wait_idle(self, ms: int = 30000) -> None:
        """For tests and shutdown: wait for running builds to end."""
        for t in list(self._threads):
            t.wait(ms)
