"""One resolver of a project argument: a ``.gpkg`` path or a ``postgresql://`` address.

Every command and the window call :func:`resolve_project` (or :func:`project_session`) on the
project they are given. A file path comes back unchanged. A PostGIS address is materialised as
a cached GeoPackage (``$PIPEATLAS_CACHE_DIR`` or ``~/.cache/pipeatlas/postgis``): a whole-park
offline package (:func:`~network.io.postgis.offline.checkout`, base versions recorded),
checked out again only when the database changed since (the newest ``pa_audit`` id, the push
and the open conflicts are compared) and the copy holds no local change. So reading commands
(check, trace, info, balance, map …) run unchanged on it, and a command that writes is merged
back by :func:`project_session` through the optimistic-concurrency checkin: a write that lost a
race to another person becomes a listed conflict, never a silent overwrite.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from network.io.postgis.ddl import q
from network.io.postgis.dsn import is_postgres_address, parse_address


def cache_dir() -> Path:
    """Where cached copies of PostGIS projects live."""
    env = os.environ.get("PIPEATLAS_CACHE_DIR")
    base = Path(env) if env else Path.home() / ".cache" / "pipeatlas" / "postgis"
    base.mkdir(parents=True, exist_ok=True)
    return base


def database_stamp(con: object, schema: str) -> str:
    """What changes whenever the project in *schema* changes (audit id, push identity)."""
    s = q(schema)
    row = con.execute(  # type: ignore[attr-defined]
        f"SELECT (SELECT coalesce(max(id), 0) FROM {s}.pa_audit), "
        f"(SELECT xmin::text FROM {s}.pa_team_gpkg WHERE key = 'system'), "
        f"(SELECT count(*) FROM {s}.pa_conflicts WHERE resolution IS NULL)"
    ).fetchone()
    return f"{row[0]}:{row[1]}:{row[2]}"


def resolve_project(arg: str | Path, *, refresh: bool = True) -> Path:
    """The GeoPackage to read for a project argument.

    Parameters
    ----------
    arg : a ``.gpkg`` path, or ``postgresql://…?schema=park`` / ``pg:service=… schema=park``
    refresh : pull again when the database changed (else any cached copy is used)

    Raises
    ------
    TeamError
        The database is unreachable or the schema holds no project.

    Examples
    --------
    >>> resolve_project("park.gpkg")
    PosixPath('park.gpkg')
    """
    if not is_postgres_address(arg):
        return Path(arg)
    from network.io.postgis.offline import checkout

    addr = parse_address(str(arg))
    key = hashlib.sha256(addr.public().encode()).hexdigest()[:16]
    path = cache_dir() / f"{addr.schema}-{key}.gpkg"
    stamp_file = path.with_suffix(".stamp.json")
    old = json.loads(stamp_file.read_text()) if stamp_file.exists() else {}
    if path.exists() and not refresh:
        return path
    if path.exists() and old.get("sha256") and old["sha256"] != _file_digest(path):
        return path  # local changes not merged yet: keep them (project_session merges)
    with addr.connect() as con:
        stamp = database_stamp(con, addr.schema)
    if path.exists() and old.get("stamp") == stamp:
        return path
    checkout(addr, path, overwrite=True)
    stamp_file.write_text(
        json.dumps({"stamp": stamp, "address": addr.public(), "sha256": _file_digest(path)})
    )
    return path


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class ProjectSession:
    """A project argument resolved for one command: the file to use, and what was merged."""

    arg: str
    path: Path
    merged: Any = None  # the CheckinResult when the command changed a PostGIS project


@contextlib.contextmanager
def project_session(arg: str | Path) -> Iterator[ProjectSession]:
    """Resolve *arg* for a command; merge back what the command wrote (PostGIS only).

    Raises
    ------
    TeamError
        The database is unreachable (before the command runs, or when merging: the local
        copy then keeps the changes, and the next command on the address merges them).

    Examples
    --------
    >>> with project_session("park.gpkg") as s:
    ...     s.path
    PosixPath('park.gpkg')
    """
    path = resolve_project(arg)
    session = ProjectSession(str(arg), path)
    if not is_postgres_address(arg):
        yield session
        return
    before = _file_digest(path)
    yield session
    if _file_digest(path) != before or _unmerged(path):
        from network.io.postgis.offline import checkin

        session.merged = checkin(path, parse_address(str(arg)))
        stamp_file = path.with_suffix(".stamp.json")
        stamp_file.unlink(missing_ok=True)  # checked out afresh by the next command


def _unmerged(path: Path) -> bool:
    stamp_file = path.with_suffix(".stamp.json")
    if not stamp_file.exists():
        return True
    return json.loads(stamp_file.read_text()).get("sha256") != _file_digest(path)
