from datetime import date
from decimal import Decimal

import pytest

from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.states import state_history
from nexo.inventory.models import StockBalance, StockMove, StockQuant
from nexo.parties.services import party_create
from nexo.purchasing import queries, services
from nexo.purchasing.models import ItemPurchasing, PurchaseOrder

DAY = date(2026, 3, 2)


@pytest.fixture
def buyer(make_user):
    return make_user("compras", "purchasing")


@pytest.fixture
def order(company, buyer, supplier, make_item, stock):
    cable, tube = make_item("CAB-1", valuation_method="fifo"), make_item("TUB-1", valuation_method="average")
    draft = services.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk, date=DAY,
        lines=[{"item_id": cable.pk, "quantity": "10", "unit_price": "5.00"},
               {"item_id": tube.pk, "quantity": "4", "unit_price": "2.50"}],
    )  # fmt: skip
    return services.purchase_order_confirm(company=company, by=buyer, order_id=draft.pk)


def lines_of(order):
    return list(order.lines.order_by("position"))


def test_best_supplier_price_is_the_lowest_whose_minimum_is_reached(
    company, buyer, make_item, make_supplier_price
):
    other = party_create(company=company, by=buyer, name="Distribuciones Sur", is_supplier=True)
    item = make_item("BS-1")
    make_supplier_price(item, "4.00")
    make_supplier_price(item, "3.50", min_quantity=Decimal(100))
    make_supplier_price(item, "3.90", supplier_id=other.pk)
    make_supplier_price(item, "1.00", valid_to=date(2020, 1, 1))  # expired
    best = queries.best_supplier_prices(company, {item.pk: Decimal(10)})
    assert (best[item.pk].unit_cost, best[item.pk].supplier) == (Decimal("3.9"), other)
    assert queries.best_supplier_prices(company, {item.pk: Decimal(100)})[item.pk].unit_cost == Decimal("3.5")


def test_foreign_prices_need_a_rate_and_compare_in_the_company_currency(
    company, buyer, make_item, make_supplier_price
):
    item = make_item("FX-1")
    with pytest.raises(ValidationFailed, match="no exchange rate for USD"):
        make_supplier_price(item, "4.00", currency="usd")
    services.exchange_rate_set(company=company, by=buyer, currency="USD", day=date(2026, 1, 1), rate="0.9")
    make_supplier_price(item, "4.00", currency="USD")
    make_supplier_price(item, "3.70")
    assert queries.best_supplier_prices(company, {item.pk: Decimal(1)})[item.pk].unit_cost == Decimal("3.6")


def test_lines_without_a_price_take_the_suppliers_price(
    company, buyer, supplier, make_item, make_supplier_price, stock
):
    item = make_item("LP-1")
    make_supplier_price(item, "2.00")
    make_supplier_price(item, "1.80", min_quantity=Decimal(50))
    order = services.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk, lines=[{"item_id": item.pk, "quantity": "60"}]
    )
    assert lines_of(order)[0].unit_price == Decimal("1.8")
    with pytest.raises(ValidationFailed, match="no price in EUR for LP-2"):
        services.purchase_order_create(
            company=company, by=buyer, supplier_id=supplier.pk,
            lines=[{"item_id": make_item("LP-2").pk, "quantity": "1"}],
        )  # fmt: skip


def test_confirm_numbers_the_order_and_fixes_the_rate(order):
    assert order.state == "confirmed"
    assert order.number == "PC-2026-00001"
    assert order.exchange_rate == 1


def test_a_partial_receipt_leaves_a_backorder_and_brings_stock_in(company, buyer, order, warehouse):
    cable, tube = lines_of(order)
    receipt = services.purchase_order_receive(
        company=company, by=buyer, order_id=order.pk, quantities={cable.pk: "6"}, date=DAY
    )
    order.refresh_from_db()
    cable.refresh_from_db()
    assert (order.state, cable.received_quantity, cable.pending_quantity) == ("partially_received", 6, 4)
    move = StockMove.objects.get(origin_type="purchase_receipt", origin_id=receipt.pk)
    assert (move.state, move.quantity, move.unit_cost, move.value) == (
        "done",
        6,
        Decimal("5"),
        Decimal("30.00"),
    )
    assert move.origin_label == f"{receipt.number} ({order.number})"
    assert StockQuant.objects.get(item_id=cable.item_id, location=warehouse.stock_location).quantity == 6
    assert ItemPurchasing.objects.get(item_id=cable.item_id).last_purchase_cost == Decimal("5")
    services.purchase_order_receive(
        company=company, by=buyer, order_id=order.pk, quantities={cable.pk: "4", tube.pk: "4"}, date=DAY
    )
    order.refresh_from_db()
    assert order.state == "received"
    assert StockBalance.objects.get(item_id=tube.item_id, warehouse=warehouse).value == Decimal("10.00")
    with pytest.raises(Conflict, match="received"):
        services.purchase_order_receive(
            company=company, by=buyer, order_id=order.pk, quantities={cable.pk: "1"}
        )


def test_over_receipt_needs_confirming(company, buyer, order):
    cable = lines_of(order)[0]
    with pytest.raises(ValidationFailed, match="more than the 10 still to receive") as error:
        services.purchase_order_receive(
            company=company, by=buyer, order_id=order.pk, quantities={cable.pk: "12"}
        )
    assert error.value.errors[0]["field"] == f"quantities.{cable.pk}"
    assert not StockMove.objects.exists()
    services.purchase_order_receive(
        company=company, by=buyer, order_id=order.pk, quantities={cable.pk: "12"}, allow_over_receipt=True
    )
    cable.refresh_from_db()
    assert cable.received_quantity == 12


