"""The Content-Security-Policy in a real browser: the main pages run their scripts (htmx, the shell, the
board, the stock count) without a single violation."""

import pytest
from playwright.sync_api import expect

from nexo.core.services import company_create
from nexo.sales.tests import conftest as sales_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The sales tests' quotation with stocked items, for the editor's comparison panel.
lead, opportunity = sales_fixtures.lead, sales_fixtures.opportunity
stocked_items, make_quotation = sales_fixtures.stocked_items, sales_fixtures.make_quotation

PAGES = ["/", "/crm/", "/parties/", "/parties/new/", "/catalog/", "/inventory/", "/inventory/count/",
         "/purchasing/", "/sales/", "/profile/", "/api/v1/docs"]  # fmt: skip


def test_the_main_pages_break_no_content_security_policy(signed_in_page, live_server, manager_user):
    page = signed_in_page("gerente")
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(str(error)))
    for path in PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    assert violations == []
    # htmx is running: the list's search swaps the results in place
    page.goto(f"{live_server.url}/parties/")
    assert page.evaluate("typeof window.htmx") == "object"


def test_a_page_without_a_session_has_the_policy_too(page, live_server, db):
    company_create(name="Demo, S.L.", tax_id="B00000000")
    response = page.goto(f"{live_server.url}/login/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_comparison_follows_the_lines_only_while_it_is_shown(
    signed_in_page,
    live_server,
    sales_user,
    make_quotation,
    stocked_items,
):
    """Its trigger had an eval'd filter (hx-trigger="…[!…hidden]") that the policy forbids: now editor.js
    holds the request back while the panel is hidden."""
    fifo = stocked_items["fifo"]
    quotation = make_quotation([{"item_id": fifo.pk, "quantity": "15"}])
    line = quotation.lines.get()
    page = signed_in_page("ventas")
    comparisons = []
    page.on(
        "request", lambda request: comparisons.append(request.url) if "/comparison" in request.url else None
    )
    page.goto(f"{live_server.url}/sales/quotations/{quotation.pk}/")

    def change_quantity(value: str):
        with page.expect_response(lambda response: f"/lines/{line.pk}/" in response.url):
            quantity = page.locator(f"#line-{line.pk}-quantity")
            quantity.click()
            quantity.press("Control+a")
            quantity.type(value)
        page.wait_for_load_state("networkidle")

    change_quantity("12")
    page.wait_for_timeout(1000)
    assert comparisons == []  # hidden: nothing loaded
    page.click("#cost-bases-toggle")
    expect(page.locator("#cost-bases-table tbody tr")).to_have_count(1)
    opened = len(comparisons)
    with page.expect_request(lambda request: "/comparison" in request.url):  # shown: it follows the change
        change_quantity("10")
    assert len(comparisons) > opened
