"""Supplier invoices: recorded from purchase orders (what was received and not yet invoiced, at the ordered
price and VAT rate) or typed by hand, checked line by line against the purchase order, and posted.

A line that bills more than was received (less what posted invoices already billed of it), or at another
unit price than the one ordered, carries its difference; a user accepts the invoice's differences before
it can be posted. The supplier's own number is unique per supplier and year (a database constraint; the
services say so on the field first). Posting computes the deductible VAT per rate and the IRPF withheld
with the tax engine (`invoicing.tax.invoice_taxes`), gives our number (gapless per series and year, in
date order, under the sequence's row lock) and freezes the invoice.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.catalog.models import Item, TaxRate
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.formatting import day_text, number
from nexo.core.models import Company, User
from nexo.core.rules import round_money, round_unit
from nexo.core.services import currency_code, sequence_next
from nexo.core.states import state_change
from nexo.core.validation import decimal_of, locked, quantity_of
from nexo.invoicing import rules, tax
from nexo.invoicing.models import (
    InvoiceTax,
    InvoicingSettings,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierInvoiceTax,
)  # fmt: skip
from nexo.parties.models import Party
from nexo.purchasing.models import PurchaseOrder, PurchaseOrderLine
from nexo.purchasing.queries import rate_on

State = SupplierInvoice.State
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
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
HEADER_FIELDS = frozenset({"supplier_number", "date", "received_date", "notes"})


# Differences, stored on the line as codes ("quantity:12:10;price:5.5:5") and read in the reader's language.


@dataclass(frozen=True)
class Difference:
    """What a line bills against what its purchase order line allows: `kind` quantity (billed over what was
    received and not yet invoiced) or price (another unit price than the one ordered)."""

    kind: str
    billed: Decimal
    expected: Decimal

    @property
    def code(self) -> str:
        return f"{self.kind}:{_plain(self.billed)}:{_plain(self.expected)}"

    @property
    def text(self) -> str:
        if self.kind == "quantity":
            values = {"billed": number(self.billed), "expected": number(self.expected)}
            return _("bills %(billed)s, received and not yet invoiced %(expected)s") % values
        values = {"billed": _price_text(self.billed), "expected": _price_text(self.expected)}
        return _("unit price %(billed)s, ordered at %(expected)s") % values


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _price_text(value: Decimal) -> str:
    """A unit price with the decimals worth showing: at least 2, at most 6."""
    exponent = value.normalize().as_tuple().exponent
    return number(value, min(6, max(2, -exponent if isinstance(exponent, int) else 2)))


def _missing() -> str:
    return _("No such supplier invoice.")


def differences_of(code: str) -> tuple[Difference, ...]:
    """The differences a line's stored code names."""
    found = []
    for part in (code or "").split(";"):
        kind, _sep, rest = part.partition(":")
        billed, _sep, expected = rest.partition(":")
        if kind and billed and expected:
            found.append(Difference(kind, Decimal(billed), Decimal(expected)))
    return tuple(found)


def difference_text(code: str) -> str:
    """A line's differences as one sentence in the active language; empty when it matches its order."""
    return "; ".join(difference.text for difference in differences_of(code))


def _code_of(differences: Iterable[Difference]) -> str:
    return ";".join(difference.code for difference in differences)


def line_differences(
    *, quantity: Decimal, unit_price: Decimal, discount: Decimal, billable: Decimal, ordered_price: Decimal
) -> tuple[Difference, ...]:
    """A billed line against its purchase order line: the quantity against what was received and not yet
    invoiced, the unit price (net of the line's discount, to the 6 decimals prices keep) against the
    ordered one."""
    found = []
    if quantity > billable:
        found.append(Difference("quantity", quantity, billable))
    price = round_unit(unit_price * (HUNDRED - discount) / HUNDRED)
    if price != round_unit(ordered_price):
        found.append(Difference("price", price, ordered_price))
    return tuple(found)


# Reading what is typed


def _series_of(company: Company) -> str:
    series = (
        InvoicingSettings.objects.filter(company=company)
        .values_list("supplier_invoice_series", flat=True)
        .first()
    )
    return series or rules.SUPPLIER_INVOICE_SERIES


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


