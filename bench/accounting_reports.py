"""The ledger reports under load, in process (the services the pages and the API call):

- entries posted per second through `entry_record` (4-line entries), which also builds the small ledger of a
  99-account company, whose trial balance and general ledger are then timed;
- trial balance and general ledger over 100,000 and 1,000,000 entry lines, written in bulk by INSERT ...
  SELECT over a generated series (entries as drafts, their lines, then the entries marked posted: the
  database's guard refuses lines added to a posted entry), two years of dates so openings are summed too.

Sizes from the environment for a quick run: NEXO_BENCH_LEDGER_LINES="100000,1000000",
NEXO_BENCH_SMALL_ENTRIES=2000."""

import os
import time
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from bench.measure import Figure, measure, print_slowest_queries, print_table
from nexo.accounting.models import Account, Entry, EntryLine, FiscalYear, Journal
from nexo.accounting.services import reports
from nexo.accounting.services.fiscal_years import fiscal_year_ensure
from nexo.accounting.services.ledger import LineInput, entry_record, journal_of
from nexo.core.models import Company

TITLE = (
    "Accounting: entries posted per second; trial balance and general ledger over 100,000 and 1,000,000 lines"
)

SIZES = [int(size) for size in os.environ.get("NEXO_BENCH_LEDGER_LINES", "100000,1000000").split(",") if size]
SMALL_ENTRIES = int(os.environ.get("NEXO_BENCH_SMALL_ENTRIES", "2000"))
SMALL_ACCOUNTS = 99
LINES_PER_ENTRY = 4
BIG_TRIAL_BALANCE_TARGET_MS = 500  # 1,000,000 lines on PostgreSQL; a plain SUM over them: 140-170 ms here
SMALL_TARGET_MS = 50
TRYTON_SMALL_MS = 510
D = Decimal
RANGE = (date(2026, 1, 1), date(2026, 12, 31))


def _company(tag: str) -> Company:
    company = Company.objects.create(
        name=f"Bench Contabilidad {tag} S.L.", tax_id="B99999989", street="Calle de la Industria, 24",
        postal_code="46980", city="Paterna",
    )  # fmt: skip
    journal_of(company, "GEN")  # the books: PGC chart, journals, this year
    fiscal_year_ensure(company, 2025)
    fiscal_year_ensure(company, 2026)
    return company


def _posting_accounts(company: Company, count: int) -> list[Account]:
    accounts = Account.objects.filter(company=company, is_view=False, needs_party=False).order_by("code")
    return list(accounts[:count])


