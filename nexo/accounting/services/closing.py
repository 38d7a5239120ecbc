"""Closing a fiscal year and reopening it.

Closing posts three entries in the closing journal (CIE), from the year's balances summed in the database per
account and party:
- the regularisation on the year's last day: every income and expense account to zero against the result
  account (129, the company's default role `result`), which then holds the year's profit or loss;
- the closing on the last day: every balance-sheet account (per party where the account needs one) to zero;
- the opening on the next year's first day: the closing's mirror, so the next year starts from the same
  balances (the next year is created when missing).
Then the year and its periods are closed. Every entry is posted before the year is marked closed: posting
refuses a closed year (`ledger.fiscal_year_at`).

Reopening posts the reversals of the three entries (the opening's on the next year's first day, the others on
the closed year's last day) and opens the year and its periods again; only the last closed year, and only
while the next year is not locked.

The fiscal year's row is locked first (and on reopening the next year's after it, in date order), so two
closings at once make one, and a year cannot be closed while the one before it is being reopened.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.accounting.models import Entry, EntryLine, FiscalYear, Period
from nexo.accounting.rules import ledger
from nexo.accounting.services.defaults import default_account, default_accounts
from nexo.accounting.services.fiscal_years import fiscal_year_ensure
from nexo.accounting.services.ledger import LineInput, entry_record, entry_reverse, journal_of, settings_of
from nexo.core.aggregates import MoneySum
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.modules import contributions
from nexo.core.validation import locked

ZERO = ledger.ZERO
CLOSING_JOURNAL = "CIE"
BALANCE_SHEET_NATURES = (ledger.ASSET, ledger.LIABILITY, ledger.EQUITY)
CLOSING_KINDS = (ledger.REGULARISATION, ledger.CLOSING_ENTRY)


@dataclass(frozen=True)
class Balance:
    """An account's (and party's) balance at the year's end, debit minus credit."""

    account_id: int
    code: str
    name: str
    name_en: str
    nature: str
    party_id: int | None
    party_name: str
    balance: Decimal

    @property
    def debit(self) -> Decimal:
        return ledger.balance_sides(self.balance)[0]

    @property
    def credit(self) -> Decimal:
        return ledger.balance_sides(self.balance)[1]


@dataclass
class ClosingPlan:
    """What closing a year would post, computed from its balances; `problems` say why it cannot be closed now."""

    year: FiscalYear
    next_start: Date
    #: Income minus expenses: a profit is positive.
    result: Decimal = ZERO
    #: The income and expense balances the regularisation zeroes, and the result account's line.
    income_and_expenses: list[Balance] = field(default_factory=list)
    result_account: Balance | None = None
    #: The balance-sheet balances after the regularisation (the result account included): the closing entry
    #: zeroes them, the opening entry brings them back.
    balance_sheet: list[Balance] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def regularisation_lines(self) -> list[LineInput]:
        lines = [
            LineInput(row.account_id, row.credit, row.debit, row.party_id, _("Regularisation"))
            for row in self.income_and_expenses
        ]
        if self.result_account is not None:
            row = self.result_account
            lines.append(LineInput(row.account_id, row.debit, row.credit, None, _("Result of the year")))
        return lines

    def closing_lines(self) -> list[LineInput]:
        return [
            LineInput(row.account_id, row.credit, row.debit, row.party_id, _("Closing"))
            for row in self.balance_sheet
        ]

    def opening_lines(self) -> list[LineInput]:
        return [
            LineInput(row.account_id, row.debit, row.credit, row.party_id, _("Opening"))
            for row in self.balance_sheet
        ]


def year_balances(company: Company, year: FiscalYear) -> list[Balance]:
    """Every account's balance in the year per party, summed in one statement (GROUP BY account, party). The
    year's own opening entry is among its lines, so the balance-sheet balances are the ones at its end."""
    rows = (
        EntryLine.objects.filter(company=company, posted=True, date__gte=year.start, date__lte=year.end)
        .values(
            "account_id",
            "account__code",
            "account__name",
            "account__name_en",
            "account__nature",
            "party_id",
            "party__name",
        )
        .annotate(debit=MoneySum("debit"), credit=MoneySum("credit"))
        .order_by("account__code", "party__name", "party_id")
    )
    return [
        Balance(
            row["account_id"],
            row["account__code"],
            row["account__name"],
            row["account__name_en"],
            row["account__nature"],
            row["party_id"],
            row["party__name"] or "",
            row["debit"] - row["credit"],
        )
        for row in rows
        if row["debit"] != row["credit"]
    ]


