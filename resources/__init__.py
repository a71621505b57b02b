"""Data files shipped with PipeAtlas (standard packs, demo park, translations)."""

from importlib.resources import files
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Return the path of a shipped resource file."""
    return Path(str(files(__name__).joinpath(*parts)))
