from datetime import date
from decimal import Decimal

import pytest

from nexo.catalog import queries, services
from nexo.catalog.models import Category, PriceRule, TaxCategory
from nexo.core.errors import ValidationFailed
from nexo.parties.services import party_create

D = Decimal


def test_a_company_starts_with_spanish_vat_units_and_a_price_list(company, catalog):
    rates = {
        c.code: (c.rates.get().rate, c.rates.get().surcharge)
        for c in TaxCategory.objects.filter(company=company)
    }
    assert rates == {
        "general": (21, D("5.2")),
        "reducido": (10, D("1.4")),
        "superreducido": (4, D("0.5")),
        "exento": (0, 0),
    }
    assert catalog.default_price_list.name == "PVP"


def test_a_rate_change_applies_from_its_date(company, catalog):
    general = TaxCategory.objects.get(company=company, code="general")
    services.tax_rate_add(
        company=company, tax_category_id=general.pk, valid_from=date(2027, 1, 1), rate=D(22)
    )
    assert queries.tax_rate_on(general.pk, date(2026, 12, 31)).rate == 21
    assert queries.tax_rate_on(general.pk, date(2027, 1, 1)).rate == 22


def test_category_tree_keeps_paths_and_refuses_cycles(company, sales_user):
    tools = services.category_create(company=company, by=sales_user, name="Ferretería")
    hand = services.category_create(
        company=company, by=sales_user, name="Herramienta manual", parent_id=tools.pk
    )
    assert hand.full_name == "Ferretería / Herramienta manual" and hand.ancestor_ids() == (hand.pk, tools.pk)
    with pytest.raises(ValidationFailed):
        services.category_update(company=company, category_id=tools.pk, by=sales_user, parent_id=hand.pk)
    services.category_update(company=company, category_id=tools.pk, by=sales_user, name="Ferretería general")
    assert Category.objects.get(pk=hand.pk).full_name == "Ferretería general / Herramienta manual"


def test_items_validate_sku_barcode_and_prices(make_item):
    item = make_item("TOR-001", barcode="4006381333931")
    assert item.valuation_method == "average" and item.min_margin == 15  # the company defaults
    for fields, field in [({"sku": "tor-001"}, "sku"), ({"sku": "X", "barcode": "4006381333932"}, "barcode"),
                          ({"sku": "Y", "base_price": "-1"}, "base_price"), ({"sku": "Z", "unit_id": 999999}, "unit")]:  # fmt: skip
        with pytest.raises(ValidationFailed) as caught:
            make_item(**fields)
        assert caught.value.errors[0]["field"] == field


def test_rules_are_validated_and_loops_refused(company, sales_user, catalog, make_item):
    pvp = catalog.default_price_list
    distributors = services.price_list_create(company=company, by=sales_user, name="Distribuidores")
    bad = [
        ({"scope": "all", "method": "discount_base", "value": D(120)}, "value"),
        ({"scope": "all", "method": "discount_base", "value": D(10), "min_quantity": D(0)}, "min_quantity"),
        ({"scope": "item", "method": "fixed", "value": D(5)}, "item"),
        ({"scope": "all", "method": "fixed", "value": D(-1)}, "value"),
    ]
    for fields, field in bad:
        with pytest.raises(ValidationFailed) as caught:
            services.price_rule_create(company=company, price_list_id=pvp.pk, by=sales_user, **fields)
        assert field in {e["field"] for e in caught.value.errors}
    services.price_rule_create(
        company=company,
        price_list_id=distributors.pk,
        by=sales_user,
        scope="all",
        method="discount_list",
        value=D(15),
        base_list_id=pvp.pk,
    )
    with pytest.raises(ValidationFailed) as caught:
        services.price_rule_create(
            company=company,
            price_list_id=pvp.pk,
            by=sales_user,
            scope="all",
            method="discount_list",
            value=D(5),
            base_list_id=distributors.pk,
        )
    assert "PVP → Distribuidores → PVP" in caught.value.errors[0]["message"]
    with pytest.raises(ValidationFailed):
        services.price_rule_create(
            company=company,
            price_list_id=pvp.pk,
            by=sales_user,
            scope="all",
            method="discount_list",
            value=D(5),
            base_list_id=pvp.pk,
        )
    assert PriceRule.objects.count() == 1


def test_a_document_is_priced_in_one_batch_with_constant_queries(
    company, sales_user, catalog, make_item, django_assert_max_num_queries
):
    preferred = services.price_list_create(company=company, by=sales_user, name="Cliente preferente")
    items = [make_item(f"SKU-{n:03d}", base_price="20.00") for n in range(60)]
    services.price_rule_create(
        company=company,
        price_list_id=preferred.pk,
        by=sales_user,
        scope="item",
        item_id=items[0].pk,
        method="fixed",
        value=D("12.50"),
        min_quantity=D(10),
    )
    services.price_rule_create(
        company=company,
        price_list_id=preferred.pk,
        by=sales_user,
        scope="all",
        method="discount_base",
        value=D(10),
    )
    customer = party_create(company=company, by=sales_user, name="Cliente")
    services.party_price_list_set(company=company, party_id=customer.pk, price_list_id=preferred.pk)
    with django_assert_max_num_queries(6):
        priced = queries.price_lines(
            company, [(item.pk, D(10)) for item in items], day=date(2026, 11, 29), party_id=customer.pk
        )
    assert priced[0].resolution.unit_price == D("12.50") and priced[1].resolution.unit_price == D("18.00")
    with django_assert_max_num_queries(6):
        queries.price_lines(company, [(items[0].pk, D(1))], day=date(2026, 11, 29), party_id=customer.pk)
    walk_in = queries.price_lines(company, [(items[0].pk, D(1))], day=date(2026, 11, 29))
    assert walk_in[0].resolution.rule is None and walk_in[0].resolution.unit_price == D("20.00")
