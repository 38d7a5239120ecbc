"""Supplier invoice drafts: typed by hand or drawn from purchase orders, changed and deleted, and what is
typed read (the header, the lines)."""

from collections.abc import Mapping, Sequence
from datetime import date as Date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.catalog.models import Item, TaxRate
from nexo.core.errors import ValidationFailed
from nexo.core.models import Company, User
from nexo.core.rules import round_money, round_unit
from nexo.core.services import currency_code
from nexo.core.validation import decimal_of, quantity_of
from nexo.invoicing.models import SupplierInvoice, SupplierInvoiceLine, SupplierInvoiceTax
from nexo.invoicing.services.supplier_invoices.checks import _check
from nexo.invoicing.services.supplier_invoices.common import (
    HUNDRED,
    ZERO,
    _draft,
    _figures,
    _number_is_free,
    _saved,
    _write_lines,
)
from nexo.parties.models import Party
from nexo.purchasing.models import PurchaseOrder, PurchaseOrderLine
from nexo.purchasing.queries import rate_on
from nexo.sales.services.terms import payment_term_of

# Purchase orders an invoice can bill: confirmed, partly or fully received (a draft is not agreed yet, a
# cancelled one is not owed).
BILLABLE_ORDER_STATES = (
    PurchaseOrder.State.CONFIRMED, PurchaseOrder.State.PARTIALLY_RECEIVED, PurchaseOrder.State.RECEIVED,
)  # fmt: skip
MAX_LINES = 500
MAX_ORDERS = 50
# A line's amount stays well inside the AMOUNT columns (18 digits, 2 decimals).
MAX_LINE_AMOUNT = Decimal("1e13")
LINE_FIELDS = frozenset(
    {"id", "item_id", "description", "quantity", "unit_price", "discount", "vat_rate", "irpf_rate"}
)
HEADER_FIELDS = frozenset({"supplier_number", "date", "received_date", "notes", "payment_term_id"})


# Reading what is typed


def _supplier_number(value) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationFailed.on("supplier_number", _("Type the number the supplier gave the invoice."))
    if len(text) > 40:
        raise ValidationFailed.on("supplier_number", _("Use at most 40 characters."))
    return text


def _day(value, field: str) -> Date:
    if isinstance(value, Date):
        return value
    try:
        return Date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed.on(field, _("Enter a valid date.")) from None


def _rate(value, field: str) -> Decimal:
    rate = decimal_of(ZERO if value in (None, "") else value, field)
    if not ZERO <= rate < HUNDRED or rate != round_money(rate):
        raise ValidationFailed.on(field, _("A percentage from 0 to under 100, with at most 2 decimals."))
    return round_money(rate)


def _price(value, field: str) -> Decimal:
    if value in (None, ""):
        raise ValidationFailed.on(field, _("Type the unit price."))
    price = decimal_of(value, field)
    if price < 0 or price != round_unit(price) or price >= Decimal("1e10"):
        raise ValidationFailed.on(field, _("A price of 0 or more, with at most 6 decimals."))
    return price


def _header(invoice: SupplierInvoice, fields: Mapping) -> None:
    unknown = sorted(set(fields) - HEADER_FIELDS)
    if unknown:
        raise ValidationFailed.from_fields({name: [_("Unknown field.")] for name in unknown})
    if "supplier_number" in fields:
        invoice.supplier_number = _supplier_number(fields["supplier_number"])
    if "date" in fields:
        invoice.date = _day(fields["date"], "date")
    if "received_date" in fields:
        value = fields["received_date"]
        invoice.received_date = None if value in (None, "") else _day(value, "received_date")
    if "notes" in fields:
        notes = str(fields["notes"] or "").strip()
        if len(notes) > 5000:
            raise ValidationFailed.on("notes", _("Use at most 5000 characters."))
        invoice.notes = notes
    if "payment_term_id" in fields:  # None: the supplier's own term, else the company's, when posted
        invoice.payment_term = payment_term_of(
            invoice.company_id, fields["payment_term_id"], current_id=invoice.payment_term_id
        )
    if invoice.date.year < 2000 or invoice.date.year > 2999:
        raise ValidationFailed.on("date", _("Enter a valid date."))
    if invoice.received_date and invoice.received_date < invoice.date:
        raise ValidationFailed.on("received_date", _("It cannot be received before its date."))
    invoice.year = invoice.date.year


