"""The profit and loss account and the balance sheet on a small ledger computed by hand, through closing a year,
against the chart templates, and the balance-sheet invariant over random ledgers (exact Decimal)."""

from datetime import date
from decimal import Decimal
from importlib import import_module

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexo.accounting.models import Account
from nexo.accounting.rules import ledger
from nexo.accounting.services import statements
from nexo.accounting.services.ledger import LineInput, entry_record, settings_of
from nexo.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

D = Decimal


def post(company, by, journal, day, *lines, kind=ledger.NORMAL):
    return entry_record(company=company, by=by, journal=journal, date=day, lines=list(lines), kind=kind)


def debit(books, code, amount, party=None):
    return LineInput(books[code].pk, debit=D(amount), party_id=party.pk if party else None)


def credit(books, code, amount, party=None):
    return LineInput(books[code].pk, credit=D(amount), party_id=party.pk if party else None)


@pytest.fixture
def ledger_2026(company, books, customer, supplier, accountant):
    """A first quarter: capital paid in, goods bought, sold, partly returned, bank charges, the stock counted
    at the quarter's end, a customer collection and a supplier payment. A sale of February 2025 stands for
    the year before."""
    post(
        company,
        accountant,
        "VEN",
        date(2025, 2, 15),
        debit(books, "4300", "1210.00", customer),
        credit(books, "700", "1000.00"),
        credit(books, "4770", "210.00"),
    )
    post(
        company,
        accountant,
        "GEN",
        date(2026, 1, 2),
        debit(books, "572", "10000.00"),
        credit(books, "100", "10000.00"),
    )
    post(
        company,
        accountant,
        "COM",
        date(2026, 2, 1),
        debit(books, "600", "2000.00"),
        debit(books, "472", "420.00"),
        credit(books, "4000", "2420.00", supplier),
    )
    post(
        company,
        accountant,
        "VEN",
        date(2026, 3, 1),
        debit(books, "4300", "6050.00", customer),
        credit(books, "700", "5000.00"),
        credit(books, "4770", "1050.00"),
    )
    post(
        company,
        accountant,
        "VEN",
        date(2026, 3, 10),
        debit(books, "7080", "500.00"),
        debit(books, "4770", "105.00"),
        credit(books, "4300", "605.00", customer),
    )
    post(
        company,
        accountant,
        "BAN",
        date(2026, 3, 15),
        debit(books, "626", "30.00"),
        credit(books, "572", "30.00"),
    )
    post(
        company,
        accountant,
        "BAN",
        date(2026, 3, 20),
        debit(books, "572", "3000.00"),
        credit(books, "4300", "3000.00", customer),
    )
    post(
        company,
        accountant,
        "BAN",
        date(2026, 3, 25),
        debit(books, "4000", "2420.00", supplier),
        credit(books, "572", "2420.00"),
    )
    post(
        company,
        accountant,
        "EXI",
        date(2026, 3, 31),
        debit(books, "300", "800.00"),
        credit(books, "610", "800.00"),
    )
    return books  # fmt: skip


def figures(statement, keys):
    return {key: statement.line(key).amount for key in keys}


def test_profit_and_loss_of_the_quarter_by_hand(company, ledger_2026, english):
    statement = statements.profit_and_loss(company, date_from=date(2026, 1, 1), date_to=date(2026, 3, 31))
    # Revenue 5,000 less returns 500; supplies: purchases 2,000 less the stock counted 800; bank charges 30.
    assert figures(statement, ["1", "4", "7", "A", "B", "C", "D"]) == {
        "1": D("4500.00"), "4": D("-1200.00"), "7": D("-30.00"), "A": D("3270.00"), "B": D("0"),
        "C": D("3270.00"), "D": D("3270.00"),
    }  # fmt: skip
    assert statement.result.amount == D("3270.00")
    assert [(figure.code, figure.amount) for figure in statement.line("1").accounts] == [
        ("700", D("5000.00")),
        ("7080", D("-500.00")),
    ]
    assert [(figure.code, figure.amount) for figure in statement.line("4").accounts] == [
        ("600", D("-2000.00")),
        ("610", D("800.00")),
    ]
    # The same quarter of 2025: the sale of February.
    assert (statement.previous_start, statement.previous_end) == (date(2025, 1, 1), date(2025, 3, 31))
    assert statement.line("1").previous == D("1000.00")
    assert statement.result.previous == D("1000.00")
    assert statement.line("1").label == "1. Revenue"
    assert statement.line("6").empty and not statement.line("A").empty
    assert not statement.unassigned


