"""Type-ahead pickers: every search answers only the company's records that fit, in one query whatever the
number of records, refuses input no picker sends, and every form refuses a record it did not offer."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nexo.catalog.forms import PriceCheckForm
from nexo.core.middleware import SESSION_COMPANY_KEY
from nexo.core.pickers import PICKER_LIMIT
from nexo.crm import services as crm_services
from nexo.crm.queries import opportunities_visible_to
from nexo.inventory import services as inventory_services
from nexo.inventory.forms import MoveForm
from nexo.parties.services import party_create
from nexo.purchasing.forms import PurchaseOrderForm, SupplierPriceForm
from nexo.sales.forms import QuotationCreateForm

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english(english):
    pass


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries_of(client, url: str, params: dict | None = None) -> list[str]:
    """The SQL a search ran, after a first call has warmed what every page loads once."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return [query["sql"] for query in context.captured_queries]


def option_values(response) -> list[int]:
    return [int(value) for value in re.findall(r'data-value="(\d+)"', response.content.decode())]


def option_labels(response) -> list[str]:
    return re.findall(r'data-label="([^"]*)"', response.content.decode())


@pytest.fixture
def parties(company, other_company, sales_user, manager_user):
    return {
        "lead": party_create(
            company=company, by=sales_user, name="Climatización Ñandú, S.L.", tax_id="B12345674"
        ),
        "customer": party_create(company=company, by=sales_user, name="Hostal Brisa", status="customer"),
        "supplier": party_create(company=company, by=sales_user, name="Tornillería Brisa", is_supplier=True),
        "inactive": party_create(company=company, by=sales_user, name="Brisa Antigua", is_active=False),
        "theirs": party_create(company=other_company, by=manager_user, name="Brisa de otra empresa"),
    }


# Items


def test_the_item_search_matches_sku_name_and_barcode_without_case_or_accents(
    sales_user, make_item, other_company, manager_user
):
    screw = make_item("TOR-100", name="Tornillo cabeza plana", barcode="8412345678905")
    make_item("TUE-100", name="Tuerca M6")
    make_item("OLD-1", name="Tornillo viejo", is_active=False)
    client = client_for(sales_user)
    url = reverse("catalog:item_search")
    assert option_values(client.get(url, {"q": "tor-1"})) == [screw.pk]
    assert option_values(client.get(url, {"q": "CABEZA plána"})) == [screw.pk]
    assert option_values(client.get(url, {"q": "84123"})) == [screw.pk]
    assert option_labels(client.get(url, {"q": "tuerca"})) == ["TUE-100 · Tuerca M6"]
    assert option_values(client.get(url, {"q": "viejo"})) == []  # inactive items are not offered
    assert "Nothing matches" in client.get(url, {"q": "viejo"}, **EN).content.decode()


def test_the_item_search_offers_the_skus_that_start_with_the_text_first(sales_user, make_item):
    make_item("AAA-1", name="Soporte para BRK")
    brk = make_item("BRK-1", name="Freno")
    response = client_for(sales_user).get(reverse("catalog:item_search"), {"q": "brk"})
    assert option_values(response)[0] == brk.pk and len(option_values(response)) == 2


def test_the_item_search_narrowed_to_stocked_items(sales_user, make_item):
    stocked = make_item("STK-1")
    make_item("SRV-1", kind="service")
    client = client_for(sales_user)
    assert len(option_values(client.get(reverse("catalog:item_search"), {"q": "1"}))) == 2
    assert option_values(client.get(reverse("catalog:item_search"), {"q": "1", "kind": "stocked"})) == [
        stocked.pk
    ]


def test_the_item_search_never_shows_another_companys_items(manager_user, make_item, other_company, company):
    mine = make_item("MIO-1")
    client = client_for(manager_user)
    assert option_values(client.get(reverse("catalog:item_search"), {"q": "mio"})) == [mine.pk]
    session = client.session
    session[SESSION_COMPANY_KEY] = other_company.pk  # the manager switched company
    session.save()
    response = client.get(reverse("catalog:item_search"), {"q": "mio"})
    assert response.status_code == 200 and option_values(response) == []


