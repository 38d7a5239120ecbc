"""What several purchasing pages share: order figures in a fixed number of queries, optional links."""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from nexo.core.formatting import number
from nexo.core.rules import round_money
from nexo.purchasing.models import PurchaseOrder, PurchaseOrderLine
from nexo.purchasing.queries import rates_on

ZERO = Decimal(0)
OPEN_STATES = (
    PurchaseOrder.State.DRAFT, PurchaseOrder.State.CONFIRMED, PurchaseOrder.State.PARTIALLY_RECEIVED,
)  # fmt: skip


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """A line's amount in the order's currency, rounded at the line (the named rounding point)."""
    return round_money(quantity * unit_price)


def order_totals(order_ids: Iterable[int]) -> dict[int, Decimal]:
    """Each order's total in its currency: the sum of its rounded line amounts; one query."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    lines = PurchaseOrderLine.objects.filter(order_id__in=list(order_ids))
    for order_id, quantity, unit_price in lines.values_list("order_id", "quantity", "unit_price"):
        totals[order_id] += line_amount(quantity, unit_price)
    return totals


def order_rate(order: PurchaseOrder) -> Decimal | None:
    """The rate that turns the order's amounts into the company's currency: fixed once confirmed, else the
    latest rate on the order's date (None when there is none yet)."""
    if order.exchange_rate is not None:
        return order.exchange_rate
    return rates_on(order.company, [order.currency], order.date).get(order.currency)


def optional_url(name: str, *args) -> str:
    """The address of a page another module may not have yet; empty when it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def price_text(value: Decimal | None) -> str:
    """A unit price or cost with the decimals worth showing: at least 2, at most 6, no trailing zeros."""
    if value is None:
        return ""
    exponent = Decimal(value).normalize().as_tuple().exponent
    return number(value, min(6, max(2, -exponent if isinstance(exponent, int) else 2)))


def newest_first(request: HttpRequest, sort: str) -> None:
    """A dated list opens with its latest records first, and its sort header says so."""
    if "sort" not in request.GET:
        request.GET = request.GET.copy()
        request.GET["sort"] = f"-{sort}"
