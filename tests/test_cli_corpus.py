"""Every command over a corpus of broken inputs: exit 2 and one message naming the file.

No command anywhere prints a Python traceback for bad data (issue 10). The project argument is
missing, a folder, a text file, a truncated copy of a real project, a plain GeoPackage or an
SQLite file of another program; output paths name a folder or a folder that does not exist.
"""

from __future__ import annotations

import shutil
import sqlite3

import geopandas as gpd
import pytest
from shapely import Point

from gisapp.cli import main

COMMANDS = [
    ["info"],
    ["info", "--json"],
    ["check", "--json"],
    ["trace", "--from", "E01", "--down"],
    ["trace", "--from", "P01", "--up", "--json"],
    ["connections", "--json"],
    ["balance", "--json"],
    ["stats"],
    ["survey", "list"],
    ["grade", "--json"],
    ["ledger", "export", "--xlsx", "{tmp}/l.xlsx"],
    ["overlap", "--json"],
    ["map", "--out", "{tmp}/m.pdf"],
]


def _broken_projects(tmp_path, demo_project):
    out = {}
    out["missing"] = tmp_path / "no such park.gpkg"
    folder = tmp_path / "folder.gpkg"
    folder.mkdir()
    out["folder"] = folder
    text = tmp_path / "text.gpkg"
    text.write_text("这不是数据库\n", encoding="utf-8")
    out["text"] = text
    trunc = tmp_path / "truncated.gpkg"
    trunc.write_bytes(demo_project.read_bytes()[:100_000])
    out["truncated"] = trunc
    plain = tmp_path / "plain.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs="EPSG:4326").to_file(plain)
    out["plain_gpkg"] = plain
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE t (x)")
    out["other_sqlite"] = other
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("corpus")
    demo = tmp / "demo.gpkg"
    from resources import resource_path

    shutil.copy(resource_path("demo", "demo_park.gpkg"), demo)
    return tmp, _broken_projects(tmp, demo)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_command_refuses_every_broken_project_in_one_line(corpus, command, capsys):
    tmp, projects = corpus
    for name, path in projects.items():
        before = path.read_bytes() if path.is_file() else None
        args = [a.replace("{tmp}", str(tmp)) for a in command]
        words = 2 if args[0] in ("survey", "ledger") else 1  # the command, then the project
        argv = [*args[:words], str(path), *args[words:]]
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, (name, argv, err)
        assert "Traceback" not in err, (name, err)
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1, (name, err)
        assert path.name in lines[0], (name, lines[0])
        if before is not None:
            assert path.read_bytes() == before, f"{name} was written into"


@pytest.mark.parametrize(
    "command",
    [
        ["connections", "{p}", "--xlsx"],
        ["grade", "{p}", "--xlsx"],
        ["overlap", "{p}", "--xlsx"],
        ["overlap", "{p}", "--pdf"],
        ["ledger", "export", "{p}", "--xlsx"],
        ["map", "{p}", "--out"],
    ],
    ids=lambda c: " ".join(c[:2]) + " " + c[-1],
)
def test_an_output_that_is_a_folder_is_refused_in_one_line(tmp_path, command, capsys):
    folder = tmp_path / "out.xlsx"
    folder.mkdir()
    project = tmp_path / "p.gpkg"  # the output is checked before the project is read
    code = main([a.replace("{p}", str(project)) for a in command] + [str(folder)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "is a folder" in err and str(folder) in err


def test_an_output_in_a_missing_folder_is_written_there(demo_project, tmp_path, capsys):
    out = tmp_path / "new" / "deeper" / "纳管台账.xlsx"
    assert main(["connections", str(demo_project), "--xlsx", str(out)]) == 0
    assert out.is_file()
    capsys.readouterr()


def test_library_warnings_do_not_reach_the_user(demo_project):
    """A warning a library raises while a command runs is not printed (logged with -v)."""
    import subprocess
    import sys

    code = (
        "import sys, warnings\n"
        "import gisapp.cli.network_commands as nc\n"
        "real = nc._cmd_stats\n"
        "def noisy(args):\n"
        "    warnings.warn(\"Results from 'length' are likely incorrect\", UserWarning)\n"
        "    return real(args)\n"
        "nc._cmd_stats = noisy\n"
        "from gisapp.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    for verbose, shown in (([], False), (["-v"], True)):
        r = subprocess.run(
            [sys.executable, "-c", code, *verbose, "stats", str(demo_project)],
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0, r.stderr
        assert ("likely incorrect" in r.stderr) is shown, r.stderr


def test_a_reader_that_leaves_early_is_not_an_error(demo_project):
    """``python main.py info P --json | head -c 0``: the closed pipe ends the command quietly
    (exit 0, nothing on stderr), not as a file error."""
    import subprocess
    import sys
    from pathlib import Path

    main_py = str(Path(__file__).resolve().parents[1] / "main.py")
    r = subprocess.run(
        f'"{sys.executable}" "{main_py}" info "{demo_project}" --json | head -c 0; '
        'echo "rc=${PIPESTATUS[0]}" >&2',
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
    )
    assert r.stderr.strip() == "rc=0", r.stderr
