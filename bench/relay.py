"""The anchor for MQTT latency: republishes every message from one topic to another, with no logic.

    relay.py PORT SOURCE TARGET [USERNAME PASSWORD]
"""
import socket
import sys

import paho.mqtt.client as mqtt


def disable_nagle(client, userdata, sock) -> None:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def main(port: int, source: str, target: str, username: str | None = None, password: str | None = None) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-relay")
    if username:
        client.username_pw_set(username, password)
    client.on_connect = lambda c, *args: c.subscribe(source, qos=1)
    client.on_subscribe = lambda *args: print("ready", flush=True)
    client.on_message = lambda c, userdata, msg: c.publish(target, msg.payload, qos=1)
    client.on_socket_open = disable_nagle
    client.connect("127.0.0.1", port)
    client.loop_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), *sys.argv[2:])
