"""An accountant opens a posted invoice, records a partial payment from its page with the keyboard (the due
amount comes ticked and filled; a smaller amount typed; Enter records), and sees the invoice partially paid
and the customer's aging 50.00 lower; the pages fit a laptop and a phone."""

import os
import re

import pytest
from playwright.sync_api import expect

from nexo.payments.models import DueAmount, Payment
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_payments import D

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = ((1366, 768), (390, 844))
SHOTS = os.environ.get("NEXO_SCREENSHOTS", "")


def look_at(page, name: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (page.url, width)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{name}-{width}x{height}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_a_partial_payment_recorded_from_the_invoice_page(
    signed_in_page, live_server, company, accountant, customer, bank, make_invoice
):
    invoice = make_invoice("100.00", term_name="30-60-90 días")  # 40.33, 40.33, 40.34
    first, second, third = DueAmount.objects.filter(origin_id=invoice.pk).order_by("installment")
    page = signed_in_page("contable")
    # The aging before: the customer owes the whole invoice.
    page.goto(f"{live_server.url}/payments/aging/")
    expect(page.locator(f'#aging tr[data-party="{customer.pk}"] td').last).to_have_text(
        re.compile(r"^121[.,]00$")
    )
    page.goto(f"{live_server.url}/invoicing/{invoice.pk}/")
    expect(page.locator("#payments-panel")).to_have_attribute("data-status", "unpaid")
    look_at(page, "invoice-unpaid")
    page.click("#record-document-payment")
    page.wait_for_load_state("load")  # the form's script binds its keys before the first one is pressed

    expect(page.locator(f"#pick-{first.pk}")).to_be_checked()
    expect(page.locator("#id_amount")).to_have_value("121.00")
    page.focus(f"#pick-{third.pk}")
    page.keyboard.press("Space")  # unticked: its amount cleared, the payment's follows
    expect(page.locator(f"#amount-{third.pk}")).to_have_value("")
    expect(page.locator("#id_amount")).to_have_value("80.66")
    page.fill(f"#amount-{second.pk}", "9,67")
    expect(page.locator("#chosen-total")).to_have_text("50.00")
    expect(page.locator("#id_amount")).to_have_value("50.00")
    look_at(page, "record-payment")
    page.fill("#id_reference", "Transferencia 1")
    page.press(f"#pick-{second.pk}", "Enter")

    payment = Payment.objects.get()
    page.wait_for_url(f"{live_server.url}/payments/payments/{payment.pk}/")
    expect(page.locator("#payment-amount")).to_contain_text("50.00")
    look_at(page, "payment")
    assert payment.amount == payment.applied == D("50.00")
    page.goto(f"{live_server.url}/invoicing/{invoice.pk}/")
    expect(page.locator("#payments-panel")).to_have_attribute("data-status", "partial")
    expect(page.locator("#document-payments")).to_contain_text(payment.number)
    assert [due.state for due in DueAmount.objects.order_by("installment")] == ["paid", "partial", "open"]
    # The aging after: 50.00 less owed.
    page.goto(f"{live_server.url}/payments/aging/")
    expect(page.locator(f'#aging tr[data-party="{customer.pk}"] td').last).to_have_text(
        re.compile(r"^71[.,]00$")
    )
