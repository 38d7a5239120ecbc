"""SEPA direct debit (adeudos directos): customers' mandates, remittances (remesas) of due amounts charged
on one date through one bank account, their pain.008.001.02 file (the version Spanish banks take for the
CORE and B2B schemes), posting them once the bank has charged, and the bank's returns (devoluciones).

A remittance moves the ledger twice at most per line, always in one transaction with the sub-ledger:
    posted:   D the bank account's 572x   the total      C each due amount's 4300   its line, with the party
    returned: D the due amount's 4300     the line       C 572x                     the line
              D 626 bank charges          the charges    C 572x                     the charges
so a customer's 4300 balance equals its open due amounts after every step. A due amount in a draft
remittance is `remitted`: no other payment or remittance can take it until the remittance is posted
(paid) or cancelled (back to what it was)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from nexo.accounting.services.defaults import default_account, default_accounts
from nexo.accounting.services.ledger import LineInput, Origin, entry_record
from nexo.core import plainsql
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.services import sequence_next
from nexo.core.validation import decimal_of, locked
from nexo.parties.models import Party
from nexo.payments.models import (
    Allocation,
    BankAccount,
    Direction,
    DueAmount,
    Mandate,
    Payment,
    Remittance,
    RemittanceLine,
)
from nexo.payments.rules import sepa as rules
from nexo.payments.services.dues import PAYABLE_STATES, due_state, locked_dues
from nexo.payments.services.payments import Match, payment_record
from nexo.payments.services.sepa_file import (
    SCHEMA_FILE,
    message_id,
    pain008_validate,
    remittance_file,
    remittance_filename,
)

ZERO = Decimal("0.00")
REMITTANCE_MODEL = "payments.remittance"
SERIES = "REM"
#: Due amounts per remittance: a bank takes files of thousands; a page of candidates shows this many.
MAX_LINES = 5000
MAX_CHARGES = Decimal("1e9")


@dataclass(frozen=True)
class ReturnReason:
    code: str
    label: str
    invalidates_mandate: bool


def _reason(code: str, label) -> ReturnReason:
    return ReturnReason(code, label, code in rules.MANDATE_INVALID)


#: The ISO 20022 reason codes a bank gives for a returned or rejected direct debit (EPC R-transactions).
RETURN_REASONS = {
    reason.code: reason
    for reason in (
        _reason("AC01", gettext_lazy("Account identifier incorrect (invalid IBAN)")),
        _reason("AC04", gettext_lazy("Account closed")),
        _reason("AC06", gettext_lazy("Account blocked, or blocked for direct debits by the debtor")),
        _reason("AC13", gettext_lazy("Debtor account is a consumer account (B2B not allowed)")),
        _reason("AG01", gettext_lazy("Direct debits not allowed on this type of account")),
        _reason("AG02", gettext_lazy("Invalid bank operation code")),
        _reason("AM04", gettext_lazy("Insufficient funds")),
        _reason("AM05", gettext_lazy("Duplicate collection")),
        _reason("BE05", gettext_lazy("Creditor identifier incorrect")),
        _reason("FF01", gettext_lazy("Invalid file format")),
        _reason("MD01", gettext_lazy("No valid mandate (unauthorised transaction)")),
        _reason("MD02", gettext_lazy("Mandate data missing or incorrect")),
        _reason("MD06", gettext_lazy("Refund requested by the debtor")),
        _reason("MD07", gettext_lazy("Debtor deceased")),
        _reason("MS02", gettext_lazy("Refused by the debtor")),
        _reason("MS03", gettext_lazy("Reason not specified")),
        _reason("RC01", gettext_lazy("BIC incorrect")),
        _reason("RR01", gettext_lazy("Regulatory reason: debtor account or identification missing")),
        _reason("RR04", gettext_lazy("Regulatory reason")),
        _reason("SL01", gettext_lazy("Specific service offered by the debtor's bank")),
    )
}


# Mandates


def _iban(value: str, field: str = "iban") -> str:
    try:
        return IBAN(value or "").compact
    except (SchwiftyException, ValueError):
        raise ValidationFailed.on(
            field, _("Enter a valid IBAN (e.g. ES91 2100 0418 4502 0005 1332).")
        ) from None


def _bic(value: str, field: str = "bic") -> str:
    text = "".join((value or "").split()).upper()
    if not text:
        return ""
    try:
        return BIC(text).compact
    except (SchwiftyException, ValueError):
        raise ValidationFailed.on(
            field, _("Enter a valid BIC of 8 or 11 characters (e.g. CAIXESBBXXX).")
        ) from None


def _customer(company: Company, party_id) -> Party:
    found = (
        Party.objects.filter(company=company, pk=party_id, status=Party.Status.CUSTOMER).first()
        if party_id
        else None
    )
    if found is None:
        raise ValidationFailed.on("party", _("Choose a customer of this company."))
    return found


def mandate_save(
    *,
    company: Company,
    by: User | None,
    mandate_id: int | None = None,
    party_id: int,
    reference: str,
    iban: str,
    bic: str = "",
    signed_on: Date | None,
    scheme: str = Mandate.Scheme.CORE,
    active: bool = True,
) -> Mandate:
    """Create a customer's mandate, or change one (`mandate_id`). The reference is unique in the company and
    written in the SEPA character set; the IBAN and BIC are checked; the signature date is required and not
    in the future. A mandate that has been collected keeps its customer and its next sequence type."""
    reference = " ".join((reference or "").split())
    errors: dict[str, list[str]] = {}
    if not reference:
        errors["reference"] = [_("Enter the mandate reference.")]
    elif not rules.sepa_id_valid(reference):
        errors["reference"] = [
            _(
                "Use at most 35 letters without accents, digits, spaces and / - ? : ( ) . , ' + (not / at the ends)."
            )
        ]
    cleaned: dict[str, str] = {}
    for field, check, value in (("iban", _iban, iban), ("bic", _bic, bic)):
        try:
            cleaned[field] = check(value)
        except ValidationFailed as failure:
            errors[field] = [failure.detail]
    if signed_on is None:
        errors["signed_on"] = [_("Enter the date the customer signed the mandate.")]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = [_("The signature date cannot be in the future.")]
    if scheme not in Mandate.Scheme.values:
        errors["scheme"] = [_("Choose CORE or B2B.")]
    if errors:
        raise ValidationFailed.from_fields(errors)
    with transaction.atomic():
        party = _customer(company, party_id)
        if mandate_id is None:
            mandate = Mandate(company=company, created_by=by)
        else:
            mandate = locked(Mandate, company=company, pk=mandate_id, missing=_("No such mandate."))
            if mandate.party_id != party.pk and _collected(mandate):
                raise ValidationFailed.on(
                    "party", _("This mandate has been collected: its customer cannot change.")
                )
        taken = Mandate.objects.filter(company=company, reference=reference)
        if mandate.pk:
            taken = taken.exclude(pk=mandate.pk)
        if taken.exists():
            raise ValidationFailed.on(
                "reference",
                _("Another mandate already has the reference %(reference)s.") % {"reference": reference},
            )
        mandate.party, mandate.reference = party, reference
        mandate.iban, mandate.bic = cleaned["iban"], cleaned["bic"]
        mandate.signed_on, mandate.scheme, mandate.active, mandate.updated_by = signed_on, scheme, active, by
        mandate.save()
        return mandate


def _collected(mandate: Mandate) -> bool:
    return RemittanceLine.objects.filter(mandate=mandate).exclude(state=RemittanceLine.State.PENDING).exists()


def mandate_get(company: Company, mandate_id) -> Mandate:
    found = Mandate.objects.filter(company=company, pk=mandate_id).select_related("party").first()
    if found is None:
        raise NotFound(_("No such mandate."))
    return found


def active_mandates(company: Company, party_ids) -> dict[int, Mandate]:
    """Each party's mandate to charge: its active one signed last (one query)."""
    found: dict[int, Mandate] = {}
    rows = Mandate.objects.filter(company=company, party_id__in=list(party_ids), active=True).order_by(
        "party_id", "-signed_on", "-pk"
    )
    for mandate in rows:
        found.setdefault(mandate.party_id, mandate)
    return found


