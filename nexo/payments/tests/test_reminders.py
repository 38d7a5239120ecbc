"""Reminders: levels climb from a first reminder to a final notice and stop; what is not overdue, paid,
a supplier's or already reminded that day is refused whole; one letter per customer, in its language, as a
PDF e-mailed after the commit; the history kept per due amount; the same queries whatever the number."""

import io
from datetime import date

import pytest
from django.core import mail
from pypdf import PdfReader

from nexo.accounting.services.ledger import journal_of
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.payments.models import Direction, DueAmount, Reminder
from nexo.payments.services import reminders
from nexo.payments.tests.factories_aging import *  # noqa: F403 (the fixtures)
from nexo.payments.tests.factories_aging import D, make_due, make_party, pay


@pytest.fixture(autouse=True)
def _english_and_tasks_at_once(english, settings):
    """Messages asserted in English; a queued task runs at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def overdue_dues(books, turia, norte):
    """Two of Turia's invoices and one of Norte's, all due in April 2026."""
    return [
        make_due(books, turia, "1210.00", document_date=date(2026, 3, 1), due_date=date(2026, 4, 1), number="F-1"),
        make_due(books, turia, "605.00", document_date=date(2026, 3, 5), due_date=date(2026, 4, 5), number="F-2"),
        make_due(books, norte, "300.00", document_date=date(2026, 3, 9), due_date=date(2026, 4, 9), number="F-3"),
    ]  # fmt: skip


def send(company, dues, day, **options):
    return reminders.reminders_send(
        company=company,
        by=None,
        due_ids=[due.pk for due in dues],
        date=day,
        **({"send_email": False} | options),
    )


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_levels_climb_from_a_first_reminder_to_a_final_notice_and_a_fourth_is_refused(books, overdue_dues):
    first = overdue_dues[0]
    for level, day in enumerate((date(2026, 5, 1), date(2026, 5, 20), date(2026, 6, 10)), start=1):
        (letter,) = send(books, [first], day)
        assert letter.level == level and letter.lines[0].level == level
        first.refresh_from_db()
        assert first.reminder_level == level
    with pytest.raises(Conflict, match="has had its final notice already"):
        send(books, [first], date(2026, 7, 1))
    assert list(Reminder.objects.filter(due=first).order_by("date").values_list("level", flat=True)) == [
        1,
        2,
        3,
    ]
    first.refresh_from_db()
    assert first.reminder_level == 3


def test_a_due_amount_not_overdue_paid_a_suppliers_or_reminded_that_day_is_refused_and_nothing_is_written(
    books, turia, overdue_dues
):
    first, second, _norte = overdue_dues
    with pytest.raises(Conflict, match="is not overdue on 2026-04-01"):
        send(books, [first, second], date(2026, 4, 1))
    pay(books, turia, "605.00", date(2026, 4, 20), (second, "605.00"))
    with pytest.raises(Conflict, match="F-2 \\(1/1\\) is paid"):
        send(books, [first, second], date(2026, 5, 1))
    supplier_due = make_due(
        books, turia, "80.00", document_date=date(2026, 3, 1), due_date=date(2026, 3, 31),
        direction=Direction.PAYABLE, model="invoicing.supplierinvoice", number="FP-1",
    )  # fmt: skip
    with pytest.raises(Conflict, match="owed to a supplier"):
        send(books, [supplier_due], date(2026, 5, 1))
    assert not Reminder.objects.exists()
    send(books, [first], date(2026, 5, 1))
    with pytest.raises(Conflict, match="already reminded on 2026-05-01"):
        send(books, [first], date(2026, 5, 1))
    with pytest.raises(ValidationFailed):
        send(books, [], date(2026, 5, 1))


def test_another_companys_due_amount_is_not_found(books, other_company, overdue_dues):
    journal_of(other_company, "GEN")
    stranger = make_due(
        other_company, make_party(other_company, "Ajena"), "10.00", document_date=date(2026, 1, 1)
    )
    with pytest.raises(NotFound):
        send(books, [overdue_dues[0], stranger], date(2026, 5, 1))
    assert not Reminder.objects.exists()


def test_one_letter_per_customer_at_its_highest_level_e_mailed_in_its_language_after_the_commit(
    books, turia, norte, overdue_dues, django_capture_on_commit_callbacks
):
    first = overdue_dues[0]
    send(books, [first], date(2026, 5, 1))  # F-1 had a first reminder already
    with django_capture_on_commit_callbacks(execute=True):
        letters = send(books, overdue_dues, date(2026, 5, 20), send_email=True)
    assert [
        (letter.party.name, letter.level, [line.level for line in letter.lines]) for letter in letters
    ] == [
        ("Estudio Norte, S.L.P.", 1, [1]),
        ("Ferretería Turia, S.L.", 2, [2, 1]),
    ]
    assert letters[1].total == D("1815.00")
    by_recipient = {email.to[0]: email for email in mail.outbox}
    assert set(by_recipient) == {"cobros@turia.example", "accounts@norte.example"}
    spanish, english = by_recipient["cobros@turia.example"], by_recipient["accounts@norte.example"]
    assert spanish.subject == "Segundo recordatorio: pago vencido a Suministros Prueba, S.L."
    assert english.subject == "First reminder: payment overdue to Suministros Prueba, S.L."
    filename, content, mimetype = spanish.attachments[0]
    assert (filename, mimetype) == (f"reminder-2026-05-20-{turia.pk}.pdf", "application/pdf")
    text = pdf_text(content)
    assert (
        "Segundo recordatorio: facturas aún vencidas" in text
        and "F-1" in text
        and "F-2" in text
        and "F-3" not in text
    )
    assert "1.815,00" in text
    text = pdf_text(english.attachments[0][1])
    assert "Reminder: invoices overdue" in text and "F-3" in text and "300.00" in text
    history = Reminder.objects.filter(due=first).order_by("date")
    assert [(r.level, r.date, r.sent_to, r.language) for r in history] == [
        (1, date(2026, 5, 1), "", "es"), (2, date(2026, 5, 20), "cobros@turia.example", "es"),
    ]  # fmt: skip


def test_the_final_notice_warns_of_legal_action(books, overdue_dues):
    first = overdue_dues[0]
    DueAmount.objects.filter(pk=first.pk).update(reminder_level=2)
    (letter,) = send(books, [first], date(2026, 6, 1))
    again = reminders.letter_of_reminder(books, letter.first_reminder_id)
    assert again.level == 3 and again.total == D("1210.00")
    text = pdf_text(reminders.letter_pdf(again))
    assert "AVISO FINAL" in text and "Último aviso antes de acciones legales" in text
    english = pdf_text(reminders.letter_pdf(again, language="en"))
    assert "FINAL NOTICE" in english and "Final notice before legal action" in english


def test_e_mailing_needs_every_customers_address_and_refuses_whole(books, overdue_dues, turia):
    turia.email = ""
    turia.save()
    with pytest.raises(ValidationFailed, match=r"Ferretería Turia, S\.L\. has no valid e-mail address"):
        send(books, overdue_dues, date(2026, 5, 20), send_email=True)
    assert not Reminder.objects.exists() and not mail.outbox


def test_a_letter_shows_what_was_left_on_its_date_whatever_is_paid_later(books, turia, overdue_dues):
    first = overdue_dues[0]
    pay(books, turia, "210.00", date(2026, 4, 25), (first, "210.00"))
    (letter,) = send(books, [first], date(2026, 5, 1))
    pay(books, turia, "1000.00", date(2026, 5, 10), (first, "1000.00"))
    again = reminders.letter_of_reminder(books, letter.first_reminder_id)
    assert again.lines[0].remaining == D("1000.00") == letter.total


def test_a_reminder_of_another_company_has_no_letter(books, other_company, overdue_dues):
    (letter,) = send(books, [overdue_dues[0]], date(2026, 5, 1))
    with pytest.raises(NotFound):
        reminders.letter_of_reminder(other_company, letter.first_reminder_id)
    count, found = reminders.reminders_of(books, due_id=overdue_dues[0].pk)
    assert count == 1 and found[0].level == 1


def test_sending_takes_the_same_queries_whatever_the_due_amounts_and_customers(
    books, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    def dues(count, tag):
        made = []
        for index in range(count):
            party = make_party(books, f"Cliente {tag}{index}", email=f"c{tag}{index}@example.com")
            made += [
                make_due(books, party, "10.00", document_date=date(2026, 1, 1), due_date=date(2026, 2, 1))
                for _ in range(2)
            ]
        return made

    small, large = dues(1, "a"), dues(6, "b")
    with django_assert_max_num_queries(12) as few:
        send(books, small, date(2026, 5, 1), send_email=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        send(books, large, date(2026, 5, 1), send_email=True)
