"""Reminders (dunning) of overdue due amounts: a first reminder, a second, then a final notice.

Sending reminders for a set of due amounts writes, in one transaction under their row locks, one `Reminder`
per due amount at its next level (`DueAmount.reminder_level` + 1) and raises that level; the due amounts of
one customer go in one letter, which speaks at the highest of their levels. The letter is a PDF (WeasyPrint)
in the customer's language, e-mailed to the customer's contact (else its own address) once the transaction
commits, by a task: the mail server is never called while a row is locked. Every reminder is kept: the due
amount's history.

Refused, nothing written: a due amount not overdue on the reminder's date, paid or remitted, a supplier's,
already at its final notice, or already reminded on that date or later. The letter of a reminder is the
reminders its customer was sent that day (one sending a day per customer and due amount), its amounts what
was left to pay on that date, so the letter reads the same whenever it is downloaded again."""

import logging
from dataclasses import dataclass, field
from datetime import date as Date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from nexo.core import formatting, mailing, plainsql
from nexo.core.documents import date_text, reader_language, render_html, render_pdf
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.validation import record_id
from nexo.invoicing.documents import address_text, billing_address
from nexo.parties.models import Contact, Party
from nexo.payments.models import BankAccount, Direction, DueAmount, Reminder
from nexo.payments.rules.aging import FINAL, ReminderRefused, letter_level, next_level
from nexo.payments.services.aging import checked_day, remaining_at
from nexo.payments.services.dues import PAYABLE_STATES, locked_dues

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")
MAX_DUES = 500
COMPANY_LANGUAGE = "es"
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "payments" / "reminder_letter.css"
LEVEL_TEMPLATES = {1: "payments/reminder_letter_1.html", 2: "payments/reminder_letter_2.html",
                   3: "payments/reminder_letter_3.html"}  # fmt: skip


@dataclass
class LetterLine:
    due_id: int
    document: str
    installment: str
    document_date: Date
    due_date: Date
    days_late: int
    amount: Decimal
    remaining: Decimal
    level: int
    currency: str


@dataclass
class Letter:
    """One customer's reminder letter: the due amounts it lists, at their levels, on a date."""

    company: Company
    party: Party
    date: Date
    level: int
    language: str
    lines: list[LetterLine]
    sent_to: str = ""
    reminder_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.remaining for line in self.lines), ZERO)

    @property
    def currency(self) -> str:
        return self.lines[0].currency if self.lines else self.company.currency

    @property
    def first_reminder_id(self) -> int | None:
        return min(self.reminder_ids) if self.reminder_ids else None


def level_name(level: int) -> str:
    return str(Reminder.Level(level).label)


# Checks


def _due_ids(due_ids) -> list[int]:
    try:
        ids = sorted({int(due_id) for due_id in due_ids or ()})
    except (TypeError, ValueError):
        raise ValidationFailed.on("due_ids", _("Choose the due amounts by their ids.")) from None
    if not ids:
        raise ValidationFailed.on("due_ids", _("Choose at least one overdue due amount."))
    if len(ids) > MAX_DUES:
        raise ValidationFailed.on(
            "due_ids", _("At most %(count)s due amounts at once.") % {"count": MAX_DUES}
        )
    return ids


def _date(value) -> Date:
    if not isinstance(value, Date):
        raise ValidationFailed.on("date", _("Give the reminder's date."))
    return checked_day(value, "date")


def _refusal(due: DueAmount, on: Date, last: Date | None) -> str | None:
    """Why `due` takes no reminder dated `on`, or None."""
    what = f"{due.origin_number} ({due.installment}/{due.installments})"
    if due.direction != Direction.RECEIVABLE:
        return _("%(due)s is owed to a supplier: reminders go to customers.") % {"due": what}
    if due.amount <= 0 or due.state not in PAYABLE_STATES:
        return _("%(due)s is %(state)s: there is nothing to remind.") % {
            "due": what, "state": due.get_state_display().lower()
        }  # fmt: skip
    if due.due_date >= on:
        return _("%(due)s is not overdue on %(date)s (due %(due_date)s).") % {
            "due": what, "date": on, "due_date": due.due_date
        }  # fmt: skip
    try:
        next_level(due.reminder_level)
    except ReminderRefused:
        return _("%(due)s has had its final notice already.") % {"due": what}
    if last is not None and last >= on:
        return _("%(due)s was already reminded on %(date)s.") % {"due": what, "date": last}
    return None


