"""In the browser, at a laptop's and a phone's width, in Spanish and English: the quotation editor shows the
customer's position and warns over its credit limit; a manager accepts the quotation overriding the limit,
keyboard only."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from nexo.accounting.models import PartyAccounting
from nexo.sales import services
from nexo.sales.models import CreditOverride
from nexo.tests.browser_checks import look_at


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_manager_sees_the_position_and_accepts_over_the_limit(
    language, page, signed_in_page, live_server, make_user, company, lead, stocked_items, make_quotation
):
    from playwright.sync_api import expect

    page.set_default_navigation_timeout(120_000)
    boss = make_user(f"jefa-{language}", "manager", language=language)
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "10"}], by=boss)
    PartyAccounting.objects.create(party=lead, credit_limit=D("50.00"))
    page = signed_in_page(boss.username)

    page.goto(f"{live_server.url}{reverse('sales:quotation_view', args=[quotation.pk])}")
    expect(page.locator("#credit-warning")).to_be_visible()
    expect(page.locator("#credit-available")).to_contain_text("58")  # 50.00 - 108.90
    look_at(page, f"credit-editor-{language}")
    line = quotation.lines.get()
    page.fill(f"#line-{line.pk}-quantity", "20")  # saved as typed; the position reloads with the total
    expect(page.locator("#credit-available")).to_contain_text("167")  # 50.00 - 217.80

    services.quotation_mark_sent(company=company, by=boss, quotation_id=quotation.pk)
    page.goto(f"{live_server.url}{reverse('sales:quotation_accept', args=[quotation.pk])}")
    expect(page.locator("#credit-warning")).to_be_visible()
    look_at(page, f"credit-accept-{language}")
    page.locator("#override-credit").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Aval bancario")
    page.locator("#accept-confirm").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/sales/orders/**")
    assert CreditOverride.objects.get().reason == "Aval bancario"
