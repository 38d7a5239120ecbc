"""In the browser, at a laptop's and a phone's width, in Spanish and English: an accountant opens a customer's
page, sees its position panel, follows it to the position and statement of account, changes the dates with the
keyboard, and e-mails the statement; a manager sees the customer's position on a quotation over its limit."""

from datetime import date

import pytest
from django.urls import reverse

from nexo.accounting.models import PartyAccounting
from nexo.payments.tests.factories_position import *  # noqa: F403
from nexo.payments.tests.factories_position import D, dues_of
from nexo.tests.browser_checks import look_at


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_an_accountant_follows_the_position_panel_to_the_statement_and_sends_it(
    language, page, signed_in_page, live_server, make_user, company, customer, make_invoice, pay, settings
):
    from playwright.sync_api import expect

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    page.set_default_navigation_timeout(120_000)
    first = make_invoice("100.00", day=date(2026, 1, 15))
    make_invoice("200.00", day=date(2026, 2, 3))
    pay("100.00", [(dues_of(company, first)[0], "100.00")], day=date(2026, 2, 12))
    PartyAccounting.objects.create(party=customer, credit_limit=D("200.00"))
    user = make_user(f"cobros-{language}", "accounting", language=language)
    page = signed_in_page(user.username)

    page.goto(f"{live_server.url}{reverse('parties:party_view', args=[customer.pk])}")
    expect(page.locator("#position-open-balance")).to_contain_text("263")
    expect(page.locator("#position-over-limit")).to_be_visible()
    look_at(page, f"position-party-{language}")

    page.locator("#party-statement-link").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('payments:party_position', args=[customer.pk])}")
    page.fill("#id_start", "2026-02-01")
    page.fill("#id_end", "2026-02-28")
    page.locator("#id_end").press("Enter")
    expect(page.locator("#statement-opening")).to_contain_text("121")
    expect(page.locator("#statement-closing")).to_contain_text("263")
    look_at(page, f"position-statement-{language}")

    page.fill("#statement-to", "cuentas@turia.example")
    page.locator("#statement-send").press("Enter")
    expect(page.locator(".messages")).to_contain_text("cuentas@turia.example")
