"""The SAML service provider's key pairs (signing, and decrypting assertions), from files named in
the settings. Development without them gets a self-signed pair generated once into var/saml/."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class KeyPair:
    key_file: str
    cert_file: str


def _generate(directory: Path, key_size: int = 3072) -> KeyPair:
    """An RSA key and a self-signed certificate valid for ten years (development and tests only)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key_path, cert_path = directory / "sp.key", directory / "sp.crt"
    if key_path.exists() and cert_path.exists():
        return KeyPair(str(key_path), str(cert_path))
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kapabel SAML SP (development)")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return KeyPair(str(key_path), str(cert_path))


def signing_pair() -> KeyPair:
    if settings.KAPABEL_SAML_KEY_FILE and settings.KAPABEL_SAML_CERT_FILE:
        return KeyPair(settings.KAPABEL_SAML_KEY_FILE, settings.KAPABEL_SAML_CERT_FILE)
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "SAML needs KAPABEL_SAML_KEY_FILE and KAPABEL_SAML_CERT_FILE when KAPABEL_ENV=production."
        )
    return _generate(Path(settings.VAR_DIR) / "saml")


def encryption_pair() -> KeyPair:
    if settings.KAPABEL_SAML_ENCRYPTION_KEY_FILE and settings.KAPABEL_SAML_ENCRYPTION_CERT_FILE:
        return KeyPair(settings.KAPABEL_SAML_ENCRYPTION_KEY_FILE, settings.KAPABEL_SAML_ENCRYPTION_CERT_FILE)
    return signing_pair()
