"""A customer's position and statement of account.

The open balance is what the party owes by the sub-ledger: the amount left on its owed due amounts less
what its posted payments left unapplied (its credit). It equals the party's balance on its receivable
account in the books (4300), because a document and a payment move both in one transaction; the position
shows both so a difference shows at once.

The statement of account lists, between two dates, what changed that balance: the documents that left due
amounts (invoices, credit notes: one line per document, on its date), the payments received (on their
date) and the payments undone (reversed, or returned by the bank, on the day of their reversal), with the
running balance; the opening balance sums the same before the first day. Every figure is read in a fixed
number of queries whatever the party's history."""

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.core.aggregates import MoneySum
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.models import Company
from nexo.parties.models import Party
from nexo.payments.models import Direction, DueAmount, Payment
from nexo.payments.services.dues import INVOICE, OWED_STATES
from nexo.sales.services import credit as sales_credit

ZERO = Decimal("0.00")
EARLIEST, LATEST = Date(1900, 1, 1), Date(9998, 12, 31)
#: The longest statement a page or an e-mail holds (ten years): a wider range is refused, not truncated.
MAX_STATEMENT_DAYS = 3660
INVOICE_KIND, CREDIT_NOTE_KIND, PAYMENT_KIND, REVERSAL_KIND, RETURN_KIND = (
    "invoice", "credit_note", "payment", "reversal", "return",
)  # fmt: skip
#: Same-day movements: documents first, then payments, then what undid a payment.
KIND_ORDER = {INVOICE_KIND: 0, CREDIT_NOTE_KIND: 0, "document": 0, PAYMENT_KIND: 1, REVERSAL_KIND: 2,
              RETURN_KIND: 2}  # fmt: skip


def _remaining():
    return F("amount") - F("paid")


def _dues(company: Company, party_id: int, direction: str):
    return DueAmount.objects.filter(company=company, party_id=party_id, direction=direction)


def _posted_payments(company: Company, party_id: int, direction: str):
    return Payment.objects.filter(
        company=company, party_id=party_id, direction=direction, state=Payment.State.POSTED
    )


def open_balance(company: Company, party_id: int, direction: str = Direction.RECEIVABLE) -> Decimal:
    """What the party owes (receivable) or is owed (payable) by the sub-ledger: its owed due amounts' remaining
    amounts less its posted payments' unapplied part (two queries)."""
    owed = (
        _dues(company, party_id, direction)
        .filter(state__in=OWED_STATES)
        .aggregate(left=MoneySum(_remaining()))["left"]
    )
    credit = _posted_payments(company, party_id, direction).aggregate(
        left=MoneySum(F("amount") - F("applied"))
    )["left"]
    return (owed or ZERO) - (credit or ZERO)


@dataclass(frozen=True)
class Position:
    """A customer's position on a day: what it owes (overdue and not yet due), its credit, its limit and
    orders, and its balance in the books beside it."""

    party_id: int
    currency: str
    at: Date
    overdue: Decimal
    not_yet_due: Decimal
    unapplied_credits: Decimal
    credit_limit: Decimal | None
    open_orders: Decimal
    last_payment_date: Date | None
    ledger_balance: Decimal
    overdue_count: int

    @property
    def open_balance(self) -> Decimal:
        return self.overdue + self.not_yet_due - self.unapplied_credits

    @property
    def exposure(self) -> Decimal:
        """What the credit limit is measured against: the open balance and the open orders."""
        return self.open_balance + self.open_orders

    @property
    def available_credit(self) -> Decimal | None:
        return None if self.credit_limit is None else self.credit_limit - self.exposure

    @property
    def over_limit(self) -> bool:
        return self.credit_limit is not None and self.exposure > self.credit_limit

    @property
    def agrees_with_ledger(self) -> bool:
        return self.open_balance == self.ledger_balance


