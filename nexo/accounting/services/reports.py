"""The ledger reports: the journal, the general ledger with its running balance, and the trial balance (sumas
y saldos) at any level of the chart. Read-only; pages, exports and the API call these same functions.

Every figure is summed by the database on `accounting_entryline` alone (each line carries its entry's company,
date, journal, posted flag and kind), in a fixed number of statements whatever the number of lines; Python
only rolls the per-account sums up the chart (a few hundred accounts) and splits balances into columns.

Balances follow the Spanish practice:
- a balance sheet account (asset, liability, equity) carries every earlier posted line;
- an income or expense account opens each fiscal year at zero: its opening counts only lines from the start of
  the fiscal year of `start` (the year's result is carried by the regularisation entry into 129, not by the
  accounts). Results of earlier years never regularised show on a row of their own, so the columns balance;
- closing entries inside the range are left out by default (the trial balance at year end shows the balances
  before closing); those before the range always count, as the opening entries that follow them do.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date as Date
from decimal import Decimal

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from nexo.accounting.models import Account, Entry, EntryLine, FiscalYear, Journal
from nexo.accounting.rules import ledger
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.models import Company
from nexo.parties.models import Party

ZERO = ledger.ZERO
#: The account levels a trial balance rolls up to: the first 1 to 4 digits of the code, or each account.
POSTING = "posting"
LEVELS = ("1", "2", "3", "4", POSTING)
BALANCE_SHEET_NATURES = frozenset({ledger.ASSET, ledger.LIABILITY, ledger.EQUITY})
#: Lines of the general ledger and entries of the journal shown on one screen page.
LEDGER_PAGE_SIZE = 100
JOURNAL_PAGE_SIZE = 25
#: Longest range a report reads (a typo of year 20260 must not scan forever).
EARLIEST = Date(1900, 1, 1)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _dec(value) -> Decimal:
    """A sum as the database returns it (SQLite may answer an int or a float-free string) as cents."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(ledger.CENT)


def _name(account_name: str, account_name_en: str, language: str | None = None) -> str:
    language = (language or translation.get_language() or "es")[:2]
    return account_name_en if language == "en" and account_name_en else account_name


# Filters


@dataclass(frozen=True)
class LedgerFilter:
    """What a report covers: a date range (both days included) and optional account, code prefix, party and
    journal; closing entries inside the range only when asked for."""

    company: Company
    start: Date
    end: Date
    account: Account | None = None
    prefix: str = ""
    party: Party | None = None
    journal: Journal | None = None
    include_closing: bool = False

    def where(self, alias: str = "l") -> tuple[str, list]:
        """The lines' conditions but the dates (each report bounds dates its own way)."""
        # `posted` written as is, not as a parameter: SQLite uses a partial index (WHERE posted) only then.
        sql = [f"{alias}.company_id = %s", f"{alias}.posted"]
        params: list = [self.company.pk]
        if self.account is not None:
            sql.append(f"{alias}.account_id = %s")
            params.append(self.account.pk)
        if self.prefix:
            table = _table(Account)
            accounts = f"SELECT id FROM {table} WHERE company_id = %s AND code LIKE %s"  # noqa: S608
            sql.append(f"{alias}.account_id IN ({accounts})")
            params += [self.company.pk, self.prefix + "%"]
        if self.party is not None:
            sql.append(f"{alias}.party_id = %s")
            params.append(self.party.pk)
        if self.journal is not None:
            sql.append(f"{alias}.journal_id = %s")
            params.append(self.journal.pk)
        return " AND ".join(sql), params

    def in_period(self, alias: str = "l") -> tuple[str, list]:
        """Inside the range, closing entries left out unless asked for."""
        if self.include_closing:
            return f"{alias}.date >= %s", [self.start]
        return f"({alias}.date >= %s AND {alias}.kind <> %s)", [self.start, ledger.CLOSING_ENTRY]


def year_start(company: Company, on: Date) -> Date:
    """The first day of the fiscal year holding `on` (the calendar year when no fiscal year covers it)."""
    found = (
        FiscalYear.objects.filter(company=company, start__lte=on, end__gte=on)
        .values_list("start", flat=True)
        .first()
    )
    return found or Date(on.year, 1, 1)


def default_range(company: Company, today: Date) -> tuple[Date, Date]:
    """The current fiscal year to date."""
    return year_start(company, today), today


