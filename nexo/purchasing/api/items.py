"""An item's buying side: /items/{item_id}/purchasing (preferred supplier, minimum stock, reorder quantity,
last purchase) and /item-costs, the unit cost of a quantity with its working."""

from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict

from nexo.core.api import (
    Endpoints,
    Id,
    MoneyOut,
    PriceOut,
    QuantityOut,
    QueryId,
    RecordId,
    StrictSchema,
    decimal_in,
)
from nexo.core.errors import ValidationFailed
from nexo.inventory.models import Warehouse
from nexo.inventory.services import settings_of
from nexo.purchasing import costing, services
from nexo.purchasing.api.common import Day, QueryItemId, QueryQuantity, item_of
from nexo.purchasing.models import ItemPurchasing

endpoints = Endpoints()

StockLevelIn = decimal_in(
    max_digits=14, places=4, ge=0, pattern=r"^\d{1,10}(\.\d{1,4})?$", example="20",
    about="A quantity (0 or more), a decimal string with up to 4 decimals.",
)  # fmt: skip
CostBasis = Literal["average", "fifo", "last_purchase", "standard", "supplier_price"]


class ItemPurchasingIn(StrictSchema):
    preferred_supplier_id: Id | None = Field(None, description="null: the supplier with the best price")
    minimum_stock: StockLevelIn = Field(
        Decimal(0), description="Under this (on hand - reserved + on order) the item is suggested"
    )
    reorder_quantity: StockLevelIn = Field(Decimal(0), description="Suggest at least this much")


class ItemPurchasingOut(Schema):
    item_id: int
    preferred_supplier_id: int | None
    minimum_stock: QuantityOut
    reorder_quantity: QuantityOut
    last_purchase_cost: PriceOut | None = Field(
        description="Unit cost of the latest receipt, company currency"
    )
    last_purchase_date: Day | None
    last_purchase_reference: str


def _buying_body(item_id: int, buying: ItemPurchasing | None) -> dict:
    """An item's buying settings as the API shows them; an item never set has the defaults."""
    return {
        "item_id": item_id,
        "preferred_supplier_id": buying.preferred_supplier_id if buying else None,
        "minimum_stock": buying.minimum_stock if buying else Decimal(0),
        "reorder_quantity": buying.reorder_quantity if buying else Decimal(0),
        "last_purchase_cost": buying.last_purchase_cost if buying else None,
        "last_purchase_date": buying.last_purchase_date if buying else None,
        "last_purchase_reference": buying.last_purchase_reference if buying else "",
    }


@endpoints.get(
    "/items/{item_id}/purchasing", ItemPurchasingOut, perm="purchasing.view_itempurchasing",
    summary="How an item is bought: preferred supplier, minimum stock, reorder quantity, last purchase",
)  # fmt: skip
def item_purchasing_read(request: HttpRequest, item_id: RecordId):
    item = item_of(request, item_id)
    return _buying_body(item.pk, ItemPurchasing.objects.filter(company=request.company, item=item).first())


@endpoints.put(
    "/items/{item_id}/purchasing", ItemPurchasingOut, perm="purchasing.change_itempurchasing",
    visible=item_of, read=lambda request, buying: _buying_body(buying.item_id, buying),
    summary="Set an item's preferred supplier, minimum stock and reorder quantity",
    description="The last purchase is kept by the receipts, not set here.",
)  # fmt: skip
def item_purchasing_set(request: HttpRequest, item_id: RecordId, payload: ItemPurchasingIn):
    return services.item_purchasing_set(
        company=request.company, by=request.user, item_id=item_id, **payload.model_dump()
    )


# One part of a cost's working. A plain pydantic model, read from dicts or records alike: the sales API
# shows the same parts on every quotation line, where a ninja Schema would cost too much.
class CostPartOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    quantity: QuantityOut
    unit_cost: PriceOut
    value: MoneyOut
    source: str = Field(description="fifo, average, last_purchase, standard, supplier_price or none")
    reference: str = Field(description="The receipt, the supplier price… the cost came from")
    date: Day | None


class ItemCostOut(Schema):
    item_id: int
    quantity: QuantityOut
    warehouse_id: int = Field(
        description="The warehouse whose stock was costed: the default one unless asked"
    )
    method: str = Field(description="The basis asked for, or the item's valuation method")
    unit_cost: PriceOut
    value: MoneyOut
    source: str = Field(description="Where the cost came from: the method when stock covered any of it")
    parts: list[CostPartOut]


@endpoints.get(
    "/item-costs", ItemCostOut, perm=("catalog.view_item", "purchasing.view_supplierprice"),
    summary="The unit cost of a quantity of an item, with its working",
    description="Under `method` (default: the item's valuation method): FIFO costs the layers those units "
    "would consume, average the current average, last_purchase the latest receipt, standard the standard "
    "cost; units beyond the warehouse's stock cost the best supplier price for them. 404 for an unknown "
    "item; 422 for an unknown warehouse.",
)  # fmt: skip
def item_cost(
    request: HttpRequest,
    item_id: QueryItemId,
    quantity: QueryQuantity,
    warehouse_id: QueryId = None,
    method: CostBasis | None = None,
):
    item = item_of(request, item_id)
    if (
        warehouse_id is not None
        and not Warehouse.objects.filter(company=request.company, pk=warehouse_id).exists()
    ):
        raise ValidationFailed.on("warehouse_id", _("Unknown warehouse."))
    warehouse_id = warehouse_id or settings_of(request.company).default_warehouse_id
    cost = costing.unit_cost_for(request.company, item.pk, quantity, warehouse_id=warehouse_id, method=method)
    return {
        "item_id": item.pk,
        "quantity": quantity,
        "warehouse_id": warehouse_id,
        "method": cost.basis,
        "unit_cost": cost.unit_cost,
        "value": cost.value,
        "source": cost.source,
        "parts": cost.parts,
    }
