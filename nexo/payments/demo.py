"""The demo's collections and payments: the company's bank account (with its SEPA creditor identifier), the
customers' due amounts of the year collected — most on time, some late, some in part, a few not at all, so
that the aging has something in every column today — a credit note set off against its customer's next
invoice, the suppliers' bills paid as they fall due, SEPA mandates for a few customers charged in today's
remittance (one of its lines returned by the debtor's bank), and the bank's Norma 43 statement of the last
two weeks imported: its transfers matched to their invoices, a few left for the user to match, and the
bank's charges (one posted to 626, one left).

Everything goes through the services the pages call. A bank journal numbers its entries by date, so every
movement through the bank is recorded in date order: the payments of the year first, then the statement's
lines, then today's remittance. Deterministic (a seeded generator over the due amounts in a fixed order: the
same day gives the same collections); idempotent: a company with a bank account is left alone."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from schwifty import IBAN

from nexo.accounting.models import EntryLine, PartyAccounting
from nexo.accounting.services.defaults import default_account, default_accounts
from nexo.core.models import Company, User
from nexo.core.rules import round_money
from nexo.parties.models import Party
from nexo.payments.formats import norma43
from nexo.payments.formats.statement import ParsedLine, ParsedStatement
from nexo.payments.models import BankAccount, Direction, DueAmount, Payment, RemittanceLine
from nexo.payments.rules.aging import BUCKET_ENDS, bucket_of, days_overdue
from nexo.payments.rules.sepa import creditor_id_for
from nexo.payments.services import sepa, statements
from nexo.payments.services.bank_accounts import bank_account_save
from nexo.payments.services.dues import INVOICE
from nexo.payments.services.payments import Match, payment_record

D = Decimal
ZERO = D("0.00")
SEED = 15
#: The company's account at CaixaBank (bank 2100, branch 0418): its IBAN, computed with its check digits.
BANK, BRANCH, ACCOUNT = "2100", "0418", "4502000512"
#: The days the imported statement covers, up to today.
STATEMENT_DAYS = 14
MANDATES = 4
#: The debtors' banks for the mandates' IBANs (bank code, branch).
DEBTOR_BANKS = (("0049", "1500"), ("0182", "2370"), ("0081", "0216"), ("2100", "3121"))
RETURN_REASON = "AM04"  # insufficient funds
RETURN_CHARGES = D("3.50")
MONTHLY_FEE = D("-18.00")
TRANSFER_FEE = D("-2.40")


@dataclass
class Plan:
    """What happens to one customer's due amount."""

    due: DueAmount
    fate: str  # "on_time", "late", "partial", "early", "unpaid", "sepa"
    day: date | None = None
    amount: Decimal = ZERO
    through_statement: bool = False
    left_to_match: bool = False


def _business_day(day: date, today: date) -> date:
    """The bank's day for a movement: a weekend moves to Monday, unless that is after today (then Friday)."""
    moved = day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day
    if moved > today:
        moved = day - timedelta(days=day.weekday() - 4) if day.weekday() >= 5 else day
    return min(moved, today)


