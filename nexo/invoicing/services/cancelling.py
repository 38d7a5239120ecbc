"""Cancelling a customer invoice or credit note issued by mistake (an anulación under VERI*FACTU): it keeps
its number and stays in its series, frozen, marked cancelled with when, by whom and why; its journal entry
is reversed, what it billed on the sales orders is billable again, and the modules above answer the
`document_cancelled` hook in the same transaction (payments removes its due amounts, compliance records
the anulación). Any refusal, here or in an answer, leaves everything as it was."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.accounting.models import Entry
from nexo.accounting.services.ledger import entries_of, entry_reverse, fiscal_year_at
from nexo.catalog.models import Item
from nexo.core import plainsql
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.modules import contributions
from nexo.core.states import state_change
from nexo.invoicing import rules
from nexo.invoicing.models import Invoice, InvoiceLine
from nexo.invoicing.services.common import locked_invoice
from nexo.invoicing.services.entries import INVOICE_MODEL
from nexo.invoicing.services.invoices import lines_with_items
from nexo.sales.models import SalesOrder, SalesOrderLine
from nexo.sales.services.fulfilment import line_fulfilment, order_refresh

#: The longest reason kept (the column's length).
REASON_LENGTH = Invoice._meta.get_field("cancel_reason").max_length
CANCELLED_FIELDS = ("state", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at")


def invoice_cancel(*, company: Company, by: User, invoice_id: int, reason: str) -> Invoice:
    """Cancel a posted invoice or credit note issued by mistake, saying why, under its row lock (then its
    orders' locks, in id order, as posting takes them; the due amounts' locks last, in the payments answer).

    Refused, with nothing changed: a reason blank or over 500 characters (422); a draft (delete it instead),
    an invoice already cancelled, or one a posted credit note corrects (409: cancel that credit note first —
    what the credit note took back would otherwise be given back twice); an invoice dated in a closed
    period or year or on or before the books' lock date (409: its VAT may have been declared; correct it
    with a credit note); and whatever an answer of `document_cancelled` refuses (payments: a due amount
    paid, in part or by an offset, or remitted).

    The entry is reversed (`accounting.services.ledger.entry_reverse`, debits and credits swapped, naming
    the invoice as origin) **dated the day of the cancellation** (the invoice's date when that is later):
    the journals are numbered in date order, so a reversal dated back to the invoice would be refused as
    soon as any later entry was posted in its journal. That the invoice's own period is still open is
    checked apart, above. A document of zero amounts has no entry to reverse.

    The order lines it billed give back its quantities and nets (`invoiced`, `invoiced_net`), the reverse of
    posting, and their orders are refreshed; cancelling a credit note bills again what it gave back, under
    posting's rule (409 when that is more than is left to invoice: billed again since, or returned)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.on("reason", _("Say why the invoice is cancelled."))
    if len(reason) > REASON_LENGTH:
        raise ValidationFailed.on("reason", _("Use at most %(count)s characters.") % {"count": REASON_LENGTH})
    with transaction.atomic():
        invoice = locked_invoice(company, invoice_id)
        _check_cancellable(company, invoice)
        lines = lines_with_items(invoice.pk)
        _release_orders(company, by, invoice, lines)
        on = max(timezone.localdate(), invoice.date)
        for entry in _entries_to_reverse(company, invoice):
            entry_reverse(
                company=company, by=by, entry_id=entry.pk, date=on, from_document=True,
                description=_("Cancellation of %(invoice)s") % {"invoice": invoice.number},
            )  # fmt: skip
        invoice.cancelled_at, invoice.cancelled_by, invoice.cancel_reason = timezone.now(), by, reason
        state_change(invoice, rules.CANCELLED, lifecycle=rules.INVOICE_LIFECYCLE, by=by)
        plainsql.update(Invoice, [invoice], CANCELLED_FIELDS)
        contributions(
            "document_cancelled", company=company, by=by, model_label=INVOICE_MODEL, document=invoice
        )
        return invoice


def _check_cancellable(company: Company, invoice: Invoice) -> None:
    values = {"invoice": invoice.number or invoice.pk}
    if invoice.state == rules.DRAFT:
        raise Conflict(
            _("Invoice %(invoice)s is a draft: only a posted invoice is cancelled; delete the draft instead.")
            % values
        )
    if invoice.state == rules.CANCELLED:
        raise Conflict(_("Invoice %(invoice)s is already cancelled.") % values)
    notes = list(
        Invoice.objects.filter(company=company, corrects_id=invoice.pk, state=rules.POSTED)
        .order_by("date", "pk")
        .values_list("number", flat=True)
    )
    if notes:
        raise Conflict(
            _("Credit note %(notes)s corrects invoice %(invoice)s: cancel the credit note first.")
            % {**values, "notes": ", ".join(notes)}
        )
    try:
        fiscal_year_at(company, invoice.date)
    except ValidationFailed:
        raise Conflict(
            _(
                "The books are closed or locked on %(date)s, the date of invoice %(invoice)s: it cannot be "
                "cancelled any more; correct it with a credit note."
            )
            % {**values, "date": invoice.date.isoformat()}
        ) from None


def _entries_to_reverse(company: Company, invoice: Invoice) -> list[Entry]:
    """The entries its posting made (a reversal names the same origin: none exists before cancelling)."""
    found = entries_of(company, INVOICE_MODEL, [invoice.pk]).get(invoice.pk, [])
    return [entry for entry in found if entry.reverses_id is None]


def _release_orders(company: Company, by: User, invoice: Invoice, lines: list[InvoiceLine]) -> None:
    """What the lines billed given back to their order lines, under the orders' locks (id order), and the
    orders refreshed: an invoice's quantities and nets come off what is invoiced, a credit note's negative
    ones go back on."""
    billing = [line for line in lines if line.order_line_id]
    if not billing:
        return
    line_ids = {line.order_line_id for line in billing}
    order_ids = set(
        SalesOrderLine.objects.filter(pk__in=line_ids).order_by().values_list("order_id", flat=True)
    )
    where = plainsql.both(("company_id = %s", [company.pk]), plainsql.among("id", sorted(order_ids)))
    orders = plainsql.select(SalesOrder, where, order_by=("id",), for_update=True)
    for order in orders:
        order.company = company
    order_lines = {
        line.pk: line
        for line in plainsql.select(SalesOrderLine, plainsql.among("id", line_ids), order_by=("id",))
    }
    for line in billing:
        order_line = order_lines[line.order_line_id]
        if invoice.kind == Invoice.Kind.CREDIT_NOTE:
            # Billing again what the credit note took back: the rule of posting, nothing billed twice.
            facts = getattr(line, "facts", None) if line.item_id == order_line.item_id else None
            stocked = facts is not None and facts.kind == Item.Kind.STOCKED
            left = line_fulfilment(order_line, stocked).invoiceable - order_line.invoiced
            if -line.quantity > left:
                raise Conflict(
                    _(
                        "%(line)s: cancelling this credit note would bill %(quantity)s again, more than is left "
                        "to invoice (%(left)s): nothing billed twice."
                    )
                    % {"line": line.description, "quantity": -line.quantity, "left": max(left, 0)}
                )
        elif order_line.invoiced < line.quantity:
            raise Conflict(
                _("%(line)s: its order line shows less invoiced than this invoice bills.")
                % {"line": line.description}
            )
        order_line.invoiced -= line.quantity
        order_line.invoiced_net -= line.net
    plainsql.update(SalesOrderLine, list(order_lines.values()), ("invoiced", "invoiced_net"))
    for order in orders:
        order_refresh(order, by)


__all__ = ["REASON_LENGTH", "invoice_cancel"]
