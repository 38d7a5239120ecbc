import re

import pytest
from playwright.sync_api import expect

from nexo.parties.models import Party
from nexo.parties.services import party_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sales_user_creates_a_party_fixing_a_wrong_nif_then_switches_to_english(
    signed_in_page, live_server, sales_user
):
    page = signed_in_page("ventas")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("navigation", name="Módulos").get_by_role("link", name="Terceros").click()
    page.get_by_role("link", name="Nuevo tercero").click()

    page.get_by_label("Nombre", exact=True).fill("Climatización Vinalopó, S.L.")
    page.get_by_label("NIF", exact=True).fill("B12345678")
    page.get_by_label("Calle y número").fill("Calle Mayor, 14")
    page.get_by_label("Población").fill("Elda")
    page.get_by_role("button", name="Guardar").click()

    error = page.locator("#id_tax_id_error")
    expect(error).to_contain_text("no es válido")
    expect(page.get_by_label("Nombre", exact=True)).to_have_value("Climatización Vinalopó, S.L.")
    assert not Party.objects.exists()

    page.get_by_label("NIF", exact=True).fill("B12345674")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Climatización Vinalopó, S.L.")
    expect(page.locator("dl.facts").first).to_contain_text("B12345674")  # the party's details, first
    party = Party.objects.get()
    assert party.tax_id == "B12345674" and party.addresses.get().city == "Elda"

    page.locator(".user-toggle").click()  # the language is in the user menu
    page.select_option("#language-switch", "en")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Modules").get_by_role("link", name="Parties")).to_be_visible()
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()


def test_the_party_list_searches_as_you_type(signed_in_page, live_server, sales_user, company):
    for name in ("Reformas Turia", "Pinturas Segura", "Obras Maestrazgo"):
        party_create(company=company, by=sales_user, name=name)
    page = signed_in_page("ventas")
    page.goto(f"{live_server.url}/parties/")
    expect(page.locator("table.list tbody tr")).to_have_count(3)
    page.get_by_label("Buscar", exact=True).press_sequentially("segura", delay=20)
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=segura"))


def test_a_contact_is_added_in_place(signed_in_page, live_server, sales_user, company):
    party = Party.objects.create(company=company, name="Cerrajería Puig")
    page = signed_in_page("ventas")
    page.goto(f"{live_server.url}/parties/{party.pk}/")
    page.get_by_role("link", name="Añadir contacto").click()
    page.locator("#contact-editor").get_by_label("Nombre").fill("Nuria Bosch")
    page.locator("#contact-editor").get_by_label("Correo electrónico").fill("nuria@puig.es")
    page.locator("#contact-editor").get_by_role("button", name="Guardar").click()
    expect(page.locator("#contact-section")).to_contain_text("Nuria Bosch")
    assert party.contacts.get().email == "nuria@puig.es"
