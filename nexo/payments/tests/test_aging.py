"""Aging at a date: the buckets at their limits, what was owed then (later invoices and payments left out,
a reversal counted from its date, a credit applied later counted from when it was), credits in their own
column so each total is the party's balance on its receivable account, and a constant number of queries."""

from datetime import date, timedelta

import pytest
from django.db.models import Q, Sum

from nexo.accounting.models import Account, EntryLine
from nexo.accounting.services.defaults import default_account, default_accounts
from nexo.accounting.services.ledger import LineInput, entry_record
from nexo.core.errors import ValidationFailed
from nexo.payments.models import Direction
from nexo.payments.rules import aging as rules
from nexo.payments.services.aging import aging, open_balance, overdue
from nexo.payments.services.payments import Match, credit_apply, payment_reverse
from nexo.payments.tests.factories_aging import *  # noqa: F403 (the fixtures)
from nexo.payments.tests.factories_aging import AT, D, make_due, make_party, pay


@pytest.fixture(autouse=True)
def _english(english):
    """Messages asserted in English."""


# The rule


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(-10, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (400, 4)],
)
def test_a_due_amount_falls_in_its_bucket_by_the_days_past_its_due_date(days, bucket):
    assert rules.bucket_of(AT - timedelta(days=days), AT) == bucket


def test_the_bucket_starts_are_the_rules_limits():
    starts = rules.bucket_starts(AT)
    for bucket, start in enumerate(starts):
        assert rules.bucket_of(start, AT) == bucket
        assert rules.bucket_of(start - timedelta(days=1), AT) == bucket + 1


def test_reminder_levels_climb_to_the_final_notice_and_stop():
    assert [rules.next_level(level) for level in (0, 1, 2)] == [1, 2, 3]
    with pytest.raises(rules.ReminderRefused):
        rules.next_level(3)


# The report


def test_the_database_puts_each_due_amount_in_the_rules_bucket_at_the_limits(books, turia):
    days = [0, 1, 30, 31, 60, 61, 90, 91, -5]
    for index, late in enumerate(days):
        make_due(
            books, turia, D(2**index), document_date=AT - timedelta(days=200), due_date=AT - timedelta(days=late),
            number=f"F-{index}",
        )  # fmt: skip
    (row,) = aging(books, at=AT).rows
    expected = [D(0)] * 5
    for index, late in enumerate(days):
        expected[rules.bucket_of(AT - timedelta(days=late), AT)] += D(2**index)
    assert row.buckets == expected == [D(1 + 256), D(2 + 4), D(8 + 16), D(32 + 64), D(128)]
    assert row.total == D(2**9 - 1) and row.credits == 0


def test_at_a_past_date_later_invoices_and_later_payments_are_left_out(books, turia):
    march = make_due(books, turia, "1000.00", document_date=date(2026, 3, 1), due_date=date(2026, 3, 31))
    make_due(
        books, turia, "500.00", document_date=date(2026, 4, 20), due_date=date(2026, 5, 20), number="F-2"
    )
    pay(books, turia, "300.00", date(2026, 4, 15), (march, "300.00"))
    pay(books, turia, "200.00", date(2026, 5, 15), (march, "200.00"))

    (row,) = aging(books, at=date(2026, 4, 10)).rows
    assert (row.buckets, row.total) == ([0, D("1000.00"), 0, 0, 0], D("1000.00"))
    (row,) = aging(books, at=date(2026, 4, 30)).rows  # the April payment counts, the April invoice is not due
    assert (row.buckets, row.total) == ([D("500.00"), D("700.00"), 0, 0, 0], D("1200.00"))
    (row,) = aging(books, at=date(2026, 6, 1)).rows  # 62 days after March 31, 12 after May 20
    assert (row.buckets, row.total) == ([0, D("500.00"), 0, D("500.00"), 0], D("1000.00"))
    assert aging(books, at=date(2026, 2, 28)).rows == []


def test_a_reversed_payment_counts_as_paid_until_the_date_of_its_reversal(books, turia):
    due = make_due(books, turia, "800.00", document_date=date(2026, 3, 1), due_date=date(2026, 3, 31))
    payment = pay(books, turia, "800.00", date(2026, 4, 2), (due, "800.00"))
    payment_reverse(company=books, by=None, payment_id=payment.pk, date=date(2026, 5, 10))

    assert aging(books, at=date(2026, 4, 1)).total.total == D("800.00")
    assert aging(books, at=date(2026, 5, 9)).rows == []  # paid then
    (row,) = aging(books, at=date(2026, 5, 10)).rows
    assert row.buckets == [0, 0, D("800.00"), 0, 0]


