"""Photos of survey records, copied into a folder beside the project.

A photo attached to a record is copied to ``<project folder>/<project stem>.photos/`` under
a unique name, and a JPEG thumbnail goes to ``…photos/thumbs/``. Records keep the path
relative to the project folder (``park.photos/3f2a…_IMG_0012.jpg``), so the project and
its photo folder can be moved together. Stored paths are always resolved inside the
project folder: ``..`` or an absolute path in a record cannot point elsewhere.
"""

from __future__ import annotations

import logging
import shutil
import uuid as uuidlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from surveys.store_errors import PhotoError

log = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 50 * 1024 * 1024
THUMB_SIZE = (256, 256)
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"})


def photo_dir(project_path: str | Path) -> Path:
    """The photo folder of a project: ``<folder>/<stem>.photos``."""
    p = Path(project_path)
    return p.parent / f"{p.stem}.photos"


@dataclass(frozen=True)
class AttachedPhoto:
    """A photo copied into the project.

    ``relpath`` is what the record stores (POSIX separators, relative to the project
    folder); ``path`` and ``thumb`` are absolute.
    """

    relpath: str
    path: Path
    thumb: Path | None


def _check_source(src: Path, max_bytes: int) -> None:
    if not src.exists():
        raise PhotoError(
            f"Photo {src.name} was not found at {src}; check the path or copy the file first.",
            file=str(src),
            kind="missing",
        )
    if not src.is_file():
        raise PhotoError(f"{src} is a folder, not a photo file.", file=str(src), kind="not_file")
    size = src.stat().st_size
    if size > max_bytes:
        raise PhotoError(
            f"Photo {src.name} is {size / 1024 / 1024:.1f} MB, more than the "
            f"{max_bytes / 1024 / 1024:.0f} MB allowed; reduce it (e.g. export at a lower "
            "resolution) and attach it again.",
            file=str(src),
            kind="too_large",
            found=size,
            expected=max_bytes,
        )
    if size == 0:
        raise PhotoError(f"Photo {src.name} is an empty file.", file=str(src), kind="empty")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(src) as im:
            im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoError(
            f"{src.name} is not an image PipeAtlas can read (JPEG, PNG, BMP, GIF, TIFF, WebP); "
            "attach the photo file itself.",
            details=str(exc),
            file=str(src),
            kind="not_image",
        ) from exc


def attach_photo(
    project_path: str | Path, src: str | Path, *, max_bytes: int = MAX_PHOTO_BYTES
) -> AttachedPhoto:
    """Copy a photo into the project's photo folder and make a thumbnail.

    Parameters
    ----------
    project_path : str or Path
        The project GeoPackage.
    src : str or Path
        The photo to copy.
    max_bytes : int
        Largest accepted file (default 50 MB).

    Returns
    -------
    AttachedPhoto

    Raises
    ------
    PhotoError
        The file is missing, a folder, empty, larger than ``max_bytes``, or not an image
        (``exc.data["kind"]`` is ``missing``, ``not_file``, ``empty``, ``too_large`` or
        ``not_image``).

    Examples
    --------
    >>> attach_photo("park.gpkg", "IMG_0012.jpg").relpath        # doctest: +SKIP
    'park.photos/3f2a9c1b_IMG_0012.jpg'
    """
    src = Path(src)
    _check_source(src, max_bytes)
    folder = photo_dir(project_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{uuidlib.uuid4().hex[:8]}_{_safe_name(src.name)}"
        dest = folder / name
        shutil.copy2(src, dest)
    except OSError as exc:
        raise PhotoError(
            f"Cannot copy {src.name} into {folder}: {exc.strerror}.",
            details=str(exc),
            file=str(src),
            kind="copy_failed",
        ) from exc
    thumb = make_thumbnail(dest)
    rel = dest.relative_to(Path(project_path).parent).as_posix()
    return AttachedPhoto(rel, dest, thumb)


def _safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return keep[-80:] or "photo"


def thumbnail_path(photo: Path) -> Path:
    """Where the thumbnail of a photo in the photo folder lives."""
    return photo.parent / "thumbs" / f"{photo.stem}.jpg"


def make_thumbnail(photo: Path) -> Path | None:
    """Write a JPEG thumbnail (at most 256×256) of ``photo``; None if it cannot be made."""
    from PIL import Image, ImageOps

    out = thumbnail_path(photo)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with Image.open(photo) as im:
            im = ImageOps.exif_transpose(im)
            im.thumbnail(THUMB_SIZE)
            im.convert("RGB").save(out, "JPEG", quality=80)
    except OSError as exc:
        log.warning("No thumbnail for %s: %s", photo.name, exc)
        return None
    return out


def resolve_photo(project_path: str | Path, relpath: str, *, must_exist: bool = True) -> Path:
    """Turn a stored photo path into an absolute path inside the project folder.

    Raises
    ------
    PhotoError
        The path is absolute, climbs out of the project folder (``..``), or (with
        ``must_exist``) the file is gone.

    Examples
    --------
    >>> resolve_photo("/data/park.gpkg", "../../etc/passwd")   # doctest: +SKIP
    Traceback (most recent call last):
    surveys.store_errors.PhotoError: Photo path ../../etc/passwd points outside …
    """
    base = Path(project_path).resolve().parent
    text = str(relpath).strip()
    if (
        not text
        or PurePosixPath(text).is_absolute()
        or PureWindowsPath(text).is_absolute()
        or PureWindowsPath(text).drive
    ):
        raise PhotoError(
            f"Photo path {relpath!r} must be relative to the project folder.",
            record=str(relpath),
            kind="outside",
        )
    target = (base / PureWindowsPath(text).as_posix()).resolve()
    if not target.is_relative_to(base):
        raise PhotoError(
            f"Photo path {relpath} points outside the project folder {base}; "
            "photos must live beside the project.",
            record=str(relpath),
            kind="outside",
        )
    if must_exist and not target.is_file():
        raise PhotoError(
            f"Photo {relpath} is missing from {base}; it may have been moved or "
            "deleted. Attach it again or restore the file.",
            record=str(relpath),
            kind="missing",
        )
    return target


def check_photos(project_path: str | Path, relpaths: list[str]) -> list[PhotoError]:
    """Return one :class:`PhotoError` per stored photo path that is unsafe or missing."""
    out = []
    for rel in relpaths:
        try:
            resolve_photo(project_path, rel)
        except PhotoError as exc:
            out.append(exc)
    return out
