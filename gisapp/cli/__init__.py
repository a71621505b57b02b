"""Command-line front: a thin layer over ``network`` and ``surveys`` (never imports Qt).

``python main.py`` with no command (or with a project path) starts the window; every other
first word is a command. Exit status: 0 success, 1 findings where a command says so,
2 bad input (one clear message on stderr naming the file, layer, feature and field).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import json.encoder
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from network.errors import NetworkError
from network.progress import Progress, drain
from network.schema import LAYER_KINDS, LAYER_LABELS_ZH

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2
FEATURE_MODULES = (
    "gisapp.cli.network_commands",
    "gisapp.cli.survey_commands",
    "gisapp.cli.overlap_commands",
    "gisapp.cli.map_commands",
    "gisapp.cli.dossier_commands",
    "gisapp.cli.outfall_commands",
    "gisapp.cli.balance_commands",
    "gisapp.cli.acceptance_commands",
    "gisapp.cli.swmm_commands",
    "gisapp.cli.team_commands",
)


def user_errors() -> tuple[type[BaseException], ...]:
    """The expected, user-fixable error types of the pure packages."""
    errs: list[type[BaseException]] = [NetworkError]
    try:
        from surveys.errors import SurveyError

        errs.append(SurveyError)
    except ImportError:  # pragma: no cover - surveys.errors always ships
        pass
    return tuple(errs)


def report_user_error(exc: BaseException) -> int:
    """Print one clear line (plus where, when known) and return exit status 2."""
    msg = getattr(exc, "message", str(exc))
    where = exc.where() if hasattr(exc, "where") else ""
    line = f"error: {msg}"
    if where and where not in msg:
        line += f" [{where}]"
    print(line, file=sys.stderr)  # noqa: T201
    return EXIT_BAD_INPUT


def print_json(data: Any) -> None:
    """Print JSON for machines (UTF-8, Chinese kept readable).

    The text is :func:`json_text`'s, written in pieces as it is made (a million per-node
    totals never sit in memory twice); a :class:`JsonItems` value is an object whose members
    are made one at a time.
    """
    out: list[str] = []

    def flush() -> None:
        sys.stdout.write("".join(out))
        out.clear()

    _encode_json(data, 0, out, flush)
    out.append("\n")
    flush()


class JsonItems:
    """An object for :func:`print_json` given as ``(key, value)`` pairs, made on demand.

    Printed exactly as the dict of those pairs would be, without building it.
    """

    def __init__(self, pairs: Any) -> None:
        self.pairs = pairs


def json_text(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2, default=str)``, the same text, fast.

    With ``indent`` the standard library encodes item by item in Python (seconds for the
    millions of pipe ids of a register); here a list of strings is joined in one call of the
    C string encoder, and everything else follows :mod:`json`'s rules exactly.

    >>> d = {"a": [1, 2.5, None, True, float("nan")], "b": {"x": "管", 3: []}, "c": ("p", "q")}
    >>> json_text(d) == json.dumps(d, ensure_ascii=False, indent=2, default=str)
    True
    """
    out: list[str] = []
    _encode_json(data, 0, out, None)
    return "".join(out)


_encode_str = json.encoder.encode_basestring  # the C encoder (ensure_ascii=False)
_FLOAT_SPECIAL = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
_FLUSH_EVERY = 8192


def _json_float(x: float) -> str:
    r = float.__repr__(x)
    return _FLOAT_SPECIAL.get(r, r)


def _json_scalar(o: Any) -> str | None:
    """The JSON of a str, None, bool, int or float (json's rules); None for anything else."""
    cls = o.__class__
    if cls is str:
        return _encode_str(o)
    if cls is float:
        return _json_float(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, str):
        return _encode_str(o)
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        return _json_float(o)
    return None


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _json_float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _flat_dict(d: dict, level: int) -> str | None:
    """The JSON of a dict of scalars at *level* in one piece (a million per-node totals go
    through here); None when a value is not a scalar."""
    if not d:
        return "{}"
    inner = "\n" + "  " * (level + 1)
    parts = []
    for key, value in d.items():
        text = _json_scalar(value)
        if text is None:
            return None
        parts.append(_encode_str(_json_key(key)) + ": " + text)
    return "{" + inner + ("," + inner).join(parts) + "\n" + "  " * level + "}"