# Lines


def _line(
    invoice: SupplierInvoice, data: Mapping, position: int, kept: SupplierInvoiceLine | None, items
) -> SupplierInvoiceLine:
    prefix = f"lines.{position - 1}"
    unknown = sorted(set(data) - LINE_FIELDS)
    if unknown:
        raise ValidationFailed.on(f"{prefix}.{unknown[0]}", _("Unknown field."))
    line = kept or SupplierInvoiceLine(invoice=invoice)
    line.position = position
    if kept is None:
        item_id = data.get("item_id")
        if item_id not in (None, ""):
            item = items.get(item_id)
            if item is None:
                raise ValidationFailed.on(f"{prefix}.item_id", _("Unknown item."))
            line.item = item
    description = str(
        data.get("description") if data.get("description") is not None else line.description or ""
    )
    description = " ".join(description.split())[:300] or (line.item.name if line.item_id else "")
    if not description:
        raise ValidationFailed.on(f"{prefix}.description", _("Say what the line bills."))
    line.description = description
    for name in ("quantity", "unit_price", "discount", "vat_rate", "irpf_rate"):
        if name not in data and kept is not None:
            continue
        value = data.get(name)
        field = f"{prefix}.{name}"
        if name == "quantity":
            line.quantity = quantity_of(value, field)
        elif name == "unit_price":
            line.unit_price = _price(value, field)
        else:
            setattr(line, name, _rate(value, field))
    if line.discount >= HUNDRED:
        raise ValidationFailed.on(f"{prefix}.discount", _("A discount under 100 %."))
    amount = line.quantity * line.unit_price * (HUNDRED - line.discount) / HUNDRED
    if amount >= MAX_LINE_AMOUNT:
        raise ValidationFailed.on(f"{prefix}.quantity", _("The line's amount is too large."))
    line.net = round_money(amount)
    line.recargo_rate = ZERO  # the company's own recargo regime is not kept yet: nothing is charged on it
    return line


def _typed_lines(invoice: SupplierInvoice, lines: Sequence[Mapping], current: dict[int, SupplierInvoiceLine]):
    """The lines as typed: one with the `id` of a current line changes it (keeping its purchase order
    line), one without is a new line by hand. One query for the items named."""
    if not isinstance(lines, Sequence) or isinstance(lines, str | bytes):
        raise ValidationFailed.on("lines", _("Add at least one line."))
    if not lines:
        raise ValidationFailed.on("lines", _("Add at least one line."))
    if len(lines) > MAX_LINES:
        raise ValidationFailed.on("lines", _("At most %(count)s lines.") % {"count": MAX_LINES})
    item_ids = set()
    for data in lines:
        if not isinstance(data, Mapping):
            raise ValidationFailed.on("lines", _("Each line is an object."))
        item_id = data.get("item_id")
        if item_id not in (None, ""):
            if not isinstance(item_id, int) or isinstance(item_id, bool):
                raise ValidationFailed.on("lines", _("Unknown item."))
            item_ids.add(item_id)
    items = Item.objects.filter(company_id=invoice.company_id).in_bulk(item_ids) if item_ids else {}
    built, seen = [], set()
    for position, data in enumerate(lines, start=1):
        line_id = data.get("id")
        kept = None
        if line_id not in (None, ""):
            kept = current.get(line_id) if isinstance(line_id, int) else None
            if kept is None or line_id in seen:
                raise ValidationFailed.on(f"lines.{position - 1}.id", _("Not a line of this invoice."))
            seen.add(line_id)
        built.append(_line(invoice, data, position, kept, items))
    return built


def _supplier(company: Company, party_id) -> Party:
    party = None
    if isinstance(party_id, int) and not isinstance(party_id, bool):
        party = Party.objects.filter(company=company, pk=party_id).first()
    if party is None:
        raise ValidationFailed.on("party_id", _("No such supplier."))
    if not party.is_supplier:
        raise ValidationFailed.on("party_id", _("%(party)s is not a supplier.") % {"party": party.name})
    return party


