"""/payments/dues: the due amounts (vencimientos) posted invoices, credit notes and supplier invoices left,
with what is paid and left, filtered by direction, party, state, due date and origin; read one."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.core.aggregates import MoneySum
from nexo.core.api import Endpoints, Limit, MoneyOut, Offset, QueryId, RecordId, page_of
from nexo.core.errors import NotFound
from nexo.payments.models import Direction, DueAmount
from nexo.payments.services.dues import INVOICE, OWED_STATES, SUPPLIER_INVOICE

endpoints = Endpoints()
ZERO = Decimal("0.00")

DirectionName = Literal[tuple(Direction.values)]  # type: ignore[valid-type]
DueState = Literal[tuple(DueAmount.State.values)]  # type: ignore[valid-type]
Origin = Literal[INVOICE, SUPPLIER_INVOICE]
ORDERINGS = ("due_date", "-due_date", "amount", "-amount", "document_date", "-document_date", "id", "-id")


class DueAmountOut(Schema):
    id: int
    direction: DirectionName
    party_id: int
    party_name: str
    account_id: int
    origin: str = Field(
        description="The document's model: `invoicing.invoice` or `invoicing.supplierinvoice`"
    )
    origin_id: int
    origin_number: str
    installment: int
    installments: int
    document_date: date
    due_date: date
    currency: str
    amount: MoneyOut = Field(description="Negative on a credit note")
    paid: MoneyOut
    remaining: MoneyOut
    state: DueState
    overdue: bool = Field(description="Still owed and due before today")
    reminder_level: int


class DueAmountList(Schema):
    count: int
    items: list[DueAmountOut]
    total_amount: MoneyOut = Field(description="Of every due amount matching the filters, not only this page")
    total_remaining: MoneyOut


def due_body(due: DueAmount, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    return {
        "id": due.pk, "direction": due.direction, "party_id": due.party_id, "party_name": due.party.name,
        "account_id": due.account_id, "origin": due.origin_model, "origin_id": due.origin_id,
        "origin_number": due.origin_number, "installment": due.installment, "installments": due.installments,
        "document_date": due.document_date, "due_date": due.due_date, "currency": due.currency,
        "amount": due.amount, "paid": due.paid, "remaining": due.amount - due.paid, "state": due.state,
        "overdue": due.state in OWED_STATES and due.due_date < today, "reminder_level": due.reminder_level,
    }  # fmt: skip


def due_visible(request: HttpRequest, due_id: int) -> None:
    if not DueAmount.objects.filter(company=request.company, pk=due_id).exists():
        raise NotFound(_("No such due amount."))


@endpoints.get(
    "/payments/dues", DueAmountList, perm="payments.view_dueamount",
    summary="List due amounts, the soonest due first",
    description="`state` one of open, partial, paid, remitted, returned; `open_only` keeps what is still owed "
    "(open, partial, remitted, returned); `due_before` is exclusive; `overdue` keeps what is owed and due "
    "before today. Totals cover every matching due amount.",
)  # fmt: skip
def due_list(
    request: HttpRequest,
    direction: DirectionName | None = None,
    party_id: QueryId = None,
    state: DueState | None = None,
    open_only: bool = False,
    due_before: date | None = None,
    overdue: bool = False,
    origin: Origin | None = None,
    origin_id: QueryId = None,
    ordering: Literal[ORDERINGS] = "due_date",  # type: ignore[valid-type]
    limit: Limit = 100,
    offset: Offset = 0,
):
    dues = DueAmount.objects.filter(company=request.company)
    filters = {
        "direction": direction, "party_id": party_id, "state": state, "due_date__lt": due_before,
        "origin_model": origin, "origin_id": origin_id,
    }  # fmt: skip
    dues = dues.filter(**{name: value for name, value in filters.items() if value is not None})
    if open_only or overdue:
        dues = dues.filter(state__in=OWED_STATES)
    if overdue:
        dues = dues.filter(due_date__lt=timezone.localdate())
    sums = dues.order_by().aggregate(amount=MoneySum("amount"), paid=MoneySum("paid"))
    amount, paid = sums["amount"] or ZERO, sums["paid"] or ZERO
    totals = {"total_amount": amount, "total_remaining": amount - paid}
    count, rows = page_of(dues.select_related("party").order_by(ordering, "pk"), limit=limit, offset=offset)
    today = timezone.localdate()
    return {"count": count, "items": [due_body(due, today) for due in rows], **totals}


@endpoints.get(
    "/payments/dues/{due_id}", DueAmountOut, perm="payments.view_dueamount", visible=due_visible,
    summary="Read a due amount",
)  # fmt: skip
def due_read(request: HttpRequest, due_id: RecordId):
    return due_body(DueAmount.objects.select_related("party").get(company=request.company, pk=due_id))


__all__ = ["DueAmountOut", "due_body", "endpoints"]