def test_balance_sheet_at_the_quarter_end_by_hand(company, ledger_2026):
    statement = statements.balance_sheet(company, at=date(2026, 3, 31))
    assets = figures(
        statement, ["assets.B.I", "assets.B.II.1", "assets.B.II.3", "assets.B.VI", "assets.total"]
    )
    assert assets == {
        "assets.B.I": D("800.00"),  # 300 goods
        "assets.B.II.1": D("3655.00"),  # 1,210 (2025) + 6,050 - 605 - 3,000
        "assets.B.II.3": D("420.00"),  # 472 input VAT
        "assets.B.VI": D("10550.00"),  # 10,000 - 30 + 3,000 - 2,420
        "assets.total": D("15425.00"),
    }
    liabilities = figures(
        statement,
        [
            "liabilities.A-1.I.1",
            "liabilities.A-1.VII",
            "liabilities.C.IV.1",
            "liabilities.C.IV.2",
            "liabilities.total",
        ],
    )
    assert liabilities == {
        "liabilities.A-1.I.1": D("10000.00"),
        # 2025's 1,000 not yet regularised and this quarter's 3,270.
        "liabilities.A-1.VII": D("4270.00"),
        "liabilities.C.IV.1": D("0"),  # the supplier paid
        "liabilities.C.IV.2": D("1155.00"),  # 210 + 1,050 - 105 output VAT
        "liabilities.total": D("15425.00"),
    }
    assert statement.line("liabilities.A").amount == D("14270.00")
    assert statement.line("liabilities.C").amount == D("1155.00")
    # The previous fiscal year's end: the 2025 sale only.
    assert statement.previous_end == date(2025, 12, 31)
    assert statement.line("assets.total").previous == D("1210.00")
    assert statement.line("liabilities.A-1.VII").previous == D("1000.00")
    assert statement.line("liabilities.total").previous == D("1210.00")


