"""Units of measure and tax categories with their dated rates: what an item's unit and taxes point to."""

from datetime import date

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Schema

from nexo.catalog.models import TaxCategory, TaxRate, Unit
from nexo.core.api import Endpoints, Limit, Offset, PercentOut, page_of

endpoints = Endpoints()


class UnitOut(Schema):
    id: int
    code: str
    name: str


class UnitList(Schema):
    count: int
    items: list[UnitOut]


class TaxRateOut(Schema):
    valid_from: date
    rate: PercentOut
    surcharge: PercentOut = Field(description="Equivalence surcharge (recargo de equivalencia) %")


class TaxCategoryOut(Schema):
    id: int
    code: str
    name: str
    rates: list[TaxRateOut] = Field(description="Its rates, the latest first; each applies from its date")


class TaxCategoryList(Schema):
    count: int
    items: list[TaxCategoryOut]


@endpoints.get("/units", UnitList, perm="catalog.view_unit", summary="List the units of measure")
def unit_list(request: HttpRequest, limit: Limit = 100, offset: Offset = 0):
    count, items = page_of(
        Unit.objects.filter(company=request.company).order_by("code", "pk"), limit=limit, offset=offset
    )
    return {"count": count, "items": items}


@endpoints.get(
    "/tax-categories", TaxCategoryList, perm="catalog.view_taxcategory",
    summary="List the tax categories with their dated rates",
)  # fmt: skip
def tax_category_list(request: HttpRequest, limit: Limit = 100, offset: Offset = 0):
    queryset = (
        TaxCategory.objects.filter(company=request.company)
        .prefetch_related(Prefetch("rates", queryset=TaxRate.objects.order_by("-valid_from")))
        .order_by("code", "pk")
    )
    count, items = page_of(queryset, limit=limit, offset=offset)
    return {"count": count, "items": items}
