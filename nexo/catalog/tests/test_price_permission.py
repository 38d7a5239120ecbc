"""Prices (base price, standard cost, minimum margin, sale tax) need catalog.change_item_price: warehouse
and purchasing edit the other fields of an item only."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nexo.catalog import services, transfer
from nexo.catalog.models import Item, TaxCategory, Unit
from nexo.core.errors import Forbidden

D = Decimal
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def purchasing_user(make_user):
    return make_user("compras", "purchasing")


@pytest.fixture
def accounting_user(make_user):
    return make_user("contabilidad", "accounting")


def test_the_roles_that_keep_prices(
    warehouse_user, purchasing_user, accounting_user, manager_user, sales_user
):
    assert manager_user.has_perm(services.PRICE_PERMISSION) and accounting_user.has_perm(
        services.PRICE_PERMISSION
    )
    for user in (warehouse_user, purchasing_user):
        assert user.has_perm("catalog.change_item") and not user.has_perm(services.PRICE_PERMISSION)
    assert not sales_user.has_perm(services.PRICE_PERMISSION)


@pytest.mark.parametrize(
    "change",
    [
        {"base_price": D("99")},
        {"standard_cost": D("1")},
        {"min_margin": D("40")},
        {"sale_tax": "reducido"},
    ],
)
def test_the_service_refuses_a_warehouse_user_changing_a_price(company, warehouse_user, make_item, change):
    item = make_item("TOR-100", base_price="10.00")
    if "sale_tax" in change:
        change = {"sale_tax_id": TaxCategory.objects.get(company=company, code=change["sale_tax"]).pk}
    with pytest.raises(Forbidden) as refusal:
        services.item_update(company=company, item_id=item.pk, by=warehouse_user, **change)
    assert "You may not change prices" in refusal.value.detail
    assert Item.objects.get(pk=item.pk).base_price == D("10")


def test_the_same_price_and_the_logistic_fields_are_fine(company, warehouse_user, purchasing_user, make_item):
    item = make_item("TOR-100", base_price="10.00")
    kg = Unit.objects.get(company=company, code="kg")
    services.item_update(
        company=company, item_id=item.pk, by=warehouse_user, name="Tornillo nuevo", unit_id=kg.pk,
        base_price=D("10.0"), barcode="8412345678905", valuation_method="fifo",
    )  # fmt: skip
    services.item_update(company=company, item_id=item.pk, by=purchasing_user, kind="service")
    item.refresh_from_db()
    assert (item.name, item.unit_id, item.base_price, item.kind) == (
        "Tornillo nuevo",
        kg.pk,
        D("10"),
        "service",
    )


def test_a_new_item_from_a_warehouse_user_takes_the_default_prices(company, warehouse_user, catalog):
    vat = TaxCategory.objects.get(company=company, code="general")
    fields = {
        "sku": "NEW-1", "name": "Nuevo", "unit_id": Unit.objects.get(company=company, code="ud").pk,
        "sale_tax_id": vat.pk, "purchase_tax_id": vat.pk,
    }  # fmt: skip
    with pytest.raises(Forbidden):
        services.item_create(company=company, by=warehouse_user, base_price=D("5"), **fields)
    item = services.item_create(
        company=company, by=warehouse_user, base_price=D(0), min_margin=None, **fields
    )
    assert item.base_price == 0 and item.min_margin == catalog.default_min_margin


def test_accounting_and_managers_change_prices(company, accounting_user, manager_user, make_item):
    item = make_item("TOR-100")
    services.item_update(company=company, item_id=item.pk, by=accounting_user, base_price=D("12"))
    services.item_update(company=company, item_id=item.pk, by=manager_user, min_margin=D("30"))
    item.refresh_from_db()
    assert (item.base_price, item.min_margin) == (D("12"), D("30"))


def test_the_api_answers_403_to_a_warehouse_user_changing_the_base_price(
    company, warehouse_user, make_item, api_as
):
    item = make_item("TOR-100", base_price="10.00")
    api = api_as(warehouse_user, company)
    refused = api.patch(f"/items/{item.pk}", {"base_price": "99"}, headers=EN)
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert "You may not change prices" in refused.json()["detail"]
    assert api.patch(f"/items/{item.pk}", {"name": "Tornillo nuevo"}).status_code == 200
    item.refresh_from_db()
    assert (item.name, item.base_price) == ("Tornillo nuevo", D("10"))


def test_the_item_page_shows_a_warehouse_user_the_prices_disabled_and_keeps_them(
    company, warehouse_user, make_item
):
    item = make_item("TOR-100", base_price="10.00")
    client = Client()
    client.force_login(warehouse_user)
    url = reverse("catalog:item_edit", args=[item.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="base_price"' in page and "Only managers and accounting change prices." in page
    for name in ("base_price", "standard_cost", "min_margin", "sale_tax"):
        tag = page[page.index(f'name="{name}"') :].split(">", 1)[0]
        assert "disabled" in tag, name
    vat = TaxCategory.objects.get(company=company, code="general")
    reduced = TaxCategory.objects.get(company=company, code="reducido")
    form = {
        "sku": "TOR-100", "name": "Tornillo nuevo", "kind": "stocked", "unit": item.unit_id,
        "sale_tax": reduced.pk, "purchase_tax": vat.pk, "base_price": "99", "min_margin": "50",
        "valuation_method": "fifo", "is_active": "on",
    }  # fmt: skip
    assert client.post(url, form).status_code == 302
    item.refresh_from_db()
    assert (item.name, item.base_price, item.sale_tax_id, item.min_margin) == (
        "Tornillo nuevo", D("10"), vat.pk, D("15"),
    )  # fmt: skip


def test_an_import_by_a_warehouse_user_reports_the_price_rows(company, warehouse_user, make_item):
    make_item("TOR-100", base_price="10.00")
    table = transfer.Table.from_dicts([
        {"sku": "TOR-100", "name": "Nuevo nombre", "base_price": "10"},
        {"sku": "TOR-100b", "name": "Otro", "unit": "ud", "sale_tax": "general", "purchase_tax": "general",
         "base_price": "7"},
    ])  # fmt: skip
    report = transfer.import_items(company, warehouse_user, table)
    assert not report.imported and [(e.row, e.column) for e in report.errors] == [(3, "")]
    assert "You may not change prices" in report.errors[0].message