def _order_rate(company: Company, currency: str, day: Date) -> Decimal | None:
    return None if currency == company.currency else rate_on(company, currency, day)


# Services


def supplier_invoice_create(
    *,
    company: Company,
    by: User,
    party_id: int,
    supplier_number: str,
    date: Date,
    lines: Sequence[Mapping],
    received_date: Date | None = None,
    currency: str | None = None,
    exchange_rate: Decimal | None = None,
    notes: str = "",
    payment_term_id: int | None = None,
) -> SupplierInvoice:
    """A draft typed by hand from the supplier's paper: its lines carry their own VAT and IRPF rates. In
    another currency the rate is the one given, else the company's rate on the invoice's date."""
    with transaction.atomic():
        party = _supplier(company, party_id)
        invoice = SupplierInvoice(
            company=company, party=party, created_by=by, updated_by=by, date=timezone.localdate()
        )
        _header(
            invoice,
            {
                "supplier_number": supplier_number,
                "date": date,
                "received_date": received_date,
                "notes": notes,
                "payment_term_id": payment_term_id,
            },
        )
        invoice.currency = currency_code(currency) if currency else company.currency
        if exchange_rate not in (None, ""):
            rate = decimal_of(exchange_rate, "exchange_rate")
            if rate <= 0 or rate != rate.quantize(Decimal("1e-8")) or rate >= Decimal("1e10"):
                raise ValidationFailed.on("exchange_rate", _("A rate above 0, with at most 8 decimals."))
            invoice.exchange_rate = None if invoice.currency == company.currency else rate
        else:
            invoice.exchange_rate = _order_rate(company, invoice.currency, invoice.date)
        _number_is_free(invoice)
        built = _typed_lines(invoice, lines, {})
        _figures(invoice, built)
        _saved(invoice)
        _write_lines(invoice, built, replace=False)
        return invoice


def _tax_rates(category_days: set[tuple[int, Date]]) -> dict[tuple[int, Date], Decimal]:
    """Each (tax category, day)'s VAT rate: the latest that starts on or before the day; one query."""
    if not category_days:
        return {}
    latest = max(day for _category, day in category_days)
    rows = list(
        TaxRate.objects.filter(
            tax_category_id__in={category for category, _day in category_days}, valid_from__lte=latest
        )
        .order_by("tax_category_id", "-valid_from")
        .values_list("tax_category_id", "valid_from", "rate")
    )
    rates = {}
    for category, day in category_days:
        rates[(category, day)] = next(
            (rate for row_category, since, rate in rows if row_category == category and since <= day), ZERO
        )
    return rates


