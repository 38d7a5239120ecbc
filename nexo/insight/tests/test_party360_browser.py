"""In the browser, at a laptop's and a phone's width, in Spanish and English: a salesperson opens a customer,
goes to its 360° view, reads what it owes, narrows the timeline to its invoices, and finds an invoice by its
number with the top bar's search box, by keyboard only."""

import re

import pytest
from django.urls import reverse

from nexo.core.models import User
from nexo.insight.tests.factories_party360 import *  # noqa: F403
from nexo.tests.browser_checks import look_at

OPEN_BALANCE = {"es": "107,30", "en": "107.30"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_salesperson_reads_a_customers_360_view_and_finds_an_invoice_by_keyboard(
    language, page, signed_in_page, live_server, story
):
    from playwright.sync_api import expect

    page.set_default_navigation_timeout(120_000)
    User.objects.filter(username="ventas").update(language=language)
    page = signed_in_page("ventas")
    party_url = reverse("parties:party_view", args=[story.party.pk])
    page.goto(f"{live_server.url}{party_url}")

    page.locator("#party-360-link").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('insight:party_360', args=[story.party.pk])}")
    expect(page.locator("#p360-open-balance")).to_contain_text(OPEN_BALANCE[language])
    expect(page.locator("#p360-next-activity")).to_contain_text("Visita a la nave")
    expect(page.locator(".p360-item")).to_have_count(13)  # a salesperson's role reads no reminders
    look_at(page, f"party360-{language}")

    # The invoices alone, from the filters, by keyboard.
    page.locator('.p360-filters a[data-kind="invoice"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?kind=invoice"))
    expect(page.locator(".p360-item")).to_have_count(3)
    expect(page.locator('.p360-filters a[data-kind="invoice"]')).to_have_attribute("aria-current", "true")
    look_at(page, f"party360-invoices-{language}")

    # "/" puts the focus in the top bar's box; the invoice's number finds it; Enter follows the hit.
    page.locator("h1").click()
    page.keyboard.press("/")
    expect(page.locator("#shell-search")).to_be_focused()
    page.keyboard.type(story.order_invoice.number)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/insight/search/\?q="))
    group = page.locator('.search-group[data-kind="invoice"]')
    expect(group.get_by_role("link", name=story.order_invoice.number)).to_be_visible()
    look_at(page, f"search-{language}")
    page.locator("#search-q").focus()  # the page's own field holds the number; its button, then the hit
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(group.get_by_role("link", name=story.order_invoice.number)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('invoicing:invoice_view', args=[story.order_invoice.pk])}")
