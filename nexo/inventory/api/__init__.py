"""Inventory API: /inventory-settings, /warehouses, /locations, /stock-moves (drafts, posted or cancelled),
the /stock-levels per item and warehouse, the /stock-valuation at a date and /stock-counts (API.md,
DOMAIN.md §5).

One file per aggregate, each with its own router; this one mounts them under the "inventory" tag, in
the order the documentation lists them. `schemas` holds the decimal types they share.
"""

from ninja import Router

from nexo.inventory.api import counts, moves, settings, stock, warehouses

router = Router(tags=["inventory"])
for part in (settings, warehouses, moves, stock, counts):
    router.add_router("", part.router)
