"""Catalog API: /items, /categories, /units, /tax-categories, /price-lists with their rules, a party's
price list and /prices, the batch price resolution that shows its working (docs/api.md,
docs/modules/catalog.md).

One file per aggregate, each with its `endpoints`: units_and_taxes, categories, items, price_lists (with their
rules and a party's list) and prices; schemas holds the decimal types they share."""

from nexo.catalog.api import categories, items, price_lists, prices, units_and_taxes
from nexo.core.api import module_router

router = module_router("catalog", units_and_taxes, categories, items, price_lists, prices)
