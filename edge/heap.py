"""A process's memory: keeping Python's garbage collector out of a scan's way, and measuring what it holds."""
from __future__ import annotations

import ctypes
import gc
from pathlib import Path

M_MMAP_THRESHOLD = -3  # glibc's mallopt() parameter (malloc.h)
LARGE_BLOCK = 128 * 1024  # glibc's own starting threshold


def freeze_startup_objects() -> None:
    """Hide what start-up made (Kivy's widgets and textures, the roster, the modules) from the collector.

    They live as long as the process. Left in sight, each full collection walks all of them: 10-30 ms in a
    kiosk, in which no thread runs and no frame is drawn. Call once the process is ready for its work."""
    gc.collect()
    gc.freeze()


def resident_mb(pid: int) -> float:
    """The process's resident memory (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ProcessLookupError(f"process {pid} is gone")


def large_blocks_straight_back() -> None:
    """Have every block of 128 kB or more mapped on its own, and given back to the system when freed.

    glibc starts so, then raises the threshold to the largest block it has freed: a kiosk's label pictures and
    prompts' sounds (hundreds of kB each, one after another) then come from the heap, whose holes never shrink
    it. Held at 128 kB, the kiosk is 3 MB smaller after 10,000 scans, for about 1 ms more per answer (each new
    picture's pages are fresh): docs/architecture.md. Elsewhere than glibc, nothing changes."""
    try:
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK)  # the C library the process runs on
    except (OSError, AttributeError, TypeError):
        pass
