"""CRM API: /opportunities (with move, win, lose, reopen), /stages, /activities, /leads, /forecast.

One file per aggregate, each with its `endpoints`; this one mounts them all under the "crm" tag.
"""

from nexo.core.api import module_router
from nexo.crm.api import activities, forecast, leads, opportunities, stages

router = module_router("crm", stages, opportunities, leads, activities, forecast)