# Remittances


def remittance_candidates(company: Company, *, charge_date_until: Date) -> QuerySet[DueAmount]:
    """Customers' due amounts left to collect (open, partially paid, returned), due up to the date, whose
    party has an active mandate: what a new remittance can charge."""
    has_mandate = Mandate.objects.filter(company=company, party_id=OuterRef("party_id"), active=True)
    return (
        DueAmount.objects.filter(
            company=company,
            direction=Direction.RECEIVABLE,
            state__in=PAYABLE_STATES,
            due_date__lte=charge_date_until,
            amount__gt=0,
        )
        .filter(Exists(has_mandate))
        .select_related("party")
        .order_by("due_date", "party__name", "pk")
    )


def _bank_for_debits(company: Company, bank_account_id) -> BankAccount:
    found = (
        BankAccount.objects.filter(company=company, pk=bank_account_id, active=True).first()
        if bank_account_id
        else None
    )
    if found is None:
        raise ValidationFailed.on("bank_account", _("Choose an active bank account of this company."))
    if not found.creditor_id.strip():
        raise ValidationFailed.on(
            "bank_account",
            _("%(bank)s has no SEPA creditor identifier: enter the one the bank gave the company.")
            % {"bank": found.name},
        )
    if not rules.creditor_id_valid(found.creditor_id.strip()):
        raise ValidationFailed.on(
            "bank_account",
            _("%(bank)s's SEPA creditor identifier %(id)s is not valid: check its digits.")
            % {"bank": found.name, "id": found.creditor_id},
        )
    return found


