"""Typed access to QSettings behind one key prefix (QuickOSM pattern)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

PREFIX = "pipeatlas"
MAX_RECENT = 10


class AppSettings:
    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._s = qsettings or QSettings("PipeAtlas", "PipeAtlas")

    def _get(self, key: str, default=None):
        return self._s.value(f"{PREFIX}/{key}", default)

    def _set(self, key: str, value) -> None:
        self._s.setValue(f"{PREFIX}/{key}", value)
        self._s.sync()

    @property
    def recent_projects(self) -> list[str]:
        v = self._get("recent_projects", [])
        if isinstance(v, str):
            v = [v]
        return [str(p) for p in (v or [])]

    def add_recent(self, path: str) -> None:
        items = [p for p in self.recent_projects if p != path]
        self._set("recent_projects", [path, *items][:MAX_RECENT])

    @property
    def language(self) -> str:
        """'zh_CN', 'en' or '' (follow the system locale)."""
        return str(self._get("language", "") or "")

    @language.setter
    def language(self, value: str) -> None:
        self._set("language", value)

    # --- the window's shape (per user) and the layer choices (per project) -------------------
    def window_state(self) -> tuple[bytes, bytes]:
        """``(geometry, dock state)`` saved by :meth:`set_window_state` (empty when none)."""
        return _as_bytes(self._get("window/geometry")), _as_bytes(self._get("window/state"))

    def set_window_state(
        self, geometry: bytes, state: bytes, size: tuple[int, int] | None = None
    ) -> None:
        self._set("window/geometry", QByteArray(geometry))
        self._set("window/state", QByteArray(state))
        if size is not None:
            self._set("window/size", f"{int(size[0])}x{int(size[1])}")

    def window_size(self) -> tuple[int, int] | None:
        """The window's width and height when it was last closed (None: never saved)."""
        try:
            w, h = (int(v) for v in str(self._get("window/size", "")).split("x"))
        except ValueError:
            return None
        return (w, h) if w > 0 and h > 0 else None

    def layer_choices(self, project_path: str) -> dict:
        """Per layer of the project: style, field, classes, label field, visibility, opacity
        (what :meth:`set_layer_choices` stored; {} when nothing was)."""
        import json

        raw = self._get(f"projects/{_project_key(project_path)}/layers", "")
        try:
            value = json.loads(str(raw)) if raw else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def set_layer_choices(self, project_path: str, choices: dict) -> None:
        import json

        self._set(
            f"projects/{_project_key(project_path)}/layers",
            json.dumps(choices, ensure_ascii=False, sort_keys=True),
        )


def _as_bytes(value) -> bytes:
    if value is None or value == "":
        return b""
    if isinstance(value, QByteArray):
        return bytes(value.data())
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return b""


def _project_key(project_path: str) -> str:
    """A settings key for a project file (its resolved path, hashed: keys take no slashes)."""
    import hashlib
    from pathlib import Path

    try:
        resolved = str(Path(project_path).resolve())
    except OSError:
        resolved = str(project_path)
    return hashlib.sha1(resolved.encode("utf-8")).hexdigest()[:16]
