"""Two closings of one year at once on PostgreSQL: the fiscal year's row lock makes one of them close it and
the other find it closed (409), so the closing entries are posted once."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from nexo.accounting.models import Entry, FiscalYear
from nexo.accounting.services import closing
from nexo.accounting.services import fiscal_years as years
from nexo.accounting.services import ledger as services
from nexo.accounting.services.ledger import LineInput

D = Decimal


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_closings_at_once_close_the_year_once(company, books, accountant, customer):
    year = years.fiscal_year_create(company=company, by=accountant, year=2025)
    services.entry_record(
        company=company, by=accountant, journal="VEN", date=date(2025, 3, 1),
        lines=[LineInput(books["4300"].pk, D("121.00"), party_id=customer.pk),
               LineInput(books["700"].pk, credit=D("100.00")), LineInput(books["4770"].pk, credit=D("21.00"))],
    )  # fmt: skip
    results, barrier = [], threading.Barrier(2)

    def close():
        try:
            barrier.wait()
            with translation.override("en"):
                closing.year_close(company=company, by=accountant, fiscal_year_id=year.pk)
            results.append("closed")
        except Exception as error:  # the loser's Conflict, or any failure, shows in the assertion
            results.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=close) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["Conflict: Fiscal year 2025 is already closed.", "closed"]
    assert FiscalYear.objects.get(pk=year.pk).state == "closed"
    assert Entry.objects.filter(company=company, kind="regularisation").count() == 1
    assert Entry.objects.filter(company=company, kind="closing").count() == 1
    assert Entry.objects.filter(company=company, kind="opening").count() == 1


@pytest.mark.postgres
def test_closing_and_reopening_on_postgresql_keep_the_balances(company, books, accountant, customer):
    year = years.fiscal_year_create(company=company, by=accountant, year=2025)
    services.entry_record(
        company=company, by=accountant, journal="VEN", date=date(2025, 3, 1),
        lines=[LineInput(books["4300"].pk, D("121.00"), party_id=customer.pk),
               LineInput(books["700"].pk, credit=D("100.00")), LineInput(books["4770"].pk, credit=D("21.00"))],
    )  # fmt: skip
    closing.year_close(company=company, by=accountant, fiscal_year_id=year.pk)
    opening = Entry.objects.get(company=company, kind="opening")
    assert opening.total == D("121.00")
    closing.year_reopen(company=company, by=accountant, fiscal_year_id=year.pk)
    assert Entry.objects.filter(company=company, reverses__isnull=False).count() == 3
    assert FiscalYear.objects.get(pk=year.pk).state == "open"