def closing_problems(company: Company, year: FiscalYear) -> list[str]:
    """Why the year cannot be closed now, in plain words (empty when it can)."""
    if year.state == ledger.CLOSED:
        return [_("Fiscal year %(year)s is already closed.") % {"year": year.name}]
    problems = []
    earlier = (
        FiscalYear.objects.filter(company=company, start__lt=year.start, state=ledger.OPEN)
        .order_by("start")
        .first()
    )
    if earlier is not None:
        problems.append(
            _("Close fiscal year %(earlier)s first: years are closed in order.") % {"earlier": earlier.name}
        )
    drafts = Entry.objects.filter(
        company=company, state=ledger.DRAFT, date__gte=year.start, date__lte=year.end
    ).count()
    if drafts:
        problems.append(
            _("Fiscal year %(year)s has %(count)s draft entries: post or delete them first.")
            % {"year": year.name, "count": drafts}
        )
    lock_date = settings_of(company).lock_date
    if lock_date is not None and lock_date >= year.end:
        problems.append(
            _(
                "The books are locked up to %(lock)s and the closing entries are dated %(end)s: move the lock "
                "date before that day first."
            )
            % {"lock": lock_date.isoformat(), "end": year.end.isoformat()}
        )
    return problems


def closing_plan(company: Company, year: FiscalYear) -> ClosingPlan:
    """The entries closing `year` would post and why it could not be closed now: four queries whatever the
    number of accounts and parties. The page's confirmation step and `year_close` both use it."""
    plan = ClosingPlan(year=year, next_start=year.end + timedelta(days=1))
    plan.problems = closing_problems(company, year)
    if year.state == ledger.CLOSED:
        return plan
    result_account = default_account(default_accounts(company), "result")
    balances = year_balances(company, year)
    plan.income_and_expenses = [row for row in balances if row.nature in ledger.PROFIT_AND_LOSS_NATURES]
    # Income minus expenses is the negative of their debit-minus-credit balances.
    plan.result = -sum((row.balance for row in plan.income_and_expenses), ZERO)
    sheet = {(row.account_id, row.party_id): row for row in balances if row.nature in BALANCE_SHEET_NATURES}
    if plan.result:
        # A profit credits the result account (a loss debits it): its balance moves by minus the result.
        plan.result_account = Balance(
            result_account.pk, result_account.code, result_account.name, result_account.name_en,
            result_account.nature, None, "", -plan.result,
        )  # fmt: skip
        before = sheet.get((result_account.pk, None))
        after = (before.balance if before is not None else ZERO) - plan.result
        sheet[(result_account.pk, None)] = Balance(
            result_account.pk, result_account.code, result_account.name, result_account.name_en,
            result_account.nature, None, "", after,
        )  # fmt: skip
    plan.balance_sheet = sorted(
        (row for row in sheet.values() if row.balance),
        key=lambda row: (row.code, row.party_name, row.party_id or 0),
    )
    return plan


def _post(company: Company, by: User, on: Date, lines: Sequence[LineInput], description: str, kind: str):
    """Post one closing entry; a date the ledger refuses (a closed period, the lock date, an entry of the
    closing journal dated later) is the state of the books, not bad input: a 409 that names it."""
    try:
        return entry_record(
            company=company, by=by, journal=CLOSING_JOURNAL, date=on, lines=lines, description=description,
            kind=kind,
        )  # fmt: skip
    except ValidationFailed as failure:
        raise Conflict(failure.detail) from failure


