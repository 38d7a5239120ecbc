"""An invoice's documents: its PDF (`GET /invoices/{id}/pdf`) and its e-mail to the customer
(`POST /invoices/{id}/send`), the same as the invoice page's buttons (nexo.invoicing.documents, sending)."""

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.core.api import Endpoints, RecordId, SafeText, StrictSchema
from nexo.core.errors import NotFound
from nexo.invoicing import documents, sending
from nexo.invoicing.models import Invoice

endpoints = Endpoints()

PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "The invoice as the customer reads it",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class InvoiceSendIn(StrictSchema):
    to: Annotated[str, Field(max_length=254)] = Field(
        "", description="Empty: the customer's primary contact's e-mail, else the customer's"
    )
    message: Annotated[str, Field(max_length=5000), SafeText] = Field(
        "", description="Empty: the standard text in the customer's language"
    )


class InvoiceEmailOut(Schema):
    id: int
    number: str
    state: str
    sent_to: str
    email_status: str = Field(description="queued, sent or failed")
    email_error: str
    email_sent_at: datetime | None


def _invoice_visible(request: HttpRequest, invoice_id: int) -> None:
    if not Invoice.objects.filter(company=request.company, pk=invoice_id).exists():
        raise NotFound(_("No such invoice."))


def _email_body(request: HttpRequest, invoice: Invoice) -> Invoice:
    invoice.refresh_from_db(fields=["sent_to", "email_status", "email_error", "email_sent_at"])
    return invoice


@endpoints.get(
    "/invoices/{invoice_id}/pdf",
    None,
    status=200,  # the PDF itself, described by PDF_RESPONSE
    perm="invoicing.view_invoice",
    summary="The invoice or credit note as a PDF",
    description="In the customer's language: issuer and customer with tax ids and addresses, number, series, "
    "dates, lines, base, VAT and surcharge per rate, withholding, total, amount due, payment terms and the legal "
    "texts of exempt or reverse-charge operations; a credit note names the invoice it corrects. A draft is "
    "marked as such.",
    openapi_extra=PDF_RESPONSE,
)
def invoice_pdf(request: HttpRequest, invoice_id: RecordId):
    invoice = documents.printable_invoice(request.company, invoice_id)
    if invoice is None:
        raise NotFound(_("No such invoice."))
    response = HttpResponse(documents.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.invoice_filename(invoice)}"'
    return response


@endpoints.post(
    "/invoices/{invoice_id}/send",
    InvoiceEmailOut,
    perm="invoicing.change_invoice",
    visible=_invoice_visible,
    read=_email_body,
    summary="E-mail the invoice's PDF to the customer",
    description="Recorded as queued at once (`email_status`), sent after the commit by a task that records "
    "sent or failed. 409 for a draft (only a posted invoice is sent); 422 when there is no valid address.",
)
def invoice_send(request: HttpRequest, invoice_id: RecordId, payload: InvoiceSendIn):
    return sending.invoice_send(
        company=request.company,
        by=request.user,
        invoice_id=invoice_id,
        to=payload.to,
        message=payload.message,
    )
