"""/payments/payments: receipts from customers and payments to suppliers, recorded with their entry and
matched to due amounts (`payment_record`), read with their allocations, reversed, and their credit left on the
party's account applied to later due amounts (`credit_apply`)."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.db.models import Q
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
    decimal_in,
    page_of,
)
from nexo.core.errors import NotFound
from nexo.payments.models import Allocation, Direction, Payment
from nexo.payments.services import payments as services
from nexo.payments.services.payments import Match

endpoints = Endpoints()

Day = date  # a field named `date` would shadow the type
DirectionName = Literal[tuple(Direction.values)]  # type: ignore[valid-type]
MethodName = Literal[tuple(Payment.Method.values)]  # type: ignore[valid-type]
StateName = Literal[tuple(Payment.State.values)]  # type: ignore[valid-type]
AmountIn = decimal_in(
    max_digits=15, places=2, ge=0, pattern=r"^\d{1,13}(\.\d{1,2})?$", example="121.00",
    about="An amount ≥ 0 (0 only in an offset), a decimal string with up to 2 decimals.",
)  # fmt: skip
MatchAmountIn = decimal_in(
    max_digits=15, places=2, pattern=r"^-?\d{1,13}(\.\d{1,2})?$", example="121.00",
    about="What the payment pays of the due amount (negative on a credit note's), up to 2 decimals.",
)  # fmt: skip
ORDERINGS = ("date", "-date", "number", "-number", "amount", "-amount", "id", "-id")


class AllocationIn(StrictSchema):
    due_id: Id
    amount: MatchAmountIn


class PaymentIn(StrictSchema):
    direction: DirectionName = Field(
        description="receivable: a receipt from a customer; payable: to a supplier"
    )
    party_id: Id
    date: Day
    amount: AmountIn
    method: MethodName = "transfer"
    bank_account_id: Id | None = Field(None, description="Needed but for cash and offsets")
    reference: Annotated[str, Field(max_length=140), SafeText] = ""
    keep_credit: bool = Field(
        False, description="Keep what the allocations leave of the amount as the party's credit"
    )
    allocations: list[AllocationIn] = Field([], max_length=services.MAX_ALLOCATIONS)


class PaymentReverseIn(StrictSchema):
    date: Day | None = Field(None, description="The reversal's date (default: the payment's)")


class CreditApplyIn(StrictSchema):
    allocations: list[AllocationIn] = Field(min_length=1, max_length=services.MAX_ALLOCATIONS)
    date: Day | None = Field(
        None, description="When it takes effect (default today; never before the payment)"
    )


class AllocationOut(Schema):
    id: int
    due_id: int
    origin: str
    origin_id: int
    origin_number: str
    installment: int
    installments: int
    due_date: date
    amount: MoneyOut


class PaymentOut(Schema):
    id: int
    number: str
    direction: DirectionName
    party_id: int
    party_name: str
    date: Day
    method: MethodName
    bank_account_id: int | None
    currency: str
    amount: MoneyOut
    applied: MoneyOut = Field(description="What is matched to due amounts")
    unapplied: MoneyOut = Field(description="What stays on the party's account as its credit")
    reference: str
    state: StateName
    entry_id: int | None
    reversal_entry_id: int | None
    reversed_at: datetime | None


class PaymentDetail(PaymentOut):
    allocations: list[AllocationOut]


class PaymentList(Schema):
    count: int
    items: list[PaymentOut]


def _fields(payment: Payment) -> dict:
    return {
        "id": payment.pk, "number": payment.number, "direction": payment.direction,
        "party_id": payment.party_id, "party_name": payment.party.name, "date": payment.date,
        "method": payment.method, "bank_account_id": payment.bank_account_id, "currency": payment.currency,
        "amount": payment.amount, "applied": payment.applied, "unapplied": payment.amount - payment.applied,
        "reference": payment.reference, "state": payment.state, "entry_id": payment.entry_id,
        "reversal_entry_id": payment.reversal_entry_id, "reversed_at": payment.reversed_at,
    }  # fmt: skip


def payment_body(request: HttpRequest, payment: Payment | int) -> dict:
    payment_id = payment if isinstance(payment, int) else payment.pk
    payment = services.payment_get(request.company, payment_id)
    allocations = Allocation.objects.filter(payment=payment).select_related("due").order_by("pk")
    return {
        **_fields(payment),
        "allocations": [
            {
                "id": allocation.pk,
                "due_id": allocation.due_id,
                "origin": allocation.due.origin_model,
                "origin_id": allocation.due.origin_id,
                "origin_number": allocation.due.origin_number,
                "installment": allocation.due.installment,
                "installments": allocation.due.installments,
                "due_date": allocation.due.due_date,
                "amount": allocation.amount,
            }
            for allocation in allocations
        ],
    }


def payment_visible(request: HttpRequest, payment_id: int) -> None:
    if not Payment.objects.filter(company=request.company, pk=payment_id).exists():
        raise NotFound(_("No such payment."))


def _matches(allocations: list[AllocationIn]) -> list[Match]:
    return [Match(allocation.due_id, allocation.amount) for allocation in allocations]


@endpoints.get(
    "/payments/payments", PaymentList, perm="payments.view_payment", summary="List payments, the latest first",
    description="`q` searches the number, the reference and the party's name; dates are inclusive.",
)  # fmt: skip
def payment_list(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    direction: DirectionName | None = None,
    party_id: QueryId = None,
    method: MethodName | None = None,
    state: StateName | None = None,
    bank_account_id: QueryId = None,
    date_from: Day | None = None,
    date_to: Day | None = None,
    ordering: Literal[ORDERINGS] = "-date",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    payments = Payment.objects.filter(company=request.company).select_related("party")
    for word in q.split():
        payments = payments.filter(
            Q(number__icontains=word) | Q(reference__icontains=word) | Q(party__name__icontains=word)
        )
    filters = {
        "direction": direction, "party_id": party_id, "method": method, "state": state,
        "bank_account_id": bank_account_id, "date__gte": date_from, "date__lte": date_to,
    }  # fmt: skip
    payments = payments.filter(**{name: value for name, value in filters.items() if value is not None})
    count, rows = page_of(payments.order_by(ordering, "-pk"), limit=limit, offset=offset)
    return {"count": count, "items": [_fields(row) for row in rows]}


@endpoints.post(
    "/payments/payments", PaymentDetail, perm="payments.add_payment", idempotent=True, read=payment_body,
    summary="Record a payment matched to due amounts",
    description="Posts its entry at once (the bank account's 572x, or cash, against the party's 430 / 400). "
    "422: an amount of zero (but in an offset), allocations adding up to more than the amount, an amount above "
    "them without `keep_credit`, a due amount twice, of another party, direction or company, or more than it "
    "has left; 409: a due amount already paid.",
)  # fmt: skip
def payment_create(request: HttpRequest, payload: PaymentIn):
    return services.payment_record(
        company=request.company, by=request.user, direction=payload.direction, party_id=payload.party_id,
        date=payload.date, amount=payload.amount, method=payload.method,
        bank_account_id=payload.bank_account_id, allocations=_matches(payload.allocations),
        reference=payload.reference, keep_credit=payload.keep_credit,
    )  # fmt: skip


@endpoints.get(
    "/payments/payments/{payment_id}", PaymentDetail, perm="payments.view_payment", visible=payment_visible,
    summary="Read a payment with its allocations",
)  # fmt: skip
def payment_read(request: HttpRequest, payment_id: RecordId):
    return payment_body(request, payment_id)


@endpoints.post(
    "/payments/payments/{payment_id}/reverse", PaymentDetail, perm="payments.reverse_payment",
    visible=payment_visible, read=payment_body, summary="Reverse a payment",
    description="Reverses its entry and reopens what it paid. 409 once reversed; 422 for a date before the "
    "payment's or in a closed or locked period.",
)  # fmt: skip
def payment_reverse(request: HttpRequest, payment_id: RecordId, payload: PaymentReverseIn):
    return services.payment_reverse(
        company=request.company, by=request.user, payment_id=payment_id, date=payload.date
    )


@endpoints.post(
    "/payments/payments/{payment_id}/apply-credit", PaymentDetail, perm="payments.add_payment",
    visible=payment_visible, read=payment_body, summary="Apply a payment's unapplied credit to due amounts",
    description="No money moves. 422: more than the credit left, or a due amount of another party, "
    "direction or company; 409: a reversed payment or a due amount already paid.",
)  # fmt: skip
def payment_apply_credit(request: HttpRequest, payment_id: RecordId, payload: CreditApplyIn):
    return services.credit_apply(
        company=request.company, by=request.user, payment_id=payment_id,
        allocations=_matches(payload.allocations), date=payload.date,
    )  # fmt: skip


__all__ = ["endpoints", "payment_body"]