def _charge_date(value) -> Date:
    if not isinstance(value, Date):
        raise ValidationFailed.on("charge_date", _("Enter the charge date."))
    if value < timezone.localdate():
        raise ValidationFailed.on("charge_date", _("The charge date cannot be in the past."))
    return value


def _listed(dues: Sequence[DueAmount]) -> str:
    return ", ".join(f"{due.origin_number} ({due.installment}/{due.installments})" for due in dues[:10]) + (
        "…" if len(dues) > 10 else ""
    )


def _returned_dues(due_ids) -> set[int]:
    """Due amounts a bank has returned before (their state after a remittance is undone is `returned`)."""
    return set(
        RemittanceLine.objects.filter(
            due_id__in=list(due_ids), state=RemittanceLine.State.RETURNED
        ).values_list("due_id", flat=True)
    )


def remittance_create(
    *, company: Company, by: User | None, bank_account_id: int, charge_date: Date, due_ids: Sequence[int]
) -> Remittance:
    """A draft remittance charging each due amount what it has left, under its customer's active mandate,
    on `charge_date` through the bank account (which needs a valid creditor identifier). Each line's
    sequence type is its mandate's (FRST while never collected, then RCUR). The due amounts become
    `remitted`. Refused, with nothing changed: a due amount of a customer without an active mandate (all of
    them listed), already remitted, paid, a supplier's, a credit note's, or not in euros."""
    try:
        ids = sorted({int(due_id) for due_id in due_ids})
    except (TypeError, ValueError):
        raise ValidationFailed.on("due_ids", _("Choose the due amounts to charge.")) from None
    if not ids:
        raise ValidationFailed.on("due_ids", _("Choose the due amounts to charge."))
    if len(ids) > MAX_LINES:
        raise ValidationFailed.on(
            "due_ids", _("At most %(count)s due amounts per remittance.") % {"count": MAX_LINES}
        )
    charge_date = _charge_date(charge_date)
    with transaction.atomic():
        bank = _bank_for_debits(company, bank_account_id)
        dues = list(locked_dues(company, ids).values())
        not_chargeable = [
            due
            for due in dues
            if due.direction != Direction.RECEIVABLE or due.state not in PAYABLE_STATES or due.remaining <= 0
        ]
        if not_chargeable:
            raise ValidationFailed.on(
                "due_ids",
                _(
                    "These due amounts cannot be charged (paid, already remitted, a supplier's or a credit note's): %(dues)s."
                )
                % {"dues": _listed(not_chargeable)},
            )
        foreign = [due for due in dues if due.currency != "EUR"]
        if foreign:
            raise ValidationFailed.on(
                "due_ids",
                _("SEPA direct debits are in euros: %(dues)s are not.") % {"dues": _listed(foreign)},
            )
        mandates = active_mandates(company, {due.party_id for due in dues})
        without = [due for due in dues if due.party_id not in mandates]
        if without:
            names = sorted({due.party.name for due in _with_parties(without)})
            raise ValidationFailed.on(
                "due_ids",
                _(
                    "These customers have no active SEPA mandate: %(parties)s (%(dues)s). Add their mandates or leave their due amounts out."
                )
                % {"parties": ", ".join(names), "dues": _listed(without)},
            )
        sequence = sequence_next(company_id=company.pk, series=SERIES, year=charge_date.year)
        number = f"{SERIES}-{charge_date.year}-{sequence:04d}"
        dues.sort(key=lambda due: (due.party_id, due.due_date, due.pk))
        remittance = Remittance(
            company=company, number=number, bank_account=bank, charge_date=charge_date, state=Remittance.State.DRAFT,
            total=sum((due.remaining for due in dues), ZERO), message_id=message_id(company, number),
            created_by=by, updated_by=by,
        )  # fmt: skip
        plainsql.insert(Remittance, [remittance])
        lines = [
            RemittanceLine(
                company=company,
                remittance=remittance,
                due=due,
                mandate=mandates[due.party_id],
                amount=due.remaining,
                sequence_type=mandates[due.party_id].sequence_type,
                end_to_end_id=rules.end_to_end_id(number, position),
                state=RemittanceLine.State.PENDING,
            )
            for position, due in enumerate(dues, start=1)
        ]
        plainsql.insert(RemittanceLine, lines)
        now = timezone.now()
        for due in dues:
            due.state, due.updated_at, due.updated_by = DueAmount.State.REMITTED, now, by
        plainsql.update(DueAmount, dues, ("state", "updated_at", "updated_by"))
        return remittance


