"""/deliveries/{id}/pdf: a delivery note (or a return) as the customer reads it, valued or not as the
company's sales settings say (sales.documents)."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from nexo.core.api import Endpoints, RecordId
from nexo.core.errors import NotFound
from nexo.sales import documents, queries

endpoints = Endpoints()

PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "The delivery note: quantities, and prices and amounts when the company prints them "
            "valued; never its cost of goods",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def delivery_visible(request: HttpRequest, delivery_id: int) -> None:
    """A delivery of an order the user may not see, or of another company, is a 404 (as on the pages)."""
    if not queries.deliveries_visible_to(request.user, request.company).filter(pk=delivery_id).exists():
        raise NotFound(_("No such delivery note."))


@endpoints.get(
    "/deliveries/{delivery_id}/pdf",
    None,
    status=200,  # the PDF itself, described by PDF_RESPONSE
    perm="sales.view_delivery",
    visible=delivery_visible,
    summary="The delivery note as a PDF",
    description="In the customer's language: the company, the customer and the delivery address, the order's "
    "number and the customer's reference, the lines with their quantities; prices, amounts and taxes only "
    "when the company's sales settings print delivery notes valued. A return prints as such, with its "
    "reason.",
    openapi_extra=PDF_RESPONSE,
)
def delivery_pdf(request: HttpRequest, delivery_id: RecordId):
    delivery = (
        queries.deliveries_visible_to(request.user, request.company)
        .select_related("company", "party", "order", "return_of", "backorder_of")
        .get(pk=delivery_id)
    )
    response = HttpResponse(documents.delivery_note_pdf(delivery), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.delivery_note_filename(delivery)}"'
    return response