def report_range(company: Company, start: Date | None, end: Date | None, today: Date) -> tuple[Date, Date]:
    """The dates of a report, checked: in order, the current fiscal year to date by default."""
    if start is None or end is None:
        default_start, default_end = default_range(company, today)
        start, end = start or default_start, end or max(default_end, start or default_end)
    if start > end:
        raise ValidationFailed.on("from", _("The start date is after the end date."))
    if start < EARLIEST or end.year > 9998:
        raise ValidationFailed.on("from", _("Choose dates between 1900 and 9998."))
    return start, end


def ledger_filter(
    company: Company,
    *,
    start: Date | None,
    end: Date | None,
    today: Date,
    account_id: int | None = None,
    prefix: str = "",
    party_id: int | None = None,
    journal_id: int | None = None,
    include_closing: bool = False,
) -> LedgerFilter:
    """The filter of a request, checked: dates in order (the current fiscal year to date by default), and the
    account, party and journal of this company (another company's is not found)."""
    start, end = report_range(company, start, end, today)
    prefix = (prefix or "").strip()
    if prefix and not (prefix.isdigit() and len(prefix) <= 16):
        raise ValidationFailed.on("prefix", _("An account code prefix is made of digits."))
    account = party = journal = None
    if account_id is not None:
        account = Account.objects.filter(company=company, pk=account_id).first()
        if account is None:
            raise NotFound(_("No such account."))
    if party_id is not None:
        party = Party.objects.filter(company=company, pk=party_id).first()
        if party is None:
            raise NotFound(_("No such party."))
    if journal_id is not None:
        journal = Journal.objects.filter(company=company, pk=journal_id).first()
        if journal is None:
            raise NotFound(_("No such journal."))
    return LedgerFilter(
        company=company, start=start, end=end, account=account, prefix=prefix, party=party,
        journal=journal, include_closing=include_closing,
    )  # fmt: skip


# Sums per account: the one statement the trial balance and the general ledger's openings share


@dataclass
class AccountSums:
    before_year: Decimal = ZERO  # debit - credit before the fiscal year of `start`
    in_year: Decimal = ZERO  # debit - credit from the fiscal year's start to the day before `start`
    debit: Decimal = ZERO  # in the range
    credit: Decimal = ZERO
    lines: int = 0  # lines in the range

    def opening(self, nature: str) -> Decimal:
        return self.in_year + (self.before_year if nature in BALANCE_SHEET_NATURES else ZERO)


def account_sums(flt: LedgerFilter) -> tuple[Date, dict[int, AccountSums]]:
    """Per account: what came before the range (split at the fiscal year's start) and the range's debits,
    credits and lines. One GROUP BY over the lines up to the range's end; FILTER clauses rather than CASE
    inside the sums, so each sum adds only its own lines (a third less time over a million lines on
    PostgreSQL), and no "this year before the range" sum when the range starts with the fiscal year."""
    first_day = year_start(flt.company, flt.start)
    where, params = flt.where()
    period, period_params = flt.in_period()
    in_year = first_day < flt.start
    sql = (
        "SELECT l.account_id, SUM(l.debit - l.credit) FILTER (WHERE l.date < %s), "
        + ("SUM(l.debit - l.credit) FILTER (WHERE l.date >= %s AND l.date < %s), " if in_year else "")
        + f"SUM(l.debit) FILTER (WHERE {period}), SUM(l.credit) FILTER (WHERE {period}), "
        f"COUNT(*) FILTER (WHERE {period}) "
        f"FROM {_table(EntryLine)} l WHERE {where} AND l.date <= %s GROUP BY l.account_id"
    )
    values = [first_day, *([first_day, flt.start] if in_year else []), *period_params * 3, *params, flt.end]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    if not in_year:
        rows = [(account_id, before, None, *rest) for account_id, before, *rest in rows]
    return first_day, {
        account_id: AccountSums(_dec(before), _dec(this_year), _dec(debit), _dec(credit), int(lines or 0))
        for account_id, before, this_year, debit, credit, lines in rows
    }


def _accounts(company: Company, ids: Iterable[int] | None = None) -> list[tuple]:
    """(id, code, name, name_en, nature, is_view) of the company's accounts, by code; one query."""
    accounts = Account.objects.filter(company=company)
    if ids is not None:
        accounts = accounts.filter(pk__in=list(ids))
    return list(accounts.order_by("code").values_list("id", "code", "name", "name_en", "nature", "is_view"))