def _with_parties(dues: list[DueAmount]) -> list[DueAmount]:
    parties = Party.objects.in_bulk({due.party_id for due in dues})
    for due in dues:
        due.party = parties[due.party_id]
    return dues


def _locked_remittance(company: Company, remittance_id) -> Remittance:
    return locked(Remittance, company=company, pk=remittance_id, missing=_("No such remittance."))


def _pending_lines(remittance: Remittance) -> list[RemittanceLine]:
    return list(RemittanceLine.objects.filter(remittance=remittance).order_by("pk"))


def _dues_back(company: Company, by: User | None, dues: dict[int, DueAmount]) -> None:
    """Remitted due amounts back to the state they had before (returned if a bank returned them once)."""
    returned = _returned_dues(dues)
    now = timezone.now()
    for due in dues.values():
        due.state = due_state(due.amount, due.paid, returned=due.pk in returned)
        due.updated_at, due.updated_by = now, by
    plainsql.update(DueAmount, list(dues.values()), ("state", "updated_at", "updated_by"))


def remittance_cancel(*, company: Company, by: User | None, remittance_id: int) -> None:
    """Drop a draft remittance: its due amounts back to what they were. A posted one is returned line by
    line instead."""
    with transaction.atomic():
        remittance = _locked_remittance(company, remittance_id)
        if remittance.state != Remittance.State.DRAFT:
            raise Conflict(
                _("Remittance %(number)s is posted: record the bank's returns instead.")
                % {"number": remittance.number}
            )
        lines = _pending_lines(remittance)
        dues = locked_dues(company, [line.due_id for line in lines]) if lines else {}
        _dues_back(company, by, dues)
        RemittanceLine.objects.filter(remittance=remittance).delete()
        Remittance.objects.filter(pk=remittance.pk).delete()


