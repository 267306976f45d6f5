"""The I/O edge that the hub, the display and the kiosk share: MQTT clients, SQLite files and their batch
writers, Kivy's setup and shared widgets, the broker's accounts and TLS files. It imports ``shared`` and the
libraries, never ``hub``, ``kiosk`` or ``rotation`` (tests/test_layout.py and the import contracts in
pyproject.toml keep it so)."""
