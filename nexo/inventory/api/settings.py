"""The company's stock rules: negative stock allowed or not, the default warehouse, the virtual locations."""

from django.http import HttpRequest
from ninja import Schema

from nexo.core.api import Endpoints, Id, StrictSchema
from nexo.inventory import services

endpoints = Endpoints()


class SettingsOut(Schema):
    allow_negative_stock: bool
    default_warehouse_id: int | None
    supplier_location_id: int | None
    customer_location_id: int | None
    adjustment_location_id: int | None


class SettingsPatch(StrictSchema):
    allow_negative_stock: bool = None
    default_warehouse_id: Id = None


@endpoints.get(
    "/inventory-settings", SettingsOut, perm="inventory.view_warehouse",
    summary="The company's stock rules and its virtual locations",
)  # fmt: skip
def settings_read(request: HttpRequest):
    return services.settings_of(request.company)


@endpoints.patch(
    "/inventory-settings", SettingsOut, perm="inventory.change_warehouse",
    summary="Allow negative stock or change the default warehouse",
)  # fmt: skip
def settings_update(request: HttpRequest, payload: SettingsPatch):
    return services.inventory_settings_update(
        company=request.company, by=request.user, **payload.model_dump(exclude_unset=True)
    )
