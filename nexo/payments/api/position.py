"""/payments/parties/{party_id}/position, /statement (JSON or PDF) and /statement/send: a customer's position and
its statement of account, the same services as the pages (nexo.payments.services.position)."""

from datetime import date as Date
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema

from nexo.core.api import Endpoints, MoneyOut, RecordId, SafeText, StrictSchema
from nexo.payments.services import position as services
from nexo.payments.services.position_pdf import statement_filename, statement_pdf
from nexo.payments.services.position_sending import statement_send as send_statement

endpoints = Endpoints()
READ = "payments.view_dueamount"
Day = Annotated[Date | None, Query(description="YYYY-MM-DD")]


def _party_visible(request: HttpRequest, party_id: int) -> None:
    services.party_of(request.company, party_id)


class PartyPositionOut(Schema):
    party_id: int
    date: Date = Field(description="The day the due dates are compared with (today)")
    currency: str
    open_balance: MoneyOut = Field(description="Overdue plus not yet due less unapplied payments")
    overdue: MoneyOut = Field(description="Left to pay on due amounts that fell due before `date`")
    overdue_count: int
    not_yet_due: MoneyOut
    unapplied_credits: MoneyOut = Field(description="What posted payments left on account, not yet matched")
    credit_limit: MoneyOut | None = Field(description="null: no limit")
    open_orders: MoneyOut = Field(description="Confirmed sales orders' amount left to invoice, with VAT")
    exposure: MoneyOut = Field(
        description="Open balance plus open orders: what the credit limit is measured against"
    )
    available_credit: MoneyOut | None = Field(description="Credit limit less exposure; null without a limit")
    last_payment_date: Date | None
    ledger_balance: MoneyOut = Field(
        description="The party's balance on its receivable accounts in the books"
    )
    agrees_with_ledger: bool = Field(description="Whether the open balance equals the ledger balance")


class AccountMovementOut(Schema):
    date: Date
    kind: str = Field(description="invoice, credit_note, payment, reversal or return")
    number: str
    description: str
    debit: MoneyOut
    credit: MoneyOut
    balance: MoneyOut = Field(description="The running balance after this movement")
    origin_model: str = Field(description="`invoicing.invoice` or `payments.payment`")
    origin_id: int | None


class AccountStatementOut(Schema):
    party_id: int
    start: Date
    end: Date
    currency: str
    opening_balance: MoneyOut
    movements: list[AccountMovementOut]
    total_debit: MoneyOut
    total_credit: MoneyOut
    closing_balance: MoneyOut


class AccountStatementSendIn(StrictSchema):
    start: Date | None = Field(None, description="Default: the first day of the end's year")
    end: Date | None = Field(None, description="Default: today")
    to: Annotated[str, Field(max_length=254)] = Field(
        "", description="Empty: the customer's primary contact's e-mail, else the customer's"
    )
    message: Annotated[str, Field(max_length=5000), SafeText] = Field(
        "", description="Empty: the standard text in the customer's language"
    )


class AccountStatementSentOut(Schema):
    party_id: int
    start: Date
    end: Date
    to: str = Field(description="Where it goes; sent after the request, by a background task")


STATEMENT_RESPONSE = {
    "responses": {
        "200": {
            "description": "JSON, or the statement as the customer reads it with `format=pdf`",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/AccountStatementOut"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


@endpoints.get(
    "/payments/parties/{party_id}/position",
    PartyPositionOut,
    perm=READ,
    visible=_party_visible,
    summary="A customer's position: open balance, overdue, credit limit, open orders, available credit",
    description="Today's figures. The open balance (the open due amounts less the unapplied payments) is shown "
    "beside the party's balance on its receivable accounts in the books, which it always equals.",
)
def party_position(request: HttpRequest, party_id: RecordId):
    seen = services.position(request.company, party_id)
    return {
        "party_id": party_id, "date": seen.at, "currency": seen.currency, "open_balance": seen.open_balance,
        "overdue": seen.overdue, "overdue_count": seen.overdue_count, "not_yet_due": seen.not_yet_due,
        "unapplied_credits": seen.unapplied_credits, "credit_limit": seen.credit_limit,
        "open_orders": seen.open_orders, "exposure": seen.exposure, "available_credit": seen.available_credit,
        "last_payment_date": seen.last_payment_date, "ledger_balance": seen.ledger_balance,
        "agrees_with_ledger": seen.agrees_with_ledger,
    }  # fmt: skip


@endpoints.get(
    "/payments/parties/{party_id}/statement",
    AccountStatementOut,
    perm=READ,
    visible=_party_visible,
    summary="A customer's statement of account between two dates (JSON, or the PDF with `format=pdf`)",
    description="Both days included; this year to date by default; at most ten years. The opening balance, "
    "each movement (invoices and credit notes on their date, payments received, payments reversed or returned "
    "by the bank on the day they were undone) with the running balance, and the closing balance. `format=pdf`: "
    "the PDF in the customer's language. `start` after `end` answers 422.",
    openapi_extra=STATEMENT_RESPONSE,
)
def party_statement(
    request: HttpRequest,
    party_id: RecordId,
    start: Day = None,
    end: Day = None,
    format: Annotated[Literal["json", "pdf"], Query(description="json (default) or pdf")] = "json",
):
    statement = services.statement_of_account(request.company, party_id, start, end)
    if format == "pdf":
        response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{statement_filename(statement)}"'
        return response
    return {
        "party_id": party_id, "start": statement.start, "end": statement.end, "currency": statement.currency,
        "opening_balance": statement.opening_balance, "movements": list(statement.movements),
        "total_debit": statement.total_debit, "total_credit": statement.total_credit,
        "closing_balance": statement.closing_balance,
    }  # fmt: skip


@endpoints.post(
    "/payments/parties/{party_id}/statement/send",
    AccountStatementSentOut,
    perm=READ,
    visible=_party_visible,
    status=202,
    summary="E-mail a customer its statement of account (PDF) in its language",
    description="Accepted at once; the PDF is built and the e-mail sent after the request by a background task. "
    "422 for a missing or invalid address (`to`) or dates out of order.",
)
def party_statement_send(
    request: HttpRequest, party_id: RecordId, payload: AccountStatementSendIn | None = None
):
    payload = payload or AccountStatementSendIn()
    start, end = services.statement_range(payload.start, payload.end)
    sent_to = send_statement(
        company=request.company, by=request.user, party_id=party_id, start=start, end=end, to=payload.to,
        message=payload.message,
    )  # fmt: skip
    return {"party_id": party_id, "start": start, "end": end, "to": sent_to}
