"""A room's own certificate authority and the broker's TLS certificate, made with the openssl command.

The CA's certificate (``ca.crt``) goes to every kiosk: a client trusts the broker because the CA signed its
certificate for the hub's name. The CA's key stays on the hub. Made once; run again, it keeps them unless
the hub's names changed.
"""
from __future__ import annotations

import ipaddress
import shutil
import subprocess
from pathlib import Path

from edge.broker_setup import TlsFiles

DAYS = 3650  # a classroom's boards outlive a school year or two; renewal is `rotation broker setup --tls` again
NAMES_FILE = "server.names"


# Python 3.13 (Debian 13, today's Raspberry Pi OS) verifies strictly by default (VERIFY_X509_STRICT): a CA
# without a key usage is refused, and every kiosk and browser check of the broker and the web companion fails.
CA_EXTENSIONS = ("-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")


def _has_key_usage(certificate: Path) -> bool:
    return "Certificate Sign" in _openssl("x509", "-in", str(certificate), "-noout", "-ext", "keyUsage")


def _openssl(*args: str) -> str:
    """What the openssl command printed."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("openssl is not installed: run `sudo apt-get install openssl`")
    result = subprocess.run([openssl, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {result.stderr.strip()}")
    return result.stdout


def subject_alt_names(names: list[str]) -> str:
    entries = []
    for name in names:
        try:
            entries.append(f"IP:{ipaddress.ip_address(name)}")
        except ValueError:
            entries.append(f"DNS:{name}")
    return ",".join(entries)


def ensure_tls(folder: Path, names: list[str], room_id: str) -> TlsFiles:
    """The CA and a broker certificate for ``names`` (host names or addresses the kiosks connect to)."""
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(ca=folder / "ca.crt", certificate=folder / "server.crt", key=folder / "server.key")
    ca_key = folder / "ca.key"
    reissued = False
    the_ca = ("-out", str(files.ca), "-days", str(DAYS), "-subj", f"/CN=Rotation Station {room_id} CA",
              *CA_EXTENSIONS)
    if not (files.ca.exists() and ca_key.exists()):
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", str(ca_key), *the_ca)
        ca_key.chmod(0o600)
    elif not _has_key_usage(files.ca):
        # Made before this was added: the same key and name, so what it signed and who trusts it still hold.
        _openssl("req", "-x509", "-new", "-key", str(ca_key), *the_ca)
        reissued = True
    names_file = folder / NAMES_FILE
    wanted = subject_alt_names(names)
    if files.certificate.exists() and files.key.exists() and names_file.exists() \
            and names_file.read_text().strip() == wanted and not reissued:
        return files
    request = folder / "server.csr"
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", str(files.key), "-out", str(request), "-subj", f"/CN={names[0]}")
    files.key.chmod(0o600)
    extensions = folder / "server.ext"
    extensions.write_text(f"subjectAltName={wanted}\nextendedKeyUsage=serverAuth\n"
                          "keyUsage=critical,digitalSignature\nauthorityKeyIdentifier=keyid\n")
    _openssl("x509", "-req", "-in", str(request), "-CA", str(files.ca), "-CAkey", str(ca_key),
             "-CAcreateserial", "-out", str(files.certificate), "-days", str(DAYS), "-extfile", str(extensions))
    request.unlink()
    extensions.unlink()
    names_file.write_text(wanted + "\n")
    return files