def test_a_foreign_order_is_received_at_the_rate_of_its_confirmation(
    company, buyer, supplier, make_item, stock
):
    services.exchange_rate_set(company=company, by=buyer, currency="USD", day=date(2026, 1, 1), rate="0.92")
    item = make_item("US-1")
    order = services.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk, currency="USD", date=DAY,
        lines=[{"item_id": item.pk, "quantity": "3", "unit_price": "10.00"}],
    )  # fmt: skip
    services.purchase_order_confirm(company=company, by=buyer, order_id=order.pk)
    services.exchange_rate_set(company=company, by=buyer, currency="USD", day=date(2026, 3, 3), rate="2")
    services.purchase_order_receive(
        company=company,
        by=buyer,
        order_id=order.pk,
        quantities={lines_of(order)[0].pk: "3"},
        date=date(2026, 3, 4),
    )
    assert StockMove.objects.get(item=item).unit_cost == Decimal("9.2")


def test_confirming_in_a_currency_without_a_rate_is_refused(company, buyer, supplier, make_item, stock):
    order = services.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk, currency="GBP",
        lines=[{"item_id": make_item("GB-1").pk, "quantity": "1", "unit_price": "1"}],
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="no exchange rate for GBP"):
        services.purchase_order_confirm(company=company, by=buyer, order_id=order.pk)
    order.refresh_from_db()
    assert (order.state, order.number) == ("draft", "")


def test_bad_orders_are_refused(company, buyer, supplier, make_item, stock):
    item = make_item("BO-1")
    customer = party_create(company=company, by=buyer, name="Cliente Final")
    cases = [
        ({"supplier_id": customer.pk, "lines": [{"item_id": item.pk, "quantity": "1", "unit_price": "1"}]}, "supplier"),
        ({"supplier_id": supplier.pk, "lines": []}, "lines"),
        ({"supplier_id": supplier.pk, "lines": [{"item_id": item.pk, "quantity": "0", "unit_price": "1"}]}, "lines.0.quantity"),
        ({"supplier_id": supplier.pk, "lines": [{"item_id": 999999, "quantity": "1", "unit_price": "1"}]}, "lines.0.item_id"),
        ({"supplier_id": supplier.pk, "lines": [{"item_id": item.pk, "quantity": "1", "unit_price": "-1"}]}, "lines.0.unit_price"),
    ]  # fmt: skip
    for fields, field in cases:
        with pytest.raises(ValidationFailed) as error:
            services.purchase_order_create(company=company, by=buyer, **fields)
        assert error.value.errors[0]["field"] == field
    assert not PurchaseOrder.objects.exists()


def test_only_drafts_change_and_received_orders_do_not_cancel(company, buyer, order):
    with pytest.raises(Conflict, match="Only a draft"):
        services.purchase_order_update(company=company, by=buyer, order_id=order.pk, notes="x")
    services.purchase_order_receive(
        company=company, by=buyer, order_id=order.pk, quantities={lines_of(order)[0].pk: "1"}
    )
    with pytest.raises(Conflict, match="partially received"):
        services.purchase_order_cancel(company=company, by=buyer, order_id=order.pk)


def test_suggestions_and_orders_from_them(
    company, buyer, supplier, make_item, make_supplier_price, receive, stock
):
    low, fine = make_item("SG-1"), make_item("SG-2")
    for item in (low, fine):
        make_supplier_price(item, "1.00")
        services.item_purchasing_set(
            company=company, by=buyer, item_id=item.pk, minimum_stock="10", reorder_quantity="25"
        )
    receive(low, 4, "1.00")
    receive(fine, 12, "1.00")
    (suggestion,) = queries.purchase_suggestions(company)
    assert (suggestion.item, suggestion.on_hand, suggestion.suggested, suggestion.supplier) == (
        low,
        4,
        25,
        supplier,
    )
    (order,) = services.purchase_orders_from_suggestions(company=company, by=buyer, item_ids=[low.pk])
    assert [(line.item_id, line.quantity, line.unit_price) for line in order.lines.all()] == [(low.pk, 25, 1)]
    services.purchase_order_confirm(company=company, by=buyer, order_id=order.pk)
    assert queries.purchase_suggestions(company) == []  # on order now


def test_decisions_are_logged_and_receipts_derive_the_state(company, buyer, order):
    """Confirming is a logged decision; receiving moves the state by the quantities, without a log row."""
    assert [(change.from_state, change.to_state, change.by) for change in state_history(order)] == [
        ("draft", "confirmed", buyer)
    ]
    cable, tube = lines_of(order)
    services.purchase_order_receive(company=company, by=buyer, order_id=order.pk, quantities={cable.pk: "10"})
    order.refresh_from_db()
    assert order.state == "partially_received"
    services.purchase_order_receive(company=company, by=buyer, order_id=order.pk, quantities={tube.pk: "4"})
    order.refresh_from_db()
    assert order.state == "received" and state_history(order).count() == 1
    draft = services.purchase_order_create(
        company=company, by=buyer, supplier_id=order.supplier_id,
        lines=[{"item_id": cable.item_id, "quantity": "1", "unit_price": "1"}],
    )  # fmt: skip
    services.purchase_order_cancel(company=company, by=buyer, order_id=draft.pk)
    assert [(change.from_state, change.to_state) for change in state_history(draft)] == [
        ("draft", "cancelled")
    ]