def test_the_item_search_answers_in_the_same_queries_for_few_or_many_items(sales_user, make_item):
    client = client_for(sales_user)
    url = reverse("catalog:item_search")
    make_item("ART-0")
    queries_of(client, url, {"q": "art"})
    few = queries_of(client, url, {"q": "art"})
    for number in range(1, PICKER_LIMIT + 10):
        make_item(f"ART-{number}")
    many = queries_of(client, url, {"q": "art"})
    assert len(many) == len(few)
    assert len([sql for sql in many if "catalog_item" in sql]) == 1  # the search itself: one query
    assert len(option_values(client.get(url, {"q": "art"}))) == PICKER_LIMIT


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("catalog:item_search", {"kind": "service"}),
        ("catalog:item_search", {"q": "x" * 101}),
        ("catalog:item_search", {"q": "a\x00b"}),
        ("parties:party_search", {"role": "boss"}),
        ("inventory:location_search", {"q": "y" * 200}),
        ("crm:opportunity_search", {"party": "abc"}),
        ("crm:opportunity_search", {"status": "won"}),
    ],
)
def test_a_search_refuses_input_no_picker_sends(manager_user, url_name, params):
    response = client_for(manager_user).get(reverse(url_name), params)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url_name",
    ["catalog:item_search", "parties:party_search", "inventory:location_search", "crm:opportunity_search"],
)
def test_a_search_needs_a_signed_in_user_and_answers_only_get(manager_user, url_name):
    assert Client().get(reverse(url_name)).status_code == 302  # to the sign-in page
    assert client_for(manager_user).post(reverse(url_name)).status_code == 405


# Parties


def test_the_party_search_offers_the_role_that_fits(sales_user, parties):
    client = client_for(sales_user)
    url = reverse("parties:party_search")
    assert option_values(client.get(url, {"q": "brisa"})) == [parties["customer"].pk, parties["supplier"].pk]
    assert option_values(client.get(url, {"q": "brisa", "role": "supplier"})) == [parties["supplier"].pk]
    assert option_values(client.get(url, {"q": "brisa", "role": "customer"})) == [parties["customer"].pk]
    # Accents and case aside, and the tax id as it is printed.
    assert option_values(client.get(url, {"q": "climatizacion nandu"})) == [parties["lead"].pk]
    assert option_values(client.get(url, {"q": "B-12.345.674"})) == [parties["lead"].pk]


def test_the_party_search_answers_in_one_query_whatever_the_parties(sales_user, company, parties):
    client = client_for(sales_user)
    url = reverse("parties:party_search")
    queries_of(client, url, {"q": "brisa", "role": "supplier"})
    few = queries_of(client, url, {"q": "brisa", "role": "supplier"})
    for number in range(30):
        party_create(company=company, by=sales_user, name=f"Brisa {number}", is_supplier=True)
    many = queries_of(client, url, {"q": "brisa", "role": "supplier"})
    assert len(many) == len(few)
    assert len([sql for sql in many if "parties_party" in sql]) == 1
    assert len(option_values(client.get(url, {"q": "brisa", "role": "supplier"}))) == PICKER_LIMIT


# Locations and opportunities


def test_the_location_search_offers_the_internal_locations_of_the_company(
    warehouse_user, company, other_company, warehouse, stock, manager_user
):
    shelf = inventory_services.location_create(
        company=company, by=warehouse_user, warehouse_id=warehouse.pk, name="Estante A-1"
    )
    inventory_services.inventory_setup(company=other_company)
    client = client_for(warehouse_user)
    url = reverse("inventory:location_search")
    assert option_values(client.get(url, {"q": "estante"})) == [shelf.pk]
    offered = option_values(client.get(url))
    assert shelf.pk in offered and warehouse.stock_location_id in offered
    assert stock.supplier_location_id not in offered  # the virtual ends are implied by a move's kind
    queries_of(client, url, {"q": warehouse.code})
    assert (
        len([sql for sql in queries_of(client, url, {"q": warehouse.code}) if "inventory_location" in sql])
        == 1
    )


def test_the_opportunity_search_offers_the_open_ones_of_the_chosen_party(sales_user, company, parties):
    mine = crm_services.opportunity_create(
        company=company, by=sales_user, party_id=parties["customer"].pk, title="Reforma de baños",
        owner_id=sales_user.pk, expected_close=date(2026, 12, 31),
    )  # fmt: skip
    crm_services.opportunity_create(
        company=company, by=sales_user, party_id=parties["lead"].pk, title="Reforma de cocina",
        owner_id=sales_user.pk, expected_close=date(2026, 12, 31),
    )  # fmt: skip
    client = client_for(sales_user)
    url = reverse("crm:opportunity_search")
    assert len(option_values(client.get(url, {"q": "reforma", "status": "open"}))) == 2
    narrowed = client.get(url, {"q": "reforma", "status": "open", "party": parties["customer"].pk})
    assert option_values(narrowed) == [mine.pk]
    assert option_labels(narrowed) == ["Reforma de baños · Hostal Brisa"]


# Forms: the hidden input posts the id; a typed code is looked up; another company's id is an error


