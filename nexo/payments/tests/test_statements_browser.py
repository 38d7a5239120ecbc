"""A bookkeeper works through an imported Norma 43 statement with the keyboard only: Enter confirms the first
line's proposal (the invoice it names), the focus moves to the bank charge, p posts it to 626, k goes back
and u unmatches the first line; the page fits a laptop and a phone, in Spanish and in English."""

import os

import pytest
from playwright.sync_api import expect

from nexo.payments.models import StatementLine
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_statements import *  # noqa: F403
from nexo.payments.tests.factories_statements import line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = ((1366, 768), (390, 844))
SHOTS = os.environ.get("NEXO_SCREENSHOTS", "")


def look_at(page, name: str, language: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (page.url, width)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/statement-{name}-{language}-{width}x{height}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_a_statement_worked_through_with_the_keyboard(
    signed_in_page, live_server, accountant, make_invoice, import_lines
):
    invoice = make_invoice("100.00")
    statement = import_lines(
        line("121.00", invoice.number, counterparty="Reformas Turia SL"),
        line("-12.50", "COMISION", description="Comisión mantenimiento"),
    )
    first, fee = StatementLine.objects.filter(statement=statement).order_by("line_number")
    page = signed_in_page("contable")
    page.goto(f"{live_server.url}/payments/statements/{statement.pk}/")
    look_at(page, "page", "en")
    expect(page.locator(f"#line-{first.pk}")).to_be_focused()
    expect(page.locator(f"#line-{first.pk}")).to_contain_text(invoice.number)

    page.keyboard.press("Enter")  # confirm the proposal
    expect(page.locator(f"#line-{first.pk}")).to_contain_text("Matched")
    expect(page.locator("#progress-matched")).to_have_text("1")
    expect(page.locator(f"#line-{fee.pk}")).to_be_focused()  # on to the next line to match

    page.keyboard.press("p")
    expect(page.locator("#post-panel")).to_be_visible()
    field = page.locator("#id_account")
    expect(field).to_be_focused()
    field.press_sequentially("626")
    expect(page.locator("#id_account_listbox [role=option]").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_account_value")).not_to_have_value("")
    page.click("#post-submit")
    expect(page.locator(f"#line-{fee.pk}")).to_contain_text("Posted to an account")
    expect(page.locator("#progress-to-match")).to_have_text("0")
    expect(page.locator("#post-panel")).to_be_hidden()
    page.wait_for_load_state("networkidle")  # the posted row swapped in and settled before the next key

    page.locator(f"#line-{fee.pk}").focus()
    page.keyboard.press("k")
    expect(page.locator(f"#line-{first.pk}")).to_be_focused()
    page.keyboard.press("u")
    expect(page.locator(f"#line-{first.pk}")).to_contain_text("To match")
    expect(page.locator("#progress-matched")).to_have_text("1")
    first.refresh_from_db()
    assert (first.state, first.payment_id) == ("open", None)

    accountant.language = ""  # the browser's Spanish
    accountant.save(update_fields=["language"])
    page.goto(f"{live_server.url}/payments/statements/{statement.pk}/")
    look_at(page, "page", "es")
    page.goto(f"{live_server.url}/payments/statements/")
    look_at(page, "list", "es")
    page.goto(f"{live_server.url}/payments/statements/import/")
    look_at(page, "import", "es")