def test_closing_a_year_changes_neither_statement(company, ledger_2026, accountant, customer):
    books = ledger_2026
    before_sheet = statements.balance_sheet(company, at=date(2026, 3, 31))
    # 2025 regularised, closed and opened again in 2026, as the year-end closing posts them.
    post(
        company,
        accountant,
        "CIE",
        date(2025, 12, 31),
        debit(books, "700", "1000.00"),
        credit(books, "129", "1000.00"),
        kind=ledger.REGULARISATION,
    )
    post(
        company,
        accountant,
        "CIE",
        date(2025, 12, 31),
        debit(books, "129", "1000.00"),
        debit(books, "4770", "210.00"),
        credit(books, "4300", "1210.00", customer),
        kind=ledger.CLOSING_ENTRY,
    )
    post(company, accountant, "CIE", date(2026, 1, 1), credit(books, "129", "1000.00"),
         credit(books, "4770", "210.00"), debit(books, "4300", "1210.00", customer), kind=ledger.OPENING)  # fmt: skip
    year_2025 = statements.profit_and_loss(company, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
    assert year_2025.result.amount == D("1000.00")
    at_year_end = statements.balance_sheet(company, at=date(2025, 12, 31))
    assert at_year_end.line("assets.total").amount == D("1210.00")
    assert at_year_end.line("liabilities.A-1.VII").amount == D("1000.00")  # 129 now, no longer 700
    assert [figure.code for figure in at_year_end.line("liabilities.A-1.VII").accounts] == ["129"]
    after_sheet = statements.balance_sheet(company, at=date(2026, 3, 31))
    for before, after in zip(before_sheet.lines, after_sheet.lines, strict=True):
        assert (before.key, before.amount, before.previous) == (after.key, after.amount, after.previous)


def test_an_overdrawn_bank_is_a_debt_with_credit_institutions(company, books, accountant):
    post(
        company,
        accountant,
        "BAN",
        date(2026, 5, 4),
        debit(books, "626", "75.00"),
        credit(books, "572", "75.00"),
    )
    statement = statements.balance_sheet(company, at=date(2026, 5, 31))
    assert statement.line("assets.B.VI").amount == D("0")
    assert statement.line("liabilities.C.II.1").amount == D("75.00")
    assert statement.line("liabilities.A-1.VII").amount == D("-75.00")
    assert statement.line("liabilities.total").amount == statement.line("assets.total").amount == D("0")


def test_an_account_outside_the_layout_is_listed_apart(company, books, accountant):
    stray = Account.objects.create(company=company, code="8000", name="Cuenta suelta", nature="asset")
    post(company, accountant, "GEN", date(2026, 5, 4),
         LineInput(stray.pk, debit=D("40.00")), credit(books, "100", "40.00"))  # fmt: skip
    statement = statements.balance_sheet(company, at=date(2026, 5, 31))
    assert [(figure.code, figure.amount) for figure in statement.unassigned] == [("8000", D("40.00"))]
    assert statement.line("assets.total").amount == D("0")


def test_generic_chart_uses_its_own_layout(company, accountant):
    settings = settings_of(company)
    settings.chart_template = "generic"
    settings.save()
    from nexo.accounting.services.setup import accounting_setup

    accounting_setup(company)
    books = {account.code: account for account in Account.objects.filter(company=company)}
    post(
        company,
        accountant,
        "GEN",
        date(2026, 2, 1),
        debit(books, "1100", "500.00"),
        credit(books, "3000", "500.00"),
    )
    post(
        company,
        accountant,
        "GEN",
        date(2026, 2, 2),
        debit(books, "1100", "300.00"),
        credit(books, "4000", "300.00"),
    )
    post(
        company,
        accountant,
        "GEN",
        date(2026, 2, 3),
        debit(books, "5900", "20.00"),
        credit(books, "1100", "20.00"),
    )
    pnl = statements.profit_and_loss(company, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
    assert figures(pnl, ["sales", "other_expenses", "result"]) == {
        "sales": D("300.00"), "other_expenses": D("-20.00"), "result": D("280.00")
    }  # fmt: skip
    sheet = statements.balance_sheet(company, at=date(2026, 12, 31))
    assert figures(sheet, ["assets.cash", "assets.total", "liabilities.result", "liabilities.total"]) == {
        "assets.cash": D("780.00"), "assets.total": D("780.00"), "liabilities.result": D("280.00"),
        "liabilities.total": D("780.00"),
    }  # fmt: skip


def test_bad_ranges_are_refused(company, books):
    with pytest.raises(ValidationFailed) as refused:
        statements.profit_and_loss(company, date_from=date(2026, 3, 1), date_to=date(2026, 2, 1))
    assert refused.value.errors[0]["field"] == "date_to"
    with pytest.raises(ValidationFailed):
        statements.profit_and_loss(company, date_from=date(1, 1, 1), date_to=date(2026, 2, 1))
    with pytest.raises(ValidationFailed):
        statements.balance_sheet(company, at="2026-01-01")


def test_a_29th_of_february_compares_with_the_28th():
    assert statements.year_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert statements.year_before(date(2026, 3, 31)) == date(2025, 3, 31)


def test_statements_read_a_fixed_number_of_queries(company, ledger_2026, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        statements.balance_sheet(company, at=date(2026, 3, 31))
    with django_assert_max_num_queries(2):
        statements.profit_and_loss(company, date_from=date(2026, 1, 1), date_to=date(2026, 3, 31))


# The layouts against the chart templates


@pytest.mark.parametrize("template", ["pgc_pymes", "generic"])
def test_every_posting_account_of_the_template_feeds_one_line_of_each_statement(template):
    """Read at run time: the chart grows, and each new account must find its line. Balance-sheet accounts
    (asset, liability, equity) feed the balance sheet and not the profit and loss account; income and expense
    accounts feed one line of the profit and loss account and the balance sheet's result line."""
    chart = import_module(f"nexo.accounting.charts.{template}")
    sheet = statements.layout_of(template, statements.BALANCE_SHEET)
    pnl = statements.layout_of(template, statements.PROFIT_AND_LOSS)
    checked = 0
    for code, _name, _name_en, nature, is_view, _needs_party in chart.ACCOUNTS:
        if is_view:
            continue
        checked += 1
        for balance in (D(1), D(-1)):  # a debit balance and a credit balance: each lands on exactly one line
            if nature in ledger.PROFIT_AND_LOSS_NATURES:
                assert pnl.line_of(code, balance) is not None, code
                assert sheet.line_of(code, balance) == sheet.result_key, code
            else:
                assert sheet.line_of(code, balance) is not None, code
                assert sheet.line_of(code, balance) != sheet.result_key or code.startswith(("129", "39")), (
                    code
                )
                assert pnl.line_of(code, balance) is None, code
        if nature in ledger.PROFIT_AND_LOSS_NATURES:
            assert len(pnl.lines_of(code)) == 1, code
    assert checked >= 10


@pytest.mark.parametrize("template", ["pgc_pymes", "generic"])
def test_layout_lines_are_unique_and_totals_add_known_lines(template):
    for kind in (statements.BALANCE_SHEET, statements.PROFIT_AND_LOSS):
        layout = statements.layout_of(template, kind)
        keys = [line.key for line in layout.lines]
        assert len(keys) == len(set(keys))
        assert all(line.feeds or line.adds for line in layout.lines)


def test_pgc_layout_reads_the_model():
    sheet = statements.layout_of("pgc_pymes", statements.BALANCE_SHEET)
    assert sheet.line_of("281", D(-5)) == "assets.A.II"  # accumulated depreciation reduces PP&E
    assert sheet.line_of("4300", D(1)) == "assets.B.II.1"
    assert sheet.line_of("4751", D(-1)) == "liabilities.C.IV.2"
    assert sheet.line_of("572", D(1)) == "assets.B.VI"
    assert sheet.line_of("572", D(-1)) == "liabilities.C.II.1"
    assert sheet.line("assets.A").adds == tuple(
        f"assets.A.{part}" for part in ["I", "II", "III", "IV", "V", "VI"]
    )
    pnl = statements.layout_of("pgc_pymes", statements.PROFIT_AND_LOSS)
    assert pnl.line_of("7080", D(1)) == "1"
    assert pnl.line_of("6080", D(-1)) == "4"
    assert pnl.line_of("626", D(1)) == "7"
    assert pnl.line_of("6300", D(1)) == "19"
    assert pnl.line_of("7954", D(-1)) == "7"
    assert pnl.line_of("7951", D(-1)) == "10"


def test_a_prefix_in_two_lines_is_refused():
    with pytest.raises(ValueError, match="feeds two lines"):
        statements._layout("x", "t", [("", [("a", "a", "a", 1, "70"), ("b", "b", "b", 1, "70")])], "a")
    with pytest.raises(ValueError, match="unknown lines"):
        statements._layout("x", "t", [("", [("a", "a", "a", 1, "= b")])], "a")


# The invariant over random ledgers

CENTS = st.integers(min_value=1, max_value=10_000_000).map(lambda cents: D(cents) / 100)


def _posting_accounts():
    from nexo.accounting.charts import pgc_pymes

    return [row[0] for row in pgc_pymes.ACCOUNTS if not row[4]]


@st.composite
def entries(draw):
    codes = _posting_accounts()
    count = draw(st.integers(min_value=1, max_value=5))
    made = []
    for _ in range(count):
        debits = draw(st.lists(st.tuples(st.sampled_from(codes), CENTS), min_size=1, max_size=3))
        total = sum((amount for _code, amount in debits), D(0))
        credit_codes = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=3))
        # The credits split the debits' total: all but the last take a share, the last the rest (in cents).
        shares = [draw(st.integers(min_value=0, max_value=int(total * 100))) for _ in credit_codes[:-1]]
        credits, left = [], total
        for code, share in zip(credit_codes, shares, strict=False):
            amount = min(D(share) / 100, left)
            credits.append((code, amount))
            left -= amount
        credits.append((credit_codes[-1], left))
        day = date(
            2026, draw(st.integers(min_value=1, max_value=12)), draw(st.integers(min_value=1, max_value=28))
        )
        made.append((day, debits, [(code, amount) for code, amount in credits if amount]))
    return made


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(made=entries())
def test_balance_sheet_balances_and_its_result_is_the_profit_and_loss(
    company, books, customer, accountant, made
):
    with transaction.atomic():
        result_account = D(
            0
        )  # 129's own credit balance: the result line adds it to the year's income and expenses
        for day, debits, credits in sorted(made, key=lambda entry: entry[0]):
            lines = []
            for code, amount in debits:
                party = customer.pk if books[code].needs_party else None
                lines.append(LineInput(books[code].pk, debit=amount, party_id=party))
                result_account -= amount if code == "129" else 0
            for code, amount in credits:
                party = customer.pk if books[code].needs_party else None
                lines.append(LineInput(books[code].pk, credit=amount, party_id=party))
                result_account += amount if code == "129" else 0
            entry_record(company=company, by=accountant, journal="GEN", date=day, lines=lines)
        sheet = statements.balance_sheet(company, at=date(2026, 12, 31))
        pnl = statements.profit_and_loss(company, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
        assert not sheet.unassigned and not pnl.unassigned
        assert sheet.line("assets.total").amount == sheet.line("liabilities.total").amount
        assert sheet.line("assets.total").amount == (
            sheet.line("liabilities.A").amount + sheet.line("liabilities.B").amount
            + sheet.line("liabilities.C").amount
        )  # fmt: skip
        assert sheet.result.amount == pnl.result.amount + result_account
        transaction.set_rollback(True)
