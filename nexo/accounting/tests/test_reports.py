"""The ledger reports on a small hand-computed ledger.

2025 (not regularised): capital 1,000 into the bank; a sale of 200 + 42 VAT.
2026: a sale of 100 + 21 (15 Jan), a purchase of 50 + 10.50 (10 Feb), the customer pays 121 (5 Mar), a sale
of 300 + 63 (20 Apr); a draft and another company's entry that no report may count."""

from datetime import date
from decimal import Decimal

import pytest

from nexo.accounting.services import reports
from nexo.accounting.services.ledger import LineInput, entry_create, entry_record, journal_of
from nexo.core.errors import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date(2026, 12, 6)


def _post(company, user, journal, day, *lines, kind="normal", description=""):
    return entry_record(
        company=company, by=user, journal=journal, date=day, kind=kind, description=description,
        lines=[LineInput(account.pk, D(debit), D(credit), party.pk if party else None) for account, debit, credit, party in lines],
    )  # fmt: skip


@pytest.fixture
def ledger(company, books, customer, supplier, accountant, other_company):
    b = books
    entries = {
        "capital": _post(company, accountant, "GEN", date(2025, 6, 1), (b["572"], "1000", "0", None), (b["100"], "0", "1000", None)),
        "sale_2025": _post(company, accountant, "VEN", date(2025, 7, 1), (b["4300"], "242", "0", customer), (b["700"], "0", "200", None), (b["4770"], "0", "42", None)),
        "sale_1": _post(company, accountant, "VEN", date(2026, 1, 15), (b["4300"], "121", "0", customer), (b["700"], "0", "100", None), (b["4770"], "0", "21", None), description="Sale one"),
        "purchase": _post(company, accountant, "COM", date(2026, 2, 10), (b["600"], "50", "0", None), (b["472"], "10.50", "0", None), (b["4000"], "0", "60.50", supplier)),
        "payment": _post(company, accountant, "BAN", date(2026, 3, 5), (b["572"], "121", "0", None), (b["4300"], "0", "121", customer)),
        "sale_2": _post(company, accountant, "VEN", date(2026, 4, 20), (b["4300"], "363", "0", customer), (b["700"], "0", "300", None), (b["4770"], "0", "63", None)),
    }  # fmt: skip
    entry_create(
        company=company, by=accountant, journal_id=journal_of(company, "GEN").pk, date=date(2026, 2, 1),
        lines=[LineInput(b["572"].pk, D("999"), D(0)), LineInput(b["100"].pk, D(0), D("999"))],
    )  # fmt: skip
    journal_of(other_company, "GEN")
    from nexo.accounting.models import Account

    theirs = {a.code: a for a in Account.objects.filter(company=other_company, code__in=["572", "100"])}
    _post(other_company, accountant, "GEN", date(2026, 2, 1), (theirs["572"], "5000", "0", None), (theirs["100"], "0", "5000", None))  # fmt: skip
    return entries


def _filter(company, start, end, **options):
    return reports.ledger_filter(company, start=start, end=end, today=TODAY, **options)


def _by_code(report):
    return {row.code: row for row in report.rows}


def test_trial_balance_of_february_and_march_by_hand(company, ledger):
    report = reports.trial_balance(_filter(company, date(2026, 2, 1), date(2026, 3, 31)), language="es")
    rows = _by_code(report)
    assert list(rows) == ["100", "4000", "4300", "472", "4770", "572", "600", "700"]
    # Balance sheet accounts carry every earlier line; income only this fiscal year's.
    assert rows["100"].opening == D("-1000") and rows["100"].credit_balance == D("1000")
    assert rows["572"].opening == D("1000") and rows["572"].debit == D("121")
    assert rows["572"].debit_balance == D("1121")
    assert rows["4300"].opening == D("363") and rows["4300"].credit == D("121")
    assert rows["4300"].debit_balance == D("242")
    assert rows["700"].opening == D("-100") and rows["700"].credit_balance == D("100")
    assert rows["4770"].credit_balance == D("63")
    assert (rows["600"].debit, rows["472"].debit, rows["4000"].credit) == (D("50"), D("10.50"), D("60.50"))
    # 2025's sale was never regularised into 129: its result shows on its own row.
    assert report.earlier_results.opening == D("-200")
    assert (report.total.debit, report.total.credit) == (D("181.50"), D("181.50"))
    assert report.total_opening_debit == report.total_opening_credit == D("1363")
    assert report.total_debit_balance == report.total_credit_balance == D("1423.50")
    assert rows["700"].name == "Ventas de mercaderías"