def _billable(
    invoice: SupplierInvoice, lines: Iterable[SupplierInvoiceLine]
) -> dict[int, tuple[Decimal, Decimal]]:
    """Each purchase order line billed: (received less what posted invoices already billed, ordered unit
    price). Two queries."""
    ids = {line.purchase_line_id for line in lines if line.purchase_line_id}
    if not ids:
        return {}
    invoiced = dict(
        SupplierInvoiceLine.objects.filter(purchase_line_id__in=ids, invoice__state=State.POSTED)
        .exclude(invoice_id=invoice.pk)
        .values("purchase_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("purchase_line_id", "total")
    )
    return {
        pk: (received - invoiced.get(pk, ZERO), price)
        for pk, received, price in PurchaseOrderLine.objects.filter(pk__in=ids).values_list(
            "pk", "received_quantity", "unit_price"
        )
    }


def _check(invoice: SupplierInvoice, lines: list[SupplierInvoiceLine]) -> bool:
    """Set each line's differences; True when they changed (a changed set needs accepting again)."""
    billable = _billable(invoice, lines)
    changed = False
    for line in lines:
        code = ""
        if line.purchase_line_id in billable:
            left, price = billable[line.purchase_line_id]
            code = _code_of(
                line_differences(
                    quantity=line.quantity, unit_price=line.unit_price, discount=line.discount,
                    billable=max(left, ZERO), ordered_price=price,
                )
            )  # fmt: skip
        if code != line.difference:
            changed = changed or bool(code)
            line.difference = code
    return changed


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


def _supplier(company: Company, party_id) -> Party:
    party = None
    if isinstance(party_id, int) and not isinstance(party_id, bool):
        party = Party.objects.filter(company=company, pk=party_id).first()
    if party is None:
        raise ValidationFailed.on("party_id", _("No such supplier."))
    if not party.is_supplier:
        raise ValidationFailed.on("party_id", _("%(party)s is not a supplier.") % {"party": party.name})
    return party


def _draft(company: Company, invoice_id: int, refused: str) -> SupplierInvoice:
    """The invoice, row-locked; a posted one is refused before anything else is read (409)."""
    invoice = locked(SupplierInvoice, company=company, pk=invoice_id, missing=_missing())
    if invoice.state != State.DRAFT:
        raise Conflict(refused % {"number": invoice.number})
    return invoice


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


def supplier_invoice_accept_differences(*, company: Company, by: User, invoice_id: int) -> SupplierInvoice:
    """A user accepts what the invoice bills beyond its orders: the lines are checked again (the orders may
    have changed) and the user and time recorded."""
    with transaction.atomic():
        invoice = _draft(
            company, invoice_id, _("Supplier invoice %(number)s is posted: it cannot be changed.")
        )
        lines = list(SupplierInvoiceLine.objects.filter(invoice=invoice).order_by("position", "pk"))
        _check(invoice, lines)
        if not any(line.difference for line in lines):
            raise Conflict(_("The invoice matches its purchase orders: there is nothing to accept."))
        SupplierInvoiceLine.objects.bulk_update(lines, ["difference"])
        invoice.differences_accepted_by, invoice.differences_accepted_at = by, timezone.now()
        invoice.updated_by = by
        invoice.save(
            update_fields=["differences_accepted_by", "differences_accepted_at", "updated_by", "updated_at"]
        )
        return invoice


def _refused_differences(lines: list[SupplierInvoiceLine], unaccepted: list[SupplierInvoiceLine]) -> Conflict:
    errors = [
        {"field": f"lines.{index}", "message": f"{line.description}: {difference_text(line.difference)}"}
        for index, line in enumerate(lines)
        if line in unaccepted
    ]
    detail = _("The invoice differs from its purchase orders; accept the differences first: %(list)s") % {
        "list": "; ".join(error["message"] for error in errors)
    }
    return Conflict(detail, errors=errors)


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
        state_change(
            invoice, State.POSTED, lifecycle=rules.INVOICE_LIFECYCLE, by=by,
            refused=_("The supplier invoice is %(state)s: it cannot be %(target)s."),
        )  # fmt: skip
        _saved(invoice)
        return invoice


def supplier_invoice_of(company: Company, invoice_id: int) -> SupplierInvoice:
    """One of the company's supplier invoices; another company's is NotFound."""
    invoice = SupplierInvoice.objects.filter(company=company, pk=invoice_id).select_related("party").first()
    if invoice is None:
        raise NotFound(_missing())
    return invoice