def supplier_invoice_from_orders(
    *,
    company: Company,
    by: User,
    order_ids: Sequence[int],
    supplier_number: str,
    date: Date,
    received_date: Date | None = None,
    notes: str = "",
    payment_term_id: int | None = None,
) -> SupplierInvoice:
    """A draft from purchase orders of one supplier (confirmed, partly or fully received): one line per
    order line with what was received and is on no other supplier invoice yet (draft or posted), at the
    order's unit price and its item's purchase VAT rate on the order's date. Several orders share one
    currency; the invoice keeps the earliest order's exchange rate (the one its receipts were costed at).
    The orders are row-locked, so two invoices drawn at once do not take the same quantities."""
    ids = sorted(
        {order_id for order_id in order_ids if isinstance(order_id, int) and not isinstance(order_id, bool)}
    )
    if not ids or len(ids) != len(set(order_ids)):
        raise ValidationFailed.on("order_ids", _("Choose the purchase orders to invoice."))
    if len(ids) > MAX_ORDERS:
        raise ValidationFailed.on(
            "order_ids", _("At most %(count)s purchase orders.") % {"count": MAX_ORDERS}
        )
    with transaction.atomic():
        orders = list(
            PurchaseOrder.objects.select_for_update()
            .filter(company=company, pk__in=ids)
            .order_by("date", "pk")
        )
        if len(orders) != len(ids):
            missing = sorted(set(ids) - {order.pk for order in orders})
            raise ValidationFailed.on("order_ids", _("No such purchase order: %(id)s.") % {"id": missing[0]})
        first = orders[0]
        for order in orders:
            if order.supplier_id != first.supplier_id:
                raise ValidationFailed.on("order_ids", _("The purchase orders are of different suppliers."))
            if order.currency != first.currency:
                raise ValidationFailed.on("order_ids", _("The purchase orders are in different currencies."))
            if order.state not in BILLABLE_ORDER_STATES:
                raise ValidationFailed.on(
                    "order_ids",
                    _("%(order)s is %(state)s: only a confirmed or received order is invoiced.")
                    % {"order": order, "state": order.get_state_display().lower()},
                )
        party = Party.objects.get(pk=first.supplier_id)
        invoice = SupplierInvoice(
            company=company, party=party, created_by=by, updated_by=by, currency=first.currency,
            exchange_rate=first.exchange_rate if first.currency != company.currency else None, date=date,
        )  # fmt: skip
        _header(
            invoice,
            {
                "supplier_number": supplier_number,
                "date": date,
                "received_date": received_date,
                "notes": notes,
                "payment_term_id": payment_term_id,
            },
        )
        _number_is_free(invoice)
        order_lines = list(
            PurchaseOrderLine.objects.filter(order__in=orders)
            .select_related("item")
            .order_by("order__date", "order_id", "position", "pk")
        )
        on_invoices = dict(
            SupplierInvoiceLine.objects.filter(purchase_line__in=[line.pk for line in order_lines])
            .values("purchase_line_id")
            .annotate(total=Sum("quantity"))
            .values_list("purchase_line_id", "total")
        )
        day_of = {order.pk: order.date for order in orders}
        rates = _tax_rates({(line.item.purchase_tax_id, day_of[line.order_id]) for line in order_lines})
        built = []
        for line in order_lines:
            quantity = line.received_quantity - on_invoices.get(line.pk, ZERO)
            if quantity <= 0:
                continue
            built.append(SupplierInvoiceLine(
                invoice=invoice, position=len(built) + 1, purchase_line=line, item=line.item,
                description=(line.description or line.item.name)[:300], quantity=quantity, unit_price=line.unit_price,
                net=round_money(quantity * line.unit_price), vat_rate=rates[(line.item.purchase_tax_id, day_of[line.order_id])],
            ))  # fmt: skip
        if not built:
            raise ValidationFailed.on("order_ids", _("Nothing received on these orders is left to invoice."))
        _figures(invoice, built)
        _saved(invoice)
        _write_lines(invoice, built, replace=False)
        return invoice


def supplier_invoice_update(
    *, company: Company, by: User, invoice_id: int, lines: Sequence[Mapping] | None = None, **fields
) -> SupplierInvoice:
    """A draft changed as the supplier's paper reads: its number and dates, and each line's quantity,
    unit price, discount and rates (`lines`, when given, are all the lines: one with a current line's `id`
    changes it, one without is added by hand, a current line left out is removed). The lines are checked
    against their orders again; new differences need accepting again."""
    with transaction.atomic():
        invoice = _draft(
            company, invoice_id, _("Supplier invoice %(number)s is posted: it cannot be changed.")
        )
        _header(invoice, fields)
        _number_is_free(invoice)
        current = {line.pk: line for line in SupplierInvoiceLine.objects.filter(invoice=invoice)}
        built = (
            _typed_lines(invoice, lines, current)
            if lines is not None
            else sorted(current.values(), key=lambda line: (line.position, line.pk))
        )
        if _check(invoice, built):
            invoice.differences_accepted_by, invoice.differences_accepted_at = None, None
        invoice.updated_by = by
        _figures(invoice, built)
        _saved(invoice)
        _write_lines(invoice, built, replace=lines is not None)
        return invoice


def supplier_invoice_delete(*, company: Company, by: User, invoice_id: int) -> None:
    """Only a draft is deleted (a posted invoice is part of the books)."""
    with transaction.atomic():
        invoice = _draft(
            company, invoice_id, _("Supplier invoice %(number)s is posted: it cannot be deleted.")
        )
        SupplierInvoiceTax.objects.filter(invoice=invoice).delete()
        SupplierInvoiceLine.objects.filter(invoice=invoice).delete()
        SupplierInvoice.objects.filter(pk=invoice.pk).delete()
