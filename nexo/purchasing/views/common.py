"""What several purchasing pages share: open states, optional links, price texts (order figures are in
`nexo.purchasing.queries`)."""

from decimal import Decimal

from django.urls import NoReverseMatch, reverse

from nexo.core.formatting import number
from nexo.purchasing.models import PurchaseOrder

ZERO = Decimal(0)
OPEN_STATES = (
    PurchaseOrder.State.DRAFT, PurchaseOrder.State.CONFIRMED, PurchaseOrder.State.PARTIALLY_RECEIVED,
)  # fmt: skip


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
