"""Keeps the flow network, its checks and the connection register in step with the data.

There is no "refresh topology" button: every change of a layer (an edit, an undo, a new
project) schedules a rebuild off the GUI thread; the newest data always wins, and views
update when the ``network_changed`` / ``checks_changed`` / ``register_changed`` signals fire.
A project opened from a file brings its stored network (:mod:`network.io.topology`): it is
loaded, not rebuilt, when it is current (:meth:`NetworkController.preload` reads it while
the window draws the map, and traces run on it from then on, while the attributes are
read; its connection register is decoded next, also off the GUI thread); a stale one is
rebuilt.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from gisapp.qt.workers import JobWorker, listed_while_running, run_in_thread
from network.errors import NetworkError
from network.graph import Network
from network.io.topology import load_checked_network
from network.state import CheckedNetwork, iter_checked_network

log = logging.getLogger(__name__)

NetworkState = CheckedNetwork
"""The controller's state: one :class:`network.state.CheckedNetwork` (old name kept)."""


def build_state(layers: dict[str, Any], settings: dict[str, Any], crs: Any, version: int):
    """Progress generator for the worker: :func:`network.state.iter_checked_network`."""
    return iter_checked_network(layers, settings, crs, version=version)


def load_or_build_state(
    path: Any, layers: dict[str, Any], settings: dict[str, Any], crs: Any, version: int
):
    """Progress generator: the network stored in the project at *path* when it is current
    (:func:`network.io.topology.load_checked_network`), else a fresh build."""
    yield 0.0, "Loading the stored network"
    try:
        state = load_checked_network(path, layers, version=version)
    except NetworkError as exc:  # unreadable file: the frames are in memory, build from them
        log.info("stored network of %s not read: %s", path, exc)
        state = None
    if state is not None:
        return state
    return (yield from build_state(layers, settings, crs, version))


def preload_state(path: Any):
    """Progress generator: the network stored in *path* when current (else None), read
    before the project's frames are. Its connection register is not decoded yet (a trace
    does not need it): :func:`decode_register` does that next, off the GUI thread too."""
    yield 0.0, "Loading the stored network"
    try:
        return load_checked_network(path)
    except NetworkError as exc:
        log.info("stored network of %s not read: %s", path, exc)
        return None


def decode_register(state: CheckedNetwork):
    """Progress generator: *state* with its connection register decoded (now, not when the
    enterprises' colours are drawn on the GUI thread)."""
    yield 0.0, "Decoding the connection register"
    getattr(state.register, "rows", None)
    return state


_PENDING = object()


def _bound(state: CheckedNetwork, layers: dict[str, Any]) -> CheckedNetwork:
    """A network loaded before the frames were read refers to the window's frames (equal to
    the file's), as a network built from them does: derived columns and Save then know it
    belongs to them. (An API in ``network.state`` for this would be cleaner.)"""
    state.network.layers = dict(layers)
    return state


