"""Warehouses (each with its stock location, one of them the default) and their locations."""

from typing import Literal

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.core.api import Endpoints, Id, Limit, Offset, QueryId, RecordId, StrictSchema, page_of
from nexo.core.errors import NotFound
from nexo.inventory import queries, services
from nexo.inventory.api.schemas import Code, Name
from nexo.inventory.models import Location, Warehouse

endpoints = Endpoints()

LocationKind = Literal["internal", "supplier", "customer", "adjustment"]


# Warehouses


class WarehouseIn(StrictSchema):
    code: Code = Field(description="Short code, stored in capitals, unique in the company")
    name: Name


class WarehousePatch(StrictSchema):
    # Fields left out keep their value.
    code: Code = None
    name: Name = None
    is_active: bool = None


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    is_active: bool
    stock_location_id: int | None = Field(description="Where its receipts go unless a move says otherwise")
    is_default: bool


class WarehouseList(Schema):
    count: int
    items: list[WarehouseOut]


def _warehouses(request: HttpRequest):
    default_id = queries.default_warehouse_id(request.company)
    return Warehouse.objects.filter(company=request.company).annotate(
        is_default=ExpressionWrapper(Q(pk=default_id or 0), output_field=BooleanField())
    )


def _warehouse(request: HttpRequest, warehouse_id: int) -> Warehouse:
    warehouse = _warehouses(request).filter(pk=warehouse_id).first()
    if warehouse is None:
        raise NotFound(_("No such warehouse."))
    return warehouse


def _warehouse_read(request: HttpRequest, warehouse: Warehouse) -> Warehouse:
    """The warehouse a service saved, read again with whether it is the default."""
    return _warehouse(request, warehouse.pk)


@endpoints.get("/warehouses", WarehouseList, perm="inventory.view_warehouse", summary="List the warehouses")
def warehouse_list(
    request: HttpRequest, is_active: bool | None = None, limit: Limit = 100, offset: Offset = 0
):
    queryset = _warehouses(request)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    count, items = page_of(queryset.order_by("code", "pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


@endpoints.post(
    "/warehouses",
    WarehouseOut,
    perm="inventory.add_warehouse",
    idempotent=True,
    read=_warehouse_read,
    summary="Add a warehouse",
    description="It gets a stock location, where its receipts go. 422 for a code already used.",
)
def warehouse_create(request: HttpRequest, payload: WarehouseIn):
    return services.warehouse_create(
        company=request.company, by=request.user, code=payload.code, name=payload.name
    )


@endpoints.get(
    "/warehouses/{warehouse_id}", WarehouseOut, perm="inventory.view_warehouse", summary="Read a warehouse"
)
def warehouse_read(request: HttpRequest, warehouse_id: RecordId):
    return _warehouse(request, warehouse_id)


@endpoints.patch(
    "/warehouses/{warehouse_id}",
    WarehouseOut,
    perm="inventory.change_warehouse",
    read=_warehouse_read,
    summary="Rename, recode or (de)activate a warehouse",
    description="The default warehouse cannot be deactivated (422 on is_active).",
)
def warehouse_update(request: HttpRequest, warehouse_id: RecordId, payload: WarehousePatch):
    return services.warehouse_update(
        company=request.company, warehouse_id=warehouse_id, by=request.user,
        **payload.model_dump(exclude_unset=True),
    )  # fmt: skip


# Locations


class LocationIn(StrictSchema):
    warehouse_id: Id
    name: Name


class LocationPatch(StrictSchema):
    # Fields left out keep their value.
    name: Name = None
    is_active: bool = None


class LocationOut(Schema):
    id: int
    name: str
    full_name: str = Field(description='"Warehouse code/name" for a warehouse\'s location')
    kind: str = Field(
        description="internal (in a warehouse) or a virtual one: supplier, customer, adjustment"
    )
    warehouse_id: int | None
    is_active: bool


class LocationList(Schema):
    count: int
    items: list[LocationOut]


def _locations(request: HttpRequest):
    return Location.objects.filter(company=request.company).annotate(full_name=queries.location_label())


def _location_read(request: HttpRequest, location: Location) -> Location:
    """The location a service saved, read again with its full name."""
    found = _locations(request).filter(pk=location.pk).first()
    if found is None:
        raise NotFound(_("No such location."))
    return found


@endpoints.get("/locations", LocationList, perm="inventory.view_location", summary="List the locations")
def location_list(
    request: HttpRequest,
    kind: LocationKind | None = None,
    warehouse_id: QueryId = None,
    is_active: bool | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    queryset = _locations(request)
    filters = {"kind": kind, "warehouse_id": warehouse_id, "is_active": is_active}
    queryset = queryset.filter(**{name: value for name, value in filters.items() if value is not None})
    count, items = page_of(queryset.order_by("warehouse__code", "name", "pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


@endpoints.post(
    "/locations",
    LocationOut,
    perm="inventory.add_location",
    idempotent=True,
    read=_location_read,
    summary="Add a location (a shelf, a zone) to a warehouse",
)
def location_create(request: HttpRequest, payload: LocationIn):
    return services.location_create(
        company=request.company, by=request.user, warehouse_id=payload.warehouse_id, name=payload.name
    )


@endpoints.patch(
    "/locations/{location_id}",
    LocationOut,
    perm="inventory.change_location",
    read=_location_read,
    summary="Rename or (de)activate a location",
    description="A location still holding stock, a warehouse's stock location or a virtual location the "
    "settings use cannot be deactivated (422 on is_active).",
)
def location_update(request: HttpRequest, location_id: RecordId, payload: LocationPatch):
    return services.location_update(
        company=request.company, location_id=location_id, by=request.user,
        **payload.model_dump(exclude_unset=True),
    )  # fmt: skip