def _encode_json(o: Any, level: int, out: list[str], flush: Any) -> None:
    """Append the indented JSON of *o* to *out* (the rules of ``json.encoder``); *flush*,
    when given, is called to empty *out* every few thousand pieces."""
    text = _json_scalar(o)
    if text is not None:
        out.append(text)
    elif isinstance(o, list | tuple):
        if not o:
            out.append("[]")
            return
        inner = "\n" + "  " * (level + 1)
        out.append("[" + inner)
        try:  # the common case: a list of strings (ids), in one C call
            out.append(("," + inner).join(map(_encode_str, o)))
        except TypeError:
            for i, item in enumerate(o):
                sep = "," + inner if i else ""
                text = _json_scalar(item)
                if text is not None:
                    out.append(sep + text)
                else:
                    out.append(sep)
                    _encode_json(item, level + 1, out, flush)
                if flush is not None and len(out) >= _FLUSH_EVERY:
                    flush()
        out.append("\n" + "  " * level + "]")
    elif isinstance(o, dict | JsonItems):
        pairs = o.items() if isinstance(o, dict) else o.pairs
        inner = "\n" + "  " * (level + 1)
        first = True
        for key, value in pairs:
            head = ("{" if first else ",") + inner + _encode_str(_json_key(key)) + ": "
            first = False
            text = _json_scalar(value)
            if text is None and value.__class__ is dict:
                text = _flat_dict(value, level + 1)
            if text is not None:
                out.append(head + text)
            else:
                out.append(head)
                _encode_json(value, level + 1, out, flush)
            if flush is not None and len(out) >= _FLUSH_EVERY:
                flush()
        out.append("{}" if first else "\n" + "  " * level + "}")
    else:
        _encode_json(str(o), level, out, flush)


