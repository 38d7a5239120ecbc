"""Purchasing API: /exchange-rates, /supplier-prices (and the best one for a quantity), an item's buying
settings, /purchase-orders with their lines, confirm / cancel / receive, /receipts, /purchase-suggestions and
/item-costs, the unit cost of a quantity with its working (docs/api.md). One module per resource, every
endpoint on `nexo.core.api.Endpoints`; importing them registers their routes on `router`."""

from nexo.purchasing.api import (  # noqa: F401 (each registers its routes)
    exchange_rates,
    items,
    orders,
    receipts,
    suggestions,
    supplier_prices,
)
from nexo.purchasing.api.common import router

__all__ = ["router"]