# Trial balance


@dataclass
class BalanceRow:
    code: str
    name: str
    #: The account (posting level) or None for a rolled-up row (its code is then a prefix).
    account_id: int | None
    opening: Decimal = ZERO
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit

    @property
    def opening_debit(self) -> Decimal:
        return ledger.balance_sides(self.opening)[0]

    @property
    def opening_credit(self) -> Decimal:
        return ledger.balance_sides(self.opening)[1]

    @property
    def debit_balance(self) -> Decimal:
        return ledger.balance_sides(self.closing)[0]

    @property
    def credit_balance(self) -> Decimal:
        return ledger.balance_sides(self.closing)[1]

    @property
    def is_zero(self) -> bool:
        return not (self.opening or self.debit or self.credit)


@dataclass
class TrialBalance:
    filter: LedgerFilter
    level: str
    show_zero: bool
    rows: list[BalanceRow]
    #: Results of income and expense accounts of earlier years never regularised into 129 (see module doc).
    earlier_results: BalanceRow | None
    total: BalanceRow = field(default_factory=lambda: BalanceRow("", "", None))

    @property
    def total_opening_debit(self) -> Decimal:
        return sum((row.opening_debit for row in self.all_rows), ZERO)

    @property
    def total_opening_credit(self) -> Decimal:
        return sum((row.opening_credit for row in self.all_rows), ZERO)

    @property
    def total_debit_balance(self) -> Decimal:
        return sum((row.debit_balance for row in self.all_rows), ZERO)

    @property
    def total_credit_balance(self) -> Decimal:
        return sum((row.credit_balance for row in self.all_rows), ZERO)

    @property
    def all_rows(self) -> list[BalanceRow]:
        return [*self.rows, *([self.earlier_results] if self.earlier_results else [])]


def trial_balance(
    flt: LedgerFilter, *, level: str = POSTING, show_zero: bool = False, language: str | None = None
) -> TrialBalance:
    """Sumas y saldos: per account (or per code prefix of `level` digits) the opening balance before the
    range, the range's debits and credits, and the closing balance in a debit or a credit column. Two queries:
    the sums per account and the accounts."""
    if level not in LEVELS:
        raise ValidationFailed.on("level", _("Choose a level: 1, 2, 3 or 4 digits, or posting accounts."))
    _first_day, sums = account_sums(flt)
    accounts = _accounts(flt.company)
    digits = None if level == POSTING else int(level)
    rows: dict[str, BalanceRow] = {}
    names: dict[str, str] = {
        code: _name(name, name_en, language) for _pk, code, name, name_en, *_ in accounts
    }
    earlier = ZERO
    for pk, code, name, name_en, nature, is_view in accounts:
        found = sums.get(pk)
        if flt.account is not None and pk != flt.account.pk:
            continue
        if flt.prefix and not code.startswith(flt.prefix):
            continue
        if found is None and (not show_zero or (digits is None and is_view)):
            continue
        key = code if digits is None else code[:digits]
        row = rows.get(key)
        if row is None:
            row = rows[key] = BalanceRow(
                code=key, name=names.get(key, _name(name, name_en, language)),
                account_id=pk if digits is None else None,
            )  # fmt: skip
        if found is None:
            continue
        if nature not in BALANCE_SHEET_NATURES:
            earlier += found.before_year
        row.opening += found.opening(nature)
        row.debit += found.debit
        row.credit += found.credit
    shown = [row for key, row in sorted(rows.items()) if show_zero or not row.is_zero]
    earlier_row = None
    if earlier:
        earlier_row = BalanceRow("", _("Results of earlier years not regularised"), None, opening=earlier)
    report = TrialBalance(
        filter=flt, level=level, show_zero=show_zero, rows=shown, earlier_results=earlier_row
    )
    for row in report.all_rows:
        report.total.opening += row.opening
        report.total.debit += row.debit
        report.total.credit += row.credit
    return report


# General ledger


@dataclass
class LedgerLine:
    id: int
    account_id: int
    date: Date
    entry_id: int
    entry_number: str
    journal_code: str
    description: str
    party_id: int | None
    party_name: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    origin_model: str
    origin_id: int | None
    origin_number: str


