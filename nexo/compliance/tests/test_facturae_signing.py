"""The XAdES-EPES signature of a Facturae file: made with the company's stored certificate, it keeps the file
valid against the Facturae schema and signxml verifies it (policy, certificate, signed content); any change
to the signed invoice breaks it."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.exceptions import InvalidDigest, InvalidSignature
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

from nexo.compliance import facturae
from nexo.compliance.facturae import schema
from nexo.compliance.facturae.signing import FACTURAE_POLICY, sign_facturae
from nexo.compliance.services.settings import certificate_store

PASSWORD = "clave-de-prueba"
XADES = "{http://uri.etsi.org/01903/v1.3.2#}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"


def self_signed(common_name: str = "SUMINISTROS PRUEBA SL - B46123451"):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Suministros Prueba, S.L."),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, certificate


@pytest.fixture(scope="module")
def credentials():
    return self_signed()


@pytest.fixture
def stored_certificate(company, accountant, credentials):
    key, certificate = credentials
    data = pkcs12.serialize_key_and_certificates(
        b"facturae", key, certificate, None, serialization.BestAvailableEncryption(PASSWORD.encode())
    )
    certificate_store(company=company, by=accountant, data=data, password=PASSWORD)
    return certificate


@pytest.fixture
def invoice(hand_invoice, post):
    return post(hand_invoice([("3", "12.50", "21"), ("1", "40.00", "10")]))


def verify(document: bytes, certificate: x509.Certificate):
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    return XAdESVerifier().verify(
        document,
        x509_cert=pem,
        expect_signature_policy=FACTURAE_POLICY,
        expect_config=XAdESSignatureConfiguration(require_x509=True, expect_references=3),
    )


def test_with_a_certificate_the_file_is_signed_still_validates_and_verifies(
    company, invoice, stored_certificate
):
    file = facturae.invoice_facturae(company=company, invoice_id=invoice.pk)
    assert file.signed and file.filename == f"invoice-{invoice.number}.xsig"
    assert schema.facturae_errors(file.content) == []
    results = verify(file.content, stored_certificate)
    signed_invoice = results[0].signed_xml
    assert signed_invoice.tag.endswith("}Facturae")
    assert signed_invoice.findtext("Invoices/Invoice/InvoiceHeader/InvoiceNumber") == invoice.number

    root = etree.fromstring(file.content, schema.safe_parser())
    signature = root[-1]
    assert signature.tag == f"{DS}Signature"
    assert signature.find(f"{DS}SignedInfo/{DS}SignatureMethod").get("Algorithm") == (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    )
    properties = signature.find(f"{DS}Object/{XADES}QualifyingProperties/{XADES}SignedProperties")
    signed = properties.find(f"{XADES}SignedSignatureProperties")
    assert signed.findtext(f"{XADES}SignaturePolicyIdentifier/{XADES}SignaturePolicyId/{XADES}SigPolicyId/{XADES}Identifier") == (
        "http://www.facturae.es/politica_de_firma_formato_facturae/politica_de_firma_formato_facturae_v3_1.pdf"
    )  # fmt: skip
    assert signed.findtext(f".//{XADES}SigPolicyHash/{DS}DigestValue") == "Ohixl6upD6av8N7pEvDABhEL6hM="
    assert signed.findtext(f"{XADES}SignerRole/{XADES}ClaimedRoles/{XADES}ClaimedRole") == "emisor"
    cert = signed.find(f"{XADES}SigningCertificate/{XADES}Cert")
    assert cert.findtext(f"{XADES}IssuerSerial/{DS}X509SerialNumber") == str(stored_certificate.serial_number)
    assert signed.find(f"{XADES}SigningCertificateV2") is None


def test_without_a_certificate_the_file_is_plain_xml(company, invoice):
    file = facturae.invoice_facturae(company=company, invoice_id=invoice.pk)
    assert not file.signed and file.filename == f"invoice-{invoice.number}.xml"
    assert b"Signature" not in file.content


def test_a_changed_amount_or_another_certificate_fails_verification(company, invoice, stored_certificate):
    file = facturae.invoice_facturae(company=company, invoice_id=invoice.pk)
    total = f"<InvoiceTotal>{invoice.total}</InvoiceTotal>".encode()
    assert total in file.content
    tampered = file.content.replace(total, b"<InvoiceTotal>1.00</InvoiceTotal>")
    with pytest.raises(InvalidDigest):
        verify(tampered, stored_certificate)
    _other_key, other_certificate = self_signed("OTRA EMPRESA")
    with pytest.raises((InvalidSignature, InvalidDigest)):
        verify(file.content, other_certificate)


def test_the_signer_takes_a_key_and_certificate_directly_and_puts_the_chain_in_key_info(company, invoice):
    key, certificate = self_signed()
    _issuer_key, intermediate = self_signed("CA INTERMEDIA DE PRUEBA")
    plain = facturae.invoice_facturae(company=company, invoice_id=invoice.pk).content
    signed = sign_facturae(plain, private_key=key, certificate=certificate, chain=[intermediate])
    assert schema.facturae_errors(signed) == []
    verify(signed, certificate)
    root = etree.fromstring(signed, schema.safe_parser())
    assert len(root.findall(f".//{DS}X509Data/{DS}X509Certificate")) == 2
    assert len(root.findall(f".//{XADES}SigningCertificate/{XADES}Cert")) == 2
