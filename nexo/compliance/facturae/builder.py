"""A posted invoice or credit note as a Facturae 3.2.2 file (one invoice, modality I, issued by the seller).

What goes where:
- FileHeader: the batch of one invoice, identified by the issuer's tax id and the invoice number, with the
  invoice's total (`InvoiceTotal`), what is outstanding and what is executable (the same: Nexo records no
  payments on account, subsidies or guarantees on an invoice).
- Parties: the company as SellerParty, the customer as the invoice froze it when posted as BuyerParty; an
  administration as buyer with its AdministrativeCentres, the DIR3 code of each centre FACe asks for, in the
  role FACe gives the schema's RoleTypeCode, at the buyer's address.
- InvoiceHeader: number and series, FC (a complete invoice) or FA (a simplified one, F2 and its credit notes
  R5), OO (original) or OR (corrective) with the Corrective block naming the corrected invoice, the reason
  and the method: "02" (by differences: a Nexo credit note carries the negative of what it corrects).
- TaxesOutputs: one Tax per VAT group of the invoice (VAT "01": rate, base, tax and, under the recargo de
  equivalencia, its rate and amount); TaxesWithheld: one per IRPF rate ("04").
- InvoiceTotals: TotalGrossAmount (the lines' gross amounts, the invoice's base), TotalTaxOutputs (VAT and
  recargo), TotalTaxesWithheld (IRPF), InvoiceTotal = base + taxes - withholding, which is what the customer
  pays (`Invoice.total` in Nexo holds base + taxes, `amount_due` the total less the withholding).
- Items: each line with its quantity, unit price (6 decimals, as Nexo keeps it), total cost (quantity x price
  to the cent, as Nexo rounds a line), its discount, its gross amount (the line's net) and its taxes; a line
  that charges no VAT says why (SpecialTaxableEvent: exempt "01" or not subject "02", with its legal text).
- PaymentDetails: the due dates and amounts of the invoice's payment term (a credit note has none).
- LegalLiterals: the legal text of every treatment that charges no VAT.

Amounts are written with two decimals (the schema's DoubleTwoDecimal, and every money figure of Nexo), rates
with two, unit prices with six (DoubleUpToEightDecimal allows eight). Texts are cleaned of control characters
and written by lxml, which escapes them: a description like "=SUM(A1)" or "<b>" is plain text in the file.
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as Date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree

from nexo.compliance.facturae import parties
from nexo.compliance.facturae.schema import NAMESPACE, XMLDSIG_NAMESPACE
from nexo.core.rules import round_money
from nexo.invoicing import rules as invoicing_rules
from nexo.invoicing.documents import legal_texts
from nexo.invoicing.models import Invoice, InvoiceLine, InvoiceTax
from nexo.invoicing.tax import TaxRuleError, treatment_of

SCHEMA_VERSION = "3.2.2"
INDIVIDUAL_MODALITY = "I"  # one invoice in the file
ISSUED_BY_SELLER = "EM"
COMPLETE_INVOICE, SIMPLIFIED_INVOICE = "FC", "FA"
ORIGINAL, ORIGINAL_CORRECTIVE = "OO", "OR"
VAT, IRPF = "01", "04"
TRANSFER = (
    "04"  # PaymentMeans: Nexo records no payment means on a term; transfer is what administrations pay by
)
EXEMPT, NOT_SUBJECT = "01", "02"  # SpecialTaxableEventCode
# The Corrective block's codes and the texts the schema fixes for them (ReasonDescriptionType and
# CorrectionMethodDescriptionType are enumerations: the code and its text go together).
REASON_TAXABLE_BASE = ("16", "Base imponible")
BY_DIFFERENCES = ("02", "Rectificación por diferencias")
# The languages the schema's LanguageCodeType lists that Nexo writes invoices in.
LANGUAGES = ("es", "en", "ca", "eu", "gl", "fr", "de", "it", "pt")
# Treatments that make an operation not subject to Spanish VAT (the rest that charge none are exempt).
NOT_SUBJECT_TREATMENTS = ("eu_service_reverse_charge", "service_outside_eu")
# Catalog unit codes (catalog.services.UNITS) and the schema's UnitOfMeasure codes.
UNITS_OF_MEASURE = {"ud": "01", "h": "02", "kg": "03", "l": "04", "caja": "06", "m": "25", "rollo": "30"}
# The roles FACe reads in RoleTypeCode (the schema's own names for 01-04 are fiscal, receiver, payer and
# buyer), and the name FACe gives each centre, written as its description.
ACCOUNTING_OFFICE, MANAGING_BODY, PROCESSING_UNIT, PROPOSING_BODY = "01", "02", "03", "04"
CENTRE_DESCRIPTIONS = {
    ACCOUNTING_OFFICE: "Oficina contable", MANAGING_BODY: "Órgano gestor", PROCESSING_UNIT: "Unidad tramitadora",
    PROPOSING_BODY: "Órgano proponente",
}  # fmt: skip

CENT = Decimal("0.01")
MICRO = Decimal("0.000001")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class AdministrativeCentre:
    """One of the buyer's centres: its DIR3 code and its role (ACCOUNTING_OFFICE…)."""

    code: str
    role: str


