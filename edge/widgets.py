"""Kivy widgets shared by the kiosk and the display. Import after ``edge.kivy_env.prepare()``."""
from __future__ import annotations

from kivy.core.text import Label as CoreLabel
from kivy.factory import Factory
from kivy.graphics import ClearBuffers, ClearColor
from kivy.properties import NumericProperty
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


class FittingLabel(Label):
    """One line of words that shrink to fit, down to ``least_font_size``, before any letter is cut off (with
    ``shorten``): "Independent Practice" whole in a tile with a picture and a kiosk's state beside it."""

    most_font_size = NumericProperty(20)
    least_font_size = NumericProperty(14)

    def on_kv_post(self, base_widget) -> None:
        self.bind(text=self._fit, width=self._fit, most_font_size=self._fit, least_font_size=self._fit,
                  bold=self._fit, font_name=self._fit)
        self._fit()

    def _fit(self, *_) -> None:
        measure = CoreLabel(font_size=self.most_font_size, bold=self.bold, font_name=self.font_name)
        natural = measure.get_extents(self.text)[0] if self.text else 0
        room = self.width - self.padding[0] - self.padding[2]
        fitted = self.most_font_size * room / natural if natural > room > 0 else self.most_font_size
        self.font_size = max(self.least_font_size, fitted)
