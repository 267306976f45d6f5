"""The student kiosk at a station: scanners, decisions, outbox, MQTT link and the Kivy app."""
