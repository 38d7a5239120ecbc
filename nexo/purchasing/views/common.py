"""What several purchasing pages share: optional links, price texts (order figures are in
`nexo.purchasing.queries`, order states in `nexo.purchasing.rules`)."""

from decimal import Decimal

from django.urls import NoReverseMatch, reverse

from nexo.core.formatting import number

ZERO = Decimal(0)


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
