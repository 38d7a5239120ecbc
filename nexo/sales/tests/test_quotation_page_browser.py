"""The quotation's page in a browser: the e-mail's outcome shown and a failed one sent again; the cost and
margin under each basis opened beside the lines."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from nexo.sales.models import Quotation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_e_mail_is_shown_and_sent_again(
    signed_in_page, live_server, sales_user, make_quotation, stocked_items, settings
):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "15"}])
    settings.EMAIL_BACKEND = "nexo.sales.tests.test_sending.RefusingBackend"
    page = signed_in_page("ventas")
    page.goto(f"{live_server.url}/sales/quotations/{quotation.pk}/")
    page.click("#send-toggle")
    page.click("#send-form button[type=submit]")
    expect(page.locator("#email-outcome")).to_have_attribute("data-status", "failed")
    expect(page.locator("#email-outcome")).to_contain_text("Mailbox unavailable")
    assert Quotation.objects.get().state == "sent" and not mail.outbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page.click("#resend-toggle")
    expect(page.locator("#resend-form #id_resend-to")).to_have_value("compras@turia.es")
    page.fill("#resend-form #id_resend-to", "obra@turia.es")
    page.click("#resend-form button[type=submit]")
    expect(page.locator("#email-outcome")).to_have_attribute("data-status", "sent")
    expect(page.locator("#email-outcome")).to_contain_text("obra@turia.es")
    expect(page.locator("#resend-toggle")).to_have_count(0)
    (message,) = mail.outbox
    assert message.to == ["obra@turia.es"]


def test_the_cost_bases_panel_opens_beside_the_lines(
    signed_in_page, live_server, sales_user, make_quotation, stocked_items
):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "15"}])
    page = signed_in_page("ventas")
    page.goto(f"{live_server.url}/sales/quotations/{quotation.pk}/")
    expect(page.locator("#cost-bases-panel")).to_be_hidden()
    page.click("#cost-bases-toggle")
    expect(page.locator("#cost-bases-panel")).to_be_visible()
    expect(page.locator("#cost-bases-table tbody tr")).to_have_count(1)
