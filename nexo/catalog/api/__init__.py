"""Catalog API: /items, /categories, /units, /tax-categories, /price-lists with their rules, a party's
price list and /prices, the batch price resolution that shows its working (docs/api.md,
docs/modules/catalog.md).

One router, its endpoints kept by aggregate: units_and_taxes, categories, items, price_lists (with their
rules and a party's list) and prices; schemas holds the decimal types they share."""

from ninja import Router

from nexo.core.api import Endpoints

router = Router(tags=["catalog"])
endpoints = Endpoints(router)

# Imported for their endpoints, which they add to `router`.
from nexo.catalog.api import categories, items, price_lists, prices, units_and_taxes  # noqa: E402, F401