def test_trial_balance_rolls_up_to_a_level(company, ledger):
    flt = _filter(company, date(2026, 2, 1), date(2026, 3, 31))
    one = _by_code(reports.trial_balance(flt, level="1"))
    assert list(one) == ["1", "4", "5", "6", "7"]
    assert one["4"].opening == D("300")
    assert (one["4"].debit, one["4"].credit) == (D("10.50"), D("181.50"))
    assert one["4"].debit_balance == D("129")
    assert one["4"].account_id is None
    three = _by_code(reports.trial_balance(flt, level="3", language="en"))
    assert list(three) == ["100", "400", "430", "472", "477", "572", "600", "700"]
    assert three["430"].name == "Customers"
    assert three["430"].debit_balance == D("242")
    assert reports.trial_balance(flt, level="3").total.debit == D("181.50")


def test_trial_balance_hides_zero_rows_unless_asked(company, ledger, books):
    flt = _filter(company, date(2026, 2, 1), date(2026, 3, 31))
    report = reports.trial_balance(flt, show_zero=True)
    codes = _by_code(report)
    assert "629" in codes and codes["629"].is_zero
    assert "43" not in codes  # view accounts are no posting rows
    assert report.total.debit == D("181.50")
    assert "629" not in _by_code(reports.trial_balance(flt))


def test_closing_entries_are_left_out_unless_included(company, ledger, books, accountant):
    _post(company, accountant, "CIE", date(2026, 12, 31), (books["100"], "1000", "0", None), (books["572"], "0", "1000", None), kind="closing")  # fmt: skip
    flt = _filter(company, date(2026, 1, 1), date(2026, 12, 31))
    assert _by_code(reports.trial_balance(flt))["100"].credit_balance == D("1000")
    included = reports.trial_balance(
        _filter(company, date(2026, 1, 1), date(2026, 12, 31), include_closing=True)
    )
    assert _by_code(included)["100"].closing == D("0")
    assert included.total.debit == included.total.credit


def test_drafts_and_other_companies_never_count(company, ledger, other_company):
    report = reports.trial_balance(_filter(company, date(2026, 1, 1), date(2026, 12, 31)))
    assert _by_code(report)["572"].debit == D("121")
    theirs = reports.trial_balance(reports.ledger_filter(other_company, start=date(2026, 1, 1), end=date(2026, 12, 31), today=TODAY))  # fmt: skip
    assert theirs.total.debit == D("5000")


def test_general_ledger_of_the_customer_account_runs_its_balance(company, ledger, books, customer):
    flt = _filter(company, date(2026, 1, 1), date(2026, 12, 31), account_id=books["4300"].pk)
    report = reports.general_ledger(flt)
    (part,) = report.accounts
    assert part.opening == D("242")
    assert [(line.date, line.debit, line.credit, line.balance) for line in part.lines] == [
        (date(2026, 1, 15), D("121"), D("0"), D("363")),
        (date(2026, 3, 5), D("0"), D("121"), D("242")),
        (date(2026, 4, 20), D("363"), D("0"), D("605")),
    ]
    assert part.closing == D("605")
    assert part.lines[0].entry_number == "VEN/2026/000001"
    assert part.lines[0].party_name == customer.name
    assert part.lines[0].description == "Sale one"  # the entry's, when the line has none
    assert part.starts_here and part.ends_here


def test_general_ledger_closing_equals_trial_balance(company, ledger, books):
    flt = _filter(company, date(2026, 2, 1), date(2026, 4, 30))
    ledger_report = reports.general_ledger(flt, limit=None)
    balances = {row.account_id: row.closing for row in reports.trial_balance(flt).rows}
    assert {part.account_id: part.closing for part in ledger_report.accounts} == balances
    income = next(part for part in ledger_report.accounts if part.code == "700")
    assert income.opening == D("-100")  # this year's January only
    assert [line.balance for line in income.lines] == [D("-400")]


