"""A salesperson quotes an opportunity in the editor: two lines typed in, the margin and totals follow a new
quantity live, the quotation is e-mailed and accepted, and the pipeline board shows the opportunity won."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from nexo.crm.models import Opportunity
from nexo.sales.models import Quotation, SalesOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_build_a_quotation_see_the_margin_live_send_and_accept_it(
    signed_in_page, live_server, sales_user, opportunity, stocked_items
):
    page = signed_in_page("ventas")
    page.goto(f"{live_server.url}/crm/opportunities/{opportunity.pk}/")
    page.click("#new-quotation")
    page.click("#create-quotation")
    expect(page).to_have_url(re.compile(r"/sales/quotations/\d+/$"))
    quotation = Quotation.objects.get()
    assert quotation.opportunity_id == opportunity.pk and quotation.state == "draft"

    # Two lines typed in the new-line row; Enter adds each.
    page.fill("#new-line-item", "Q-FIFO")
    page.fill("#new-line-quantity", "15")
    page.fill("#new-line-discount", "10")
    page.press("#new-line-discount", "Enter")
    expect(page.locator("#line-rows tr.line")).to_have_count(1)
    expect(page.locator("#new-line-item")).to_be_focused()
    page.keyboard.type("Q-AVERAGE")
    page.fill("#new-line-quantity", "10")
    page.press("#new-line-quantity", "Enter")
    expect(page.locator("#line-rows tr.line")).to_have_count(2)

    fifo, average = quotation.lines.order_by("position")
    # FIFO: 15 units, 10 at 5.00 and 5 at 6.00 (5.333333 a unit); 15 x 9.00 less 10 % = 121.50, margin 41.50.
    expect(page.locator(f"#line-{fifo.pk}-net")).to_have_text("121,50 €")
    expect(page.locator(f"#line-{fifo.pk}-margin")).to_have_text("41,50 €")
    expect(page.locator(f"#line-{fifo.pk}")).to_contain_text("5,3333")
    expect(page.locator("#total-net")).to_have_text("211,50 €")  # and 10 x 9.00 for the average item

    # Ten units instead of fifteen: all from the first layer at 5.00; 81.00 net, 31.00 margin, live.
    quantity = page.locator(f"#line-{fifo.pk}-quantity")
    quantity.click()
    quantity.press("Control+a")
    quantity.type("10")
    expect(page.locator(f"#line-{fifo.pk}-net")).to_have_text("81,00 €")
    expect(page.locator(f"#line-{fifo.pk}-margin")).to_have_text("31,00 €")
    expect(page.locator(f"#line-{fifo.pk}-margin-percent")).to_contain_text("38,27 %")
    expect(page.locator("#total-net")).to_have_text("171,00 €")
    expect(page.locator("#total-margin")).to_have_text("66,00 €")  # 31.00 + 35.00 (average cost 5.50)
    expect(page.locator(f"#line-{fifo.pk}-quantity")).to_be_focused()  # the row was redrawn under the cursor
    fifo.refresh_from_db()
    assert fifo.quantity == 10 and str(fifo.margin) == "31.00"

    # A quantity that cannot be is refused beside the field; what was typed stays.
    quantity.press("Control+a")
    quantity.type("0")
    expect(page.locator(f"#line-{fifo.pk}-quantity-error")).to_be_visible()
    expect(page.locator(f"#line-{fifo.pk}-quantity")).to_have_value("0")
    page.locator(f"#line-{fifo.pk}-quantity").press("Control+a")
    page.locator(f"#line-{fifo.pk}-quantity").type("10")
    expect(page.locator(f"#line-{fifo.pk}-quantity-error")).to_have_count(0)

    # The average line's VAT picked on its row: 21 % of 81.00 and 10 % of 90.00 on 171.00 make 197.01.
    expect(page.locator("#total-total")).to_have_text("206,91 €")
    page.select_option(f"#line-{average.pk}-tax_category", label="10 %")
    expect(page.locator("#total-total")).to_have_text("197,01 €")

    # Send it by e-mail to the party's address, with the PDF.
    page.click("#send-toggle")
    expect(page.locator("#send-form #id_to")).to_have_value("compras@turia.es")
    page.click("#send-form button[type=submit]")
    expect(page.locator("#accept")).to_be_visible()
    assert Quotation.objects.get().state == "sent"
    (message,) = mail.outbox
    assert message.to == ["compras@turia.es"] and message.attachments[0][0].endswith(".pdf")

    # Accepted, once confirmed: the sales order opens, and the opportunity is won on the board.
    page.click("#accept")
    page.click("#accept-confirm")
    expect(page).to_have_url(re.compile(r"/sales/orders/\d+/$"))
    order = SalesOrder.objects.get()
    expect(page.locator("#order-number")).to_have_text(order.number)
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.WON and str(opportunity.amount) == "171.00"

    page.goto(f"{live_server.url}/crm/")
    expect(page.locator(f"section[data-stage-kind='won'] #opportunity-{opportunity.pk}")).to_be_visible()
