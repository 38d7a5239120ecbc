"""/insight/search: the global search, the same service as the page (nexo.insight.services.search)."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Schema

from nexo.core.api import Endpoints, SafeText
from nexo.insight.services import search as services

endpoints = Endpoints()


class SearchHitOut(Schema):
    id: int
    title: str = Field(description="A party's name, an item's SKU and name, an opportunity's title, a number")
    subtitle: str = Field(description="What tells it apart: tax id and city, party, date and state")
    url: str = Field(description="The record's page")


class SearchGroupOut(Schema):
    kind: str = Field(
        description="party, item, opportunity, quotation, order, delivery, invoice, supplier_invoice, "
        "purchase_order or payment"
    )
    label: str = Field(description="The kind in the reader's language")
    hits: list[SearchHitOut]
    more_url: str | None = Field(
        description="Its list page with the same words, when it found more than `limit`"
    )


class SearchOut(Schema):
    q: str = Field(description="The words searched, spaces collapsed")
    searched: bool = Field(description="false: too short to search (fewer than 2 characters)")
    count: int
    groups: list[SearchGroupOut] = Field(description="The kinds with hits, only those the user may see")


@endpoints.get(
    "/insight/search",
    SearchOut,
    perm=(),
    summary="Search parties, items, opportunities and documents",
    description="Parties by name, trade name, tax id (spaces, dashes and the ES prefix ignored), e-mail or city; "
    "items by SKU, name or barcode; opportunities by title; quotations, sales orders, delivery notes, invoices, "
    "supplier invoices, purchase orders and payments by number. Case and (for parties and items) accents "
    "ignored. Only the kinds the user may see, in the user's company. Fewer than 2 characters find nothing; more "
    "than 100, or control characters, answer 422.",
)
def search(
    request: HttpRequest,
    q: Annotated[
        str, Query(max_length=services.MAX_LENGTH, description="The words or the number"), SafeText
    ] = "",
    limit: Annotated[
        int, Query(ge=1, le=services.MAX_LIMIT, description="Hits per kind")
    ] = services.DEFAULT_LIMIT,
):
    results = services.search(request.company, request.user, q, limit_per_kind=limit)
    return {
        "q": results.text,
        "searched": results.searched,
        "count": results.count,
        "groups": [
            {
                "kind": group.kind,
                "label": group.label,
                "more_url": group.more_url,
                "hits": [
                    {"id": hit.record_id, "title": hit.title, "subtitle": hit.subtitle, "url": hit.url}
                    for hit in group.hits
                ],
            }
            for group in results.groups
        ],
    }
