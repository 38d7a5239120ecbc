"""An accountant types a manual entry with the keyboard only — account by code, Enter across the fields, a
line added from the keyboard — sees it balance as she types and posts it; the list, the entry and the form fit
a laptop and a phone, in Spanish and in English."""

import os
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from nexo.accounting.models import Entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = ((1366, 768), (390, 844))
SHOTS = os.environ.get("NEXO_SCREENSHOTS", "")


def look_at(page, name: str, language: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (page.url, width)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/entry-{name}-{language}-{width}x{height}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def choose_account(page, row: int, code: str) -> None:
    field = f"#id_lines-{row}-account"
    page.locator(field).press_sequentially(code)
    expect(page.locator(f"{field}_listbox [role=option]").first).to_be_visible()
    page.press(field, "ArrowDown")
    page.press(field, "Enter")
    expect(page.locator(f"{field}_value")).not_to_have_value("")


def test_an_entry_typed_with_the_keyboard_and_posted(signed_in_page, live_server, accountant, books):
    page = signed_in_page("contable")
    page.goto(f"{live_server.url}/accounting/entries/new/")
    look_at(page, "form", "es")
    page.fill("#id_description", "Comisión de mantenimiento")
    page.press("#id_description", "Enter")  # Enter moves on, it does not send the form
    expect(page.locator("#id_lines-0-account")).to_be_focused()

    choose_account(page, 0, "626")
    page.keyboard.press("Enter")  # to the party
    expect(page.locator("#id_lines-0-party")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.type("12,50")
    expect(page.locator("#entry-difference")).to_have_text("Diferencia 12,50")
    page.keyboard.press("Enter")  # credit
    page.keyboard.press("Enter")  # description
    page.keyboard.press("Enter")  # the next line's account
    expect(page.locator("#id_lines-1-account")).to_be_focused()
    choose_account(page, 1, "572")
    for _ in range(3):  # party, debit, credit
        page.keyboard.press("Enter")
    expect(page.locator("#id_lines-1-credit")).to_be_focused()
    page.keyboard.type("12.50")
    expect(page.locator("#entry-total-credit")).to_have_text("12,50")
    expect(page.locator("#entry-difference")).to_have_text("Cuadra")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # Enter on the last field of the last line adds a line
    expect(page.locator("#id_lines-2-account")).to_be_focused()
    page.keyboard.press("Alt+l")
    expect(page.locator("#id_lines-3-account")).to_be_focused()
    look_at(page, "form-typed", "es")

    page.focus("#save-and-post")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounting/entries/\d+/$"))
    entry = Entry.objects.get()
    assert page.url == f"{live_server.url}/accounting/entries/{entry.pk}/"
    expect(page.locator("#entry-state")).to_have_attribute("data-state", "posted")
    expect(page.locator("#entry-number")).to_have_text(f"GEN/{date.today().year}/000001")
    expect(page.locator("#total-debit")).to_have_text("12,50")
    look_at(page, "detail", "es")
    page.goto(f"{live_server.url}/accounting/entries/")
    expect(page.locator("#matching-total")).to_have_text("12,50")
    look_at(page, "list", "es")

    accountant.language = "en"
    accountant.save(update_fields=["language"])
    for name, url in (
        ("list", "/accounting/entries/"),
        ("detail", f"/accounting/entries/{entry.pk}/"),
        ("form", "/accounting/entries/new/"),
        ("templates", "/accounting/entries/from-template/"),
        ("template-payroll", "/accounting/entries/from-template/?template=payroll"),
    ):
        page.goto(f"{live_server.url}{url}")
        look_at(page, name, "en")
    page.goto(f"{live_server.url}/accounting/entries/{entry.pk}/")
    expect(page.locator("#entry-lines")).to_contain_text("Bank services")
