"""The catalog's pages: items, categories, price lists with their rules, and the price check."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nexo.catalog import services
from nexo.catalog.models import Category, Item, PartyPricing, PriceList, PriceRule, TaxCategory, Unit
from nexo.parties.services import party_create

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def manager_client(manager_user, company):
    client = Client()
    client.force_login(manager_user)
    return client


@pytest.fixture
def tools(company, manager_user, catalog):
    return services.category_create(company=company, by=manager_user, name="Ferretería")


def item_form(company, **changes) -> dict:
    vat = TaxCategory.objects.get(company=company, code="general")
    unit = Unit.objects.get(company=company, code="ud")
    form = {
        "sku": "TOR-100", "name": "Tornillo 4x40", "kind": "stocked", "unit": unit.pk,
        "sale_tax": vat.pk, "purchase_tax": vat.pk, "base_price": "0.12", "is_active": "on",
    }  # fmt: skip
    return form | changes


# Items


def test_the_item_list_searches_sku_name_and_barcode_ignoring_accents(sales_client, make_item, company):
    make_item("TOR-100", name="Tornillo cabeza plana")
    make_item("CAB-200", name="Cable eléctrico 2,5 mm", barcode="4006381333931")
    make_item("TAC-300", name="Taco nylon")
    url = reverse("catalog:item_list")

    def skus(**params):
        response = sales_client.get(url, params)
        assert response.status_code == 200
        return [item.sku for item in response.context["listing"].rows]

    assert skus() == ["CAB-200", "TAC-300", "TOR-100"]
    assert skus(q="electrico") == ["CAB-200"]
    assert skus(q="ELÉCTRICO cable") == ["CAB-200"]
    assert skus(q="tor-1") == ["TOR-100"]
    assert skus(q="40063813") == ["CAB-200"]
    assert skus(q="nothing-like-this") == []


def test_the_item_list_filters_by_category_subtree_kind_and_active(
    sales_client, make_item, company, manager_user, tools
):
    screws = services.category_create(
        company=company, by=manager_user, name="Tornillería", parent_id=tools.pk
    )
    garden = services.category_create(company=company, by=manager_user, name="Jardín")
    make_item("A", category_id=screws.pk)
    make_item("B", category_id=tools.pk, kind="service")
    make_item("C", category_id=garden.pk, is_active=False)
    make_item("D")
    url = reverse("catalog:item_list")

    def skus(**params):
        return sorted(item.sku for item in sales_client.get(url, params).context["listing"].rows)

    assert skus(category=tools.pk) == ["A", "B"]  # the subtree: Tornillería is inside Ferretería
    assert skus(category=screws.pk) == ["A"]
    assert skus(kind="service") == ["B"]
    assert skus(active="no") == ["C"]
    assert skus(category="999999") == ["A", "B", "C", "D"]  # an unknown choice is ignored, not a 500


def test_the_item_list_sorts(sales_client, make_item):
    make_item("B", base_price="3.00", name="Zeta")
    make_item("A", base_price="9.00", name="Alfa")
    make_item("C", base_price="1.00", name="Beta")
    url = reverse("catalog:item_list")
    rows = lambda sort: [i.sku for i in sales_client.get(url, {"sort": sort}).context["listing"].rows]  # noqa: E731
    assert rows("sku") == ["A", "B", "C"]
    assert rows("-sku") == ["C", "B", "A"]
    assert rows("name") == ["A", "C", "B"]
    assert rows("price") == ["C", "B", "A"]
    assert rows("-price") == ["A", "B", "C"]


def test_the_item_list_costs_the_same_queries_for_5_or_60_items(
    sales_client, make_item, company, manager_user, tools, django_assert_max_num_queries
):
    for n in range(5):
        make_item(f"S-{n:03}", category_id=tools.pk)
    url = reverse("catalog:item_list")
    sales_client.get(url)  # the first page of a session stores the company in it
    with django_assert_max_num_queries(10) as few:
        assert sales_client.get(url, {"category": tools.pk}).status_code == 200
    for n in range(5, 60):
        make_item(f"S-{n:03}", category_id=tools.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = sales_client.get(url, {"category": tools.pk})
    assert response.status_code == 200 and len(response.context["listing"].rows) == 50
    assert "S-049" in response.content.decode()


def test_create_an_item(manager_client, company, tools):
    response = manager_client.post(reverse("catalog:item_create"), item_form(company, category=tools.pk))
    item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalog:item_view", args=[item.pk]
    )
    assert item.category == tools and item.min_margin == Decimal(15)  # the company's default
    assert item.valuation_method == "average"
    page = manager_client.get(response["Location"], **EN).content.decode()
    assert "Tornillo 4x40" in page and "Ferretería" in page


def test_a_duplicate_sku_and_a_bad_ean_are_field_errors_and_nothing_is_saved(
    manager_client, company, make_item
):
    make_item("TOR-100")
    response = manager_client.post(
        reverse("catalog:item_create"), item_form(company, sku="tor-100", barcode="4006381333932"), **EN
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "SKU" in errors["sku"][0] and "EAN" in errors["barcode"][0]
    assert Item.objects.count() == 1
    assert 'value="Tornillo 4x40"' in response.content.decode()  # what was typed is kept


def test_a_wrong_number_is_a_field_error(manager_client, company, catalog):
    response = manager_client.post(reverse("catalog:item_create"), item_form(company, base_price="-1"))
    assert response.status_code == 422 and response.context["form"].errors["base_price"]
    response = manager_client.post(reverse("catalog:item_create"), item_form(company, unit="999999"))
    assert response.status_code == 422 and response.context["form"].errors["unit"]
    assert not Item.objects.exists()


def test_a_sales_user_may_look_but_not_create_or_edit(sales_client, company, make_item):
    item = make_item("TOR-100")
    assert sales_client.get(reverse("catalog:item_view", args=[item.pk])).status_code == 200
    assert sales_client.get(reverse("catalog:item_create")).status_code == 403
    assert sales_client.post(reverse("catalog:item_create"), item_form(company, sku="X")).status_code == 403
    assert sales_client.get(reverse("catalog:item_edit", args=[item.pk])).status_code == 403
    assert not Item.objects.filter(sku="X").exists()


def test_warehouse_edits_an_item(warehouse_user, company, make_item):
    item = make_item("TOR-100")
    client = Client()
    client.force_login(warehouse_user)
    form = item_form(company, name="Tornillo nuevo", valuation_method="fifo", min_margin="20")
    response = client.post(reverse("catalog:item_edit", args=[item.pk]), form)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.name == "Tornillo nuevo" and item.valuation_method == "fifo"


def test_another_companys_item_is_a_404(manager_client, other_company, manager_user, make_item):
    services.catalog_setup(company=other_company)
    elsewhere = services.item_create(
        company=other_company, by=manager_user, sku="OTRA", name="Otra", base_price=Decimal(1),
        unit_id=Unit.objects.get(company=other_company, code="ud").pk,
        sale_tax_id=TaxCategory.objects.get(company=other_company, code="general").pk,
        purchase_tax_id=TaxCategory.objects.get(company=other_company, code="general").pk,
    )  # fmt: skip
    assert manager_client.get(reverse("catalog:item_view", args=[elsewhere.pk])).status_code == 404


def test_an_item_shows_the_price_of_each_active_list_with_constant_queries(
    manager_client, company, manager_user, make_item, django_assert_max_num_queries
):
    item = make_item("TOR-100", base_price="20.00")
    pvp = services.settings_of(company).default_price_list
    services.price_rule_create(
        company=company, price_list_id=pvp.pk, by=manager_user, scope="all", method="discount_base",
        value=Decimal(10),
    )  # fmt: skip
    url = reverse("catalog:item_view", args=[item.pk])

    def based_on_pvp(n):
        other = services.price_list_create(company=company, by=manager_user, name=f"Lista {n}")
        services.price_rule_create(
            company=company, price_list_id=other.pk, by=manager_user, scope="all", method="discount_list",
            value=Decimal(5), base_list_id=pvp.pk,
        )  # fmt: skip

    based_on_pvp(0)
    manager_client.get(url)
    with django_assert_max_num_queries(22) as few:  # with the stock and buying panels
        manager_client.get(url, **EN)
    for n in range(1, 7):
        based_on_pvp(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(url, **EN)
    page = response.content.decode()
    assert "18.00" in page  # PVP: 10 % off 20.00
    assert "17.10" in page  # Lista n: 5 % off PVP
    assert "All items: 10 % off the base price" in page


# Categories


def test_the_category_tree_adds_and_moves_a_category(manager_client, company, manager_user, tools):
    url = reverse("catalog:category_list")
    response = manager_client.post(url, {"name": "Tornillería", "parent": tools.pk})
    assert response.status_code == 302
    screws = Category.objects.get(name="Tornillería")
    assert screws.full_name == "Ferretería / Tornillería"
    page = manager_client.get(url, **EN)
    assert [(c.name, depth) for c, depth in page.context["tree"]] == [("Ferretería", 0), ("Tornillería", 1)]

    response = manager_client.post(url, {"name": "tornillería", "parent": tools.pk}, **EN)
    assert response.status_code == 422 and response.context["form"].errors["name"]

    garden = services.category_create(company=company, by=manager_user, name="Jardín")
    edit = reverse("catalog:category_edit", args=[screws.pk])
    response = manager_client.post(edit, {"name": "Tornillos", "parent": garden.pk})
    assert response.status_code == 302
    screws.refresh_from_db()
    assert screws.full_name == "Jardín / Tornillos" and screws.path == f"{garden.path}{screws.pk}/"

    # Not inside itself: its own subtree is not even offered
    response = manager_client.post(
        reverse("catalog:category_edit", args=[garden.pk]), {"name": "Jardín", "parent": screws.pk}
    )
    assert response.status_code == 422 and response.context["form"].errors["parent"]


def test_sales_sees_the_tree_but_cannot_add(sales_client, tools):
    url = reverse("catalog:category_list")
    assert sales_client.get(url).status_code == 200
    assert sales_client.post(url, {"name": "Nueva"}).status_code == 403
    assert sales_client.get(reverse("catalog:category_edit", args=[tools.pk])).status_code == 403


# Price lists and rules


def rule_form(**changes) -> dict:
    form = {"scope": "all", "min_quantity": "1", "method": "discount_base", "value": "10"}
    return form | changes


def test_rules_are_added_edited_and_deleted(manager_client, company, make_item):
    item = make_item("TOR-100")
    pvp = services.settings_of(company).default_price_list
    add = reverse("catalog:rule_add", args=[pvp.pk])
    assert manager_client.post(add, rule_form()).status_code == 302
    response = manager_client.post(
        add, rule_form(scope="item", item=item.pk, method="fixed", value="12.5", min_quantity="10")
    )
    assert response.status_code == 302
    page = manager_client.get(reverse("catalog:price_list_view", args=[pvp.pk]), **EN)
    rules = page.context["rules"]
    assert [r.scope for r in rules] == ["item", "all"]  # precedence order, not creation order
    assert "12.50" in page.content.decode()

    bad = manager_client.post(add, rule_form(value="120"), **EN)
    assert bad.status_code == 422 and "100 %" in bad.context["rule_form"].errors["value"][0]
    no_item = manager_client.post(add, rule_form(scope="item"), **EN)
    assert no_item.status_code == 422 and no_item.context["rule_form"].errors["item"]
    assert PriceRule.objects.count() == 2

    rule = PriceRule.objects.get(scope="all")
    edit = reverse("catalog:rule_edit", args=[pvp.pk, rule.pk])
    assert manager_client.get(edit).status_code == 200
    assert manager_client.post(edit, rule_form(value="120")).status_code == 422
    assert manager_client.post(edit, rule_form(value="15")).status_code == 302
    rule.refresh_from_db()
    assert rule.value == Decimal(15)

    assert manager_client.post(reverse("catalog:rule_delete", args=[pvp.pk, rule.pk])).status_code == 302
    assert not PriceRule.objects.filter(pk=rule.pk).exists()
    assert manager_client.post(reverse("catalog:rule_delete", args=[pvp.pk, rule.pk])).status_code == 404


def test_a_loop_of_lists_is_refused_naming_the_chain(manager_client, company, manager_user):
    first = services.price_list_create(company=company, by=manager_user, name="Mayorista")
    second = services.price_list_create(company=company, by=manager_user, name="Instaladores")
    response = manager_client.post(
        reverse("catalog:rule_add", args=[first.pk]), rule_form(method="discount_list", base_list=second.pk)
    )
    assert response.status_code == 302
    response = manager_client.post(
        reverse("catalog:rule_add", args=[second.pk]),
        rule_form(method="discount_list", base_list=first.pk),
        **EN,
    )
    assert response.status_code == 422
    message = response.context["rule_form"].errors["base_list"][0]
    assert "Instaladores → Mayorista → Instaladores" in message
    assert PriceRule.objects.count() == 1


def test_price_lists_are_created_and_given_to_customers(manager_client, company, manager_user):
    response = manager_client.post(
        reverse("catalog:price_list_create"), {"name": "Mayorista", "currency": "EUR", "is_active": "on"}
    )
    price_list = PriceList.objects.get(name="Mayorista")
    assert response.status_code == 302
    duplicate = manager_client.post(
        reverse("catalog:price_list_create"), {"name": "mayorista", "currency": "EUR"}
    )
    assert duplicate.status_code == 422 and duplicate.context["form"].errors["name"]
    dates = manager_client.post(
        reverse("catalog:price_list_edit", args=[price_list.pk]),
        {"name": "Mayorista", "currency": "EUR", "valid_from": "2025-02-01", "valid_to": "2025-01-01"},
    )
    assert dates.status_code == 422 and dates.context["form"].errors["valid_to"]

    customer = party_create(company=company, by=manager_user, name="Reformas Turia")
    url = reverse("catalog:customer_add", args=[price_list.pk])
    assert manager_client.post(url, {"party": customer.pk}).status_code == 302
    assert PartyPricing.objects.get(party=customer).price_list == price_list
    page = manager_client.get(reverse("catalog:price_list_view", args=[price_list.pk]), **EN)
    assert "Reformas Turia" in page.content.decode()
    assert manager_client.post(url, {"party": "999999"}).status_code == 422
    remove = reverse("catalog:customer_remove", args=[price_list.pk, customer.pk])
    assert manager_client.post(remove).status_code == 302
    assert not PartyPricing.objects.exists()
    assert manager_client.get(reverse("catalog:price_list_list")).status_code == 200


def test_sales_cannot_change_price_lists(sales_client, company):
    pvp = services.settings_of(company).default_price_list
    assert sales_client.get(reverse("catalog:price_list_view", args=[pvp.pk])).status_code == 200
    assert sales_client.post(reverse("catalog:rule_add", args=[pvp.pk]), rule_form()).status_code == 403
    assert sales_client.get(reverse("catalog:price_list_create")).status_code == 403
    assert not PriceRule.objects.exists()


# Price check


@pytest.fixture
def scenario(company, manager_user, make_item):
    """Base 20.00; the default list gives all items 10 % off, and item X a fixed 12.50 from 10 units."""
    item = make_item("X", base_price="20.00")
    pvp = services.settings_of(company).default_price_list
    services.price_rule_create(
        company=company, price_list_id=pvp.pk, by=manager_user, scope="all", method="discount_base",
        value=Decimal(10),
    )  # fmt: skip
    services.price_rule_create(
        company=company, price_list_id=pvp.pk, by=manager_user, scope="item", item_id=item.pk,
        method="fixed", value=Decimal("12.50"), min_quantity=Decimal(10),
    )  # fmt: skip
    return item


def check(client, **params):
    return client.get(reverse("catalog:price_check"), params, **EN)


def test_price_check_below_the_item_rules_quantity(sales_client, scenario):
    response = check(sales_client, item=scenario.pk, quantity="5")
    assert response.status_code == 200
    result = response.context["check"]
    assert result.resolution.unit_price == Decimal("18.00") and result.price_list.name == "PVP"
    page = response.content.decode()
    assert "18.00" in page and "All items: 10 % off the base price" in page
    assert "company default" in page


def test_price_check_the_item_rule_wins_and_the_other_lost(sales_client, scenario):
    response = check(sales_client, item=scenario.pk, quantity="10", day=date.today().isoformat())
    result = response.context["check"]
    assert result.resolution.unit_price == Decimal("12.50")
    assert result.rule_text == "Item rule: fixed price 12.50 from 10 units"
    assert result.losers == [("All items: 10 % off the base price", "less specific scope")]
    page = response.content.decode()
    assert "Item rule: fixed price 12.50 from 10 units" in page and "less specific scope" in page


def test_price_check_with_htmx_returns_the_result_only(sales_client, scenario):
    response = sales_client.get(
        reverse("catalog:price_check"),
        {"item": scenario.pk, "quantity": "10"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page and 'id="price-check-result"' in page


def test_price_check_uses_the_customers_own_list(sales_client, company, manager_user, scenario):
    special = services.price_list_create(company=company, by=manager_user, name="Especial")
    services.price_rule_create(
        company=company, price_list_id=special.pk, by=manager_user, scope="all", method="fixed",
        value=Decimal("7.25"),
    )  # fmt: skip
    customer = party_create(company=company, by=manager_user, name="Reformas Turia")
    services.party_price_list_set(company=company, party_id=customer.pk, price_list_id=special.pk)
    response = check(sales_client, item=scenario.pk, quantity="3", party=customer.pk)
    result = response.context["check"]
    assert (
        result.price_list == special and result.own_list and result.resolution.unit_price == Decimal("7.25")
    )


def test_price_check_explains_the_margin_floor_and_quantity_and_dates(
    sales_client, company, manager_user, make_item
):
    item = make_item("Y", base_price="10.00", standard_cost=Decimal("8.00"), min_margin=Decimal(20))
    pvp = services.settings_of(company).default_price_list
    make = lambda **f: services.price_rule_create(company=company, price_list_id=pvp.pk, by=manager_user, **f)  # noqa: E731
    make(
        scope="item",
        item_id=item.pk,
        method="fixed",
        value=Decimal("9.00"),
        margin_floor=True,
        min_quantity=Decimal(5),
    )
    make(scope="item", item_id=item.pk, method="fixed", value=Decimal("9.50"))
    make(
        scope="item",
        item_id=item.pk,
        method="fixed",
        value=Decimal("9.40"),
        date_from=date.today() - timedelta(days=400),
    )
    result = check(sales_client, item=item.pk, quantity="5").context["check"]
    assert result.resolution.unit_price == Decimal("10.00") and result.resolution.floored  # 8 / 0.8
    assert [why for _text, why in result.losers] == ["lower minimum quantity", "lower minimum quantity"]
    result = check(sales_client, item=item.pk, quantity="1").context["check"]
    assert result.resolution.unit_price == Decimal("9.40")
    assert [why for _text, why in result.losers] == ["earlier start"]


def test_no_rule_gives_the_base_price(sales_client, make_item):
    item = make_item("Z", base_price="3.456789")
    result = check(sales_client, item=item.pk, quantity="1").context["check"]
    assert result.rule_text == "No rule: base sale price" and result.unit_price_text == "3.456789"


@pytest.mark.parametrize(
    "params",
    [
        {"item": "999999", "quantity": "1"},
        {"item": "abc", "quantity": "1"},
        {"quantity": "0"},
        {"quantity": "-3"},
        {"quantity": "many"},
        {"quantity": "1e400"},
        {"quantity": "NaN"},
        {"quantity": "1", "day": "2024-02-30"},
        {"quantity": "1", "day": "0001-01-01"},
        {"quantity": "1", "party": "999999"},
        {"quantity": "1", "party": "x\x00"},
    ],
)
def test_bad_price_check_input_is_a_form_error(sales_client, scenario, params):
    params = {"item": scenario.pk} | params
    response = check(sales_client, **params)
    assert response.status_code == 422
    assert response.context["form"].errors and response.context["check"] is None
    assert 'id="price-check-errors"' in response.content.decode()


def test_the_price_check_page_opens_empty(sales_client, scenario):
    response = sales_client.get(reverse("catalog:price_check"), **EN)
    assert response.status_code == 200 and response.context["check"] is None
    assert 'for="id_item"' in response.content.decode()


def test_the_party_page_shows_its_price_list(sales_client, company, sales_user, catalog):
    customer = party_create(company=company, by=sales_user, name="Cliente con tarifa")
    page = sales_client.get(reverse("parties:party_view", args=[customer.pk])).content.decode()
    assert "PVP" in page
    special = services.price_list_create(company=company, by=sales_user, name="Instaladores")
    services.party_price_list_set(company=company, party_id=customer.pk, price_list_id=special.pk)
    assert (
        "Instaladores" in sales_client.get(reverse("parties:party_view", args=[customer.pk])).content.decode()
    )


def test_the_item_history_names_related_records_with_one_query_per_model(
    manager_client, company, manager_user, make_item, tools, django_assert_max_num_queries
):
    item = make_item("TOR-100")
    kg, box = (Unit.objects.get(company=company, code=code) for code in ("kg", "caja"))
    reduced = TaxCategory.objects.get(company=company, code="reducido")
    services.item_update(
        company=company, item_id=item.pk, by=manager_user, unit_id=kg.pk, category_id=tools.pk
    )
    services.item_update(
        company=company, item_id=item.pk, by=manager_user, unit_id=box.pk, sale_tax_id=reduced.pk
    )
    url = reverse("catalog:item_view", args=[item.pk])
    page = manager_client.get(url, **EN).content.decode()
    assert "<del>ud</del> → <ins>kg</ins>" in page and "<del>kg</del> → <ins>caja</ins>" in page
    assert "<ins>Ferretería</ins>" in page and "<ins>IVA reducido</ins>" in page
    assert f"<ins>{kg.pk}</ins>" not in page
    with django_assert_max_num_queries(100) as before:
        manager_client.get(url, **EN)
    for n in range(4):  # more changes to the same relations: no more queries
        unit = kg if n % 2 else box
        services.item_update(company=company, item_id=item.pk, by=manager_user, unit_id=unit.pk)
    with django_assert_max_num_queries(len(before.captured_queries)):
        manager_client.get(url, **EN)
