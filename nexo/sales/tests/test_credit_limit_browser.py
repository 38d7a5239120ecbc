"""In the browser, at a laptop's and a phone's width, in Spanish and English: the quotation editor shows the
customer's position and warns over its credit limit; a manager accepts the quotation overriding the limit,
keyboard only."""

import os
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.urls import reverse

from nexo.accounting.models import PartyAccounting
from nexo.sales import services
from nexo.sales.models import CreditOverride

SIZES = ((1366, 768), (390, 844))
SHOTS = os.environ.get("NEXO_SCREENSHOTS", "")
AXE_PATH = Path(
    os.environ.get(
        "NEXO_AXE_PATH", Path(__file__).resolve().parents[3] / ".venv/axe/node_modules/axe-core/axe.min.js"
    )
)
RUN_AXE = """async () => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a",
    "wcag21aa"]}, resultTypes: ["violations"]});
  return results.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
}"""


def _look_at(page, name: str, language: str) -> None:
    if not AXE_PATH.is_file():
        pytest.fail(f"axe-core is not installed at {AXE_PATH}: `make test` installs it")
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (page.url, width)
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.evaluate(AXE_PATH.read_text())
        assert page.evaluate(RUN_AXE) == [], (name, width)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/credit-{name}-{language}-{width}x{height}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


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
    _look_at(page, "editor", language)
    line = quotation.lines.get()
    page.fill(f"#line-{line.pk}-quantity", "20")  # saved as typed; the position reloads with the total
    expect(page.locator("#credit-available")).to_contain_text("167")  # 50.00 - 217.80

    services.quotation_mark_sent(company=company, by=boss, quotation_id=quotation.pk)
    page.goto(f"{live_server.url}{reverse('sales:quotation_accept', args=[quotation.pk])}")
    expect(page.locator("#credit-warning")).to_be_visible()
    _look_at(page, "accept", language)
    page.locator("#override-credit").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Aval bancario")
    page.locator("#accept-confirm").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/sales/orders/**")
    assert CreditOverride.objects.get().reason == "Aval bancario"
