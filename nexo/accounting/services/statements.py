"""The financial statements: the profit and loss account for a range of dates and the balance sheet at a date,
each with the same figures a year earlier, laid out by the company's chart template
(charts/statements_<template>.py: the PGC PYMES models, or the generic chart's plain layout). Read-only;
pages, exports and the API call these same functions.

The database sums: one grouped statement over `accounting_entryline` (posted lines of the company, joined to
the account for its code and names) gives each account's debits and credits for both columns at once. Python
then places accounts (a few hundred at most, never entry lines) on the layout's lines:
- an account belongs to the line of the longest prefix that begins its code; a prefix marked "@debit" or
  "@credit" takes it only while its balance sits on that side (an overdrawn bank account is a debt);
- a line's figure is its accounts' balance on the side of its section: debit minus credit for assets, credit
  minus debit for equity and liabilities and for the profit and loss account (income positive, expenses
  negative, as the PGC models print them). A contra account (amortisation, returns) needs no sign of its own:
  its balance is on the other side, so it reduces the line by itself;
- a total line adds other lines.

What each statement leaves out, so that closing a year changes neither:
- the profit and loss account leaves out regularisation entries (they move the year's income and expenses to
  129; counted, the statement of a closed year would show zero);
- the balance sheet at a date leaves out the closing entries of that date's fiscal year (counted, it would be
  zero after closing). Closing entries of earlier years count, as the opening entries that mirror them do.
  Its result line (A-1.VII) takes 129 and the balances of groups 6 and 7 not yet regularised, so assets equal
  equity plus liabilities at any date.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal
from functools import cache
from importlib import import_module

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nexo.accounting.models import EntryLine, FiscalYear
from nexo.accounting.rules import ledger
from nexo.accounting.services.ledger import settings_of
from nexo.core.aggregates import MoneySum
from nexo.core.errors import ValidationFailed
from nexo.core.models import Company

ZERO = ledger.ZERO
DEBIT, CREDIT = "debit", "credit"
PROFIT_AND_LOSS, BALANCE_SHEET = "profit_and_loss", "balance_sheet"
#: The dates a statement may cover: the comparison column goes back a year, and a date field ends at 9999.
FIRST_DAY, LAST_DAY = Date(1901, 1, 1), Date(9000, 12, 31)
#: The side each section shows positive.
SECTION_SIDES = {"assets": DEBIT, "liabilities": CREDIT, "": CREDIT}


# The layouts, read from the chart template's statements module


@dataclass(frozen=True)
class Feed:
    """One prefix of a line: the accounts whose code it begins, on one side only when `side` says so."""

    prefix: str
    contra: bool = False
    side: str | None = None

    @property
    def text(self) -> str:
        return ("-" if self.contra else "") + self.prefix + (f"@{self.side}" if self.side else "")


@dataclass(frozen=True)
class LayoutLine:
    key: str
    label_es: str
    label_en: str
    level: int
    section: str
    feeds: tuple[Feed, ...] = ()
    adds: tuple[str, ...] = ()

    @property
    def is_total(self) -> bool:
        return bool(self.adds)

    def label(self, language: str | None = None) -> str:
        language = language or translation.get_language() or "es"
        return self.label_es if language.startswith("es") else self.label_en


@dataclass(frozen=True)
class Layout:
    """A statement's lines in order, its sections, and where each prefix feeds."""

    statement: str
    template: str
    lines: tuple[LayoutLine, ...]
    result_key: str
    #: prefix → [(side or None, line key)]
    prefixes: dict = field(hash=False, compare=False, default_factory=dict)

    def line(self, key: str) -> LayoutLine:
        return next(line for line in self.lines if line.key == key)

    def line_of(self, code: str, balance: Decimal) -> str | None:
        """The key of the line an account feeds, given its debit-minus-credit balance (zero counts as a
        debit). None when no prefix of the layout begins its code."""
        side = DEBIT if balance >= 0 else CREDIT
        for length in range(len(code), 0, -1):
            candidates = self.prefixes.get(code[:length])
            if candidates:
                for wanted, key in candidates:
                    if wanted is None or wanted == side:
                        return key
        return None

    def lines_of(self, code: str) -> set[str]:
        """Every line an account can feed (two when its prefix is split by the side of the balance)."""
        return {key for key in (self.line_of(code, Decimal(1)), self.line_of(code, Decimal(-1))) if key}


def _feeds(spec: str) -> tuple[Feed, ...]:
    feeds = []
    for token in spec.split():
        contra = token.startswith("-")
        prefix, _at, side = token.lstrip("-+").partition("@")
        if not prefix.isdigit() or side not in ("", DEBIT, CREDIT):
            raise ValueError(f"bad prefix {token!r}")
        feeds.append(Feed(prefix, contra, side or None))
    return tuple(feeds)


