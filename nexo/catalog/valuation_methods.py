"""The valuation methods an item may follow, by name: declared once here, pure (no Django).

The item's `valuation_method` choices (catalog.models.ValuationMethod) take their values from these names;
inventory.valuation implements each one as a strategy (how it receives, issues and costs what is on hand).
A new method is a name here, its label there and its strategy in inventory.valuation.
"""

AVERAGE = "average"
FIFO = "fifo"
LAST_PURCHASE = "last_purchase"
STANDARD = "standard"

NAMES = (AVERAGE, FIFO, LAST_PURCHASE, STANDARD)
