"""Fiscal year pages: the years with their state, entries and result (create the next one, close with a
confirmation step that shows the result and the entries it will post, reopen), a year's periods (close and
open each), the lock date, and the accounting settings page (chart template, stock method, lock date).

Every change is a service call (`accounting.services.fiscal_years`, `.closing`, `.ledger`); a refused input
comes back as a form error (422), a refused state as a message."""

from datetime import date as Date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nexo.accounting.forms import account_name
from nexo.accounting.models import Entry, FiscalYear, Period, StockMethod
from nexo.accounting.rules import ledger
from nexo.accounting.services import closing
from nexo.accounting.services import fiscal_years as services
from nexo.accounting.services.defaults import default_accounts
from nexo.accounting.services.ledger import lock_date_set, settings_of
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.permissions import page

CHART_NAMES = {
    "pgc_pymes": gettext_lazy("Spanish PGC for SMEs (PGC PYMES)"),
    "generic": gettext_lazy("Generic"),
}


def _messages_of(error: DomainError) -> list[str]:
    if isinstance(error, ValidationFailed) and error.errors:
        return [item["message"] for item in error.errors]
    return [error.detail]


def _refused(request: HttpRequest, error: DomainError) -> None:
    for message in _messages_of(error):
        messages.error(request, message)


def _day(value: str | None) -> tuple[Date | None, bool]:
    """A date typed in a form: (the day, True), (None, True) when left empty, (None, False) when not a date."""
    text = (value or "").strip()
    if not text:
        return None, True
    try:
        day = Date.fromisoformat(text)
    except ValueError:
        return None, False
    return (day, True) if 1900 <= day.year <= 9000 else (None, False)


# The list


def _list_context(request: HttpRequest, **shown) -> dict:
    company = request.company
    years = list(FiscalYear.objects.filter(company=company).order_by("-start"))
    figures = services.year_figures(company)
    last_closed = next((year for year in years if year.state == ledger.CLOSED), None)
    rows = [
        {
            "year": year,
            "figures": figures.get(year.pk, services.YearFigures()),
            "can_close": year.state == ledger.OPEN,
            "can_reopen": last_closed is not None and year.pk == last_closed.pk,
        }
        for year in years
    ]
    settings = settings_of(company)
    return {
        "title": _("Fiscal years"),
        "rows": rows,
        "next_year": services.next_year_of(company),
        "settings": settings,
        "lock_value": shown.pop("lock_value", settings.lock_date.isoformat() if settings.lock_date else ""),
        "currency": company.currency,
        **shown,
    }


@page("accounting.view_fiscalyear")
def fiscal_year_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounting/fiscal_year_list.html", _list_context(request))


@page("accounting.add_fiscalyear")
@require_POST
def fiscal_year_create(request: HttpRequest) -> HttpResponse:
    try:
        year = services.fiscal_year_create(company=request.company, by=request.user)
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(
            request, _("Fiscal year %(year)s created with its twelve periods.") % {"year": year.name}
        )
    return redirect("accounting:fiscal_year_list")


@page("accounting.change_accountingsettings")
@require_POST
def lock_date_update(request: HttpRequest) -> HttpResponse:
    """The lock date from the fiscal years page (empty unlocks); a date that is not one comes back as a form
    error."""
    lock_date, valid = _day(request.POST.get("lock_date"))
    if not valid:
        context = _list_context(
            request, lock_error=_("Enter a valid date."), lock_value=request.POST.get("lock_date", "")[:20]
        )
        return render(request, "accounting/fiscal_year_list.html", context, status=422)
    lock_date_set(company=request.company, by=request.user, lock_date=lock_date)
    if lock_date is None:
        messages.success(request, _("The books are unlocked."))
    else:
        messages.success(
            request, _("The books are locked up to %(date)s: nothing can be posted on or before it.")
            % {"date": lock_date.strftime("%d/%m/%Y")}
        )  # fmt: skip
    return redirect("accounting:fiscal_year_list")


# One year


def _year_of(request: HttpRequest, fiscal_year_id: int) -> FiscalYear:
    return get_object_or_404(FiscalYear, company=request.company, pk=fiscal_year_id)


@page("accounting.view_fiscalyear")
def fiscal_year_detail(request: HttpRequest, fiscal_year_id: int) -> HttpResponse:
    year = _year_of(request, fiscal_year_id)
    periods = list(Period.objects.filter(fiscal_year=year).order_by("number"))
    figures = services.year_figures(request.company).get(year.pk, services.YearFigures())
    special = list(
        Entry.objects.filter(company=request.company, fiscal_year=year)
        .exclude(kind=ledger.NORMAL)
        .order_by("date", "journal__code", "sequence")
        .select_related("reverses")
    )
    context = {
        "title": _("Fiscal year %(year)s") % {"year": year.name},
        "year": year,
        "periods": periods,
        "figures": figures,
        "special_entries": special,
        "can_change": request.user.has_perm("accounting.change_fiscalyear") and year.state == ledger.OPEN,
        "lock_date": settings_of(request.company).lock_date,
        "currency": request.company.currency,
    }
    return render(request, "accounting/fiscal_year_detail.html", context)