def test_general_ledger_pages_carry_the_running_balance(company, ledger, books):
    flt = _filter(company, date(2026, 1, 1), date(2026, 12, 31), prefix="4")
    whole = reports.general_ledger(flt, limit=None)
    assert [part.code for part in whole.accounts] == ["4000", "4300", "472", "4770"]
    assert whole.line_count == 7
    lines = [line for part in whole.accounts for line in part.lines]
    pages = [reports.general_ledger(flt, offset=offset, limit=2) for offset in (0, 2, 4, 6)]
    paged = [line for page in pages for part in page.accounts for line in part.lines]
    assert [(line.id, line.balance) for line in paged] == [(line.id, line.balance) for line in lines]
    first = {part.code: part for part in pages[0].accounts if part.lines}  # 4000's line, 4300's first
    assert list(first) == ["4000", "4300"]
    assert first["4000"].starts_here and first["4000"].ends_here
    assert first["4300"].starts_here and not first["4300"].ends_here
    second = {part.code: part for part in pages[1].accounts if part.lines}  # 4300's last two
    assert list(second) == ["4300"]
    assert not second["4300"].starts_here and second["4300"].ends_here


def test_general_ledger_by_party_and_journal(company, ledger, books, customer):
    flt = _filter(company, date(2026, 1, 1), date(2026, 12, 31), party_id=customer.pk)
    report = reports.general_ledger(flt, limit=None)
    assert [part.code for part in report.accounts] == ["4300"]
    sales = reports.general_ledger(
        _filter(company, date(2026, 1, 1), date(2026, 12, 31), journal_id=journal_of(company, "VEN").pk),
        limit=None,
    )
    assert {part.code for part in sales.accounts} == {"4300", "700", "4770"}
    assert sales.debit == sales.credit == D("484")


def test_general_ledger_of_an_account_without_lines_shows_its_opening(company, ledger, books):
    report = reports.general_ledger(
        _filter(company, date(2026, 5, 1), date(2026, 5, 31), account_id=books["572"].pk)
    )
    (part,) = report.accounts
    assert (part.opening, part.closing, part.lines) == (D("1121"), D("1121"), [])


def test_journal_in_date_and_number_order_with_lines(company, ledger):
    report = reports.journal_report(_filter(company, date(2026, 1, 1), date(2026, 12, 31)))
    assert [entry.number for entry in report.entries] == [
        "VEN/2026/000001", "COM/2026/000001", "BAN/2026/000001", "VEN/2026/000002",
    ]  # fmt: skip
    assert report.entry_count == 4
    assert (report.debit, report.credit) == (D("665.50"), D("665.50"))
    purchase = report.entries[1]
    assert [(line.account_code, line.debit, line.credit) for line in purchase.lines] == [
        ("600", D("50"), D("0")), ("472", D("10.50"), D("0")), ("4000", D("0"), D("60.50")),
    ]  # fmt: skip
    page = reports.journal_report(_filter(company, date(2026, 1, 1), date(2026, 12, 31)), offset=3, limit=2)
    assert [entry.number for entry in page.entries] == ["VEN/2026/000002"]
    sales = reports.journal_report(
        _filter(company, date(2026, 1, 1), date(2026, 12, 31), journal_id=journal_of(company, "VEN").pk)
    )
    assert [entry.number for entry in sales.entries] == ["VEN/2026/000001", "VEN/2026/000002"]
    assert sales.entry_count == 2


def test_reports_run_a_fixed_number_of_queries(company, ledger, django_assert_max_num_queries):
    flt = _filter(company, date(2025, 1, 1), date(2026, 12, 31))
    with django_assert_max_num_queries(3):
        reports.trial_balance(flt, level="2")
    with django_assert_max_num_queries(4):
        reports.general_ledger(flt)
    with django_assert_max_num_queries(3):
        reports.journal_report(flt)


def test_filters_are_checked(company, ledger, other_company, books):
    with pytest.raises(ValidationFailed):
        _filter(company, date(2026, 3, 1), date(2026, 2, 1))
    from nexo.accounting.models import Account

    theirs = Account.objects.filter(company=other_company, code="572").get()
    with pytest.raises(NotFound):
        _filter(company, date(2026, 1, 1), date(2026, 2, 1), account_id=theirs.pk)
    with pytest.raises(ValidationFailed):
        _filter(company, date(2026, 1, 1), date(2026, 2, 1), prefix="4%")
    with pytest.raises(ValidationFailed):
        reports.trial_balance(_filter(company, date(2026, 1, 1), date(2026, 2, 1)), level="7")


def test_default_range_is_the_fiscal_year_to_date(company, ledger):
    flt = reports.ledger_filter(company, start=None, end=None, today=TODAY)
    assert (flt.start, flt.end) == (date(2026, 1, 1), TODAY)