def amount(value: Decimal) -> str:
    """Two decimals, never in exponent form, never "-0.00"."""
    return _plain(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def unit_price(value: Decimal) -> str:
    return _plain(Decimal(value).quantize(MICRO, rounding=ROUND_HALF_UP))


def quantity(value: Decimal) -> str:
    """A quantity as recorded (4 decimals at most), without trailing zeros beyond two."""
    value = Decimal(value)
    return _plain(value.quantize(CENT) if value == value.quantize(CENT) else value.normalize())


def _plain(value: Decimal) -> str:
    return f"{abs(value) if value == 0 else value:f}"


def _add(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _amount_block(parent: etree._Element, tag: str, value: Decimal) -> None:
    _add(_add(parent, tag), "TotalAmount", amount(value))


def invoice_language(invoice: Invoice) -> str:
    language = (invoice.language or "").split("-")[0].lower()
    return language if language in LANGUAGES else "es"


def facturae_document(
    invoice: Invoice,
    *,
    lines: Sequence[InvoiceLine],
    taxes: Sequence[InvoiceTax],
    dues: Sequence[tuple[Date, Decimal]],
    centres: Sequence[AdministrativeCentre] = (),
) -> bytes:
    """The Facturae 3.2.2 file of a posted invoice, unsigned, as UTF-8 bytes. `invoice.company` and
    `invoice.corrects` are read; `lines` carry their item and unit; `dues` are its due dates and amounts;
    `centres` the buyer's administrative centres (an administration's DIR3 codes), in the order given."""
    language = invoice_language(invoice)
    root = etree.Element(f"{{{NAMESPACE}}}Facturae", nsmap={"fe": NAMESPACE, "ds": XMLDSIG_NAMESPACE})
    invoice_total = invoice.base + invoice.vat + invoice.recargo - invoice.withholding
    _file_header(root, invoice, invoice_total)
    _parties(root, invoice, centres)
    invoice_node = _add(_add(root, "Invoices"), "Invoice")
    _invoice_header(invoice_node, invoice)
    _issue_data(invoice_node, invoice, language)
    vat_groups = [tax for tax in taxes if tax.kind == InvoiceTax.Kind.VAT]
    withholdings = [tax for tax in taxes if tax.kind == InvoiceTax.Kind.IRPF]
    _taxes_outputs(_add(invoice_node, "TaxesOutputs"), vat_groups, invoice.base)
    if withholdings:
        _taxes_withheld(_add(invoice_node, "TaxesWithheld"), withholdings)
    _totals(invoice_node, invoice, invoice_total)
    with translation.override(language):
        items = _add(invoice_node, "Items")
        for line in lines:
            _line(items, line, language)
        installments = [(day, value) for day, value in dues if value > 0]
        if installments and invoice.kind != Invoice.Kind.CREDIT_NOTE:
            details = _add(invoice_node, "PaymentDetails")
            for day, value in installments:
                installment = _add(details, "Installment")
                _add(installment, "InstallmentDueDate", day.isoformat())
                _add(installment, "InstallmentAmount", amount(value))
                _add(installment, "PaymentMeans", TRANSFER)
        treatments = [tax.treatment for tax in vat_groups] or [line.treatment for line in lines]
        literals = [parties.clean(text, 250) for text in legal_texts(treatments, language)]
        if literals:
            legal = _add(invoice_node, "LegalLiterals")
            for text in literals:
                _add(legal, "LegalReference", text)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def batch_identifier(invoice: Invoice) -> str:
    """The issuer's tax id and the invoice's number, as the schema describes the batch identifier."""
    company = invoice.company
    return parties.clean(f"{parties.tax_number(company.tax_id, company.country)}{invoice.number}", 70)


def _file_header(root: etree._Element, invoice: Invoice, invoice_total: Decimal) -> None:
    header = _add(root, "FileHeader")
    _add(header, "SchemaVersion", SCHEMA_VERSION)
    _add(header, "Modality", INDIVIDUAL_MODALITY)
    _add(header, "InvoiceIssuerType", ISSUED_BY_SELLER)
    batch = _add(header, "Batch")
    _add(batch, "BatchIdentifier", batch_identifier(invoice))
    _add(batch, "InvoicesCount", "1")
    _amount_block(batch, "TotalInvoicesAmount", invoice_total)
    _amount_block(batch, "TotalOutstandingAmount", invoice_total)
    _amount_block(batch, "TotalExecutableAmount", invoice_total)
    _add(batch, "InvoiceCurrencyCode", invoice.currency)


def seller_address(invoice: Invoice) -> parties.PostalAddress:
    company = invoice.company
    return parties.postal_address(
        street=company.street, postal_code=company.postal_code, town=company.city, province=company.province,
        country=company.country,
    )  # fmt: skip


def buyer_address(invoice: Invoice) -> parties.PostalAddress:
    return parties.address_from_text(invoice.party_address, invoice.party_country or parties.SPAIN)


def _parties(root: etree._Element, invoice: Invoice, centres: Sequence[AdministrativeCentre]) -> None:
    company = invoice.company
    node = _add(root, "Parties")
    _business(
        _add(node, "SellerParty"), name=company.name, tax_id=company.tax_id, country=company.country,
        address=seller_address(invoice),
    )  # fmt: skip
    country = invoice.party_country or parties.SPAIN
    _business(
        _add(node, "BuyerParty"), name=invoice.party_name, tax_id=invoice.party_tax_id, country=country,
        address=buyer_address(invoice), centres=centres,
    )  # fmt: skip


def _business(
    node: etree._Element, *, name: str, tax_id: str, country: str, address,
    centres: Sequence[AdministrativeCentre] = (),
) -> None:  # fmt: skip
    number = parties.tax_number(tax_id, country)
    kind = parties.person_type(number, country)
    identification = _add(node, "TaxIdentification")
    _add(identification, "PersonTypeCode", kind)
    _add(identification, "ResidenceTypeCode", parties.residence_of(country))
    _add(identification, "TaxIdentificationNumber", parties.clean(number, 30))
    if centres:
        _centres(_add(node, "AdministrativeCentres"), centres, address)
    if kind == parties.LEGAL_ENTITY:
        holder = _add(node, "LegalEntity")
        _add(holder, "CorporateName", parties.clean(name, 80))
    else:
        holder = _add(node, "Individual")
        person = parties.person_name(name)
        _add(holder, "Name", person.name)
        _add(holder, "FirstSurname", person.first_surname)
        if person.second_surname:
            _add(holder, "SecondSurname", person.second_surname)
    _address(holder, address)


def _centres(
    node: etree._Element, centres: Sequence[AdministrativeCentre], address: parties.PostalAddress
) -> None:
    """Each centre with its code, its role and the buyer's address (an administration's units are
    addressed as the administration is)."""
    for centre in centres:
        element = _add(node, "AdministrativeCentre")
        _add(element, "CentreCode", parties.clean(centre.code, 10))
        _add(element, "RoleTypeCode", centre.role)
        _address(element, address)
        _add(element, "CentreDescription", CENTRE_DESCRIPTIONS[centre.role])


def _address(holder: etree._Element, address: parties.PostalAddress) -> None:
    if address.in_spain:
        node = _add(holder, "AddressInSpain")
        _add(node, "Address", address.street)
        _add(node, "PostCode", address.postal_code)
        _add(node, "Town", address.town)
    else:
        node = _add(holder, "OverseasAddress")
        _add(node, "Address", address.street)
        _add(node, "PostCodeAndTown", address.postal_code_and_town)
    _add(node, "Province", address.province)
    _add(node, "CountryCode", address.country_code)


def _invoice_header(node: etree._Element, invoice: Invoice) -> None:
    header = _add(node, "InvoiceHeader")
    _add(header, "InvoiceNumber", invoice.number)
    if invoice.series:
        _add(header, "InvoiceSeriesCode", invoice.series)
    simplified = invoice.invoice_type in (invoicing_rules.F2, invoicing_rules.R5)
    _add(header, "InvoiceDocumentType", SIMPLIFIED_INVOICE if simplified else COMPLETE_INVOICE)
    if invoice.kind != Invoice.Kind.CREDIT_NOTE:
        _add(header, "InvoiceClass", ORIGINAL)
        return
    _add(header, "InvoiceClass", ORIGINAL_CORRECTIVE)
    corrective = _add(header, "Corrective")
    corrected = invoice.corrects
    if corrected is not None:
        _add(corrective, "InvoiceNumber", corrected.number)
        if corrected.series:
            _add(corrective, "InvoiceSeriesCode", corrected.series)
    _add(corrective, "ReasonCode", REASON_TAXABLE_BASE[0])
    _add(corrective, "ReasonDescription", REASON_TAXABLE_BASE[1])
    start, end = tax_period(corrected.date if corrected is not None else invoice.date)
    period = _add(corrective, "TaxPeriod")
    _add(period, "StartDate", start.isoformat())
    _add(period, "EndDate", end.isoformat())
    _add(corrective, "CorrectionMethod", BY_DIFFERENCES[0])
    _add(corrective, "CorrectionMethodDescription", BY_DIFFERENCES[1])
    reason = parties.clean(invoice.reason, 2500, one_line=False)
    if reason:
        _add(corrective, "AdditionalReasonDescription", reason)
    if corrected is not None:
        _add(corrective, "InvoiceIssueDate", corrected.date.isoformat())


def tax_period(day: Date) -> tuple[Date, Date]:
    """The calendar month of a date: the period in which the corrected invoice was taxed."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _issue_data(node: etree._Element, invoice: Invoice, language: str) -> None:
    data = _add(node, "InvoiceIssueData")
    _add(data, "IssueDate", invoice.date.isoformat())
    if invoice.operation_date and invoice.operation_date != invoice.date:
        _add(data, "OperationDate", invoice.operation_date.isoformat())
    _add(data, "InvoiceCurrencyCode", invoice.currency)
    _add(data, "TaxCurrencyCode", invoice.currency)
    _add(data, "LanguageName", language)
    notes = parties.clean(invoice.notes, 2500, one_line=False)
    if notes:
        _add(data, "InvoiceDescription", notes)


def _tax(parent: etree._Element, code: str, rate: Decimal, base: Decimal, tax: Decimal) -> etree._Element:
    node = _add(parent, "Tax")
    _add(node, "TaxTypeCode", code)
    _add(node, "TaxRate", amount(rate))
    _amount_block(node, "TaxableBase", base)
    _amount_block(node, "TaxAmount", tax)
    return node


def _surcharge(node: etree._Element, rate: Decimal, value: Decimal) -> None:
    if rate:
        _add(node, "EquivalenceSurcharge", amount(rate))
        _amount_block(node, "EquivalenceSurchargeAmount", value)


def _taxes_outputs(node: etree._Element, vat_groups: Sequence[InvoiceTax], base: Decimal) -> None:
    if not vat_groups:  # an invoice always has a VAT group; the schema needs one in any case
        _tax(node, VAT, Decimal(0), base, Decimal(0))
    for group in vat_groups:
        _surcharge(_tax(node, VAT, group.rate, group.base, group.amount), group.recargo_rate, group.recargo)


def _taxes_withheld(node: etree._Element, withholdings: Sequence[InvoiceTax]) -> None:
    for group in withholdings:
        _tax(node, IRPF, group.rate, group.base, group.amount)


def _totals(node: etree._Element, invoice: Invoice, invoice_total: Decimal) -> None:
    totals = _add(node, "InvoiceTotals")
    _add(totals, "TotalGrossAmount", amount(invoice.base))
    _add(totals, "TotalGrossAmountBeforeTaxes", amount(invoice.base))
    _add(totals, "TotalTaxOutputs", amount(invoice.vat + invoice.recargo))
    _add(totals, "TotalTaxesWithheld", amount(invoice.withholding))
    _add(totals, "InvoiceTotal", amount(invoice_total))
    _add(totals, "TotalOutstandingAmount", amount(invoice_total))
    _add(totals, "TotalExecutableAmount", amount(invoice_total))


def _percent_of(base: Decimal, rate: Decimal) -> Decimal:
    return round_money(base * rate / HUNDRED)


def _line(items: etree._Element, line: InvoiceLine, language: str) -> None:
    node = _add(items, "InvoiceLine")
    item = line.item
    description = parties.clean(line.description or (item.name if item else ""), 2500, one_line=False)
    _add(node, "ItemDescription", description or "-")
    _add(node, "Quantity", quantity(line.quantity))
    unit_code = UNITS_OF_MEASURE.get(item.unit.code) if item is not None and item.unit_id else None
    if unit_code:
        _add(node, "UnitOfMeasure", unit_code)
    _add(node, "UnitPriceWithoutTax", unit_price(line.unit_price))
    total_cost = round_money(line.quantity * line.unit_price)
    _add(node, "TotalCost", amount(total_cost))
    discount = total_cost - line.net
    if discount or line.discount:
        discount_node = _add(_add(node, "DiscountsAndRebates"), "Discount")
        _add(discount_node, "DiscountReason", _("Discount"))
        if line.discount:
            _add(discount_node, "DiscountRate", amount(line.discount))
        _add(discount_node, "DiscountAmount", amount(discount))
    _add(node, "GrossAmount", amount(line.net))
    if line.irpf_rate:
        _tax(
            _add(node, "TaxesWithheld"), IRPF, line.irpf_rate, line.net, _percent_of(line.net, line.irpf_rate)
        )
    outputs = _add(node, "TaxesOutputs")
    vat = _tax(outputs, VAT, line.vat_rate, line.net, _percent_of(line.net, line.vat_rate))
    _surcharge(vat, line.recargo_rate, _percent_of(line.net, line.recargo_rate))
    event = _special_taxable_event(line.treatment, language)
    if event is not None:
        special = _add(node, "SpecialTaxableEvent")
        _add(special, "SpecialTaxableEventCode", event[0])
        _add(special, "SpecialTaxableEventReason", event[1])
    if item is not None and 0 < len(item.sku) <= 20:
        _add(node, "ArticleCode", parties.clean(item.sku, 20))


def _special_taxable_event(code: str, language: str) -> tuple[str, str] | None:
    """Why a line charges no VAT: exempt (01) or not subject (02), with the treatment's legal text."""
    try:
        treatment = treatment_of(code) if code else None
    except TaxRuleError:
        return None
    if treatment is None or treatment.charges_vat or treatment.legal_text is None:
        return None
    text = treatment.legal_text.en if language == "en" else treatment.legal_text.es
    return (NOT_SUBJECT if code in NOT_SUBJECT_TREATMENTS else EXEMPT), text