def _last_reminders(due_ids) -> dict[int, Date]:
    rows = Reminder.objects.filter(due_id__in=due_ids).values("due_id").annotate(last=Max("date"))
    return {row["due_id"]: row["last"] for row in rows}


def _checked(dues: list[DueAmount], on: Date) -> None:
    last = _last_reminders([due.pk for due in dues])
    problems = [problem for due in dues if (problem := _refusal(due, on, last.get(due.pk)))]
    if problems:
        raise Conflict(" ".join(problems))


def _addresses(parties: list[Party]) -> dict[int, str]:
    """Where each party's letter goes: its primary contact's e-mail (else its first contact with one), else
    its own address; one query."""
    found: dict[int, str] = {}
    contacts = (
        Contact.objects.filter(party_id__in=[party.pk for party in parties])
        .exclude(email="")
        .order_by("party_id", "-is_primary", "name", "id")
        .values_list("party_id", "email")
    )
    for party_id, email in contacts:
        found.setdefault(party_id, email)
    return {party.pk: (found.get(party.pk) or party.email or "").strip() for party in parties}


def _valid(address: str) -> bool:
    try:
        validate_email(address)
    except DjangoValidationError:
        return False
    return True


def _letters(company: Company, dues: list[DueAmount], on: Date, levels: dict[int, int]) -> list[Letter]:
    """The letters of these due amounts (grouped per customer, by name), each line at `levels[due id]`."""
    parties = {party.pk: party for party in Party.objects.filter(pk__in={due.party_id for due in dues})}
    left = remaining_at(company, [due.pk for due in dues], at=on)
    per_party: dict[int, list[LetterLine]] = {}
    for due in sorted(dues, key=lambda due: (due.due_date, due.origin_number, due.installment)):
        per_party.setdefault(due.party_id, []).append(
            LetterLine(
                due_id=due.pk, document=due.origin_number, installment=f"{due.installment}/{due.installments}",
                document_date=due.document_date, due_date=due.due_date, days_late=(on - due.due_date).days,
                amount=due.amount, remaining=left.get(due.pk, due.amount - due.paid), level=levels[due.pk],
                currency=due.currency,
            )
        )  # fmt: skip
    letters = [
        Letter(
            company=company,
            party=parties[party_id],
            date=on,
            level=letter_level(line.level for line in lines),
            language=reader_language(parties[party_id].language, COMPANY_LANGUAGE),
            lines=lines,
        )
        for party_id, lines in per_party.items()
    ]
    return sorted(letters, key=lambda letter: (letter.party.name, letter.party.pk))


# Actions


def reminders_preview(*, company: Company, due_ids, date) -> list[Letter]:
    """The letters that sending reminders for these due amounts on `date` would write, written nowhere;
    refused as sending them would be."""
    ids, on = _due_ids(due_ids), _date(date)
    dues = list(DueAmount.objects.filter(company=company, pk__in=ids))
    if len(dues) != len(ids):
        raise NotFound(_("A due amount chosen does not exist (or belongs to another company)."))
    _checked(dues, on)
    letters = _letters(company, dues, on, {due.pk: next_level(due.reminder_level) for due in dues})
    addresses = _addresses([letter.party for letter in letters])
    for letter in letters:
        letter.sent_to = addresses[letter.party.pk]
    return letters


def _locked(company: Company, ids: list[int]) -> list[DueAmount]:
    """The due amounts row-locked in id order; one of another company, or unknown, is not found (a 404 here,
    where `locked_dues` speaks of a payment's allocations)."""
    try:
        return list(locked_dues(company, ids).values())
    except ValidationFailed:
        raise NotFound(_("A due amount chosen does not exist (or belongs to another company).")) from None


