"""The compliance API: billing records and their verification, settings (docs/api.md)."""

from ninja import Router

from nexo.compliance.api import facturae

router = Router(tags=["compliance"])
router.add_router("", facturae.endpoints.router)
