"""TLS for the hub and the relay: a certificate the user gives, or one made and kept here.

A hub that leaves localhost carries passwords, session tokens and messages; TLS keeps them
from the network. A certificate signed by a CA the clients trust needs nothing more; a
self-signed one (``--tls-self-signed``) is made once, kept in the data dir so that its
fingerprint stays the same across restarts, and pinned by clients on first use (see
``desktopchat.client.trust``). Its SHA-256 fingerprint is what a person compares.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import shutil
import socket
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

#: Under the data dir: ``cert.pem`` (public) and ``key.pem`` (0600) of the self-signed pair.
SELF_SIGNED_DIR = "tls"
CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"
#: Clients pin the certificate, so its expiry protects nothing; a long life avoids a pin
#: change (and a refused client) on an arbitrary day.
SELF_SIGNED_DAYS = 10 * 365


class TlsConfigError(Exception):
    """The certificate or key cannot be used; the message says which file and why."""


@dataclass(frozen=True, slots=True)
class ServerTls:
    """What a TLS listener needs: its context, and the fingerprint of the certificate it shows.

    Attributes:
        context: the server-side SSL context (certificate chain loaded).
        fingerprint: SHA-256 of the leaf certificate's DER, as ``AB:CD:…`` (95 characters).
        certificate: the PEM file the leaf certificate came from.
    """

    context: ssl.SSLContext
    fingerprint: str
    certificate: Path


def format_fingerprint(digest: bytes) -> str:
    """``AB:CD:…``: how browsers and ``openssl x509 -fingerprint -sha256`` show it."""
    return ":".join(f"{byte:02X}" for byte in digest)


def certificate_fingerprint(der: bytes) -> str:
    """The SHA-256 fingerprint of a DER certificate, formatted for people."""
    return format_fingerprint(hashlib.sha256(der).digest())


def load(cert_file: Path, key_file: Path | None) -> ServerTls:
    """A server context for ``cert_file`` (a PEM chain, leaf first) and ``key_file``."""
    try:
        leaf = x509.load_pem_x509_certificate(cert_file.read_bytes())
    except OSError as exc:
        raise TlsConfigError(f"cannot read the certificate {cert_file}: {exc.strerror}") from exc
    except ValueError as exc:
        raise TlsConfigError(f"{cert_file} holds no PEM certificate") from exc
    # Not create_default_context(): it loads the CA store (~50 ms) to check client
    # certificates, which the hub never asks for.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert_file, key_file)
    except ssl.SSLError as exc:  # before OSError, of which it is a subclass
        raise TlsConfigError(
            f"{key_file or cert_file}: not the private key of {cert_file} ({exc.reason})"
        ) from exc
    except OSError as exc:
        raise TlsConfigError(f"cannot read {key_file or cert_file}: {exc.strerror}") from exc
    der = leaf.public_bytes(serialization.Encoding.DER)
    return ServerTls(context, certificate_fingerprint(der), cert_file)


def self_signed(data_dir: Path, bind_host: str) -> ServerTls:
    """The data dir's self-signed certificate, made on first use; the same one ever after."""
    directory = data_dir / SELF_SIGNED_DIR
    cert, key = directory / CERT_FILE, directory / KEY_FILE
    if not cert.is_file() and not key.is_file():
        _create(data_dir, directory, bind_host)
    elif not (cert.is_file() and key.is_file()):
        # The pair only ever appears whole (see _create): someone removed half of it. Making
        # a new one would silently change what clients pinned; let a person decide.
        raise TlsConfigError(
            f"{directory} holds half a certificate pair; remove the directory to make a new "
            "one (clients that trusted the old one will then refuse this server until told)"
        )
    return load(cert, key)


def _create(data_dir: Path, directory: Path, bind_host: str) -> None:
    """Write the pair into a private temporary directory, then rename it into place.

    The rename is atomic and fails when the directory exists, so two hubs starting at once
    end up with one pair, not one's key and the other's certificate.
    """
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(prefix=".tls-", dir=data_dir))  # mode 0700
    try:
        key = ec.generate_private_key(ec.SECP256R1())
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write(staging / KEY_FILE, key_pem, 0o600)
        cert = _certificate(key, subject_alt_names(bind_host))
        _write(staging / CERT_FILE, cert.public_bytes(serialization.Encoding.PEM), 0o644)
        os.rename(staging, directory)  # fails if another hub's pair is already there
    except OSError as exc:
        if not ((directory / CERT_FILE).is_file() and (directory / KEY_FILE).is_file()):
            raise TlsConfigError(f"cannot write a certificate in {directory}: {exc}") from exc
        # else another hub won the race: use its pair
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def subject_alt_names(bind_host: str) -> list[x509.GeneralName]:
    """localhost, 127.0.0.1, ::1, this machine's name and the address the hub binds."""
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    addresses = {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}
    dns = {"localhost"}
    for host in (socket.gethostname(), socket.getfqdn(), bind_host):
        if not host or host in ("0.0.0.0", "::"):  # noqa: S104 - comparing, not binding
            continue
        try:
            addresses.add(ipaddress.ip_address(host))
        except ValueError:
            if host.lower() not in dns:
                dns.add(host.lower())
                names.append(x509.DNSName(host.lower()))
    names.extend(x509.IPAddress(address) for address in sorted(addresses, key=str))
    return names


def _certificate(
    key: ec.EllipticCurvePrivateKey, names: list[x509.GeneralName]
) -> x509.Certificate:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"desktopchat hub on {socket.gethostname()}"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "desktopchat (self-signed)"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=SELF_SIGNED_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
