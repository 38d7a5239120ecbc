"""Either permission opens an item's form and its API: `catalog.change_item_price` (accounting) changes the
prices only, `catalog.change_item` (warehouse, purchasing) the other fields only; the service refuses each
the other's fields, the form shows them disabled."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nexo.catalog import services
from nexo.catalog.models import Item, TaxCategory, Unit
from nexo.core.errors import Forbidden

D = Decimal
EN = {"Accept-Language": "en"}
PRICES = ("base_price", "standard_cost", "min_margin", "sale_tax")
OTHERS = ("sku", "name", "description", "unit", "category", "kind", "purchase_tax", "valuation_method",
          "barcode", "is_active")  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def accounting_user(make_user):
    return make_user("contabilidad", "accounting")


@pytest.fixture
def item(make_item):
    return make_item("TOR-100", base_price="10.00")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _tag(page: str, name: str) -> str:
    return page[page.index(f'name="{name}"') :].split(">", 1)[0]


def test_accounting_holds_the_price_permission_only(accounting_user):
    assert accounting_user.has_perm(services.PRICE_PERMISSION)
    assert not accounting_user.has_perm(services.LOGISTICS_PERMISSION)


def test_the_service_lets_accounting_change_prices_and_refuses_the_other_fields(
    company, accounting_user, item
):
    services.item_update(
        company=company, item_id=item.pk, by=accounting_user, base_price=D("12.5"), min_margin=D("25"),
        name=item.name,  # the same value: not a change
    )  # fmt: skip
    kg = Unit.objects.get(company=company, code="kg")
    for change in ({"name": "Otro nombre"}, {"unit_id": kg.pk}, {"valuation_method": "fifo"}):
        with pytest.raises(Forbidden) as refusal:
            services.item_update(company=company, item_id=item.pk, by=accounting_user, **change)
        assert "You may change only the item's prices" in refusal.value.detail
    item.refresh_from_db()
    assert (item.base_price, item.min_margin, item.name, item.unit_id) == (
        D("12.5"), D("25"), "Artículo TOR-100", Unit.objects.get(company=company, code="ud").pk,
    )  # fmt: skip


def test_accounting_opens_the_form_with_only_the_prices_enabled(company, accounting_user, item):
    client = _client(accounting_user)
    detail = client.get(reverse("catalog:item_view", args=[item.pk]), headers=EN).content.decode()
    url = reverse("catalog:item_edit", args=[item.pk])
    assert f'href="{url}"' in detail  # the Edit button is there for a price holder

    response = client.get(url, headers=EN)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="logistics-locked"' in page and 'id="prices-locked"' not in page
    for name in PRICES:
        assert "disabled" not in _tag(page, name), name
    for name in OTHERS:
        assert "disabled" in _tag(page, name), name

    vat = TaxCategory.objects.get(company=company, code="general")
    reduced = TaxCategory.objects.get(company=company, code="reducido")
    form = {
        "sku": "HACKED", "name": "Otro nombre", "kind": "service", "unit": item.unit_id,
        "sale_tax": reduced.pk, "purchase_tax": reduced.pk, "base_price": "11.75", "min_margin": "30",
        "standard_cost": "4", "valuation_method": "fifo",
    }  # fmt: skip
    assert client.post(url, form).status_code == 302
    item.refresh_from_db()
    assert (item.base_price, item.min_margin, item.standard_cost, item.sale_tax_id) == (
        D("11.75"), D("30"), D("4"), reduced.pk,
    )  # fmt: skip
    assert (item.sku, item.name, item.kind, item.purchase_tax_id, item.is_active) == (
        "TOR-100", "Artículo TOR-100", "stocked", vat.pk, True,
    )  # fmt: skip


def test_a_role_with_neither_permission_is_refused_the_form_and_the_api(company, sales_user, item, api_as):
    assert _client(sales_user).get(reverse("catalog:item_edit", args=[item.pk])).status_code == 403
    refused = api_as(sales_user, company).patch(f"/items/{item.pk}", {"base_price": "1"}, headers=EN)
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert Item.objects.get(pk=item.pk).base_price == D("10")


def test_the_api_lets_accounting_patch_prices_and_refuses_the_other_fields(
    company, accounting_user, item, api_as
):
    api = api_as(accounting_user, company)
    changed = api.patch(f"/items/{item.pk}", {"base_price": "13.20", "min_margin": "22"})
    assert changed.status_code == 200
    assert (changed.json()["base_price"], changed.json()["min_margin"]) == ("13.200000", "22.00")
    refused = api.patch(f"/items/{item.pk}", {"name": "Otro", "base_price": "14"}, headers=EN)
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert "You may change only the item's prices, not name" in refused.json()["detail"]
    item.refresh_from_db()
    assert (item.name, item.base_price) == ("Artículo TOR-100", D("13.2"))


def test_the_contract_says_either_permission_opens_the_patch(api):
    operation = api.get("/openapi.json").json()["paths"]["/api/v1/items/{item_id}"]["patch"]
    assert "catalog.change_item_price" in operation["description"]
    assert "403" in operation["responses"]
