"""Kivy widgets shared by the kiosk and the display. Import after ``edge.kivy_env.prepare()``."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.graphics import ClearBuffers, ClearColor
from kivy.uix.label import Label


class KvClearColor(ClearColor):
    """``ClearColor`` as kv makes it: with no arguments, then ``rgba`` set."""

    def __init__(self, **kwargs) -> None:
        super().__init__(0, 0, 0, 1, **kwargs)


# Kivy does not name these canvas instructions to kv; a background that fills the screen is cleared rather
# than drawn (see kiosk_screen.kv).
Factory.register("ClearColor", cls=KvClearColor)
Factory.register("ClearBuffers", cls=ClearBuffers)


class FreshLabel(Label):
    """A label that draws each new text into a new texture.

    Kivy re-uses a label's texture when the size fits. A GPU draws a frame after its flip, so the driver
    then has to wait for the frame still reading the old texture before it may overwrite it: a whole frame,
    measured on Mesa's software renderer while it left frames in flight. A new texture is ready at once, so
    a scan is answered in the next frame.
    """

    def texture_update(self, *largs) -> None:
        self._label.texture = None
        super().texture_update(*largs)
