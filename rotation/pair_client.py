"""``rotation pair``: a new kiosk's board asks the hub for its account with a one-time code (see
shared/pairing.py) and writes what it gets as this board's room config:

    <folder>/room.toml                    the room as this kiosk sees it, pointing at the hub's broker, with
                                          the hub's public key that checks the students' cards
    <folder>/class.secret                 only while the room takes old cards (removed when paired without)
    <folder>/broker/kiosk-<station>.password
    <folder>/broker/ca.crt                the room's CA, when the broker speaks TLS

A pairing that fails leaves the board as it was: the files are made in a folder of their own, the kiosk logs
in with them from there, and only then do they take the old ones' place. Before the code is used, a TLS
broker's certificate must name the address the kiosk was given, so the commonest mistake (an address the hub's
certificate does not have) costs neither the code nor the station's password.
"""
from __future__ import annotations

import ipaddress
import secrets
import shutil
import socket
import ssl
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import paho.mqtt.client as mqtt
from cryptography import x509

from edge.files import write_if_changed
from rotation.installed import SECRET_FILE
from shared.pairing import KioskSide, PairBundle, PairingError
from shared.toml_literal import toml_value
from shared.topics import PAIRING_ACCOUNT, PAIRING_PASSWORD, kiosk_account, pair_reply_topic, pair_request_topic

TLS_PORT, PLAIN_PORT = 8883, 1883
ANSWER_SECONDS = 20.0
STAGING = ".pairing"  # beside room.toml: the new files, until the kiosk has logged in with them
# [kiosk] keys pairing writes from the hub's answer or the command line; every other [kiosk] key is the board's
# own (its scanner, camera, screen's turn...) and pairing again keeps it.
PAIRING_KEYS = ("station", "outbox", "teacher_pin")
READERS = ("serial_port", "camera")  # one way to read cards: naming one on the command line drops the other


@dataclass(frozen=True)
class Paired:
    bundle: PairBundle
    host: str
    port: int
    tls: bool


def pair(host: str, code: str, station: str, port: int | None = None, tls: bool | None = None) -> Paired:
    """Ask the hub at ``host``; without a port, its TLS port first, then its plain one."""
    side = KioskSide(station, code)  # checks the code's form before anything goes on the network
    if port is not None:
        ways = [(port, bool(tls) if tls is not None else port == TLS_PORT)]
    else:
        ways = [(TLS_PORT, True), (PLAIN_PORT, False)]
    unreachable = []
    for way_port, way_tls in ways:
        try:
            if way_tls:
                check_certificate_names(host, way_port)
            return Paired(_ask(host, way_port, way_tls, side, ANSWER_SECONDS), host, way_port, way_tls)
        except OSError as error:
            unreachable.append(f"port {way_port}: {error.strerror or error}")
    raise PairingError(f"cannot reach the hub's broker at {host} ({'; '.join(unreachable)}): check the name and "
                       "that this board is on the classroom's network")