def party_of(company: Company, party_id) -> Party:
    """The company's party, else 404."""
    found = (
        Party.objects.filter(company=company, pk=party_id).select_related("company").first()
        if party_id
        else None
    )
    if found is None:
        raise NotFound(_("No such party."))
    return found


def position(company: Company, party_id: int, *, at: Date | None = None) -> Position:
    """The customer's position on `at` (today by default): the due amounts still owed split by whether they
    fell due before that day, its unapplied payments, its credit limit and open orders (sales' figures), its
    last payment and its receivable balance in the books. Five queries."""
    at = at or timezone.localdate()
    dues = (
        _dues(company, party_id, Direction.RECEIVABLE)
        .filter(state__in=OWED_STATES)
        .aggregate(
            overdue=MoneySum(_remaining(), filter=Q(due_date__lt=at)),
            not_yet_due=MoneySum(_remaining(), filter=Q(due_date__gte=at)),
            overdue_count=Count("pk", filter=Q(due_date__lt=at)),
        )
    )
    payments = _posted_payments(company, party_id, Direction.RECEIVABLE).aggregate(
        unapplied=MoneySum(F("amount") - F("applied")),
        last=Max("date", filter=~Q(method=Payment.Method.OFFSET)),
    )
    return Position(
        party_id=party_id,
        currency=company.currency,
        at=at,
        overdue=dues["overdue"] or ZERO,
        not_yet_due=dues["not_yet_due"] or ZERO,
        unapplied_credits=payments["unapplied"] or ZERO,
        credit_limit=sales_credit.credit_limit_of(party_id),
        open_orders=sales_credit.open_orders_amount(company, party_id),
        last_payment_date=payments["last"],
        ledger_balance=sales_credit.receivable_balance(company, party_id),
        overdue_count=dues["overdue_count"] or 0,
    )


# The statement of account


@dataclass(frozen=True)
class Movement:
    """One line of a statement: a document, a payment, or a payment undone; `debit` raises the balance."""

    date: Date
    kind: str
    number: str
    description: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    origin_model: str = ""
    origin_id: int | None = None

    @property
    def kind_label(self) -> str:
        return {
            INVOICE_KIND: _("Invoice"), CREDIT_NOTE_KIND: _("Credit note"), PAYMENT_KIND: _("Payment"),
            REVERSAL_KIND: _("Payment reversed"), RETURN_KIND: _("Direct debit returned"),
        }.get(self.kind, self.kind)  # fmt: skip


