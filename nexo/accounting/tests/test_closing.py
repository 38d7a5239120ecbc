"""Closing a fiscal year and reopening it, with figures worked out by hand.

The year 2025 of a small distributor: 10,000.00 of capital paid into the bank; two sales (1,000.00 and 500.00
plus 21 % VAT) to two customers; a purchase of 400.00 plus 21 % VAT; the first customer pays 1,000.00 of its
1,210.00; the bank charges 15.00; the supplier is paid in full.

    income 700 = 1,500.00; expenses 600 + 626 = 415.00; result = 1,085.00 profit
    572 = 10,000 + 1,000 - 15 - 484 = 10,501.00 D     100 = 10,000.00 C     129 = 1,085.00 C (after closing)
    4300 Cliente Uno = 1,210 - 1,000 = 210.00 D       4300 Cliente Dos = 605.00 D
    472 = 84.00 D     4770 = 210 + 105 = 315.00 C     4000 Proveedor Uno = 0
    debits 10,501 + 210 + 605 + 84 = 11,400 = credits 10,000 + 1,085 + 315
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from nexo.accounting.models import Entry, EntryLine, FiscalYear, Period
from nexo.accounting.services import closing
from nexo.accounting.services import fiscal_years as years
from nexo.accounting.services import ledger as services
from nexo.accounting.services.ledger import LineInput
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.parties.models import Party

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = Decimal
Y2025, Y2026 = date(2025, 12, 31), date(2026, 1, 1)


@pytest.fixture
def second_customer(company):
    return Party.objects.create(
        company=company, name="Cliente Dos, S.L.", status="customer", tax_id="B00000000"
    )


@pytest.fixture
def year_2025(company, books, accountant):
    return years.fiscal_year_create(company=company, by=accountant, year=2025)


def _record(company, by, journal, day, *lines):
    return services.entry_record(company=company, by=by, journal=journal, date=day, lines=list(lines))


@pytest.fixture
def trading_year(company, books, accountant, customer, second_customer, supplier, year_2025):
    """The year 2025 described in the module's docstring, posted."""
    a, by = books, accountant

    def line(code, debit="0", credit="0", party=None):
        return LineInput(a[code].pk, D(debit), D(credit), party.pk if party else None)

    _record(company, by, "GEN", date(2025, 1, 2), line("572", "10000"), line("100", credit="10000"))
    _record(
        company, by, "VEN", date(2025, 3, 10),
        line("4300", "1210", party=customer), line("700", credit="1000"), line("4770", credit="210"),
    )  # fmt: skip
    _record(company, by, "COM", date(2025, 4, 1), line("600", "400"), line("472", "84"),
            line("4000", credit="484", party=supplier))  # fmt: skip
    _record(
        company, by, "VEN", date(2025, 5, 5),
        line("4300", "605", party=second_customer), line("700", credit="500"), line("4770", credit="105"),
    )  # fmt: skip
    _record(
        company, by, "BAN", date(2025, 6, 1), line("572", "1000"), line("4300", credit="1000", party=customer)
    )
    _record(company, by, "BAN", date(2025, 6, 30), line("626", "15"), line("572", credit="15"))
    _record(
        company, by, "BAN", date(2025, 7, 1), line("4000", "484", party=supplier), line("572", credit="484")
    )
    return year_2025


def balances(company, start, end, *, kinds=None):
    """(account code, party name) → debit minus credit over posted lines from start to end, summed in SQL."""
    lines = EntryLine.objects.filter(company=company, posted=True, date__gte=start, date__lte=end)
    if kinds is not None:
        lines = lines.filter(kind__in=kinds)
    rows = lines.values("account__code", "party__name").annotate(debit=Sum("debit"), credit=Sum("credit"))
    return {
        (row["account__code"], row["party__name"]): row["debit"] - row["credit"]
        for row in rows
        if row["debit"] != row["credit"]
    }


BEFORE_CLOSING = {
    ("100", None): D("-10000.00"),
    ("4300", "Cliente Dos, S.L."): D("605.00"),
    ("4300", "Cliente Uno, S.L."): D("210.00"),
    ("472", None): D("84.00"),
    ("4770", None): D("-315.00"),
    ("572", None): D("10501.00"),
    ("600", None): D("400.00"),
    ("626", None): D("15.00"),
    ("700", None): D("-1500.00"),
}
OPENING = {
    ("100", None): D("-10000.00"),
    ("129", None): D("-1085.00"),
    ("4300", "Cliente Dos, S.L."): D("605.00"),
    ("4300", "Cliente Uno, S.L."): D("210.00"),
    ("472", None): D("84.00"),
    ("4770", None): D("-315.00"),
    ("572", None): D("10501.00"),
}


