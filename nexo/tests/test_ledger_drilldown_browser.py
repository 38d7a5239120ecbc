"""An accountant follows a figure of the trial balance down to the invoice that caused it: the customers'
account 4300, its general ledger, the invoice's journal entry, and the invoice."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from nexo.invoicing import services as invoicing
from nexo.parties.models import Address, Party

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_trial_balance_drills_down_from_4300_to_the_entry_and_the_invoice(
    signed_in_page, live_server, make_user, company, make_item
):
    accountant = make_user("contable", "accounting", language="en")
    customer = Party.objects.create(
        company=company, name="Reformas Albufera, S.L.", tax_id="B97012348", status=Party.Status.CUSTOMER
    )
    Address.objects.create(
        company=company, party=customer, kind=Address.Kind.BILLING, street="Calle de Sueca, 42",
        postal_code="46006", city="Valencia", province="Valencia", country="ES", is_default=True,
    )  # fmt: skip
    lamp = make_item("LED-18", "9.00")
    draft = invoicing.invoice_create(
        company=company, by=accountant, party_id=customer.pk, date=date(2026, 3, 2),
        lines=[invoicing.InvoiceLineInput(item_id=lamp.pk, description=lamp.name, quantity=Decimal(10),
                                          unit_price=Decimal("9.00"))],
    )  # fmt: skip
    invoice = invoicing.invoice_post(company=company, by=accountant, invoice_id=draft.pk)  # 90.00 + 18.90

    page = signed_in_page("contable")
    page.goto(f"{live_server.url}{reverse('accounting:trial_balance')}?from=2026-01-01&to=2026-12-31")
    row = page.locator('tr[data-code="4300"]')
    expect(row).to_contain_text("108.90")
    row.locator("a").first.click()

    expect(page.locator("#general-ledger")).to_be_visible()
    line = page.locator("#general-ledger tr[data-line]")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("108.90")
    line.locator("td.mono a").first.click()

    expect(page.locator("body")).to_contain_text("VEN/2026/000001")
    document = page.locator("#entry-document a")
    expect(document).to_have_text(invoice.number)
    document.click()

    expect(page.locator("#invoice-number")).to_have_text(invoice.number)
    assert page.url.endswith(reverse("invoicing:invoice_view", args=[invoice.pk]))
