"""A process's memory: keeping Python's garbage collector out of a scan's way, and measuring what it holds."""
from __future__ import annotations

import gc
from pathlib import Path


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
