"""/payments/mandates: customers' SEPA direct-debit mandates, listed, created and changed;
/payments/remittances: remittances (remesas) listed, created from due amounts, read with their lines, their
pain.008.001.02 file, posted once the bank has charged them, cancelled while drafts;
/payments/remittance-candidates: what a new remittance can charge; /payments/remittance-lines/{id}/return:
the bank's return of a collected line. Every change goes through `nexo.payments.services.sepa`."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema

from nexo.core.api import (
    Endpoints,
    Id,
    Limit,
    MoneyOut,
    Offset,
    QueryId,
    RecordId,
    StrictSchema,
    decimal_in,
    page_of,
)
from nexo.core.errors import NotFound
from nexo.payments.models import Mandate, Remittance, RemittanceLine
from nexo.payments.services import sepa as services

endpoints = Endpoints()

Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(9000, 12, 31))]
SchemeName = Literal[tuple(Mandate.Scheme.values)]  # type: ignore[valid-type]
SequenceName = Literal[tuple(Mandate.SequenceType.values)]  # type: ignore[valid-type]
RemittanceState = Literal[tuple(Remittance.State.values)]  # type: ignore[valid-type]
LineState = Literal[tuple(RemittanceLine.State.values)]  # type: ignore[valid-type]
ReasonCode = Literal[tuple(services.RETURN_REASONS)]  # type: ignore[valid-type]
ChargesIn = decimal_in(
    max_digits=11, places=2, ge=0, pattern=r"^\d{1,9}(\.\d{1,2})?$", example="3.50",
    about="The bank's charges for the return (posted to 626), a decimal string ≥ 0 with up to 2 decimals.",
)  # fmt: skip
XML_RESPONSE = {
    "responses": {
        "200": {
            "description": "The pain.008.001.02 file, valid against its schema",
            "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


# Mandates


class MandateIn(StrictSchema):
    party_id: Id = Field(description="A customer of the company")
    reference: str = Field(max_length=35, description="Unique in the company; SEPA characters, at most 35")
    iban: str = Field(max_length=50, description="The customer's IBAN (spaces allowed)")
    bic: str = Field("", max_length=15, description="The customer's BIC (8 or 11 characters), optional")
    signed_on: Day | None = Field(
        None, description="The day the customer signed; required, not in the future"
    )
    scheme: SchemeName = Field("CORE", description="CORE (consumers and businesses) or B2B (businesses)")
    active: bool = True


class MandatePatch(StrictSchema):
    # Fields left out keep their value; none takes null.
    party_id: Id = None
    reference: Annotated[str, Field(max_length=35)] = None
    iban: Annotated[str, Field(max_length=50)] = None
    bic: Annotated[str, Field(max_length=15)] = None
    signed_on: Day = None
    scheme: SchemeName = None
    active: bool = None


class MandateOut(Schema):
    id: int
    party_id: int
    party_name: str
    reference: str
    iban: str
    bic: str
    signed_on: date
    scheme: SchemeName
    sequence_type: SequenceName = Field(description="The sequence type of its next collection")
    active: bool


class MandateList(Schema):
    count: int
    items: list[MandateOut]


def _mandate_body(mandate: Mandate) -> dict:
    return {
        "id": mandate.pk, "party_id": mandate.party_id, "party_name": mandate.party.name,
        "reference": mandate.reference, "iban": mandate.iban, "bic": mandate.bic, "signed_on": mandate.signed_on,
        "scheme": mandate.scheme, "sequence_type": mandate.sequence_type, "active": mandate.active,
    }  # fmt: skip


def _mandate_read(request: HttpRequest, mandate) -> dict:
    return _mandate_body(services.mandate_get(request.company, getattr(mandate, "pk", mandate)))


def _mandate_visible(request: HttpRequest, mandate_id: int) -> None:
    if not Mandate.objects.filter(company=request.company, pk=mandate_id).exists():
        raise NotFound("No such mandate.")


@endpoints.get(
    "/payments/mandates", MandateList, perm="payments.view_mandate",
    summary="Customers' SEPA mandates, by reference",
)  # fmt: skip
def mandate_list(
    request: HttpRequest,
    limit: Limit = 100,
    offset: Offset = 0,
    party_id: QueryId = None,
    active: bool | None = None,
    q: Annotated[str, Query(max_length=100)] = "",
):
    mandates = (
        Mandate.objects.filter(company=request.company).select_related("party").order_by("reference", "pk")
    )
    if party_id is not None:
        mandates = mandates.filter(party_id=party_id)
    if active is not None:
        mandates = mandates.filter(active=active)
    for word in q.replace("\x00", "").split():
        mandates = mandates.filter(Q(reference__icontains=word) | Q(party__name__icontains=word))
    count, rows = page_of(mandates, limit=limit, offset=offset)
    return {"count": count, "items": [_mandate_body(mandate) for mandate in rows]}


@endpoints.get(
    "/payments/mandates/{mandate_id}", MandateOut, perm="payments.view_mandate", summary="A SEPA mandate"
)  # fmt: skip
def mandate_read(request: HttpRequest, mandate_id: RecordId):
    return _mandate_read(request, mandate_id)


@endpoints.post(
    "/payments/mandates", MandateOut, perm="payments.add_mandate", idempotent=True, read=_mandate_read,
    summary="Add a customer's SEPA mandate",
    description="IBAN and BIC checked; the reference unique in the company, in SEPA characters; the signature "
    "date required and not in the future. Its first collection goes as FRST, the next ones as RCUR.",
)  # fmt: skip
def mandate_create(request: HttpRequest, payload: MandateIn):
    return services.mandate_save(company=request.company, by=request.user, **payload.dict())


@endpoints.patch(
    "/payments/mandates/{mandate_id}", MandateOut, perm="payments.change_mandate", visible=_mandate_visible,
    read=_mandate_read, summary="Change a SEPA mandate (deactivate it with active: false)",
)  # fmt: skip
def mandate_update(request: HttpRequest, mandate_id: RecordId, payload: MandatePatch):
    current = services.mandate_get(request.company, mandate_id)
    fields = {
        "party_id": current.party_id, "reference": current.reference, "iban": current.iban, "bic": current.bic,
        "signed_on": current.signed_on, "scheme": current.scheme, "active": current.active,
    }  # fmt: skip
    fields |= payload.dict(exclude_unset=True)
    return services.mandate_save(company=request.company, by=request.user, mandate_id=mandate_id, **fields)


# Remittances


class RemittanceIn(StrictSchema):
    bank_account_id: Id = Field(description="An active bank account with a SEPA creditor identifier")
    charge_date: Day = Field(description="The day the bank charges the customers; not in the past")
    due_ids: list[Id] = Field(
        min_length=1, max_length=services.MAX_LINES,
        description="Customers' due amounts left to collect, each of a customer with an active mandate",
    )  # fmt: skip


class RemittanceReturnIn(StrictSchema):
    reason: ReasonCode = Field(description="The bank's ISO 20022 reason code (AM04 insufficient funds, …)")
    date: Day = Field(description="The day of the return: not before the charge date, not in the future")
    charges: ChargesIn = Field("0", description="The bank's charges for the return, posted to 626")


class RemittanceLineOut(Schema):
    id: int
    due_id: int
    document: str
    installment: str
    due_date: date
    party_id: int
    party_name: str
    mandate_id: int
    mandate_reference: str
    amount: MoneyOut
    sequence_type: SequenceName
    end_to_end_id: str
    state: LineState
    payment_id: int | None
    return_reason: str
    returned_on: date | None
    return_entry_id: int | None


class RemittanceOut(Schema):
    id: int
    number: str
    bank_account_id: int
    bank_account_name: str
    charge_date: date
    state: RemittanceState
    total: MoneyOut
    line_count: int
    message_id: str = Field(description="The file's message id (MsgId)")
    entry_id: int | None = Field(description="The bank entry posted with it")
    posted_at: datetime | None


class RemittanceDetailOut(RemittanceOut):
    lines: list[RemittanceLineOut]


class RemittanceList(Schema):
    count: int
    items: list[RemittanceOut]


class CandidateOut(Schema):
    id: int
    document: str
    installment: str
    due_date: date
    party_id: int
    party_name: str
    remaining: MoneyOut


class CandidateList(Schema):
    count: int
    items: list[CandidateOut]


def _remittance_body(remittance: Remittance, line_count: int) -> dict:
    return {
        "id": remittance.pk, "number": remittance.number, "bank_account_id": remittance.bank_account_id,
        "bank_account_name": remittance.bank_account.name, "charge_date": remittance.charge_date,
        "state": remittance.state, "total": remittance.total, "line_count": line_count,
        "message_id": remittance.message_id, "entry_id": remittance.entry_id, "posted_at": remittance.posted_at,
    }  # fmt: skip


def _line_body(line: RemittanceLine) -> dict:
    due = line.due
    payment = getattr(line, "payment", None)
    return {
        "id": line.pk, "due_id": due.pk, "document": due.origin_number,
        "installment": f"{due.installment}/{due.installments}", "due_date": due.due_date,
        "party_id": due.party_id, "party_name": due.party.name, "mandate_id": line.mandate_id,
        "mandate_reference": line.mandate.reference, "amount": line.amount, "sequence_type": line.sequence_type,
        "end_to_end_id": line.end_to_end_id, "state": line.state, "payment_id": payment.pk if payment else None,
        "return_reason": line.return_reason, "returned_on": line.returned_on,
        "return_entry_id": line.return_entry_id,
    }  # fmt: skip


def _remittance_read(request: HttpRequest, remittance) -> dict:
    found = services.remittance_get(request.company, getattr(remittance, "pk", remittance))
    lines = services.remittance_lines(found)
    return {**_remittance_body(found, len(lines)), "lines": [_line_body(line) for line in lines]}


def _remittance_visible(request: HttpRequest, remittance_id: int) -> None:
    if not Remittance.objects.filter(company=request.company, pk=remittance_id).exists():
        raise NotFound("No such remittance.")


def _line_visible(request: HttpRequest, line_id: int) -> None:
    if not RemittanceLine.objects.filter(company=request.company, pk=line_id).exists():
        raise NotFound("No such remittance line.")


def _line_read(request: HttpRequest, line: RemittanceLine) -> dict:
    found = (
        RemittanceLine.objects.filter(company=request.company, pk=line.pk)
        .select_related("due", "due__party", "mandate", "payment")
        .get()
    )
    return _line_body(found)


@endpoints.get(
    "/payments/remittances", RemittanceList, perm="payments.view_remittance",
    summary="SEPA remittances, latest charge date first",
)  # fmt: skip
def remittance_list(
    request: HttpRequest, limit: Limit = 50, offset: Offset = 0, state: RemittanceState | None = None
):
    remittances = (
        Remittance.objects.filter(company=request.company)
        .select_related("bank_account")
        .annotate(line_count=Count("lines"))
        .order_by("-charge_date", "-pk")
    )
    if state is not None:
        remittances = remittances.filter(state=state)
    count, rows = page_of(remittances, limit=limit, offset=offset)
    return {"count": count, "items": [_remittance_body(row, row.line_count) for row in rows]}


@endpoints.get(
    "/payments/remittance-candidates", CandidateList, perm="payments.view_remittance",
    summary="Due amounts a new remittance can charge",
    description="Customers' due amounts left to collect (open, partially paid or returned) due up to the date, "
    "whose customer has an active mandate; oldest first.",
)  # fmt: skip
def remittance_candidates(
    request: HttpRequest, charge_date_until: Day, limit: Limit = 500, offset: Offset = 0
):
    found = services.remittance_candidates(request.company, charge_date_until=charge_date_until)
    count, rows = page_of(found, limit=limit, offset=offset)
    items = [
        {
            "id": due.pk,
            "document": due.origin_number,
            "installment": f"{due.installment}/{due.installments}",
            "due_date": due.due_date,
            "party_id": due.party_id,
            "party_name": due.party.name,
            "remaining": due.amount - due.paid,
        }
        for due in rows
    ]
    return {"count": count, "items": items}


@endpoints.get(
    "/payments/remittances/{remittance_id}", RemittanceDetailOut, perm="payments.view_remittance",
    summary="A remittance with its lines",
)  # fmt: skip
def remittance_read(request: HttpRequest, remittance_id: RecordId):
    return _remittance_read(request, remittance_id)


@endpoints.post(
    "/payments/remittances", RemittanceDetailOut, perm="payments.add_remittance", idempotent=True,
    read=_remittance_read, summary="Create a draft remittance of due amounts",
    description="Each due amount is charged what it has left, under its customer's active mandate (FRST while "
    "the mandate was never collected, then RCUR); the due amounts become `remitted`. 422 with nothing created "
    "for a due amount of a customer without an active mandate (all listed), one already remitted or paid, a "
    "bank account without a valid creditor identifier or a charge date in the past.",
)  # fmt: skip
def remittance_create(request: HttpRequest, payload: RemittanceIn):
    return services.remittance_create(company=request.company, by=request.user, **payload.dict())


@endpoints.get(
    "/payments/remittances/{remittance_id}/file", None, status=200, perm="payments.view_remittance",
    visible=_remittance_visible, summary="The remittance's pain.008.001.02 file",
    description="Valid against the pain.008.001.02 schema (the one Spanish banks take for CORE and B2B): one "
    "payment information block per sequence type and scheme. A file that would not validate is a 422 with "
    "the schema's reason.",
    openapi_extra=XML_RESPONSE,
)  # fmt: skip
def remittance_file(request: HttpRequest, remittance_id: RecordId):
    remittance = services.remittance_get(request.company, remittance_id)
    response = HttpResponse(
        services.remittance_file(request.company, remittance.pk), content_type="application/xml"
    )
    response["Content-Disposition"] = f'attachment; filename="{services.remittance_filename(remittance)}"'
    return response


@endpoints.post(
    "/payments/remittances/{remittance_id}/post", RemittanceDetailOut, perm="payments.change_remittance",
    visible=_remittance_visible, read=_remittance_read, summary="Post a remittance the bank has charged",
    description="One payment per line pays its due amount; one bank entry dated the charge date (D 572x the "
    "total, C each customer's 4300); the mandates' next sequence type is RCUR. 409 before the charge date or "
    "when posted already.",
)  # fmt: skip
def remittance_post(request: HttpRequest, remittance_id: RecordId):
    return services.remittance_post(company=request.company, by=request.user, remittance_id=remittance_id)


@endpoints.post(
    "/payments/remittances/{remittance_id}/cancel", None, perm="payments.change_remittance",
    visible=_remittance_visible, summary="Cancel a draft remittance",
    description="Its due amounts go back to what they were; 409 once posted (record returns instead).",
)  # fmt: skip
def remittance_cancel(request: HttpRequest, remittance_id: RecordId):
    services.remittance_cancel(company=request.company, by=request.user, remittance_id=remittance_id)


@endpoints.post(
    "/payments/remittance-lines/{line_id}/return", RemittanceLineOut, perm="payments.change_remittance",
    visible=_line_visible, read=_line_read, summary="Record the bank's return of a collected line",
    description="The due amount reopens (state `returned`), the return is posted (D 4300 with the customer, "
    "C 572x; charges D 626, C 572x) and the line's payment is marked reversed. A reason that says the mandate or "
    "account is no good deactivates the mandate; a returned first collection makes the mandate FRST again. 409 "
    "for a line not collected or returned already.",
)  # fmt: skip
def remittance_line_return(request: HttpRequest, line_id: RecordId, payload: RemittanceReturnIn):
    return services.remittance_return(
        company=request.company, by=request.user, line_id=line_id, reason=payload.reason, date=payload.date,
        charges=payload.charges,
    )  # fmt: skip
