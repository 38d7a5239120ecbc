"""The insight API: a document's flow (flow), a party's 360° figures (party360), each dashboard's data
(dashboards) and the global search (search). Read only."""

from nexo.core.api import module_router
from nexo.insight.api import dashboards, flow, party360, search

router = module_router("insight", flow, party360, dashboards, search)
