"""The finance dashboard on a small story: three customers' invoices posted from December 2025 to February
2026, their receipts in the first quarter of 2026 (one reversed, one partial, one left on account), and the
figures at the quarter's end worked out by hand in the comments."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nexo.core.formatting import day_text
from nexo.insight.services.dashboards import DASHBOARDS, Filters
from nexo.insight.services.dashboards.finance import balances_rolled_back, build, dso
from nexo.invoicing import services as invoicing
from nexo.invoicing.services import InvoiceLineInput
from nexo.parties.services import party_create
from nexo.payments.models import Direction, DueAmount
from nexo.payments.services.aging import open_balance
from nexo.payments.services.payments import Match, payment_record, payment_reverse
from nexo.sales.tests.terms_helpers import standard_terms

D = Decimal
QUARTER = Filters(date(2026, 1, 1), date(2026, 3, 31))
ADDRESS = {"street": "Calle Colón 12", "postal_code": "46004", "city": "Valencia", "kind": "billing"}
NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


@pytest.fixture(autouse=True)
def _english(english):
    """Titles and notes asserted in English."""


@pytest.fixture
def accountant(make_user, company):
    invoicing.settings_of(company)
    return make_user("contable", "accounting")


class Books:
    """Invoices posted and receipts recorded through the invoicing and payments services."""

    def __init__(self, company, accountant):
        self.company, self.accountant = company, accountant
        self.terms = standard_terms(company)
        self.customers = 0

    def customer(self, name):
        """A customer with a valid NIF and an address (posting asks for both)."""
        self.customers += 1
        number = 10_000_000 + self.customers
        return party_create(
            company=self.company, by=self.accountant, name=name, status="customer",
            tax_id=f"{number}{NIF_LETTERS[number % 23]}", addresses=[ADDRESS],
        )  # fmt: skip

    def invoice(self, party, day, net, vat, term):
        """An invoice of one line of `net` at `vat` %; its due amount (one installment)."""
        draft = invoicing.invoice_create(
            company=self.company, by=self.accountant, party_id=party.pk, date=day,
            lines=[InvoiceLineInput(None, "Works", D(1), D(net), vat_rate=D(vat))],
            payment_term_id=self.terms[term].pk,
        )  # fmt: skip
        posted = invoicing.invoice_post(company=self.company, by=self.accountant, invoice_id=draft.pk)
        return DueAmount.objects.get(origin_model="invoicing.invoice", origin_id=posted.pk)

    def receive(self, party, day, amount, *matches, keep_credit=False):
        return payment_record(
            company=self.company, by=self.accountant, direction=Direction.RECEIVABLE, party_id=party.pk,
            date=day, amount=D(amount), method="cash", allocations=[Match(due.pk, D(part)) for due, part in matches],
            keep_credit=keep_credit,
        )  # fmt: skip


@pytest.fixture
def books(company, accountant):
    return Books(company, accountant)


@pytest.fixture
def story(books):
    turia, norte, sur = (books.customer(name) for name in ("Turia, S.L.", "Norte, S.L.", "Sur, S.A."))
    # Sur: 300.00 + 21 % = 363.00 on 1 December 2025, cash (due that day).
    december = books.invoice(sur, date(2025, 12, 1), "300.00", "21", "Contado")
    # Turia: 1,000.00 + 21 % = 1,210.00 on 10 January, at 30 days (due 9 February).
    january = books.invoice(turia, date(2026, 1, 10), "1000.00", "21", "30 días")
    # Norte: 500.00 + 21 % = 605.00 on 20 January, cash (due 20 January).
    cash = books.invoice(norte, date(2026, 1, 20), "500.00", "21", "Contado")
    # Sur: 200.00 + 10 % = 220.00 on 5 February, at 60 days (due 6 April).
    later = books.invoice(sur, date(2026, 2, 5), "200.00", "10", "60 días")
    # Turia: 100.00 + 21 % = 121.00 on 15 February, cash (due 15 February).
    small = books.invoice(turia, date(2026, 2, 15), "100.00", "21", "Contado")
    assert [due.due_date for due in (december, january, cash, later, small)] == [
        date(2025, 12, 1), date(2026, 2, 9), date(2026, 1, 20), date(2026, 4, 6), date(2026, 2, 15),
    ]  # fmt: skip
    # In date order (a journal numbers its entries by date): Norte pays 605.00 on 25 January, the bank returns
    # it on 3 February; Turia pays its January invoice on 9 February; Norte pays 300.00 on 5 March; Sur 100.00
    # of December's on 20 March; Turia 50.00 on 25 March that matches nothing (left on its account).
    bounced = books.receive(norte, date(2026, 1, 25), "605.00", (cash, "605.00"))
    payment_reverse(company=books.company, by=books.accountant, payment_id=bounced.pk, date=date(2026, 2, 3))
    books.receive(turia, date(2026, 2, 9), "1210.00", (january, "1210.00"))
    books.receive(norte, date(2026, 3, 5), "300.00", (cash, "300.00"))
    books.receive(sur, date(2026, 3, 20), "100.00", (december, "100.00"))
    books.receive(turia, date(2026, 3, 25), "50.00", keep_credit=True)
    return {"turia": turia, "norte": norte, "sur": sur}


def panel(panels, key):
    (found,) = [one for one in panels if one.key == key]
    return found


# At the quarter's end (31 March): Sur's December invoice has 363 - 100 = 263.00 left, 120 days late (over
# 90); Norte's 605 - 300 = 305.00, 70 days late (61-90); Turia's February one 121.00, 44 days late (31-60);
# Sur's February one 220.00, not due; Turia's 50.00 on account. Receivables: 220 + 121 + 305 + 263 - 50 =
# 859.00, of which 121 + 305 + 263 = 689.00 overdue.


def test_the_receivables_aging_is_the_aging_reports_at_the_periods_end(company, story):
    aging = panel(build(company, QUARTER), "aging")
    zero = D("0.00")
    assert aging.rows == [
        ["Not due", D("220.00")], ["1-30 days", zero], ["31-60 days", D("121.00")], ["61-90 days", D("305.00")],
        ["Over 90 days", D("263.00")], ["Unapplied credits", D("-50.00")], ["Total", D("859.00")],
    ]  # fmt: skip
    assert aging.figures == {"Receivables": D("859.00"), "Overdue amount": D("689.00")}
    assert aging.figures["Receivables"] == open_balance(company, at=date(2026, 3, 31))
    assert "31 March 2026" in aging.note


def test_overdue_by_customer_the_most_first(company, story):
    overdue = panel(build(company, QUARTER), "overdue_by_customer")
    zero = D("0.00")
    assert overdue.columns == [
        "Customer",
        "1-30 days",
        "31-60 days",
        "61-90 days",
        "Over 90 days",
        "Overdue amount",
    ]
    assert overdue.rows == [
        ["Norte, S.L.", zero, zero, D("305.00"), zero, D("305.00")],
        ["Sur, S.A.", zero, zero, zero, D("263.00"), D("263.00")],
        ["Turia, S.L.", zero, D("121.00"), zero, zero, D("121.00")],
    ]
    assert overdue.figures == {"Customers with overdue amounts": 3}


def test_cash_collected_by_month_net_of_reversals(company, story):
    cash = panel(build(company, QUARTER), "cash_collected")
    # January: Norte's 605.00. February: Turia's 1,210.00, less Norte's 605.00 returned. March: 300 + 100 +
    # 50 = 450.00. In the quarter: 605 + 605 + 450 = 1,660.00.
    zero = D("0.00")
    assert cash.rows == [
        ["Jan 2026", D("605.00"), zero, D("605.00")],
        ["Feb 2026", D("1210.00"), D("605.00"), D("605.00")],
        ["Mar 2026", D("450.00"), zero, D("450.00")],
    ]
    assert cash.figures == {"Collected in the period": D("1660.00")}


def test_days_sales_outstanding_of_the_period_and_of_each_month(company, story):
    dso_panel = panel(build(company, QUARTER), "dso")
    # Credit sales: January 1,210 + 605 = 1,815.00; February 220 + 121 = 341.00; March none: 2,156.00.
    # Receivables at the month ends, rolled back from March's 859.00: February 859 - (0 - 450) = 1,309.00
    # (363 + 605 + 220 + 121: the reversed receipt paid nothing); January 1,309 - (341 - 1,210 + 605) =
    # 1,573.00 (363 + 1,210 + 605 - 605: Norte's receipt not reversed yet).
    # DSO: quarter 859 / 2,156 x 90 = 35.86; January 1,573 / 1,815 x 31 = 26.87; February 1,309 / 341 x
    # 28 = 107.48; March: no credit sales, no figure.
    assert dso_panel.rows == [
        ["Jan 2026", D("1815.00"), D("1573.00"), 31, D("26.9")],
        ["Feb 2026", D("341.00"), D("1309.00"), 28, D("107.5")],
        ["Mar 2026", D("0.00"), D("859.00"), 31, None],
    ]
    assert dso_panel.figures == {
        "DSO (days)": D("35.9"), "Receivables": D("859.00"), "Credit sales": D("2156.00"), "Days": 90,
    }  # fmt: skip
    formula = "DSO = receivables at the period's end ÷ credit sales in the period × days in the period"  # noqa: RUF001
    assert formula in dso_panel.note


def test_the_month_end_receivables_are_the_aging_totals_at_those_dates(company, story):
    """Rolling back from the period's end gives what the aging report says at each month's end."""
    rows = panel(build(company, Filters(date(2025, 11, 20), date(2026, 3, 31))), "dso").rows
    ends = [date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert [row[2] for row in rows] == [open_balance(company, at=end) for end in ends]
    assert [row[2] for row in rows] == [D("0.00"), D("363.00"), D("1573.00"), D("1309.00"), D("859.00")]
    assert [row[3] for row in rows] == [11, 31, 31, 28, 31]  # November from the 20th


def test_a_shorter_period_counts_its_own_sales_and_days(company, story):
    february = build(company, Filters(date(2026, 2, 1), date(2026, 2, 28)))
    # 1,309.00 owed at the end of February / 341.00 sold x 28 days = 107.48.
    assert panel(february, "dso").figures["DSO (days)"] == D("107.5")
    assert panel(february, "cash_collected").figures == {"Collected in the period": D("605.00")}
    # At the end of February: Norte's 605.00 is 39 days late, Turia's 121.00 13 days, Sur's December
    # 363.00 89 days; Sur's February invoice not due.
    assert panel(february, "aging").rows[:5] == [
        ["Not due", D("220.00")], ["1-30 days", D("121.00")], ["31-60 days", D("605.00")],
        ["61-90 days", D("363.00")], ["Over 90 days", D("0.00")],
    ]  # fmt: skip


def test_a_period_reaching_past_today_ends_today(company, story):
    today = timezone.localdate()
    panels = build(company, Filters(date(2026, 1, 1), today + timedelta(days=60)))
    until_today = build(company, Filters(date(2026, 1, 1), today))
    assert [one.rows for one in panels] == [one.rows for one in until_today]
    assert panel(panels, "dso").figures["Days"] == (today - date(2026, 1, 1)).days + 1
    assert day_text(today) in panel(panels, "aging").note


def test_the_pure_figures():
    assert dso(D("859.00"), D("2156.00"), 90) == D("35.9")
    assert dso(D("100.00"), D("0.00"), 30) is None
    assert dso(D("100.00"), D("-10.00"), 30) is None
    assert balances_rolled_back(D("859.00"), [D("1210.00"), D("-264.00"), D("-450.00")]) == [
        D("1573.00"), D("1309.00"), D("859.00"),
    ]  # fmt: skip
    assert balances_rolled_back(D("5.00"), []) == []


def test_more_than_ten_overdue_customers_end_with_the_others(company, books):
    dues = []
    for index in range(12):  # 12 customers owing 12.10, 24.20 … 145.20 since 5 January
        party = books.customer(f"Cliente {index:02d}")
        dues.append(books.invoice(party, date(2026, 1, 5), f"{10 * (index + 1)}.00", "21", "Contado"))
    rows = panel(build(company, QUARTER), "overdue_by_customer").rows
    assert [row[0] for row in rows] == [f"Cliente {index:02d}" for index in range(11, 1, -1)] + [
        "Other customers (2)"
    ]
    assert rows[-1][-1] == D("36.30")  # 12.10 + 24.20, 85 days late
    assert rows[-1][3] == D("36.30")


def test_the_dashboard_draws_every_panel_and_says_which_filters_it_ignores(company, story):
    panels = DASHBOARDS["finance"].build(
        company, Filters(date(2026, 1, 1), date(2026, 3, 31), salesperson_id=1)
    )
    assert [one.key for one in panels] == ["aging", "overdue_by_customer", "cash_collected", "dso"]
    for one in panels:
        assert one.chart.startswith("<svg") and one.title in one.chart
        assert "the salesperson filter does not apply here." in one.note
        assert all(len(row) == len(one.columns) for row in one.rows)
    # The figures are the company's whichever filter is given.
    assert panel(panels, "aging").rows == panel(build(company, QUARTER), "aging").rows
    both = build(company, Filters(date(2026, 1, 1), date(2026, 3, 31), salesperson_id=1, category_id=2))
    assert "the salesperson and category filters do not apply here." in both[0].note
    assert "apply" not in build(company, QUARTER)[0].note


def test_an_empty_company_draws_empty_panels(company):
    panels = build(company, QUARTER)
    assert [len(one.rows) for one in panels] == [7, 0, 3, 3]
    assert panel(panels, "dso").figures["DSO (days)"] is None
    assert all(one.chart.startswith("<svg") for one in panels)


def test_another_companys_books_are_not_counted(company, other_company, story, make_user):
    assert all(
        not one.rows or all(not isinstance(cell, Decimal) or cell == 0 for row in one.rows for cell in row)
        for one in build(other_company, QUARTER)
    )


def _queries(company, filters) -> int:
    with CaptureQueriesContext(connection) as captured:
        build(company, filters)
    return len(captured)


def test_the_dashboard_runs_the_same_four_queries_whatever_the_data(
    company, books, story, django_assert_max_num_queries
):
    small = _queries(company, QUARTER)
    for index in range(10):
        party = books.customer(f"Cliente {index}")
        due = books.invoice(party, date(2026, 3, 1 + index), "10.00", "21", "Contado")
        books.receive(party, date(2026, 3, 31), "5.00", (due, "5.00"))
    assert _queries(company, QUARTER) == small
    with django_assert_max_num_queries(4):  # the aging; credit sales, receipts and reversals by month
        panels = build(company, QUARTER)
    assert len(panel(panels, "overdue_by_customer").rows) == 11  # ten customers and the others
