"""What the inventory endpoints share: quantities, unit costs and amounts as decimal strings, and the
short text fields."""

from datetime import date
from typing import Annotated

from ninja import Field

from nexo.core.api import decimal_in, decimal_out, positive_pattern

Day = date  # a field named `date` would shadow the type

QuantityIn = decimal_in(
    max_digits=13, places=4, gt=0, pattern=positive_pattern(9, 4), example="10",
    about="A quantity above zero, a decimal string with up to 4 decimals.",
)  # fmt: skip
CountedIn = decimal_in(
    max_digits=13, places=4, ge=0, pattern=r"^\d{1,9}(\.\d{1,4})?$", example="12",
    about="The quantity counted (0 or more), a decimal string with up to 4 decimals.",
)  # fmt: skip
CostIn = decimal_in(
    max_digits=13, places=6, ge=0, pattern=r"^\d{1,7}(\.\d{1,6})?$", example="4.25",
    about="A unit cost ≥ 0, a decimal string with up to 6 decimals.",
)  # fmt: skip
CostOut = decimal_out(6, example="4.250000", about="A unit cost, a decimal string with 6 decimals.")

Code = Annotated[str, Field(min_length=1, max_length=10)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Note = Annotated[str, Field(max_length=200)]
