"""Memory a reading thread freed goes back to the system (glibc keeps it otherwise)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heap")

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import threading
from network import heap

def rss_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

print(heap.configure(large_from_system=True))
def read():  # a reading thread: 300 MB in blocks malloc serves (not Python's small-object pool)
    blocks = [bytes(1000) + bytes([i % 256]) for i in range(300_000)]
    del blocks
t = threading.Thread(target=read)
t.start()
t.join()
before = rss_mb()
print(heap.trim())
print(before, rss_mb())
"""


def test_memory_freed_in_a_thread_goes_back_after_a_trim():
    out = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.split()
    assert out[0] == "True", "large blocks from the system, two arenas"
    assert out[1] == "True"
    before, after = float(out[2]), float(out[3])
    assert before - after > 150, f"the freed blocks stayed resident ({before} -> {after} MB)"


@pytest.mark.parametrize(("argv", "from_system"), [(["info"], True), (["new"], False)])
def test_each_command_sets_the_heap_it_runs_fastest_with(tmp_path, monkeypatch, argv, from_system):
    # ``new`` forks writers beside its reads and build: fresh pages for each large array cost
    # it seconds at 1M pipes; the other commands hand their large arrays back when freed
    from gisapp import cli
    from network import heap

    seen = []
    monkeypatch.setattr(heap, "configure", lambda **kw: seen.append(kw) or True)
    missing = str(tmp_path / "missing.gpkg")
    extra = ["--pipes", str(tmp_path / "none.shp")] if argv == ["new"] else []
    assert cli.main([*argv, missing, *extra]) != 0  # nothing there: refused after the set-up
    assert seen == [{"large_from_system": from_system}]


@pytest.mark.parametrize(
    ("setting", "compacts"),
    [
        ("always defer defer+madvise [madvise] never", True),
        ("[always] defer defer+madvise madvise never", True),
        ("always defer [defer+madvise] madvise never", True),
        ("always [defer] defer+madvise madvise never", False),
        ("always defer defer+madvise madvise [never]", False),
        ("", False),
    ],
)
def test_huge_page_faults_compact_as_the_kernel_is_set(tmp_path, setting, compacts):
    from network import heap

    f = tmp_path / "defrag"
    f.write_text(setting + "\n")
    assert heap.huge_page_faults_compact(f) is compacts
    assert heap.huge_page_faults_compact(tmp_path / "absent") is False


PAGES = """
import os, sys
from pathlib import Path
from network import heap
print(heap.configure_pages(Path(sys.argv[1])))
import numpy
from numpy._core.multiarray import _get_madvise_hugepage
print(os.environ.get("NUMPY_MADVISE_HUGEPAGE"), _get_madvise_hugepage())
"""


@pytest.mark.parametrize(
    ("setting", "env", "want"),
    [
        ("always defer defer+madvise [madvise] never", None, ["True", "0", "False"]),
        ("always [defer] defer+madvise madvise never", None, ["False", "None", "True"]),
        ("always defer defer+madvise [madvise] never", "1", ["False", "1", "True"]),
    ],
    ids=["compacting: advice off", "deferred: advice kept", "the user's choice kept"],
)
def test_numpy_huge_page_advice_is_off_where_faults_compact(tmp_path, setting, env, want):
    f = tmp_path / "defrag"
    f.write_text(setting + "\n")
    assert _printed(PAGES, str(f), variable="NUMPY_MADVISE_HUGEPAGE", value=env) == want


def _printed(code: str, *args: str, variable: str, value: str | None) -> list[str]:
    """The words *code* prints, run by a fresh Python with the environment's *variable*
    removed, or set to *value*."""
    environ = {k: v for k, v in os.environ.items() if k != variable}
    if value is not None:
        environ[variable] = value
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        check=True,
    ).stdout.split()


@pytest.mark.parametrize("setting", ["configure_pages", "configure_arrow_pool"])
def test_only_new_sets_its_memory_up_for_the_import(monkeypatch, tmp_path, setting):
    """``balance`` was slower without numpy's huge-page advice, and the other commands were
    measured with mimalloc: only ``new`` turns the advice off and takes Arrow's buffers from
    the C heap."""
    from gisapp.cli import main
    from network import heap

    calls = []
    for name in ("configure_pages", "configure_arrow_pool"):
        monkeypatch.setattr(heap, name, lambda *a, name=name, **k: calls.append(name))
    main(["info", str(tmp_path / "missing.gpkg")])
    assert calls == []
    main(["new", str(tmp_path / "p.gpkg"), "--pipes", str(tmp_path / "missing.shp"), "-q"])
    assert setting in calls


ARROW_POOL = """
import sys
from network import heap
if sys.argv[1] == "after":
    import pyarrow
print(heap.configure_arrow_pool())
import pyarrow
print(pyarrow.default_memory_pool().backend_name)
buf = pyarrow.allocate_buffer(1 << 20)  # a buffer is served by the pool chosen
print(pyarrow.total_allocated_bytes() >= 1 << 20)
"""


@pytest.mark.parametrize(
    ("when", "env", "want"),
    [
        ("before", None, ["True", "system", "True"]),
        ("after", None, ["True", "system", "True"]),
        ("before", "mimalloc", ["False", "mimalloc", "True"]),
    ],
    ids=["before pyarrow is imported", "after", "the user's choice kept"],
)
def test_arrow_buffers_come_from_the_c_heap(when, env, want):
    assert _printed(ARROW_POOL, when, variable="ARROW_DEFAULT_MEMORY_POOL", value=env) == want


_LEFT_CODE = """
import gc, weakref
from network import heap

class Big:
    pass

def made(keep):
    if keep:
        heap.keep_to_exit()
    obj = Big()
    ref = weakref.ref(obj)
    heap.leave_to_exit(obj)
    del obj
    gc.collect()
    return ref() is not None

print(made(False), made(True))
"""


def test_only_a_commands_process_keeps_what_is_left_to_its_end():
    # a library caller or the window frees as usual; a command leaves it to its process's end
    assert _printed(_LEFT_CODE, variable="PYTHONDONTWRITEBYTECODE", value="1") == [
        "False",
        "True",
    ]


def test_new_leaves_its_project_and_network_to_the_end_of_the_process(tmp_path, monkeypatch):
    from gisapp import cli
    from network import heap
    from network.graph import Network

    monkeypatch.setattr(heap, "_KEEPING", True)
    monkeypatch.setattr(heap, "_LEFT", [])
    src = ROOT / "resources" / "demo" / "src"
    code = cli.main(
        ["new", str(tmp_path / "p.gpkg"), "-q", "--pipes", str(src / "pipes_sewage.shp"),
         "--manholes", str(src / "manholes.shp")]
    )  # fmt: skip
    assert code == 0
    kinds = {type(o).__name__ for o in heap._LEFT}
    assert "Project" in kinds
    assert any(isinstance(getattr(o, "network", None), Network) for o in heap._LEFT)
