"""Fiscal years and their monthly periods: created (calendar years), a period closed or opened again, and the
settings a year's posting depends on (the stock method; the lock date is `ledger.lock_date_set`). Closing and
reopening a year are in `closing`."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.accounting.models import AccountingSettings, Entry, EntryLine, FiscalYear, Period
from nexo.accounting.rules import ledger
from nexo.accounting.services.ledger import settings_of
from nexo.core.aggregates import MoneySum
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.validation import MAX_ID, locked

#: The calendar years a fiscal year may take: what a date field and the entry numbers (4 digits) can hold.
FIRST_YEAR, LAST_YEAR = 1900, 9000
PERIOD_STATES = (ledger.OPEN, ledger.CLOSED)
STOCK_METHODS = (ledger.CONTINENTAL, ledger.PERPETUAL)


def fiscal_year_ensure(company: Company, year: int, *, by: User | None = None) -> FiscalYear:
    """The calendar fiscal year `year` with its twelve monthly periods, created when missing."""
    start, end = ledger.calendar_year(year)
    with transaction.atomic():
        found = FiscalYear.objects.filter(company=company, start=start).first()
        if found is not None:
            return found
        if FiscalYear.objects.filter(company=company, start__lte=end, end__gte=start).exists():
            raise ValidationFailed.on(
                "start", _("Another fiscal year already covers part of %(year)s.") % {"year": year}
            )
        fiscal_year = FiscalYear.objects.create(
            company=company, name=str(year), start=start, end=end, created_by=by, updated_by=by
        )
        Period.objects.bulk_create(
            Period(fiscal_year=fiscal_year, number=number, start=first, end=last)
            for number, (first, last) in enumerate(ledger.months(start, end), start=1)
        )
        return fiscal_year


def next_year_of(company: Company) -> int:
    """The calendar year a new fiscal year takes by default: the one after the last, or this one."""
    last = FiscalYear.objects.filter(company=company).aggregate(last=Max("end"))["last"]
    return last.year + 1 if last is not None else timezone.localdate().year


def fiscal_year_create(*, company: Company, by: User, year: int | None = None) -> FiscalYear:
    """A new calendar fiscal year with its twelve periods: the year after the last by default, or any year
    no other fiscal year covers."""
    with transaction.atomic():
        if year is None:
            year = next_year_of(company)
        if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValidationFailed.on(
                "year",
                _("Enter a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        start, _end = ledger.calendar_year(year)
        if FiscalYear.objects.filter(company=company, start=start).exists():
            raise Conflict(_("Fiscal year %(year)s already exists.") % {"year": year})
        return fiscal_year_ensure(company, year, by=by)


def period_set_state(*, company: Company, by: User, period_id: int, state: str) -> Period:
    """Close a period (nothing can be posted in it) or open it again. The year's row is locked first, so a
    period never changes while its year is being closed or reopened; a closed year's periods stay closed."""
    if state not in PERIOD_STATES:
        raise ValidationFailed.on("state", _("Choose open or closed."))
    missing = _("No such period.")
    if isinstance(period_id, bool) or not isinstance(period_id, int) or not 0 < period_id <= MAX_ID:
        raise NotFound(missing)
    with transaction.atomic():
        year_id = (
            Period.objects.filter(pk=period_id, fiscal_year__company=company)
            .values_list("fiscal_year_id", flat=True)
            .first()
        )
        if year_id is None:
            raise NotFound(missing)
        year = locked(FiscalYear, company=company, pk=year_id, missing=missing)
        period = Period.objects.select_for_update().get(pk=period_id)
        if year.state == ledger.CLOSED:
            raise Conflict(
                _("Fiscal year %(year)s is closed: its periods stay closed until the year is reopened.")
                % {"year": year.name}
            )
        if period.state == state:
            raise Conflict(
                _("The period is already open.")
                if state == ledger.OPEN
                else _("The period is already closed.")
            )
        period.state = state
        period.save(update_fields=["state"])
        FiscalYear.objects.filter(pk=year.pk).update(updated_by=by, updated_at=timezone.now())
        return period


def stock_method_set(*, company: Company, by: User, stock_method: str) -> AccountingSettings:
    """How stock is accounted for from now on (continental: a period-end variation entry; perpetual: an entry
    at each move). Entries already posted stay as they are; new moves follow the new method."""
    if stock_method not in STOCK_METHODS:
        raise ValidationFailed.on("stock_method", _("Choose continental or perpetual."))
    with transaction.atomic():
        settings = AccountingSettings.objects.select_for_update().get(pk=settings_of(company).pk)
        settings.stock_method = stock_method
        settings.save(update_fields=["stock_method"])
        return settings


@dataclass(frozen=True)
class YearFigures:
    entries: int = 0
    drafts: int = 0
    #: Income minus expenses of the posted entries (the regularisation left out): a profit is positive.
    result: Decimal = ledger.ZERO


def year_figures(company: Company) -> dict[int, YearFigures]:
    """fiscal year id → its entries, drafts and result, in two statements whatever the number of lines."""
    counts = {
        row["fiscal_year_id"]: row
        for row in Entry.objects.filter(company=company)
        .values("fiscal_year_id")
        .annotate(entries=Count("pk"), drafts=Count("pk", filter=Q(state=ledger.DRAFT)))
        .order_by()
    }
    results = {
        row["entry__fiscal_year_id"]: (row["credit"] or ledger.ZERO) - (row["debit"] or ledger.ZERO)
        for row in EntryLine.objects.filter(
            company=company, posted=True, account__nature__in=ledger.PROFIT_AND_LOSS_NATURES
        )
        .exclude(kind=ledger.REGULARISATION)
        .values("entry__fiscal_year_id")
        .annotate(debit=MoneySum("debit"), credit=MoneySum("credit"))
        .order_by()
    }
    return {
        year_id: YearFigures(
            counts.get(year_id, {}).get("entries", 0),
            counts.get(year_id, {}).get("drafts", 0),
            results.get(year_id, ledger.ZERO),
        )
        for year_id in set(counts) | set(results)
    }
