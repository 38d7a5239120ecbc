"""/accounting/payment-terms and /accounting/parties/{id}/profile: the company's payment terms (listed, read,
added, changed, deleted while unused, made the default, and a preview of how a total falls due), and a
party's collection profile (its terms as customer and supplier, credit limit and holiday month)."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from nexo.accounting.models import AccountingSettings, PartyAccounting, PaymentTerm, PaymentTermLine
from nexo.accounting.rules.payment_terms import MAX_DAYS, MAX_INSTALLMENTS, parse_payment_days
from nexo.accounting.services import payment_terms as services
from nexo.core.api import (
    Endpoints,
    Id,
    Limit,
    MoneyOut,
    Offset,
    PercentOut,
    RecordId,
    SafeText,
    StrictSchema,
    decimal_in,
    page_of,
)
from nexo.core.errors import NotFound
from nexo.parties.models import Party

endpoints = Endpoints()

Day = date  # a field named `date` would shadow the type
SplitDay = Annotated[date, Field(ge=date(1900, 1, 1), le=date(9000, 12, 31))]
TermName = Annotated[str, Field(min_length=1, max_length=services.MAX_NAME_LENGTH)]
EnglishName = Annotated[str, Field(max_length=services.MAX_NAME_LENGTH)]
Days = Annotated[int, Field(ge=0, le=MAX_DAYS, description="Days after the invoice date")]
PaymentDay = Annotated[int, Field(ge=1, le=31)]
PaymentDays = Annotated[
    list[PaymentDay],
    Field(max_length=12, description="Days of the month the payer pays on (e.g. [5, 20]); [] any day"),
]
Month = Annotated[int, Field(ge=1, le=12, description="1 (January) to 12 (December)")]
InstallmentPercentIn = decimal_in(
    max_digits=5, places=2, gt=0, le=100, pattern=r"^\d{1,3}(\.\d{1,2})?$", example="50.00",
    about="Percentage of the total above 0 and up to 100, a decimal string with up to 2 decimals.",
)  # fmt: skip
CreditLimitIn = decimal_in(
    max_digits=18, places=2, ge=0, pattern=r"^\d{1,16}(\.\d{1,2})?$", example="5000.00",
    about="An amount ≥ 0, a decimal string with up to 2 decimals.",
)  # fmt: skip
SplitTotalIn = decimal_in(
    max_digits=18, places=2, pattern=r"^-?\d{1,16}(\.\d{1,2})?$", example="1210.00",
    about="The document's total (negative for a credit note), a decimal string with up to 2 decimals.",
)  # fmt: skip


class TermInstallmentIn(StrictSchema):
    days: Days
    percent: InstallmentPercentIn | None = Field(
        None, description="null: an equal part of what the installments with a percentage leave"
    )


class PaymentTermIn(StrictSchema):
    name: Annotated[TermName, SafeText] = Field(description="The name in Spanish; unique in the company")
    name_en: Annotated[EnglishName, SafeText] = ""
    end_of_month: bool = Field(False, description="Each due date moves to the last day of its month")
    payment_days: PaymentDays = []
    lines: list[TermInstallmentIn] = Field(
        min_length=1, max_length=MAX_INSTALLMENTS, description="The installments, in order"
    )
    active: bool = True


class PaymentTermPatch(StrictSchema):
    # Fields left out keep their value; `lines`, when sent, replace all the installments.
    name: Annotated[TermName, SafeText] = None
    name_en: Annotated[EnglishName, SafeText] = None
    end_of_month: bool = None
    payment_days: PaymentDays = None
    lines: list[TermInstallmentIn] = Field(None, min_length=1, max_length=MAX_INSTALLMENTS)
    active: bool = Field(None, description="The company's default term stays active")


class TermInstallmentOut(Schema):
    days: int
    percent: PercentOut | None = Field(description="null: an equal part of what the others leave")


class PaymentTermOut(Schema):
    id: int
    name: str
    name_en: str
    end_of_month: bool
    payment_days: list[int]
    active: bool
    is_default: bool = Field(description="The term of every party without its own")
    summary: str = Field(description='The installments in words, e.g. "30-60-90 días"')
    lines: list[TermInstallmentOut]


class PaymentTermList(Schema):
    count: int
    items: list[PaymentTermOut]


class TermSplitIn(StrictSchema):
    total: SplitTotalIn
    date: SplitDay = Field(description="The document's date")
    holiday_month: Month | None = Field(None, description="The party's month without due dates")


class DueAmountPreview(Schema):
    due_date: date
    amount: MoneyOut


class TermSplitOut(Schema):
    term_id: int
    total: MoneyOut
    date: Day
    items: list[DueAmountPreview] = Field(description="In installment order; the amounts add up to the total")


class PartyProfileIn(StrictSchema):
    customer_term_id: Id | None = Field(None, description="null: the company's default term")
    supplier_term_id: Id | None = Field(None, description="null: the company's default term")
    credit_limit: CreditLimitIn | None = Field(None, description="null: no limit")
    holiday_month: Month | None = Field(None, description="null: none")


class PartyProfileOut(Schema):
    party_id: int
    customer_term_id: int | None = Field(description="Its own term as a customer; null: the default")
    supplier_term_id: int | None = Field(description="Its own term as a supplier; null: the default")
    effective_customer_term_id: int | None = Field(description="The term its invoices use")
    effective_supplier_term_id: int | None = Field(description="The term its supplier invoices use")
    credit_limit: MoneyOut | None = Field(description="null: no limit")
    holiday_month: int | None


def _default_term_id(request: HttpRequest) -> int | None:
    return (
        AccountingSettings.objects.filter(company=request.company)
        .values_list("default_term_id", flat=True)
        .first()
    )


def _term_body(term: PaymentTerm, default_id: int | None) -> dict:
    lines = list(term.lines.all())
    return {
        "id": term.pk,
        "name": term.name,
        "name_en": term.name_en,
        "end_of_month": term.end_of_month,
        "payment_days": list(parse_payment_days(term.payment_days)),
        "active": term.active,
        "is_default": term.pk == default_id,
        "summary": services.installments_summary(lines),
        "lines": [{"days": line.days, "percent": line.percent} for line in lines],
    }


def _terms(request: HttpRequest):
    lines = Prefetch("lines", queryset=PaymentTermLine.objects.order_by("position", "pk"))
    return PaymentTerm.objects.filter(company=request.company).prefetch_related(lines)


def _read_term(request: HttpRequest, term) -> dict:
    term_id = term if isinstance(term, int) else term.pk
    return _term_body(_terms(request).get(pk=term_id), _default_term_id(request))


def term_visible(request: HttpRequest, term_id: int) -> None:
    if not PaymentTerm.objects.filter(company=request.company, pk=term_id).exists():
        raise NotFound(_("No such payment term."))


def party_visible(request: HttpRequest, party_id: int) -> None:
    if not Party.objects.filter(company=request.company, pk=party_id).exists():
        raise NotFound(_("No such party."))


def _lines(lines: list[TermInstallmentIn]) -> list[tuple[int, Decimal | None]]:
    return [(line.days, line.percent) for line in lines]


@endpoints.get(
    "/accounting/payment-terms", PaymentTermList, perm="accounting.view_account",
    summary="List the payment terms, by name",
)  # fmt: skip
def payment_term_list(
    request: HttpRequest,
    q: Annotated[str, Query(max_length=100, description="Words in either name"), SafeText] = "",
    active: bool | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    queryset = _terms(request)
    for word in q.split():
        queryset = queryset.filter(Q(name__icontains=word) | Q(name_en__icontains=word))
    if active is not None:
        queryset = queryset.filter(active=active)
    count, items = page_of(queryset.order_by("name", "pk"), limit=limit, offset=offset)
    default_id = _default_term_id(request)
    return {"count": count, "items": [_term_body(term, default_id) for term in items]}


@endpoints.get(
    "/accounting/payment-terms/{term_id}", PaymentTermOut, perm="accounting.view_account",
    visible=term_visible, summary="Read a payment term",
)  # fmt: skip
def payment_term_read(request: HttpRequest, term_id: RecordId):
    return _read_term(request, term_id)


@endpoints.post(
    "/accounting/payment-terms", PaymentTermOut, perm="accounting.change_accountingsettings", idempotent=True,
    read=_read_term, summary="Add a payment term",
    description="Installments with a percentage take it; those without share what is left equally; the "
    "percentages add up to 100, or to less with at least one installment without one.",
)  # fmt: skip
def payment_term_create(request: HttpRequest, payload: PaymentTermIn):
    return services.payment_term_save(
        company=request.company,
        by=request.user,
        name=payload.name,
        name_en=payload.name_en,
        end_of_month=payload.end_of_month,
        payment_days=",".join(str(day) for day in payload.payment_days),
        lines=_lines(payload.lines),
        active=payload.active,
    )


@endpoints.patch(
    "/accounting/payment-terms/{term_id}", PaymentTermOut, perm="accounting.change_accountingsettings",
    visible=term_visible, read=_read_term, summary="Change a payment term",
    description="Documents already posted keep the due amounts they were split into.",
)  # fmt: skip
def payment_term_update(request: HttpRequest, term_id: RecordId, payload: PaymentTermPatch):
    term = _terms(request).get(pk=term_id)
    sent = payload.model_dump(exclude_unset=True)
    lines = (
        _lines(payload.lines) if "lines" in sent else [(line.days, line.percent) for line in term.lines.all()]
    )
    days = payload.payment_days if "payment_days" in sent else parse_payment_days(term.payment_days)
    return services.payment_term_save(
        company=request.company,
        by=request.user,
        term_id=term.pk,
        name=sent.get("name", term.name),
        name_en=sent.get("name_en", term.name_en),
        end_of_month=sent.get("end_of_month", term.end_of_month),
        payment_days=",".join(str(day) for day in days),
        lines=lines,
        active=sent.get("active", term.active),
    )


@endpoints.delete(
    "/accounting/payment-terms/{term_id}", None, perm="accounting.change_accountingsettings",
    visible=term_visible, summary="Delete a payment term nothing uses",
    description="A term in use (the company's default, a party, a quotation, an order, an invoice) answers "
    "409: deactivate it instead (PATCH active false).",
)  # fmt: skip
def payment_term_delete(request: HttpRequest, term_id: RecordId):
    services.payment_term_delete(company=request.company, by=request.user, term_id=term_id)


@endpoints.post(
    "/accounting/payment-terms/{term_id}/make-default", PaymentTermOut,
    perm="accounting.change_accountingsettings", visible=term_visible, read=_read_term,
    summary="Make an active term the company's default",
)  # fmt: skip
def payment_term_make_default(request: HttpRequest, term_id: RecordId):
    return services.default_term_set(request.company, request.user, term_id)


@endpoints.post(
    "/accounting/payment-terms/{term_id}/split", TermSplitOut, perm="accounting.view_account",
    visible=term_visible, summary="Preview the due amounts of a total under a term",
    description="Nothing is stored: the due dates and amounts a document of this total and date would get.",
)  # fmt: skip
def payment_term_split(request: HttpRequest, term_id: RecordId, payload: TermSplitIn):
    dues = services.term_split(
        company=request.company,
        term_id=term_id,
        total=payload.total,
        start=payload.date,
        holiday_month=payload.holiday_month,
    )
    return {
        "term_id": term_id,
        "total": payload.total,
        "date": payload.date,
        "items": [{"due_date": due, "amount": amount} for due, amount in dues],
    }


def _profile_body(request: HttpRequest, party_id: int) -> dict:
    own = PartyAccounting.objects.filter(party_id=party_id).first()
    default_id = _default_term_id(request)
    customer = own.customer_term_id if own else None
    supplier = own.supplier_term_id if own else None
    return {
        "party_id": party_id,
        "customer_term_id": customer,
        "supplier_term_id": supplier,
        "effective_customer_term_id": customer or default_id,
        "effective_supplier_term_id": supplier or default_id,
        "credit_limit": own.credit_limit if own else None,
        "holiday_month": own.holiday_month if own else None,
    }


@endpoints.get(
    "/accounting/parties/{party_id}/profile", PartyProfileOut, perm="accounting.view_account",
    visible=party_visible, summary="A party's payment terms, credit limit and holiday month",
)  # fmt: skip
def party_profile_read(request: HttpRequest, party_id: RecordId):
    return _profile_body(request, party_id)


@endpoints.put(
    "/accounting/parties/{party_id}/profile", PartyProfileOut, perm="accounting.change_account",
    visible=party_visible, summary="Set a party's payment terms, credit limit and holiday month",
    description="All four at once (a field left out is null: the default term, no limit, no holiday "
    "month). A term newly chosen must be an active term of the company.",
)  # fmt: skip
def party_profile_update(request: HttpRequest, party_id: RecordId, payload: PartyProfileIn):
    services.party_profile_set(
        company=request.company, by=request.user, party_id=party_id, **payload.model_dump()
    )
    return _profile_body(request, party_id)