@dataclass(frozen=True)
class Statement:
    party: Party
    start: Date
    end: Date
    currency: str
    opening_balance: Decimal
    movements: tuple[Movement, ...]

    @property
    def total_debit(self) -> Decimal:
        return sum((movement.debit for movement in self.movements), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((movement.credit for movement in self.movements), ZERO)

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + self.total_debit - self.total_credit


def statement_range(start: Date | None, end: Date | None, today: Date | None = None) -> tuple[Date, Date]:
    """The statement's days, checked: this year to date by default."""
    today = today or timezone.localdate()
    end = end or today
    start = start or Date(end.year, 1, 1)
    if start > end:
        raise ValidationFailed.on("start", _("The start date is after the end date."))
    if start < EARLIEST or end > LATEST:
        raise ValidationFailed.on("start", _("Choose dates between 1900 and 9998."))
    if (end - start).days > MAX_STATEMENT_DAYS:
        raise ValidationFailed.on("start", _("Choose at most ten years."))
    return start, end


def _reversed_on():
    """The day a payment was undone: its reversal entry's, else (a payment without an entry of its own, in a
    remittance) the day it was reversed."""
    return Coalesce(F("reversal_entry__date"), TruncDate("reversed_at"))


def _document_movements(company: Company, party_id: int, start: Date, end: Date) -> list[tuple]:
    rows = (
        _dues(company, party_id, Direction.RECEIVABLE)
        .filter(document_date__gte=start, document_date__lte=end)
        .values("origin_model", "origin_id", "origin_number", "document_date")
        .annotate(total=MoneySum("amount"))
        .order_by("document_date", "origin_number", "origin_id")
    )
    found = []
    for row in rows:
        total = row["total"] or ZERO
        kind = (
            (CREDIT_NOTE_KIND if total < 0 else INVOICE_KIND)
            if row["origin_model"] == INVOICE
            else "document"
        )
        found.append((row["document_date"], kind, row["origin_number"], "", total, row["origin_model"],
                      row["origin_id"]))  # fmt: skip
    return found


def _payment_movements(company: Company, party_id: int, start: Date, end: Date) -> list[tuple]:
    rows = (
        Payment.objects.filter(company=company, party_id=party_id, direction=Direction.RECEIVABLE)
        .exclude(amount=0)
        .annotate(reversed_on=_reversed_on())
        .filter(
            Q(date__gte=start, date__lte=end)
            | Q(state=Payment.State.REVERSED, reversed_on__gte=start, reversed_on__lte=end)
        )
        .values(
            "pk",
            "number",
            "date",
            "amount",
            "state",
            "reversed_on",
            "reference",
            "method",
            "remittance_line__state",
        )
    )
    found = []
    for row in rows:
        if start <= row["date"] <= end:
            found.append((row["date"], PAYMENT_KIND, row["number"], row["reference"], -row["amount"],
                          "payments.payment", row["pk"]))  # fmt: skip
        reversed_on = row["reversed_on"]
        if row["state"] == Payment.State.REVERSED and reversed_on and start <= reversed_on <= end:
            kind = RETURN_KIND if row["remittance_line__state"] == "returned" else REVERSAL_KIND
            found.append((reversed_on, kind, row["number"], row["reference"], row["amount"], "payments.payment",
                          row["pk"]))  # fmt: skip
    return found


def _opening_balance(company: Company, party_id: int, start: Date) -> Decimal:
    documents = (
        _dues(company, party_id, Direction.RECEIVABLE)
        .filter(document_date__lt=start)
        .aggregate(total=MoneySum("amount"))["total"]
    )
    payments = (
        Payment.objects.filter(company=company, party_id=party_id, direction=Direction.RECEIVABLE)
        .annotate(reversed_on=_reversed_on())
        .aggregate(
            received=MoneySum("amount", filter=Q(date__lt=start)),
            undone=MoneySum("amount", filter=Q(state=Payment.State.REVERSED, reversed_on__lt=start)),
        )
    )
    return (documents or ZERO) - (payments["received"] or ZERO) + (payments["undone"] or ZERO)


def statement_of_account(
    company: Company, party_id: int, start: Date | None = None, end: Date | None = None
) -> Statement:
    """The party's statement of account between `start` and `end` (both included; this year to date by
    default): the opening balance, each movement with the running balance, the closing balance. Five
    queries."""
    start, end = statement_range(start, end)
    party = party_of(company, party_id)
    opening = _opening_balance(company, party.pk, start)
    raw = _document_movements(company, party.pk, start, end) + _payment_movements(
        company, party.pk, start, end
    )
    raw.sort(key=lambda row: (row[0], KIND_ORDER.get(row[1], 3), row[2]))
    balance, movements = opening, []
    for day, kind, number, description, amount, origin_model, origin_id in raw:
        balance += amount
        movements.append(
            Movement(
                date=day, kind=kind, number=number, description=description,
                debit=amount if amount > 0 else ZERO, credit=-amount if amount < 0 else ZERO, balance=balance,
                origin_model=origin_model, origin_id=origin_id,
            )
        )  # fmt: skip
    return Statement(
        party=party, start=start, end=end, currency=company.currency, opening_balance=opening,
        movements=tuple(movements),
    )  # fmt: skip


__all__ = [
    "MAX_STATEMENT_DAYS",
    "Movement",
    "Position",
    "Statement",
    "open_balance",
    "party_of",
    "position",
    "statement_of_account",
    "statement_range",
]
