"""The decimal types the catalog's schemas share: prices, percentages and quantities as strings."""

from nexo.core.api import decimal_in, positive_pattern

PriceIn = decimal_in(
    max_digits=16, places=6, ge=0, pattern=r"^\d{1,10}(\.\d{1,6})?$", example="12.50",
    about="A price or cost ≥ 0, a decimal string with up to 6 decimals.",
)  # fmt: skip
QuantityIn = decimal_in(
    max_digits=14, places=4, gt=0, pattern=positive_pattern(10, 4), example="10",
    about="A quantity above zero, a decimal string with up to 4 decimals.",
)  # fmt: skip
