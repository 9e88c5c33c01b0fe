"""Real TLS for the tests: hubs serving self-signed or CA-signed certificates, and an impostor.

The test CA is made with ``cryptography`` as a real one would be (a CA certificate, and a
server certificate it signs for 127.0.0.1 and localhost); clients are pointed at it with
``SSL_CERT_FILE``, the variable OpenSSL (so ``ssl.create_default_context``) reads. The
impostor is a TLS server with another certificate that records every byte a client sends
after the handshake, to show that nothing (no token, no request) reaches it.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from desktopchat.server import tls
from desktopchat.server.hub import HubConfig
from desktopchat.server.relay.service import ClientEndpoint, RelayConfig
from desktopchat.server.runner import HubThread
from desktopchat.server.tls import ServerTls
from tests.inbox import WAIT


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@dataclass
class LocalCA:
    """A certificate authority of the test's own; ``issue`` signs server certificates."""

    directory: Path
    key: ec.EllipticCurvePrivateKey = field(init=False)
    cert: x509.Certificate = field(init=False)

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name("desktopchat test CA"))
            .issuer_name(_name("desktopchat test CA"))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        self.cert_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    @property
    def cert_file(self) -> Path:
        """The CA certificate (PEM): what ``SSL_CERT_FILE`` points at."""
        return self.directory / "ca.pem"

    def issue(self, name: str = "server") -> tuple[Path, Path]:
        """A server certificate for 127.0.0.1 and localhost; ``(cert_file, key_file)``."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("127.0.0.1"))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    ]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        cert_file, key_file = self.directory / f"{name}.pem", self.directory / f"{name}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cert_file, key_file


@pytest.fixture
def test_ca(tmp_path: Path) -> LocalCA:
    """A fresh test CA under the test's tmp dir."""
    return LocalCA(tmp_path / "ca")


@dataclass
class TlsHub:
    """A relay hub serving TLS; ``restart`` brings it back on its port, maybe with a new cert."""

    thread: HubThread
    tls: ServerTls
    data_dir: Path
    _started: list[HubThread]

    @property
    def port(self) -> int:
        return self.thread.port

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def fingerprint(self) -> str:
        return self.tls.fingerprint

    def restart(self, new_tls: ServerTls | None = None) -> None:
        """Stop, then listen again on the same port and data (with ``new_tls`` if given)."""
        port = self.port
        self.thread.stop()
        self.tls = new_tls or self.tls
        self.thread = HubThread(replace(self.thread.config, port=port), self.tls)
        self._started.append(self.thread)
        self.thread.start()


@pytest.fixture
def start_tls_hub(hub_config: HubConfig, tmp_path: Path) -> Iterator[Callable[..., TlsHub]]:
    """Start relay hubs over TLS (self-signed by default); all stopped after the test."""
    started: list[HubThread] = []

    def start(server_tls: ServerTls | None = None) -> TlsHub:
        data_dir = tmp_path / f"tls-hub-{len(started)}"
        server_tls = server_tls or tls.self_signed(data_dir, "127.0.0.1")
        relay = RelayConfig(data_dir=data_dir, client_endpoint=ClientEndpoint(tls=True))
        thread = HubThread(replace(hub_config, relay=relay), server_tls)
        started.append(thread)
        thread.start()
        return TlsHub(thread, server_tls, data_dir, started)

    yield start
    for thread in started:
        thread.stop()


@pytest.fixture
def tls_hub(start_tls_hub: Callable[..., TlsHub]) -> TlsHub:
    """A relay hub on port 0 serving its own self-signed certificate."""
    return start_tls_hub()


class Impostor:
    """A TLS server on a port of its own, presenting ``tls``'s certificate to anyone.

    Every connection is handshaken, then read until the client hangs up; ``received`` holds
    the bytes each one sent. A client that checks its pin must leave every entry empty.
    """

    def __init__(self, server_tls: ServerTls) -> None:
        self.tls = server_tls
        self.received: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(WAIT)
        self.port = int(self._listener.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="impostor", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = self._listener.accept()
            except OSError:
                return
            raw.settimeout(WAIT)
            data = b""
            try:
                with self.tls.context.wrap_socket(raw, server_side=True) as conn:
                    while chunk := conn.recv(65536):
                        data += chunk
            except (OSError, ssl.SSLError):
                pass  # the client hung up mid-handshake or without close_notify
            self.received.append(data)

    def close(self) -> None:
        """Stop accepting (shutdown wakes a blocked accept; close alone does not)."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(WAIT)


@pytest.fixture
def impostor(tmp_path: Path) -> Iterator[Callable[[], Impostor]]:
    """Start impostors with a self-signed certificate of their own; closed afterwards."""
    made: list[Impostor] = []

    def start() -> Impostor:
        made.append(Impostor(tls.self_signed(tmp_path / f"impostor-{len(made)}", "127.0.0.1")))
        return made[-1]

    yield start
    for one in made:
        one.close()


def run_cli(
    *args: str, token: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m desktopchat ARGS`` in this test's DESKTOPCHAT_HOME, without the keyring."""
    full_env = {k: v for k, v in os.environ.items() if k != "DESKTOPCHAT_TOKEN"}
    full_env |= {"DESKTOPCHAT_NO_KEYRING": "1", **(env or {})}
    if token is not None:
        full_env["DESKTOPCHAT_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "desktopchat", *args],
        capture_output=True,
        text=True,
        timeout=3 * WAIT,
        env=full_env,
        check=False,
    )
