"""Categories: the tree as a list of full names and paths; add one, rename or move one with its subtree."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Schema

from nexo.catalog import services
from nexo.catalog.models import Category
from nexo.core.api import Endpoints, Id, Limit, Offset, QueryId, RecordId, SafeText, StrictSchema, page_of

endpoints = Endpoints()

CategoryName = Annotated[str, Field(min_length=1, max_length=100)]


class CategoryIn(StrictSchema):
    name: CategoryName
    parent_id: Id | None = Field(None, description="null: a top-level category")


class CategoryPatch(StrictSchema):
    # Fields left out keep their value; parent_id null moves it to the top level.
    name: CategoryName = None
    parent_id: Id | None = None


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None
    full_name: str = Field(description='The path of names, e.g. "Electricidad / Cables"')
    path: str = Field(description='The ids from the root down, e.g. "/3/17/"')


class CategoryList(Schema):
    count: int
    items: list[CategoryOut]


@endpoints.get("/categories", CategoryList, perm="catalog.view_category", summary="List the category tree")
def category_list(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    parent_id: QueryId = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    queryset = Category.objects.filter(company=request.company)
    if q:
        queryset = queryset.filter(full_name__icontains=q)
    if parent_id is not None:
        queryset = queryset.filter(parent_id=parent_id)
    count, items = page_of(queryset.order_by("full_name", "pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


# The services answer with the category and its path and full name refreshed: nothing to read again.


@endpoints.post(
    "/categories", CategoryOut, perm="catalog.add_category", idempotent=True, summary="Add a category"
)
def category_create(request: HttpRequest, payload: CategoryIn):
    return services.category_create(company=request.company, by=request.user, **payload.model_dump())


@endpoints.patch(
    "/categories/{category_id}", CategoryOut, perm="catalog.change_category",
    summary="Rename or move a category (its subtree moves with it)",
)  # fmt: skip
def category_update(request: HttpRequest, category_id: RecordId, payload: CategoryPatch):
    return services.category_update(
        company=request.company, category_id=category_id, by=request.user,
        **payload.model_dump(exclude_unset=True),
    )  # fmt: skip
