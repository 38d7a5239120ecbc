"""A posted invoice as the AEAT's VERI*FACTU record describes it: the issuer, the recipient, the type, the
corrected invoice and the tax breakdown, mapped from Nexo's invoice onto django-verifactu's domain
(docs/decisions/0010-verifactu-library.md), which builds the XML, checks it against the AEAT's rules and
schema and computes the hash."""

from collections.abc import Iterable
from decimal import Decimal

from django_verifactu.aeat.codes import (
    CorrectionType,
    ExemptionCause,
    IdType,
    InvoiceType,
    OperationQualification,
    RegimeKey,
)
from django_verifactu.aeat.domain import BillingSoftware, ForeignId, Invoice, InvoiceId, Party, TaxLine
from stdnum.es import nif

from nexo.invoicing import rules as invoicing_rules
from nexo.invoicing.tax import (
    EU_SERVICE_REVERSE_CHARGE,
    EXPORT_GOODS,
    INTRA_EU_GOODS,
    SERVICE_OUTSIDE_EU,
)
from nexo.parties.rules import EU_COUNTRIES

NAME_LIMIT = 120
SIMPLIFIED_TYPES = (invoicing_rules.F2, invoicing_rules.R5)
# What the records say the operation is: the AEAT wants a description and Nexo's invoices have many lines.
DESCRIPTION = "Entrega de bienes y prestación de servicios"
CREDIT_DESCRIPTION = "Rectificación de factura"


def printable(text: str, limit: int | None = None) -> str:
    """Text as the AEAT's XML can carry it: without control characters (no one types them on purpose, and
    XML 1.0 cannot hold most of them), trimmed, cut to the field's length when it has one."""
    return "".join(char for char in str(text) if char.isprintable()).strip()[:limit]


def tax_id_of(value: str) -> str:
    """A Spanish tax id as the AEAT writes it: no country prefix, no spaces or dashes, upper case."""
    return nif.compact(value or "")


def recipient_of(name: str, tax_id: str, country: str) -> Party:
    """The customer as stored on the invoice: a Spanish tax id, or another country's (its VAT number in the
    EU, another document elsewhere)."""
    name = printable(name, NAME_LIMIT)
    if country in ("", "ES"):
        return Party(name=name, tax_id=tax_id_of(tax_id))
    kind = IdType.VAT_NUMBER if country in EU_COUNTRIES else IdType.OTHER_DOCUMENT
    number = tax_id.replace(" ", "").upper()
    return Party(name=name, foreign_id=ForeignId(id_type=kind, number=number, country=country))


def tax_line(treatment: str, rate: Decimal, base: Decimal, tax: Decimal, recargo_rate, recargo) -> TaxLine:
    """One VAT group of the invoice as a breakdown line: taxed (S1, with its surcharge), exempt (E1 art. 20,
    E2 export, E5 intra-EU supply) or not subject by the place-of-supply rules (N2)."""
    if treatment in (EU_SERVICE_REVERSE_CHARGE.code, SERVICE_OUTSIDE_EU.code):
        return TaxLine(base=base, qualification=OperationQualification.N2)
    exemption = {
        INTRA_EU_GOODS.code: ExemptionCause.E5,
        EXPORT_GOODS.code: ExemptionCause.E2,
    }.get(treatment)
    if exemption is None and treatment.startswith("exempt_art20_"):
        exemption = ExemptionCause.E1
    if exemption is not None:
        regime = RegimeKey.EXPORT if exemption is ExemptionCause.E2 else RegimeKey.GENERAL
        return TaxLine(base=base, qualification=None, exemption=exemption, regime=regime)
    surcharge = {"surcharge_rate": recargo_rate, "surcharge": recargo} if recargo_rate else {}
    return TaxLine(base=base, rate=rate, tax=tax, **surcharge)


def aeat_invoice(*, company, invoice, taxes: Iterable, corrected=None) -> Invoice:
    """The posted invoice (or credit note) as an AEAT record's content. `taxes` are its VAT groups
    (invoicing.InvoiceTax of kind vat); `corrected` the invoice a credit note corrects."""
    issuer = tax_id_of(company.tax_id)
    kind = InvoiceType(invoice.invoice_type)
    simplified = invoice.invoice_type in SIMPLIFIED_TYPES
    recipients = () if simplified else (
        recipient_of(invoice.party_name, invoice.party_tax_id, invoice.party_country),
    )  # fmt: skip
    lines = tuple(
        tax_line(row.treatment, row.rate, row.base, row.amount, row.recargo_rate, row.recargo)
        for row in taxes
    )
    corrective = invoice.invoice_type.startswith("R")
    corrected_ids = ()
    if corrective and corrected is not None:
        corrected_ids = (InvoiceId(issuer, corrected.number, corrected.date),)
    operation_date = invoice.operation_date if invoice.operation_date != invoice.date else None
    return Invoice(
        issuer_tax_id=issuer,
        issuer_name=printable(company.name, NAME_LIMIT),
        invoice_number=invoice.number,
        issue_date=invoice.date,
        operation_date=operation_date,
        description=printable(invoice.reason or CREDIT_DESCRIPTION, 500) if corrective else DESCRIPTION,
        recipients=recipients,
        lines=lines,
        invoice_type=kind,
        correction_type=CorrectionType.DIFFERENCES if corrective else None,
        corrected_invoices=corrected_ids,
    )


def billing_software(settings, company) -> BillingSoftware:
    """The software the records name (ComplianceSettings). Without a producer's tax id, the company is
    named as producer: an installation it runs itself is, for the AEAT, software it produces for its own use."""
    producer_tax_id = tax_id_of(settings.producer_tax_id)
    producer = (
        Party(name=printable(settings.producer_name, NAME_LIMIT), tax_id=producer_tax_id)
        if producer_tax_id
        else Party(name=printable(company.name, NAME_LIMIT), tax_id=tax_id_of(company.tax_id))
    )
    return BillingSoftware(
        producer=producer,
        name=settings.software_name,
        system_id=settings.software_id,
        version=settings.software_version,
        installation_number=settings.installation_number,
        multiple_taxpayers_possible=True,
        multiple_taxpayers=False,
    )
