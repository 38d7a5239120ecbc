"""Inventory API: /inventory-settings, /warehouses, /locations, /stock-moves (drafts, posted or cancelled),
the /stock-levels per item and warehouse, the /stock-valuation at a date and /stock-counts (docs/api.md,
docs/modules/inventory.md).

One file per aggregate, each with its `endpoints`; this one mounts them under the "inventory" tag, in
the order the documentation lists them. `schemas` holds the decimal types they share.
"""

from nexo.core.api import module_router
from nexo.inventory.api import counts, moves, settings, stock, stock_accounting, warehouses

router = module_router("inventory", settings, warehouses, moves, stock, counts, stock_accounting)