def reminders_send(
    *, company: Company, by: User | None, due_ids, date, send_email: bool = True
) -> list[Letter]:
    """Remind the customers of these overdue due amounts on `date`: one reminder per due amount at its
    next level, one letter per customer, e-mailed after the commit when `send_email` (each customer must
    then have an e-mail address). Refused whole, nothing written: see the module's text."""
    ids, on = _due_ids(due_ids), _date(date)
    with transaction.atomic():
        dues = _locked(company, ids)
        _checked(dues, on)
        levels = {due.pk: next_level(due.reminder_level) for due in dues}
        letters = _letters(company, dues, on, levels)
        addresses = _addresses([letter.party for letter in letters])
        if send_email:
            without = [letter.party.name for letter in letters if not _valid(addresses[letter.party.pk])]
            if without:
                raise ValidationFailed.on(
                    "send_email",
                    _(
                        "%(parties)s has no valid e-mail address: add one, or print the letter instead of e-mailing it."
                    )
                    % {"parties": ", ".join(without)},
                )
        reminders = []
        for letter in letters:
            letter.sent_to = addresses[letter.party.pk] if send_email else ""
            for line in letter.lines:
                reminders.append(
                    Reminder(
                        company=company, due_id=line.due_id, level=line.level, date=on, sent_to=letter.sent_to,
                        language=letter.language, created_by=by,
                    )
                )  # fmt: skip
        plainsql.insert(Reminder, reminders)
        by_due = {reminder.due_id: reminder.pk for reminder in reminders}
        for letter in letters:
            letter.reminder_ids = [by_due[line.due_id] for line in letter.lines]
        now = timezone.now()
        for due in dues:
            due.reminder_level, due.updated_at, due.updated_by = levels[due.pk], now, by
        plainsql.update(DueAmount, dues, ("reminder_level", "updated_at", "updated_by"))
        if send_email:
            for letter in letters:
                reminder_id, to = letter.first_reminder_id, letter.sent_to
                transaction.on_commit(lambda reminder_id=reminder_id, to=to: _enqueue(reminder_id, to))
    return letters


def _enqueue(reminder_id: int, to: str) -> None:
    try:
        send_reminder_letter.enqueue(reminder_id=reminder_id, to=to)
    except Exception:  # the queue refused it: the letter can still be downloaded and sent by hand
        logger.exception("The reminder letter of reminder %s could not be queued.", reminder_id)


# Reading


def letter_of_reminder(company: Company, reminder_id) -> Letter:
    """The letter a reminder went out in: the reminders its customer was sent that day."""
    pk = record_id(str(reminder_id))
    reminder = Reminder.objects.filter(company=company, pk=pk).select_related("due").first() if pk else None
    if reminder is None:
        raise NotFound(_("No such reminder."))
    siblings = list(
        Reminder.objects.filter(company=company, date=reminder.date, due__party_id=reminder.due.party_id)
        .select_related("due")
        .order_by("pk")
    )
    dues = [sibling.due for sibling in siblings]
    letters = _letters(company, dues, reminder.date, {sibling.due_id: sibling.level for sibling in siblings})
    (letter,) = letters
    letter.reminder_ids = [sibling.pk for sibling in siblings]
    letter.sent_to = reminder.sent_to
    letter.language = reader_language(reminder.language or letter.language, COMPANY_LANGUAGE)
    return letter


def reminders_of(
    company: Company,
    *,
    due_id=None,
    party_id=None,
    date: Date | None = None,
    limit: int = 100,
    offset: int = 0,
):
    """Reminders sent, newest first, with their due amount and party: (count, page)."""
    rows = Reminder.objects.filter(company=company).select_related("due", "due__party", "created_by")
    if due_id is not None:
        rows = rows.filter(due_id=due_id)
    if party_id is not None:
        rows = rows.filter(due__party_id=party_id)
    if date is not None:
        rows = rows.filter(date=date)
    rows = rows.order_by("-date", "-pk")
    return rows.count(), list(rows[offset : offset + limit])


