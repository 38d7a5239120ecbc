"""A posted invoice's Facturae file, downloaded from its page (the link is the compliance panel's): signed
(`.xsig`) when the company has a certificate, plain XML otherwise. A draft, a cancelled invoice or one the
schema refuses goes back to the invoice's page with the reason."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path

from nexo.compliance import facturae
from nexo.core.errors import Conflict
from nexo.core.permissions import page


@page("invoicing.view_invoice")
def invoice_facturae(request: HttpRequest, invoice_id: int) -> HttpResponse:
    try:
        exported = facturae.invoice_facturae(company=request.company, invoice_id=invoice_id)
    except Conflict as error:
        messages.error(request, error.detail)
        return redirect("invoicing:invoice_view", invoice_id=invoice_id)
    response = HttpResponse(exported.content, content_type=facturae.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


urlpatterns = [
    path("invoices/<id:invoice_id>/facturae/", invoice_facturae, name="invoice_facturae"),
]