def test_credits_sit_in_their_own_column_and_each_total_is_the_partys_balance_on_its_receivable_account(
    books, turia, norte
):
    sales = default_account(default_accounts(books), "sales")

    def invoiced(party, amount, day, due_in=30, number="F"):
        due = make_due(
            books, party, amount, document_date=day, due_date=day + timedelta(days=due_in), number=number
        )
        side = (D(amount), D(0)) if D(amount) > 0 else (D(0), -D(amount))
        entry_record(
            company=books, by=None, journal="GEN", date=day,
            lines=[LineInput(due.account_id, *side, party.pk), LineInput(sales.pk, *reversed(side))],
        )  # fmt: skip
        return due

    first = invoiced(turia, "1210.00", date(2026, 2, 1), number="F-1")
    invoiced(turia, "605.00", date(2026, 5, 20), number="F-2")
    invoiced(turia, "-121.00", date(2026, 5, 25), due_in=0, number="R-1")  # a credit note not offset yet
    pay(books, turia, "1500.00", date(2026, 4, 1), (first, "1210.00"), keep_credit=True)  # 290.00 left over
    invoiced(norte, "100.00", date(2026, 6, 1), number="F-3")

    at = date(2026, 6, 30)
    report = aging(books, at=at)
    by_party = {row.party_id: row for row in report.rows}
    assert by_party[turia.pk].buckets == [0, D("605.00"), 0, 0, 0]
    assert by_party[turia.pk].credits == D("-411.00")  # the credit note and the receipt's rest
    assert by_party[turia.pk].total == D("194.00")
    receivable = Account.objects.filter(company=books, code__startswith="430")
    for party in (turia, norte):
        ledger = EntryLine.objects.filter(
            Q(account__in=receivable), company=books, party=party, posted=True, date__lte=at
        ).aggregate(balance=Sum("debit") - Sum("credit"))["balance"]
        assert by_party[party.pk].total == ledger
    assert report.total.total == D("294.00") == open_balance(books, at=at)
    assert report.total.buckets == [D("100.00"), D("605.00"), 0, 0, 0] and report.total.credits == D(
        "-411.00"
    )
    # Before the receipt's date nothing is credited; before the credit note, no credit at all.
    assert aging(books, at=date(2026, 3, 31), party_id=turia.pk).rows[0].credits == 0


def test_a_credit_applied_later_counts_from_the_day_it_was_applied(books, turia):
    receipt = pay(books, turia, "400.00", date(2026, 3, 1), keep_credit=True)
    due = make_due(books, turia, "400.00", document_date=date(2026, 3, 10), due_date=date(2026, 4, 9))
    credit_apply(company=books, by=None, payment_id=receipt.pk, allocations=[Match(due.pk, D("400.00"))])

    (row,) = aging(books, at=date(2026, 6, 30)).rows  # applied today, after this date
    assert (row.buckets[3], row.credits, row.total) == (D("400.00"), D("-400.00"), 0)  # 82 days late
    assert aging(books, at=date.today() + timedelta(days=1)).rows == []


def test_payables_are_aged_apart_from_receivables(books, turia):
    make_due(books, turia, "50.00", document_date=date(2026, 6, 1), due_date=date(2026, 6, 5))
    make_due(
        books, turia, "70.00", document_date=date(2026, 6, 1), due_date=date(2026, 7, 1),
        direction=Direction.PAYABLE, model="invoicing.supplierinvoice",
    )  # fmt: skip
    assert aging(books, at=AT).total.total == D("50.00")
    (row,) = aging(books, at=AT, direction="payable").rows
    assert row.buckets == [D("70.00"), 0, 0, 0, 0]


def test_a_party_of_another_company_or_an_unknown_direction_is_refused(books, turia, other_company):
    stranger = make_party(other_company, "Ajena, S.A.")
    with pytest.raises(ValidationFailed) as refused:
        aging(books, at=AT, party_id=stranger.pk)
    assert refused.value.errors[0]["field"] == "party"
    with pytest.raises(ValidationFailed):
        aging(books, at=AT, direction="sideways")


def test_the_overdue_list_gives_what_was_left_and_the_days_late(books, turia, norte):
    late = make_due(books, turia, "300.00", document_date=date(2026, 4, 1), due_date=date(2026, 5, 1))
    make_due(books, turia, "90.00", document_date=date(2026, 6, 1), due_date=date(2026, 7, 1), number="F-2")
    make_due(books, norte, "20.00", document_date=date(2026, 6, 1), due_date=date(2026, 6, 29), number="F-3")
    pay(books, turia, "100.00", date(2026, 5, 10), (late, "100.00"))

    found = overdue(books, at=AT)
    assert found.count == 2
    assert [(item.party_name, item.remaining, item.days_late) for item in found.items] == [
        ("Estudio Norte, S.L.P.", D("20.00"), 1),
        ("Ferretería Turia, S.L.", D("200.00"), 60),
    ]
    assert overdue(books, at=AT, min_days=2).count == 1
    assert overdue(books, at=AT, party_id=norte.pk).items[0].reminder_level == 0


def test_the_report_takes_the_same_queries_whatever_the_parties_and_due_amounts(
    books, turia, django_assert_num_queries
):
    def fill(count):
        for index in range(count):
            party = make_party(books, f"Cliente {count}-{index}")
            due = make_due(books, party, "100.00", document_date=date(2026, 1, 5), due_date=date(2026, 2, 4))
            pay(books, party, "30.00", date(2026, 3, 1), (due, "30.00"))

    fill(2)
    with django_assert_num_queries(1):
        aging(books, at=AT)
    with django_assert_num_queries(1):
        overdue(books, at=AT)
    fill(8)
    with django_assert_num_queries(1):
        report = aging(books, at=AT)
    with django_assert_num_queries(1):
        overdue(books, at=AT)
    assert len(report.rows) == 10 and report.total.total == D("700.00")
