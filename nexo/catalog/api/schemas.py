"""The decimal types the catalog's schemas share: prices, percentages and quantities as strings."""

from nexo.core.api import decimal_in, decimal_out

PriceIn = decimal_in(
    max_digits=16, places=6, ge=0, pattern=r"^\d{1,10}(\.\d{1,6})?$", example="12.50",
    about="A price or cost ≥ 0, a decimal string with up to 6 decimals.",
)  # fmt: skip
PercentIn = decimal_in(
    max_digits=5, places=2, ge=0, le=100, pattern=r"^\d{1,3}(\.\d{1,2})?$", example="15.00",
    about="Percentage 0 to 100, a decimal string with up to 2 decimals.",
)  # fmt: skip
QuantityIn = decimal_in(
    max_digits=14, places=4, gt=0, pattern=r"^\d{1,10}(\.\d{1,4})?$", example="10",
    about="A quantity above zero, a decimal string with up to 4 decimals.",
)  # fmt: skip
PriceOut = decimal_out(
    6, example="12.500000", about="A unit price or cost, a decimal string with 6 decimals."
)
PercentOut = decimal_out(2, example="15.00", about="Percentage, a decimal string with 2 decimals.")
QuantityOut = decimal_out(4, example="10.0000", about="A quantity, a decimal string with 4 decimals.")
