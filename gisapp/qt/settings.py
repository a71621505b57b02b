"""Typed access to QSettings behind one key prefix (QuickOSM pattern)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

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
