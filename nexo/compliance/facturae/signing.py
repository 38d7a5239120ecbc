"""The XAdES-EPES signature of a Facturae file, under the Facturae signature policy v3.1, made with signxml.

Enveloped (the ds:Signature is the last child of fe:Facturae, where the schema has its place), RSA-SHA256 with
SHA-256 digests, inclusive canonicalization 1.0. The signed properties carry the signing time, the signing
certificate, the policy's identifier and digest, the signer's role ("emisor") and the signed object's
format. See docs/decisions/0011-facturae.md."""

from base64 import b64encode
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import SignatureMethod
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm
from signxml.util import ds_tag, xades_tag
from signxml.xades import XAdESDataObjectFormat, XAdESSignaturePolicy, XAdESSigner

from nexo.compliance.facturae.schema import safe_parser

# The Facturae signature policy v3.1 (published by facturae.gob.es) and the SHA-1 digest of its PDF, as the
# Facturae signers publish them: OCA/l10n-spain l10n_es_facturae/reports/report_facturae_signed.py
# (`sig_policy_hash_value`) and the Spanish government's Cliente @firma (PreferencesPanelFacturaE.java,
# POLICY_FACTURAE_31).
FACTURAE_POLICY = XAdESSignaturePolicy(
    Identifier="http://www.facturae.es/politica_de_firma_formato_facturae/politica_de_firma_formato_facturae_v3_1.pdf",
    Description="Política de Firma FacturaE v3.1",
    DigestMethod=DigestAlgorithm.SHA1,
    DigestValue="Ohixl6upD6av8N7pEvDABhEL6hM=",
)
SIGNER_ROLE = "emisor"  # the policy's roles: emisor, receptor, tercero
DATA_OBJECT_FORMAT = XAdESDataObjectFormat(Description="Factura electrónica", MimeType="text/xml")


class FacturaeSigner(XAdESSigner):
    """signxml's XAdES signer writing xades:SigningCertificate (XAdES 1.3.2, what the Facturae policy names)
    rather than SigningCertificateV2: each certificate's SHA-256 digest with its issuer and serial number."""

    def add_signing_certificate(self, signed_signature_properties, sig_root, signing_settings):
        signing_certificate = etree.SubElement(
            signed_signature_properties, xades_tag("SigningCertificate"), nsmap=self.namespaces
        )
        for certificate in signing_settings.cert_chain or []:
            cert = etree.SubElement(signing_certificate, xades_tag("Cert"), nsmap=self.namespaces)
            digest = etree.SubElement(cert, xades_tag("CertDigest"), nsmap=self.namespaces)
            etree.SubElement(
                digest, ds_tag("DigestMethod"), nsmap=self.namespaces, Algorithm=self.digest_alg.value
            )
            etree.SubElement(digest, ds_tag("DigestValue"), nsmap=self.namespaces).text = b64encode(
                self._get_digest(certificate.public_bytes(Encoding.DER), algorithm=self.digest_alg)
            ).decode()
            issuer_serial = etree.SubElement(cert, xades_tag("IssuerSerial"), nsmap=self.namespaces)
            etree.SubElement(
                issuer_serial, ds_tag("X509IssuerName"), nsmap=self.namespaces
            ).text = certificate.issuer.rfc4514_string()
            etree.SubElement(issuer_serial, ds_tag("X509SerialNumber"), nsmap=self.namespaces).text = str(
                certificate.serial_number
            )


def facturae_signer() -> FacturaeSigner:
    return FacturaeSigner(
        signature_policy=FACTURAE_POLICY,
        claimed_roles=[SIGNER_ROLE],
        data_object_format=DATA_OBJECT_FORMAT,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
    )


def sign_facturae(
    document: bytes, *, private_key, certificate: x509.Certificate, chain: Sequence[x509.Certificate] = ()
) -> bytes:
    """The Facturae file signed with the certificate's private key; the certificate and its chain go in
    KeyInfo (X509Data) and in the signed SigningCertificate."""
    root = etree.fromstring(document, safe_parser())
    signed = facturae_signer().sign(root, key=private_key, cert=[certificate, *chain])
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
