"""Draft customer invoices: from one or several orders of a party, or typed by hand; changed or deleted
while drafts. Posting (numbers, final taxes, the orders' invoiced quantities) is `posting.invoice_post`."""

from collections.abc import Sequence
from datetime import date as Date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.catalog.models import Item
from nexo.core import plainsql
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.rules import round_money
from nexo.core.validation import MAX_ID
from nexo.invoicing import rules
from nexo.invoicing.models import Invoice, InvoiceLine
from nexo.invoicing.services.common import (
    ZERO,
    Customer,
    InvoiceLineInput,
    ItemFacts,
    check_draft,
    customer_of,
    draft_figures,
    lines_typed,
    locked_invoice,
)
from nexo.sales.models import SalesOrder, SalesOrderLine
from nexo.sales.services.fulfilment import line_fulfilment
from nexo.sales.services.terms import payment_term_of

MAX_ORDERS = 100
EDITABLE = ("date", "notes", "payment_term", "payment_terms", "updated_at", "updated_by")
KEEP = object()  # an argument not given: the field keeps its value
FIGURES = ("base", "vat", "recargo", "withholding", "total", "amount_due", "treatment")


def invoice_create(
    *,
    company: Company,
    by: User,
    party_id: int,
    date: Date | None = None,
    lines: Sequence[InvoiceLineInput],
    simplified: bool = False,
    notes: str = "",
    payment_term_id: int | None = None,
) -> Invoice:
    """A draft invoice typed by hand (a simplified one, F2, for a counter sale without the customer's tax
    id). Its taxes and totals are those it would be posted with today. Without a payment term it is posted
    with the customer's."""
    with transaction.atomic():
        customer = customer_of(company, party_id)
        day = _day(date)
        term = payment_term_of(company, payment_term_id)
        invoice = Invoice(
            company=company, kind=Invoice.Kind.INVOICE,
            invoice_type=rules.F2 if simplified else rules.F1, state=rules.DRAFT, date=day,
            party_id=customer.party.pk, currency=company.currency, notes=_text(notes, "notes", 5000),
            payment_term=term, created_by=by, updated_by=by,
        )  # fmt: skip
        made = lines_typed(company, lines, day)
        _save_new(company, invoice, customer, made)
        return invoice


def invoice_from_orders(
    *, company: Company, by: User, order_ids: Sequence[int], date: Date | None = None
) -> Invoice:
    """A draft invoice of what one party's confirmed orders have to invoice: one line per order line, for
    what was delivered less returned (a stocked item) or ordered less cancelled (a service), less what was
    invoiced and what other draft invoices already hold (so nothing is billed twice). Each line's net is its
    share of the order line's net; the part that completes the order line takes the rest, so the order's
    net is billed to the cent. The orders are locked while their quantities are read."""
    ids = _order_ids(order_ids)
    with transaction.atomic():
        orders = list(
            SalesOrder.objects.select_for_update().filter(company=company, pk__in=ids).order_by("pk")
        )
        missing = sorted(set(ids) - {order.pk for order in orders})
        if missing:
            raise ValidationFailed.on(
                "order_ids", _("No such sales order: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
            )
        first = orders[0]
        for order in orders:
            if order.party_id != first.party_id:
                raise ValidationFailed.on(
                    "order_ids",
                    _("Order %(order)s is of another customer: an invoice bills the orders of one customer.")
                    % {"order": order.number},
                )
            if order.currency != first.currency:
                raise ValidationFailed.on(
                    "order_ids", _("Order %(order)s is in another currency.") % {"order": order.number}
                )
            if order.state == SalesOrder.State.CANCELLED:
                raise Conflict(
                    _("Order %(order)s is cancelled: it has nothing to invoice.") % {"order": order.number}
                )
        numbers = {order.pk: order.number for order in orders}
        order_lines = list(
            SalesOrderLine.objects.filter(order_id__in=ids)
            .select_related("item")
            .order_by("order_id", "position", "id")
        )
        reserved = _on_drafts([line.pk for line in order_lines])
        made = []
        for line in order_lines:
            held_quantity, held_net = reserved.get(line.pk, (ZERO, ZERO))
            figures = line_fulfilment(line, stocked=_stocked(line.item))
            quantity = figures.invoiceable - line.invoiced - held_quantity
            if quantity <= 0:
                continue
            made.append(
                InvoiceLine(
                    position=len(made) + 1, order_line_id=line.pk, item_id=line.item_id,
                    description=_line_text(numbers[line.order_id], line), quantity=quantity,
                    unit_price=line.unit_price, discount=line.discount,
                    net=order_line_share(line, quantity, line.invoiced + held_quantity, line.invoiced_net + held_net),
                    vat_rate=line.tax_rate,
                )
            )  # fmt: skip
            made[-1].facts = ItemFacts.of(line.item)
        if not made:
            raise Conflict(
                _(
                    "Nothing to invoice on %(orders)s: every delivered or ordered quantity is invoiced or on a draft invoice."
                )
                % {"orders": ", ".join(numbers[pk] for pk in sorted(numbers))}
            )
        customer = customer_of(company, first.party_id)
        invoice = Invoice(
            company=company, kind=Invoice.Kind.INVOICE, invoice_type=rules.F1, state=rules.DRAFT,
            date=_day(date), party_id=first.party_id, currency=first.currency,
            payment_term_id=first.payment_term_id, created_by=by, updated_by=by,
        )  # fmt: skip
        _save_new(company, invoice, customer, made)
        return invoice


def order_line_share(
    line: SalesOrderLine, quantity: Decimal, invoiced: Decimal, invoiced_net: Decimal
) -> Decimal:
    """The net of `quantity` of an order line of which `invoiced` (for `invoiced_net`) is already billed: its
    share of the line's net, or, when it completes the line's ordered quantity, what is left of that net."""
    if invoiced + quantity >= line.quantity:
        return line.net - invoiced_net
    return round_money(line.net * quantity / line.quantity)


def invoice_update(
    *,
    company: Company,
    by: User,
    invoice_id: int,
    date: Date | None = None,
    notes: str | None = None,
    payment_term_id=KEEP,
    lines: Sequence[InvoiceLineInput] | None = None,
) -> Invoice:
    """Change a draft: its date, notes, payment term (None: the customer's, when posted), and (given `lines`) all its lines, typed by hand
    (lines that came from orders are then replaced too). A credit note's lines follow the invoice it
    corrects: they are not replaced here (delete the draft and make another). A posted invoice: 409."""
    with transaction.atomic():
        invoice = locked_invoice(company, invoice_id)
        check_draft(invoice)
        if date is not None:
            invoice.date = _day(date)
        if notes is not None:
            invoice.notes = _text(notes, "notes", 5000)
        if payment_term_id is not KEEP:
            invoice.payment_term = payment_term_of(
                company, payment_term_id, current_id=invoice.payment_term_id
            )
            invoice.payment_terms = ""  # its printed wording: the term's name, written when it is posted
        customer = customer_of(company, invoice.party_id)
        if lines is not None:
            if invoice.kind == Invoice.Kind.CREDIT_NOTE:
                raise Conflict(
                    _(
                        "A credit note's lines follow the invoice it corrects: delete the draft and credit it again."
                    )
                )
            made = lines_typed(company, lines, invoice.date)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {plainsql.quoted(InvoiceLine._meta.db_table)} WHERE invoice_id = %s",  # noqa: S608
                    [invoice.pk],
                )
            for line in made:
                line.invoice_id = invoice.pk
            if made:
                plainsql.insert(InvoiceLine, made)
        else:
            made = lines_with_items(invoice.pk)
        draft_figures(company, invoice, customer, made)
        invoice.updated_by = by
        plainsql.update(Invoice, [invoice], (*EDITABLE, *FIGURES))
        return invoice


