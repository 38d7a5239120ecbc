"""Whatever accountants do with manual entries — create (balanced or not), post, reverse, in any order — every
posted entry balances and all posted lines together have debits equal to credits (exact Decimal)."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexo.accounting.models import Entry, EntryLine
from nexo.accounting.services import ledger
from nexo.core.errors import DomainError

TODAY = date.today()
CODES = ("626", "572", "570", "600", "700", "472", "4770")

cents = st.integers(min_value=0, max_value=10**9).map(lambda value: Decimal(value) / 100)
line = st.tuples(st.sampled_from(CODES), st.booleans(), cents)
action = st.one_of(
    st.tuples(st.just("create"), st.lists(line, min_size=1, max_size=6), st.booleans()),
    st.tuples(st.just("post"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=20)),
)


class Rollback(Exception):
    pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(action, min_size=1, max_size=12))
def test_posted_entries_always_balance(company, books, accountant, actions):
    journal = ledger.journal_of(company, "GEN")
    try:
        with transaction.atomic():
            made: list[int] = []
            for step in actions:
                try:
                    with transaction.atomic():
                        if step[0] == "create":
                            lines = [
                                ledger.LineInput(
                                    books[code].pk,
                                    amount if is_debit else Decimal(0),
                                    Decimal(0) if is_debit else amount,
                                )
                                for code, is_debit, amount in step[1]
                            ]
                            if step[2]:  # a balancing line, so that some entries can be posted
                                difference = sum((x.debit - x.credit for x in lines), Decimal(0))
                                lines.append(
                                    ledger.LineInput(
                                        books["572"].pk,
                                        max(-difference, Decimal(0)),
                                        max(difference, Decimal(0)),
                                    )
                                )
                            entry = ledger.entry_create(
                                company=company, by=accountant, journal_id=journal.pk, date=TODAY, lines=lines
                            )
                            made.append(entry.pk)
                        elif made:
                            target = made[step[1] % len(made)]
                            if step[0] == "post":
                                ledger.entry_post(company=company, by=accountant, entry_id=target)
                            else:
                                reversal = ledger.entry_reverse(
                                    company=company, by=accountant, entry_id=target
                                )
                                made.append(reversal.pk)
                except DomainError:
                    pass
            for entry in Entry.objects.filter(company=company, state="posted"):
                sums = EntryLine.objects.filter(entry=entry).aggregate(
                    debit=Sum("debit"), credit=Sum("credit")
                )
                assert sums["debit"] == sums["credit"] == entry.total
                assert entry.number
            totals = EntryLine.objects.filter(company=company, posted=True).aggregate(
                debit=Sum("debit"), credit=Sum("credit")
            )
            assert (totals["debit"] or 0) == (totals["credit"] or 0)
            assert not EntryLine.objects.filter(company=company, posted=True, entry__state="draft").exists()
            raise Rollback
    except Rollback:
        pass
