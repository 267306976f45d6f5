"""Keeping Python's garbage collector out of a scan's way."""
from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Hide what start-up made (Kivy's widgets and textures, the roster, the modules) from the collector.

    They live as long as the process. Left in sight, each full collection walks all of them: 10-30 ms in a
    kiosk, in which no thread runs and no frame is drawn. Call once the process is ready for its work."""
    gc.collect()
    gc.freeze()
