"""A posted invoice's Facturae 3.2.2 file (`GET /compliance/invoices/{id}/facturae`), the same as the
invoice page's download (nexo.compliance.facturae)."""

from django.http import HttpRequest, HttpResponse

from nexo.compliance import facturae
from nexo.core.api import Endpoints, RecordId

endpoints = Endpoints()

FACTURAE_RESPONSE = {
    "responses": {
        "200": {
            "description": "The Facturae 3.2.2 file, valid against the official schema; XAdES-signed when the "
            "company has a certificate",
            "content": {facturae.CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@endpoints.get(
    "/compliance/invoices/{invoice_id}/facturae", None, status=200, perm="invoicing.view_invoice",
    summary="The invoice or credit note as a Facturae 3.2.2 file (FACe)",
    description="The posted invoice as Spanish public administrations receive it: issuer and customer (as "
    "posted), taxes per rate with the equivalence surcharge, IRPF withheld, totals, lines, due dates and the "
    "legal texts; a credit note names the invoice it corrects. Signed with XAdES-EPES (Facturae policy 3.1) "
    "when the company has a certificate (file name `.xsig`), plain XML otherwise (`.xml`). 404 for another "
    "company's invoice; 409 for a draft, a cancelled invoice, an invoice not in euros, or one that lacks what "
    "the schema requires (the reason given).",
    openapi_extra=FACTURAE_RESPONSE,
)  # fmt: skip
def invoice_facturae(request: HttpRequest, invoice_id: RecordId):
    exported = facturae.invoice_facturae(company=request.company, invoice_id=invoice_id)
    response = HttpResponse(exported.content, content_type=facturae.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response
