"""The VERI*FACTU pages and API: the records list and XML, the verification page and endpoint (an intact
chain, then a tampered one), the settings page and endpoint (bad input refused with the reason, nothing
changed; a certificate uploaded, kept encrypted, refused when it is not one), the invoice page's panel;
a sales user gets 403, another company's record 404."""

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from nexo.compliance import certificates
from nexo.compliance.models import BillingRecord, ComplianceSettings

PROBLEM = "application/problem+json"
TABLE = BillingRecord._meta.db_table


@pytest.fixture
def posted(hand_invoice, post):
    return [post(hand_invoice([("1", price, "21")])) for price in ("10.00", "20.00")]


@pytest.fixture
def page_client(accountant):
    accountant.language = "en"  # the messages are asserted in English
    accountant.save(update_fields=["language"])
    client = Client()
    client.force_login(accountant)
    return client


def p12(password: str = "clave-1") -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SUMINISTROS PRUEBA SL - B46123451")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365)).sign(key, hashes.SHA256())
    )  # fmt: skip
    return pkcs12.serialize_key_and_certificates(
        b"test", key, certificate, None, BestAvailableEncryption(password.encode())
    )


def test_the_records_page_lists_the_records_and_serves_their_xml(
    page_client, posted, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        answer = page_client.get("/compliance/records/")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert all(invoice.number in html for invoice in posted)
    record = BillingRecord.objects.get(invoice=posted[0])
    xml = page_client.get(f"/compliance/records/{record.pk}/xml/")
    assert xml["Content-Type"].startswith("application/xml")
    assert record.hash.encode() in xml.content


def test_the_verify_page_reports_an_intact_then_a_broken_chain(page_client, posted):
    assert page_client.get("/compliance/records/verify/").status_code == 200
    answer = page_client.post("/compliance/records/verify/")
    assert answer.status_code == 200 and 'data-intact="true"' in answer.content.decode()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The foreign keys' checks wait for the end of the test's transaction; run them now, or the
            # table cannot be altered while they are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{TABLE}" DISABLE TRIGGER USER')
        else:
            cursor.execute(f'DROP TRIGGER "{TABLE}_no_update"')
        cursor.execute(f"UPDATE {TABLE} SET total = 99 WHERE invoice_id = %s", [posted[1].pk])
    answer = page_client.post("/compliance/records/verify/")
    html = answer.content.decode()
    assert answer.status_code == 409
    assert 'data-intact="false"' in html and posted[1].number in html


def test_a_sales_user_may_not_open_the_records(sales_client, posted):
    assert sales_client.get("/compliance/records/").status_code == 403
    assert sales_client.get("/compliance/settings/").status_code == 403


def test_the_settings_page_saves_and_refuses_bad_input(page_client, company):
    assert page_client.get("/compliance/settings/").status_code == 200
    fields = {
        "form": "settings", "verifactu_enabled": "on", "environment": "test", "software_name": "Nexo",
        "software_id": "N!", "software_version": "1.0", "installation_number": "2", "producer_name": "Nexo",
        "producer_tax_id": "",
    }  # fmt: skip
    refused = page_client.post("/compliance/settings/", fields)
    assert refused.status_code == 422 and "Two capital letters" in refused.content.decode()
    assert ComplianceSettings.objects.get(company=company).installation_number == "1"
    saved = page_client.post("/compliance/settings/", {**fields, "software_id": "NX"})
    assert saved.status_code == 302
    assert ComplianceSettings.objects.get(company=company).installation_number == "2"


def test_a_certificate_is_uploaded_encrypted_and_a_wrong_password_refused(page_client, company):
    data = p12()
    wrong = page_client.post(
        "/compliance/settings/",
        {"form": "certificate", "password": "nope", "certificate": SimpleUploadedFile("c.p12", data)},
    )
    assert wrong.status_code == 422 and "password does not open it" in wrong.content.decode()
    assert ComplianceSettings.objects.get(company=company).certificate is None
    saved = page_client.post(
        "/compliance/settings/",
        {"form": "certificate", "password": "clave-1", "certificate": SimpleUploadedFile("c.p12", data)},
    )
    assert saved.status_code == 302
    stored = ComplianceSettings.objects.get(company=company)
    assert data not in bytes(stored.certificate)  # kept encrypted
    assert "SUMINISTROS PRUEBA SL" in stored.certificate_subject
    loaded = certificates.signing_certificate(company)
    assert loaded is not None and loaded.pkcs12 == data
    page_client.post("/compliance/settings/", {"form": "remove-certificate"})
    assert certificates.signing_certificate(company) is None


def test_the_invoice_page_shows_its_record(page_client, posted):
    record = BillingRecord.objects.get(invoice=posted[0])
    html = page_client.get(reverse("invoicing:invoice_view", args=[posted[0].pk])).content.decode()
    assert 'id="verifactu-panel"' in html and record.hash[:16] in html


def test_the_api_lists_reads_and_verifies_the_records(api_as, accountant, posted, other_company):
    client = api_as(accountant)
    listed = client.get("/compliance/records")
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [item["invoice_number"] for item in items] == [posted[1].number, posted[0].number]
    assert items[0]["previous_hash"] == items[1]["hash"]
    one = client.get(f"/compliance/records/{items[1]['id']}").json()
    assert one["xml"].startswith("<sum1:RegistroAlta") and one["total"] == "12.10"
    verified = client.post("/compliance/verification", {})
    assert verified.status_code == 200, verified.content
    assert verified.json()["intact"] is True and verified.json()["chains"][0]["records"] == 2
    assert client.get("/compliance/records/999999").status_code == 404


def test_the_api_changes_the_settings_and_refuses_bad_input(api_as, accountant, company):
    client = api_as(accountant)
    assert client.get("/compliance/settings").json()["verifactu_enabled"] is True
    refused = client.patch("/compliance/settings", {"producer_tax_id": "B00000000"})
    assert refused.status_code == 422 and refused["Content-Type"] == PROBLEM
    refused = client.patch("/compliance/settings", {"software_id": "=SUM(A1)"})
    assert refused.status_code == 422
    changed = client.patch("/compliance/settings", {"installation_number": "7", "environment": "production"})
    assert changed.status_code == 200 and changed.json()["installation_number"] == "7"
    assert ComplianceSettings.objects.get(company=company).environment == "production"
