"""In the browser, keyboard only, at a laptop's and a phone's width, in Spanish and English: an accountant
adds a 30-60-90 term watching the preview split 100.00, then sets a customer's term and holiday month."""

import pytest
from django.urls import reverse

from nexo.accounting.models import PartyAccounting, PaymentTerm
from nexo.accounting.services.ledger import journal_of
from nexo.tests.browser_checks import look_at


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_an_accountant_adds_a_term_and_gives_it_to_a_customer(
    language, page, signed_in_page, live_server, make_user, company, customer
):
    from playwright.sync_api import expect

    page.set_default_navigation_timeout(120_000)
    journal_of(company, "GEN")  # the books, with the standard terms
    user = make_user(f"contable-{language}", "accounting", language=language)
    page = signed_in_page(user.username)
    page.goto(f"{live_server.url}{reverse('accounting:payment_term_list')}")
    expect(page.locator("#payment-terms")).to_contain_text("30-60-90")
    look_at(page, f"payment-terms-list-{language}")
    page.goto(f"{live_server.url}{reverse('accounting:payment_term_create')}")
    # The name has the focus once the page has run its script; typing before that would lose keys.
    expect(page.locator("#id_name")).to_be_focused()
    page.keyboard.type("20-40-60")
    page.focus("#id_lines-0-days")
    page.keyboard.press("Control+a")
    page.keyboard.type("20")
    page.focus("#id_lines-1-days")
    page.keyboard.type("40")
    page.focus("#id_lines-2-days")
    page.keyboard.type("60")
    cents = "33,34" if language == "es" else "33.34"
    expect(page.locator("#term-preview")).to_contain_text(cents)
    page.focus("#id_lines-0-percent")
    page.keyboard.type("150")
    expect(page.locator("#term-preview-error")).to_be_visible()
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    expect(page.locator("#term-preview")).to_contain_text(cents)
    look_at(page, f"payment-terms-form-{language}")
    page.keyboard.press("Enter")
    expect(page.locator("#payment-terms")).to_contain_text("20-40-60")
    term = PaymentTerm.objects.get(company=company, name="20-40-60")
    assert [line.days for line in term.lines.all()] == [20, 40, 60]
    page.goto(f"{live_server.url}{reverse('parties:party_view', args=[customer.pk])}")
    page.locator("#party-collection-form").locator("xpath=..").locator("summary").focus()
    page.keyboard.press("Enter")
    page.select_option("#party-customer-term-choice", label="20-40-60")
    page.select_option("#party-holiday-month-choice", "8")
    page.focus("#party-credit-limit-input")
    page.keyboard.type("5000")
    look_at(page, f"payment-terms-party-form-{language}")
    page.keyboard.press("Enter")
    expect(page.locator("#party-holiday-month")).to_contain_text("agosto" if language == "es" else "August")
    page.reload()  # looked at without the flash message (the shell's message list is the shell's own matter)
    look_at(page, f"payment-terms-party-{language}")
    row = PartyAccounting.objects.get(party=customer)
    assert row.customer_term == term and row.holiday_month == 8 and str(row.credit_limit) == "5000.00"
