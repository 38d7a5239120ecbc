"""The demo's books: a closed and locked previous year, every document posted with its entry, each party's
balance equal to what its due amounts leave open, the year's collections, a trial balance whose columns
agree, a balance sheet that balances, and a year that reads like a small distributor's."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db.models import F, Q
from django.utils import timezone

from nexo.accounting.models import AccountingSettings, Entry, EntryLine, FiscalYear, PartyAccounting
from nexo.accounting.services.reports import LedgerFilter, trial_balance
from nexo.accounting.services.statements import balance_sheet, profit_and_loss
from nexo.core.aggregates import MoneySum
from nexo.core.models import Company
from nexo.invoicing.models import Invoice, SupplierInvoice
from nexo.payments.models import BankStatement, Direction, DueAmount, Payment, Remittance, StatementLine
from nexo.payments.services.aging import aging
from nexo.payments.services.position import open_balance

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

    # A party's balance on its account is what the collections sub-ledger says it owes: its open due amounts
    # less its unapplied credits (last year's trade before the documents was settled in full; the closing and
    # the opening entries cancel out). Suppliers billing in another currency are left out: their due amounts
    # are in that currency, their entries in euros.
    for code, direction in (("4300", Direction.RECEIVABLE), ("4000", Direction.PAYABLE)):
        sign = 1 if direction == Direction.RECEIVABLE else -1
        on_account = {
            row["party_id"]: sign * (row["debit"] - row["credit"])
            for row in EntryLine.objects.filter(company=company, posted=True, account__code=code)
            .exclude(Q(kind="closing") | Q(kind="opening"))
            .values("party_id")
            .annotate(debit=MoneySum("debit"), credit=MoneySum("credit"))
        }
        dues = DueAmount.objects.filter(company=company, direction=direction)
        foreign = set(dues.exclude(currency=company.currency).values_list("party_id", flat=True))
        parties = (set(on_account) | set(dues.values_list("party_id", flat=True))) - foreign
        assert len(parties) > 5
        owed = {party: open_balance(company, party, direction) for party in parties}
        assert {party: on_account.get(party, 0) for party in parties} == owed
        assert sum(owed.values()) > 0

    # The year's collections: most invoices collected, some late, some in part, a few not at all, so today's
    # aging has something in every column; today's SEPA remittance with one line returned; the bank's
    # statement with lines matched and lines (a bank charge among them) left to match.
    receipts = Payment.objects.filter(company=company, direction=Direction.RECEIVABLE, amount__gt=0)
    invoices_due = DueAmount.objects.filter(company=company, direction=Direction.RECEIVABLE, amount__gt=0)
    assert receipts.count() > invoices_due.count() / 2
    assert receipts.filter(date__gt=F("allocations__due__due_date") + timedelta(days=10)).exists()  # late
    assert invoices_due.filter(state=DueAmount.State.PARTIAL).exists()
    assert Payment.objects.filter(company=company, direction=Direction.PAYABLE).count() > 5
    aged = aging(company, at=today)
    assert all(amount > 0 for amount in aged.total.buckets), aged.total.buckets
    (remittance,) = Remittance.objects.filter(company=company)
    assert remittance.state == Remittance.State.POSTED
    assert sorted(remittance.lines.values_list("state", flat=True)) == ["collected"] * (
        remittance.lines.count() - 1
    ) + ["returned"]
    (statement,) = BankStatement.objects.filter(company=company, format=BankStatement.Format.NORMA43)
    states = {line.state for line in statement.lines.all()}
    assert states == {StatementLine.State.MATCHED, StatementLine.State.POSTED, StatementLine.State.OPEN}
    assert statement.lines.filter(state=StatementLine.State.OPEN, amount__lt=0).exists()  # bank charges
    assert statement.lines.filter(state=StatementLine.State.OPEN, amount__gt=0).exists()
    # Three customers with a credit limit, the one that owes most close to it.
    limits = PartyAccounting.objects.filter(party__company=company, credit_limit__isnull=False)
    assert limits.count() == 3
    tightest = min(limits, key=lambda row: row.credit_limit - open_balance(company, row.party_id))
    assert 0 < tightest.credit_limit - open_balance(company, tightest.party_id) <= tightest.credit_limit / 10

    report = trial_balance(LedgerFilter(company, date(today.year, 1, 1), today))
    assert report.total_debit_balance == report.total_credit_balance > 0
    sheet = balance_sheet(company, at=today)
    totals = [line.amount for line in sheet.lines if line.key.endswith(".total")]
    assert len(totals) == 2 and totals[0] == totals[1] > 0
    # A small distributor: last year's sales well above its purchases, and a profit.
    last_year = profit_and_loss(company, date_from=previous.start, date_to=previous.end)
    assert last_year.result.amount > 0
    assert last_year.line("1").amount > -last_year.line("4").amount > 0