def year_close(*, company: Company, by: User, fiscal_year_id: int) -> FiscalYear:
    """Close a fiscal year: the regularisation, closing and opening entries posted, the year and its periods
    closed. Refused (409) for a year already closed, one with drafts, one whose previous year is open, or one
    on or before the lock date; nothing changes then."""
    with transaction.atomic():
        year = locked(FiscalYear, company=company, pk=fiscal_year_id, missing=_("No such fiscal year."))
        plan = closing_plan(company, year)
        if plan.problems:
            raise Conflict(" ".join(plan.problems))
        journal_of(company, CLOSING_JOURNAL)  # a company set up before the closing journal existed gets it
        fiscal_year_ensure(company, plan.next_start.year, by=by)
        # The closing entries are dated on the last day: its period takes them even if it was closed already
        # (closing the year closes every period below).
        Period.objects.filter(fiscal_year=year, start__lte=year.end, end__gte=year.end).update(
            state=ledger.OPEN
        )
        # The modules' period-end entries first (continental stock: the change in inventory value), so the
        # result the year closes with includes them.
        contributions("year_end_entries", company=company, by=by, day=year.end)
        plan = closing_plan(company, year)
        if plan.income_and_expenses:
            _post(
                company, by, year.end, plan.regularisation_lines(),
                _("Regularisation of %(year)s: result to the result account") % {"year": year.name},
                ledger.REGULARISATION,
            )  # fmt: skip
        if plan.balance_sheet:
            _post(
                company, by, year.end, plan.closing_lines(), _("Closing of %(year)s") % {"year": year.name},
                ledger.CLOSING_ENTRY,
            )  # fmt: skip
            _post(
                company, by, plan.next_start, plan.opening_lines(),
                _("Opening of %(year)s") % {"year": plan.next_start.year}, ledger.OPENING,
            )  # fmt: skip
        year.state, year.closed_at, year.closed_by, year.updated_by = ledger.CLOSED, timezone.now(), by, by
        year.save(update_fields=["state", "closed_at", "closed_by", "updated_by", "updated_at"])
        Period.objects.filter(fiscal_year=year).update(state=ledger.CLOSED)
        return year


def reopen_problems(company: Company, year: FiscalYear, next_year: FiscalYear | None) -> list[str]:
    if year.state != ledger.CLOSED:
        return [_("Fiscal year %(year)s is open.") % {"year": year.name}]
    later = (
        FiscalYear.objects.filter(company=company, start__gt=year.start, state=ledger.CLOSED)
        .order_by("-start")
        .first()
    )
    if later is not None:
        return [
            _("Reopen fiscal year %(later)s first: only the last closed year can be reopened.")
            % {"later": later.name}
        ]
    lock_date = settings_of(company).lock_date
    if lock_date is not None and next_year is not None and lock_date >= next_year.start:
        return [
            _(
                "The books are locked up to %(lock)s, in fiscal year %(next)s: a year cannot be reopened once "
                "the next one is locked."
            )
            % {"lock": lock_date.isoformat(), "next": next_year.name}
        ]
    if lock_date is not None and lock_date >= year.end:
        return [
            _(
                "The books are locked up to %(lock)s and the reversals are dated %(end)s: move the lock date "
                "before that day first."
            )
            % {"lock": lock_date.isoformat(), "end": year.end.isoformat()}
        ]
    return []


def year_reopen(*, company: Company, by: User, fiscal_year_id: int) -> FiscalYear:
    """Reopen the last closed year: its closing, regularisation and the next year's opening entries reversed
    (each reversal refers to its entry), the year and its periods open again."""
    with transaction.atomic():
        year = locked(FiscalYear, company=company, pk=fiscal_year_id, missing=_("No such fiscal year."))
        next_id = (
            FiscalYear.objects.filter(company=company, start=year.end + timedelta(days=1))
            .values_list("pk", flat=True)
            .first()
        )
        next_year = (
            locked(FiscalYear, company=company, pk=next_id, missing=_("No such fiscal year."))
            if next_id is not None
            else None
        )
        problems = reopen_problems(company, year, next_year)
        if problems:
            raise Conflict(" ".join(problems))
        year.state, year.closed_at, year.closed_by, year.updated_by = ledger.OPEN, None, None, by
        year.save(update_fields=["state", "closed_at", "closed_by", "updated_by", "updated_at"])
        Period.objects.filter(fiscal_year=year).update(state=ledger.OPEN)
        current = Q(fiscal_year=year, kind__in=CLOSING_KINDS)
        if next_year is not None:
            current |= Q(fiscal_year=next_year, kind=ledger.OPENING)
        entries = list(
            Entry.objects.filter(current, company=company, state=ledger.POSTED, reverses__isnull=True)
            .exclude(
                pk__in=Entry.objects.filter(company=company, reverses__isnull=False).values("reverses_id")
            )
            .order_by("-date", "-sequence")
        )
        # The opening first (next year), then the closing before the regularisation: the mirror of closing.
        for entry in entries:
            try:
                entry_reverse(company=company, by=by, entry_id=entry.pk)
            except ValidationFailed as failure:
                raise Conflict(failure.detail) from failure
        return year
