"""The C heap of PipeAtlas's processes (the commands, the window), which read a million
features at a time.

glibc serves a large block from its heap rather than from the system once a block of that
size has been freed ("dynamic mmap threshold", up to 32 MB), and the heap keeps what is freed
in its middle: the arrays of one step, freed, stay resident under the next one's. It also
gives each thread that allocates a heap of its own ("arena"), and what a reading thread
frees stays there. At a million pipes this kept hundreds of megabytes no longer used.

A command (``balance``, ``check`` …) takes its large blocks from the system (they go back
when freed): the 1M network build peaked at 2.07 GB instead of 2.30 GB, and was no slower.
``new`` does not: besides the build it reads five files and forks two writers, and fresh
pages for each large array cost it 2 to 5 s of system time at 1M pipes, 9 % of its wall time
(16.4 s against 15.0 s, medians of three, for 2.21 GB at peak instead of 2.14 GB). Nor
does the window: fresh pages for every large array cost it half a second to a second
before the first map of the 1M park (2.3–2.9 s against 3.1–4.9 s); it shares two heaps
among its threads and trims them after its large reads instead (3.33 → 3.06 GB resident
after opening).
Elsewhere than glibc these calls do nothing.

numpy advises the kernel to back each large array with huge pages. Where the kernel answers
such advice by compacting memory on the spot (transparent huge pages' ``defrag`` set to
``always``, ``madvise`` or ``defer+madvise``), a fault in a new array can wait for that: at a
million pipes ``new`` spent 11 s in the kernel instead of 5.5 s, and took 17–19 s instead of
16 s. :func:`configure_pages` turns the advice off there (``NUMPY_MADVISE_HUGEPAGE=0``,
unless the user set it), for the commands of :data:`NO_HUGE_PAGE_ADVICE`: ``balance``, whose
union of service areas walks large geometry arrays, was 1–3 s slower without it, and
``check`` and ``connections`` no faster.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import re
import sys
from pathlib import Path

#: ``mallopt`` parameters of glibc.
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
#: Blocks from this size come from the system and go back to it when freed.
MMAP_THRESHOLD = 256 * 1024
#: Heaps the threads of a process share (the main thread's and one for the rest).
ARENAS = 2


@functools.cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


#: Commands that keep the heap's freed large blocks for their next arrays (see above).
KEEPS_LARGE_BLOCKS = frozenset({"new"})


def returns_large_blocks(command: str | None) -> bool:
    """Whether the command *command* (``python main.py COMMAND``) takes its large blocks
    from the system: every one but those of :data:`KEEPS_LARGE_BLOCKS`."""
    return command not in KEEPS_LARGE_BLOCKS


def configure(*, large_from_system: bool) -> bool:
    """Two heaps for all threads and, with *large_from_system*, blocks from
    :data:`MMAP_THRESHOLD` bytes from the system (call before the large reads and the
    threads); True when set."""
    libc = _libc()
    if libc is None:
        return False
    done = libc.mallopt(_M_ARENA_MAX, ARENAS) == 1
    if large_from_system:
        done = libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and done
    return bool(done)


def trim() -> bool:
    """Hand the heaps' free pages back to the system; True when some were."""
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0) == 1)


#: Commands whose Arrow buffers come from the C heap (see :func:`configure_arrow_pool`).
ARROW_FROM_C_HEAP = frozenset({"new"})


def configure_arrow_pool() -> bool:
    """Arrow's buffers from the C heap (glibc's ``malloc``, set up by :func:`configure`)
    instead of pyarrow's default mimalloc, unless the user chose a pool
    (``ARROW_DEFAULT_MEMORY_POOL``). True when set.

    mimalloc hands the pages of freed buffers back to the system within milliseconds, and
    the next buffers fault them in again, zeroed: ``new`` at a million pipes spent 4.0-4.5 s
    in the kernel with the C heap against 5.8-6.7 s with mimalloc, 23.5 s of processor time
    against 24.9 s (three alternating runs), and peaked 60-120 MB lower.
    """
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return False
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"  # read when pyarrow is imported
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:  # imported already: its pool from now on
        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    return True


#: Commands that turn numpy's huge-page advice off (see above).
NO_HUGE_PAGE_ADVICE = frozenset({"new"})

#: The kernel's setting of how a fault in memory advised for huge pages gets one.
THP_DEFRAG = Path("/sys/kernel/mm/transparent_hugepage/defrag")
#: Settings in which such a fault compacts memory itself, and waits for it.
_COMPACTS_ON_FAULT = frozenset({"always", "madvise", "defer+madvise"})


def huge_page_faults_compact(setting: Path = THP_DEFRAG) -> bool:
    """Whether a page fault in memory advised for huge pages compacts memory on the spot
    (the bracketed choice of *setting*, e.g. ``always defer defer+madvise [madvise] never``)."""
    try:
        text = setting.read_text()
    except OSError:
        return False
    chosen = re.search(r"\[([^\]]+)\]", text)
    return chosen is not None and chosen.group(1) in _COMPACTS_ON_FAULT


def configure_pages(setting: Path = THP_DEFRAG) -> bool:
    """numpy's huge-page advice off where faults would compact (see above); call before
    numpy is imported. True when turned off."""
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ or not huge_page_faults_compact(setting):
        return False
    os.environ["NUMPY_MADVISE_HUGEPAGE"] = "0"
    numpy = sys.modules.get("numpy")
    if numpy is not None:  # imported already: its own switch (the variable is read at import)
        try:
            from numpy._core.multiarray import _set_madvise_hugepage
        except ImportError:
            return False
        _set_madvise_hugepage(False)
    return True


#: What a command leaves to the end of its process (:func:`leave_to_exit`).
_LEFT: list[object] = []
_KEEPING = False


def keep_to_exit() -> None:
    """From now on, :func:`leave_to_exit` keeps what it is given until the process ends.

    For ``gisapp.cli.run``, which ends a command's process without tearing its heap down:
    a million-pipe project and its network, freed object by object when the functions that
    hold them return, took 0.2 s at the end of ``new``.
    """
    global _KEEPING
    _KEEPING = True


def leave_to_exit(*objects: object) -> None:
    """Keep *objects* until the process ends, where :func:`keep_to_exit` was called (a
    command's process); elsewhere (the window, a library caller) nothing."""
    if _KEEPING:
        _LEFT.extend(objects)