def invoice_delete(*, company: Company, by: User, invoice_id: int) -> None:
    """Delete a draft with its lines and taxes (what it held of its orders is free again). Posted: 409."""
    with transaction.atomic():
        invoice = locked_invoice(company, invoice_id)
        check_draft(invoice, deleting=True)
        Invoice.objects.filter(pk=invoice.pk).delete()


def lines_with_items(invoice_id: int) -> list[InvoiceLine]:
    """The invoice's lines, each with what taxing it needs of its item (`facts`), in one query."""
    lines_table, items_table = (
        plainsql.quoted(InvoiceLine._meta.db_table),
        plainsql.quoted(Item._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {plainsql.columns(InvoiceLine, 'l')}, i.kind, i.irpf_rate, i.vat_exemption "  # noqa: S608
            f"FROM {lines_table} l LEFT JOIN {items_table} i ON i.id = l.item_id "
            "WHERE l.invoice_id = %s ORDER BY l.position, l.id",
            [invoice_id],
        )
        rows = cursor.fetchall()
    width = len(InvoiceLine._meta.concrete_fields)
    lines = []
    for row in rows:
        line = plainsql.from_row(InvoiceLine, row[:width])
        kind, irpf_rate, exemption = row[width:]
        # SQLite hands a decimal column back as a float or an int: read through its text, to the cent.
        line.facts = (
            ItemFacts(kind, round_money(Decimal(str(irpf_rate))), exemption) if kind is not None else None
        )
        lines.append(line)
    return lines


# Helpers


def _save_new(company: Company, invoice: Invoice, customer: Customer, lines: list[InvoiceLine]) -> None:
    plainsql.insert(Invoice, [invoice])
    for line in lines:
        line.invoice_id = invoice.pk
    if lines:
        plainsql.insert(InvoiceLine, lines)
    draft_figures(company, invoice, customer, lines)
    plainsql.update(Invoice, [invoice], FIGURES)


def _on_drafts(order_line_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """What draft invoices (not credit notes) already hold of each order line: quantity and net."""
    if not order_line_ids:
        return {}
    rows = (
        InvoiceLine.objects.filter(
            order_line_id__in=order_line_ids, invoice__state=rules.DRAFT, invoice__kind=Invoice.Kind.INVOICE
        )
        .values("order_line_id")
        .annotate(quantity=Sum("quantity"), net=Sum("net"))
        .order_by()
    )
    return {row["order_line_id"]: (row["quantity"], row["net"]) for row in rows}


def _stocked(item: Item | None) -> bool:
    return item is not None and item.kind == Item.Kind.STOCKED


def _line_text(order_number: str, line: SalesOrderLine) -> str:
    text = (line.description or (line.item.name if line.item_id else "")).strip()
    return f"{text} ({order_number})"[:300]


def _order_ids(order_ids) -> list[int]:
    ids = []
    for value in order_ids or []:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
            raise ValidationFailed.on("order_ids", _("Give the ids of the orders to invoice."))
        if value not in ids:
            ids.append(value)
    if not ids:
        raise ValidationFailed.on("order_ids", _("Choose at least one order to invoice."))
    if len(ids) > MAX_ORDERS:
        raise ValidationFailed.on(
            "order_ids", _("At most %(count)s orders on one invoice.") % {"count": MAX_ORDERS}
        )
    return ids


def _day(value) -> Date:
    if value is None:
        return timezone.localdate()
    if not isinstance(value, Date) or not Date(1900, 1, 1) <= value <= Date(9000, 12, 31):
        raise ValidationFailed.on("date", _("Enter a valid date."))
    return value


def _text(value, field: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationFailed.on(field, _("Use at most %(count)s characters.") % {"count": limit})
    return text
