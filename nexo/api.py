"""The API at /api/v1/: every module's router behind one authentication and one error format."""

from django.utils.module_loading import import_string
from ninja import NinjaAPI

from nexo.core.api import BearerTokenAuth, CompanySessionAuth, core_router, install_error_handlers
from nexo.core.modules import nexo_modules

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
# Each module's router, as its AppConfig declares it (nexo/modules.py lists the modules).
for module in nexo_modules():
    if module.api_router:
        api.add_router("/", import_string(module.api_router.replace(":", ".")))