class Collector:
    def __init__(self, company: Company, users: dict[str, User], today: date):
        self.company, self.today = company, today
        self.by = users.get("contabilidad") or next(iter(users.values()), None)
        self.rng = random.Random(SEED)
        self.window = today - timedelta(days=STATEMENT_DAYS - 1)  # the statement's first day
        self.counts = {"receipts": 0, "late": 0, "partial": 0, "unpaid": 0, "supplier": 0, "offsets": 0}

    # The bank account and the mandates

    def bank_account(self) -> BankAccount:
        tax_id = self.company.tax_id.strip().upper()
        iban = IBAN.generate("ES", bank_code=BANK, branch_code=BRANCH, account_code=ACCOUNT)
        return bank_account_save(
            company=self.company, by=self.by, name="CaixaBank · cuenta corriente", iban=iban.compact,
            bic=str(iban.bic or ""), creditor_id=creditor_id_for("ES", tax_id, "ZZZ") if tax_id else "",
        )  # fmt: skip

    def mandates(self, dues: list[DueAmount]) -> set[int]:
        """Mandates for the Spanish customers with the most due amounts, signed some months ago."""
        per_party: dict[int, int] = {}
        for due in dues:
            per_party[due.party_id] = per_party.get(due.party_id, 0) + 1
        spanish = set(
            Party.objects.filter(
                pk__in=list(per_party), country="ES", status=Party.Status.CUSTOMER
            ).values_list("pk", flat=True)
        )
        chosen = sorted((party for party in per_party if party in spanish), key=lambda p: (-per_party[p], p))
        chosen = chosen[:MANDATES]
        for position, party_id in enumerate(chosen):
            bank, branch = DEBTOR_BANKS[position % len(DEBTOR_BANKS)]
            account = f"{self.rng.randint(0, 9_999_999_999):010d}"
            sepa.mandate_save(
                company=self.company, by=self.by, party_id=party_id, reference=f"SLV-MAND-{position + 1:04d}",
                iban=IBAN.generate("ES", bank_code=bank, branch_code=branch, account_code=account).compact,
                signed_on=self.today - timedelta(days=120 + 30 * position),
            )  # fmt: skip
        return set(chosen)

    # Customers

    def plan_customers(self, dues: list[DueAmount], mandated: set[int]) -> list[Plan]:
        plans = []
        for due in dues:
            roll = self.rng.random()
            late = days_overdue(due.due_date, self.today)
            if due.party_id in mandated and -12 <= late <= 25:
                plans.append(Plan(due, "sepa"))  # charged in today's remittance
            elif late <= 0:  # not due yet: a few pay early
                day = due.document_date + timedelta(days=self.rng.randint(5, 20))
                plans.append(
                    Plan(due, "early", day) if roll < 0.08 and day < self.today else Plan(due, "unpaid")
                )
            elif roll < 0.70:
                plans.append(Plan(due, "on_time", due.due_date + timedelta(days=self.rng.randint(-6, 2))))
            elif roll < 0.82:
                plans.append(Plan(due, "late", due.due_date + timedelta(days=self.rng.randint(12, 75))))
            elif roll < 0.90:
                plans.append(Plan(due, "partial", due.due_date + timedelta(days=self.rng.randint(0, 15))))
            elif late > 90 and roll < 0.96:  # most of what is long overdue was paid in the end
                plans.append(Plan(due, "late", due.due_date + timedelta(days=self.rng.randint(40, 90))))
            else:
                plans.append(Plan(due, "unpaid"))
        for plan in plans:
            if plan.day is not None:
                plan.day = max(plan.day, plan.due.document_date)
                if plan.day > self.today:  # not paid yet
                    plan.fate, plan.day = "unpaid", None
        self._something_in_every_column(plans)
        return plans

    def _something_in_every_column(self, plans: list[Plan]) -> None:
        """Each overdue column of today's aging holds at least one unpaid due amount: the latest of each
        column is left unpaid when the dice left nothing there."""
        for bucket in range(1, len(BUCKET_ENDS) + 1):
            found = [
                plan
                for plan in plans
                if plan.fate != "sepa" and bucket_of(plan.due.due_date, self.today) == bucket
            ]
            if found and not any(plan.fate in ("unpaid", "partial") for plan in found):
                found[-1].fate, found[-1].day = "unpaid", None

    def offsets(self, credit_notes: list[DueAmount], plans: list[Plan]) -> None:
        """A credit note set off against its customer's next invoice due amount that it fits in."""
        for credit in credit_notes:
            target = next(
                (
                    plan
                    for plan in plans
                    if plan.due.party_id == credit.party_id
                    and plan.due.due_date >= credit.due_date
                    and plan.fate != "sepa"
                    and plan.due.remaining >= -credit.amount
                ),
                None,
            )
            if target is None:
                continue
            payment_record(
                company=self.company, by=self.by, direction=Direction.RECEIVABLE, party_id=credit.party_id,
                date=max(credit.due_date, target.due.document_date), amount=D(0), method=Payment.Method.OFFSET,
                allocations=[Match(credit.pk, credit.amount), Match(target.due.pk, -credit.amount)],
                reference=f"{credit.origin_number} / {target.due.origin_number}",
            )  # fmt: skip
            target.due.paid -= credit.amount
            self.counts["offsets"] += 1

    def amounts(self, plans: list[Plan]) -> None:
        for plan in plans:
            if plan.day is None:
                continue
            left = plan.due.remaining
            if plan.fate == "partial":
                share = D(self.rng.choice((40, 50, 60))) / 100
                plan.amount = round_money(left * share)
            else:
                plan.amount = left
            plan.day = _business_day(plan.day, self.today)
            plan.through_statement = plan.day >= self.window
            if plan.amount <= 0:
                plan.fate, plan.day = "unpaid", None

    # Recording

    def receive(self, plan: Plan, bank: BankAccount) -> None:
        due = plan.due
        payment_record(
            company=self.company, by=self.by, direction=Direction.RECEIVABLE, party_id=due.party_id, date=plan.day,
            amount=plan.amount, bank_account_id=bank.pk, allocations=[Match(due.pk, plan.amount)],
            reference=f"Transferencia {due.origin_number}",
        )  # fmt: skip
        self.counts["receipts"] += 1
        if plan.fate in ("late", "partial"):
            self.counts[plan.fate] += 1

    def pay_supplier(self, due: DueAmount, day: date, bank: BankAccount) -> None:
        payment_record(
            company=self.company, by=self.by, direction=Direction.PAYABLE, party_id=due.party_id, date=day,
            amount=due.remaining, bank_account_id=bank.pk, allocations=[Match(due.pk, due.remaining)],
            reference=f"Pago {due.origin_number}",
        )  # fmt: skip
        self.counts["supplier"] += 1

    def statement(self, bank: BankAccount, plans: list[Plan], names: dict[int, str]) -> tuple[int, int]:
        """The bank's Norma 43 file of the last two weeks, imported; its lines matched as a user would:
        the transfers that name their invoice confirmed, the bank's transfer fee posted to 626; a few
        transfers and the account's monthly fee left to match. (lines matched or posted, lines left)."""
        incoming = sorted((plan for plan in plans if plan.through_statement), key=lambda p: (p.day, p.due.pk))
        for plan in incoming[-2:]:  # the latest ones: the user has not got to them yet
            plan.left_to_match = True
        movements = [(plan.day, 0, plan.due.pk, plan) for plan in incoming]
        movements += [
            (_business_day(self.window + timedelta(days=2), self.today), 1, 0, TRANSFER_FEE),
            (self.today, 1, 1, MONTHLY_FEE),
        ]
        lines, plan_of = [], {}
        for number, (day, _kind, _pk, what) in enumerate(
            sorted(movements, key=lambda move: move[:3]), start=1
        ):
            if isinstance(what, Plan):
                due = what.due
                plan_of[number] = what
                lines.append(
                    ParsedLine(number, day, what.amount, reference=due.origin_number,
                               counterparty=names.get(due.party_id, "")[:38].upper(),
                               description=f"Transferencia recibida {due.origin_number}")
                )  # fmt: skip
            else:
                text = "Comisión transferencia" if what == TRANSFER_FEE else "Comisión mantenimiento cuenta"
                lines.append(ParsedLine(number, day, what, reference="COMISION", description=text))
        opening = EntryLine.objects.filter(
            company=self.company, account_id=bank.account_id, date__lt=self.window
        )
        sums = opening.aggregate(debit=Sum("debit"), credit=Sum("credit"))
        content = norma43.render(
            ParsedStatement(iban=bank.iban, currency="EUR", start=self.window, end=self.today,
                            opening=round_money((sums["debit"] or 0) - (sums["credit"] or 0)), lines=lines),
            name=self.company.name.upper()[:26],
        )  # fmt: skip
        statement = statements.statement_import(
            company=self.company, by=self.by, bank_account_id=bank.pk,
            file_name=f"norma43_{self.today:%Y%m%d}.n43", content=content,
        )  # fmt: skip
        charges = default_account(default_accounts(self.company), "bank_charges")
        settled = left = 0
        # The file's line numbers count its records: the movements come back in the order they were written.
        for number, line in enumerate(statement.lines.order_by("line_number"), start=1):
            plan = plan_of.get(number)
            if plan is not None and not plan.left_to_match:
                statements.line_confirm(
                    company=self.company, by=self.by, line_id=line.pk, due_ids=[plan.due.pk]
                )
                self.counts["receipts"] += 1
                settled += 1
            elif line.amount == TRANSFER_FEE:
                statements.line_post(
                    company=self.company, by=self.by, line_id=line.pk, account_id=charges.pk,
                    description="Comisión transferencia",
                )  # fmt: skip
                settled += 1
            else:
                left += 1
        return settled, left

    def remittance(self, bank: BankAccount, plans: list[Plan]) -> tuple[int, str]:
        """Today's remittance of the mandated customers' due amounts around today, posted (the bank charged
        them), its file built; the largest line returned by the debtor's bank for lack of funds."""
        due_ids = [plan.due.pk for plan in plans if plan.fate == "sepa" and plan.due.remaining > 0]
        if not due_ids:
            return 0, ""
        remittance = sepa.remittance_create(
            company=self.company, by=self.by, bank_account_id=bank.pk, charge_date=self.today, due_ids=due_ids
        )
        sepa.remittance_file(self.company, remittance.pk)  # built and checked against the schema
        sepa.remittance_post(company=self.company, by=self.by, remittance_id=remittance.pk)
        returned = RemittanceLine.objects.filter(remittance=remittance).order_by("-amount", "pk").first()
        if len(due_ids) > 1 and returned is not None:
            sepa.remittance_return(
                company=self.company, by=self.by, line_id=returned.pk, reason=RETURN_REASON, date=self.today,
                charges=RETURN_CHARGES,
            )  # fmt: skip
        return len(due_ids), remittance.number


