"""/payments/statements: bank statements imported from a file (CSV, Norma 43, CAMT.053) sent as base64 in
JSON, read with each open line's proposed match; /payments/statement-lines/{id}: a line confirmed (its
payment recorded and matched), posted to an account, or unmatched."""

import base64
import binascii
from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.core.api import (
    Endpoints,
    Id,
    Limit,
    MoneyOut,
    Offset,
    QueryId,
    RecordId,
    SafeText,
    StrictSchema,
    page_of,
)
from nexo.core.errors import NotFound, ValidationFailed
from nexo.payments.models import BankStatement, StatementLine
from nexo.payments.rules.matching import SURE, Proposal
from nexo.payments.services import statements as services

endpoints = Endpoints()

Day = date
FormatName = Literal[tuple(BankStatement.Format.values)]  # type: ignore[valid-type]
LineStateName = Literal[tuple(StatementLine.State.values)]  # type: ignore[valid-type]
MAX_BASE64 = services.MAX_BYTES * 4 // 3 + 4


class StatementIn(StrictSchema):
    bank_account_id: Id
    file_name: Annotated[str, Field(max_length=200), SafeText] = ""
    content: str = Field(
        max_length=MAX_BASE64, description="The file's bytes in base64 (5 MB at most before encoding)"
    )
    format: FormatName | None = Field(None, description="Sniffed from the content when not given")


class LineConfirmIn(StrictSchema):
    due_ids: list[Id] | None = Field(
        None,
        max_length=500,
        description="The due amounts it pays, in due-date order; default: its proposal's",
    )
    party_id: Id | None = Field(None, description="Without due amounts: the party whose credit it becomes")
    keep_credit: bool = Field(
        False, description="Keep what the due amounts leave of the line as the party's credit"
    )


class LinePostIn(StrictSchema):
    account_id: Id
    description: Annotated[str, Field(max_length=200), SafeText] = ""
    party_id: Id | None = None


class ConfirmAllIn(StrictSchema):
    min_score: int = Field(SURE, ge=1, le=100, description="Confirm the proposals scoring at least this")


class ProposalOut(Schema):
    due_ids: list[int]
    party_id: int
    party_name: str
    numbers: list[str] = Field(description="The documents of the due amounts")
    amount: MoneyOut = Field(description="What the due amounts have left to pay")
    score: int = Field(description="0-100; 80 and above: sure")
    reasons: list[str] = Field(description="reference, amount, unique, iban, name, date, ambiguous")


class LineOut(Schema):
    id: int
    line_number: int
    date: Day
    value_date: Day | None
    amount: MoneyOut = Field(description="Positive: money in")
    reference: str
    description: str
    counterparty: str
    counterparty_iban: str
    state: LineStateName
    payment_id: int | None
    entry_id: int | None
    matched_at: datetime | None
    proposal: ProposalOut | None = None


class BankStatementOut(Schema):
    id: int
    bank_account_id: int
    format: FormatName
    file_name: str
    start: Day | None
    end: Day | None
    opening_balance: MoneyOut | None
    closing_balance: MoneyOut | None
    line_count: int
    matched_count: int = Field(description="Lines matched or posted")
    created_at: datetime


class StatementDetail(BankStatementOut):
    lines: list[LineOut]


class StatementList(Schema):
    count: int
    items: list[BankStatementOut]


class ConfirmAllOut(Schema):
    confirmed: list[int]


def _statement_fields(statement: BankStatement, matched: int) -> dict:
    return {
        "id": statement.pk, "bank_account_id": statement.bank_account_id, "format": statement.format,
        "file_name": statement.file_name, "start": statement.start, "end": statement.end,
        "opening_balance": statement.opening_balance, "closing_balance": statement.closing_balance,
        "line_count": statement.line_count, "matched_count": matched, "created_at": statement.created_at,
    }  # fmt: skip


def _proposal(proposal: Proposal | None, names: dict[int, str]) -> dict | None:
    if proposal is None:
        return None
    return {
        "due_ids": list(proposal.due_ids), "party_id": proposal.party_id,
        "party_name": names.get(proposal.party_id, ""), "numbers": list(proposal.numbers),
        "amount": proposal.amount, "score": proposal.score, "reasons": list(proposal.reasons),
    }  # fmt: skip


def _line_fields(line: StatementLine, proposal: dict | None = None) -> dict:
    return {
        "id": line.pk, "line_number": line.line_number, "date": line.date, "value_date": line.value_date,
        "amount": line.amount, "reference": line.reference, "description": line.description,
        "counterparty": line.counterparty, "counterparty_iban": line.counterparty_iban, "state": line.state,
        "payment_id": line.payment_id, "entry_id": line.entry_id, "matched_at": line.matched_at,
        "proposal": proposal,
    }  # fmt: skip


def statement_body(request: HttpRequest, statement: BankStatement | int) -> dict:
    statement = services.statement_get(
        request.company, statement if isinstance(statement, int) else statement.pk
    )
    lines = list(StatementLine.objects.filter(statement=statement).order_by("line_number", "pk"))
    matcher = services.matcher_of(request.company)
    proposals = services.proposals_of(matcher, lines)
    names = matcher.party_names
    return {
        **_statement_fields(statement, statement.matched),
        "lines": [_line_fields(line, _proposal(proposals.get(line.pk), names)) for line in lines],
    }


