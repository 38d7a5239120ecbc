"""/quotations/{id}/lines: one line of a draft added, changed or removed; each answers the whole
quotation, its totals recomputed."""

import re

from django.http import HttpRequest

from nexo.core.api import Endpoints, RecordId
from nexo.sales import services
from nexo.sales.api.quotations import quotation_body, quotation_visible
from nexo.sales.api.schemas import QuotationLineIn, QuotationLinePatch, QuotationOut

endpoints = Endpoints()

LINE_PREFIX = re.compile(r"^lines\.\d+\.")


def line_field(field: str) -> str:
    """A line sent on its own: the service's `lines.4.item_id` is this body's `item_id`."""
    return LINE_PREFIX.sub("", field)


@endpoints.post(
    "/quotations/{quotation_id}/lines",
    QuotationOut,
    perm="sales.change_quotation",
    visible=quotation_visible,
    idempotent=True,
    renames=line_field,
    read=quotation_body,
    summary="Add a line to a draft quotation",
    description="Answers the whole quotation, its totals recomputed. 409 unless it is a draft.",
)
def quotation_line_add(request: HttpRequest, quotation_id: RecordId, payload: QuotationLineIn):
    services.quotation_line_add(
        company=request.company,
        by=request.user,
        quotation_id=quotation_id,
        **payload.model_dump(exclude_none=True),
    )
    return quotation_id


@endpoints.patch(
    "/quotations/{quotation_id}/lines/{line_id}",
    QuotationOut,
    perm="sales.change_quotation",
    visible=quotation_visible,
    renames=line_field,
    read=quotation_body,
    summary="Change a line of a draft quotation",
    description="A new item or quantity prices it again (unless its price is locked) and costs it again. "
    "Answers the whole quotation, its totals recomputed.",
)
def quotation_line_update(
    request: HttpRequest, quotation_id: RecordId, line_id: RecordId, payload: QuotationLinePatch
):
    services.quotation_line_update(
        company=request.company,
        by=request.user,
        quotation_id=quotation_id,
        line_id=line_id,
        **payload.model_dump(exclude_unset=True),
    )
    return quotation_id


@endpoints.delete(
    "/quotations/{quotation_id}/lines/{line_id}",
    QuotationOut,
    perm="sales.change_quotation",
    visible=quotation_visible,
    read=quotation_body,
    summary="Remove a line from a draft quotation",
    description="Answers the whole quotation, its totals recomputed.",
)
def quotation_line_delete(request: HttpRequest, quotation_id: RecordId, line_id: RecordId):
    services.quotation_line_delete(
        company=request.company, by=request.user, quotation_id=quotation_id, line_id=line_id
    )
    return quotation_id
