"""The main window: map canvas, layer panel, menus, status bar, project open/new/save."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

from pyproj import CRS
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)

from gisapp.cartography.symbology import DRAW_ORDER  # bottom to top
from gisapp.qt.errors import handle_error
from gisapp.qt.inspect_tools import use_chinese
from gisapp.qt.map_canvas import MapCanvas
from gisapp.qt.map_layer import MapLayer, complete_frame, read_draw_layer
from gisapp.qt.network_controller import NetworkController, NetworkState
from gisapp.qt.settings import AppSettings
from gisapp.qt.window_layout import WindowLayout
from gisapp.qt.workers import Cancelled, JobWorker, listed_while_running, run_in_thread
from network import heap
from network.io.crs import crs_label, transformer
from network.io.postgis.dsn import is_postgres_address, public_dsn
from network.io.project import Project, create_project_job, open_project
from network.overlays import (
    CONNECTION_STATUS,
    FLOW_FORWARD,
    enterprise_status,
    pipe_flow_forward,
)
from network.schema import LAYER_KINDS

log = logging.getLogger(__name__)
# feature modules that add docks, tools and menu entries: each has install(window) -> object
EXTENSIONS: tuple[str, ...] = (
    "gisapp.qt.inspect_tools",
    "gisapp.qt.trace_panel",
    "gisapp.qt.profile_dock",
    "gisapp.qt.export_dialog",
    "gisapp.qt.edit_tools",
    "gisapp.qt.checks_dock",
    "gisapp.qt.surveys_ext",
    "gisapp.qt.overlap_ext",
    "gisapp.qt.dossier_dock",
    "gisapp.qt.outfalls_dock",
    "gisapp.qt.balance_dock",
    "gisapp.qt.acceptance_dock",
    "gisapp.qt.team_ext",
)
_WINDOWS: list[MainWindow] = []  # windows opened by a language switch stay alive


def _read_prepared_layer(path: Path, kind: str, crs: Any) -> MapLayer:
    layer = read_draw_layer(path, kind, crs)
    layer.prepare()  # segments, style batches: the first render only draws
    return layer


def read_map_job(path: Path):
    """Opening, part 1 (a progress generator, off the GUI thread): the project's metadata
    and, per layer, only what the map draws (geometry, id and style columns), prepared for
    drawing; points and lines go from the file into the drawn arrays with no shapely object
    (:func:`gisapp.qt.map_layer.read_draw_layer`). Returns ``(project without layers,
    {kind: frame}, [MapLayer])``; part 2, :func:`read_attributes_job`, reads the rest
    around the same geometry."""
    from concurrent.futures import ThreadPoolExecutor

    import pyogrio

    yield 0.0, QApplication.translate("MainWindow", "Reading the map")
    project = open_project(path, kinds=())  # metadata, settings, notes: no features
    present = {str(n) for n, _ in pyogrio.list_layers(path)}
    kinds = [k for k in LAYER_KINDS if k in present]
    read: dict[str, MapLayer] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:  # GDAL and numpy release the GIL
        futures = {k: pool.submit(_read_prepared_layer, path, k, project.crs) for k in kinds}
        for i, kind in enumerate(kinds):
            read[kind] = futures[kind].result()
            yield (i + 1) / len(kinds), kind
    layers = [read[k] for k in DRAW_ORDER if k in read]
    frames = {k: read[k].data for k in kinds}
    return project, frames, layers


def read_team_map_job(address: str):
    """Opening a ``postgresql://`` project address: the cached copy of the schema (checked
    out again when the database changed and the copy holds no unmerged change), then part 1
    of opening (:func:`read_map_job`) on it."""
    from network.io.postgis.locate import resolve_project

    yield 0.0, QApplication.translate("MainWindow", "Fetching the project from the database")
    path = resolve_project(address)
    return (yield from read_map_job(path))


def address_label(address: str) -> str:
    """A project address as shown to the user: without its password.

    >>> address_label("postgresql://ann:pw@db/gis?schema=park")
    'postgresql://ann@db/gis?schema=park'
    """
    if address.startswith("pg:"):
        return public_dsn(address[3:])
    return public_dsn(address)


def read_attributes_job(
    project: Project, frames: dict[str, Any], layers: list[MapLayer] | None = None
):
    """Opening, part 2: every attribute of every layer around the geometry read in part 1
    (the frames equal those :func:`network.io.project.open_project` reads). ``layers``: the
    map layers of part 1; the geometry they read apart from their frames
    (:meth:`MapLayer.geometry_objects`) becomes the frames' geometry."""
    from concurrent.futures import ThreadPoolExecutor

    yield 0.0, QApplication.translate("MainWindow", "Reading attributes")
    apart = {lay.kind: lay for lay in layers or () if lay.geometry_read_apart}

    def complete(kind: str, frame: Any) -> Any:
        layer = apart.get(kind)
        geometry = layer.geometry_objects() if layer is not None else None
        return complete_frame(project.path, kind, frame, geometry)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {k: pool.submit(complete, k, f) for k, f in frames.items()}
        for i, (kind, future) in enumerate(futures.items()):  # in the order open_project has
            project.layers[kind] = future.result()
            yield (i + 1) / len(futures), kind
    return project


