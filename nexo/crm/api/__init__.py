"""CRM API: /opportunities (with move, win, lose, reopen), /stages, /activities, /leads, /forecast.

One file per aggregate, each with its own router; this one mounts them all under the "crm" tag.
"""

from ninja import Router

from nexo.crm.api import activities, forecast, leads, opportunities, stages

router = Router(tags=["crm"])
for part in (stages, opportunities, leads, activities, forecast):
    router.add_router("", part.router)
