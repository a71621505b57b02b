"""``python main.py CMD`` ends its process without tearing the heap down (gisapp.cli.run):
everything it printed still arrives whole, through a pipe, with its exit code."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

from gisapp.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _in_process(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    return code, out.getvalue()


def test_a_command_prints_all_it_says_through_a_pipe(demo_project):
    argv = ["check", str(demo_project), "--json"]
    code, want = _in_process(argv)
    run = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *argv], capture_output=True, cwd=ROOT, check=False
    )
    assert run.returncode == code == 0
    assert len(run.stdout) > 10_000, "long enough to fill a pipe's buffer several times"
    assert json.loads(run.stdout) == json.loads(want)


def test_a_refused_command_keeps_its_exit_code_and_message(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "info", str(tmp_path / "missing.gpkg")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 2
    assert "missing.gpkg" in run.stderr