class MainWindow(QMainWindow):
    project_opened = Signal(object)  # Project
    network_updated = Signal(object)  # NetworkState: network, checks, register
    layer_updated = Signal(str)  # kind
    job_finished = Signal(object)
    project_saved = Signal(object)  # Project, after a successful Save

    def __init__(self, settings: AppSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heap.configure(large_from_system=False)  # before the window starts its threads
        self.settings = settings or AppSettings()
        self.project: Project | None = None
        self._team: tuple[str, Path] | None = None  # (address, its cached copy) when opened
        self._threads: list[Any] = []
        self._worker: JobWorker | None = None
        self._opening = 0  # counts Open requests: a slower earlier one never wins
        self._to_lonlat = None
        self.setWindowTitle("PipeAtlas[*]")
        self.resize(1400, 900)

        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._update_modified)
        self.undo_stack.indexChanged.connect(self._update_modified)
        self.canvas = MapCanvas(self)
        self.canvas.setObjectName("map_canvas")
        self.setCentralWidget(self.canvas)
        self._build_layer_panel()
        self._build_status_bar()
        self._build_menus()
        self.network_ctl = NetworkController(self)
        self.network_ctl.state_changed.connect(self._on_network_state_changed)
        self.network_ctl.build_failed.connect(self._on_network_build_failed)
        self.network_ctl.progress.connect(self._on_network_progress)
        self.canvas.mouse_moved.connect(self._on_canvas_mouse_moved)
        self.extensions: dict[str, Any] = {}
        for name in EXTENSIONS:
            self.extensions[name] = importlib.import_module(name).install(self)
        self.canvas.view_changed.connect(self._on_canvas_view_changed)
        # docks in their default places, then the user's own layout of the last session
        self.window_layout = WindowLayout(self, self.settings)
        self.window_layout.arrange()
        self.window_layout.restore()
        self.project_opened.connect(self._on_project_opened_layout)
        self._after_first_render: Any = None  # opening: the attributes are read after it
        self.canvas.render_finished.connect(self._on_canvas_render_ended)
        self.canvas.render_failed.connect(self._on_canvas_render_ended)

    # --- building ---------------------------------------------------------------------------
    def _build_layer_panel(self) -> None:
        from gisapp.qt.layer_panel import LayerPanel

        # the styles stay the map's own (Chinese legends); the pickers name the fields in
        # the interface language
        self.layer_panel = LayerPanel(self.canvas, self, chinese_names=use_chinese(self))
        self.layer_panel.choices_changed.connect(self._save_layer_choices)
        dock = QDockWidget(self.tr("Layers"), self)
        dock.setObjectName("layers_dock")
        dock.setWidget(self.layer_panel)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.layers_dock = dock

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.coord_label = QLabel(objectName="coord_label")
        self.lonlat_label = QLabel(objectName="lonlat_label")
        self.scale_label = QLabel(objectName="scale_label")
        self.crs_label = QLabel(objectName="crs_label")
        self.progress_bar = QProgressBar(objectName="progress_bar")
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"), objectName="cancel_button")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        for w in (
            self.progress_bar,
            self.cancel_button,
            self.coord_label,
            self.lonlat_label,
            self.scale_label,
            self.crs_label,
        ):
            sb.addPermanentWidget(w)

    def _action(self, menu: QMenu, text: str, slot, shortcut=None, name: str = "") -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(shortcut)
        if name:
            act.setObjectName(name)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        mb = self.menuBar()
        self._build_file_menu(mb)
        self._build_edit_menu(mb)
        self._build_view_menu(mb)
        self.tools_menu = mb.addMenu(self.tr("&Tools"))
        self.analysis_menu = mb.addMenu(self.tr("&Analysis"))
        self.surveys_menu = mb.addMenu(self.tr("S&urveys"))
        self.map_toolbar = self.addToolBar(self.tr("Map tools"))
        self.map_toolbar.setObjectName("map_toolbar")
        self.settings_menu = settings_menu = mb.addMenu(self.tr("&Settings"))
        lang = settings_menu.addMenu(self.tr("Language / 语言"))
        self._action(lang, "中文", lambda: self.switch_language("zh_CN"), None, "lang_zh_action")
        self._action(lang, "English", lambda: self.switch_language("en"), None, "lang_en_action")
        help_menu = mb.addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("About PipeAtlas"), self._on_about_triggered)

    def _build_file_menu(self, mb: Any) -> None:
        self.file_menu = mb.addMenu(self.tr("&File"))
        self._action(
            self.file_menu,
            self.tr("&New project from layers…"),
            self.new_project_dialog,
            QKeySequence.StandardKey.New,
            "new_action",
        )
        self._action(
            self.file_menu,
            self.tr("&Open project…"),
            self._on_open_triggered,
            QKeySequence.StandardKey.Open,
            "open_action",
        )
        self.recent_menu = self.file_menu.addMenu(self.tr("Recent projects"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.file_menu.addSeparator()
        self.save_action = self._action(
            self.file_menu,
            self.tr("&Save"),
            self.save,
            QKeySequence.StandardKey.Save,
            "save_action",
        )
        self.file_menu.addSeparator()
        self.export_anchor = self.file_menu.addSeparator()
        self._action(
            self.file_menu,
            self.tr("&Quit"),
            self.close,
            QKeySequence.StandardKey.Quit,
            "quit_action",
        )

    def _build_edit_menu(self, mb: Any) -> None:
        self.edit_menu = mb.addMenu(self.tr("&Edit"))
        undo = self.undo_stack.createUndoAction(self, self.tr("&Undo"))
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        undo.setObjectName("undo_action")
        redo = self.undo_stack.createRedoAction(self, self.tr("&Redo"))
        redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        redo.setObjectName("redo_action")
        self.edit_menu.addAction(undo)
        self.edit_menu.addAction(redo)
        self.edit_menu.addSeparator()

    def _build_view_menu(self, mb: Any) -> None:
        self.view_menu = mb.addMenu(self.tr("&View"))
        self._action(
            self.view_menu,
            self.tr("Zoom to full extent"),
            self.canvas.zoom_to_full_extent,
            "Ctrl+Shift+F",
            "zoom_full_action",
        )
        self._action(
            self.view_menu,
            self.tr("Zoom to selection"),
            self.canvas.zoom_to_selection,
            "Ctrl+J",
            "zoom_selection_action",
        )
        self._action(
            self.view_menu,
            self.tr("Zoom to layer"),
            self._on_zoom_layer_triggered,
            None,
            "zoom_layer_action",
        )
        self._action(
            self.view_menu,
            self.tr("Previous view"),
            self.canvas.previous_view,
            "Alt+Left",
            "previous_view_action",
        )
        self._action(
            self.view_menu,
            self.tr("Next view"),
            self.canvas.next_view,
            "Alt+Right",
            "next_view_action",
        )
        self._action(
            self.view_menu,
            self.tr("Reset window layout"),
            lambda: self.window_layout.reset(),
            None,
            "reset_layout_action",
        )
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.layers_dock.toggleViewAction())

    # --- project ------------------------------------------------------------------------------
    def open_project(self, path: str | Path) -> JobWorker | None:
        """Open a project off the GUI thread; the map appears when it is read.

        ``path``: a ``.gpkg`` file or a PostGIS project address (``postgresql://…?schema=``,
        ``pg:service=…``), kept as a string: the window then works on the cached copy of the
        schema and the team extension checks each Save back in.

        Unsaved edits of the current project are offered for saving first (Save / Discard /
        Cancel); None when the user cancelled (or the save failed): nothing changes."""
        if not self.maybe_save(self.tr("Save the changes before opening another project?")):
            return None
        self._opening += 1
        token = self._opening
        address = str(path) if is_postgres_address(path) else None
        return self.run_job(
            self.tr("Opening project"),
            read_team_map_job if address else read_map_job,
            address or Path(path),
            on_done=lambda result: self._on_map_read(token, *result, address=address),
        )

    @property
    def project_address(self) -> str | None:
        """The PostGIS address of the open project (None for a project file)."""
        if self._team is None or self.project is None or self.project.path != self._team[1]:
            return None
        return self._team[0]

    def _on_map_read(
        self,
        token: int,
        project: Project,
        frames: dict[str, Any],
        layers: list[MapLayer],
        address: str | None = None,
    ) -> None:
        """Part 1 of opening: the map is shown now; the attributes follow, then
        :meth:`set_project` (``project_opened``) and the network."""
        if token != self._opening:
            return  # another project was opened meanwhile
        self._team = (address, project.path) if address else None
        self.project = None  # the old project's frames, undo and network go
        self.undo_stack.clear()
        self.setWindowModified(False)
        # the old project's network goes; the new one's (stored in the file) is read while
        # the map is drawn, and traced on once it is (the map read alone goes first: it is
        # what the user waits for)
        self.network_ctl.clear()
        self.network_ctl.preload(project.path, hold=True)
        self._to_lonlat = transformer(project.crs, CRS.from_epsg(4490))
        self.crs_label.setText(crs_label(project.crs, use_chinese(self)))
        self.setWindowTitle(f"PipeAtlas — {self._project_title(project)}[*]")
        self.canvas.set_layers(layers, zoom_to_full=False)
        self._zoom_to_park({lay.kind: lay for lay in layers})

        def failed(_exc: BaseException) -> None:
            if token == self._opening:
                self.canvas.set_layers([], zoom_to_full=False)
                self.network_ctl.drop_preload(project.path)

        def read_attributes(*_: object) -> None:
            # after the first frame is drawn: the map goes first, the attributes follow
            if started or token != self._opening:
                return
            started.append(True)
            self.run_job(
                self.tr("Reading attributes"),
                read_attributes_job,
                project,
                frames,
                layers,
                on_done=lambda p: (
                    self.set_project(p, map_layers=layers) if token == self._opening else None
                ),
                on_failed=failed,
            )
            # the network stored in the file may be traced on now (early_state)
            self.network_ctl.release_preload()

        def no_render_came() -> None:  # e.g. a hidden window: the attributes anyway
            if started or token != self._opening:
                return
            if self.canvas.is_rendering():  # a slow first render (a busy machine): wait on
                QTimer.singleShot(500, self, no_render_came)
                return
            read_attributes()

        started: list[bool] = []
        self._after_first_render = read_attributes  # the newest opening's only
        QTimer.singleShot(2000, self, no_render_came)

    def _on_canvas_render_ended(self, *_: object) -> None:
        then, self._after_first_render = self._after_first_render, None
        if then is not None:  # once the image is shown (every slot of the render has run)
            QTimer.singleShot(0, self, then)

    def maybe_save(self, question: str | None = None) -> bool:
        """Ask Save / Discard / Cancel when the project has unsaved edits.

        True: the project may be replaced or closed (nothing unsaved, saved, or the user chose
        Discard). False: the user cancelled, or the save failed (its error is shown); the
        caller must leave everything as it is."""
        if not self.isWindowModified():
            return True
        answer = QMessageBox.question(
            self,
            self.tr("Unsaved changes"),
            question or self.tr("The project has unsaved changes. Save them first?"),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def set_project(self, project: Project, map_layers: list[MapLayer] | None = None) -> None:
        """Show ``project``. ``map_layers``: the layers already on the map, drawn from the
        geometry of these frames (part 1 of opening): they get the frames, keep their
        prepared geometry and the view."""
        self.project = project
        address = self.project_address  # kept without a password
        self.settings.add_recent(address_label(address) if address else str(project.path))
        self._to_lonlat = transformer(project.crs, CRS.from_epsg(4490))
        self.crs_label.setText(crs_label(project.crs, use_chinese(self)))
        if map_layers is not None and self.canvas.layers == map_layers:
            for layer in map_layers:
                self.canvas.set_layer_data(
                    layer.name, self.layer_data(layer.kind), self.derived_columns(layer.kind)
                )
        else:
            layers = []
            for kind in DRAW_ORDER:
                if kind in project.layers:
                    layers.append(
                        MapLayer(kind, self.layer_data(kind), derived=self.derived_columns(kind))
                    )
            self.canvas.set_layers(layers, zoom_to_full=False)
            self.zoom_to_park()
        self.setWindowTitle(f"PipeAtlas — {self._project_title(project)}[*]")
        self.undo_stack.clear()
        self.setWindowModified(False)
        self.statusBar().showMessage(
            self.tr("Opened %1: %2 layers")
            .replace("%1", project.path.name)
            .replace("%2", str(len(project.layers))),
            5000,
        )
        # the docks reset for the new project first: a current stored network is announced at
        # once (within set_data), and it must not be cleared by the opening that follows
        self.project_opened.emit(project)
        # the network stored in the file is loaded when current (no rebuild), else built
        self.network_ctl.set_data(
            project.layers, project.settings, project.crs, stored=project.path
        )

    def _project_title(self, project: Project) -> str:
        """The file name, or for a PostGIS project its address (without password)."""
        if self._team is not None and project.path == self._team[1]:
            return address_label(self._team[0])
        return project.path.name

    def _on_project_opened_layout(self, project: Project) -> None:
        """A project's docks (made for it just now) take their places; its layers get the
        styles and labels chosen the last time it was open."""
        self.window_layout.place_new_docks()
        choices = self.settings.layer_choices(str(project.path))
        if choices:
            self.layer_panel.apply_choices(choices)

    def _save_layer_choices(self) -> None:
        if self.project is not None:
            self.settings.set_layer_choices(str(self.project.path), self.layer_panel.choices())

    def _update_modified(self, *_: object) -> None:
        """Modified = layer edits not saved. Commands that save at once (survey records)
        between the clean state and now do not count."""
        stack = self.undo_stack
        clean, current = stack.cleanIndex(), stack.index()
        if clean < 0:  # the saved state was undone past and overwritten
            self.setWindowModified(True)
            return
        lo, hi = sorted((clean, current))
        self.setWindowModified(
            any(not getattr(stack.command(i), "saves_immediately", False) for i in range(lo, hi))
        )

    # --- network ------------------------------------------------------------------------------
    def update_layer(self, kind: str, gdf: Any, *, modified: bool = True) -> None:
        """Replace a layer after an edit: project, map and network all follow."""
        assert self.project is not None
        self.project.layers[kind] = gdf
        if self.canvas.layer(kind) is not None:
            self.canvas.set_layer_data(
                kind, self.layer_data(kind), derived=self.derived_columns(kind)
            )
        elif kind in DRAW_ORDER:  # a first feature of a new kind (e.g. the first manhole)
            below = set(DRAW_ORDER[: DRAW_ORDER.index(kind)])
            index = sum(1 for lay in self.canvas.layers if lay.kind in below)
            layer = MapLayer(kind, self.layer_data(kind), derived=self.derived_columns(kind))
            self.canvas.add_layer(layer, index)
            self.layer_panel.sync()
        if kind in ("pipes", "manholes", "enterprises", "plants", "outfalls"):
            self.network_ctl.set_layer(kind, gdf)
        if modified:
            self.setWindowModified(True)
        self.layer_updated.emit(kind)

    def _on_network_progress(self, fraction: float, message: str) -> None:
        if self._worker is not None and self.cancel_button.isVisible():
            return  # a user job owns the progress bar
        self.progress_bar.setFormat(self.tr("Network") + " %p%")
        self.progress_bar.setValue(int(fraction * 1000))
        self.progress_bar.show()

    def _on_network_build_failed(self, exc: BaseException) -> None:
        if not self.cancel_button.isVisible():
            self.progress_bar.hide()
        handle_error(self, exc)

    def _on_network_state_changed(self, state: NetworkState) -> None:
        if not self.cancel_button.isVisible():
            self.progress_bar.hide()
        if self.project is None:
            return
        for kind in ("pipes", "enterprises"):  # derived columns only: geometry stays prepared
            if kind in self.project.layers and self.canvas.layer(kind) is not None:
                self.canvas.set_layer_derived(kind, self.derived_columns(kind))
        self.layer_panel.sync()  # legends follow the new connection status
        n_err = sum(1 for i in state.checks if i.severity == "error")
        self.statusBar().showMessage(
            self.tr("Network: %1 pipes, %2 nodes; %3 check items (%4 errors)")
            .replace("%1", str(len(state.network.piece_pipe_id)))
            .replace("%2", str(state.network.n_nodes))
            .replace("%3", str(len(state.checks)))
            .replace("%4", str(n_err)),
            8000,
        )
        self.network_updated.emit(state)
        heap.trim()  # the layers and the network are read: what their reading freed goes back

    def zoom_to_park(self) -> None:
        """The opening view: the park boundary, else the pipes (zones may lie far away)."""
        assert self.project is not None
        self._zoom_to_park(self.project.layers)

    def _zoom_to_park(self, layers: dict[str, Any]) -> None:
        extent = park_extent(layers)
        if extent is None:
            self.canvas.zoom_to_full_extent()
            return
        x0, y0, x1, y1 = extent
        m = 0.06 * max(x1 - x0, y1 - y0, 1.0)
        self.canvas.zoom_to_extent(x0 - m, y0 - m, x1 + m, y1 + m)

    def layer_data(self, kind: str):
        """The frame drawn for ``kind``: the project's own (never a copy)."""
        assert self.project is not None
        return self.project.layers[kind]

    def derived_columns(self, kind: str) -> dict[str, Any]:
        """Columns drawn with ``kind`` that the network derives, as arrays (one value per row
        of the project frame): connection status of enterprises, flow direction of pipes."""
        assert self.project is not None
        gdf = self.project.layers[kind]
        state = self.network_ctl.state if self.network_ctl.is_current else None
        if kind == "enterprises":
            register = state.register if state else None
            return {CONNECTION_STATUS: enterprise_status(register, gdf["ent_id"])}
        if kind == "pipes" and state is not None and state.built_from(kind, gdf):
            # only on the frame the network was built from: after an edit the old row map
            # would put arrows on the wrong pipes, so they wait for the rebuild
            return {FLOW_FORWARD: pipe_flow_forward(state.network, len(gdf))}
        return {}

    def save(self) -> bool:
        if self.project is None:
            return True
        from network.io.project import save_project

        try:
            # the window's network of these very frames is stored as it is (no rebuild)
            save_project(self.project, checked=self.network_ctl.current_state())
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self, exc)
            return False
        self.undo_stack.setClean()
        self.setWindowModified(False)
        self.statusBar().showMessage(self.tr("Saved"), 3000)
        self.project_saved.emit(self.project)  # a PostGIS project: checked in (team_ext)
        return True

    def new_project_dialog(self) -> None:
        """File → New project: unsaved edits are offered for saving first, then the dialog."""
        from gisapp.qt.new_project_dialog import NewProjectDialog

        if not self.maybe_save(self.tr("Save the changes before creating a new project?")):
            return
        dlg = NewProjectDialog(self)
        dlg.setObjectName("new_project_dialog")
        self._new_dialog = dlg

        def accepted() -> None:
            path, inputs, kw = dlg.job_arguments()
            self.run_job(
                self.tr("Importing layers"),
                create_project_job,
                path,
                inputs,
                on_done=created,
                on_failed=failed,
                show_failure=False,
                **kw,
            )

        def created(project: Project) -> None:
            self._new_dialog = None
            dlg.deleteLater()
            self.set_project(project)

        def failed(exc: BaseException) -> None:
            # the same dialog again, with every file, mapping, CRS and encoding the user set:
            # fix one thing and retry
            dlg.import_failed(exc)
            dlg.open()
            if not isinstance(exc, Cancelled):
                handle_error(dlg, exc)

        dlg.accepted.connect(accepted)
        dlg.rejected.connect(dlg.deleteLater)
        dlg.open()

    def _on_open_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open project"), "", self.tr("PipeAtlas project (*.gpkg)")
        )
        if path:
            self.open_project(path)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for p in self.settings.recent_projects:
            act = self.recent_menu.addAction(p)
            act.triggered.connect(lambda _=False, p=p: self.open_project(p))
        if not self.settings.recent_projects:
            self.recent_menu.addAction(self.tr("(none)")).setEnabled(False)

    def _on_zoom_layer_triggered(self) -> None:
        name = getattr(self.layer_panel, "current_layer_name", lambda: None)()
        if name:
            self.canvas.zoom_to_layer(name)

    def switch_language(self, language: str) -> MainWindow | None:
        """Switch the interface language now: a new window in that language takes over.

        Unsaved edits are offered for saving first (the undo history does not carry over).
        """
        from gisapp.qt.app import install_translation

        if not self.maybe_save(self.tr("Save the changes before switching the language?")):
            return None
        self.undo_stack.setClean()  # saved or discarded: closing this window asks no more
        self.setWindowModified(False)
        self.settings.language = language
        self.window_layout.save()  # the new window takes this one's layout
        install_translation(QApplication.instance(), language)  # type: ignore[arg-type]
        new = MainWindow(settings=self.settings)
        _WINDOWS.append(new)
        new.destroyed.connect(lambda *_: _WINDOWS.remove(new) if new in _WINDOWS else None)
        new.setGeometry(self.geometry())
        new.show()
        if self.project is not None:
            new.open_project(self.project_address or self.project.path)
        self.close()
        return new

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self, "PipeAtlas", self.tr("PipeAtlas — GIS for industrial-park wastewater networks.")
        )

    # --- jobs ---------------------------------------------------------------------------------
    def run_job(
        self,
        title: str,
        job,
        *args: Any,
        on_done=None,
        on_failed=None,
        show_failure: bool = True,
        **kwargs: Any,
    ) -> JobWorker:
        """Run a progress generator off the GUI thread with progress and cancel.

        ``on_done(result)`` runs after success; ``on_failed(exc)`` after a failure (shown
        first, unless it is a :class:`~gisapp.qt.workers.Cancelled` or ``show_failure`` is
        False: then ``on_failed`` shows it) or a cancel."""
        worker = JobWorker(job, *args, **kwargs)
        self._worker = worker
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(f"{title} %p%")
        self.progress_bar.show()
        self.cancel_button.show()
        worker.progress.connect(self._on_worker_progress)

        def done(result: Any) -> None:
            self._job_ended()
            if on_done is not None:
                try:
                    on_done(result)
                except Exception as exc:  # noqa: BLE001 - GUI boundary
                    handle_error(self, exc)
            self.job_finished.emit(result)

        def failed(exc: BaseException) -> None:
            self._job_ended()
            if show_failure and not isinstance(exc, Cancelled):
                handle_error(self, exc)
            if on_failed is not None:
                try:
                    on_failed(exc)
                except Exception as exc2:  # noqa: BLE001 - GUI boundary
                    handle_error(self, exc2)
            self.job_finished.emit(exc)

        listed_while_running(self._threads, run_in_thread(self, worker, done, failed))
        return worker

    def _on_worker_progress(self, fraction: float, message: str) -> None:
        self.progress_bar.setValue(int(fraction * 1000))
        self.statusBar().showMessage(message)

    def _job_ended(self) -> None:
        self.progress_bar.hide()
        self.cancel_button.hide()
        self.statusBar().clearMessage()

    def _on_cancel_clicked(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    # --- status bar ---------------------------------------------------------------------------
    def _on_canvas_mouse_moved(self, x: float, y: float) -> None:
        self.coord_label.setText(f"X {x:,.2f}  Y {y:,.2f}")
        if self._to_lonlat is not None:
            lon, lat = self._to_lonlat.transform(x, y)
            self.lonlat_label.setText(lonlat_text(lon, lat))

    def _on_canvas_view_changed(self, _view: object) -> None:
        self.scale_label.setText(self.canvas.scale_text())

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save(
            self.tr("The project has unsaved changes. Save them before closing?")
        ):
            event.ignore()
            return
        self.window_layout.save()
        for t in list(self._threads):
            t.quit()
            t.wait(30000)
        self.network_ctl.shutdown()
        if hasattr(self.canvas, "shutdown"):
            self.canvas.shutdown()
        event.accept()


def park_extent(layers: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """The opening view: the park boundary (else the pipes) and the plants the park drains
    to, such as a town plant outside the boundary; protected zones and outfalls, which may
    lie far away, are left out, and so is a plant farther away than the park is wide.

    ``layers``: kind → GeoDataFrame, or kind → :class:`MapLayer` (its geometry may have been
    read apart from its frame)."""
    import numpy as np

    base = None
    for kind in ("boundary", "pipes"):
        gdf = layers.get(kind)
        if gdf is not None and len(gdf.data if isinstance(gdf, MapLayer) else gdf):
            b = gdf.extent() if isinstance(gdf, MapLayer) else gdf.total_bounds
            base = np.asarray(b, dtype=float)
            break
    if base is None or not np.isfinite(base).all():
        return None
    x0, y0, x1, y1 = base
    reach = max(x1 - x0, y1 - y0, 1.0)
    for kind in ("plants",):
        gdf = layers.get(kind)
        if isinstance(gdf, MapLayer):
            if gdf.geometry_read_apart:  # points read as they are
                xy = gdf.prepared_geometry().xy
                xs, ys = xy[:, 0], xy[:, 1]
            else:
                gdf = gdf.data
        if not isinstance(gdf, MapLayer):
            if gdf is None or not len(gdf):
                continue
            g = gdf.geometry.centroid  # points as they are
            xs, ys = g.x.to_numpy(float), g.y.to_numpy(float)
        near = (
            np.isfinite(xs)
            & np.isfinite(ys)
            & (xs > base[0] - reach)
            & (xs < base[2] + reach)
            & (ys > base[1] - reach)
            & (ys < base[3] + reach)
        )
        if near.any():
            x0, x1 = min(x0, xs[near].min()), max(x1, xs[near].max())
            y0, y1 = min(y0, ys[near].min()), max(y1, ys[near].max())
    return float(x0), float(y0), float(x1), float(y1)


def lonlat_text(lon: float, lat: float) -> str:
    """Longitude and latitude with their hemispheres, e.g. ``83.900000°W  36.800000°N``.

    Examples
    --------
    >>> lonlat_text(-83.9, 36.8)
    '83.900000°W  36.800000°N'
    >>> lonlat_text(114.25, -0.5)
    '114.250000°E  0.500000°S'
    """
    ew = "E" if lon >= 0 else "W"
    ns = "N" if lat >= 0 else "S"
    return f"{abs(lon):.6f}°{ew}  {abs(lat):.6f}°{ns}"


__all__ = ["LAYER_KINDS", "MainWindow", "lonlat_text"]
