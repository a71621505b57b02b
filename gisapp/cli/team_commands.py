"""A park's team on one PostGIS database (no Qt): push, pull, checkout, checkin, conflicts.

``push PROJECT.gpkg postgresql://…/db?schema=park [--replace]``,
``pull postgresql://…?schema=park OUT.gpkg [--overwrite]``,
``checkout postgresql://…?schema=park OUT.gpkg [--area WKT | --area-file F] [--overwrite]``,
``checkin PACKAGE.gpkg [postgresql://…?schema=park] [--json]``,
``conflicts list ADDRESS [--all] [--json]``,
``conflicts resolve ADDRESS ID --keep database|package``,
``permissions ADDRESS [--json]`` (what the logged-in role may do; the database enforces it).

Passwords never go in an address: use ``~/.pgpass``, a ``pg_service.conf`` service
(``pg:service=park schema=park``) or ``PGPASSWORD``. Exit 0 ok; 1 checkin left conflicts or
refused records (everything else merged); 2 bad input or an unreachable database.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _address(arg: str) -> Any:
    from network.io.postgis.dsn import is_postgres_address, parse_address
    from network.io.postgis.errors import TeamError

    if not is_postgres_address(arg):
        raise TeamError(
            f"{arg!r} is not a PostgreSQL address: give postgresql://[user@]host[:port]/db"
            "?schema=park (password in ~/.pgpass) or pg:service=NAME schema=park.",
            file=arg,
        )
    return parse_address(arg)


def _cmd_push(args: argparse.Namespace) -> int:
    from network.io.postgis.transfer import push

    addr = _address(args.address)
    t0 = time.perf_counter()
    res = push(args.project, addr, replace=args.replace)
    n = sum(res.tables.values())
    _out(
        f"pushed {args.project} → {addr.public()}: {len(res.tables)} tables, {n} records, "
        f"{res.files} attachments ({time.perf_counter() - t0:.1f} s)"
    )
    for name, count in res.tables.items():
        _out(f"  {name:<24} {count}")
    return EXIT_OK


def _cmd_pull(args: argparse.Namespace) -> int:
    from network.io.postgis.transfer import pull

    addr = _address(args.address)
    counts = pull(addr, args.out, overwrite=args.overwrite)
    _out(f"pulled {addr.public()} → {args.out}: {sum(counts.values())} records")
    return EXIT_OK


def _area(args: argparse.Namespace) -> Any:
    if args.area_file:
        import geopandas as gpd

        from network.io.postgis.errors import TeamError

        try:
            frame = gpd.read_file(args.area_file)
        except Exception as exc:
            raise TeamError(
                f"Cannot read --area-file {args.area_file}: {exc}", file=args.area_file
            ) from exc
        polys = frame[frame.geom_type.isin(["Polygon", "MultiPolygon"])]
        if polys.empty:
            raise TeamError(
                f"--area-file {args.area_file} holds no polygon.",
                file=args.area_file,
                field="area",
            )
        return polys.union_all() if hasattr(polys, "union_all") else polys.unary_union
    return args.area


def _cmd_checkout(args: argparse.Namespace) -> int:
    from network.io.postgis.offline import checkout

    addr = _address(args.address)
    counts = checkout(addr, args.out, area=_area(args), overwrite=args.overwrite)
    _out(
        f"checked out {addr.public()} → {args.out}: {sum(counts.values())} records"
        + (" in the area" if (args.area or args.area_file) else "")
    )
    _out("work offline on it, then: python main.py checkin " + str(args.out))
    return EXIT_OK


def _cmd_checkin(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json
    from network.io.postgis.offline import checkin

    res = checkin(args.package, _address(args.address) if args.address else None)
    if args.json:
        print_json(
            {
                "package_id": res.package_id,
                "added": res.added,
                "updated": res.updated,
                "deleted": res.deleted,
                "unchanged": res.unchanged,
                "conflicts": res.conflicts,
                "refused": res.refused,
            }
        )
    else:
        _out(
            f"added {len(res.added)}, updated {len(res.updated)}, deleted {len(res.deleted)}, "
            f"unchanged {res.unchanged}, new conflicts {len(res.conflicts)}, "
            f"refused {len(res.refused)}"
        )
        for c in res.conflicts:
            _out(
                f"  conflict {c['id']}: {c['table']} {c['uuid']} — {c['kind']} "
                f"(base v{c['base_version']}, database v{c['db_version']} by "
                f"{c['changed_by']})"
            )
        for r in res.refused:
            _out(f"  refused: {r['table']} {r['record']}: {r['message']}")
        if res.conflicts:
            _out(
                "decide each: python main.py conflicts resolve ADDRESS ID --keep database|package"
            )
    return EXIT_FINDINGS if (res.conflicts or res.refused) else EXIT_OK


def _cmd_conflicts_list(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json, print_table
    from network.io.postgis.offline import list_conflicts

    rows = list_conflicts(_address(args.address), all_=args.all)
    if args.json:
        print_json(rows)
        return EXIT_OK
    if not rows:
        _out("no open conflicts")
        return EXIT_OK
    print_table(
        [
            (
                r["id"],
                r["table_name"],
                r["pa_uuid"],
                r["kind"],
                r["base_version"],
                r["db_version"],
                r["db_changed_by"],
                r["found_by"],
                r["resolution"] or "",
            )
            for r in rows
        ],
        ["id", "table", "uuid", "conflict", "base", "db", "changed by", "found by", "decided"],
    )
    return EXIT_OK


def _cmd_conflicts_resolve(args: argparse.Namespace) -> int:
    from network.io.postgis.offline import resolve_conflict

    _out(resolve_conflict(_address(args.address), args.id, args.keep))
    return EXIT_OK


def _cmd_permissions(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json, print_table
    from network.io.postgis.records import my_permissions

    addr = _address(args.address)
    with addr.connect() as con:
        user = con.execute("SELECT current_user").fetchone()[0]
        roles = [
            r[0]
            for r in con.execute(
                "SELECT rolname FROM pg_roles WHERE pg_has_role(current_user, oid, 'member') "
                "AND rolname IN ('field_engineer', 'park_staff', 'auditor') ORDER BY 1"
            )
        ]
        perms = my_permissions(con, addr.schema)
    if args.json:
        print_json({"user": user, "roles": roles, "tables": perms})
        return EXIT_OK
    _out(f"{user}: {', '.join(roles) or 'no PipeAtlas role'}")
    mark = {True: "✓", False: "·"}
    print_table(
        [
            (t, *(mark[p[k]] for k in ("read", "insert", "update", "delete")))
            for t, p in perms.items()
        ],
        ["table", "read", "insert", "update", "delete"],
    )
    return EXIT_OK


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register push, pull, checkout, checkin, conflicts and permissions."""
    addr_help = "postgresql://[user@]host[:port]/db?schema=park (password in ~/.pgpass)"
    p = sub.add_parser("push", help="copy a project into a PostGIS schema (team store)")
    p.add_argument("project", help="the project .gpkg")
    p.add_argument("address", help=addr_help)
    p.add_argument("--replace", action="store_true", help="overwrite an existing schema")
    p.set_defaults(func=_cmd_push)

    p = sub.add_parser("pull", help="write the project in a PostGIS schema to a .gpkg")
    p.add_argument("address", help=addr_help)
    p.add_argument("out", help="the new .gpkg")
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=_cmd_pull)

    p = sub.add_parser("checkout", help="an offline package (.gpkg) of the park or an area")
    p.add_argument("address", help=addr_help)
    p.add_argument("out", help="the package .gpkg")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--area", metavar="WKT", help="POLYGON((x y, …)) in the project's CRS")
    g.add_argument("--area-file", metavar="FILE", help="a vector file with the area polygon")
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=_cmd_checkout)

    p = sub.add_parser("checkin", help="merge an offline package back (conflicts kept)")
    p.add_argument("package", help="the .gpkg written by checkout")
    p.add_argument("address", nargs="?", help="default: the address stored in the package")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_checkin)

    top = sub.add_parser("conflicts", help="checkin conflicts waiting for a decision")
    csub = top.add_subparsers(dest="conflicts_command", metavar="SUBCOMMAND", required=True)
    p = csub.add_parser("list", help="the open conflicts (both versions kept)")
    p.add_argument("address", help=addr_help)
    p.add_argument("--all", action="store_true", help="decided ones too")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_conflicts_list)
    p = csub.add_parser("resolve", help="keep the database or the package version")
    p.add_argument("address", help=addr_help)
    p.add_argument("id", type=int)
    p.add_argument("--keep", choices=("database", "package"), required=True)
    p.set_defaults(func=_cmd_conflicts_resolve)

    p = sub.add_parser("permissions", help="what the logged-in role may do per table")
    p.add_argument("address", help=addr_help)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_permissions)