class NetworkController(QObject):
    """Holds the newest :class:`CheckedNetwork` of the window's layers (``state``)."""

    state_changed = Signal(object)  # CheckedNetwork
    # the stored network, read before the frames: traces may run on it (it is announced
    # again, bound to the frames, by state_changed once they are read)
    early_state = Signal(object)  # CheckedNetwork
    build_failed = Signal(object)  # exception
    progress = Signal(float, str)  # while building (fraction, message)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._layers: dict[str, Any] = {}
        self._settings: dict[str, Any] = {}
        self._crs: Any = None
        self._version = 0
        self._building: int | None = None
        self._stored: Any = None  # project file whose stored network matches the layers
        self._preload: dict[str, Any] | None = None  # path, state (or _PENDING), waiting, held
        self._threads: list[Any] = []
        self.state: CheckedNetwork | None = None
        self._closed = False
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._start_build)

    # --- inputs -------------------------------------------------------------------------------
    def set_data(
        self,
        layers: dict[str, Any],
        settings: dict[str, Any],
        crs: Any,
        *,
        stored: Any = None,
        state: CheckedNetwork | None = None,
    ) -> None:
        """New project (or new settings): the network of these layers.

        ``state``: a network already built (or loaded) from these very frames is adopted
        as it is. ``stored``: the project file the layers were read from; its stored network
        is loaded when it is current (no rebuild), else the network is built. Neither: built.
        """
        self._layers, self._settings, self._crs = dict(layers), dict(settings), crs
        self.state = None
        self._stored = stored
        pre, self._preload = self._preload, None
        if state is None and pre is not None and stored is not None and pre["path"] == stored:
            if pre["state"] is _PENDING or (pre["state"] is not None and not pre["decoded"]):
                # being read (or its register decoded): adopted (or built) when it is
                self._version += 1
                self._preload = {**pre, "waiting": self._version, "held": False}
                return
            self._stored = None  # the file was looked at: stale (None) or current
            state = None if pre["state"] is None else _bound(pre["state"], self._layers)
        if state is not None:
            self.adopt(state)
            return
        self._changed()

    def preload(self, path: Any, *, hold: bool = False) -> None:
        """Start reading the network stored in the project at *path* now, while the window
        reads the project's frames; :meth:`set_data` with ``stored=path`` then adopts it
        (bound to those frames) instead of loading or building.

        ``hold``: it is not announced (no :attr:`early_state`, :meth:`preloaded_state` None)
        until :meth:`release_preload`: the window reads it while the new map is drawn and
        lets it be traced on once the map is shown."""
        self._preload = {
            "path": path,
            "state": _PENDING,
            "decoded": False,  # its register
            "waiting": None,
            "held": hold,
        }
        self._run(preload_state, path, lambda state: self._on_preloaded(path, state))

    def _run(self, job: Any, arg: Any, done: Any) -> None:
        """Run a preload job off the GUI thread; ``done(result)``, None when it failed."""
        thread = run_in_thread(self, JobWorker(job, arg), done, lambda _exc: done(None))
        listed_while_running(self._threads, thread)

    def _on_preloaded(self, path: Any, state: CheckedNetwork | None) -> None:
        pre = self._preload
        if pre is None or pre["path"] != path or self._closed:
            return  # another project (or set_data without it) came since
        self._preload = pre = {**pre, "state": state}
        if state is not None:  # traced on now; adopted when its register is decoded too
            self._run(decode_register, state, lambda s: self._on_decoded(path, state, s))
            if pre["waiting"] is None and not pre["held"]:
                self.early_state.emit(state)
            return
        if pre["waiting"] is not None:
            self._take_preload(pre)

    def _on_decoded(self, path: Any, state: CheckedNetwork, ok: Any) -> None:
        pre = self._preload
        if pre is None or pre["path"] != path or pre["state"] is not state or self._closed:
            return
        if ok is None:  # the register cannot be decoded: the network is built instead
            log.info("stored register of %s not decoded", path)
            pre = {**pre, "state": None}
        self._preload = pre = {**pre, "decoded": True}
        if pre["waiting"] is not None:
            self._take_preload(pre)

    def _take_preload(self, pre: dict[str, Any]) -> None:
        """The frames came (``set_data`` with the preloaded path): the preload is adopted,
        bound to them, or (none stored) the network is built."""
        waiting, state = pre["waiting"], pre["state"]
        self._preload = None
        if waiting != self._version:
            return  # edited meanwhile: that edit's build is on its way
        self._stored = None
        if state is None:  # stale or absent: build from the frames
            self._changed()
            return
        self.adopt(_bound(state, self._layers))

    def clear(self) -> None:
        """No network (a project is being opened): the state goes, no build runs, and no
        signal is sent. A preload (of the project being opened) is kept."""
        self._layers, self._settings, self._crs = {}, {}, None
        self.state = None
        self._stored = None
        self._version += 1  # a build of the old data still running is not taken
        self._timer.stop()

    def release_preload(self) -> None:
        """A held preload (:meth:`preload`) may be traced on: its network is announced by
        :attr:`early_state` (now, if it is read already; else when it is)."""
        pre = self._preload
        if pre is None or not pre["held"]:
            return
        self._preload = {**pre, "held": False}
        if pre["state"] is not _PENDING and pre["state"] is not None and not self._closed:
            self.early_state.emit(pre["state"])

    def preloaded_path(self) -> Any:
        """The project file of :meth:`preloaded_state` (None when there is none)."""
        pre = self._preload
        return pre["path"] if pre is not None and self.preloaded_state() is not None else None

    def drop_preload(self, path: Any) -> None:
        """Forget the preload of *path* (its project was not opened after all)."""
        if self._preload is not None and self._preload["path"] == path:
            self._preload = None

    def adopt(self, state: CheckedNetwork) -> None:
        """Take a ready network of the current layers (e.g. loaded from the project): it
        becomes the state at once, with ``state_changed``, and no build runs for it."""
        self._version += 1
        self._stored = None
        if state.version != self._version:
            state = CheckedNetwork(
                state.network, state.checks, state.register, self._version, state.issue_index
            )
        self.state = state
        self.state_changed.emit(state)

    def set_layer(self, kind: str, gdf: Any) -> None:
        """A layer was edited (or an edit undone): rebuild soon."""
        if gdf is None:
            self._layers.pop(kind, None)
        else:
            self._layers[kind] = gdf
        self._stored = None  # the file's network is of the layers before the edit
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

    def preloaded_state(self) -> CheckedNetwork | None:
        """The stored network read ahead of the frames (see :attr:`early_state`), until
        :meth:`set_data` takes it; None when there is none (or it is not read yet)."""
        pre = self._preload
        if pre is None or pre["state"] is _PENDING or pre["held"] or self._closed:
            return None
        return pre["state"]

    @property
    def network(self) -> Network | None:
        return self.state.network if self.state else None

    # --- building -----------------------------------------------------------------------------
    def _start_build(self) -> None:
        if self._closed or self._building is not None or "pipes" not in self._layers:
            return  # the running build restarts us when it ends
        version = self._version
        self._building = version
        layers, settings = dict(self._layers), dict(self._settings)
        if self._stored is not None:
            worker = JobWorker(
                load_or_build_state, self._stored, layers, settings, self._crs, version
            )
        else:
            worker = JobWorker(build_state, layers, settings, self._crs, version)
        worker.progress.connect(self._on_worker_progress)
        listed_while_running(
            self._threads, run_in_thread(self, worker, self._on_built, self._on_failed)
        )

    @Slot(float, str)
    def _on_worker_progress(self, fraction: float, message: str) -> None:
        self.progress.emit(fraction, message)

    def _on_built(self, state: CheckedNetwork) -> None:
        self._building = None
        if state.version == self._version:
            self.state = state
            self.state_changed.emit(state)
        elif not self.is_current:  # the data changed while building: build the newest data
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
