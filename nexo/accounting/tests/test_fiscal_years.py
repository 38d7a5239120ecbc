"""Fiscal years created, periods closed and opened, the stock method set, and each year's figures."""

from datetime import date
from decimal import Decimal

import pytest

from nexo.accounting.models import AccountingSettings, FiscalYear, Period
from nexo.accounting.services import fiscal_years as years
from nexo.accounting.services import ledger as services
from nexo.accounting.services.closing import year_close
from nexo.accounting.services.ledger import LineInput
from nexo.core.errors import Conflict, NotFound, ValidationFailed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = Decimal


def test_the_next_year_follows_the_last_with_twelve_monthly_periods(company, books, accountant):
    created = years.fiscal_year_create(company=company, by=accountant)
    assert (created.name, created.start, created.end) == ("2027", date(2027, 1, 1), date(2027, 12, 31))
    periods = list(Period.objects.filter(fiscal_year=created).order_by("number"))
    assert [(p.number, p.start, p.end) for p in periods][:2] == [
        (1, date(2027, 1, 1), date(2027, 1, 31)),
        (2, date(2027, 2, 1), date(2027, 2, 28)),
    ]
    assert len(periods) == 12 and periods[-1].end == date(2027, 12, 31)
    # Any year no other covers, earlier ones too.
    assert years.fiscal_year_create(company=company, by=accountant, year=2020).name == "2020"


def test_an_existing_or_impossible_year_is_refused(company, books, accountant):
    with pytest.raises(Conflict, match="2026 already exists"):
        years.fiscal_year_create(company=company, by=accountant, year=2026)
    for bad in (1899, 9001, "2027", True, 2026.5):
        with pytest.raises(ValidationFailed) as refused:
            years.fiscal_year_create(company=company, by=accountant, year=bad)
        assert refused.value.errors[0]["field"] == "year"
    assert FiscalYear.objects.filter(company=company).count() == 1


def test_a_closed_period_refuses_postings_until_opened(company, books, accountant, customer):
    may = Period.objects.get(fiscal_year__company=company, start=date(2026, 5, 1))
    years.period_set_state(company=company, by=accountant, period_id=may.pk, state="closed")
    lines = [LineInput(books["572"].pk, D("10")), LineInput(books["100"].pk, credit=D("10"))]
    with pytest.raises(ValidationFailed, match="period of 2026-05-31 is closed"):
        services.entry_record(
            company=company, by=accountant, journal="GEN", date=date(2026, 5, 31), lines=lines
        )
    services.entry_record(company=company, by=accountant, journal="GEN", date=date(2026, 6, 1), lines=lines)
    with pytest.raises(Conflict, match="already closed"):
        years.period_set_state(company=company, by=accountant, period_id=may.pk, state="closed")
    years.period_set_state(company=company, by=accountant, period_id=may.pk, state="open")
    assert Period.objects.get(pk=may.pk).state == "open"


def test_period_bad_input(company, other_company, books, accountant):
    may = Period.objects.get(fiscal_year__company=company, start=date(2026, 5, 1))
    with pytest.raises(ValidationFailed, match="open or closed"):
        years.period_set_state(company=company, by=accountant, period_id=may.pk, state="locked")
    for missing in (0, -1, 2**63, "3", None):
        with pytest.raises(NotFound):
            years.period_set_state(company=company, by=accountant, period_id=missing, state="closed")
    with pytest.raises(NotFound):
        years.period_set_state(company=other_company, by=accountant, period_id=may.pk, state="closed")
    assert Period.objects.get(pk=may.pk).state == "open"


def test_the_periods_of_a_closed_year_stay_closed(company, books, accountant):
    year = years.fiscal_year_create(company=company, by=accountant, year=2025)
    year_close(company=company, by=accountant, fiscal_year_id=year.pk)
    june = Period.objects.get(fiscal_year=year, number=6)
    with pytest.raises(Conflict, match="2025 is closed"):
        years.period_set_state(company=company, by=accountant, period_id=june.pk, state="open")
    assert Period.objects.get(pk=june.pk).state == "closed"


def test_the_stock_method_is_set_and_checked(company, books, accountant):
    assert (
        years.stock_method_set(company=company, by=accountant, stock_method="perpetual").stock_method
        == "perpetual"
    )
    with pytest.raises(ValidationFailed, match="continental or perpetual"):
        years.stock_method_set(company=company, by=accountant, stock_method="lifo")
    assert AccountingSettings.objects.get(company=company).stock_method == "perpetual"


def test_year_figures_count_entries_and_sum_the_result_in_the_database(company, books, accountant, customer):
    services.entry_record(
        company=company, by=accountant, journal="VEN", date=date(2026, 2, 1),
        lines=[LineInput(books["4300"].pk, D("242.00"), party_id=customer.pk),
               LineInput(books["700"].pk, credit=D("200.00")), LineInput(books["4770"].pk, credit=D("42.00"))],
    )  # fmt: skip
    services.entry_record(
        company=company, by=accountant, journal="BAN", date=date(2026, 2, 2),
        lines=[LineInput(books["626"].pk, D("12.50")), LineInput(books["572"].pk, credit=D("12.50"))],
    )  # fmt: skip
    services.entry_create(
        company=company, by=accountant, journal_id=services.journal_of(company, "GEN").pk, date=date(2026, 2, 3),
        lines=[LineInput(books["626"].pk, D("99")), LineInput(books["572"].pk, credit=D("99"))],
    )  # fmt: skip
    year = FiscalYear.objects.get(company=company, name="2026")
    figures = years.year_figures(company)[year.pk]
    assert (figures.entries, figures.drafts, figures.result) == (
        3,
        1,
        D("187.50"),
    )  # 200 - 12.50; drafts left out
