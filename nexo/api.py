"""The API at /api/v1/: every module's router behind one authentication and one error format."""

from django.utils.module_loading import import_string
from ninja import NinjaAPI

from nexo.core.api import (
    COMMON_PROBLEMS,
    PROBLEM_CONTENT_TYPE,
    BearerTokenAuth,
    CompanySessionAuth,
    core_router,
    install_error_handlers,
)
from nexo.core.modules import nexo_modules


class NexoAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """`nexo_sales_api_quotation_create`: the module's API and the handler, whichever file of the
        module's `api` package holds it, so that splitting a file never renames a client's methods."""
        module = operation.view_func.__module__
        package = module[: module.index(".api") + len(".api")] if ".api" in module else module
        return f"{package}_{operation.view_func.__name__}".replace(".", "_")

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The document as the server answers: errors in application/problem+json (ninja writes every
        response as application/json), and the 413 and 503 any endpoint may give."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                for status, response in responses.items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
                for status, description in COMMON_PROBLEMS.items():
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {PROBLEM_CONTENT_TYPE: {"schema": problem_ref}},
                        },
                    )
        return schema


api = NexoAPI(
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
