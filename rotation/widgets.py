"""Kivy widgets shared by the kiosk and the display. Import after ``rotation.kivy_env.prepare()``."""
from __future__ import annotations

from kivy.uix.label import Label


class FreshLabel(Label):
    """A label that draws each new text into a new texture.

    Kivy re-uses a label's texture when the size fits; the GL driver then has to wait for the frame still
    drawing with the old texture before it may overwrite it, which costs a whole frame on llvmpipe and on
    a Pi's GPU. A new texture is ready at once, so a scan is answered in the next frame.
    """

    def texture_update(self, *largs) -> None:
        self._label.texture = None
        super().texture_update(*largs)
