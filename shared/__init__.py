"""Pure protocol code shared by hub and kiosk: no MQTT, SQLite or Kivy imports."""
__version__ = "0.2.0"
