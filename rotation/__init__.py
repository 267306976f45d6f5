"""Rotation Station: the ``rotation`` command, the demo and what hub and kiosk share at the edges."""
__version__ = "0.1.0"