def check_certificate_names(host: str, port: int) -> None:
    """PairingError unless the broker's TLS certificate names ``host``, checked before the code is used: the
    kiosk could not log in later, and the hub would have given the station's account a new password for nothing.
    OSError when nothing speaks TLS there (the caller tries the next way)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the chain is checked once the room's CA has come, sealed
    with socket.create_connection((host, port), timeout=10) as raw, context.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True)
    if der is None:
        raise PairingError(f"the broker at {host}:{port} showed no certificate")
    names = certificate_names(der)
    if not names_host(names, host):
        raise PairingError(f"the hub's certificate does not name {host} (it names {', '.join(names) or 'nothing'}): "
                           f"pair with --hub set to one of those, or on the hub run its install command again "
                           f"with every name kiosks use (sudo deploy/raspberrypi/install.sh hub --name {host} "
                           f"--name ...). Nothing was changed, here or at the hub: the code still works")


def certificate_names(der: bytes) -> list[str]:
    try:
        alternatives = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        return []
    return [*alternatives.get_values_for_type(x509.DNSName),
            *(str(a) for a in alternatives.get_values_for_type(x509.IPAddress))]


def names_host(names: list[str], host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host.lower().rstrip(".") in {name.lower().rstrip(".") for name in names}
    return any(name == str(address) for name in names)


def _ask(host: str, port: int, tls: bool, side: KioskSide, timeout: float) -> PairBundle:
    asker = f"pair-{secrets.token_hex(6)}"  # names this request's topics (the broker names the client "pairing")
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=asker, protocol=mqtt.MQTTv311)
    client.username_pw_set(PAIRING_ACCOUNT, PAIRING_PASSWORD)
    if tls:
        # The room's CA arrives in the sealed bundle; until then the seal, not the certificate, proves the hub.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        client.tls_set_context(context)
    subscribed, answered = threading.Event(), threading.Event()
    outcome: dict = {}

    def on_connect(client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            outcome["refused"] = str(reason_code)
            answered.set()
            return
        side.board, side.address = socket.gethostname(), local_address(client)
        client.subscribe(pair_reply_topic(asker), qos=1)

    def on_subscribe(client, userdata, mid, reason_codes, properties) -> None:
        if reason_codes[0].is_failure:
            outcome["refused"] = "the broker does not let the pairing account ask (was the hub set up with " \
                                 "`rotation broker setup` from this version?)"
            answered.set()
            return
        subscribed.set()
        client.publish(pair_request_topic(asker), side.request(), qos=1)

    def on_message(client, userdata, msg) -> None:
        outcome["payload"] = msg.payload
        answered.set()

    client.on_connect, client.on_subscribe, client.on_message = on_connect, on_subscribe, on_message
    client.connect(host, port, keepalive=10)  # OSError when nothing listens: the caller tries the next way
    client.loop_start()
    try:
        if not answered.wait(timeout):
            raise PairingError(f"the hub did not answer within {timeout:.0f} s at {host}:{port}: is it running? "
                               "(on the hub: systemctl status rotation-hub)")
    finally:
        client.disconnect()
        client.loop_stop()
    if "refused" in outcome:
        raise PairingError(f"the broker at {host}:{port} refused to pair: {outcome['refused']}")
    return side.open(outcome["payload"])


def local_address(client: mqtt.Client) -> str:
    """This board's address on the connection to the hub: the one the hub's screen should show."""
    sock = client.socket()
    if not isinstance(sock, socket.socket):  # an SSL socket is one too
        return ""
    try:
        return str(sock.getsockname()[0])
    except OSError:
        return ""


def kiosk_config_text(paired: Paired, station: str, outbox: Path, local: dict[str, Any] | None = None) -> str:
    """This kiosk's room.toml: the hub's room (stations, goals, teacher's PIN), this board's broker address
    and account, and its own settings (``local``: scanner, camera, the screen's turn...)."""
    bundle = paired.bundle
    room = bundle.room
    lines = [f"# This kiosk's room config, made by `rotation pair` from the hub at {paired.host}. Pair again",
             "# (install.sh kiosk ... --pair-again) rather than edit it; docs/configuration.md explains each key.",
             "", "[room]", f"id = {toml_value(room.id)}", f"name = {toml_value(room.name)}",
             f"card_public_key = {toml_value(bundle.card_key)}", f"goals = {toml_value(room.goals)}",
             *([f'secret_file = "{SECRET_FILE}"', "accept_old_cards = true"] if bundle.secret is not None else []),
             "", "[broker]", f"host = {toml_value(paired.host)}", f"port = {paired.port}", 'accounts = "broker"']
    if paired.tls:
        lines += ["tls = true", 'ca_file = "broker/ca.crt"']
    kiosk = {"station": station, "outbox": str(outbox), "fullscreen": True, "teacher_pin": bundle.teacher_pin,
             **(local or {})}
    lines += ["", "[kiosk]", *(f"{key} = {toml_value(value)}" for key, value in kiosk.items() if value is not None)]
    for station_block in bundle.stations:
        keys = msgspec.to_builtins(station_block)  # what the hub set, as the hub's config has it
        lines += ["", "[[station]]", *(f"{key} = {toml_value(value)}" for key, value in keys.items())]
    return "\n".join(lines) + "\n"


def local_settings(room_file: Path, serial: str | None = None, camera: str | None = None) -> dict[str, Any]:
    """The [kiosk] keys this board's room file has of its own (not given by pairing), with ``serial`` or
    ``camera`` from the command line in place of the way it read cards before."""
    try:
        kiosk = tomllib.loads(room_file.read_text(encoding="utf-8")).get("kiosk", {})
    except FileNotFoundError:
        kiosk = {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise PairingError(f"cannot read this board's room file {room_file} to keep its scanner and screen settings "
                           f"({error}): move it aside to pair without them") from None
    kept = {key: value for key, value in kiosk.items() if key not in PAIRING_KEYS} if isinstance(kiosk, dict) else {}
    if serial or camera:
        kept = {key: value for key, value in kept.items() if key not in READERS}
    for key, value in kept.items():
        try:
            toml_value(value)
        except TypeError:
            raise PairingError(f"{room_file}: [kiosk] {key} = {value!r} is no value a kiosk takes: correct or remove "
                               "it, then pair again") from None
    return kept | {key: value for key, value in (("serial_port", serial), ("camera", camera)) if value}


class Staged:
    """A kiosk's new files, made in a folder of their own beside the room file; ``commit`` moves them into
    place, ``discard`` leaves the board as it was."""

    def __init__(self, folder: Path, paired: Paired, station: str, outbox: Path, local: dict[str, Any]) -> None:
        bundle = paired.bundle
        if bundle.account != kiosk_account(station):
            raise PairingError(f"the hub sent the account {bundle.account!r}, not station {station}'s")
        files = {
            Path("broker") / f"kiosk-{station}.password": bundle.password + "\n",
            Path("room.toml"): kiosk_config_text(paired, station, outbox, local),
        }
        if bundle.secret is not None:
            files[Path(SECRET_FILE)] = bundle.secret + "\n"
        if paired.tls:
            if not bundle.ca:
                raise PairingError("the hub's broker speaks TLS but the hub sent no CA certificate")
            files[Path("broker") / "ca.crt"] = bundle.ca
        self.folder, self.staging, self.files = folder, folder / STAGING, list(files)  # room.toml's place is last
        self.files.sort(key=lambda path: path.name == "room.toml")
        self.takes_old_cards = bundle.secret is not None
        self.discard()
        for path, text in files.items():
            (self.staging / path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_if_changed(self.staging / path, text)

    @property
    def room_file(self) -> Path:
        """The new room file where it waits: its paths lead to the new files beside it."""
        return self.staging / "room.toml"

    def commit(self) -> list[Path]:
        written = []
        for path in self.files:
            (self.folder / path).parent.mkdir(parents=True, exist_ok=True)
            (self.staging / path).replace(self.folder / path)
            written.append(self.folder / path)
        if not self.takes_old_cards:
            (self.folder / SECRET_FILE).unlink(missing_ok=True)  # the room takes no old cards now: nor keeps their key
        self.discard()
        return written

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
