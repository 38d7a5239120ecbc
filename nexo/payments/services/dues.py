"""Due amounts (vencimientos): created when an invoice, a credit note or a supplier invoice is posted, split
by its payment term, on the account its entry posted the amount to; their state follows what is paid. They
go when their invoice is cancelled, as long as nothing has been done with them."""

from decimal import Decimal

from django.utils.translation import gettext as _

from nexo.accounting.models import Account, PartyAccounting
from nexo.accounting.services.defaults import default_account, default_accounts
from nexo.accounting.services.payment_terms import due_split
from nexo.core import plainsql
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import Company, User
from nexo.payments.models import Allocation, Direction, DueAmount, Reminder, RemittanceLine

ZERO = Decimal("0.00")
INVOICE, SUPPLIER_INVOICE = "invoicing.invoice", "invoicing.supplierinvoice"
#: States in which a due amount can still take a payment.
PAYABLE_STATES = (DueAmount.State.OPEN, DueAmount.State.PARTIAL, DueAmount.State.RETURNED)
#: States in which a due amount is still owed (a remitted one is owed until its remittance is posted).
OWED_STATES = (*PAYABLE_STATES, DueAmount.State.REMITTED)


def due_state(amount: Decimal, paid: Decimal, *, returned: bool = False) -> str:
    """Open (nothing paid; returned after a bank's return), partially paid, or paid (all of it)."""
    if paid and abs(paid) >= abs(amount):
        return DueAmount.State.PAID
    if paid:
        return DueAmount.State.PARTIAL
    return DueAmount.State.RETURNED if returned else DueAmount.State.OPEN


def party_account_id(
    company: Company, party_id: int, direction: str, own=False, defaults: dict[str, Account] | None = None
) -> int:
    """The account a party's amounts post to: its own receivable (payable), else the company's 4300 (4000).
    `own`: its (receivable id, payable id) when already read (None: it has none); `defaults`: the company's
    default accounts when already read."""
    if own is False:
        own = (
            PartyAccounting.objects.filter(party_id=party_id)
            .values_list("receivable_id", "payable_id")
            .first()
        )
    if own is not None:
        found = own[0] if direction == Direction.RECEIVABLE else own[1]
        if found:
            return found
    role = "receivable" if direction == Direction.RECEIVABLE else "payable"
    return default_account(defaults if defaults is not None else default_accounts(company), role).pk


def dues_create(*, company: Company, by: User | None, model_label: str, document) -> list[DueAmount]:
    """The due amounts of a document just posted (in its transaction): its amount due split by its payment
    term and the party's holiday month (a credit note: one, on its date, negative)."""
    if model_label not in (INVOICE, SUPPLIER_INVOICE):
        return []
    amount = document.amount_due
    if not amount:
        return []
    direction = Direction.RECEIVABLE if model_label == INVOICE else Direction.PAYABLE
    profile = (
        PartyAccounting.objects.filter(party_id=document.party_id)
        .values_list("holiday_month", "receivable_id", "payable_id")
        .first()
    )
    holiday_month = profile[0] if profile else None
    credit_note = model_label == INVOICE and getattr(document, "kind", "") == "credit_note"
    term = None if credit_note else document.payment_term
    parts = [(day, part) for day, part in due_split(term, amount, document.date, holiday_month) if part]
    if not parts:
        return []
    account_id = party_account_id(company, document.party_id, direction, profile[1:] if profile else None)
    dues = [
        DueAmount(
            company=company, direction=direction, party_id=document.party_id, account_id=account_id,
            origin_model=model_label, origin_id=document.pk, origin_number=document.number[:60],
            installment=position, installments=len(parts), document_date=document.date, due_date=day,
            currency=document.currency, amount=part, paid=ZERO, state=DueAmount.State.OPEN, created_by=by,
            updated_by=by,
        )
        for position, (day, part) in enumerate(parts, start=1)
    ]  # fmt: skip
    plainsql.insert(DueAmount, dues)
    return dues


