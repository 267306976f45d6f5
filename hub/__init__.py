"""The hub: the room's database, rotation engine, MQTT service and teacher display."""
