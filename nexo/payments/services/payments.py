"""Payments and receipts: recorded with their entry (bank or cash against the party's 430 / 400) and matched
to due amounts in one transaction, under the due amounts' row locks, so one due amount paid twice at once
never ends over-paid. What a payment does not match stays on the party's account as a credit that later
due amounts can use (`credit_apply`); reversing a payment reopens what it paid.

Entries (a receipt from a customer; a payment to a supplier is its mirror):
    D bank (the bank account's 572x) or cash (570)     the amount
    C each due amount's account (4300, or the party's)  what it matched there
    C the party's receivable account                    what stays as its credit
An offset (a credit note's due amount against invoices) moves no money: amount zero, entry only when the
due amounts sit on different accounts."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.accounting.services.defaults import default_account, default_accounts
from nexo.accounting.services.ledger import LineInput, Origin, entry_record, entry_reverse
from nexo.core import plainsql
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.services import sequence_next
from nexo.core.validation import decimal_of, locked
from nexo.parties.models import Party
from nexo.payments.models import Allocation, BankAccount, Direction, DueAmount, Payment, StatementLine
from nexo.payments.services.dues import PAYABLE_STATES, due_state, locked_dues, party_account_id

ZERO = Decimal("0.00")
PAYMENT_MODEL = "payments.payment"
#: Number series: receipts from customers, payments to suppliers.
SERIES = {Direction.RECEIVABLE: "COB", Direction.PAYABLE: "PAG"}
MAX_ALLOCATIONS = 500
MAX_AMOUNT = Decimal("1e13")


@dataclass(frozen=True)
class Match:
    """Part of a payment for one due amount (negative on a credit note's due amount)."""

    due_id: int
    amount: Decimal


def _amount(value, field: str = "amount") -> Decimal:
    amount = decimal_of(value, field)
    if amount != amount.quantize(Decimal("0.01")) or abs(amount) >= MAX_AMOUNT:
        raise ValidationFailed.on(field, _("Use at most 2 decimals and 13 digits."))
    return amount


def _party(company: Company, party_id) -> Party:
    found = Party.objects.filter(company=company, pk=party_id).first() if party_id else None
    if found is None:
        raise ValidationFailed.on("party", _("Choose a party of this company."))
    return found


def _bank(company: Company, bank_account_id) -> BankAccount | None:
    if not bank_account_id:
        return None
    found = BankAccount.objects.filter(company=company, pk=bank_account_id, active=True).first()
    if found is None:
        raise ValidationFailed.on("bank_account", _("Choose an active bank account of this company."))
    return found


def _checked_matches(
    dues: dict[int, DueAmount], matches: Sequence[Match], *, party_id: int, direction: str
) -> list[tuple[DueAmount, Decimal]]:
    """Each match against its due amount: the party's and direction's, still payable, of the due amount's
    sign and never more than it has left."""
    checked = []
    for match in matches:
        due = dues[match.due_id]
        if due.party_id != party_id or due.direction != direction:
            raise ValidationFailed.on(
                "allocations",
                _("%(document)s is another party's, or of the other direction.")
                % {"document": due.origin_number},
            )
        if due.state not in PAYABLE_STATES:
            raise Conflict(
                _("%(document)s (%(installment)s/%(installments)s) is %(state)s: it takes no payment.")
                % {"document": due.origin_number, "installment": due.installment,
                   "installments": due.installments, "state": due.get_state_display().lower()}
            )  # fmt: skip
        amount = match.amount
        remaining = due.amount - due.paid
        if not amount or (amount > 0) != (due.amount > 0):
            raise ValidationFailed.on(
                "allocations",
                _("The amount for %(document)s must be above zero (below zero on a credit note).")
                % {"document": due.origin_number},
            )
        if abs(amount) > abs(remaining):
            raise ValidationFailed.on(
                "allocations",
                _("%(amount)s is more than %(document)s has left to pay (%(remaining)s).")
                % {"amount": amount, "document": due.origin_number, "remaining": remaining},
            )
        checked.append((due, amount))
    return checked


def _apply(company: Company, by: User | None, payment: Payment, checked, on: Date | None = None) -> None:
    """Allocations written (taking effect `on`, else the payment's date) and due amounts' paid and state
    updated (the dues are locked by the caller)."""
    if not checked:
        return
    plainsql.insert(
        Allocation,
        [
            Allocation(
                company=company,
                payment=payment,
                due=due,
                amount=amount,
                date=on or payment.date,
                created_by=by,
            )
            for due, amount in checked
        ],
    )
    now = timezone.now()
    for due, amount in checked:
        due.paid += amount
        due.state = due_state(due.amount, due.paid)
        due.updated_at, due.updated_by = now, by
    plainsql.update(
        DueAmount, [due for due, _amount in checked], ("paid", "state", "updated_at", "updated_by")
    )


def _entry_lines(
    company: Company, payment: Payment, checked, money_account_id: int | None, defaults: dict | None
) -> list[LineInput]:
    """The payment's entry: money on one side, the party's accounts on the other (see the module's text).
    `defaults`: the company's default accounts when already read (a cash payment's)."""
    receipt = payment.direction == Direction.RECEIVABLE
    per_account: dict[int, Decimal] = defaultdict(Decimal)
    for due, amount in checked:
        per_account[due.account_id] += amount
    left = payment.amount - sum((amount for _due, amount in checked), ZERO)
    if left:
        per_account[party_account_id(company, payment.party_id, payment.direction, defaults=defaults)] += left
    description = payment.reference or payment.number
    lines = []
    if money_account_id and payment.amount:
        side = (payment.amount, ZERO) if receipt else (ZERO, payment.amount)
        lines.append(LineInput(money_account_id, *side, None, description))
    for account_id, amount in per_account.items():
        if not amount:
            continue
        # A receipt credits the receivable; a payment debits the payable (negative amounts: the other side).
        credit = amount if receipt else -amount
        side = (ZERO, credit) if credit > 0 else (-credit, ZERO)
        lines.append(LineInput(account_id, *side, payment.party_id, description))
    return lines


def _money_account(
    company: Company, method: str, bank: BankAccount | None
) -> tuple[int | None, str, dict | None]:
    """The account and journal the money moves through: the bank account's (BAN), else cash (570, CAJ); with
    the company's default accounts when cash had to read them (the party's credit may post to one)."""
    if method == Payment.Method.OFFSET:
        return None, "GEN", None
    if bank is not None:
        return bank.account_id, "BAN", None
    if method != Payment.Method.CASH:
        raise ValidationFailed.on("bank_account", _("Choose the bank account the money goes through."))
    defaults = default_accounts(company)
    return default_account(defaults, "cash").pk, "CAJ", defaults


def payment_record(
    *,
    company: Company,
    by: User | None,
    direction: str,
    party_id: int,
    date: Date,
    amount,
    method: str = Payment.Method.TRANSFER,
    bank_account_id: int | None = None,
    allocations: Sequence[Match] = (),
    reference: str = "",
    keep_credit: bool = False,
    currency: str | None = None,
    remittance_line_id: int | None = None,
    entry_origin: Origin | None = None,
    post_entry: bool = True,
) -> Payment:
    """Record a receipt (direction receivable) or a payment (payable), posted with its entry, matched to
    `allocations`. Refused: an amount of zero (but in an offset), allocations adding up to more than the
    amount, or less without `keep_credit` (the rest would stay as the party's credit: the user chooses it).
    `post_entry=False`: the caller posts one entry for several payments (a remittance)."""
    if direction not in Direction.values:
        raise ValidationFailed.on("direction", _("Choose receivable or payable."))
    if method not in Payment.Method.values:
        raise ValidationFailed.on("method", _("Choose a payment method."))
    amount = _amount(amount)
    offset = method == Payment.Method.OFFSET
    if offset and amount:
        raise ValidationFailed.on("amount", _("An offset moves no money: its amount is zero."))
    if not offset and amount <= 0:
        raise ValidationFailed.on("amount", _("The amount must be greater than zero."))
    if len(allocations) > MAX_ALLOCATIONS:
        raise ValidationFailed.on(
            "allocations", _("At most %(count)s due amounts per payment.") % {"count": MAX_ALLOCATIONS}
        )
    matches = [Match(int(match.due_id), _amount(match.amount, "allocations")) for match in allocations]
    if len({match.due_id for match in matches}) != len(matches):
        raise ValidationFailed.on("allocations", _("Each due amount once per payment."))
    matched = sum((match.amount for match in matches), ZERO)
    if matched > amount:
        raise ValidationFailed.on(
            "allocations",
            _("The due amounts chosen add up to %(matched)s, more than the payment's %(amount)s.")
            % {"matched": matched, "amount": amount},
        )
    if matched < amount and not keep_credit:
        raise ValidationFailed.on(
            "amount",
            _(
                "%(amount)s is more than the %(matched)s chosen to pay: choose more due amounts, or keep the "
                "rest (%(rest)s) as the party's credit."
            )
            % {"amount": amount, "matched": matched, "rest": amount - matched},
        )
    reference = " ".join((reference or "").split())[:140]
    with transaction.atomic():
        party = _party(company, party_id)
        bank = _bank(company, bank_account_id)
        dues = locked_dues(company, [match.due_id for match in matches]) if matches else {}
        checked = _checked_matches(dues, matches, party_id=party.pk, direction=direction)
        foreign = next((due for due, _amount in checked if due.currency != company.currency), None)
        if foreign is not None:
            # Paying in another currency needs the day's rate and an exchange difference (668 / 768): not
            # recorded here rather than booked as if the amounts were euros.
            raise ValidationFailed.on(
                "allocations",
                _(
                    "%(document)s is in %(currency)s: payments are recorded in %(company_currency)s only; "
                    "record this one as a manual entry."
                )
                % {"document": foreign.origin_number, "currency": foreign.currency,
                   "company_currency": company.currency},
            )  # fmt: skip
        money_account_id, journal, defaults = _money_account(company, method, bank)
        series = SERIES[direction]
        sequence = sequence_next(company_id=company.pk, series=series, year=date.year)
        payment = Payment(
            company=company, direction=direction, number=f"{series}-{date.year}-{sequence:05d}", party=party,
            date=date, method=method, bank_account=bank, amount=amount, applied=matched, reference=reference,
            currency=currency or (checked[0][0].currency if checked else company.currency),
            state=Payment.State.POSTED, remittance_line_id=remittance_line_id, created_by=by, updated_by=by,
        )  # fmt: skip
        plainsql.insert(Payment, [payment])
        if post_entry:
            lines = _entry_lines(company, payment, checked, money_account_id, defaults)
            if lines:
                payment.entry = entry_record(
                    company=company, by=by, journal=journal, date=date, lines=lines,
                    description=_("%(number)s · %(party)s") % {"number": payment.number, "party": party.name},
                    origin=entry_origin or Origin(PAYMENT_MODEL, payment.pk, payment.number),
                )  # fmt: skip
                plainsql.update(Payment, [payment], ("entry",))
        _apply(company, by, payment, checked)
        return payment


def _line(account_id: int, debit: Decimal, payment: Payment) -> LineInput:
    """A party line of `debit` (negative: a credit of its opposite)."""
    side = (debit, ZERO) if debit > 0 else (ZERO, -debit)
    return LineInput(account_id, *side, payment.party_id, payment.number)


def locked_payment(company: Company, payment_id) -> Payment:
    return locked(Payment, company=company, pk=payment_id, missing=_("No such payment."))


def credit_apply(
    *,
    company: Company,
    by: User | None,
    payment_id: int,
    allocations: Sequence[Match],
    date: Date | None = None,
) -> Payment:
    """Match what a payment left as the party's credit to due amounts (later invoices), taking effect `date`
    (else today; never before the payment): no money moves and no entry is needed when they sit on the
    account the credit was posted to."""
    matches = [Match(int(match.due_id), _amount(match.amount, "allocations")) for match in allocations]
    if not matches:
        raise ValidationFailed.on("allocations", _("Choose the due amounts the credit pays."))
    with transaction.atomic():
        payment = locked_payment(company, payment_id)
        if payment.state != Payment.State.POSTED:
            raise Conflict(_("Payment %(number)s is reversed.") % {"number": payment.number})
        matched = sum((match.amount for match in matches), ZERO)
        if matched > payment.amount - payment.applied:
            raise ValidationFailed.on(
                "allocations",
                _("%(number)s has %(credit)s left as credit; %(matched)s is more.")
                % {"number": payment.number, "credit": payment.amount - payment.applied, "matched": matched},
            )
        dues = locked_dues(company, [match.due_id for match in matches])
        checked = _checked_matches(dues, matches, party_id=payment.party_id, direction=payment.direction)
        on = max(date or timezone.localdate(), payment.date, *(due.document_date for due, _amount in checked))
        credit_account = party_account_id(company, payment.party_id, payment.direction)
        moved = [(due, amount) for due, amount in checked if due.account_id != credit_account]
        if moved:  # a due amount on another account of the party: move the credit there
            receipt = payment.direction == Direction.RECEIVABLE
            lines = []
            for due, amount in moved:
                credit = amount if receipt else -amount
                lines += [_line(due.account_id, -credit, payment), _line(credit_account, credit, payment)]
            entry_record(
                company=company, by=by, journal="GEN", date=on, lines=lines,
                description=payment.number, origin=Origin(PAYMENT_MODEL, payment.pk, payment.number),
            )  # fmt: skip
        _apply(company, by, payment, checked, on)
        payment.applied += matched
        payment.updated_by = by
        plainsql.update(Payment, [payment], ("applied", "updated_at", "updated_by"))
        return payment


def payment_reverse(
    *, company: Company, by: User | None, payment_id: int, date: Date | None = None
) -> Payment:
    """Undo a payment: its entry reversed (dated `date`, else the payment's), what it paid reopened, the
    statement line that created it free to match again. Refused once reversed."""
    with transaction.atomic():
        payment = locked_payment(company, payment_id)
        if payment.state == Payment.State.REVERSED:
            raise Conflict(_("Payment %(number)s is already reversed.") % {"number": payment.number})
        if payment.remittance_line_id:
            # Its entry is the whole remittance's: the bank's return of that one charge undoes it.
            raise Conflict(
                _("%(number)s was collected in a remittance: record the bank's return of its line instead.")
                % {"number": payment.number}
            )
        on = date or payment.date
        if on < payment.date:
            raise ValidationFailed.on("date", _("A reversal cannot be dated before the payment."))
        allocations = list(Allocation.objects.filter(payment=payment).order_by("due_id"))
        dues = locked_dues(company, [allocation.due_id for allocation in allocations]) if allocations else {}
        now = timezone.now()
        for allocation in allocations:
            due = dues[allocation.due_id]
            due.paid -= allocation.amount
            due.state = due_state(due.amount, due.paid)
            due.updated_at, due.updated_by = now, by
        if dues:
            plainsql.update(DueAmount, list(dues.values()), ("paid", "state", "updated_at", "updated_by"))
        if payment.entry_id:
            reversal = entry_reverse(
                company=company, by=by, entry_id=payment.entry_id, date=on, from_document=True,
                description=_("Reversal of %(number)s") % {"number": payment.number},
            )  # fmt: skip
            payment.reversal_entry = reversal
        payment.state, payment.reversed_at, payment.reversed_by, payment.updated_by = (
            Payment.State.REVERSED,
            now,
            by,
            by,
        )
        plainsql.update(
            Payment,
            [payment],
            ("state", "reversal_entry", "reversed_at", "reversed_by", "updated_at", "updated_by"),
        )
        StatementLine.objects.filter(company=company, payment=payment).update(
            payment=None, state=StatementLine.State.OPEN, matched_at=None, matched_by=None
        )
        return payment


def payment_get(company: Company, payment_id) -> Payment:
    found = (
        Payment.objects.filter(company=company, pk=payment_id).select_related("party", "bank_account").first()
    )
    if found is None:
        raise NotFound(_("No such payment."))
    return found


__all__ = [
    "MAX_ALLOCATIONS",
    "PAYMENT_MODEL",
    "SERIES",
    "Match",
    "credit_apply",
    "locked_payment",
    "payment_get",
    "payment_record",
    "payment_reverse",
]