def dues_cancel(*, company: Company, by: User | None, model_label: str, document) -> list[DueAmount]:
    """The due amounts of a document being cancelled (in its transaction), removed under their row locks
    (id order), so that what the party owes still equals its account's balance once the document's entry is
    reversed. Refused (Conflict, naming the document) when one of them has had a payment allocated (paid,
    in part, by an offset, or by a payment reversed since), has been charged in a remittance, or has had a
    reminder sent: those records stay as they were, and the document is corrected with a credit note."""
    if model_label not in (INVOICE, SUPPLIER_INVOICE):
        return []
    where = (
        "company_id = %s AND origin_model = %s AND origin_id = %s",
        [company.pk, model_label, document.pk],
    )
    dues = plainsql.select(DueAmount, where, order_by=("id",), for_update=True)
    if not dues:
        return []
    ids = [due.pk for due in dues]
    values = {"document": document.number}
    if any(due.paid for due in dues) or Allocation.objects.filter(due_id__in=ids).exists():
        raise Conflict(
            _(
                "Invoice %(document)s cannot be cancelled: a payment has been allocated to it (even if reversed "
                "since). Correct it with a credit note instead."
            )
            % values
        )
    if any(due.state == DueAmount.State.REMITTED for due in dues) or (
        RemittanceLine.objects.filter(due_id__in=ids).exists()
    ):
        raise Conflict(
            _(
                "Invoice %(document)s cannot be cancelled: it has been charged in a SEPA remittance. Correct it "
                "with a credit note instead."
            )
            % values
        )
    if Reminder.objects.filter(due_id__in=ids).exists():
        raise Conflict(
            _(
                "Invoice %(document)s cannot be cancelled: a payment reminder has been sent for it. Correct it "
                "with a credit note instead."
            )
            % values
        )
    # Plain SQL: nothing names them any more (checked above), so the ORM's look-ups before a delete are moot.
    where, params = plainsql.among("id", ids)
    with plainsql.connection_now().cursor() as cursor:
        cursor.execute(f"DELETE FROM {plainsql.quoted(DueAmount._meta.db_table)} WHERE {where}", params)  # noqa: S608
    return dues


def dues_of(company: Company, model_label: str, ids) -> dict[int, list[DueAmount]]:
    """Each document's due amounts (document id → its dues in installment order), in one query."""
    found: dict[int, list[DueAmount]] = {}
    rows = DueAmount.objects.filter(
        company=company, origin_model=model_label, origin_id__in=list(ids)
    ).order_by("origin_id", "installment", "pk")
    for due in rows:
        found.setdefault(due.origin_id, []).append(due)
    return found


def payment_status(dues: list[DueAmount]) -> str:
    """A document's payment status from its dues: "paid", "partial", "unpaid" (or "" without dues)."""
    if not dues:
        return ""
    paid = sum((due.paid for due in dues), ZERO)
    amount = sum((due.amount for due in dues), ZERO)
    if paid and abs(paid) >= abs(amount):
        return "paid"
    return "partial" if paid else "unpaid"


def locked_dues(company: Company, due_ids) -> dict[int, DueAmount]:
    """The company's due amounts by id, row-locked in id order (so two payments never deadlock); an id of
    another company or unknown refuses."""
    ids = sorted({int(due_id) for due_id in due_ids})
    found = plainsql.select(
        DueAmount, plainsql.both(("company_id = %s", [company.pk]), plainsql.among("id", ids)), order_by=("id",),
        for_update=True,
    )  # fmt: skip
    if len(found) != len(ids):
        raise ValidationFailed.on(
            "allocations", _("A due amount chosen does not exist (or belongs to another company).")
        )
    return {due.pk: due for due in found}


__all__ = [
    "INVOICE",
    "OWED_STATES",
    "PAYABLE_STATES",
    "SUPPLIER_INVOICE",
    "due_state",
    "dues_cancel",
    "dues_create",
    "dues_of",
    "locked_dues",
    "party_account_id",
    "payment_status",
]