def statement_visible(request: HttpRequest, statement_id: int) -> None:
    if not BankStatement.objects.filter(company=request.company, pk=statement_id).exists():
        raise NotFound(_("No such bank statement."))


def line_visible(request: HttpRequest, line_id: int) -> None:
    if not StatementLine.objects.filter(company=request.company, pk=line_id).exists():
        raise NotFound(_("No such statement line."))


def line_body(request: HttpRequest, line: StatementLine) -> dict:
    return _line_fields(line)  # as the service left it: its state, payment or entry, and when


@endpoints.get(
    "/payments/statements", StatementList, perm="payments.view_bankstatement",
    summary="List imported bank statements, the latest first",
)  # fmt: skip
def statement_list(
    request: HttpRequest, bank_account_id: QueryId = None, limit: Limit = 50, offset: Offset = 0
):
    statements = services.statements_counted(request.company)
    if bank_account_id is not None:
        statements = statements.filter(bank_account_id=bank_account_id)
    count, rows = page_of(statements.order_by("-created_at", "-pk"), limit=limit, offset=offset)
    return {"count": count, "items": [_statement_fields(row, row.matched) for row in rows]}


@endpoints.post(
    "/payments/statements", StatementDetail, perm="payments.add_bankstatement", idempotent=True,
    read=statement_body, summary="Import a bank statement file",
    description="All its lines or none. 422: not base64, an unknown format, a broken line (the message names "
    "its line number), another account's IBAN, a bank account of another company; 409: the same file already "
    "imported.",
)  # fmt: skip
def statement_import(request: HttpRequest, payload: StatementIn):
    try:
        content = base64.b64decode(payload.content, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed.on("content", _("Send the file's content in base64.")) from None
    return services.statement_import(
        company=request.company, by=request.user, bank_account_id=payload.bank_account_id,
        file_name=payload.file_name, content=content, format=payload.format,
    )  # fmt: skip


@endpoints.get(
    "/payments/statements/{statement_id}", StatementDetail, perm="payments.view_bankstatement",
    visible=statement_visible, summary="A bank statement with its lines and each open line's proposed match",
)  # fmt: skip
def statement_read(request: HttpRequest, statement_id: RecordId):
    return statement_body(request, statement_id)


@endpoints.post(
    "/payments/statements/{statement_id}/confirm-all", ConfirmAllOut,
    perm=("payments.change_bankstatement", "payments.add_payment"), visible=statement_visible,
    summary="Confirm every line whose proposal is sure and pays exactly what its due amounts have left",
)  # fmt: skip
def statement_confirm_all(request: HttpRequest, statement_id: RecordId, payload: ConfirmAllIn):
    confirmed = services.lines_confirm_all(
        company=request.company, by=request.user, statement_id=statement_id, min_score=payload.min_score
    )
    return {"confirmed": [line.pk for line in confirmed]}


@endpoints.post(
    "/payments/statement-lines/{line_id}/confirm", LineOut,
    perm=("payments.change_bankstatement", "payments.add_payment"), visible=line_visible, read=line_body,
    summary="Confirm a line: its payment recorded and matched",
    description="Money in pays receivable due amounts, money out payable ones, in due-date order up to the "
    "line's amount. 409: the line is already matched or posted (a line is matched once), a due amount paid; "
    "422: due amounts of another direction, party or company, a line above them without `keep_credit`.",
)  # fmt: skip
def line_confirm(request: HttpRequest, line_id: RecordId, payload: LineConfirmIn):
    return services.line_confirm(
        company=request.company, by=request.user, line_id=line_id, due_ids=payload.due_ids,
        party_id=payload.party_id, keep_credit=payload.keep_credit,
    )  # fmt: skip


@endpoints.post(
    "/payments/statement-lines/{line_id}/post", LineOut, perm="payments.change_bankstatement",
    visible=line_visible, read=line_body, summary="Post a line to an account (bank charges, interest)",
    description="An entry in the bank journal: the bank account's 572x against the account. 409: the line is "
    "already matched or posted.",
)  # fmt: skip
def line_post(request: HttpRequest, line_id: RecordId, payload: LinePostIn):
    return services.line_post(
        company=request.company, by=request.user, line_id=line_id, account_id=payload.account_id,
        description=payload.description, party_id=payload.party_id,
    )  # fmt: skip


@endpoints.post(
    "/payments/statement-lines/{line_id}/unmatch", LineOut,
    perm=("payments.change_bankstatement", "payments.reverse_payment"), visible=line_visible, read=line_body,
    summary="Unmatch a line: its payment (or entry) reversed, the line open again",
    description="409: the line is open.",
)  # fmt: skip
def line_unmatch(request: HttpRequest, line_id: RecordId):
    return services.line_unmatch(company=request.company, by=request.user, line_id=line_id)
