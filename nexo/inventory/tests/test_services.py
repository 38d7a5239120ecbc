from datetime import date
from decimal import Decimal

import pytest

from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.inventory import services
from nexo.inventory.models import StockBalance, StockMove, StockQuant, ValuationEntry


def balance(item, warehouse):
    return StockBalance.objects.get(item=item, warehouse=warehouse)


def on_hand(item, location_id):
    return StockQuant.objects.get(item=item, location_id=location_id).quantity


@pytest.mark.parametrize(
    ("method", "cost", "left"),
    [
        ("fifo", Decimal("80.00"), Decimal("30.00")),
        ("average", Decimal("82.50"), Decimal("27.50")),
        ("last_purchase", Decimal("90.00"), Decimal("30.00")),
    ],
)
def test_textbook_issue_costs(make_item, receive, deliver, warehouse, method, cost, left):
    """Receipts 10 @ 5.00 and 10 @ 6.00, issue 15."""
    item = make_item("TX-1", valuation_method=method)
    receive(item, 10, "5.00", date(2026, 1, 1))
    receive(item, 10, "6.00", date(2026, 1, 2))
    delivery = deliver(item, 15, date(2026, 1, 3))
    assert delivery.value == cost
    assert balance(item, warehouse).value == left
    assert on_hand(item, warehouse.stock_location_id) == 5


def test_standard_cost_values_everything_at_the_standard(make_item, receive, deliver, warehouse):
    item = make_item("ST-1", valuation_method="standard", standard_cost=Decimal("5.20"))
    receive(item, 10, "5.00")
    assert deliver(item, 4).value == Decimal("20.80")
    assert balance(item, warehouse).value == Decimal("31.20")


def test_a_backdated_receipt_revalues_only_what_follows(make_item, receive, deliver, warehouse):
    item = make_item("BD-1", valuation_method="fifo")
    receive(item, 10, "5.00", date(2026, 1, 1))
    early = deliver(item, 5, date(2026, 1, 5))
    receive(item, 10, "6.00", date(2026, 1, 10))
    late = deliver(item, 8, date(2026, 1, 20))
    assert late.value == Decimal("5") * 5 + 3 * 6  # 5 left @ 5.00, then 3 @ 6.00
    # A receipt dated 2 January at 4.00 slots in before the first delivery.
    receive(item, 10, "4.00", date(2026, 1, 2))
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.value == Decimal("25.00")  # still the 5.00 layer: it is older
    assert late.value == Decimal("5") * 5 + 3 * 4  # 5 left @ 5.00, then 3 of the 4.00 layer
    state = balance(item, warehouse)
    assert state.received - state.issued == 17
    assert state.value == 7 * 4 + 10 * 6
    entries = ValuationEntry.objects.filter(item=item).order_by("date", "id")
    assert [entry.value_after for entry in entries] == [
        Decimal("50.00"), Decimal("90.00"), Decimal("65.00"), Decimal("125.00"), Decimal("88.00")
    ]  # fmt: skip


def test_a_backdated_receipt_moves_the_average_of_later_issues(make_item, receive, deliver, warehouse):
    item = make_item("BD-2", valuation_method="average")
    receive(item, 10, "5.00", date(2026, 1, 1))
    later = deliver(item, 10, date(2026, 1, 20))
    assert later.value == Decimal("50.00")
    receive(item, 10, "7.00", date(2026, 1, 10))
    later.refresh_from_db()
    assert later.value == Decimal("60.00")  # average 6.00 after the backdated receipt
    assert balance(item, warehouse).value == Decimal("60.00")


def test_delivery_beyond_stock_is_refused_and_changes_nothing(make_item, receive, deliver, warehouse):
    item = make_item("NG-1")
    receive(item, 3, "2.00")
    with pytest.raises(Conflict, match="Not enough stock of NG-1"):
        deliver(item, 4)
    assert on_hand(item, warehouse.stock_location_id) == 3
    assert StockMove.objects.filter(item=item).count() == 1


def test_negative_stock_when_the_company_allows_it(
    company, warehouse_user, make_item, receive, deliver, warehouse
):
    services.inventory_settings_update(company=company, by=warehouse_user, allow_negative_stock=True)
    item = make_item("NG-2", valuation_method="average")
    receive(item, 2, "3.00")
    assert deliver(item, 5).value == Decimal("15.00")
    assert on_hand(item, warehouse.stock_location_id) == -3
    receive(item, 5, "4.00", date(2026, 1, 25))  # the 3 owed settle at the incoming cost
    state = balance(item, warehouse)
    assert (state.received - state.issued, state.value) == (2, Decimal("8.00"))


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "1.00001"])
def test_bad_quantities_are_field_errors(make_item, receive, quantity):
    item = make_item("BQ-1")
    with pytest.raises(ValidationFailed) as error:
        receive(item, quantity, "1.00")
    assert error.value.errors[0]["field"] == "quantity"
    assert not StockMove.objects.exists()


def test_a_move_worth_more_than_an_amount_can_hold_is_refused(make_item, receive):
    item = make_item("OV-1")
    with pytest.raises(ValidationFailed) as error:
        receive(item, Decimal("100000000000"), "10.00")  # 1e12: beyond what a move's value may reach
    assert error.value.field_messages() == {
        "unit_cost": ["The move's value (quantity times unit cost) is too large."]
    }
    assert not StockMove.objects.exists() and not StockBalance.objects.exists()


