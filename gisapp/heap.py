"""The C heap of PipeAtlas's processes, which read a million features at a time.

glibc serves a large block from its heap rather than from the system once a block of that
size has been freed ("dynamic mmap threshold", up to 32 MB), and the heap keeps what is freed
in its middle: the arrays of one step, freed, stay resident under the next one's. It also
gives each thread that allocates a heap of its own ("arena"), and what a reading thread
frees stays there. At a million pipes this kept hundreds of megabytes no longer used:
the network build peaked at 2.30 GB instead of 2.07 GB, the window held 3.28 GB after
opening instead of 3.05 GB. So blocks from 256 KiB always come from the system (and go
back when freed), the threads share two heaps, and the window trims the heaps after its
large reads. Elsewhere than glibc these calls do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

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


def configure() -> bool:
    """Large blocks from the system, two heaps for all threads (call before the large
    reads and the threads); True when set."""
    libc = _libc()
    if libc is None:
        return False
    mmap_set = libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    return bool(libc.mallopt(_M_ARENA_MAX, ARENAS) == 1 and mmap_set)


def trim() -> bool:
    """Hand the heaps' free pages back to the system; True when some were."""
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0) == 1)
