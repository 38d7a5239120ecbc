"""/payments/reminders: send reminders for overdue due amounts (one letter per customer, e-mailed after the
commit), read the reminders sent, and a reminder's letter as a PDF (`services.reminders`)."""

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Schema

from nexo.core.api import Endpoints, Id, Limit, MoneyOut, Offset, QueryId, RecordId, StrictSchema
from nexo.payments.services import reminders
from nexo.payments.views.reminders import letter_download

endpoints = Endpoints()

PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "The letter as the customer reads it",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class RemindersIn(StrictSchema):
    due_ids: Annotated[list[Id], Field(min_length=1, max_length=reminders.MAX_DUES)]
    date: date
    send_email: bool = Field(True, description="E-mail each letter to its customer (each needs an address)")


class LetterLineOut(Schema):
    due_id: int
    document: str
    installment: str
    due_date: date
    days_late: int
    remaining: MoneyOut
    level: int


class LetterOut(Schema):
    party_id: int
    party_name: str
    level: int = Field(description="1 first reminder, 2 second, 3 final notice: the highest of its lines'")
    language: str
    sent_to: str = Field(description="Empty when not e-mailed")
    total: MoneyOut
    reminder_ids: list[int]
    lines: list[LetterLineOut]


class SentOut(Schema):
    letters: list[LetterOut]


def _letter(letter) -> dict:
    return {
        "party_id": letter.party.pk, "party_name": letter.party.name, "level": letter.level,
        "language": letter.language, "sent_to": letter.sent_to, "total": letter.total,
        "reminder_ids": letter.reminder_ids, "lines": [vars(line) for line in letter.lines],
    }  # fmt: skip


@endpoints.post(
    "/payments/reminders",
    SentOut,
    perm="payments.add_reminder",
    status=201,
    summary="Remind customers of overdue due amounts: one letter per customer",
    description="Each due amount gets a reminder at its next level (first, second, final notice); a "
    "customer's due amounts go in one letter, in its language, e-mailed after the commit when `send_email`. "
    "409, nothing written: a due amount not overdue on `date`, paid or remitted, a supplier's, at its final "
    "notice already, or already reminded on that date or later. 422: a customer without an e-mail address "
    "when `send_email`. Another company's due amount: 404.",
)
def reminders_create(request: HttpRequest, payload: RemindersIn):
    letters = reminders.reminders_send(
        company=request.company, by=request.user, due_ids=payload.due_ids, date=payload.date,
        send_email=payload.send_email,
    )  # fmt: skip
    return {"letters": [_letter(letter) for letter in letters]}


class ReminderOut(Schema):
    id: int
    due_id: int
    party_id: int
    party_name: str
    document: str
    level: int
    date: date
    sent_to: str
    language: str
    created_at: datetime


class ReminderListOut(Schema):
    count: int
    items: list[ReminderOut]


@endpoints.get(
    "/payments/reminders",
    ReminderListOut,
    perm="payments.view_reminder",
    summary="Reminders sent, newest first",
    description="`due_id` keeps one due amount's history; `party_id` one customer's.",
)
def reminders_read(
    request: HttpRequest,
    due_id: QueryId = None,
    party_id: QueryId = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    count, found = reminders.reminders_of(
        request.company, due_id=due_id, party_id=party_id, limit=limit, offset=offset
    )
    items = [
        {
            "id": reminder.pk, "due_id": reminder.due_id, "party_id": reminder.due.party_id,
            "party_name": reminder.due.party.name, "document": reminder.due.origin_number, "level": reminder.level,
            "date": reminder.date, "sent_to": reminder.sent_to, "language": reminder.language,
            "created_at": reminder.created_at,
        }
        for reminder in found
    ]  # fmt: skip
    return {"count": count, "items": items}


@endpoints.get(
    "/payments/reminders/{reminder_id}/letter",
    None,
    status=200,
    perm="payments.view_reminder",
    summary="The letter a reminder went out in, as a PDF",
    description="The reminders its customer was sent that day, with what was left to pay on that date.",
    openapi_extra=PDF_RESPONSE,
)
def reminder_letter(request: HttpRequest, reminder_id: RecordId):
    return letter_download(reminders.letter_of_reminder(request.company, reminder_id))
