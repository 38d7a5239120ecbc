"""Purchasing API: /exchange-rates, /supplier-prices (and the best one for a quantity), an item's buying
settings, /purchase-orders with their lines, confirm / cancel / receive, /receipts, /purchase-suggestions and
/item-costs, the unit cost of a quantity with its working (docs/api.md). One file per resource, each with
its `endpoints`; `common` holds the decimal types and look-ups they share."""

from nexo.core.api import module_router
from nexo.purchasing.api import exchange_rates, items, orders, receipts, suggestions, supplier_prices

router = module_router("purchasing", exchange_rates, supplier_prices, items, orders, receipts, suggestions)