@transaction.atomic
def load_demo_payments(company: Company, users: dict[str, User]) -> str:
    """Collect and pay the demo's due amounts unless the company has a bank account; a one-line summary."""
    if BankAccount.objects.filter(company=company).exists():
        return ""
    today = timezone.localdate()
    collector = Collector(company, users, today)
    bank = collector.bank_account()
    receivable = list(
        DueAmount.objects.filter(company=company, direction=Direction.RECEIVABLE).order_by(
            "due_date", "origin_number", "installment", "pk"
        )
    )
    invoices = [due for due in receivable if due.amount > 0 and due.origin_model == INVOICE]
    credit_notes = [due for due in receivable if due.amount < 0]
    mandated = collector.mandates(invoices)
    plans = collector.plan_customers(invoices, mandated)
    collector.offsets(credit_notes, plans)
    collector.amounts(plans)
    # The year's movements through the bank before the statement's days, in date order.
    moves = [(plan.day, 0, plan.due.pk, plan) for plan in plans if plan.day and not plan.through_statement]
    for due in DueAmount.objects.filter(company=company, direction=Direction.PAYABLE, amount__gt=0).order_by(
        "due_date", "origin_number", "installment", "pk"
    ):
        day = _business_day(due.due_date, today)
        # Bills in another currency wait: a payment records its amount in the company's currency.
        if due.currency == company.currency and day < collector.window and collector.rng.random() < 0.9:
            moves.append((max(day, due.document_date), 1, due.pk, due))
    for day, kind, _pk, what in sorted(moves, key=lambda move: move[:3]):
        if kind == 0:
            collector.receive(what, bank)
        else:
            collector.pay_supplier(what, day, bank)
    names = dict(Party.objects.filter(company=company).values_list("pk", "name"))
    settled, left = collector.statement(bank, plans, names)
    remitted, number = collector.remittance(bank, plans)
    limited = _credit_limits(company)
    counts = collector.counts
    unpaid = sum(1 for plan in plans if plan.day is None and plan.fate != "sepa")
    return (
        f"{counts['receipts']} receipts ({counts['late']} late, {counts['partial']} partial), {unpaid} customer "
        f"due amounts unpaid, {counts['offsets']} credit note set off, {counts['supplier']} supplier bills paid; "
        f"{len(mandated)} SEPA mandates, remittance {number} of {remitted} due amounts (one returned); a Norma 43 "
        f"statement of {STATEMENT_DAYS} days with {settled} lines matched and {left} left to match; "
        f"{limited} customers with a credit limit"
    )


def _credit_limits(company: Company) -> int:
    """A credit limit for the customers that owe most: the first one already close to it, so accepting one
    more quotation for it asks for a manager's override. Only the limit is written (the sales demo gave
    some of them their own terms and holiday month)."""
    from nexo.payments.services.position import open_balance

    owed = (
        DueAmount.objects.filter(company=company, direction=Direction.RECEIVABLE)
        .exclude(state=DueAmount.State.PAID)
        .values_list("party_id", flat=True)
        .distinct()
    )
    balances = sorted(((open_balance(company, party_id), party_id) for party_id in set(owed)), reverse=True)
    for position, (balance, party_id) in enumerate(balances[:3]):
        hundreds = int(balance * (Decimal("1.05") if position == 0 else 2) / 100) + 1
        limit = max(Decimal(hundreds * 100), Decimal(1000))
        PartyAccounting.objects.update_or_create(party_id=party_id, defaults={"credit_limit": limit})
    return min(len(balances), 3)