@page("accounting.change_fiscalyear")
def fiscal_year_close(request: HttpRequest, fiscal_year_id: int) -> HttpResponse:
    """GET: what closing would post (the result and the three entries) and why it cannot be closed now;
    POST: close the year."""
    year = _year_of(request, fiscal_year_id)
    if request.method == "POST":
        try:
            closing.year_close(company=request.company, by=request.user, fiscal_year_id=year.pk)
        except DomainError as error:
            _refused(request, error)
            return redirect("accounting:fiscal_year_close", fiscal_year_id=year.pk)
        messages.success(
            request,
            _("Fiscal year %(year)s is closed; %(next)s opens with its balances.")
            % {"year": year.name, "next": year.end.year + 1},
        )
        return redirect("accounting:fiscal_year_list")
    try:
        plan = closing.closing_plan(request.company, year)
    except DomainError as error:  # no result account in the chart
        plan = closing.ClosingPlan(year=year, next_start=year.end, problems=_messages_of(error))
    context = {
        "title": _("Close fiscal year %(year)s") % {"year": year.name},
        "year": year,
        "plan": plan,
        "regularisation": [_shown(row) for row in plan.income_and_expenses],
        "result_row": _shown(plan.result_account) if plan.result_account else None,
        "balance_sheet": [_shown(row) for row in plan.balance_sheet],
        "closing_total": sum((row.debit for row in plan.balance_sheet), ledger.ZERO),
        "currency": request.company.currency,
    }
    return render(request, "accounting/fiscal_year_close.html", context)


def _shown(row: closing.Balance) -> dict:
    """A balance as the confirmation step lists it: the account in the user's language, its party, and the
    side it sits on."""
    english = (get_language() or "").startswith("en")
    return {
        "code": row.code,
        "name": row.name_en if english and row.name_en else row.name,
        "party": row.party_name,
        "debit": row.debit,
        "credit": row.credit,
    }


@page("accounting.change_fiscalyear")
@require_POST
def fiscal_year_reopen(request: HttpRequest, fiscal_year_id: int) -> HttpResponse:
    year = _year_of(request, fiscal_year_id)
    try:
        closing.year_reopen(company=request.company, by=request.user, fiscal_year_id=year.pk)
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("Fiscal year %(year)s is open again: its closing entries are reversed.") % {"year": year.name},
        )
    return redirect("accounting:fiscal_year_list")


def _period_state(request: HttpRequest, period_id: int, state: str) -> HttpResponse:
    period = get_object_or_404(Period, fiscal_year__company=request.company, pk=period_id)
    try:
        services.period_set_state(company=request.company, by=request.user, period_id=period.pk, state=state)
    except DomainError as error:
        _refused(request, error)
    else:
        month = period.start.strftime("%m/%Y")
        messages.success(
            request,
            (_("Period %(month)s closed.") if state == ledger.CLOSED else _("Period %(month)s open again."))
            % {"month": month},
        )
    return redirect("accounting:fiscal_year_detail", fiscal_year_id=period.fiscal_year_id)


@page("accounting.change_fiscalyear")
@require_POST
def period_close(request: HttpRequest, period_id: int) -> HttpResponse:
    return _period_state(request, period_id, ledger.CLOSED)


@page("accounting.change_fiscalyear")
@require_POST
def period_open(request: HttpRequest, period_id: int) -> HttpResponse:
    return _period_state(request, period_id, ledger.OPEN)


# Settings


@page("accounting.view_fiscalyear")
def accounting_settings(request: HttpRequest) -> HttpResponse:
    """The chart template (fixed once the company has entries), the stock method and the lock date."""
    company = request.company
    settings = settings_of(company)
    can_change = request.user.has_perm("accounting.change_accountingsettings")
    errors: dict[str, str] = {}
    values = {
        "stock_method": settings.stock_method,
        "lock_date": settings.lock_date.isoformat() if settings.lock_date else "",
    }
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(_("Your role does not allow this."))
        values = {
            "stock_method": request.POST.get("stock_method", "")[:20],
            "lock_date": request.POST.get("lock_date", "")[:20],
        }
        lock_date, valid = _day(values["lock_date"])
        if not valid:
            errors["lock_date"] = _("Enter a valid date.")
        if values["stock_method"] not in services.STOCK_METHODS:
            errors["stock_method"] = _("Choose continental or perpetual.")
        if not errors:
            try:
                with transaction.atomic():
                    lock_date_set(company=company, by=request.user, lock_date=lock_date)
                    services.stock_method_set(
                        company=company, by=request.user, stock_method=values["stock_method"]
                    )
            except ValidationFailed as failure:
                errors.update({item["field"]: item["message"] for item in failure.errors})
            else:
                messages.success(request, _("Accounting settings saved."))
                return redirect("accounting:accounting_settings")
    has_entries = Entry.objects.filter(company=company).exists()
    context = {
        "title": _("Accounting settings"),
        "settings": settings,
        "chart_name": CHART_NAMES.get(settings.chart_template, settings.chart_template),
        "has_entries": has_entries,
        "stock_methods": StockMethod.choices,
        "values": values,
        "errors": errors,
        "can_change": can_change,
        "result_account": _result_account_label(company),
    }
    return render(request, "accounting/settings.html", context, status=422 if errors else 200)


def _result_account_label(company) -> str:
    account = default_accounts(company).get("result")
    return f"{account.code} {account_name(account)}" if account else ""


year = "<id:fiscal_year_id>"
urlpatterns = [
    path("fiscal-years/", fiscal_year_list, name="fiscal_year_list"),
    path("fiscal-years/new/", fiscal_year_create, name="fiscal_year_create"),
    path("fiscal-years/lock-date/", lock_date_update, name="lock_date_update"),
    path(f"fiscal-years/{year}/", fiscal_year_detail, name="fiscal_year_detail"),
    path(f"fiscal-years/{year}/close/", fiscal_year_close, name="fiscal_year_close"),
    path(f"fiscal-years/{year}/reopen/", fiscal_year_reopen, name="fiscal_year_reopen"),
    path("periods/<id:period_id>/close/", period_close, name="period_close"),
    path("periods/<id:period_id>/open/", period_open, name="period_open"),
    path("settings/", accounting_settings, name="accounting_settings"),
]
