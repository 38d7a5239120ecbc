"""Invariants of the ledger reports over random balanced entries, in exact Decimal: the trial balance's
debits equal its credits (period, opening and closing columns), its period sums are what was posted, and each
account's general ledger closes at its trial balance figure, its last running balance included."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexo.accounting.services import reports
from nexo.accounting.services.ledger import LineInput, entry_record

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")
FIRST = date(2025, 1, 1)
DAYS = 730  # 2025 and 2026: openings cross a fiscal year
CODES = ["572", "100", "129", "300", "472", "4770", "600", "629", "700", "705"]

cents = st.integers(min_value=1, max_value=10_000_000).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def entries(draw):
    """(day, kind, [(code, debit, credit)]): one to three debits, their total split into one or two credits."""
    day = FIRST + timedelta(days=draw(st.integers(0, DAYS - 1)))
    kind = draw(st.sampled_from(["normal", "normal", "normal", "closing"]))
    debits = draw(st.lists(cents, min_size=1, max_size=3))
    total = sum(debits, ZERO)
    credits = [total]
    if total > Decimal("0.01") and draw(st.booleans()):
        first = Decimal(draw(st.integers(1, int(total * 100) - 1))).scaleb(-2)
        credits = [first, total - first]
    lines = [(draw(st.sampled_from(CODES)), amount, ZERO) for amount in debits]
    lines += [(draw(st.sampled_from(CODES)), ZERO, amount) for amount in credits]
    return day, kind, lines


def _span(draw_start: int, draw_length: int) -> tuple[date, date]:
    start = FIRST + timedelta(days=draw_start)
    return start, start + timedelta(days=draw_length)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    posted=st.lists(entries(), min_size=1, max_size=8),
    start_day=st.integers(0, DAYS - 1),
    length=st.integers(0, DAYS),
    level=st.sampled_from(reports.LEVELS),
    include_closing=st.booleans(),
)
def test_trial_balance_and_general_ledger_agree(
    company, books, accountant, posted, start_day, length, level, include_closing
):
    start, end = _span(start_day, length)
    with transaction.atomic():
        # Each journal numbers its entries in date order: post them by date.
        for day, kind, lines in sorted(posted, key=lambda entry: entry[0]):
            entry_record(
                company=company, by=accountant, journal="CIE" if kind == "closing" else "GEN", date=day,
                kind=kind, lines=[LineInput(books[code].pk, debit, credit) for code, debit, credit in lines],
            )  # fmt: skip
        flt = reports.ledger_filter(company, start=start, end=end, today=end, include_closing=include_closing)
        balance = reports.trial_balance(flt, level=level)
        assert balance.total.debit == balance.total.credit
        assert balance.total_opening_debit == balance.total_opening_credit
        assert balance.total_debit_balance == balance.total_credit_balance

        counted = [
            line
            for day, kind, lines in posted
            if start <= day <= end and (include_closing or kind != "closing")
            for line in lines
        ]
        assert balance.total.debit == sum((debit for _code, debit, _credit in counted), ZERO)
        per_code: dict[str, Decimal] = {}
        for code, debit, credit in counted:
            per_code[code] = per_code.get(code, ZERO) + debit - credit
        by_account = {row.code: row for row in reports.trial_balance(flt).rows}
        for code, movement in per_code.items():
            row = by_account.get(code)
            assert (row.debit - row.credit if row else ZERO) == movement

        ledger = reports.general_ledger(flt, limit=None)
        assert {part.code: part.closing for part in ledger.accounts if part.closing or part.line_count} == {
            code: row.closing for code, row in by_account.items() if row.closing or row.debit or row.credit
        }
        for part in ledger.accounts:
            if part.lines:
                assert part.lines[-1].balance == part.closing
        transaction.set_rollback(True)