def test_a_form_refuses_another_companys_record_posted_by_hand(
    company, other_company, make_item, manager_user, parties
):
    item = make_item("X-1")
    theirs = parties["theirs"]
    form = PriceCheckForm(
        {"item": item.pk, "quantity": "1", "day": "2026-06-01", "party": theirs.pk}, company=company
    )
    assert not form.is_valid() and list(form.errors) == ["party"]
    form = SupplierPriceForm(
        {"item": item.pk, "supplier": theirs.pk, "unit_price": "1", "currency": "EUR", "min_quantity": "1"},
        company=company,
    )
    assert not form.is_valid() and "supplier" in form.errors


def test_a_form_refuses_a_party_of_the_wrong_role(company, parties, make_item):
    form = PurchaseOrderForm({"supplier": parties["customer"].pk}, company=company)
    assert not form.is_valid() and "supplier" in form.errors
    form = PurchaseOrderForm({"supplier": parties["supplier"].pk}, company=company)
    form.is_valid()
    assert "supplier" not in form.errors


def test_a_code_typed_without_the_script_is_looked_up(company, make_item, parties, stock):
    item = make_item("TOR-9")
    form = PriceCheckForm(
        {"item_search": "tor-9", "quantity": "1", "day": "2026-06-01", "party_search": "B12345674"},
        company=company,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["item"] == item and form.cleaned_data["party"] == parties["lead"]
    form = PriceCheckForm(
        {"item_search": "nothing-like-it", "quantity": "1", "day": "2026-06-01"}, company=company
    )
    assert not form.is_valid() and "Nothing matches “nothing-like-it”" in form.errors["item"][0]


def test_a_move_form_refuses_a_service_item_and_another_companys_location(
    company, other_company, make_item, stock, warehouse
):
    service = make_item("SRV-9", kind="service")
    theirs = inventory_services.inventory_setup(company=other_company).default_warehouse
    data = {
        "kind": "transfer", "item": service.pk, "quantity": "1", "from_location": theirs.stock_location_id,
        "to_location": warehouse.stock_location_id, "date": timezone.localdate().isoformat(),
    }  # fmt: skip
    form = MoveForm(data, company=company)
    assert not form.is_valid() and {"item", "from_location"} <= set(form.errors)


def test_a_form_shown_again_keeps_the_chosen_records_label(company, make_item, stock, warehouse):
    item = make_item("TOR-7", name="Tornillo largo")
    form = MoveForm({"kind": "receipt", "item": item.pk, "quantity": "0"}, company=company)
    assert not form.is_valid()
    html = str(form["item"])
    assert (
        'value="TOR-7 · Tornillo largo"' in html
        and f'name="item" id="id_item_value" value="{item.pk}"' in html
    )
    assert 'role="combobox"' in html and 'aria-controls="id_item_listbox"' in html
    assert 'aria-expanded="false"' in html and 'role="listbox"' in html
    assert "kind=stocked" in html  # the search offers only what the field accepts
    typed = MoveForm({"kind": "receipt", "item_search": "no-such", "quantity": "1"}, company=company)
    assert not typed.is_valid() and 'value="no-such"' in str(typed["item"])  # what was typed stays


def test_the_quotation_form_offers_the_open_opportunities_of_the_chosen_customer(company, sales_user):
    form = QuotationCreateForm(company=company, opportunities=opportunities_visible_to(sales_user, company))
    html = str(form["opportunity"])
    assert 'data-send-party="party"' in html and "status=open" in html


def test_the_stock_count_chooses_its_location_with_a_picker(warehouse_user, company, warehouse, stock):
    shelf = inventory_services.location_create(
        company=company, by=warehouse_user, warehouse_id=warehouse.pk, name="Estante C-3"
    )
    client = client_for(warehouse_user)
    page = client.get(reverse("inventory:stock_count"), {"location": shelf.pk}).content.decode()
    assert 'name="location_search"' in page and 'id="count-location"' in page
    assert f'name="location" id="count-location_value" value="{shelf.pk}"' in page
    assert f"{warehouse.code} · Estante C-3" in page
    # Typed without the script: the location's name is looked up.
    typed = client.get(reverse("inventory:stock_count"), {"location_search": "estante c-3"})
    assert typed.context["location"] == shelf
    unknown = client.get(reverse("inventory:stock_count"), {"location_search": "nowhere"})
    assert unknown.context["location"] is None


def test_a_label_typed_back_finds_its_record(warehouse_user, warehouse):
    response = client_for(warehouse_user).get(
        reverse("inventory:location_search"), {"q": f"{warehouse.code} · Existencias"}
    )
    assert option_values(response) == [warehouse.stock_location_id]


def test_the_price_check_takes_a_sku_typed_without_the_script(sales_user, make_item):
    item = make_item("X-300", base_price="12.00")
    response = client_for(sales_user).get(
        reverse("catalog:price_check"),
        {"item": "", "item_search": "x-300", "quantity": "1", "day": "2026-06-01"},
    )
    assert response.status_code == 200 and response.context["check"].item == item
