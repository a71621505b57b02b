"""A park's team on one PostGIS database: 10 concurrent writers × 1,000 records each.

Starts a private PostgreSQL/PostGIS cluster in a temp folder (or uses ``--dsn``), pushes the
demo park, then runs :mod:`network.io.postgis.loadtest`: every writer logs in as its own role,
adds 1,000 survey records (``sv_observations``) and makes 1,000 ledger updates
(``sv_problems``) with the versions it read before anyone wrote; the first tenth of each
writer's ledger rows is also updated by the next writer. Prints the throughput and checks:
no survey record lost or duplicated, each ledger row updated once, conflicts exactly on the
rows two writers touched (each naming the other writer), every update audited.

    python benchmarks/bench_team.py
    python benchmarks/bench_team.py --writers 4 --records 200
    python benchmarks/bench_team.py --dsn postgresql:///pipeatlas?host=/srv/pgdata   # your server
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from network.io.postgis import cluster, loadtest  # noqa: E402
from network.io.postgis.transfer import push  # noqa: E402


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )


def _with_user(dsn: str, user: str) -> str:
    scheme, rest = dsn.split("://", 1)
    if "@" in rest.split("/", 1)[0]:
        rest = rest.split("@", 1)[1]
    return f"{scheme}://{user}@{rest}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writers", type=int, default=10)
    ap.add_argument("--records", type=int, default=1000, help="per writer")
    ap.add_argument("--dsn", help="an existing database (superuser; default: a private cluster)")
    args = ap.parse_args()

    print(f"machine: {machine()}")
    local = None
    try:
        if args.dsn:
            dsn = args.dsn
        else:
            t0 = time.perf_counter()
            local = cluster.start_cluster()
            dsn = cluster.create_database(local, "bench_team")
            print(
                f"private PostgreSQL cluster on 127.0.0.1:{local.port} "
                f"({time.perf_counter() - t0:.1f} s to start)"
            )
        import psycopg

        with psycopg.connect(dsn) as con:
            print(
                "server:",
                con.execute("SELECT version()").fetchone()[0].split(",")[0],
                "/ PostGIS",
                con.execute("SELECT postgis_lib_version()").fetchone()[0],
            )
        schema = f"bench_{int(time.time())}"
        t0 = time.perf_counter()
        push(REPO / "resources" / "demo" / "demo_park.gpkg", f"{dsn}?schema={schema}")
        print(f"push demo park: {time.perf_counter() - t0:.2f} s")
        uuids = loadtest.prepare(dsn, schema, args.writers, args.records)
        res = loadtest.run(
            lambda role: _with_user(dsn, role), schema, uuids, args.writers, args.records
        )
        v = loadtest.verify(dsn, schema, res, args.records)
    finally:
        if local is not None:
            local.stop("immediate")
            shutil.rmtree(local.folder, ignore_errors=True)

    n_w, n_r = args.writers, args.records
    contested = len(loadtest.contested_rows(n_w, n_r))
    print(f"\n{n_w} writers × {n_r} survey records + {n_r} ledger updates each, concurrently")
    print(f"  wall time              {res.seconds:8.2f} s")
    print(
        f"  writes                 {res.writes:8d}  ({res.writes / res.seconds:,.0f} writes/s; "
        f"{n_w * n_r / res.seconds:,.0f} survey records/s)"
    )
    print(
        f"  survey records stored  {v['survey_records']:8d}  (expected {n_w * n_r}; "
        f"distinct {v['survey_distinct']}, lost {v['survey_lost']})"
    )
    print(
        f"  ledger updates written {v['ledger_updated']:8d}  (expected {n_w * n_r - contested}; "
        f"rows at version 2: {v['ledger_rows_version2']}, beyond: {v['ledger_rows_over2']})"
    )
    print(
        f"  conflicts refused      {v['conflicts']:8d}  (expected {contested}, exactly the "
        f"shared rows: {v['conflict_rows_exact']})"
    )
    print(f"  audited ledger updates {v['audited_updates']:8d}")
    ok = (
        not v["errors"]
        and v["survey_records"] == v["survey_distinct"] == n_w * n_r
        and v["survey_lost"] == 0
        and v["conflicts"] == contested
        and v["conflict_rows_exact"]
        and v["ledger_updated"] == v["ledger_rows_version2"] == n_w * n_r - contested
        and v["ledger_rows_over2"] == 0
        and v["ledger_untouched_changed"] == 0
        and v["audited_updates"] == v["ledger_updated"]
    )
    for e in v["errors"]:
        print("  error:", e)
    print(
        "RESULT:",
        "OK — none lost, none duplicated, conflicts exactly where shared" if ok else "FAILED",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
