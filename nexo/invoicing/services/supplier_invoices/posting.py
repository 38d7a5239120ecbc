"""A supplier invoice posted: checked against its orders, numbered gapless in date order within the series
and year, its taxes per rate frozen."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.accounting.services.payment_terms import SUPPLIER, term_of_party
from nexo.core.errors import ValidationFailed
from nexo.core.formatting import day_text
from nexo.core.models import Company, User
from nexo.core.modules import contributions
from nexo.core.services import sequence_next
from nexo.core.states import state_change
from nexo.invoicing import rules
from nexo.invoicing.models import InvoicingSettings, SupplierInvoice, SupplierInvoiceLine, SupplierInvoiceTax
from nexo.invoicing.services.entries import supplier_invoice_entry
from nexo.invoicing.services.supplier_invoices.checks import _check, _refused_differences
from nexo.invoicing.services.supplier_invoices.common import (
    State,
    _draft,
    _number_is_free,
    _saved,
    _write_lines,
)
from nexo.purchasing.models import PurchaseOrder, PurchaseOrderLine


def _series_of(company: Company) -> str:
    series = (
        InvoicingSettings.objects.filter(company=company)
        .values_list("supplier_invoice_series", flat=True)
        .first()
    )
    return series or rules.SUPPLIER_INVOICE_SERIES


def supplier_invoice_post(*, company: Company, by: User, invoice_id: int) -> SupplierInvoice:
    """Posts a draft: its lines checked against their orders (any difference not accepted refuses it, 409
    with the list), its supplier number free, its taxes per rate and totals computed, and our number given
    gapless in date order within the series and year. The invoice and its orders are row-locked, then the
    sequence: a date before the series' last posted one is refused under that lock."""
    with transaction.atomic():
        invoice = _draft(company, invoice_id, _("Supplier invoice %(number)s is already posted."))
        lines = list(SupplierInvoiceLine.objects.filter(invoice=invoice).order_by("position", "pk"))
        if not lines:
            raise ValidationFailed.on("lines", _("Add at least one line before posting."))
        if not invoice.supplier_number.strip():
            raise ValidationFailed.on("supplier_number", _("Type the number the supplier gave the invoice."))
        _number_is_free(invoice)
        order_ids = set(
            PurchaseOrderLine.objects.filter(
                pk__in={line.purchase_line_id for line in lines if line.purchase_line_id}
            ).values_list("order_id", flat=True)
        )
        if order_ids:  # what other invoices bill of these orders waits for this one
            list(
                PurchaseOrder.objects.select_for_update()
                .filter(pk__in=order_ids)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        accepted = {line.pk: line.difference for line in lines} if invoice.differences_accepted_at else {}
        _check(invoice, lines)
        unaccepted = [
            line for line in lines
            if line.difference and not set(line.difference.split(";")) <= set(accepted.get(line.pk, "").split(";"))
        ]  # fmt: skip
        if unaccepted:
            raise _refused_differences(lines, unaccepted)
        series, year = _series_of(company), invoice.date.year
        sequence = sequence_next(company_id=company.pk, series=series, year=year)
        last = SupplierInvoice.objects.filter(
            company=company, series=series, year=year, state=State.POSTED
        ).aggregate(last=Max("date"))["last"]
        if last is not None and invoice.date < last:
            raise ValidationFailed.on(
                "date",
                _(
                    "The last supplier invoice posted in series %(series)s for %(year)s is dated %(day)s: this one cannot be dated before it."
                )
                % {"series": series, "year": year, "day": day_text(last)},
            )
        _write_lines(invoice, lines, replace=False)
        invoice.series, invoice.sequence = series, sequence
        invoice.number = rules.invoice_number(series, year, sequence)
        invoice.posted_at, invoice.posted_by, invoice.updated_by = timezone.now(), by, by
        if invoice.payment_term_id is None:
            invoice.payment_term = term_of_party(company, invoice.party_id, SUPPLIER)
        state_change(
            invoice, State.POSTED, lifecycle=rules.SUPPLIER_INVOICE_LIFECYCLE, by=by,
            refused=_("The supplier invoice is %(state)s: it cannot be %(target)s."),
        )  # fmt: skip
        _saved(invoice)
        # Its journal entry in the same transaction: refused by the ledger, the posting is refused too.
        taxes = SupplierInvoiceTax.objects.filter(invoice=invoice).order_by("kind", "-rate", "pk")
        supplier_invoice_entry(company=company, by=by, invoice=invoice, lines=lines, taxes=list(taxes))
        # Its due amounts (the payments module), in the same transaction.
        contributions(
            "document_posted",
            company=company,
            by=by,
            model_label="invoicing.supplierinvoice",
            document=invoice,
        )
        return invoice
