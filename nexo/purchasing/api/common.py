"""What the purchasing resources share: the decimal types of prices, quantities and amounts,
and the look-up of an item."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query

from nexo.catalog.models import Item
from nexo.core.api import decimal_in, decimal_out, positive_pattern
from nexo.core.errors import NotFound

Day = date  # a field named `date` would shadow the type

MAX_LINES = 200

PriceIn = decimal_in(
    max_digits=16, places=6, ge=0, pattern=r"^\d{1,10}(\.\d{1,6})?$", example="4.25",
    about="A unit price ≥ 0, a decimal string with up to 6 decimals.",
)  # fmt: skip
QuantityIn = decimal_in(
    max_digits=14, places=4, gt=0, pattern=positive_pattern(10, 4), example="10",
    about="A quantity above zero, a decimal string with up to 4 decimals.",
)  # fmt: skip
QueryQuantity = Annotated[
    Decimal, Query(gt=0, max_digits=14, decimal_places=4, description="A quantity above zero, e.g. 10")
]
QueryItemId = Annotated[int, Query(ge=1, le=2**63 - 1)]
QueryCurrency = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")]
RateOut = decimal_out(8, example="0.92000000", about="An exchange rate, a decimal string with 8 decimals.")

Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD")]


def item_of(request: HttpRequest, item_id: int) -> Item:
    """One of the company's items; 404 for any other."""
    item = Item.objects.filter(company=request.company, pk=item_id).first()
    if item is None:
        raise NotFound(_("No such item."))
    return item
