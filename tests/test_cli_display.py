"""Starting the window with no display says what to do instead of aborting inside Qt."""

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_window_without_a_display_exits_2_with_advice():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    r = subprocess.run(
        [sys.executable, "main.py"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert r.returncode == 2
    assert "xvfb-run" in r.stderr and "DISPLAY" in r.stderr
    assert "Traceback" not in r.stderr and "xcb" not in r.stderr
    assert r.stderr.count("\n") == 1  # one message
