"""The catalog through /api/v1: items, categories, units, taxes, price lists and rules, a party's list and
the batch price resolution that names the rule behind each price."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nexo.catalog import services
from nexo.catalog.models import Item, PartyPricing, PriceRule, TaxCategory, Unit
from nexo.parties.services import party_create

D = Decimal


@pytest.fixture
def manager(manager_user, company, catalog, api_as):
    return api_as(manager_user, company)


@pytest.fixture
def ud(company, catalog):
    return Unit.objects.get(company=company, code="ud")


@pytest.fixture
def pvp(catalog):
    return catalog.default_price_list


@pytest.fixture
def customer(company, sales_user):
    return party_create(company=company, by=sales_user, name="Reformas Turia, S.L.", status="customer")


def fields_of(response) -> set[str]:
    assert response["Content-Type"] == "application/problem+json", response.content
    return {error["field"] for error in response.json()["errors"]}


def new_item(client, ud, sku="TOR-001", **fields):
    body = {"sku": sku, "name": f"Tornillo {sku}", "unit_id": ud.pk, "base_price": "10.00"} | fields
    response = client.post("/items", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_create_read_update_an_item(manager, ud, company):
    created = new_item(
        manager, ud, "CAB-RV-2.5", name="Cable RV-K 3G2,5 mm²", base_price="1.2",
        standard_cost="0.815", barcode="4006381333931", valuation_method="fifo",
    )  # fmt: skip
    general = TaxCategory.objects.get(company=company, code="general")
    assert created["base_price"] == "1.200000" and created["standard_cost"] == "0.815000"
    assert created["sale_tax_id"] == general.pk == created["purchase_tax_id"]
    assert created["unit_code"] == "ud" and created["valuation_method"] == "fifo"
    assert (
        created["min_margin"] == "15.00" and created["kind"] == "stocked" and created["category_id"] is None
    )
    read = manager.get(f"/items/{created['id']}")
    assert read.status_code == 200 and read.json() == created
    changed = manager.patch(f"/items/{created['id']}", {"base_price": "1.35", "standard_cost": None})
    assert changed.status_code == 200, changed.content
    assert changed.json()["base_price"] == "1.350000" and changed.json()["standard_cost"] is None
    assert changed.json()["name"] == "Cable RV-K 3G2,5 mm²"
    for field in ("name", "sku", "unit_id", "base_price"):
        refused = manager.patch(f"/items/{created['id']}", {field: None})
        assert refused.status_code == 422 and fields_of(refused) == {field}
    # How invoices tax it beyond its VAT: IRPF withheld (a professional service), an art. 20 exemption.
    assert (created["irpf_rate"], created["vat_exemption"]) == ("0.00", None)
    taxed = manager.patch(f"/items/{created['id']}", {"irpf_rate": "15", "vat_exemption": 9})
    assert (taxed.json()["irpf_rate"], taxed.json()["vat_exemption"]) == ("15.00", 9)
    refused = manager.patch(f"/items/{created['id']}", {"vat_exemption": 30})
    assert refused.status_code == 422 and fields_of(refused) == {"vat_exemption"}
    assert Item.objects.get().base_price == D("1.35")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"base_price": "-1"}, "base_price"),
        ({"base_price": 10.5}, "base_price"),
        ({"standard_cost": "-0.01"}, "standard_cost"),
        ({"sku": "tor-001"}, "sku"),  # duplicate, whatever the case
        ({"unit_id": 999999}, "unit_id"),
        ({"category_id": 999999}, "category_id"),
        ({"sale_tax_id": 999999}, "sale_tax_id"),
        ({"barcode": "4006381333932"}, "barcode"),
        ({"min_margin": "101"}, "min_margin"),
        ({"valuation_method": "lifo"}, "valuation_method"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_items_are_refused_naming_the_field(manager, ud, change, field):
    new_item(manager, ud, "TOR-001")
    body = {"sku": "TOR-002", "name": "Tornillo", "unit_id": ud.pk} | change
    response = manager.post("/items", body)
    assert response.status_code == 422 and fields_of(response) == {field}
    assert Item.objects.count() == 1


def test_another_companys_unit_is_unknown(manager, other_company, ud):
    services.catalog_setup(company=other_company)
    theirs = Unit.objects.get(company=other_company, code="ud")
    response = manager.post("/items", {"sku": "X", "name": "X", "unit_id": theirs.pk})
    assert response.status_code == 422 and fields_of(response) == {"unit_id"}


def test_item_list_filters_search_and_orders(manager, ud):
    electric = manager.post("/categories", {"name": "Electricidad"}).json()
    cables = manager.post("/categories", {"name": "Cables", "parent_id": electric["id"]}).json()
    plumbing = manager.post("/categories", {"name": "Fontanería"}).json()
    new_item(manager, ud, "CAB-1", name="Cable de cobre", category_id=cables["id"], base_price="3")
    new_item(manager, ud, "INT-1", name="Interruptor simple", category_id=electric["id"], base_price="5")
    new_item(manager, ud, "GRI-1", name="Grifo monomando cocina", category_id=plumbing["id"], base_price="40")
    new_item(manager, ud, "SRV-1", name="Montaje de cuadro eléctrico (hora)", kind="service", base_price="35")
    new_item(manager, ud, "OLD-1", name="Cable antiguo", is_active=False, barcode="4006381333931")

    def skus(**params):
        response = manager.get("/items", **params)
        assert response.status_code == 200, response.content
        return [item["sku"] for item in response.json()["items"]]

    assert skus() == ["CAB-1", "GRI-1", "INT-1", "OLD-1", "SRV-1"]
    assert skus(q="CABLE") == ["CAB-1", "OLD-1"]
    assert skus(q="electrico cuadro") == ["SRV-1"]  # accents folded, every word
    assert skus(category_id=electric["id"]) == ["CAB-1", "INT-1"]  # the subtree
    assert skus(category_id=cables["id"]) == ["CAB-1"]
    assert skus(category_id=999999) == []
    assert skus(kind="service") == ["SRV-1"]
    assert skus(is_active="false") == ["OLD-1"]
    assert skus(barcode="4006381333931") == ["OLD-1"]
    assert skus(ordering="-base_price") == ["GRI-1", "SRV-1", "OLD-1", "INT-1", "CAB-1"]
    assert skus(ordering="name")[0] == "OLD-1"
    page = manager.get("/items", limit=2, offset=1).json()
    assert page["count"] == 5 and [item["sku"] for item in page["items"]] == ["GRI-1", "INT-1"]
    listed = manager.get("/items", q="cobre").json()["items"][0]
    assert listed["category_name"] == "Electricidad / Cables"
    assert manager.get("/items", ordering="colour").status_code == 422


def test_sales_reads_but_does_not_change_the_catalog(api, manager, ud, pvp):
    item = new_item(manager, ud)
    assert api.get("/items").json()["count"] == 1
    assert api.get(f"/items/{item['id']}").status_code == 200
    assert api.get("/price-lists").status_code == 200
    assert api.post("/items", {"sku": "X", "name": "X", "unit_id": ud.pk}).status_code == 403
    assert api.patch(f"/items/{item['id']}", {"name": "Otro"}).status_code == 403
    assert api.post("/categories", {"name": "X"}).status_code == 403
    assert api.post("/price-lists", {"name": "X"}).status_code == 403
    rule = {"scope": "all", "method": "discount_base", "value": "10"}
    assert api.post(f"/price-lists/{pvp.pk}/rules", rule).status_code == 403
    assert Item.objects.get().name == "Tornillo TOR-001" and not PriceRule.objects.exists()


def test_another_companys_records_are_not_found(manager, ud, other_company, make_user, api_as):
    item = new_item(manager, ud)
    services.catalog_setup(company=other_company)
    outsider = api_as(make_user("fuera", "manager", companies=[other_company]))
    assert outsider.get(f"/items/{item['id']}").status_code == 404
    assert outsider.patch(f"/items/{item['id']}", {"name": "Mío"}).status_code == 404
    assert outsider.get("/items").json()["count"] == 0
    pvp = manager.get("/price-lists").json()["items"][0]
    assert outsider.get(f"/price-lists/{pvp['id']}").status_code == 404


def test_idempotency_key_creates_once(manager, ud):
    body = {"sku": "TOR-9", "name": "Tornillo", "unit_id": ud.pk, "base_price": "0.12"}
    first = manager.post("/items", body, headers={"Idempotency-Key": "item-9"})
    again = manager.post("/items", body, headers={"Idempotency-Key": "item-9"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Item.objects.count() == 1
    other = manager.post("/items", body | {"sku": "TOR-10"}, headers={"Idempotency-Key": "item-9"})
    assert other.status_code == 422 and fields_of(other) == {"Idempotency-Key"}
    category = {"name": "Ferretería"}
    one = manager.post("/categories", category, headers={"Idempotency-Key": "c"})
    assert manager.post("/categories", category, headers={"Idempotency-Key": "c"}).json() == one.json()


def test_categories_tree(manager):
    tools = manager.post("/categories", {"name": "Ferretería"}).json()
    hand = manager.post("/categories", {"name": "Herramienta manual", "parent_id": tools["id"]})
    assert hand.status_code == 201 and hand.json()["full_name"] == "Ferretería / Herramienta manual"
    hand = hand.json()
    assert hand["path"] == f"/{tools['id']}/{hand['id']}/"
    duplicate = manager.post("/categories", {"name": "herramienta MANUAL", "parent_id": tools["id"]})
    assert duplicate.status_code == 422 and fields_of(duplicate) == {"name"}
    loop = manager.patch(f"/categories/{tools['id']}", {"parent_id": hand["id"]})
    assert loop.status_code == 422 and fields_of(loop) == {"parent_id"}
    unknown = manager.post("/categories", {"name": "X", "parent_id": 999999})
    assert unknown.status_code == 422 and fields_of(unknown) == {"parent_id"}
    renamed = manager.patch(f"/categories/{tools['id']}", {"name": "Ferretería general"})
    assert renamed.status_code == 200
    listed = manager.get("/categories").json()
    assert listed["count"] == 2
    assert [c["full_name"] for c in listed["items"]] == [
        "Ferretería general",
        "Ferretería general / Herramienta manual",
    ]
    moved = manager.patch(f"/categories/{hand['id']}", {"parent_id": None})
    assert moved.status_code == 200 and moved.json()["parent_id"] is None
    assert moved.json()["full_name"] == "Herramienta manual"
    too_long = manager.post("/categories", {"name": "x" * 100, "parent_id": tools["id"]}).json()
    for _level in range(4):
        too_long = manager.post("/categories", {"name": "y" * 100, "parent_id": too_long["id"]})
        if too_long.status_code == 422:
            break
        too_long = too_long.json()
    assert too_long.status_code == 422 and fields_of(too_long) == {"name"}


def test_units_and_tax_categories_with_their_rates(api, catalog):
    units = api.get("/units").json()
    assert {"ud", "m", "kg", "l", "caja", "rollo"} <= {unit["code"] for unit in units["items"]}
    taxes = {tax["code"]: tax for tax in api.get("/tax-categories").json()["items"]}
    assert taxes["general"]["rates"] == [{"valid_from": "2012-09-01", "rate": "21.00", "surcharge": "5.20"}]
    assert taxes["reducido"]["rates"][0]["rate"] == "10.00"


def test_price_lists_and_their_rules(manager, ud, pvp):
    item = new_item(manager, ud, base_price="10")
    listed = manager.get("/price-lists").json()
    assert listed["count"] == 1 and listed["items"][0]["is_default"] and listed["items"][0]["name"] == "PVP"
    created = manager.post("/price-lists", {"name": "Distribuidores", "valid_from": "2026-01-01"})
    assert created.status_code == 201, created.content
    dealers = created.json()
    assert dealers["currency"] == "EUR" and not dealers["is_default"] and dealers["rules"] == []
    rule = manager.post(
        f"/price-lists/{dealers['id']}/rules",
        {"scope": "all", "method": "discount_base", "value": "15", "min_quantity": "1"},
    )
    assert rule.status_code == 201, rule.content
    assert rule.json()["value"] == "15.000000" and rule.json()["min_quantity"] == "1.0000"
    fixed = manager.post(
        f"/price-lists/{dealers['id']}/rules",
        {"scope": "item", "item_id": item["id"], "method": "fixed", "value": "7.5", "rounding": "0.05"},
    ).json()
    detail = manager.get(f"/price-lists/{dealers['id']}").json()
    assert detail["rule_count"] == 2 and [r["id"] for r in detail["rules"]] == [
        rule.json()["id"],
        fixed["id"],
    ]
    changed = manager.patch(f"/price-rules/{fixed['id']}", {"value": "7.25", "min_quantity": "10"})
    assert changed.status_code == 200 and changed.json()["value"] == "7.250000"
    assert changed.json()["min_quantity"] == "10.0000" and changed.json()["rounding"] == "0.050000"
    renamed = manager.patch(f"/price-lists/{dealers['id']}", {"name": "Distribuidor", "is_default": True})
    assert (
        renamed.status_code == 200
        and renamed.json()["is_default"]
        and renamed.json()["name"] == "Distribuidor"
    )
    assert not manager.get(f"/price-lists/{pvp.pk}").json()["is_default"]
    duplicate = manager.post("/price-lists", {"name": "pvp"})
    assert duplicate.status_code == 422 and fields_of(duplicate) == {"name"}
    dates = manager.patch(f"/price-lists/{dealers['id']}", {"valid_to": "2025-12-31"})
    assert dates.status_code == 422 and fields_of(dates) == {"valid_to"}
    assert manager.call("delete", f"/price-rules/{fixed['id']}").status_code == 204
    assert manager.call("delete", f"/price-rules/{fixed['id']}").status_code == 404
    assert manager.get(f"/price-lists/{dealers['id']}").json()["rule_count"] == 1


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"scope": "all", "method": "discount_base", "value": "100.01"}, "value"),
        ({"scope": "all", "method": "discount_list", "value": "101", "base_list_id": "PVP"}, "value"),
        ({"scope": "all", "method": "fixed", "value": "-5"}, "value"),
        ({"scope": "all", "method": "fixed", "value": "5", "min_quantity": "0"}, "min_quantity"),
        ({"scope": "all", "method": "fixed", "value": "5", "min_quantity": "-1"}, "min_quantity"),
        ({"scope": "item", "method": "fixed", "value": "5"}, "item_id"),
        ({"scope": "category", "method": "fixed", "value": "5"}, "category_id"),
        ({"scope": "item", "item_id": 999999, "method": "fixed", "value": "5"}, "item_id"),
        ({"scope": "all", "method": "discount_list", "value": "5"}, "base_list_id"),
        ({"scope": "all", "method": "discount_list", "value": "5", "base_list_id": "SELF"}, "base_list_id"),
        ({"scope": "all", "method": "fixed", "value": "5", "rounding": "0"}, "rounding"),
        ({"scope": "all", "method": "fixed", "value": "5", "date_from": "2026-02-01", "date_to": "2026-01-01"},
         "date_to"),
        ({"scope": "everything", "method": "fixed", "value": "5"}, "scope"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_naming_the_field(manager, pvp, rule, field):
    dealers = manager.post("/price-lists", {"name": "Distribuidores"}).json()
    if rule.get("base_list_id") == "PVP":
        rule["base_list_id"] = pvp.pk
    if rule.get("base_list_id") == "SELF":
        rule["base_list_id"] = dealers["id"]
    response = manager.post(f"/price-lists/{dealers['id']}/rules", rule)
    assert response.status_code == 422 and fields_of(response) == {field}
    assert not PriceRule.objects.exists()


def test_a_loop_through_two_lists_is_refused(manager, pvp):
    dealers = manager.post("/price-lists", {"name": "Distribuidores"}).json()
    on_pvp = {"scope": "all", "method": "discount_list", "value": "10", "base_list_id": pvp.pk}
    assert manager.post(f"/price-lists/{dealers['id']}/rules", on_pvp).status_code == 201
    back = {"scope": "all", "method": "discount_list", "value": "5", "base_list_id": dealers["id"]}
    response = manager.post(f"/price-lists/{pvp.pk}/rules", back)
    assert response.status_code == 422 and fields_of(response) == {"base_list_id"}
    assert "PVP → Distribuidores → PVP" in response.json()["detail"]


def test_a_party_gets_its_own_price_list(manager, api, customer, pvp):
    dealers = manager.post("/price-lists", {"name": "Distribuidores"}).json()
    path = f"/parties/{customer.pk}/price-list"
    assert manager.get(path).json() == {
        "party_id": customer.pk,
        "price_list_id": None,
        "effective_price_list_id": pvp.pk,
    }
    assigned = manager.call("put", path, {"price_list_id": dealers["id"]})
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["price_list_id"] == dealers["id"] == assigned.json()["effective_price_list_id"]
    assert PartyPricing.objects.get().price_list_id == dealers["id"]
    unknown = manager.call("put", path, {"price_list_id": 999999})
    assert unknown.status_code == 422 and fields_of(unknown) == {"price_list_id"}
    assert api.call("put", path, {"price_list_id": None}).status_code == 403
    back = manager.call("put", path, {"price_list_id": None})
    assert back.status_code == 200 and back.json()["effective_price_list_id"] == pvp.pk
    assert not PartyPricing.objects.exists()
    assert manager.call("put", "/parties/999999/price-list", {"price_list_id": None}).status_code == 404


def test_prices_name_the_rule_that_gave_them(manager, api, ud, customer, pvp):
    screw = new_item(manager, ud, "TOR-1", base_price="10", standard_cost="9")
    tape = new_item(manager, ud, "CIN-1", base_price="4")
    dealers = manager.post("/price-lists", {"name": "Distribuidores"}).json()
    rules_url = f"/price-lists/{dealers['id']}/rules"
    every = manager.post(rules_url, {"scope": "all", "method": "discount_base", "value": "15"}).json()
    bulk = manager.post(
        rules_url, {"scope": "all", "method": "discount_base", "value": "20", "min_quantity": "50"}
    ).json()
    floor = manager.post(
        rules_url,
        {"scope": "item", "item_id": screw["id"], "method": "fixed", "value": "8", "min_quantity": "100",
         "margin_floor": True},
    ).json()  # fmt: skip
    manager.call("put", f"/parties/{customer.pk}/price-list", {"price_list_id": dealers["id"]})
    body = {
        "party_id": customer.pk,
        "date": "2026-03-01",
        "lines": [
            {"item_id": screw["id"], "quantity": "10"},
            {"item_id": screw["id"], "quantity": "60"},
            {"item_id": screw["id"], "quantity": "100"},
            {"item_id": tape["id"], "quantity": "1.5"},
        ],
    }
    response = api.post("/prices", body)  # sales may price
    assert response.status_code == 200, response.content
    priced = response.json()
    assert priced["price_list_id"] == dealers["id"] and priced["date"] == "2026-03-01"
    ten, sixty, hundred, tape_line = priced["lines"]
    assert ten["unit_price"] == "8.500000" and ten["price_rule"]["id"] == every["id"] and ten["losers"] == []
    assert ten["price_rule"] == {
        "id": every["id"], "scope": "all", "method": "discount_base", "value": "15.000000", "min_quantity": "1.0000"
    }  # fmt: skip
    assert sixty["unit_price"] == "8.000000" and sixty["price_rule"]["id"] == bulk["id"]
    assert sixty["losers"] == [every["id"]] and sixty["quantity"] == "60.0000"
    # Fixed 8 is below the 15 % minimum margin on a cost of 9: raised to 9 / 0.85.
    assert hundred["price_rule"]["id"] == floor["id"] and hundred["floored"]
    assert hundred["unit_price"] == "10.588235" and hundred["losers"] == [bulk["id"], every["id"]]
    assert tape_line["unit_price"] == "3.400000" and tape_line["sku"] == "CIN-1"
    # Without a party: the company default (PVP, no rules) gives the base price.
    plain = api.post("/prices", {"lines": [{"item_id": screw["id"], "quantity": "10"}]}).json()
    assert plain["price_list_id"] == pvp.pk and plain["lines"][0]["unit_price"] == "10.000000"
    assert plain["lines"][0]["price_rule"] is None
    # An explicit list wins over the party's.
    explicit = api.post(
        "/prices", {"party_id": customer.pk, "price_list_id": pvp.pk, "lines": body["lines"][:1]}
    ).json()
    assert explicit["lines"][0]["unit_price"] == "10.000000"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"party_id": 999999}, "party_id"),
        ({"price_list_id": 999999}, "price_list_id"),
        ({"lines": []}, "lines"),
        ({"lines": [{"item_id": 999999, "quantity": "1"}]}, "lines.0.item_id"),
        ({"lines": [{"item_id": "ITEM", "quantity": "0"}]}, "lines.0.quantity"),
        ({"lines": [{"item_id": "ITEM", "quantity": 3}]}, "lines.0.quantity"),
        ({"date": "2026-02-30"}, "date"),
    ],
)
def test_bad_price_requests_are_refused_naming_the_field(api, manager, ud, change, field):
    item = new_item(manager, ud)
    for line in change.get("lines", []):
        if line["item_id"] == "ITEM":
            line["item_id"] = item["id"]
    body = {"lines": [{"item_id": item["id"], "quantity": "1"}]} | change
    response = api.post("/prices", body)
    assert response.status_code == 422 and fields_of(response) == {field}


def test_pricing_a_document_takes_the_same_queries_for_3_or_200_lines(
    manager, api, company, sales_user, ud, customer, django_assert_max_num_queries
):
    electric = services.category_create(company=company, by=sales_user, name="Electricidad")
    cables = services.category_create(company=company, by=sales_user, name="Cables", parent_id=electric.pk)
    vat = TaxCategory.objects.get(company=company, code="general")
    items = [
        services.item_create(
            company=company,
            by=sales_user,
            sku=f"CAB-{n:03d}",
            name=f"Cable {n}",
            unit_id=ud.pk,
            category_id=cables.pk if n % 2 else electric.pk,
            sale_tax_id=vat.pk,
            purchase_tax_id=vat.pk,
            base_price=D(n + 1),
        )
        for n in range(200)
    ]
    dealers = services.price_list_create(company=company, by=sales_user, name="Distribuidores")
    base_on = services.price_list_create(company=company, by=sales_user, name="Especial")
    for rule in [
        {"scope": "all", "method": "discount_base", "value": D(15)},
        {"scope": "category", "category_id": cables.pk, "method": "discount_base", "value": D(20)},
        {"scope": "item", "item_id": items[7].pk, "method": "fixed", "value": D(3), "min_quantity": D(5)},
    ]:
        services.price_rule_create(company=company, price_list_id=dealers.pk, by=sales_user, **rule)
    services.price_rule_create(
        company=company, price_list_id=base_on.pk, by=sales_user, scope="all", method="discount_list",
        value=D(5), base_list_id=dealers.pk,
    )  # fmt: skip
    services.party_price_list_set(company=company, party_id=customer.pk, price_list_id=base_on.pk)

    def body(count):
        lines = [{"item_id": item.pk, "quantity": str(1 + n % 9)} for n, item in enumerate(items[:count])]
        return {"party_id": customer.pk, "lines": lines}

    api.post("/prices", body(3))  # warm-up: the session, the token, the permissions cache
    with CaptureQueriesContext(connection) as three:
        few = api.post("/prices", body(3))
    assert few.status_code == 200, few.content
    with django_assert_max_num_queries(len(three)):
        many = api.post("/prices", body(200))
    assert many.status_code == 200 and len(many.json()["lines"]) == 200
    line = many.json()["lines"][7]  # item rule, 8 units: fixed 3, then 5 % off on the "Especial" list
    assert line["unit_price"] == "2.850000" and line["price_list_id"] == base_on.pk
    cable = many.json()["lines"][1]  # base 2, category rule: 20 % off, then 5 % off
    assert cable["unit_price"] == "1.520000"


def test_the_contract_documents_decimals_as_strings(db):
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["ItemFields"]["properties"]["base_price"]["type"] == "string"
    assert schemas["ItemOut"]["properties"]["base_price"]["type"] == "string"
    assert schemas["PricedLineOut"]["properties"]["unit_price"]["type"] == "string"
    assert schemas["PriceLineIn"]["properties"]["quantity"]["type"] == "string"