def test_a_move_needs_two_different_locations(company, warehouse_user, make_item, warehouse):
    item = make_item("SL-1")
    with pytest.raises(ValidationFailed, match="two different locations"):
        services.stock_move_create(
            company=company, by=warehouse_user, item_id=item.pk, quantity=Decimal(1),
            from_location_id=warehouse.stock_location_id, to_location_id=warehouse.stock_location_id,
        )  # fmt: skip


def test_a_receipt_needs_its_cost_and_a_service_has_no_stock(
    company, warehouse_user, make_item, stock, warehouse
):
    for item, message in ((make_item("RC-1"), "unit cost"), (make_item("SV-1", kind="service"), "service")):
        with pytest.raises(ValidationFailed, match=message):
            services.stock_move_create(
                company=company, by=warehouse_user, item_id=item.pk, quantity=Decimal(1),
                from_location_id=stock.supplier_location_id, to_location_id=warehouse.stock_location_id,
            )  # fmt: skip


def test_another_companys_location_is_unknown(company, other_company, warehouse_user, make_item, stock):
    theirs = services.inventory_setup(company=other_company).default_warehouse
    item = make_item("OC-1")
    with pytest.raises(ValidationFailed, match="Unknown location"):
        services.stock_move_create(
            company=company, by=warehouse_user, item_id=item.pk, quantity=Decimal(1),
            from_location_id=stock.supplier_location_id, to_location_id=theirs.stock_location_id, unit_cost=1,
        )  # fmt: skip


def test_draft_moves_post_or_cancel_once(company, warehouse_user, make_item, stock, warehouse):
    item = make_item("DR-1")
    move = services.stock_move_create(
        company=company, by=warehouse_user, item_id=item.pk, quantity=Decimal(2),
        from_location_id=stock.supplier_location_id, to_location_id=warehouse.stock_location_id,
        unit_cost=Decimal("1.50"),
    )  # fmt: skip
    assert move.state == "draft"
    assert not StockQuant.objects.filter(item=item).exists()
    services.stock_move_post(company=company, by=warehouse_user, move_id=move.pk)
    assert on_hand(item, warehouse.stock_location_id) == 2
    with pytest.raises(Conflict, match="done"):
        services.stock_move_cancel(company=company, by=warehouse_user, move_id=move.pk)
    with pytest.raises(NotFound):
        services.stock_move_post(company=company, by=warehouse_user, move_id=move.pk + 1000)


def test_a_transfer_carries_the_cost_to_the_other_warehouse(
    company, warehouse_user, make_item, receive, warehouse
):
    other = services.warehouse_create(company=company, by=warehouse_user, code="alc", name="Alicante")
    assert other.code == "ALC" and other.stock_location.warehouse == other
    item = make_item("TR-1", valuation_method="fifo")
    receive(item, 10, "5.00", date(2026, 1, 1))
    receive(item, 10, "6.00", date(2026, 1, 2))
    move = services.stock_move_create(
        company=company, by=warehouse_user, item_id=item.pk, quantity=Decimal(15),
        from_location_id=warehouse.stock_location_id, to_location_id=other.stock_location_id,
        date=date(2026, 1, 3), done=True,
    )  # fmt: skip
    assert move.value == Decimal("80.00")
    assert balance(item, warehouse).value == Decimal("30.00")
    assert balance(item, other).value == Decimal("80.00")


def test_a_move_inside_a_warehouse_keeps_the_value(company, warehouse_user, make_item, receive, warehouse):
    shelf = services.location_create(
        company=company, by=warehouse_user, warehouse_id=warehouse.pk, name="Estante A"
    )
    item = make_item("IN-1")
    receive(item, 4, "2.50")
    services.stock_move_create(
        company=company, by=warehouse_user, item_id=item.pk, quantity=Decimal(3),
        from_location_id=warehouse.stock_location_id, to_location_id=shelf.pk, done=True,
    )  # fmt: skip
    assert on_hand(item, shelf.pk) == 3
    assert balance(item, warehouse).value == Decimal("10.00")
    assert ValuationEntry.objects.filter(item=item).count() == 1


def test_a_count_books_the_differences(company, warehouse_user, make_item, receive, warehouse):
    counted, missing, new = (
        make_item("CT-1"),
        make_item("CT-2"),
        make_item("CT-3", standard_cost=Decimal("2")),
    )
    receive(counted, 10, "3.00")
    receive(missing, 5, "1.00")
    moves = services.stock_count_post(
        company=company, by=warehouse_user, location_id=warehouse.stock_location_id,
        counted={counted.pk: Decimal(12), missing.pk: Decimal(4), new.pk: Decimal(1)},
    )  # fmt: skip
    assert sorted((move.item_id, move.quantity, move.value) for move in moves) == [
        (counted.pk, 2, Decimal("6.00")), (missing.pk, 1, Decimal("1.00")), (new.pk, 1, Decimal("2.00")),
    ]  # fmt: skip
    assert on_hand(counted, warehouse.stock_location_id) == 12
    assert on_hand(missing, warehouse.stock_location_id) == 4
    with pytest.raises(ValidationFailed, match="negative"):
        services.stock_count_post(
            company=company, by=warehouse_user, location_id=warehouse.stock_location_id, counted={new.pk: -1}
        )
