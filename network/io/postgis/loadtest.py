"""A team load check: N concurrent writers add survey records and update shared ledger rows.

Used by ``benchmarks/bench_team.py`` (10 writers × 1,000) and the tests (small). Each writer
logs in as its own role (``pa_writer_01`` …, member of field_engineer and park_staff), reads
the versions of its ledger rows, waits for the others (so every writer works from the same
stale read), then interleaves: one survey record insert, one ledger update with the version it
read. Writer *w* updates rows ``[B·w, B·w + 9/10·B)`` and ``[B·(w+1), B·(w+1) + B/10)`` of the
ledger (B = records per writer), so the first tenth of every block is touched by exactly two
writers: those rows, and only those, must end in one conflict each, naming the other writer.
"""

from __future__ import annotations

import threading
import time
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

from network.io.postgis.ddl import q
from network.io.postgis.errors import StaleWriteError
from network.io.postgis.records import insert_record, update_record

LEDGER = "sv_problems"
SURVEYS = "sv_observations"


@dataclass
class WriterResult:
    name: str
    inserted: list[str] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)  # ledger row numbers written
    conflicts: list[tuple[int, str | None]] = field(default_factory=list)  # (row, changed_by)
    errors: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    writers: list[WriterResult]
    seconds: float
    ledger_uuids: list[str]

    @property
    def writes(self) -> int:
        return sum(len(w.inserted) + len(w.updated) + len(w.conflicts) for w in self.writers)


def writer_name(w: int) -> str:
    return f"pa_writer_{w + 1:02d}"


def rows_of(w: int, writers: int, per_writer: int) -> list[int]:
    """The ledger rows writer *w* updates (see the module notes).

    >>> rows_of(0, 2, 10)
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 10]
    >>> rows_of(1, 2, 10)
    [10, 11, 12, 13, 14, 15, 16, 17, 18, 0]
    """
    shared = max(1, per_writer // 10)
    own = range(per_writer * w, per_writer * w + per_writer - shared)
    nxt = per_writer * ((w + 1) % writers)
    return [*own, *range(nxt, nxt + shared)]


def contested_rows(writers: int, per_writer: int) -> set[int]:
    """The rows two writers update (the only places a conflict may happen)."""
    shared = max(1, per_writer // 10)
    return {per_writer * w + j for w in range(writers) for j in range(shared)}


def prepare(admin_dsn: str, schema: str, writers: int, per_writer: int) -> list[str]:
    """Create the writer roles and ``writers × per_writer`` ledger rows; return their UUIDs."""
    import psycopg

    uuids = [str(uuidlib.uuid4()) for _ in range(writers * per_writer)]
    with psycopg.connect(admin_dsn, autocommit=True) as con:
        for w in range(writers):
            name = writer_name(w)
            if not con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
                con.execute(f"CREATE ROLE {name} LOGIN IN ROLE field_engineer, park_staff")
        with (
            con.transaction(),
            con.cursor().copy(
                f"COPY {q(schema)}.{LEDGER} (uuid, description, status, pa_uuid) FROM STDIN"
            ) as cp,
        ):
            for i, u in enumerate(uuids):
                cp.write_row((u, f"负载测试问题 {i}", "open", u))
    return uuids


def run(
    dsn_for: Any, schema: str, ledger_uuids: list[str], writers: int, per_writer: int
) -> LoadResult:
    """Run the writers concurrently; *dsn_for(role)* gives each its login address."""
    import psycopg

    results = [WriterResult(writer_name(w)) for w in range(writers)]
    barrier = threading.Barrier(writers + 1)

    def work(w: int) -> None:
        res = results[w]
        try:
            with psycopg.connect(dsn_for(res.name), autocommit=True) as con:
                rows = rows_of(w, writers, per_writer)
                base = dict(
                    con.execute(
                        f"SELECT pa_uuid::text, pa_version FROM {q(schema)}.{LEDGER} "
                        "WHERE pa_uuid = ANY(%s::uuid[])",
                        ([ledger_uuids[r] for r in rows],),
                    ).fetchall()
                )
                barrier.wait()
                for i, r in enumerate(rows):
                    sid = str(uuidlib.uuid4())
                    values = {
                        "uuid": sid,
                        "pipe_id": f"P{w}-{i}",
                        "code": "CK",
                        "grade": 1 + i % 4,
                        "distance_m": float(i),
                        "remarks": f"{res.name} 第{i}条",
                    }
                    uid = insert_record(con, schema, SURVEYS, values, uuid=sid)
                    res.inserted.append(uid)
                    u = ledger_uuids[r]
                    try:
                        update_record(con, schema, LEDGER, u, base[u], {"notes": res.name})
                        res.updated.append(r)
                    except StaleWriteError as exc:
                        res.conflicts.append((r, exc.changed_by))
        except Exception as exc:  # noqa: BLE001 - reported in the result, never lost
            res.errors.append(repr(exc))
            if barrier.n_waiting:
                barrier.abort()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return LoadResult(results, time.perf_counter() - t0, ledger_uuids)


def verify(admin_dsn: str, schema: str, res: LoadResult, per_writer: int) -> dict[str, Any]:
    """Check the database after a run: the counts a report prints (and tests assert)."""
    import psycopg

    writers = len(res.writers)
    s = q(schema)
    with psycopg.connect(admin_dsn) as con:
        n_obs, n_distinct = con.execute(
            f"SELECT count(*), count(DISTINCT pa_uuid) FROM {s}.{SURVEYS}"
        ).fetchone()
        mine = {u for w in res.writers for u in w.inserted}
        stored = {
            str(r[0])
            for r in con.execute(
                f"SELECT pa_uuid FROM {s}.{SURVEYS} WHERE pa_uuid = ANY(%s)", (list(mine),)
            )
        }
        versions = dict(
            con.execute(f"SELECT pa_uuid::text, pa_version FROM {s}.{LEDGER}").fetchall()
        )
        audits = con.execute(
            f"SELECT count(*) FROM {s}.pa_audit WHERE action = 'UPDATE' AND table_name = %s",
            (LEDGER,),
        ).fetchone()[0]
    conflict_rows = sorted(r for w in res.writers for r, _ in w.conflicts)
    touched = {r for w in range(writers) for r in rows_of(w, writers, per_writer)}
    return {
        "survey_records": n_obs,
        "survey_distinct": n_distinct,
        "survey_lost": len(mine - stored),
        "ledger_updated": sum(len(w.updated) for w in res.writers),
        "ledger_rows_version2": sum(1 for v in versions.values() if v == 2),
        "ledger_rows_over2": sum(1 for v in versions.values() if v > 2),
        "ledger_untouched_changed": sum(
            1 for i, u in enumerate(res.ledger_uuids) if i not in touched and versions[u] != 1
        ),
        "conflicts": len(conflict_rows),
        "conflict_rows_exact": set(conflict_rows) == contested_rows(writers, per_writer)
        and len(conflict_rows) == len(set(conflict_rows)),
        "audited_updates": audits,
        "errors": [e for w in res.writers for e in w.errors],
    }