def print_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    """Print an aligned text table for people (CJK characters count double)."""
    import unicodedata

    def width(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    for n, r in enumerate(cells):
        sys.stdout.write(
            "  ".join(c + " " * (w - width(c)) for c, w in zip(r, widths, strict=True)).rstrip()
            + "\n"
        )
        if n == 0:
            sys.stdout.write("  ".join("-" * w for w in widths) + "\n")


def project_path(path: str) -> Path:
    """*path* as a Path when it exists; else a NetworkError asking for a project file."""
    p = Path(path)
    if not p.exists():
        raise NetworkError(
            f"{path} does not exist: give the path of a PipeAtlas project "
            "(*.gpkg made with `python main.py new`).",
            file=path,
        )
    return p


def fmt_figure(x: Any, nd: int = 1) -> str:
    """A figure for a text table: floats with thousands separators and *nd* decimals.

    >>> fmt_figure(12345.678), fmt_figure(3, 2), fmt_figure(None)
    ('12,345.7', '3', '')
    """
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    return str(x)


# --- new ---------------------------------------------------------------------------------------
def _snap_metres(text: str) -> float:
    """``--snap-tolerance``: :func:`network.io.project.check_snap_tolerance`, told by argparse."""
    from network.io.project import check_snap_tolerance

    try:
        return check_snap_tolerance(text)
    except NetworkError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _print_step(step: Progress) -> None:
    sys.stderr.write(f"[{step[0]:4.0%}] {step[1]}\n")


def _cmd_new(args: argparse.Namespace) -> int:
    from network import heap
    from network.io.fields import load_mapping_file
    from network.io.project import create_project_job

    inputs: dict[str, list[str]] = {}
    for kind in LAYER_KINDS:
        files = getattr(args, kind, None)
        if files:
            inputs[kind] = list(files)
    offsets: dict[str, str] = {}
    for spec in args.offset or []:
        kind, _, datum = spec.partition("=")
        if kind not in LAYER_KINDS or datum.lower() not in ("gcj02", "bd09"):
            sys.stderr.write(
                f"error: --offset takes KIND=gcj02|bd09 (KIND one of {', '.join(LAYER_KINDS)});"
                f" got {spec!r}\n"
            )
            return EXIT_BAD_INPUT
        offsets[kind] = datum.lower()
    mapping = load_mapping_file(args.mapping) if args.mapping else None
    swmm = None
    if getattr(args, "swmm", None):
        from gisapp.cli.swmm_commands import prepare_swmm_import

        swmm = prepare_swmm_import(args, inputs)
        mapping = swmm.mapping(mapping)
    settings = {}
    if args.snap_tolerance is not None:
        settings["snap_tolerance_m"] = args.snap_tolerance
    job = create_project_job(
        args.project,
        inputs,
        crs=args.crs,
        source_crs=args.source_crs,
        encoding=args.encoding,
        mapping=mapping,
        offsets=offsets,
        settings=settings,
        overwrite=args.force,
        discard_surveys=args.discard_surveys,
        pack=True,  # the layers are written, not drawn: a large import holds coordinates
    )
    try:
        project = drain(job, None if args.quiet else _print_step)
    except NetworkError as exc:
        if swmm is None:
            raise
        raise swmm.reworded(exc) from exc  # name the model, not its temporary GeoPackage
    finally:
        if swmm is not None:
            swmm.close()
    counts = ", ".join(f"{k} {len(v)}" for k, v in project.layers.items())
    sys.stdout.write(f"created {project.path} ({counts}; {len(project.issues)} import notes)\n")
    heap.leave_to_exit(project)  # freed by the process's end, not object by object
    if swmm is not None:
        swmm.report(project)
    return EXIT_OK


# --- info --------------------------------------------------------------------------------------
def _cmd_info(args: argparse.Namespace) -> int:
    from network.io.project import describe_project

    info = describe_project(args.project)  # the file's tables only: no feature is read
    if args.json:
        print_json(info)
        return EXIT_OK
    out = sys.stdout
    out.write(f"project  {info['path']}\nCRS      {info['crs']}\n")
    x0, y0, x1, y1 = info["extent"]
    out.write(f"extent   {x0:.2f}, {y0:.2f} — {x1:.2f}, {y1:.2f}\n")
    out.write(f"settings {json.dumps(info['settings'], ensure_ascii=False)}\n\n")
    rows = []
    for kind, layer in info["layers"].items():
        for src in layer["sources"] or [{}]:
            rows.append(
                [
                    f"{kind} {LAYER_LABELS_ZH[kind]}",
                    src.get("feature_count", layer["count"]),
                    Path(src.get("path", "")).name,
                    src.get("encoding", ""),
                    src.get("encoding_reason", ""),
                    src.get("source_crs", ""),
                    src.get("engine", ""),
                ]
            )
    print_table(rows, ["layer", "count", "source", "encoding", "why", "source CRS", "engine"])
    out.write("\nfield mapping\n")
    for kind, layer in info["layers"].items():
        for src in layer["sources"]:
            pairs = [f"{k}←{v}" for k, v in src["mapping"].items() if v]
            out.write(f"  {kind} ({Path(src['path']).name}): {', '.join(pairs)}\n")
    out.write(f"\nhygiene notes ({len(info['hygiene'])})\n")
    for issue in info["hygiene"]:
        out.write(f"  [{issue['severity']}] {issue['message_en']}\n")
    return EXIT_OK


# --- parser ------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python main.py",
        description="PipeAtlas 园区污水管网 GIS. With no command, opens the window on the demo "
        "park (or on PROJECT.gpkg if given).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "new",
        help="create a project GeoPackage from source layers",
        description="Import layers (Shapefile, GeoPackage FILE.gpkg:LAYER, "
        "GeoJSON) into a new project GeoPackage, atomically.",
    )
    p.add_argument("project", help="the project file to create (*.gpkg)")
    p.add_argument(
        "--pipes",
        nargs="+",
        metavar="F",
        help="pipe layer(s) 管线; a survey DXF as 管线.dxf:CADLAYER=类型,… (WS=污水,YS=雨水)",
    )
    p.add_argument(
        "--swmm",
        metavar="MODEL.inp",
        help="import an EPA SWMM model's network (links → pipes, nodes → manholes, outfalls); "
        "give the CRS of its coordinates with --crs (or --source-crs)",
    )
    for kind, flag in (
        ("manholes", "--manholes"),
        ("outfalls", "--outfalls"),
        ("enterprises", "--enterprises"),
        ("plants", "--plants"),
        ("zones", "--zones"),
        ("boundary", "--boundary"),
        ("population", "--population"),
        ("farms", "--farms"),
    ):
        p.add_argument(
            flag,
            nargs="+",
            metavar="F",
            dest=kind,
            help=f"{kind} layer(s) {LAYER_LABELS_ZH[kind]}",
        )
    p.add_argument("--crs", help="project CRS, e.g. EPSG:4525 (default: the pipes' CRS)")
    p.add_argument("--source-crs", help="CRS to assume for files without one (.prj missing)")
    p.add_argument(
        "--encoding",
        default="auto",
        help="text encoding of shapefiles: auto (default), gbk, gb18030, utf-8 …",
    )
    p.add_argument("--mapping", help="JSON field mapping {kind: {role: column}}")
    p.add_argument(
        "--offset",
        action="append",
        metavar="KIND=gcj02|bd09",
        help="convert phone-app lon/lat of a layer from GCJ-02 or BD-09",
    )
    p.add_argument(
        "--snap-tolerance",
        type=_snap_metres,
        help="snap tolerance in metres, 0 to 100 (default 0.05)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing project file")
    p.add_argument(
        "--discard-surveys",
        action="store_true",
        help="with --force: also replace a project that holds survey records or ledger "
        "problems (they are lost; export the ledger first)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=_cmd_new)

    p = sub.add_parser(
        "info", help="describe a project: layers, counts, CRS, encodings, mapping, hygiene notes"
    )
    p.add_argument("project")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_info)

    for name in FEATURE_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        mod.add_parsers(sub)
    return parser


