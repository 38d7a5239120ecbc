"""The demo's books: a closed and locked previous year, every document posted with its entry, a trial balance
whose columns agree, a balance sheet that balances, and a year that reads like a small distributor's."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from nexo.accounting.models import AccountingSettings, Entry, EntryLine, FiscalYear
from nexo.accounting.services.reports import LedgerFilter, trial_balance
from nexo.accounting.services.statements import balance_sheet, profit_and_loss
from nexo.core.aggregates import MoneySum
from nexo.core.models import Company
from nexo.invoicing.models import Invoice, SupplierInvoice

pytestmark = pytest.mark.django_db


def test_the_demo_books_close_last_year_and_post_every_document(roles):
    call_command("demo", verbosity=0)
    company = Company.objects.get(name="Suministros Levante, S.L.")
    today = timezone.localdate()
    previous = FiscalYear.objects.get(company=company, start=date(today.year - 1, 1, 1))
    assert previous.state == "closed"
    assert AccountingSettings.objects.get(company=company).lock_date == previous.end
    assert Entry.objects.filter(company=company, kind="opening", date=date(today.year, 1, 1)).count() == 1

    # Every posted invoice and supplier invoice has its one entry, and no draft has any.
    for model, label in ((Invoice, "invoicing.invoice"), (SupplierInvoice, "invoicing.supplierinvoice")):
        posted = set(model.objects.filter(company=company, state="posted").values_list("pk", flat=True))
        linked = list(
            Entry.objects.filter(company=company, origin_model=label).values_list("origin_id", flat=True)
        )
        assert sorted(linked) == sorted(posted) and len(posted) > 5

    # A customer's balance on 4300 is its posted invoices less its credit notes: nothing is collected yet, and
    # last year's trade before the documents was collected in full.
    owed = {
        row["party_id"]: row["total"]
        for row in Invoice.objects.filter(company=company, state="posted")
        .values("party_id")
        .annotate(total=MoneySum("amount_due"))
    }
    on_4300 = {
        row["party_id"]: row["debit"] - row["credit"]
        for row in EntryLine.objects.filter(company=company, posted=True, account__code="4300")
        .exclude(Q(kind="closing") | Q(kind="opening"))  # the closing and the opening cancel out
        .values("party_id")
        .annotate(debit=MoneySum("debit"), credit=MoneySum("credit"))
    }
    assert {party: amount for party, amount in on_4300.items() if amount} == {
        party: amount for party, amount in owed.items() if amount
    }

    report = trial_balance(LedgerFilter(company, date(today.year, 1, 1), today))
    assert report.total_debit_balance == report.total_credit_balance > 0
    sheet = balance_sheet(company, at=today)
    totals = [line.amount for line in sheet.lines if line.key.endswith(".total")]
    assert len(totals) == 2 and totals[0] == totals[1] > 0
    # A small distributor: last year's sales well above its purchases, and a profit.
    last_year = profit_and_loss(company, date_from=previous.start, date_to=previous.end)
    assert last_year.result.amount > 0
    assert last_year.line("1").amount > -last_year.line("4").amount > 0
