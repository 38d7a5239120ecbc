"""Aging and the overdue list at any date, summed by the database (docs/modules/payments.md).

What a party owed at a date `at` is what the due amounts of its documents dated on or before `at` had left
once the payments of that date were matched:

- a due amount counts from its document's date, for its whole amount;
- an allocation counts from its own date (and never before its due amount's document): its payment's date,
  or the day a credit left on the party's account was applied later (`credit_apply`), so a receipt entered
  on Monday for Friday's transfer counts from Friday;
- a reversed payment counts until the date of its reversal (its reversal entry's date; an offset without
  entry: the day it was reversed), so at a date before the reversal the due amount still looks paid;
- a payment's part matched to nothing at `at`, and a credit note's due amount not offset, are the party's
  credits at `at`: shown in their own column, negative, so that each row's total is the party's open
  balance (its receivable account's balance) at that date.

Each report is one statement, whatever the number of due amounts: the allocations that count are summed per
due amount and per payment in one pass, the buckets are sums filtered on the due date (FILTER on the
databases that have it, CASE otherwise), and the bucket limits are dates computed here by the same rule as
`rules.aging.bucket_of`. Sums come back rounded to the cent (SQLite sums decimals as floats)."""

from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.accounting.models import Entry
from nexo.core.errors import ValidationFailed
from nexo.core.models import Company
from nexo.core.rules import round_money
from nexo.core.validation import record_id
from nexo.parties.models import Party
from nexo.payments.models import Allocation, Direction, DueAmount, Payment, Reminder
from nexo.payments.rules.aging import BUCKETS, FINAL, bucket_starts

ZERO = Decimal("0.00")
#: An allocation made this close to its payment was made by the payment's own recording.
#: Half a cent: SQLite's float sums of amounts are compared against it, never against zero.
HALF_CENT = "0.005"
OVERDUE_PAGE_LIMIT = 500
FIRST_DAY, LAST_DAY = Date(1900, 1, 1), Date(9998, 12, 31)


@dataclass
class AgingRow:
    """One party's (or, without a party, the whole report's) amounts: the five buckets, from not due to
    over 90 days overdue, its credits (zero or negative) and the total, their sum."""

    party_id: int | None
    party_name: str
    buckets: list[Decimal] = field(default_factory=lambda: [ZERO] * len(BUCKETS))
    credits: Decimal = ZERO
    total: Decimal = ZERO

    @property
    def not_due(self) -> Decimal:
        return self.buckets[0]

    @property
    def overdue(self) -> Decimal:
        return sum(self.buckets[1:], ZERO)


@dataclass
class AgingReport:
    at: Date
    direction: str
    party_id: int | None
    rows: list[AgingRow]
    total: AgingRow


@dataclass
class OverdueDue:
    """An overdue due amount at a date: what it had left then, how late it was, its last reminder then."""

    id: int
    party_id: int
    party_name: str
    party_email: str
    origin_model: str
    origin_id: int
    origin_number: str
    installment: int
    installments: int
    document_date: Date
    due_date: Date
    currency: str
    amount: Decimal
    remaining: Decimal
    state: str
    days_late: int
    reminder_level: int  # the level last sent on or before the date (0: none)
    last_reminder_date: Date | None
    current_level: int  # the due amount's level now: the next reminder is one above

    @property
    def remindable(self) -> bool:
        """Another reminder may follow: the due amount has not had its final notice."""
        return self.current_level < FINAL


@dataclass
class OverdueList:
    at: Date
    direction: str
    count: int
    items: list[OverdueDue]


# The SQL


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _day(value: Date):
    return connection.ops.adapt_datefield_value(value)