# The letter


def _party_address(letter: Letter) -> list[str]:
    text = address_text(billing_address(letter.party), company_country=letter.company.country)
    return [line for line in text.splitlines() if line.strip()]


def letter_context(letter: Letter) -> dict:
    """What the letter shows, formatted in the active language."""
    currency = letter.currency
    bank = BankAccount.objects.filter(company=letter.company, active=True).order_by("pk").first()
    return {
        "letter": letter,
        "company": letter.company,
        "party": letter.party,
        "address_lines": _party_address(letter),
        "date": date_text(letter.date),
        "level": letter.level,
        "title": level_name(letter.level),
        "final": letter.level == FINAL,
        "lines": [
            {
                "document": line.document,
                "installment": line.installment,
                "document_date": date_text(line.document_date),
                "due_date": date_text(line.due_date),
                "days_late": line.days_late,
                "amount": formatting.money(line.amount, line.currency),
                "remaining": formatting.money(line.remaining, line.currency),
                "level": level_name(line.level),
            }
            for line in letter.lines
        ],
        "total": formatting.money(letter.total, currency),
        "bank": bank,
        "running_header": f"{level_name(letter.level)} · {letter.party.name}",
    }


def letter_html(letter: Letter, *, language: str | None = None) -> str:
    return render_html(
        LEVEL_TEMPLATES[letter.level],
        lambda: letter_context(letter),
        language=language or letter.language,
        stylesheets=[STYLESHEET],
    )


def letter_pdf(letter: Letter, *, language: str | None = None) -> bytes:
    """The letter as the customer reads it, in its language (else the company's)."""
    return render_pdf(letter_html(letter, language=language))


def letter_filename(letter: Letter) -> str:
    return f"reminder-{letter.date.isoformat()}-{letter.party.pk}.pdf"


def letter_email(letter: Letter) -> tuple[str, str]:
    """The subject and text of the letter's e-mail, in the customer's language."""
    with translation.override(letter.language):
        values = {
            "company": letter.company.name, "level": level_name(letter.level),
            "total": formatting.money(letter.total, letter.currency), "count": len(letter.lines),
        }  # fmt: skip
        subject = _("%(level)s: payment overdue to %(company)s") % values
        body = "\n\n".join(
            (
                _("Hello,"),
                _("According to our records, %(total)s is overdue. Please find attached our letter with the "
                  "details of what is owed.") % values,
                _("If you have already paid, please disregard this message."),
                "\n".join((_("Kind regards,"), values["company"])),
            )
        )  # fmt: skip
    return subject, body


def reminder_email_deliver(*, reminder_id: int, to: str) -> str:
    """Build the letter of `reminder_id` and e-mail it to `to`; sent or failed (logged), as `core.mailing` names them."""
    try:
        letter = letter_of_reminder(
            Reminder.objects.select_related("company").get(pk=reminder_id).company, reminder_id
        )
        subject, body = letter_email(letter)
        email = EmailMessage(subject=subject, body=body, to=[to])
        email.attach(letter_filename(letter), letter_pdf(letter), "application/pdf")
        email.send()
    except Exception as error:  # whatever the server or the PDF says, the sender can download the letter
        logger.warning("The reminder letter of reminder %s to %s failed: %s", reminder_id, to, error)
        return mailing.FAILED
    return mailing.SENT


@task()
def send_reminder_letter(reminder_id: int, to: str) -> str:
    """E-mail a reminder letter to its customer, after the sending transaction committed."""
    return reminder_email_deliver(reminder_id=reminder_id, to=to)


__all__ = [
    "Letter",
    "LetterLine",
    "letter_filename",
    "letter_html",
    "letter_of_reminder",
    "letter_pdf",
    "level_name",
    "reminders_of",
    "reminders_preview",
    "reminders_send",
    "send_reminder_letter",
]
