"""A private PostgreSQL/PostGIS cluster in a folder, on localhost (tests, benchmarks, set-up).

``initdb`` refuses to run as root, so when the process is root the server runs as the
``postgres`` system user (``runuser -u postgres``) and the folder is handed to it. The server
listens on 127.0.0.1 at a free port and on a Unix socket inside the folder; authentication is
``trust`` for local connections only (a throw-away cluster, never a production server).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from network.io.postgis.errors import TeamError

INSTALL_HINT = (
    "Install PostgreSQL and PostGIS: `bash tools/postgis.sh install` "
    "(apt-get install postgresql postgresql-15-postgis-3 on Debian 12)."
)


def pg_bindir() -> Path:
    """The folder of ``initdb``/``pg_ctl`` (newest installed PostgreSQL).

    Raises
    ------
    TeamError
        PostgreSQL's server programs are not installed.
    """
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise TeamError("PostgreSQL is not installed (no initdb found).", INSTALL_HINT)


def _version_key(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def postgis_available(bindir: Path | None = None) -> bool:
    """True when the PostGIS extension files are installed for this server."""
    b = bindir or pg_bindir()
    version = b.parent.name
    return bool(glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"))


def free_port() -> int:
    """A TCP port on localhost that nobody listens on right now."""
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalCluster:
    """A running throw-away cluster: ``dsn(db, user)`` gives a connection address."""

    folder: Path
    port: int
    bindir: Path
    run_as: str | None

    @property
    def socket_dir(self) -> Path:
        return self.folder / "sock"

    def dsn(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def _cmd(self, *args: str) -> list[str]:
        base = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", self.run_as, "--", *base] if self.run_as else base

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``; ``immediate`` for a throw-away cluster).

        The folder is left for the caller to remove.
        """
        subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.folder / "data"), "-m", mode, "-w", "stop"),
            capture_output=True,
            check=False,
        )


def start_cluster(folder: str | Path | None = None, *, port: int | None = None) -> LocalCluster:
    """``initdb`` a cluster in *folder* (a new temp folder when None) and start it.

    Raises
    ------
    TeamError
        PostgreSQL or PostGIS is missing, or the server did not start (its log is quoted).

    Examples
    --------
    >>> c = start_cluster()  # doctest: +SKIP
    >>> c.dsn("postgres")  # doctest: +SKIP
    'postgresql://postgres@127.0.0.1:54321/postgres'
    """
    bindir = pg_bindir()
    if not postgis_available(bindir):
        raise TeamError(
            "PostGIS is not installed for PostgreSQL " + bindir.parent.name, INSTALL_HINT
        )
    base = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="pipeatlas-pg-"))
    base.mkdir(parents=True, exist_ok=True)
    run_as = "postgres" if os.geteuid() == 0 else None
    cluster = LocalCluster(base, port or free_port(), bindir, run_as)
    data = base / "data"
    cluster.socket_dir.mkdir(exist_ok=True)
    if run_as:
        shutil.chown(base, run_as, run_as)
        shutil.chown(cluster.socket_dir, run_as, run_as)
        os.chmod(base, 0o755)
    if not (data / "PG_VERSION").exists():
        _run(
            cluster._cmd(
                "initdb",
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ),
            "initdb",
        )
    log = base / "server.log"
    opts = (
        f"-p {cluster.port} -c listen_addresses=127.0.0.1 -k {cluster.socket_dir} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
    )
    if run_as:
        log.touch()
        shutil.chown(log, run_as, run_as)
    proc = subprocess.run(
        cluster._cmd(
            "pg_ctl", "-D", str(data), "-l", str(log), "-o", opts, "-w", "-t", "60", "start"
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else proc.stderr
        raise TeamError(f"PostgreSQL did not start in {data}", tail)
    _wait_ready(cluster)
    return cluster


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise TeamError(f"{what} failed: {proc.stderr.strip()[-1500:]}", " ".join(cmd))


def _wait_ready(cluster: LocalCluster, timeout_s: float = 30.0) -> None:
    import psycopg

    end = time.monotonic() + timeout_s
    while True:
        try:
            psycopg.connect(cluster.dsn(), connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


def create_database(cluster: LocalCluster, name: str) -> str:
    """Create database *name* with the PostGIS extension; return its address."""
    import psycopg

    with psycopg.connect(cluster.dsn(), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(cluster.dsn(name), autocommit=True) as con:
        con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return cluster.dsn(name)
