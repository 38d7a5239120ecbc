"""The API at /api/v1/: every module's router behind one authentication and one error format."""

from ninja import NinjaAPI

from nexo.catalog.api import router as catalog_router
from nexo.core.api import BearerTokenAuth, CompanySessionAuth, core_router, install_error_handlers
from nexo.crm.api import router as crm_router
from nexo.inventory.api import router as inventory_router
from nexo.parties.api import router as parties_router
from nexo.purchasing.api import router as purchasing_router
from nexo.sales.api import router as sales_router

api = NinjaAPI(
    title="Nexo API",
    version="1",
    description="Everything a user can do on a page, through the same services. "
    "Money and quantities are decimal strings; errors are application/problem+json.",
    auth=[BearerTokenAuth(), CompanySessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/", parties_router)
api.add_router("/", catalog_router)
api.add_router("/", crm_router)
api.add_router("/", inventory_router)
api.add_router("/", sales_router)
api.add_router("/", purchasing_router)
