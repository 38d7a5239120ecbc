"""Purchase suggestions: every stocked item short of what confirmed sales orders need reaches the buyer, not
only the items with a minimum stock; each suggestion says why, from whom and at what price."""

from decimal import Decimal

import pytest
from django.urls import reverse

from nexo.inventory import services as inventory
from nexo.purchasing import queries, services
from nexo.purchasing.tests.test_pages import client_of

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def buyer(make_user):
    return make_user("compras", "purchasing")


@pytest.fixture
def plan_delivery(company, warehouse_user, stock, warehouse):
    """A confirmed sales order's planned delivery: the draft move out of the warehouse that reserves its
    stock, under the origin sales orders use."""

    def plan(item, quantity, number, order_id):
        return inventory.stock_move_create(
            company=company, by=warehouse_user, item_id=item.pk, quantity=Decimal(quantity),
            from_location_id=warehouse.stock_location_id, to_location_id=stock.customer_location_id,
            origin=inventory.Origin(queries.SALES_ORDER_ORIGIN, order_id, number),
        )  # fmt: skip

    return plan


def test_an_accepted_order_for_an_item_with_no_minimum_and_no_stock_is_suggested_with_its_number(
    company, supplier, make_item, make_supplier_price, plan_delivery
):
    cable = make_item("CAB-204")
    price = make_supplier_price(cable, "0.80")
    plan_delivery(cable, "204", "PV-2026-00012", 12)
    (suggestion,) = queries.purchase_suggestions(company)
    assert (suggestion.item, suggestion.minimum, suggestion.projected, suggestion.suggested) == (
        cable, 0, -204, 204,
    )  # fmt: skip
    assert [(demand.reference, demand.quantity) for demand in suggestion.orders] == [("PV-2026-00012", 204)]
    assert (suggestion.supplier, suggestion.supplier_price.price) == (supplier, price)
    assert suggestion.reason == "Order PV-2026-00012 needs 204; 0 on hand, 0 on order"


def test_several_orders_and_the_stock_on_hand_are_counted_together(
    company, make_item, make_supplier_price, plan_delivery, receive
):
    cable = make_item("CAB-2")
    make_supplier_price(cable, "0.80")
    receive(cable, 50, "0.75")
    plan_delivery(cable, "40", "PV-2026-00003", 3)
    plan_delivery(cable, "30", "PV-2026-00004", 4)
    plan_delivery(cable, "5", "PV-2026-00004", 4)  # a second line of the same order
    (suggestion,) = queries.purchase_suggestions(company)
    assert (suggestion.on_hand, suggestion.reserved, suggestion.suggested) == (50, 75, 25)
    assert [(demand.reference, demand.quantity) for demand in suggestion.orders] == [
        ("PV-2026-00003", 40), ("PV-2026-00004", 35),
    ]  # fmt: skip
    assert suggestion.reason == "Orders PV-2026-00003, PV-2026-00004 need 75; 50 on hand, 0 on order"


def test_an_item_covered_by_a_confirmed_purchase_order_is_not_suggested(
    company, buyer, supplier, make_item, make_supplier_price, plan_delivery
):
    cable, tube = make_item("CAB-3"), make_item("TUB-3")
    make_supplier_price(cable, "0.80")
    plan_delivery(cable, "204", "PV-2026-00012", 12)
    plan_delivery(tube, "10", "PV-2026-00012", 12)
    draft = services.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk,
        lines=[{"item_id": cable.pk, "quantity": "204", "unit_price": "0.80"}],
    )  # fmt: skip
    # A draft order is not on order yet.
    assert [suggestion.item for suggestion in queries.purchase_suggestions(company)] == [cable, tube]
    services.purchase_order_confirm(company=company, by=buyer, order_id=draft.pk)
    (suggestion,) = queries.purchase_suggestions(company)
    assert (suggestion.item, suggestion.suggested, suggestion.supplier) == (tube, 10, None)