def _layout(statement: str, template: str, sections: Iterable[tuple[str, list]], result_key: str) -> Layout:
    lines: list[LayoutLine] = []
    prefixes: dict[str, list[tuple[str | None, str]]] = {}
    for section, rows in sections:
        scope = f"{section}." if section else ""
        for key, label_es, label_en, level, spec in rows:
            full = scope + key
            if spec.startswith("="):
                adds = tuple(scope + part.strip() for part in spec[1:].split("+"))
                lines.append(LayoutLine(full, label_es, label_en, level, section, adds=adds))
                continue
            feeds = _feeds(spec)
            lines.append(LayoutLine(full, label_es, label_en, level, section, feeds=feeds))
            for feed in feeds:
                taken = prefixes.setdefault(feed.prefix, [])
                if any(side is None or feed.side is None or side == feed.side for side, _key in taken):
                    raise ValueError(f"{template} {statement}: prefix {feed.prefix} feeds two lines")
                taken.append((feed.side, full))
    keys = {line.key for line in lines}
    for line in lines:
        unknown = set(line.adds) - keys
        if unknown:
            raise ValueError(f"{template} {statement}: {line.key} adds unknown lines {sorted(unknown)}")
    if result_key not in keys:
        raise ValueError(f"{template} {statement}: no result line {result_key}")
    return Layout(statement, template, tuple(lines), result_key, prefixes)


@cache
def layout_of(template: str, statement: str) -> Layout:
    """The layout of a statement (`profit_and_loss` or `balance_sheet`) for a chart template."""
    module = import_module(f"nexo.accounting.charts.statements_{template}")
    if statement == BALANCE_SHEET:
        return _layout(statement, template, module.BALANCE_SHEET.items(), module.BALANCE_SHEET_RESULT)
    return _layout(statement, template, [("", module.PROFIT_AND_LOSS)], module.PROFIT_AND_LOSS_RESULT)


# The statements as computed


@dataclass
class AccountFigure:
    id: int
    code: str
    name: str
    amount: Decimal = ZERO
    previous: Decimal = ZERO


@dataclass
class StatementLine:
    key: str
    label: str
    level: int
    section: str
    is_total: bool
    prefixes: list[str]
    amount: Decimal = ZERO
    previous: Decimal = ZERO
    accounts: list[AccountFigure] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing in either column: the PGC leaves such lines out of the published statements."""
        return not self.is_total and not self.accounts and not self.amount and not self.previous


@dataclass
class Statement:
    statement: str
    template: str
    #: The range (profit and loss) or the date (balance sheet: `start` is None) and its comparison.
    start: Date | None
    end: Date
    previous_start: Date | None
    previous_end: Date
    lines: list[StatementLine]
    result_key: str
    #: Accounts with a balance that no line of the layout takes (a code outside the template's groups).
    unassigned: list[AccountFigure] = field(default_factory=list)

    def line(self, key: str) -> StatementLine:
        return next(line for line in self.lines if line.key == key)

    @property
    def result(self) -> StatementLine:
        return self.line(self.result_key)

    def sections(self) -> list[tuple[str, list[StatementLine]]]:
        found: dict[str, list[StatementLine]] = {}
        for line in self.lines:
            found.setdefault(line.section, []).append(line)
        return list(found.items())


def _side_amount(side: str, debit: Decimal, credit: Decimal) -> Decimal:
    return debit - credit if side == DEBIT else credit - debit


def _language() -> str:
    return "es" if (translation.get_language() or "es").startswith("es") else "en"


def _statement(
    layout: Layout, rows: Iterable[dict], *, start, end, previous_start, previous_end
) -> Statement:
    """Place the per-account sums on the layout's lines and add the totals up."""
    language = _language()
    lines = {
        line.key: StatementLine(
            key=line.key,
            label=line.label(language),
            level=line.level,
            section=line.section,
            is_total=line.is_total,
            prefixes=[feed.text for feed in line.feeds],
        )
        for line in layout.lines
    }
    unassigned = []
    for row in rows:
        name = (row["account__name_en"] or row["account__name"]) if language == "en" else row["account__name"]
        code = row["account__code"]
        debit, credit = row["current_debit"] or ZERO, row["current_credit"] or ZERO
        previous_debit, previous_credit = row["previous_debit"] or ZERO, row["previous_credit"] or ZERO
        columns = ((debit - credit, debit, credit, "amount"), (
            previous_debit - previous_credit, previous_debit, previous_credit, "previous"
        ))  # fmt: skip
        placed: dict[str, AccountFigure] = {}
        for balance, column_debit, column_credit, column in columns:
            if not balance:
                continue
            key = layout.line_of(code, balance)
            if key is None:
                figure = placed.setdefault("", AccountFigure(row["account_id"], code, name))
                setattr(figure, column, balance)
                continue
            line = lines[key]
            amount = _side_amount(SECTION_SIDES[line.section], column_debit, column_credit)
            if key not in placed:
                placed[key] = AccountFigure(row["account_id"], code, name)
                line.accounts.append(placed[key])
            setattr(placed[key], column, amount)
            setattr(line, column, getattr(line, column) + amount)
        if "" in placed:
            unassigned.append(placed[""])
    for line in lines.values():
        line.accounts.sort(key=lambda figure: figure.code)
    # Totals refer to lines above or below them: add them up in dependency order.
    done: set[str] = set()

    def total(key: str) -> None:
        if key in done:
            return
        line = layout.line(key)
        for part in line.adds:
            total(part)
            lines[key].amount += lines[part].amount
            lines[key].previous += lines[part].previous
        done.add(key)

    for line in layout.lines:
        total(line.key)
    return Statement(
        statement=layout.statement, template=layout.template, start=start, end=end,
        previous_start=previous_start, previous_end=previous_end, lines=[lines[line.key] for line in layout.lines],
        result_key=layout.result_key, unassigned=sorted(unassigned, key=lambda figure: figure.code),
    )  # fmt: skip


