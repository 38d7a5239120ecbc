"""A supplier invoice's lines checked against their purchase order lines (what was received and not yet
invoiced, the ordered unit price), the differences stored as codes and read in the reader's language, and
their accepting."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.core.errors import Conflict
from nexo.core.formatting import number
from nexo.core.models import Company, User
from nexo.core.rules import round_unit
from nexo.invoicing.models import SupplierInvoice, SupplierInvoiceLine
from nexo.invoicing.services.supplier_invoices.common import HUNDRED, ZERO, State, _draft
from nexo.purchasing.models import PurchaseOrderLine

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