def test_an_item_with_a_minimum_keeps_its_rule_and_adds_the_orders_demand(
    company, buyer, make_item, make_supplier_price, plan_delivery, receive
):
    cable = make_item("CAB-4")
    make_supplier_price(cable, "0.80")
    services.item_purchasing_set(
        company=company, by=buyer, item_id=cable.pk, minimum_stock="10", reorder_quantity="25"
    )
    receive(cable, 12, "0.75")
    assert queries.purchase_suggestions(company) == []  # 12 on hand, minimum 10
    plan_delivery(cable, "8", "PV-2026-00020", 20)
    (suggestion,) = queries.purchase_suggestions(company)
    # Projected 4: 6 reach the minimum, but at least the reorder quantity.
    assert (suggestion.projected, suggestion.suggested) == (4, 25)
    assert suggestion.reason == "Order PV-2026-00020 needs 8; minimum 10; 12 on hand, 0 on order"


def test_the_quantity_is_rounded_up_to_the_suppliers_minimum_and_priced_by_the_preferred_supplier(
    company, buyer, supplier, make_item, make_supplier_price, plan_delivery
):
    from nexo.parties.services import party_create

    cheaper = party_create(company=company, by=buyer, name="Distribuciones Sur", is_supplier=True)
    cable = make_item("CAB-5")
    boxed = make_supplier_price(cable, "0.90", min_quantity=Decimal(100))
    make_supplier_price(cable, "0.50", supplier_id=cheaper.pk)
    services.item_purchasing_set(
        company=company, by=buyer, item_id=cable.pk, preferred_supplier_id=supplier.pk
    )
    plan_delivery(cable, "30", "PV-2026-00030", 30)
    (suggestion,) = queries.purchase_suggestions(company)
    assert (suggestion.suggested, suggestion.supplier, suggestion.supplier_price.price) == (
        100,
        supplier,
        boxed,
    )
    assert suggestion.best.supplier == cheaper  # still shown as the cheapest


def test_services_inactive_items_and_stock_in_hand_are_not_suggested(
    company, make_item, plan_delivery, receive
):
    enough, retired = make_item("OK-1"), make_item("OLD-1", is_active=False)
    receive(enough, 10, "1.00")
    plan_delivery(enough, "10", "PV-2026-00040", 40)
    plan_delivery(retired, "3", "PV-2026-00040", 40)
    assert queries.purchase_suggestions(company) == []


def test_suggestions_cost_the_same_queries_whatever_the_number_of_items(
    company, buyer, make_item, make_supplier_price, plan_delivery, django_assert_max_num_queries
):
    def add_items(first, count):
        for index in range(first, first + count):
            item = make_item(f"Q-{index:03d}")
            make_supplier_price(item, "1.00")
            services.item_purchasing_set(company=company, by=buyer, item_id=item.pk, minimum_stock="2")
            plan_delivery(item, "5", f"PV-2026-{index:05d}", index)

    add_items(1, 1)
    with django_assert_max_num_queries(8):
        assert len(queries.purchase_suggestions(company)) == 1
    add_items(2, 20)
    with django_assert_max_num_queries(8):
        suggestions = queries.purchase_suggestions(company)
        assert len(suggestions) == 21 and all(suggestion.reason for suggestion in suggestions)


def test_the_page_the_api_and_the_home_page_show_the_order_demand(
    company, buyer, make_item, make_supplier_price, plan_delivery
):
    cable = make_item("CAB-6", name="Cable RV-K 3G2,5")
    make_supplier_price(cable, "0.80")
    plan_delivery(cable, "204", "PV-2026-00012", 12)
    client = client_of(buyer)
    page = client.get(reverse("purchasing:suggestions"), **EN).content.decode()
    assert "Order PV-2026-00012 needs 204; 0 on hand, 0 on order" in page
    home = client.get(reverse("home"), **EN).content.decode()
    assert "Items to buy" in home
    listed = client.get("/api/v1/purchase-suggestions", **EN).json()
    (row,) = listed["items"]
    assert (row["sku"], row["suggested_quantity"], row["orders"]) == (
        "CAB-6", "204.0000", [{"reference": "PV-2026-00012", "quantity": "204.0000"}],
    )  # fmt: skip
    assert row["supplier_price"]["unit_price"] == "0.800000" and row["reason"].startswith(
        "Order PV-2026-00012"
    )
    spanish = client.get(reverse("purchasing:suggestions"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "El pedido PV-2026-00012 necesita 204; 0 en existencias, 0 en pedido" in spanish
