"""A manager uploads a spreadsheet with one bad row: the page names the row and column, nothing is imported."""

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from nexo.catalog import services
from nexo.catalog.models import Item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bad_row_is_shown_and_nothing_is_imported(
    signed_in_page, live_server, make_user, company, tmp_path
):
    services.catalog_setup(company=company)
    make_user("gerente2", "manager")
    workbook = Workbook()
    for row in (
        ["sku", "name", "unit", "sale_tax", "purchase_tax", "base_price"],
        ["MART-01", "Martillo de carpintero", "ud", "general", "general", 12.5],
        ["BROCA-6", "Broca 6 mm", "docena", "general", "general", 1.2],
        ["CINTA-5", "Cinta métrica 5 m", "ud", "reducido", "general", "3,40"],
    ):
        workbook.active.append(row)
    path = tmp_path / "articulos.xlsx"
    workbook.save(path)

    page = signed_in_page("gerente2")
    page.goto(f"{live_server.url}/catalog/import/")
    page.select_option("#id_what", "items")
    page.set_input_files("#id_file", str(path))
    page.click("#import-submit")

    error = page.locator('#import-errors tr.import-error[data-row="3"][data-column="unit"]')
    expect(error).to_have_count(1)
    expect(error.locator(".error-message")).to_contain_text("docena")
    expect(page.locator("#import-errors tr.import-error")).to_have_count(1)
    expect(page.locator("#import-nothing")).to_be_visible()
    assert not Item.objects.filter(company=company).exists()

    page.set_input_files("#id_file", str(path))
    page.check("#id_valid_only")
    page.click("#import-submit")
    expect(page.locator("#import-partial")).to_be_visible()
    assert set(Item.objects.filter(company=company).values_list("sku", flat=True)) == {"MART-01", "CINTA-5"}