OUTPUT_FILE_OPTIONS = ("xlsx", "xlsx_list", "pdf", "docx", "png", "out")
_EXAMPLE_SUFFIX = {"xlsx": ".xlsx", "xlsx_list": ".xlsx", "docx": ".docx", "png": ".png"}
FILE_SUFFIXES = (".xlsx", ".pdf", ".png", ".docx", ".dxf", ".inp", ".gpkg", ".json", ".zip")


def check_output_paths(args: argparse.Namespace) -> None:
    """Make the folders of the output files a command will write; refuse a folder as a file.

    ``--out`` counts as a file only when it names one (``--out 管网图.pdf``; ``dossier export
    --out DIR`` is a folder).

    Raises
    ------
    NetworkError
        An output names an existing folder, or its folder cannot be made.
    """
    for dest in OUTPUT_FILE_OPTIONS:
        value = getattr(args, dest, None)
        if not isinstance(value, str | Path) or not value:
            continue
        path = Path(value)
        if dest == "out" and path.suffix.lower() not in FILE_SUFFIXES:
            continue
        option = "--" + dest.replace("_", "-")
        if path.is_dir():
            example = path / ("out" + _EXAMPLE_SUFFIX.get(dest, ".pdf"))
            raise NetworkError(
                f"{option} {path} is a folder; give the file to write, e.g. {example}.",
                file=str(path),
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NetworkError(
                f"Cannot make the folder {path.parent} for {option}: {exc.strerror or exc}.",
                file=str(path),
            ) from exc


def _file_error(exc: OSError) -> NetworkError:
    """An operating-system error on a file, worded for the user."""
    name = exc.filename or ""
    reason = exc.strerror or str(exc)
    hint = ""
    if isinstance(exc, PermissionError):
        hint = " Close it if another program (Excel, QGIS) has it open, or choose another folder."
    return NetworkError(f"Cannot use {name}: {reason}.{hint}", file=str(name) if name else None)


def display_problem(env: Mapping[str, str] | None = None, platform: str | None = None) -> str:
    """Why the window cannot start here, in words a user can act on ("" when it can).

    Qt aborts the process with a misleading hint about the xcb plugin when there is no
    display; this says what is missing before Qt is loaded.

    >>> display_problem({}, "linux").startswith("The PipeAtlas window needs a display")
    True
    >>> display_problem({"DISPLAY": ":0"}, "linux") == display_problem({}, "win32") == ""
    True
    >>> display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    ''
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return ""
    qpa = env.get("QT_QPA_PLATFORM", "")
    if qpa and not qpa.startswith(("xcb", "wayland")):
        return ""  # offscreen, vnc, eglfs …: the user chose a platform on purpose
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return ""
    return (
        "The PipeAtlas window needs a display, and none was found (neither DISPLAY nor "
        "WAYLAND_DISPLAY is set). Start it on a desktop session, over `ssh -X`, or on a "
        "virtual screen: `xvfb-run -a python main.py`. Every analysis also runs without a "
        "window: `python main.py --help` lists the commands."
    )


TEAM_COMMANDS = ("push", "pull", "checkout", "checkin", "conflicts", "permissions")
POSTGRES_PREFIXES = ("postgresql://", "postgres://", "pg:")


def _opens_window(arg: str) -> bool:
    """``python main.py park.gpkg`` or ``python main.py postgresql://…`` opens the window."""
    return arg.lower().endswith(".gpkg") or arg.startswith(POSTGRES_PREFIXES)


def _run_on_project(args: argparse.Namespace) -> int:
    """Run a command; on a ``postgresql://`` project it runs on the cached copy of the schema
    (network/io/postgis/locate.py) and what the command wrote is checked back in by UUID."""
    project = getattr(args, "project", None)
    projects = getattr(args, "projects", None)
    if args.command in TEAM_COMMANDS or not (project or projects):
        return int(args.func(args))
    if projects:
        if any(str(p).startswith(POSTGRES_PREFIXES) for p in projects):
            from network.io.postgis.locate import resolve_project

            args.projects = [str(resolve_project(p)) for p in projects]
        return int(args.func(args))
    if not str(project).startswith(POSTGRES_PREFIXES):
        return int(args.func(args))
    if args.command == "new":
        raise NetworkError(
            "`new` makes a project file: give a .gpkg, then copy it into PostGIS with "
            f"`python main.py push PROJECT.gpkg {project}`.",
            file=project,
        )
    from network.io.postgis.locate import project_session

    with project_session(project) as session:
        args.project = str(session.path)
        code = int(args.func(args))
    merged = session.merged
    if merged is not None and (merged.conflicts or merged.refused):
        sys.stderr.write(
            f"warning: {len(merged.conflicts)} change(s) conflicted with others' edits and "
            f"{len(merged.refused)} were refused for your database role; both versions are "
            f"kept: python main.py conflicts list {project}\n"
        )
        return max(code, EXIT_FINDINGS)
    return code


def _window_wanted(argv: Sequence[str]) -> bool:
    return not argv or (len(argv) == 1 and _opens_window(argv[0])) or argv[:1] == ["gui"]


def run() -> NoReturn:
    """``python main.py`` and ``pipeatlas``: :func:`main`, then the process ends.

    A command leaves without tearing its heap down object by object (a million-pipe command
    spends 0.4 s freeing what the system takes back at once): its files are closed and its
    output flushed by then. What a command hands to :func:`network.heap.leave_to_exit` (the
    project and network ``new`` made) is not freed when its function returns either. The
    window ends as usual.
    """
    argv = sys.argv[1:]
    if _window_wanted(argv):
        sys.exit(main(argv))
    from network import heap

    heap.keep_to_exit()
    code = main(argv)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python main.py``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if _window_wanted(argv):
        problem = display_problem()
        if problem:
            sys.stderr.write(problem + "\n")
            return EXIT_BAD_INPUT
        from gisapp.qt.app import run_app

        return run_app([a for a in argv if a != "gui"])
    from network import heap

    parser = build_parser()
    args = parser.parse_args(argv)
    command = getattr(args, "command", None)
    if command in heap.NO_HUGE_PAGE_ADVICE:
        heap.configure_pages()
    if command in heap.ARROW_FROM_C_HEAP:
        heap.configure_arrow_pool()
    heap.configure(large_from_system=heap.returns_large_blocks(command))
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # library warnings (pandas, pyogrio, shapely …) are for developers: logged with -v only;
    # what a user must know arrives as a finding or an error message
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").setLevel(logging.INFO if args.verbose else logging.ERROR)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    try:
        check_output_paths(args)
        return _run_on_project(args)
    except user_errors() as exc:
        return report_user_error(exc)
    except BrokenPipeError:  # `python main.py check P | head`: the reader left; not an error
        # (before OSError, of which it is one: a closed pipe is no file problem)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # a file the command reads or writes: say which and why
        return report_user_error(_file_error(exc))
