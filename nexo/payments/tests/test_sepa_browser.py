"""An accountant adds a customer's mandate, remits its invoice on today's charge date from the due amounts
offered, downloads the pain.008, posts the remittance and records the bank's return of its line; every page
fits a laptop and a phone, in Spanish and in English."""

import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nexo.payments.models import DueAmount, Mandate, Remittance
from nexo.payments.tests import factories_sepa as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = ((1366, 768), (390, 844))
SHOTS = os.environ.get("NEXO_SCREENSHOTS", "")


def fits(page) -> None:
    """No sideways scroll: the page is no wider than the window."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def look_at(page, name: str, language: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        fits(page)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/sepa-{name}-{language}-{width}x{height}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


@pytest.mark.parametrize("language", ["es", "en"])
def test_mandate_remittance_file_post_and_return(signed_in_page, live_server, make_user, company, language):
    accountant = make_user("contable", "accounting", language=language)
    bank = make.bank_account(company)
    turia = make.customer(company, accountant, "Reformas Turia, S.L.", "B46000014")
    invoice = make.posted_invoice(company, accountant, turia)
    due = make.due_of(invoice)
    page = signed_in_page("contable")

    page.goto(f"{live_server.url}/payments/mandates/new/")
    page.fill("#id_party", "Turia")
    page.locator(".picker-list [role=option]").first.click()
    page.fill("#id_reference", "TURIA-001")
    page.fill("#id_iban", "ES02 2100 0418 4101 2345 6789")
    page.fill("#id_signed_on", "2025-01-15")
    look_at(page, "mandate-form", language)
    page.press("#id_reference", "Enter")
    page.wait_for_url(f"{live_server.url}/payments/mandates/")
    expect(page.locator("[data-mandate='TURIA-001']")).to_be_visible()
    assert Mandate.objects.get().party_id == turia.pk
    look_at(page, "mandate-list", language)

    today = timezone.localdate().isoformat()
    page.goto(
        f"{live_server.url}/payments/remittances/new/?charge_date={today}&until={due.due_date.isoformat()}"
    )
    expect(page.locator(f"#due-{due.pk}")).to_be_checked()
    look_at(page, "remittance-new", language)
    page.click("#create-remittance")
    remittance = Remittance.objects.get()
    page.wait_for_url(f"{live_server.url}/payments/remittances/{remittance.pk}/")
    expect(page.locator("#remittance-state")).to_have_attribute("data-state", "draft")
    look_at(page, "remittance-draft", language)

    with page.expect_download() as download:
        page.click("#download-file")
    assert download.value.suggested_filename == f"{remittance.number}.xml"

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#post-remittance")
    expect(page.locator("#remittance-state")).to_have_attribute("data-state", "posted")
    assert DueAmount.objects.get(pk=due.pk).state == "paid"
    line = remittance.lines.get()
    page.click(f"#return-toggle-{line.pk}")
    page.select_option(f"#reason-{line.pk}", "AM04")
    page.fill(f"#charges-{line.pk}", "3,50")
    look_at(page, "remittance-posted", language)
    page.click(f"#return-{line.pk}")
    expect(page.locator(f"#line-{line.pk}")).to_have_attribute("data-state", "returned")
    assert DueAmount.objects.get(pk=due.pk).state == "returned"
    assert make.balance_4300(company, turia) == make.open_dues(company, turia)
    look_at(page, "remittance-returned", language)
    page.goto(f"{live_server.url}/payments/remittances/")
    look_at(page, "remittance-list", language)
    assert bank.pk