def remittance_post(*, company: Company, by: User | None, remittance_id: int) -> Remittance:
    """The bank charged the remittance: one payment per line (method SEPA direct debit) pays its due amount,
    all posted in ONE bank entry dated the charge date (D 572x the total, C each due amount's account with
    its party); lines collected, their mandates' next sequence type RCUR. Refused before the charge date,
    when posted already, or empty."""
    with transaction.atomic():
        remittance = _locked_remittance(company, remittance_id)
        if remittance.state != Remittance.State.DRAFT:
            raise Conflict(_("Remittance %(number)s is already posted.") % {"number": remittance.number})
        if remittance.charge_date > timezone.localdate():
            raise Conflict(
                _("Remittance %(number)s is charged on %(date)s: post it once the bank has charged it.")
                % {"number": remittance.number, "date": remittance.charge_date.strftime("%d/%m/%Y")}
            )
        lines = _pending_lines(remittance)
        if not lines:
            raise Conflict(_("Remittance %(number)s has no lines.") % {"number": remittance.number})
        bank = BankAccount.objects.get(company=company, pk=remittance.bank_account_id)
        dues = locked_dues(company, [line.due_id for line in lines])
        if any(due.state != DueAmount.State.REMITTED for due in dues.values()):
            raise Conflict(_("A due amount of this remittance is no longer remitted."))
        # payment_record pays only payable due amounts: each goes back to its state first, in this transaction.
        _dues_back(company, by, dues)
        payments = []
        for line in lines:
            due = dues[line.due_id]
            payments.append(
                payment_record(
                    company=company, by=by, direction=Direction.RECEIVABLE, party_id=due.party_id,
                    date=remittance.charge_date, amount=line.amount, method=Payment.Method.DIRECT_DEBIT,
                    bank_account_id=bank.pk, allocations=[Match(due.pk, line.amount)],
                    reference=f"{remittance.number} {line.end_to_end_id}", currency=due.currency,
                    remittance_line_id=line.pk, post_entry=False,
                )
            )  # fmt: skip
        per_account: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for line in lines:
            due = dues[line.due_id]
            per_account[(due.account_id, due.party_id)] += line.amount
        entry_lines = [LineInput(bank.account_id, remittance.total, ZERO, None, remittance.number)]
        entry_lines += [
            LineInput(account_id, ZERO, amount, party_id, remittance.number)
            for (account_id, party_id), amount in sorted(per_account.items())
        ]
        entry = entry_record(
            company=company, by=by, journal="BAN", date=remittance.charge_date, lines=entry_lines,
            description=_("SEPA remittance %(number)s") % {"number": remittance.number},
            origin=Origin(REMITTANCE_MODEL, remittance.pk, remittance.number),
        )  # fmt: skip
        for payment in payments:
            payment.entry = entry
        plainsql.update(Payment, payments, ("entry",))
        RemittanceLine.objects.filter(remittance=remittance).update(state=RemittanceLine.State.COLLECTED)
        Mandate.objects.filter(company=company, pk__in={line.mandate_id for line in lines}).update(
            sequence_type=Mandate.SequenceType.RECURRING, updated_at=timezone.now(), updated_by=by
        )
        remittance.state, remittance.entry, remittance.posted_at = (
            Remittance.State.POSTED,
            entry,
            timezone.now(),
        )
        remittance.updated_by = by
        plainsql.update(Remittance, [remittance], ("state", "entry", "posted_at", "updated_at", "updated_by"))
        return remittance


def _charges(value) -> Decimal:
    amount = decimal_of(value if value is not None else ZERO, "charges")
    if amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= MAX_CHARGES:
        raise ValidationFailed.on(
            "charges", _("Enter the bank's charges: zero or more, with at most 2 decimals.")
        )
    return amount


