"""/compliance/parties/{id}/einvoicing: a customer's e-invoicing profile, the DIR3 codes of the administrative
centres its Facturae files carry and whether it takes Facturae files only (read, and set through
`party_einvoicing_save`, the service the party page's form calls)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.compliance.models import PartyEInvoicing
from nexo.compliance.services.einvoicing import CODE_FIELDS, missing_centres, party_einvoicing_save
from nexo.core.api import Endpoints, RecordId, StrictSchema
from nexo.core.errors import NotFound
from nexo.parties.models import Party

endpoints = Endpoints()

READ_PERMISSION = "invoicing.view_invoice"
CHANGE_PERMISSION = "invoicing.change_invoice"
# Documented, not enforced by the schema: the service refuses a bad code with its own message.
DIR3_PATTERN = {"pattern": "^[A-Za-z0-9]{0,10}$", "examples": ["L01462508"]}


def _code(description: str):
    return Field(None, description=description, json_schema_extra=DIR3_PATTERN)


class EInvoicingIn(StrictSchema):
    accounting_office: str | None = _code("DIR3 code of the accounting office (oficina contable, role 01)")
    managing_body: str | None = _code("DIR3 code of the managing body (órgano gestor, role 02)")
    processing_unit: str | None = _code("DIR3 code of the processing unit (unidad tramitadora, role 03)")
    proposing_body: str | None = _code(
        "DIR3 code of the proposing body (órgano proponente, role 04); optional"
    )
    facturae_required: bool = Field(
        False, description="The customer takes Facturae files only: its invoices' files need the three codes"
    )


class EInvoicingOut(Schema):
    party_id: int
    accounting_office: str = Field(description="Role 01; empty: none")
    managing_body: str = Field(description="Role 02; empty: none")
    processing_unit: str = Field(description="Role 03; empty: none")
    proposing_body: str = Field(description="Role 04; empty: none")
    facturae_required: bool
    centres_complete: bool = Field(
        description="The accounting office, the managing body and the processing unit are all given"
    )


def party_visible(request: HttpRequest, party_id: int) -> None:
    if not Party.objects.filter(company=request.company, pk=party_id).exists():
        raise NotFound(_("No such party."))


def _body(party_id: int, profile: PartyEInvoicing | None) -> dict:
    return {
        "party_id": party_id,
        **{field: getattr(profile, field) if profile else "" for field in CODE_FIELDS},
        "facturae_required": bool(profile and profile.facturae_required),
        "centres_complete": not missing_centres(profile),
    }


@endpoints.get(
    "/compliance/parties/{party_id}/einvoicing", EInvoicingOut, perm=READ_PERMISSION, visible=party_visible,
    summary="A customer's DIR3 codes for Facturae (FACe)",
    description="The administrative centres a public administration's Facturae files carry: empty codes and "
    "`facturae_required` false for a customer that has none.",
)  # fmt: skip
def einvoicing_read(request: HttpRequest, party_id: RecordId):
    return _body(party_id, PartyEInvoicing.objects.filter(party_id=party_id).first())


@endpoints.put(
    "/compliance/parties/{party_id}/einvoicing", EInvoicingOut, perm=CHANGE_PERMISSION, visible=party_visible,
    summary="Set a customer's DIR3 codes for Facturae (FACe)",
    description="All of it at once (a code left out or null is empty, `facturae_required` left out is false). "
    "A code is 1 to 10 letters and digits, stored upper-case. The accounting office, the managing body and "
    "the processing unit are given together or not at all; the proposing body only with them (422 naming the "
    "field). When `facturae_required` is true, the customer's Facturae files are refused (409) until the "
    "three codes are given.",
)  # fmt: skip
def einvoicing_update(request: HttpRequest, party_id: RecordId, payload: EInvoicingIn):
    profile = party_einvoicing_save(
        company=request.company, by=request.user, party_id=party_id, **payload.model_dump()
    )
    return _body(party_id, profile)
