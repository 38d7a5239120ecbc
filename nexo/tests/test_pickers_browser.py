"""Pickers in a browser, at a laptop's width and a phone's: a clerk types part of an item's name, chooses it
with the arrow keys and Enter, and posts the move; a salesperson does the same on the price check."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from nexo.inventory.models import StockMove
from nexo.inventory.services import location_create
from nexo.parties.services import party_create
from nexo.tests.test_accessibility_browser import AXE_PATH, BLOCKING, RUN_AXE, WCAG_TAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [(1366, 768), (390, 844)]


def choose(page, field: str, typed: str, option: str, *, downs: int = 1):
    """Type into a picker, wait for the option, go down to it and take it with Enter."""
    box = page.locator(f"#id_{field}")
    box.click()
    box.press("Control+a")  # what was there (a default location) is replaced by what is typed
    box.press_sequentially(typed)
    listbox = page.locator(f"#id_{field}_listbox")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option", name=option)).to_be_visible()
    for _step in range(downs):
        box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    expect(page.locator(f"#{active}")).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()


@pytest.mark.parametrize("size", WIDTHS)
def test_a_move_is_posted_with_items_and_locations_chosen_by_keyboard(
    size, signed_in_page, live_server, company, warehouse_user, warehouse, make_item
):
    make_item("TOR-100", name="Tornillo cabeza plana")
    nut = make_item("TUE-200", name="Tuerca hexagonal")
    make_item("SRV-1", name="Montaje de tuercas", kind="service")  # not offered: a move needs stock
    shelf = location_create(company=company, by=warehouse_user, warehouse_id=warehouse.pk, name="Estante B-2")
    page = signed_in_page("almacen")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/inventory/moves/new/")

    choose(page, "item", "tuerca", "TUE-200 · Tuerca hexagonal")
    expect(page.locator("#id_item")).to_have_value("TUE-200 · Tuerca hexagonal")
    expect(page.locator("#id_item_value")).to_have_value(str(nut.pk))
    # Opened again on the chosen item: every stocked item is offered, the service never.
    page.locator("#id_item").press("ArrowDown")
    expect(page.locator("#id_item_listbox [role=option]")).to_have_count(2)
    page.locator("#id_item").press("ArrowDown")
    expect(page.locator("#id_item")).to_have_attribute("aria-activedescendant", "id_item_listbox-1")
    page.evaluate(AXE_PATH.read_text())  # the open combobox and its list as a screen reader meets them
    blocking = [v["id"] for v in page.evaluate(RUN_AXE, WCAG_TAGS) if v["impact"] in BLOCKING]
    assert blocking == []
    page.locator("#id_item").press("Escape")
    expect(page.locator("#id_item_listbox")).to_be_hidden()

    choose(page, "to_location", "b-2", f"{warehouse.code} · Estante B-2")
    expect(page.locator("#id_to_location_value")).to_have_value(str(shelf.pk))
    page.fill("#id_quantity", "4")
    page.fill("#id_unit_cost", "1.5")
    page.click("#move-post")
    expect(page.locator("#move-state")).to_have_class("badge badge-done")
    move = StockMove.objects.get()
    assert (move.item_id, move.to_location_id, move.quantity) == (nut.pk, shelf.pk, Decimal(4))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", WIDTHS)
def test_the_price_check_takes_an_item_and_a_customer_chosen_by_keyboard(
    size, signed_in_page, live_server, company, sales_user, make_item
):
    make_item("X-100", name="Radiador de aluminio", base_price="20.00")
    make_item("X-200", name="Radiador de acero", base_price="30.00")
    party_create(company=company, by=sales_user, name="Climatización Brisa, S.L.", status="customer")
    page = signed_in_page("ventas")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/catalog/price-check/")

    # Accents and case aside; the second match is taken with a second ArrowDown.
    choose(page, "item", "RADIADOR", "X-200 · Radiador de acero", downs=2)
    expect(page.locator("#id_item")).to_have_value("X-200 · Radiador de acero")
    choose(page, "party", "climatizacion", "Climatización Brisa, S.L.")
    page.fill("#id_quantity", "2")
    page.locator("#id_quantity").press("Enter")
    expect(page.locator("#unit-price")).to_contain_text("30,00")
    assert "party=" in page.url and "item=" in page.url

    # Shown again from the address, the chosen records keep their labels.
    page.reload()
    expect(page.locator("#id_item")).to_have_value("X-200 · Radiador de acero")
    expect(page.locator("#id_party")).to_have_value("Climatización Brisa, S.L.")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
