"""A REAL PostgreSQL/PostGIS cluster for the team tests (never skipped).

One cluster per test session in a temp folder (initdb + pg_ctl, run as the ``postgres`` system
user when the tests run as root), one fresh database per test. PostgreSQL missing is a
failure with the install command, not a skip: CI installs it (tools/install.sh).
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from network.io.postgis import cluster as pgcluster
from network.io.postgis.transfer import push

#: Test people and their group roles (login roles, trust authentication on localhost).
PEOPLE = {
    "alice": "field_engineer",
    "bob": "field_engineer",
    "carol": "park_staff",
    "dave": "auditor",
}
_db_numbers = itertools.count(1)
DEMO_PARK = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo_park.gpkg"
PHOTO_BYTES = b"\xff\xd8\xff\xe0 not really a jpeg \xe7\xae\xa1\xff\xd9"


@pytest.fixture
def demo_with_records(demo_project: Path) -> Path:
    """The demo park plus two inspections, a ledger problem (Chinese text) and its photo."""
    from surveys.records import Inspection, Problem
    from surveys.store import SurveyStore

    (demo_project.parent / "photos").mkdir(exist_ok=True)
    (demo_project.parent / "photos" / "井01.jpg").write_bytes(PHOTO_BYTES)
    with SurveyStore(demo_project, author="测试员") as store:
        store.add(Inspection(date="2026-11-03", method="cctv", contractor="益阳管网检测公司"))
        store.add(Inspection(date="2026-11-04", method="qv", remarks="雨后复查"))
        store.add(
            Problem(
                description="污水管接入雨水井（雨污混接）",
                location="东区三路",
                measure="改接至污水井",
                responsible_body="园区管委会",
                deadline="2026-12-31",
                photos=["photos/井01.jpg"],
            )
        )
    return demo_project


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pgcluster.LocalCluster]:
    try:
        c = pgcluster.start_cluster()
    except Exception as exc:  # noqa: BLE001 - fail loudly with the reason, never skip
        pytest.fail(
            f"cannot start PostgreSQL/PostGIS for tests/team: {exc}\n"
            f"{getattr(exc, 'details', '')}\n{pgcluster.INSTALL_HINT}"
        )
    import psycopg

    from network.io.postgis.ddl import roles_sql

    with psycopg.connect(c.dsn(), autocommit=True) as con:
        con.execute(roles_sql())
        for person, role in PEOPLE.items():
            con.execute(f"CREATE ROLE {person} LOGIN IN ROLE {role}")
        con.execute("CREATE DATABASE pa_template")
    with psycopg.connect(c.dsn("pa_template"), autocommit=True) as con:
        con.execute("CREATE EXTENSION postgis")
    try:
        yield c
    finally:
        c.stop("immediate")
        shutil.rmtree(c.folder, ignore_errors=True)


@pytest.fixture
def pg_db(pg_cluster: pgcluster.LocalCluster) -> str:
    """A new empty database with PostGIS; its address for the superuser ``postgres``."""
    import psycopg

    name = f"t{next(_db_numbers)}"
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name} TEMPLATE pa_template STRATEGY FILE_COPY")
    return pg_cluster.dsn(name)


@pytest.fixture(scope="session")
def _pushed_template(pg_cluster: pgcluster.LocalCluster) -> str:
    """The committed demo park pushed once (push only reads it) into a template database."""
    import psycopg

    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as con:
        con.execute("CREATE DATABASE pa_pushed TEMPLATE pa_template STRATEGY FILE_COPY")
    push(DEMO_PARK, pg_cluster.dsn("pa_pushed") + "?schema=park")
    return "pa_pushed"


@pytest.fixture
def pushed(pg_cluster: pgcluster.LocalCluster, _pushed_template: str) -> str:
    """A private database holding the demo park in schema ``park``; its address (superuser)."""
    import psycopg

    name = f"t{next(_db_numbers)}"
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name} TEMPLATE {_pushed_template} STRATEGY FILE_COPY")
    return pg_cluster.dsn(name) + "?schema=park"
