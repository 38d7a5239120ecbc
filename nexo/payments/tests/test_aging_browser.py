"""A credit controller opens the aging at the end of June, sees each customer in its bucket and the totals,
goes to the overdue list, ticks a due amount, previews the letter and records the reminder to print; the
pages fit a laptop and a phone."""

from datetime import date

import pytest
from playwright.sync_api import expect

from nexo.payments.models import Reminder
from nexo.payments.tests.factories_aging import *  # noqa: F403 (the fixtures)
from nexo.payments.tests.factories_aging import make_due, pay
from nexo.tests.browser_checks import look_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_aging_page_leads_to_the_overdue_list_and_a_reminder(
    signed_in_page, live_server, make_user, books, turia, norte
):
    make_user("cobros", "accounting", language="es")
    late = make_due(
        books, turia, "1000.00", document_date=date(2026, 3, 1), due_date=date(2026, 3, 31), number="F-1"
    )
    make_due(
        books, norte, "250.00", document_date=date(2026, 5, 21), due_date=date(2026, 6, 20), number="F-3"
    )
    pay(books, turia, "400.00", date(2026, 4, 10), (late, "400.00"))

    page = signed_in_page("cobros")
    page.goto(f"{live_server.url}/payments/aging/?at=2026-06-30")
    expect(page.locator("h1")).to_have_text("Antigüedad de saldos de clientes")
    expect(page.locator(f'#aging tr[data-party="{turia.pk}"] td').nth(4)).to_have_text("600,00")
    expect(page.locator("#aging-total td").last).to_have_text("850,00")
    look_at(page, "aging-report")

    page.click("#overdue-link")
    expect(page.locator("#overdue tbody tr")).to_have_count(2)
    look_at(page, "aging-overdue")
    page.check(f"#due-{late.pk}")
    page.click("#preview-reminders")
    expect(page.locator(".letter h2")).to_contain_text("Primer recordatorio")
    look_at(page, "aging-preview")
    page.uncheck("#send-email")
    page.click("#send-reminders")
    expect(page.locator("#reminders tbody tr")).to_have_count(1)
    assert Reminder.objects.get(due=late).level == 1
