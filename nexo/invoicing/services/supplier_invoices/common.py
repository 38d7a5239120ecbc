"""What the supplier invoice services share: the invoice read and row-locked as a draft, its supplier
number checked free and saved, and its totals, taxes per rate and lines written as they stand."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company
from nexo.core.rules import round_money
from nexo.core.validation import locked
from nexo.invoicing import tax
from nexo.invoicing.models import InvoiceTax, SupplierInvoice, SupplierInvoiceLine, SupplierInvoiceTax

State = SupplierInvoice.State
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def _missing() -> str:
    return _("No such supplier invoice.")


def _number_is_free(invoice: SupplierInvoice) -> None:
    """The supplier's number, once per supplier and year (the constraint `supplier_invoice_number_unique`,
    checked here first so it is a field error, not a database one; letter case does not make another
    number)."""
    taken = (
        SupplierInvoice.objects.filter(
            company_id=invoice.company_id, party_id=invoice.party_id, year=invoice.year,
            supplier_number__iexact=invoice.supplier_number,
        )
        .exclude(pk=invoice.pk)
        .values_list("number", "pk")
        .first()
    )  # fmt: skip
    if taken is not None:
        ours = taken[0] or _("a draft")
        raise ValidationFailed.on(
            "supplier_number",
            _("Invoice %(number)s of this supplier for %(year)s is already recorded (%(ours)s).")
            % {"number": invoice.supplier_number, "year": invoice.year, "ours": ours},
        )


def _saved(invoice: SupplierInvoice, **options) -> None:
    """Save in a savepoint: two users recording the same supplier number at once get the field error too."""
    try:
        with transaction.atomic():
            invoice.save(**options)
    except IntegrityError as error:
        if "supplier_invoice_number_unique" in str(error) or "supplier_number" in str(error):
            raise ValidationFailed.on(
                "supplier_number",
                _("Invoice %(number)s of this supplier for %(year)s is already recorded.")
                % {"number": invoice.supplier_number, "year": invoice.year},
            ) from None
        raise


def _figures(invoice: SupplierInvoice, lines: list[SupplierInvoiceLine]) -> list[SupplierInvoiceTax]:
    """Totals and taxes per rate from the lines: VAT (with its recargo) per rate, IRPF per rate."""
    try:
        taxes = tax.invoice_taxes(
            tax.TaxableLine(
                base=_decimal(line.net),
                vat_rate=_decimal(line.vat_rate),
                recargo_rate=_decimal(line.recargo_rate),
                irpf_rate=_decimal(line.irpf_rate),
            )
            for line in lines
        )
    except tax.TaxRuleError as error:
        raise ValidationFailed.on("lines", str(error)) from None
    invoice.base, invoice.vat, invoice.recargo = taxes.base, taxes.vat, taxes.recargo
    invoice.withholding, invoice.total, invoice.amount_due = taxes.withholding, taxes.total, taxes.amount_due
    rows = [
        SupplierInvoiceTax(
            invoice=invoice, kind=InvoiceTax.Kind.VAT, rate=group.vat_rate, recargo_rate=group.recargo_rate,
            base=group.base, amount=group.vat, recargo=group.recargo,
        )
        for group in taxes.vat_groups
    ]  # fmt: skip
    rows += [
        SupplierInvoiceTax(
            invoice=invoice, kind=InvoiceTax.Kind.IRPF, rate=group.irpf_rate, recargo_rate=ZERO, base=group.base,
            amount=group.withholding, recargo=ZERO,
        )
        for group in taxes.withholding_groups
    ]  # fmt: skip
    return rows


def _decimal(value) -> Decimal:
    return round_money(Decimal(value))  # a new line's defaults are ints


def _write_lines(invoice: SupplierInvoice, lines: list[SupplierInvoiceLine], *, replace: bool) -> None:
    """The lines and taxes as they now stand: a fixed number of statements whatever their number."""
    kept = [line for line in lines if line.pk]
    if replace:
        SupplierInvoiceLine.objects.filter(invoice=invoice).exclude(
            pk__in=[line.pk for line in kept]
        ).delete()
    if kept:
        SupplierInvoiceLine.objects.bulk_update(
            kept, ["position", "description", "quantity", "unit_price", "discount", "net", "vat_rate",
                   "recargo_rate", "irpf_rate", "difference"],
        )  # fmt: skip
    SupplierInvoiceLine.objects.bulk_create([line for line in lines if not line.pk])
    SupplierInvoiceTax.objects.filter(invoice=invoice).delete()
    SupplierInvoiceTax.objects.bulk_create(_figures(invoice, lines))


def _draft(company: Company, invoice_id: int, refused: str) -> SupplierInvoice:
    """The invoice, row-locked; a posted one is refused before anything else is read (409)."""
    invoice = locked(SupplierInvoice, company=company, pk=invoice_id, missing=_missing())
    if invoice.state != State.DRAFT:
        raise Conflict(refused % {"number": invoice.number})
    return invoice


def supplier_invoice_of(company: Company, invoice_id: int) -> SupplierInvoice:
    """One of the company's supplier invoices; another company's is NotFound."""
    invoice = SupplierInvoice.objects.filter(company=company, pk=invoice_id).select_related("party").first()
    if invoice is None:
        raise NotFound(_missing())
    return invoice
