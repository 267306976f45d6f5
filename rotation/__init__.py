"""Rotation Station's top layer: the ``rotation`` command, the demo and the teacher's commands. Nothing imports it."""
