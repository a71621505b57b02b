"""PostgreSQL addresses of a project: ``postgresql://[user@]host[:port]/db?schema=park``.

A project address is a libpq URI (or ``pg:service=…``) plus one PipeAtlas parameter,
``schema`` (default ``park``). Passwords come from ``~/.pgpass``, a service file
or ``PGPASSWORD``; an address is never stored with its password (:func:`public_dsn`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from network.io.postgis.errors import TeamError

DEFAULT_SCHEMA = "park"
_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def is_postgres_address(arg: object) -> bool:
    """True for ``postgresql://…``, ``postgres://…`` or ``pg:service=…`` addresses.

    >>> is_postgres_address("postgresql://localhost/db?schema=park")
    True
    >>> is_postgres_address("park.gpkg")
    False
    """
    s = str(arg)
    return s.startswith(("postgresql://", "postgres://", "pg:"))


def with_user(address: str, user: str) -> str:
    """The same ``postgresql://`` address, logged in as *user* (no password is added).

    >>> with_user("postgresql://postgres@/db?host=/run/pg&schema=park", "alice")
    'postgresql://alice@/db?host=/run/pg&schema=park'
    >>> with_user("postgresql://localhost:5433/db", "bob")
    'postgresql://bob@localhost:5433/db'
    """
    parts = urlsplit(address)
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}@{host}").geturl()


@dataclass(frozen=True)
class ProjectAddress:
    """Where a PostGIS project lives: a libpq connection string and a schema."""

    conninfo: str
    schema: str

    def public(self) -> str:
        """The address without any password (safe to print, store and log)."""
        return public_dsn(self.conninfo, self.schema)

    def connect(self, **kw: Any) -> Any:
        """A psycopg connection (autocommit off) with ``search_path`` = schema, public."""
        import psycopg

        try:
            con = psycopg.connect(self.conninfo, **kw)
        except psycopg.Error as exc:
            raise TeamError(
                f"Cannot connect to PostgreSQL at {self.public()}: {_first_line(exc)}",
                "Start the server (tools/postgis.sh), check host/port/database, and put the "
                "password in ~/.pgpass or a pg_service.conf service, never in the address.",
                file=self.public(),
            ) from exc
        return con


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def parse_address(arg: str) -> ProjectAddress:
    """Split a project address into a libpq connection string and a schema.

    Raises
    ------
    TeamError
        The schema name is not a plain lower-case SQL identifier.

    Examples
    --------
    >>> a = parse_address("postgresql://ann@db.example:5433/gis?schema=park&sslmode=require")
    >>> a.schema, a.conninfo
    ('park', 'postgresql://ann@db.example:5433/gis?sslmode=require')
    >>> parse_address("pg:service=park_db schema=yy").schema
    'yy'
    >>> parse_address("postgresql:///pa?host=/srv/pg&port=5433&schema=park").conninfo
    'postgresql:///pa?host=/srv/pg&port=5433'
    """
    s = str(arg)
    schema = DEFAULT_SCHEMA
    if s.startswith("pg:"):
        parts = []
        for tok in s[3:].split():
            k, _, v = tok.partition("=")
            if k == "schema":
                schema = v
            else:
                parts.append(tok)
        conninfo = " ".join(parts)
    else:
        u = urlsplit(s)
        query = []
        for k, v in parse_qsl(u.query, keep_blank_values=True):
            if k == "schema":
                schema = v
            else:
                query.append((k, v))
        conninfo = _unsplit(u.scheme, u.netloc, u.path, query)
    if not _SCHEMA_RE.match(schema):
        raise TeamError(
            f"schema={schema!r} is not a usable schema name: use lower-case letters, digits "
            "and _ (for example schema=park).",
            file=s,
            field="schema",
        )
    return ProjectAddress(conninfo, schema)


def _unsplit(scheme: str, netloc: str, path: str, query: list[tuple[str, str]]) -> str:
    """A URI again, keeping ``//`` with an empty host (``postgresql:///db?host=/run/pg``)."""
    q = urlencode(query, safe="/")
    return f"{scheme}://{netloc}{path}" + (f"?{q}" if q else "")


def public_dsn(conninfo: str, schema: str | None = None) -> str:
    """The address with the password removed (and ``schema`` put back when given).

    >>> public_dsn("postgresql://ann:secret@host/db?sslmode=require", "park")
    'postgresql://ann@host/db?sslmode=require&schema=park'
    >>> public_dsn("host=h dbname=d password=x", "park")
    'pg:host=h dbname=d schema=park'
    """
    if conninfo.startswith(("postgresql://", "postgres://")):
        u = urlsplit(conninfo)
        netloc = u.netloc
        if "@" in netloc:
            cred, _, hostport = netloc.rpartition("@")
            netloc = cred.split(":", 1)[0] + "@" + hostport
        query = [(k, v) for k, v in parse_qsl(u.query, keep_blank_values=True) if k != "password"]
        if schema:
            query.append(("schema", schema))
        return _unsplit(u.scheme, netloc, u.path, query)
    toks = [t for t in conninfo.split() if not t.startswith("password=")]
    if schema:
        toks.append(f"schema={schema}")
    return "pg:" + " ".join(toks)
