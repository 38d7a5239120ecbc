"""The company's electronic certificate (a PKCS#12 file and its password), kept encrypted.

Both are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from the installation's
SECRET_KEY by HKDF: a copy of the database alone does not reveal the private key. Changing SECRET_KEY makes a
stored certificate unreadable; upload it again then."""

import base64
from dataclasses import dataclass
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import Certificate
from django.conf import settings

_CONTEXT = b"nexo compliance certificate"


class CertificateError(ValueError):
    """The file is not a PKCS#12 certificate with a private key, or the password does not open it."""


@dataclass(frozen=True)
class SigningCertificate:
    """A certificate ready to sign with: its private key, the certificate and the chain above it."""

    private_key: object
    certificate: Certificate
    chain: list[Certificate]
    pkcs12: bytes
    password: str

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def expires(self) -> datetime:
        return self.certificate.not_valid_after_utc


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CONTEXT).derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    return _fernet().decrypt(bytes(token))


def load(data: bytes, password: str) -> SigningCertificate:
    """Open a PKCS#12 file; CertificateError when it is not one, has no key, or the password is wrong."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except (ValueError, TypeError) as error:
        raise CertificateError(str(error)) from error
    if key is None or certificate is None:
        raise CertificateError("the file holds no private key and certificate")
    return SigningCertificate(key, certificate, list(chain or []), data, password)


def signing_certificate(company) -> SigningCertificate | None:
    """The company's stored certificate, decrypted; None when it has none (or it can no longer be read)."""
    from nexo.compliance.models import ComplianceSettings

    row = (
        ComplianceSettings.objects.filter(company=company)
        .values_list("certificate", "certificate_password")
        .first()
    )
    if row is None or row[0] is None:
        return None
    try:
        return load(decrypt(row[0]), decrypt(row[1]).decode())
    except (InvalidToken, CertificateError):
        return None