def remittance_return(
    *,
    company: Company,
    by: User | None,
    line_id: int,
    reason: str,
    date: Date | None,
    charges=ZERO,
) -> RemittanceLine:
    """The bank returned a collected line (devolución): its payment undone (the due amount reopened, state
    `returned`), the return posted (D the due amount's account with its party, C 572x; the bank's charges
    D 626, C 572x), the line returned with the reason and date. The mandate is deactivated when the reason
    says it or its account is no good, and goes back to FRST when its first collection came back. Refused
    twice, or dated before the charge date or in the future."""
    reason = (reason or "").strip().upper()
    if reason not in RETURN_REASONS:
        raise ValidationFailed.on("reason", _("Choose the return reason the bank gave."))
    charges = _charges(charges)
    if not isinstance(date, Date):
        raise ValidationFailed.on("date", _("Enter the date of the return."))
    if date > timezone.localdate():
        raise ValidationFailed.on("date", _("The return date cannot be in the future."))
    with transaction.atomic():
        line = locked(RemittanceLine, company=company, pk=line_id, missing=_("No such remittance line."))
        if line.state != RemittanceLine.State.COLLECTED:
            raise Conflict(
                _("Line %(line)s has been returned already.") % {"line": line.end_to_end_id}
                if line.state == RemittanceLine.State.RETURNED
                else _("Line %(line)s is not collected yet: post its remittance first.")
                % {"line": line.end_to_end_id}
            )
        remittance = Remittance.objects.select_related("bank_account").get(pk=line.remittance_id)
        if date < remittance.charge_date:
            raise ValidationFailed.on("date", _("A return cannot be dated before the charge date."))
        payment_id = (
            Payment.objects.filter(company=company, remittance_line_id=line.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if payment_id is None:
            raise Conflict(_("Line %(line)s has no payment to undo.") % {"line": line.end_to_end_id})
        payment = locked(Payment, company=company, pk=payment_id, missing=_("No such payment."))
        if payment.state != Payment.State.POSTED:
            raise Conflict(_("Payment %(number)s is reversed.") % {"number": payment.number})
        allocations = list(Allocation.objects.filter(payment=payment).order_by("due_id"))
        dues = locked_dues(company, [allocation.due_id for allocation in allocations])
        now = timezone.now()
        for allocation in allocations:
            due = dues[allocation.due_id]
            due.paid -= allocation.amount
            due.state = due_state(due.amount, due.paid, returned=True)
            due.updated_at, due.updated_by = now, by
        plainsql.update(DueAmount, list(dues.values()), ("paid", "state", "updated_at", "updated_by"))
        due, bank = dues[line.due_id], remittance.bank_account
        text = f"{line.end_to_end_id} {reason}"
        entry_lines = [
            LineInput(due.account_id, line.amount, ZERO, due.party_id, text),
            LineInput(bank.account_id, ZERO, line.amount, None, text),
        ]
        if charges:
            charges_account = default_account(default_accounts(company), "bank_charges")
            entry_lines += [
                LineInput(charges_account.pk, charges, ZERO, None, text),
                LineInput(bank.account_id, ZERO, charges, None, text),
            ]
        entry = entry_record(
            company=company, by=by, journal="BAN", date=date, lines=entry_lines,
            description=_("Return of %(line)s (%(reason)s)") % {"line": line.end_to_end_id, "reason": reason},
            origin=Origin(REMITTANCE_MODEL, remittance.pk, remittance.number),
        )  # fmt: skip
        payment.state, payment.reversal_entry, payment.reversed_at, payment.reversed_by = (
            Payment.State.REVERSED, entry, now, by,
        )  # fmt: skip
        payment.updated_by = by
        plainsql.update(
            Payment,
            [payment],
            ("state", "reversal_entry", "reversed_at", "reversed_by", "updated_at", "updated_by"),
        )
        line.state, line.return_reason, line.returned_on, line.return_entry = (
            RemittanceLine.State.RETURNED, reason, date, entry,
        )  # fmt: skip
        plainsql.update(RemittanceLine, [line], ("state", "return_reason", "returned_on", "return_entry"))
        _mandate_after_return(company, by, line, RETURN_REASONS[reason])
        return line


def _mandate_after_return(
    company: Company, by: User | None, line: RemittanceLine, reason: ReturnReason
) -> None:
    mandate = locked(Mandate, company=company, pk=line.mandate_id, missing=_("No such mandate."))
    collected_before = (
        RemittanceLine.objects.filter(mandate_id=mandate.pk, state=RemittanceLine.State.COLLECTED)
        .exclude(pk=line.pk)
        .exists()
    )
    sequence = rules.sequence_after_return(line.sequence_type, collected_before)
    if sequence is not None:
        mandate.sequence_type = sequence
    if reason.invalidates_mandate:
        mandate.active = False
    mandate.updated_by = by
    plainsql.update(Mandate, [mandate], ("sequence_type", "active", "updated_at", "updated_by"))


def remittance_get(company: Company, remittance_id) -> Remittance:
    found = (
        Remittance.objects.filter(company=company, pk=remittance_id)
        .select_related("bank_account", "entry")
        .first()
    )
    if found is None:
        raise NotFound(_("No such remittance."))
    return found


def remittance_lines(remittance: Remittance) -> list[RemittanceLine]:
    """Its lines with due amount, customer, mandate and payment, in one query."""
    return list(
        RemittanceLine.objects.filter(remittance=remittance)
        .select_related("due", "due__party", "mandate", "payment", "return_entry")
        .order_by("pk")
    )


__all__ = [
    "MAX_LINES",
    "REMITTANCE_MODEL",
    "RETURN_REASONS",
    "SCHEMA_FILE",
    "SERIES",
    "ReturnReason",
    "active_mandates",
    "mandate_get",
    "mandate_save",
    "message_id",
    "pain008_validate",
    "remittance_cancel",
    "remittance_candidates",
    "remittance_create",
    "remittance_file",
    "remittance_filename",
    "remittance_get",
    "remittance_lines",
    "remittance_post",
    "remittance_return",
]