def _checked_day(value, field_name: str) -> Date:
    if not isinstance(value, Date):
        raise ValidationFailed.on(field_name, _("Enter a valid date."))
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationFailed.on(
            field_name,
            _("Choose a date from %(first)s to %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
    return value


def year_before(day: Date) -> Date:
    """The same day a year earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _sums(company: Company, scope: Q, current: Q, previous: Q, *, codes: Iterable[str] = ()) -> list[dict]:
    """Each account's debits and credits in both columns: one grouped statement over the posted lines."""
    lines = EntryLine.objects.filter(scope, company=company, posted=True)
    starts = Q()
    for digit in sorted(set(codes)):
        starts |= Q(account__code__startswith=digit)
    if starts:
        lines = lines.filter(starts)
    return list(
        lines.values("account_id", "account__code", "account__name", "account__name_en")
        .annotate(
            current_debit=MoneySum("debit", filter=current),
            current_credit=MoneySum("credit", filter=current),
            previous_debit=MoneySum("debit", filter=previous),
            previous_credit=MoneySum("credit", filter=previous),
        )
        .order_by()
    )


def _template(company: Company) -> str:
    return settings_of(company).chart_template


def profit_and_loss(company: Company, *, date_from: Date, date_to: Date) -> Statement:
    """The profit and loss account from `date_from` to `date_to` (both included), beside the same days a year
    earlier; regularisation entries left out."""
    date_from = _checked_day(date_from, "date_from")
    date_to = _checked_day(date_to, "date_to")
    if date_from > date_to:
        raise ValidationFailed.on("date_to", _("The end date cannot come before the start date."))
    previous_from, previous_to = year_before(date_from), year_before(date_to)
    layout = layout_of(_template(company), PROFIT_AND_LOSS)
    current = Q(date__gte=date_from, date__lte=date_to)
    previous = Q(date__gte=previous_from, date__lte=previous_to)
    rows = _sums(
        company, (current | previous) & ~Q(kind=ledger.REGULARISATION), current, previous,
        codes={prefix[0] for prefix in layout.prefixes},
    )  # fmt: skip
    return _statement(
        layout, rows, start=date_from, end=date_to, previous_start=previous_from, previous_end=previous_to
    )


def _fiscal_year_starts(company: Company, at: Date) -> tuple[Date, Date, Date]:
    """The start of the fiscal year of `at`, the previous year's end (the comparison date) and that year's
    start; calendar years where no fiscal year is defined."""
    years = list(
        FiscalYear.objects.filter(company=company, start__lte=at)
        .order_by("-start")
        .values_list("start", "end")[:2]
    )
    start = years[0][0] if years and years[0][1] >= at else Date(at.year, 1, 1)
    previous_end = start - timedelta(days=1)
    covering = [first for first, last in years if first <= previous_end <= last]
    previous_start = covering[0] if covering else Date(previous_end.year, 1, 1)
    return start, previous_end, previous_start


def balance_sheet(company: Company, *, at: Date) -> Statement:
    """The balance sheet at the end of `at`, beside the previous fiscal year's end; the closing entries of the
    date's fiscal year left out."""
    at = _checked_day(at, "date")
    year_start, previous_end, previous_year_start = _fiscal_year_starts(company, at)
    layout = layout_of(_template(company), BALANCE_SHEET)
    current = Q(date__lte=at) & ~Q(kind=ledger.CLOSING_ENTRY, date__gte=year_start)
    previous = Q(date__lte=previous_end) & ~Q(kind=ledger.CLOSING_ENTRY, date__gte=previous_year_start)
    rows = _sums(company, Q(date__lte=at), current, previous)
    return _statement(layout, rows, start=None, end=at, previous_start=None, previous_end=previous_end)


def default_range(company: Company, today: Date | None = None) -> tuple[Date, Date]:
    """The current fiscal year to date (a calendar year where none is defined)."""
    today = today or timezone.localdate()
    start = (
        FiscalYear.objects.filter(company=company, start__lte=today, end__gte=today)
        .values_list("start", flat=True)
        .first()
    )
    return start or Date(today.year, 1, 1), today
