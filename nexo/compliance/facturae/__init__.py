"""Facturae 3.2.2: a posted customer invoice or credit note as the electronic invoice Spanish public
administrations receive (FACe), checked against the official schema and signed (XAdES-EPES, Facturae policy
v3.1) when the company has a certificate. `builder` writes the file, `schema` checks it, `signing` signs it;
`invoice_facturae` is what the invoice page and the API call."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.compliance.certificates import signing_certificate
from nexo.compliance.facturae.builder import (
    ACCOUNTING_OFFICE,
    MANAGING_BODY,
    PROCESSING_UNIT,
    PROPOSING_BODY,
    AdministrativeCentre,
    buyer_address,
    facturae_document,
    seller_address,
)
from nexo.compliance.facturae.schema import facturae_validate
from nexo.compliance.facturae.signing import sign_facturae
from nexo.compliance.models import PartyEInvoicing
from nexo.compliance.services.einvoicing import missing_centres
from nexo.core.errors import Conflict, NotFound
from nexo.core.models import Company
from nexo.invoicing.documents import due_amounts
from nexo.invoicing.models import Invoice

CONTENT_TYPE = "application/xml"
FACTURAE_CURRENCY = "EUR"  # without an exchange rate on the invoice, its amounts in euros cannot be given


@dataclass(frozen=True)
class FacturaeFile:
    content: bytes
    filename: str
    signed: bool


def facturae_filename(invoice: Invoice, *, signed: bool) -> str:
    """`invoice-F-2026-000007.xsig` when signed (the extension FACe expects), `.xml` otherwise."""
    number = "".join(char if char.isalnum() or char in "-_." else "_" for char in invoice.number)
    return f"invoice-{number}.{'xsig' if signed else 'xml'}"


def invoice_facturae(*, company: Company, invoice_id: int) -> FacturaeFile:
    """The Facturae file of one of the company's posted invoices or credit notes: built from the invoice as it
    was posted (its customer as frozen then) with the customer's administrative centres as its e-invoicing
    profile gives them now (DIR3 codes), refused (Conflict) when it is a draft, was cancelled, is not in
    euros, is for a customer that requires Facturae files but lacks its centres' codes, or lacks what the
    schema requires (the reason given), signed with the company's certificate when it has one. The file,
    signed or not, is checked against the Facturae 3.2.2 schema before it leaves."""
    invoice = (
        Invoice.objects.select_related("company", "corrects", "payment_term", "party__einvoicing")
        .filter(company=company, pk=invoice_id)
        .first()
    )
    if invoice is None:
        raise NotFound(_("No such invoice."))
    if invoice.state == Invoice.State.DRAFT:
        raise Conflict(_("A draft has no Facturae file: post the invoice first."))
    if invoice.state != Invoice.State.POSTED:  # cancelled: issued by mistake, it is no invoice to send
        raise Conflict(
            _("Invoice %(invoice)s was cancelled: it has no Facturae file.") % {"invoice": invoice}
        )
    if invoice.currency != FACTURAE_CURRENCY:
        raise Conflict(
            _("Invoice %(invoice)s is in %(currency)s: a Facturae file is exported for invoices in euros.")
            % {"invoice": invoice, "currency": invoice.currency}
        )
    profile = getattr(invoice.party, "einvoicing", None)
    _check_centres(invoice, profile)
    _check_addresses(invoice)
    lines = list(invoice.lines.select_related("item__unit").order_by("position", "id"))
    taxes = list(invoice.taxes.all())
    dues = [] if invoice.kind == Invoice.Kind.CREDIT_NOTE else due_amounts(invoice, invoice.payment_term)
    document = facturae_document(
        invoice, lines=lines, taxes=taxes, dues=dues, centres=administrative_centres(profile)
    )
    facturae_validate(document)
    certificate = signing_certificate(company)
    if certificate is None:
        return FacturaeFile(document, facturae_filename(invoice, signed=False), signed=False)
    signed = sign_facturae(
        document,
        private_key=certificate.private_key,
        certificate=certificate.certificate,
        chain=certificate.chain,
    )
    facturae_validate(signed)
    return FacturaeFile(signed, facturae_filename(invoice, signed=True), signed=True)


# Each DIR3 code of the profile and the role it plays in the file.
CENTRE_ROLES = (
    ("accounting_office", ACCOUNTING_OFFICE), ("managing_body", MANAGING_BODY),
    ("processing_unit", PROCESSING_UNIT), ("proposing_body", PROPOSING_BODY),
)  # fmt: skip


def administrative_centres(profile: PartyEInvoicing | None) -> list[AdministrativeCentre]:
    """The customer's centres with a code, in the order of their roles (none without a profile)."""
    if profile is None:
        return []
    return [
        AdministrativeCentre(code=getattr(profile, field), role=role)
        for field, role in CENTRE_ROLES
        if getattr(profile, field)
    ]


def _check_centres(invoice: Invoice, profile: PartyEInvoicing | None) -> None:
    """A customer that takes Facturae files only (an administration, through FACe) needs its centres'
    codes: without them FACe would refuse the file."""
    missing = missing_centres(profile) if profile is not None and profile.facturae_required else []
    if missing:
        raise Conflict(
            _(
                "%(party)s requires Facturae files with its DIR3 codes: the codes of its %(fields)s are "
                "missing (they are given on the customer's page)."
            )
            % {"party": invoice.party.name, "fields": ", ".join(missing)}
        )


ADDRESS_FIELDS = {
    "street": gettext_lazy("street"), "postal_code": gettext_lazy("postal code"), "town": gettext_lazy("town"),
    "province": gettext_lazy("province"), "country": gettext_lazy("country"),
}  # fmt: skip


def _check_addresses(invoice: Invoice) -> None:
    """What Facturae needs of the issuer and the customer, said in words before the schema says it its way."""
    company = invoice.company
    missing = [str(ADDRESS_FIELDS[name]) for name in seller_address(invoice).missing()]
    if not company.tax_id.strip():
        missing.insert(0, _("tax id"))
    if missing:
        raise Conflict(
            _("%(company)s needs its %(fields)s for a Facturae file: an administrator completes them.")
            % {"company": company.name, "fields": ", ".join(missing)}
        )
    missing = [str(ADDRESS_FIELDS[name]) for name in buyer_address(invoice).missing()]
    if len(invoice.party_tax_id.strip()) < 3:
        missing.insert(0, _("tax id"))
    if missing:
        raise Conflict(
            _(
                "Invoice %(invoice)s was posted without the customer's %(fields)s, which a Facturae file needs."
            )
            % {"invoice": invoice, "fields": ", ".join(missing)}
        )