@dataclass
class LedgerAccount:
    """One account's part of the general ledger: its opening, the lines shown, its closing."""

    account_id: int
    code: str
    name: str
    opening: Decimal
    debit: Decimal
    credit: Decimal
    line_count: int
    lines: list[LedgerLine] = field(default_factory=list)
    #: Whether the account's first and last lines of the range are among those shown (a page may cut it).
    starts_here: bool = True
    ends_here: bool = True

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


@dataclass
class GeneralLedger:
    filter: LedgerFilter
    accounts: list[LedgerAccount]
    line_count: int
    debit: Decimal
    credit: Decimal
    offset: int
    limit: int | None

    @property
    def opening(self) -> Decimal:
        return sum((account.opening for account in self.accounts), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


def general_ledger(
    flt: LedgerFilter, *, offset: int = 0, limit: int | None = LEDGER_PAGE_SIZE, language: str | None = None
) -> GeneralLedger:
    """The lines of the range account by account (by code, then date, entry and position), each with the
    account's running balance, computed by the database with a window function from the account's opening.
    `limit` None reads every line (exports). Four queries: sums per account, the accounts, the page of lines
    (with their entries, journals and parties) and nothing per line."""
    _first_day, sums = account_sums(flt)
    chosen = set(sums)
    if flt.account is not None:
        chosen.add(flt.account.pk)
    accounts = _accounts(flt.company, chosen)
    parts: list[LedgerAccount] = []
    by_id: dict[int, LedgerAccount] = {}
    for pk, code, name, name_en, nature, _is_view in accounts:
        found = sums.get(pk, AccountSums())
        if flt.prefix and not code.startswith(flt.prefix):
            continue
        opening = found.opening(nature)
        if not found.lines and not opening and flt.account is None:
            continue
        part = LedgerAccount(
            pk, code, _name(name, name_en, language), opening, found.debit, found.credit, found.lines
        )
        parts.append(part)
        by_id[pk] = part
    line_count = sum(part.line_count for part in parts)
    report = GeneralLedger(
        filter=flt, accounts=parts, line_count=line_count, debit=sum((p.debit for p in parts), ZERO),
        credit=sum((p.credit for p in parts), ZERO), offset=offset, limit=limit,
    )  # fmt: skip
    if not line_count:
        return report  # openings only: each part starts and ends here
    if limit is not None and offset >= line_count:
        for part in parts:
            part.starts_here = part.ends_here = False
        return report
    where, params = flt.where()
    period, period_params = flt.in_period()
    entries, journals, parties, account_table = _table(Entry), _table(Journal), _table(Party), _table(Account)
    page = "" if limit is None else " LIMIT %s OFFSET %s"
    page_offset = offset
    if limit is not None:
        # Only the accounts the page reaches are read (and their running balances computed): the counts per
        # account say which, so a page of a million-line ledger reads a few accounts' lines, not all.
        reached, position, skipped = [], 0, None
        for part in parts:
            first, last = position, position + part.line_count
            if part.line_count and first < offset + limit and last > offset:
                reached.append(part.account_id)
                skipped = first if skipped is None else skipped
            position = last
        where += f" AND l.account_id IN ({', '.join(['%s'] * len(reached))})"
        params = [*params, *reached]
        page_offset = offset - (skipped or 0)
    sql = (
        "SELECT w.id, w.account_id, w.date, w.entry_id, e.number, j.code, w.description, w.party_id, "  # noqa: S608
        "COALESCE(p.name, ''), w.debit, w.credit, w.running, e.origin_model, e.origin_id, e.origin_number, "
        "e.description, w.position "
        "FROM (SELECT l.id, l.account_id, l.date, l.entry_id, l.position, l.journal_id, l.description, "
        "l.party_id, l.debit, l.credit, SUM(l.debit - l.credit) OVER (PARTITION BY l.account_id "
        "ORDER BY l.date, l.entry_id, l.position, l.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
        f"AS running FROM {_table(EntryLine)} l WHERE {where} AND {period} AND l.date <= %s) w "
        f"JOIN {account_table} a ON a.id = w.account_id "
        f"JOIN {entries} e ON e.id = w.entry_id JOIN {journals} j ON j.id = w.journal_id "
        f"LEFT JOIN {parties} p ON p.id = w.party_id "
        f"ORDER BY a.code, w.date, w.entry_id, w.position, w.id{page}"
    )
    values = [*params, *period_params, flt.end]
    if limit is not None:
        values += [limit, page_offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    for row in rows:
        (pk, account_id, day, entry_id, number, journal_code, description, party_id, party_name, debit,
         credit, running, origin_model, origin_id, origin_number, entry_description, _position) = row  # fmt: skip
        part = by_id[account_id]
        if isinstance(day, str):
            day = Date.fromisoformat(day)
        part.lines.append(
            LedgerLine(
                id=pk, account_id=account_id, date=day, entry_id=entry_id, entry_number=number,
                journal_code=journal_code, description=description or entry_description or "",
                party_id=party_id, party_name=party_name, debit=_dec(debit), credit=_dec(credit),
                balance=part.opening + _dec(running), origin_model=origin_model or "", origin_id=origin_id,
                origin_number=origin_number or "",
            )
        )  # fmt: skip
    if limit is not None:
        # Which accounts begin or end on this page: lines run account by account in code order.
        end = offset + limit
        position = 0
        for part in parts:
            first, last = position, position + part.line_count
            if part.line_count:
                part.starts_here = offset <= first < end
                part.ends_here = offset < last <= end
            else:  # an opening with no line in the range: shown where it falls
                part.starts_here = part.ends_here = offset <= first < end or (first == line_count <= end)
            position = last
    return report


# Journal


@dataclass
class JournalLine:
    account_id: int
    account_code: str
    account_name: str
    party_name: str
    description: str
    debit: Decimal
    credit: Decimal


@dataclass
class JournalEntry:
    id: int
    number: str
    date: Date
    journal_code: str
    kind: str
    description: str
    origin_model: str
    origin_id: int | None
    origin_number: str
    lines: list[JournalLine] = field(default_factory=list)

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


@dataclass
class JournalReport:
    filter: LedgerFilter
    entries: list[JournalEntry]
    entry_count: int
    debit: Decimal
    credit: Decimal
    offset: int
    limit: int | None


def journal_report(
    flt: LedgerFilter, *, offset: int = 0, limit: int | None = JOURNAL_PAGE_SIZE, language: str | None = None
) -> JournalReport:
    """The posted entries of the range (and journal) in date and number order with their lines; totals of
    the whole range. Three queries: the totals, the page of entries, their lines. Entries are whole: the
    account, code and party filters do not apply."""
    flt = replace(flt, account=None, prefix="", party=None)
    where, params = flt.where()
    # Entries counted on their own table (a DISTINCT over the lines costs as much as the sums).
    journal = "" if flt.journal is None else " AND e.journal_id = %s"
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {_table(Entry)} e WHERE e.company_id = %s AND e.state = %s "  # noqa: S608
        f"AND e.date >= %s AND e.date <= %s{journal}), SUM(l.debit), SUM(l.credit) "
        f"FROM {_table(EntryLine)} l WHERE {where} AND l.date >= %s AND l.date <= %s"
    )
    values = [flt.company.pk, ledger.POSTED, flt.start, flt.end, *([flt.journal.pk] if flt.journal else [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *params, flt.start, flt.end])
        count, debit, credit = cursor.fetchone()
    entries = Entry.objects.filter(
        company=flt.company, state=ledger.POSTED, date__gte=flt.start, date__lte=flt.end
    ).order_by("date", "number", "pk")
    if flt.journal is not None:
        entries = entries.filter(journal=flt.journal)
    entries = entries.values_list(
        "id", "number", "date", "journal__code", "kind", "description", "origin_model", "origin_id",
        "origin_number",
    )  # fmt: skip
    if limit is not None:
        entries = entries[offset : offset + limit]
    found = [JournalEntry(*row) for row in entries]
    by_id = {entry.id: entry for entry in found}
    if by_id:
        lines = (
            EntryLine.objects.filter(entry_id__in=list(by_id))
            .order_by("entry_id", "position", "pk")
            .values_list(
                "entry_id", "account_id", "account__code", "account__name", "account__name_en", "party__name",
                "description", "debit", "credit",
            )
        )  # fmt: skip
        for (
            entry_id,
            account_id,
            code,
            name,
            name_en,
            party_name,
            description,
            line_debit,
            line_credit,
        ) in lines:
            by_id[entry_id].lines.append(
                JournalLine(
                    account_id,
                    code,
                    _name(name, name_en, language),
                    party_name or "",
                    description,
                    line_debit,
                    line_credit,
                )
            )
    return JournalReport(
        filter=flt, entries=found, entry_count=int(count or 0), debit=_dec(debit), credit=_dec(credit),
        offset=offset, limit=limit,
    )  # fmt: skip