def small_ledger() -> list[Figure]:
    """A 99-account company's year of 4-line entries posted one by one through the service."""
    company = _company("pequeña")
    accounts = _posting_accounts(company, SMALL_ACCOUNTS)
    days = [date(2026, 1, 1).toordinal() + n * 365 // SMALL_ENTRIES for n in range(SMALL_ENTRIES)]

    def lines(n: int) -> list[LineInput]:
        first, second = D(n % 997 + 1) + D("0.25"), D(n % 89 + 1) + D("0.50")
        pick = [accounts[(n * step) % len(accounts)].pk for step in (1, 7, 13, 29)]
        return [
            LineInput(pick[0], debit=first), LineInput(pick[1], debit=second),
            LineInput(pick[2], credit=first), LineInput(pick[3], credit=second),
        ]  # fmt: skip

    entry_record(company=company, by=None, journal="GEN", date=date.fromordinal(days[0]), lines=lines(0))
    started_cpu, started = time.process_time(), time.perf_counter()
    for n in range(1, SMALL_ENTRIES):
        entry_record(company=company, by=None, journal="GEN", date=date.fromordinal(days[n]), lines=lines(n))
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
    posted = SMALL_ENTRIES - 1
    used = EntryLine.objects.filter(company=company).values("account_id").distinct().count()
    print(
        f"  entry_record: {posted} entries of {LINES_PER_ENTRY} lines posted at {posted / wall:.0f} per second of "
        f"wall time ({posted / cpu:.0f} per CPU second); the small ledger: {posted * 4 + 4:,} lines on {used} "
        "accounts"
    )
    flt = reports.ledger_filter(company, start=RANGE[0], end=RANGE[1], today=RANGE[1])
    busiest = accounts[0]
    target = f"≤ {SMALL_TARGET_MS} ms (Tryton 8.2: {TRYTON_SMALL_MS} ms)"
    return [
        measure("small: trial balance, posting accounts", lambda: reports.trial_balance(flt), target=target),
        measure(
            "small: trial balance, 3 digits", lambda: reports.trial_balance(flt, level="3"), target=target
        ),
        measure(
            f"small: general ledger of {busiest.code}, first page",
            lambda: reports.general_ledger(
                reports.ledger_filter(
                    company, start=RANGE[0], end=RANGE[1], today=RANGE[1], account_id=busiest.pk
                )
            ),
            target=target,
        ),
    ]


def _series(count: int) -> str:
    """A statement's rows numbered 0 … count - 1, as each database writes it."""
    if connection.vendor == "postgresql":
        return f"SELECT generate_series(0, {int(count) - 1}) AS i"
    return f"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {int(count) - 1}) SELECT i FROM s"


def _day_expression(offset: str) -> str:
    if connection.vendor == "postgresql":
        return f"(DATE '2025-01-01' + ({offset})::int)"
    return f"date('2025-01-01', '+' || ({offset}) || ' days')"


def bulk_ledger(line_count: int) -> tuple[Company, float]:
    """A company with `line_count` posted lines over two years (2025 and 2026), written in three statements;
    returns the company and the seconds it took."""
    company = _company(f"{line_count:,}")
    accounts = _posting_accounts(company, 120)
    journal = Journal.objects.get(company=company, code="GEN")
    years = dict(FiscalYear.objects.filter(company=company).values_list("start__year", "pk"))
    entries_count = line_count // LINES_PER_ENTRY
    now = timezone.now()
    quote = connection.ops.quote_name
    entry_table, line_table = quote(Entry._meta.db_table), quote(EntryLine._meta.db_table)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        day_offset = f"(i * 730 / {entries_count})"
        cursor.execute(
            f"INSERT INTO {entry_table} (company_id, journal_id, fiscal_year_id, date, state, kind, sequence, number, "
            "description, origin_model, origin_id, origin_number, reverses_id, total, posted_at, posted_by_id, "
            "created_at, updated_at, created_by_id, updated_by_id) "
            f"SELECT %s, %s, CASE WHEN {day_offset} < 365 THEN %s ELSE %s END, {_day_expression(day_offset)}, "
            "'draft', 'normal', i + 1, 'GEN/B/' || i, 'Bench entry', '', NULL, '', NULL, 0, %s, NULL, %s, %s, NULL, "
            f"NULL FROM ({_series(entries_count)}) s",
            [company.pk, journal.pk, years[2025], years[2026], now, now, now],
        )
        # Accounts numbered 0 … n - 1 for the lines to pick from, in a table of their own.
        cursor.execute("CREATE TEMPORARY TABLE bench_account (n INTEGER PRIMARY KEY, account_id INTEGER)")
        cursor.executemany(
            "INSERT INTO bench_account (n, account_id) VALUES (%s, %s)",
            [(n, account.pk) for n, account in enumerate(accounts)],
        )
        size = len(accounts)
        amount = {
            0: "((e.sequence * 37) %% 10000 + 1) / 100.0", 1: "((e.sequence * 91) %% 5000 + 1) / 100.0",
        }  # fmt: skip
        cursor.execute(
            f"INSERT INTO {line_table} (entry_id, company_id, date, journal_id, posted, kind, position, account_id, "
            "party_id, debit, credit, description) "
            "SELECT e.id, e.company_id, e.date, e.journal_id, %s, 'normal', k.k, a.account_id, NULL, "
            f"CASE k.k WHEN 0 THEN {amount[0]} WHEN 1 THEN {amount[1]} ELSE 0 END, "
            f"CASE k.k WHEN 2 THEN {amount[0]} WHEN 3 THEN {amount[1]} ELSE 0 END, '' "
            f"FROM {entry_table} e CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k "
            f"JOIN bench_account a ON a.n = (e.sequence * (k.k * 6 + 1) + k.k * 13) %% {size} "
            "WHERE e.company_id = %s",
            [True, company.pk],
        )
        cursor.execute(
            f"UPDATE {entry_table} SET state = 'posted', total = 0 WHERE company_id = %s",
            [company.pk],
        )
        cursor.execute("DROP TABLE bench_account")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {line_table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return company, time.perf_counter() - started


def big_ledgers() -> list[Figure]:
    figures = []
    for line_count in SIZES:
        company, seconds = bulk_ledger(line_count)
        written = EntryLine.objects.filter(company=company).count()
        print(f"  {written:,} lines written in bulk in {seconds:.1f} s")
        flt = reports.ledger_filter(company, start=RANGE[0], end=RANGE[1], today=RANGE[1])
        balance = reports.trial_balance(flt)
        assert balance.total.debit == balance.total.credit, "the bulk ledger does not balance"
        account = Account.objects.get(pk=balance.rows[len(balance.rows) // 2].account_id)
        one = reports.ledger_filter(
            company, start=RANGE[0], end=RANGE[1], today=RANGE[1], account_id=account.pk
        )
        last_page = max(0, reports.general_ledger(one, limit=1).line_count - reports.LEDGER_PAGE_SIZE)
        on_postgres = connection.vendor == "postgresql"
        target = f"≤ {BIG_TRIAL_BALANCE_TARGET_MS} ms" if line_count >= 1_000_000 and on_postgres else ""
        label = f"{line_count:,} lines"
        figures += [
            measure(f"{label}: trial balance, posting accounts", lambda flt=flt: reports.trial_balance(flt),
                    target=target, repeat=5),
            measure(f"{label}: trial balance, 1 digit", lambda flt=flt: reports.trial_balance(flt, level="1"),
                    target=target, repeat=5),
            measure(f"{label}: general ledger of {account.code}, first page",
                    lambda one=one: reports.general_ledger(one), repeat=5),
            measure(f"{label}: general ledger of {account.code}, last page",
                    lambda one=one, last=last_page: reports.general_ledger(one, offset=last), repeat=5),
            measure(f"{label}: general ledger, all accounts, first page",
                    lambda flt=flt: reports.general_ledger(flt), repeat=3, min_runs=1),
            measure(f"{label}: journal, first page", lambda flt=flt: reports.journal_report(flt), repeat=5),
        ]  # fmt: skip
    return figures


def run() -> None:
    figures = small_ledger()
    figures += big_ledgers()
    print_table(figures)
    print_slowest_queries(figures, over_ms=BIG_TRIAL_BALANCE_TARGET_MS)
