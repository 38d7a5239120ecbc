"""/accounting/fiscal-years: fiscal years with their periods and figures, created, closed (regularisation,
closing and the next year's opening entries) and reopened; /accounting/periods: a month closed or opened;
/accounting/settings: the lock date and the stock method. Every change goes through
`accounting.services.fiscal_years`, `accounting.services.closing` and `accounting.services.ledger`."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Schema

from nexo.accounting.models import FiscalYear, Period
from nexo.accounting.rules import ledger
from nexo.accounting.services import closing
from nexo.accounting.services import fiscal_years as services
from nexo.accounting.services.ledger import lock_date_set, settings_of
from nexo.core.api import Endpoints, MoneyOut, RecordId, StrictSchema
from nexo.core.errors import NotFound

endpoints = Endpoints()

LockDay = Annotated[date, Field(ge=date(1900, 1, 1), le=date(9000, 12, 31))]
YearState = Literal["open", "closed"]
StockMethod = Literal["continental", "perpetual"]


class FiscalYearIn(StrictSchema):
    year: int | None = Field(
        None, ge=services.FIRST_YEAR, le=services.LAST_YEAR,
        description="The calendar year; left out: the year after the last fiscal year",
    )  # fmt: skip


class AccountingPeriodOut(Schema):
    id: int
    number: int
    start: date
    end: date
    state: YearState


class FiscalYearOut(Schema):
    id: int
    name: str
    start: date
    end: date
    state: YearState
    closed_at: datetime | None
    entries: int = Field(description="Journal entries dated in the year, drafts included")
    drafts: int = Field(description="Draft entries: a year with drafts cannot be closed")
    result: MoneyOut = Field(description="Income minus expenses of the posted entries (a loss is negative)")


class FiscalYearDetailOut(FiscalYearOut):
    periods: list[AccountingPeriodOut]


class FiscalYearList(Schema):
    count: int
    items: list[FiscalYearOut]


class AccountingSettingsOut(Schema):
    chart_template: str
    stock_method: StockMethod
    lock_date: date | None = Field(description="Nothing can be posted on or before this day; null: unlocked")


class AccountingSettingsIn(StrictSchema):
    lock_date: LockDay | None = Field(description="Nothing can be posted on or before this day; null unlocks")
    stock_method: StockMethod = Field(description="How stock is posted from now on (new moves)")


def _year_body(year: FiscalYear, figures: services.YearFigures, periods=None) -> dict:
    body = {
        "id": year.pk, "name": year.name, "start": year.start, "end": year.end, "state": year.state,
        "closed_at": year.closed_at, "entries": figures.entries, "drafts": figures.drafts, "result": figures.result,
    }  # fmt: skip
    if periods is not None:
        body["periods"] = periods
    return body


def _year_read(request: HttpRequest, year_or_id) -> dict:
    year_id = year_or_id.pk if isinstance(year_or_id, FiscalYear) else year_or_id
    year = FiscalYear.objects.filter(company=request.company, pk=year_id).first()
    if year is None:
        raise NotFound("No such fiscal year.")
    periods = list(Period.objects.filter(fiscal_year=year).order_by("number"))
    figures = services.year_figures(request.company).get(year.pk, services.YearFigures())
    return _year_body(year, figures, periods)


@endpoints.get(
    "/accounting/fiscal-years", FiscalYearList, perm="accounting.view_fiscalyear",
    summary="The fiscal years, oldest first, with their entries and result",
)  # fmt: skip
def fiscal_year_list(request: HttpRequest):
    figures = services.year_figures(request.company)
    items = [
        _year_body(year, figures.get(year.pk, services.YearFigures()))
        for year in FiscalYear.objects.filter(company=request.company).order_by("start")
    ]
    return {"count": len(items), "items": items}


@endpoints.get(
    "/accounting/fiscal-years/{fiscal_year_id}", FiscalYearDetailOut, perm="accounting.view_fiscalyear",
    summary="A fiscal year with its periods",
)  # fmt: skip
def fiscal_year_read(request: HttpRequest, fiscal_year_id: RecordId):
    return _year_read(request, fiscal_year_id)


@endpoints.post(
    "/accounting/fiscal-years", FiscalYearDetailOut, perm="accounting.add_fiscalyear", idempotent=True,
    read=_year_read, summary="Create a calendar fiscal year with its twelve periods",
    description="The year after the last one by default, or any year no fiscal year covers (409 if it exists).",
)  # fmt: skip
def fiscal_year_create(request: HttpRequest, payload: FiscalYearIn):
    return services.fiscal_year_create(company=request.company, by=request.user, year=payload.year)


@endpoints.post(
    "/accounting/fiscal-years/{fiscal_year_id}/close", FiscalYearDetailOut,
    perm="accounting.change_fiscalyear", read=_year_read, summary="Close a fiscal year",
    description="Posts the regularisation (income and expenses to the result account 129) and the closing "
    "entry on the year's last day and the opening entry on the next year's first day (creating that year), then "
    "closes the year and its periods. 409 for a year already closed, with draft entries, whose previous year is "
    "open, or on or before the lock date.",
)  # fmt: skip
def fiscal_year_close(request: HttpRequest, fiscal_year_id: RecordId):
    return closing.year_close(company=request.company, by=request.user, fiscal_year_id=fiscal_year_id)


@endpoints.post(
    "/accounting/fiscal-years/{fiscal_year_id}/reopen", FiscalYearDetailOut,
    perm="accounting.change_fiscalyear", read=_year_read, summary="Reopen the last closed fiscal year",
    description="Posts the reversals of its regularisation, closing and the next year's opening entries and "
    "opens the year and its periods. 409 unless it is the last closed year and the next year is not locked.",
)  # fmt: skip
def fiscal_year_reopen(request: HttpRequest, fiscal_year_id: RecordId):
    return closing.year_reopen(company=request.company, by=request.user, fiscal_year_id=fiscal_year_id)


@endpoints.post(
    "/accounting/periods/{period_id}/close", AccountingPeriodOut, perm="accounting.change_fiscalyear",
    summary="Close a period: nothing can be posted in it",
)  # fmt: skip
def period_close(request: HttpRequest, period_id: RecordId):
    return services.period_set_state(
        company=request.company, by=request.user, period_id=period_id, state=ledger.CLOSED
    )


@endpoints.post(
    "/accounting/periods/{period_id}/open", AccountingPeriodOut, perm="accounting.change_fiscalyear",
    summary="Open a closed period of an open fiscal year again",
)  # fmt: skip
def period_open(request: HttpRequest, period_id: RecordId):
    return services.period_set_state(
        company=request.company, by=request.user, period_id=period_id, state=ledger.OPEN
    )


@endpoints.get(
    "/accounting/settings", AccountingSettingsOut, perm="accounting.view_fiscalyear",
    summary="The company's accounting settings: chart template, stock method and lock date",
)  # fmt: skip
def accounting_settings_read(request: HttpRequest):
    return settings_of(request.company)


@endpoints.put(
    "/accounting/settings", AccountingSettingsOut, perm="accounting.change_accountingsettings",
    summary="Set the lock date and the stock method",
    description="Both at once, or neither: the lock date refuses any posting on or before it (null unlocks); "
    "the stock method applies to moves from now on, entries already posted stay as they are.",
)  # fmt: skip
def accounting_settings_update(request: HttpRequest, payload: AccountingSettingsIn):
    with transaction.atomic():
        lock_date_set(company=request.company, by=request.user, lock_date=payload.lock_date)
        return services.stock_method_set(
            company=request.company, by=request.user, stock_method=payload.stock_method
        )
