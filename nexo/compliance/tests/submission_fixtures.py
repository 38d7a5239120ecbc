"""Fixtures of the submission tests: the fake AEAT (its address as NEXO_AEAT_ENDPOINT), a self-signed test
certificate, a company that sends its records with it, and invoices posted through invoicing's services (the
posting's hook writes their VERI*FACTU records; the invoicing fixtures come from conftest)."""

from datetime import UTC, datetime, timedelta
from functools import cache

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID

from nexo.compliance.models import BillingRecord
from nexo.compliance.services.settings import certificate_store, settings_update
from nexo.compliance.tests.fake_aeat import FakeAeat
from nexo.invoicing.tests.customer_invoices import (
    _english,
    accountant,
    customer,
    hand_invoice,
    make_customer,
    post,
)

CERTIFICATE_PASSWORD = "prueba-1234"

__all__ = [
    "_english",
    "accountant",
    "certificate_file",
    "customer",
    "fake_aeat",
    "hand_invoice",
    "make_customer",
    "post",
    "post_invoices",
    "sending_company",
]  # fmt: skip


@cache
def certificate_file() -> bytes:
    """A PKCS#12 file with a self-signed certificate of the company (made once per run: RSA is slow)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Suministros Prueba, S.L."),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, "VATES-B46123451"),
        x509.NameAttribute(NameOID.COMMON_NAME, "SUMINISTROS PRUEBA SL - B46123451"),
    ])  # fmt: skip
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return pkcs12.serialize_key_and_certificates(
        b"nexo-test", key, certificate, None, BestAvailableEncryption(CERTIFICATE_PASSWORD.encode())
    )


@pytest.fixture
def fake_aeat(settings):
    """The fake AEAT, running; submissions go to it."""
    with FakeAeat() as fake:
        settings.NEXO_AEAT_ENDPOINT = fake.url
        yield fake


@pytest.fixture
def sending_company(company, accountant, fake_aeat):
    """The company sends its records to the AEAT (the fake), with its certificate stored."""
    certificate_store(company=company, by=accountant, data=certificate_file(), password=CERTIFICATE_PASSWORD)
    settings_update(company=company, by=accountant, submission_enabled=True)
    return company


@pytest.fixture
def post_invoices(hand_invoice, post, company):
    """Post `count` invoices by hand (1 x 100.00 at 21 % each); their VERI*FACTU records, in chain order."""

    def run(count: int) -> list[BillingRecord]:
        for _ in range(count):
            post(hand_invoice([("1", "100", "21")]))
        return list(BillingRecord.objects.filter(company=company).order_by("position"))

    return run
