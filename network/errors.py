"""Exceptions of the network library.

Every exception carries a user message plus optional details and the structured place of
the problem (file, layer, feature, field) so the GUI and the CLI can word it.
"""

from __future__ import annotations


class NetworkError(Exception):
    """Base class of expected, user-fixable problems in ``network``."""

    def __init__(
        self,
        message: str,
        details: str = "",
        *,
        file: str | None = None,
        layer: str | None = None,
        feature: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.file = file
        self.layer = layer
        self.feature = feature
        self.field = field

    def where(self) -> str:
        """Return 'file, layer, feature, field' for the parts that are known."""
        parts = []
        if self.file:
            parts.append(f"file {self.file}")
        if self.layer:
            parts.append(f"layer {self.layer}")
        if self.feature is not None:
            parts.append(f"feature {self.feature}")
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return self.message


class InputFileError(NetworkError):
    """A source file cannot be opened or read."""


class SchemaError(NetworkError):
    """A layer lacks a required field, has the wrong geometry type, or bad values."""


class CRSError(NetworkError):
    """A layer has no CRS, or an unknown or unusable one."""


class EncodingError(NetworkError):
    """Text cannot be decoded with the detected or requested encoding."""


class ProjectError(NetworkError):
    """A file is not a PipeAtlas project, or a project cannot be written."""


class UnknownIdError(NetworkError):
    """An id given by the user names no manhole, pipe, enterprise, outfall or plant."""