def lines_of(entry):
    return [
        (line.account.code, line.party.name if line.party else None, line.debit, line.credit)
        for line in EntryLine.objects.filter(entry=entry)
        .select_related("account", "party")
        .order_by("position")
    ]


def test_the_plan_shows_the_result_and_the_three_entries_before_anything_is_posted(company, trading_year):
    plan = closing.closing_plan(company, trading_year)
    assert plan.problems == []
    assert plan.result == D("1085.00")
    assert [(line.debit, line.credit) for line in plan.regularisation_lines()] == [
        (D("0"), D("400.00")), (D("0"), D("15.00")), (D("1500.00"), D("0")), (D("0"), D("1085.00")),
    ]  # fmt: skip
    assert [(row.code, row.party_name, row.balance) for row in plan.balance_sheet] == [
        (code, party or "", amount) for (code, party), amount in sorted(OPENING.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    ]  # fmt: skip
    assert not Entry.objects.filter(kind__in=["regularisation", "closing", "opening"]).exists()


def test_closing_moves_the_result_to_129_zeroes_the_balance_sheet_and_opens_the_next_year(
    company, books, accountant, trading_year
):
    assert balances(company, date(2025, 1, 1), Y2025) == BEFORE_CLOSING

    closed = closing.year_close(company=company, by=accountant, fiscal_year_id=trading_year.pk)

    assert closed.state == "closed" and closed.closed_by == accountant and closed.closed_at is not None
    assert set(Period.objects.filter(fiscal_year=trading_year).values_list("state", flat=True)) == {"closed"}
    regularisation, closing_entry = Entry.objects.filter(
        fiscal_year=trading_year, journal__code="CIE"
    ).order_by("sequence")
    assert (regularisation.number, regularisation.kind, regularisation.date) == (
        "CIE/2025/000001", "regularisation", Y2025,
    )  # fmt: skip
    assert lines_of(regularisation) == [
        ("600", None, D("0.00"), D("400.00")),
        ("626", None, D("0.00"), D("15.00")),
        ("700", None, D("1500.00"), D("0.00")),
        ("129", None, D("0.00"), D("1085.00")),
    ]
    assert (closing_entry.number, closing_entry.kind, closing_entry.date) == (
        "CIE/2025/000002",
        "closing",
        Y2025,
    )
    assert closing_entry.total == D("11400.00")
    # 129 holds the result before the closing entry; after it every account of 2025 is zero.
    before_closing = balances(company, date(2025, 1, 1), Y2025, kinds=["normal", "opening", "regularisation"])
    assert before_closing == {key: value for key, value in OPENING.items()}
    assert balances(company, date(2025, 1, 1), Y2025) == {}
    opening = Entry.objects.get(company=company, kind="opening")
    assert (opening.number, opening.date, opening.fiscal_year.name) == ("CIE/2026/000001", Y2026, "2026")
    assert balances(company, Y2026, date(2026, 12, 31)) == OPENING
    assert lines_of(opening) == [
        ("100", None, D("0.00"), D("10000.00")),
        ("129", None, D("0.00"), D("1085.00")),
        ("4300", "Cliente Dos, S.L.", D("605.00"), D("0.00")),
        ("4300", "Cliente Uno, S.L.", D("210.00"), D("0.00")),
        ("472", None, D("84.00"), D("0.00")),
        ("4770", None, D("0.00"), D("315.00")),
        ("572", None, D("10501.00"), D("0.00")),
    ]


def test_a_closed_year_takes_no_entry_by_any_path(company, books, accountant, customer, trading_year):
    closing.year_close(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    sale = [
        LineInput(books["4300"].pk, D("121"), D("0"), customer.pk),
        LineInput(books["700"].pk, D("0"), D("121")),
    ]
    count = Entry.objects.count()
    with pytest.raises(ValidationFailed, match="2025 is closed"):
        services.entry_record(
            company=company, by=accountant, journal="VEN", date=date(2025, 12, 1), lines=sale
        )
    gen = services.journal_of(company, "GEN").pk
    # A manual draft may be written; it cannot be posted into the closed year.
    draft = services.entry_create(
        company=company, by=accountant, journal_id=gen, date=date(2025, 11, 3), lines=sale
    )
    with pytest.raises(ValidationFailed, match="2025 is closed"):
        services.entry_post(company=company, by=accountant, entry_id=draft.pk)
    assert Entry.objects.count() == count + 1
    assert Entry.objects.get(pk=draft.pk).state == "draft"


def test_reopening_reverses_the_three_entries_and_brings_the_books_back(company, accountant, trading_year):
    closing.year_close(company=company, by=accountant, fiscal_year_id=trading_year.pk)

    reopened = closing.year_reopen(company=company, by=accountant, fiscal_year_id=trading_year.pk)

    assert reopened.state == "open" and reopened.closed_at is None and reopened.closed_by is None
    assert set(Period.objects.filter(fiscal_year=trading_year).values_list("state", flat=True)) == {"open"}
    assert balances(company, date(2025, 1, 1), Y2025) == BEFORE_CLOSING
    assert balances(company, Y2026, date(2026, 12, 31)) == {}
    reversals = Entry.objects.filter(company=company, reverses__isnull=False).order_by("date", "sequence")
    assert [(entry.number, entry.kind, entry.date, entry.reverses.number) for entry in reversals] == [
        ("CIE/2025/000003", "closing", Y2025, "CIE/2025/000002"),
        ("CIE/2025/000004", "regularisation", Y2025, "CIE/2025/000001"),
        ("CIE/2026/000002", "opening", Y2026, "CIE/2026/000001"),
    ]
    # The year can take entries again, and closing it a second time gives the same opening.
    closing.year_close(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    assert balances(company, date(2025, 1, 1), Y2025) == {}
    assert balances(company, Y2026, date(2026, 12, 31)) == OPENING
    # Reopening again reverses only the entries of the second closing.
    closing.year_reopen(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    assert balances(company, date(2025, 1, 1), Y2025) == BEFORE_CLOSING
    assert Entry.objects.filter(company=company, reverses__isnull=False).count() == 6


def test_a_loss_is_debited_to_129(company, books, accountant, year_2025):
    _record(
        company, accountant, "BAN", date(2025, 2, 1),
        LineInput(books["626"].pk, D("40.00")), LineInput(books["572"].pk, credit=D("40.00")),
    )  # fmt: skip
    closing.year_close(company=company, by=accountant, fiscal_year_id=year_2025.pk)
    regularisation = Entry.objects.get(company=company, kind="regularisation")
    assert lines_of(regularisation) == [
        ("626", None, D("0.00"), D("40.00")),
        ("129", None, D("40.00"), D("0.00")),
    ]
    assert balances(company, Y2026, Y2026) == {("129", None): D("40.00"), ("572", None): D("-40.00")}


def test_a_year_without_entries_closes_without_posting(company, accountant, year_2025):
    closing.year_close(company=company, by=accountant, fiscal_year_id=year_2025.pk)
    assert FiscalYear.objects.get(pk=year_2025.pk).state == "closed"
    assert not Entry.objects.filter(company=company).exists()


# Bad input: a clear 4xx, nothing changes


def _snapshot(company):
    return (
        Entry.objects.filter(company=company).count(),
        list(FiscalYear.objects.filter(company=company).order_by("start").values_list("name", "state")),
        list(
            Period.objects.filter(fiscal_year__company=company)
            .order_by("start")
            .values_list("state", flat=True)
        ),
    )


def test_closing_a_year_twice_is_a_conflict(company, accountant, trading_year):
    closing.year_close(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    before = _snapshot(company)
    with pytest.raises(Conflict, match="already closed") as refused:
        closing.year_close(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    assert refused.value.status == 409
    assert _snapshot(company) == before


def test_a_year_with_drafts_is_not_closed(company, books, accountant, customer, trading_year):
    services.entry_create(
        company=company, by=accountant, journal_id=services.journal_of(company, "GEN").pk, date=date(2025, 9, 1),
        lines=[LineInput(books["572"].pk, D("5")), LineInput(books["100"].pk, credit=D("5"))],
    )  # fmt: skip
    before = _snapshot(company)
    with pytest.raises(Conflict, match="1 draft entries"):
        closing.year_close(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    assert _snapshot(company) == before
    assert closing.closing_plan(company, trading_year).problems


def test_years_close_in_order(company, accountant, trading_year):
    year_2026 = FiscalYear.objects.get(company=company, name="2026")
    before = _snapshot(company)
    with pytest.raises(Conflict, match="Close fiscal year 2025 first"):
        closing.year_close(company=company, by=accountant, fiscal_year_id=year_2026.pk)
    assert _snapshot(company) == before
    closing.year_close(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    closing.year_close(company=company, by=accountant, fiscal_year_id=year_2026.pk)
    # 2026 only holds its opening entry: it closes back to zero and 2027 opens with the same balances.
    assert balances(company, date(2027, 1, 1), date(2027, 12, 31)) == OPENING
    # Only the last closed year can be reopened.
    with pytest.raises(Conflict, match="Reopen fiscal year 2026 first"):
        closing.year_reopen(company=company, by=accountant, fiscal_year_id=trading_year.pk)


def test_the_lock_date_refuses_entries_on_and_before_it_by_every_path(
    company, books, accountant, trading_year
):
    services.lock_date_set(company=company, by=accountant, lock_date=date(2025, 6, 30))
    lines = [LineInput(books["572"].pk, D("5")), LineInput(books["100"].pk, credit=D("5"))]
    with pytest.raises(ValidationFailed, match="locked up to 2025-06-30"):
        services.entry_record(
            company=company, by=accountant, journal="GEN", date=date(2025, 6, 30), lines=lines
        )
    draft = services.entry_create(
        company=company, by=accountant, journal_id=services.journal_of(company, "GEN").pk, date=date(2025, 6, 1),
        lines=lines,
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="locked up to 2025-06-30"):
        services.entry_post(company=company, by=accountant, entry_id=draft.pk)
    services.entry_delete(company=company, by=accountant, entry_id=draft.pk)
    # The day after is open.
    services.entry_record(company=company, by=accountant, journal="GEN", date=date(2025, 7, 1), lines=lines)


def test_a_year_on_or_before_the_lock_date_is_not_closed(company, accountant, trading_year):
    services.lock_date_set(company=company, by=accountant, lock_date=Y2025)
    before = _snapshot(company)
    with pytest.raises(Conflict, match="locked up to 2025-12-31"):
        closing.year_close(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    assert _snapshot(company) == before


def test_a_year_is_not_reopened_once_the_next_one_is_locked(company, accountant, trading_year):
    closing.year_close(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    services.lock_date_set(company=company, by=accountant, lock_date=date(2026, 1, 31))
    before = _snapshot(company)
    with pytest.raises(Conflict, match="next one is locked"):
        closing.year_reopen(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    assert _snapshot(company) == before
    # Locked on the closed year's last day: the reversals could not be posted.
    services.lock_date_set(company=company, by=accountant, lock_date=Y2025)
    with pytest.raises(Conflict, match="move the lock date"):
        closing.year_reopen(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    assert _snapshot(company) == before
    services.lock_date_set(company=company, by=accountant, lock_date=date(2025, 11, 30))
    assert closing.year_reopen(company=company, by=accountant, fiscal_year_id=trading_year.pk).state == "open"


def test_reopening_an_open_year_is_a_conflict(company, accountant, trading_year):
    with pytest.raises(Conflict, match="is open"):
        closing.year_reopen(company=company, by=accountant, fiscal_year_id=trading_year.pk)


def test_a_closed_first_period_of_the_next_year_stops_the_closing_whole(company, accountant, trading_year):
    january = Period.objects.get(fiscal_year__company=company, start=Y2026)
    years.period_set_state(company=company, by=accountant, period_id=january.pk, state="closed")
    before = _snapshot(company)
    with pytest.raises(Conflict, match="2026-01-01 is closed"):
        closing.year_close(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    assert _snapshot(company) == before


def test_a_closed_last_period_still_takes_the_closing_entries(company, accountant, trading_year):
    december = Period.objects.get(fiscal_year=trading_year, number=12)
    years.period_set_state(company=company, by=accountant, period_id=december.pk, state="closed")
    closing.year_close(company=company, by=accountant, fiscal_year_id=trading_year.pk)
    assert Entry.objects.filter(company=company, date=Y2025, journal__code="CIE").count() == 2


def test_another_companys_year_is_not_found(company, other_company, accountant, trading_year):
    with pytest.raises(NotFound):
        closing.year_close(company=other_company, by=accountant, fiscal_year_id=trading_year.pk)
    with pytest.raises(NotFound):
        closing.year_reopen(company=other_company, by=accountant, fiscal_year_id=trading_year.pk)
    with pytest.raises(NotFound):
        closing.year_close(company=company, by=accountant, fiscal_year_id=2**63)


def test_closing_reads_a_fixed_number_of_queries_whatever_the_parties(company, books, accountant, year_2025):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def sell_to(count, year):
        for number in range(count):
            party = Party.objects.create(
                company=company, name=f"Cliente {year}-{number:03d}", status="customer"
            )
            _record(
                company, accountant, "VEN", date(year, 3, 1),
                LineInput(books["4300"].pk, D("12.10"), party_id=party.pk),
                LineInput(books["700"].pk, credit=D("10.00")), LineInput(books["4770"].pk, credit=D("2.10")),
            )  # fmt: skip

    sell_to(2, 2025)
    with CaptureQueriesContext(connection) as few:
        closing.year_close(company=company, by=accountant, fiscal_year_id=year_2025.pk)
    year_2026 = FiscalYear.objects.get(company=company, name="2026")
    sell_to(40, 2026)
    years.fiscal_year_create(company=company, by=accountant, year=2027)  # as 2026 was: the same work
    with CaptureQueriesContext(connection) as many:
        closing.year_close(company=company, by=accountant, fiscal_year_id=year_2026.pk)
    assert len(many) == len(few) < 70
    opening = Entry.objects.get(company=company, kind="opening", fiscal_year__name="2027")
    assert EntryLine.objects.filter(entry=opening).count() == 42 + 2  # 42 customers, 4770 and 129