def _instant(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def day_end(at: Date) -> datetime:
    """The first instant after the day `at`, in the company's time zone (what was made before it existed
    at `at`)."""
    return timezone.make_aware(datetime.combine(at + timedelta(days=1), time.min))


def _not_reversed_by(prefix: str = "p", entry: str = "r") -> str:
    """The payment counts at `at`: posted, or reversed by an entry dated after `at` (without an entry:
    reversed after the day `at`). Parameters: the date `at`, the instant after it."""
    return f"({prefix}.state = 'posted' OR {entry}.date > %s OR ({entry}.id IS NULL AND {prefix}.reversed_at >= %s))"


def _effective_allocations(
    company_id: int, direction: str, at: Date, party_id: int | None = None
) -> tuple[str, list]:
    """A CTE `eff(due_id, payment_id, amount)`: the allocations that count at `at` (see the module's text),
    of one party's payments with `party_id`."""
    end = _instant(day_end(at))
    party = " AND p.party_id = %s" if party_id else ""
    sql = (
        "eff AS (SELECT a.due_id AS due_id, a.payment_id AS payment_id, a.amount AS amount "  # noqa: S608 (names from the models)
        f"FROM {_table(Allocation)} a JOIN {_table(Payment)} p ON p.id = a.payment_id "
        f"JOIN {_table(DueAmount)} ad ON ad.id = a.due_id "
        f"LEFT JOIN {_table(Entry)} r ON r.id = p.reversal_entry_id "
        "WHERE a.company_id = %s AND p.direction = %s AND a.date <= %s AND ad.document_date <= %s "
        f"AND {_not_reversed_by()}{party})"
    )
    return sql, [
        company_id,
        direction,
        _day(at),
        _day(at),
        _day(at),
        end,
        *([party_id] if party_id else []),
    ]


#: Joined to the due amounts `d`: what each had paid at `at` (`pd.paid`, NULL for nothing), from the CTE `eff`.
PAID_BY_DUE = (
    "LEFT JOIN (SELECT due_id, SUM(amount) AS paid FROM eff GROUP BY due_id) pd ON pd.due_id = d.id "
)


def _sum_where(condition: str) -> str:
    if connection.features.supports_aggregate_filter_clause:
        return f"SUM(x.remaining) FILTER (WHERE {condition})"
    return f"SUM(CASE WHEN {condition} THEN x.remaining END)"


def _money(value) -> Decimal:
    return ZERO if value is None else round_money(Decimal(str(value)))


def checked_day(at, field: str = "at") -> Date:
    """A date the buckets can be counted from (their limits lie 90 days before it)."""
    if not isinstance(at, Date) or not FIRST_DAY <= at <= LAST_DAY:
        raise ValidationFailed.on(field, _("Choose a date between 1900 and 9998."))
    return at


def _checked(company: Company, direction: str, party_id) -> int | None:
    if direction not in Direction.values:
        raise ValidationFailed.on("direction", _("Choose receivable or payable."))
    if party_id in (None, ""):
        return None
    party_id = record_id(str(party_id))
    if party_id is None or not Party.objects.filter(company=company, pk=party_id).exists():
        raise ValidationFailed.on("party", _("Choose a party of this company."))
    return party_id


def aging(
    company: Company, *, at: Date, direction: str = Direction.RECEIVABLE, party_id: int | None = None
) -> AgingReport:
    """Per party, what was owed at `at` in the five buckets (not due, 1-30, 31-60, 61-90, over 90 days
    overdue), its unapplied credits and its total (its open balance then); and the grand total. Parties
    with nothing open are left out. One statement (two with a party, checked first)."""
    party_id = _checked(company, direction, party_id)
    at = checked_day(at)
    eff, eff_params = _effective_allocations(company.pk, direction, at, party_id)
    party_due = " AND d.party_id = %s" if party_id else ""
    party_payment = " AND p.party_id = %s" if party_id else ""
    starts = [_day(day) for day in bucket_starts(at)]
    buckets = [
        _sum_where("x.amount > 0 AND x.due_date >= %s"),
        _sum_where("x.amount > 0 AND x.due_date < %s AND x.due_date >= %s"),
        _sum_where("x.amount > 0 AND x.due_date < %s AND x.due_date >= %s"),
        _sum_where("x.amount > 0 AND x.due_date < %s AND x.due_date >= %s"),
        _sum_where("x.amount > 0 AND x.due_date < %s"),
    ]
    bucket_params = [starts[0], starts[0], starts[1], starts[1], starts[2], starts[2], starts[3], starts[3]]
    sql = (
        f"WITH {eff}, "  # noqa: S608 (names from the models, values as parameters)
        "x AS ("
        "SELECT d.party_id AS party_id, d.due_date AS due_date, d.amount AS amount, "
        "d.amount - COALESCE(pd.paid, 0) AS remaining "
        f"FROM {_table(DueAmount)} d "
        f"{PAID_BY_DUE}"
        f"WHERE d.company_id = %s AND d.direction = %s AND d.document_date <= %s{party_due} "
        "UNION ALL "
        "SELECT p.party_id, NULL, -1, -(p.amount - COALESCE(pu.used, 0)) "
        f"FROM {_table(Payment)} p LEFT JOIN {_table(Entry)} r ON r.id = p.reversal_entry_id "
        "LEFT JOIN (SELECT payment_id, SUM(amount) AS used FROM eff GROUP BY payment_id) pu "
        "ON pu.payment_id = p.id "
        f"WHERE p.company_id = %s AND p.direction = %s AND p.date <= %s AND {_not_reversed_by()}{party_payment}"
        ") "
        f"SELECT x.party_id, pa.name, {', '.join(buckets)}, {_sum_where('x.amount < 0')}, SUM(x.remaining) "
        f"FROM x JOIN {_table(Party)} pa ON pa.id = x.party_id "
        f"GROUP BY x.party_id, pa.name HAVING SUM(ABS(x.remaining)) >= {HALF_CENT} "
        "ORDER BY pa.name, x.party_id"
    )
    params = [
        *eff_params,
        company.pk, direction, _day(at), *([party_id] if party_id else []),
        company.pk, direction, _day(at), _day(at), _instant(day_end(at)), *([party_id] if party_id else []),
        *bucket_params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    rows = []
    total = AgingRow(None, _("Total"))
    for party, name, *amounts in found:
        row = AgingRow(party, name, [_money(value) for value in amounts[:5]], _money(amounts[5]))
        row.total = sum(row.buckets, row.credits)  # the parts, rounded, add up to the row's total
        rows.append(row)
        total.buckets = [a + b for a, b in zip(total.buckets, row.buckets, strict=True)]
        total.credits += row.credits
        total.total += row.total
    return AgingReport(at=at, direction=direction, party_id=party_id, rows=rows, total=total)


def overdue(
    company: Company,
    *,
    at: Date,
    direction: str = Direction.RECEIVABLE,
    party_id: int | None = None,
    min_days: int = 1,
    limit: int | None = None,
    offset: int = 0,
) -> OverdueList:
    """The due amounts at least `min_days` overdue at `at` with something left to pay then, by party and
    due date: how much was left, how many days late, the last reminder sent by then. One statement (two
    with a party); `limit` and `offset` page it (`count` is the whole list's)."""
    party_id = _checked(company, direction, party_id)
    at = checked_day(at)
    if not isinstance(min_days, int) or min_days < 1:
        raise ValidationFailed.on("min_days", _("At least 1 day."))
    latest_due = at - timedelta(days=min_days)
    eff, eff_params = _effective_allocations(company.pk, direction, at, party_id)
    party_due = " AND d.party_id = %s" if party_id else ""
    page = ""
    if limit is not None:
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}"
    sql = (
        f"WITH {eff} "  # noqa: S608 (names from the models, values as parameters)
        "SELECT d.id, d.party_id, pa.name, pa.email, d.origin_model, d.origin_id, d.origin_number, d.installment, "
        "d.installments, d.document_date, d.due_date, d.currency, d.amount, d.amount - COALESCE(pd.paid, 0), "
        "d.state, COALESCE(lr.level, 0), lr.last_date, d.reminder_level, COUNT(*) OVER () "
        f"FROM {_table(DueAmount)} d JOIN {_table(Party)} pa ON pa.id = d.party_id "
        f"{PAID_BY_DUE}"
        "LEFT JOIN (SELECT due_id, MAX(level) AS level, MAX(date) AS last_date "
        f"FROM {_table(Reminder)} WHERE company_id = %s AND date <= %s GROUP BY due_id) lr ON lr.due_id = d.id "
        "WHERE d.company_id = %s AND d.direction = %s AND d.document_date <= %s AND d.amount > 0 "
        f"AND d.due_date <= %s{party_due} AND d.amount - COALESCE(pd.paid, 0) >= {HALF_CENT} "
        f"ORDER BY pa.name, d.party_id, d.due_date, d.id{page}"
    )
    params = [
        *eff_params, company.pk, _day(at), company.pk, direction, _day(at), _day(latest_due),
        *([party_id] if party_id else []),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    convert = connection.ops.convert_datefield_value if connection.vendor == "sqlite" else None
    items = []
    count = 0
    for row in found:
        (due_id, party, name, email, model, origin_id, number, installment, installments, document_date,
         due_date, currency, amount, remaining, state, level, last_date, current, count) = row  # fmt: skip
        if convert is not None:
            document_date, due_date, last_date = (
                convert(value, None, connection) for value in (document_date, due_date, last_date)
            )
        items.append(
            OverdueDue(
                id=due_id, party_id=party, party_name=name, party_email=email, origin_model=model,
                origin_id=origin_id, origin_number=number, installment=installment, installments=installments,
                document_date=document_date, due_date=due_date, currency=currency, amount=_money(amount),
                remaining=_money(remaining), state=state, days_late=(at - due_date).days, reminder_level=level,
                last_reminder_date=last_date, current_level=current,
            )
        )  # fmt: skip
    if not items and offset:  # a page past the end: the first page's one row still says how many there are
        count = overdue(
            company, at=at, direction=direction, party_id=party_id, min_days=min_days, limit=1
        ).count
    return OverdueList(at=at, direction=direction, count=count, items=items)


def remaining_at(company: Company, due_ids, *, at: Date, direction: str = Direction.RECEIVABLE) -> dict:
    """What each of these due amounts had left to pay at `at` (due id → amount), in one statement."""
    ids = sorted({int(due_id) for due_id in due_ids})
    if not ids:
        return {}
    eff, eff_params = _effective_allocations(company.pk, direction, at)
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"WITH {eff} "  # noqa: S608 (names from the models, values as parameters)
        f"SELECT d.id, d.amount - COALESCE(pd.paid, 0) FROM {_table(DueAmount)} d "
        f"{PAID_BY_DUE}"
        f"WHERE d.company_id = %s AND d.id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*eff_params, company.pk, *ids])
        return {due_id: _money(left) for due_id, left in cursor.fetchall()}


def open_balance(
    company: Company, *, at: Date, direction: str = Direction.RECEIVABLE, party_id=None
) -> Decimal:
    """What the parties owed at `at` (one party's with `party_id`): the aging's grand total."""
    return aging(company, at=at, direction=direction, party_id=party_id).total.total


__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "AgingReport",
    "AgingRow",
    "OverdueDue",
    "OverdueList",
    "aging",
    "checked_day",
    "day_end",
    "open_balance",
    "overdue",
    "remaining_at",
]
