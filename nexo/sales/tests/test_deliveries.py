"""Delivery notes: an accepted order's draft delivery, validated in one step with a backorder or without,
the cost of goods sold per line under average and FIFO, returns at the cost the goods left with, cancelling
what is still to deliver, every bad input refused without a change, and the data migration of the first
orders' reservations.

Stock (fixture `stocked_items`): each item received 10 @ 5.00 then 10 @ 6.00, so 20 on hand; the average
item is held at 5.50, the FIFO item's first 10 units cost 5.00 and the next 10 cost 6.00.
"""

import importlib
from datetime import date
from decimal import Decimal as D

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.inventory import queries as inventory_queries
from nexo.inventory import services as inventory
from nexo.inventory.models import StockMove
from nexo.sales import queries, services
from nexo.sales.models import Delivery, SalesOrder, SalesOrderLine

TODAY = timezone.localdate()


def _level(company, item):
    (level,) = inventory_queries.stock_levels(company, item_ids=[item.pk])
    return level.on_hand, level.reserved, level.available


@pytest.fixture
def service_item(make_item):
    return make_item("SV-MONTAJE", base_price="40.00", kind="service")


@pytest.fixture
def accept(company, sales_user, make_quotation):
    def make(lines):
        quotation = make_quotation(lines)
        services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
        return services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)

    return make


@pytest.fixture
def order(accept, stocked_items, service_item):
    """15 of the FIFO item, 30 of the average one (only 20 in stock) and one fitting (a service)."""
    return accept([
        {"item_id": stocked_items["fifo"].pk, "quantity": "15"},
        {"item_id": stocked_items["average"].pk, "quantity": "30"},
        {"item_id": service_item.pk, "quantity": "1"},
    ])  # fmt: skip


def _draft(order):
    return order.deliveries.get(state="draft")


def _lines(delivery):
    return {line.item.sku: line for line in delivery.lines.select_related("item", "move")}


def _order_lines(order):
    return {line.item.sku: line for line in SalesOrderLine.objects.filter(order=order).select_related("item")}


def test_accepting_an_order_makes_a_draft_delivery_note_holding_the_reservation(
    company, order, stocked_items
):
    delivery = _draft(order)
    lines = _lines(delivery)
    assert delivery.number == f"AL-{TODAY.year}-00001" and delivery.kind == "delivery"
    assert sorted(lines) == ["Q-AVERAGE", "Q-FIFO"]  # the service is not delivered
    assert {sku: (line.quantity, line.move.state) for sku, line in lines.items()} == {
        "Q-FIFO": (D(15), "draft"),
        "Q-AVERAGE": (D(30), "draft"),
    }
    assert _level(company, stocked_items["average"]) == (D(20), D(30), D(-10))
    order.refresh_from_db()
    assert (order.delivery_state, order.invoice_state) == ("to_deliver", "to_invoice")
    # The pages' default quantities: each line as far as the stock goes.
    available = queries.delivery_lines_available(company, delivery)
    assert {sku: available[line.pk] for sku, line in lines.items()} == {"Q-FIFO": D(20), "Q-AVERAGE": D(20)}


def test_validating_everything_available_leaves_a_backorder_delivered_later_at_its_own_cost(
    company, warehouse_user, order, stocked_items, receive
):
    first = _draft(order)
    done = services.delivery_validate(company=company, by=warehouse_user, delivery_id=first.pk)
    lines = _lines(done)
    # FIFO: 10 @ 5.00 + 5 @ 6.00 = 80.00 (5.333333 a unit); average: 20 @ 5.50 = 110.00.
    assert {sku: (line.quantity, line.unit_cost, line.cost) for sku, line in lines.items()} == {
        "Q-FIFO": (D(15), D("5.333333"), D("80.00")),
        "Q-AVERAGE": (D(20), D("5.500000"), D("110.00")),
    }
    assert (done.state, done.cost, done.done_by, done.date) == ("done", D("190.00"), warehouse_user, TODAY)
    assert all(line.move.state == "done" and line.move.value == line.cost for line in lines.values())
    # The 10 average units not in stock wait on a backorder, still reserved.
    backorder = _draft(order)
    assert backorder.backorder_of_id == done.pk and backorder.number == f"AL-{TODAY.year}-00002"
    (waiting,) = backorder.lines.select_related("move")
    assert (waiting.item_id, waiting.quantity, waiting.move.quantity) == (stocked_items["average"].pk, 10, 10)
    assert (waiting.move.origin_id, waiting.move.origin_label) == (
        backorder.pk,
        f"{backorder.number} ({order.number})",
    )
    assert _level(company, stocked_items["average"]) == (D(0), D(10), D(-10))
    order.refresh_from_db()
    ordered = _order_lines(order)
    assert (ordered["Q-FIFO"].delivered, ordered["Q-FIFO"].delivered_cost) == (D(15), D("80.00"))
    assert (ordered["Q-AVERAGE"].delivered, ordered["Q-AVERAGE"].delivered_cost) == (D(20), D("110.00"))
    assert (order.delivery_state, order.delivered_cost) == ("partial", D("190.00"))

    # 10 more arrive at 7.00: the backorder leaves at that cost, and the order is delivered.
    receive(stocked_items["average"], 10, "7.00", TODAY)
    second = services.delivery_validate(company=company, by=warehouse_user, delivery_id=backorder.pk)
    (line,) = second.lines.all()
    assert (line.quantity, line.unit_cost, line.cost, second.cost) == (
        D(10),
        D("7.000000"),
        D("70.00"),
        D("70.00"),
    )
    assert not order.deliveries.filter(state="draft").exists()
    order.refresh_from_db()
    assert (order.delivery_state, order.delivered_cost) == ("delivered", D("260.00"))
    assert _level(company, stocked_items["average"]) == (D(0), D(0), D(0))


def test_chosen_quantities_split_a_line_and_move_an_untouched_line_whole_to_the_backorder(
    company, warehouse_user, order, stocked_items
):
    delivery = _draft(order)
    lines = _lines(delivery)
    average_move = lines["Q-AVERAGE"].move_id
    services.delivery_validate(
        company=company, by=warehouse_user, delivery_id=delivery.pk,
        quantities={lines["Q-FIFO"].pk: D(6), lines["Q-AVERAGE"].pk: D(0)}, date=date(2026, 12, 1),
    )  # fmt: skip
    done = _lines(Delivery.objects.get(pk=delivery.pk))
    assert list(done) == ["Q-FIFO"]  # the untouched line went to the backorder
    assert (done["Q-FIFO"].quantity, done["Q-FIFO"].cost, done["Q-FIFO"].move.date) == (
        D(6),
        D("30.00"),  # 6 of the 5.00 layer
        date(2026, 12, 1),
    )
    backorder = _lines(_draft(order))
    assert {sku: line.quantity for sku, line in backorder.items()} == {"Q-FIFO": D(9), "Q-AVERAGE": D(30)}
    assert backorder["Q-AVERAGE"].move_id == average_move  # the same reservation, on the backorder now
    assert backorder["Q-FIFO"].move.state == "draft" and backorder["Q-FIFO"].move_id != done["Q-FIFO"].move_id
    assert _level(company, stocked_items["fifo"]) == (D(14), D(9), D(5))
    assert _level(company, stocked_items["average"]) == (D(20), D(30), D(-10))


def test_without_a_backorder_the_rest_is_cancelled_and_its_reservation_released(
    company, warehouse_user, order, stocked_items
):
    delivery = _draft(order)
    lines = _lines(delivery)
    services.delivery_validate(
        company=company, by=warehouse_user, delivery_id=delivery.pk,
        quantities={lines["Q-FIFO"].pk: D(6)}, backorder=False,
    )  # fmt: skip
    assert not order.deliveries.filter(state="draft").exists()
    assert StockMove.objects.get(pk=lines["Q-AVERAGE"].move_id).state == "cancelled"
    assert list(_lines(Delivery.objects.get(pk=delivery.pk))) == ["Q-FIFO"]
    ordered = _order_lines(order)
    assert (ordered["Q-FIFO"].delivered, ordered["Q-FIFO"].cancelled) == (D(6), D(9))
    assert (ordered["Q-AVERAGE"].delivered, ordered["Q-AVERAGE"].cancelled) == (D(0), D(30))
    assert _level(company, stocked_items["fifo"]) == (D(14), D(0), D(14))
    assert _level(company, stocked_items["average"]) == (D(20), D(0), D(20))
    order.refresh_from_db()
    assert (order.delivery_state, order.state) == ("delivered", "confirmed")


def test_a_return_comes_back_at_the_cost_it_left_with(company, warehouse_user, order, stocked_items):
    delivery = services.delivery_validate(
        company=company, by=warehouse_user, delivery_id=_draft(order).pk, backorder=False
    )
    fifo = _lines(delivery)["Q-FIFO"]  # 15 left at 5.333333 (80.00)
    note = services.delivery_return(
        company=company, by=warehouse_user, delivery_id=delivery.pk, quantities={fifo.pk: D(5)},
        reason="Embalaje dañado",
    )  # fmt: skip
    (back,) = note.lines.select_related("move")
    assert (note.kind, note.state, note.return_of_id, note.reason) == (
        "return",
        "done",
        delivery.pk,
        "Embalaje dañado",
    )
    assert (back.returned_line_id, back.quantity, back.unit_cost, back.cost, note.cost) == (
        fifo.pk,
        D(5),
        D("5.333333"),
        D("26.67"),
        D("26.67"),
    )
    assert back.move.state == "done" and back.move.to_location_id == fifo.move.from_location_id
    # Stock and value back: the 5 @ 6.00 layer left (30.00) plus 5 at the cost they left with (26.67).
    (level,) = inventory_queries.stock_levels(company, item_ids=[stocked_items["fifo"].pk])
    assert (level.on_hand, level.stock_value) == (D(10), D("56.67"))
    line = _order_lines(order)["Q-FIFO"]
    assert (line.delivered, line.returned, line.delivered_cost) == (D(15), D(5), D("53.33"))
    order.refresh_from_db()
    assert order.delivered_cost == D("53.33") + D("110.00")
    # Ten may still come back; eleven may not, nor nothing, nor without a reason.
    for quantities, reason, field in (
        ({fifo.pk: D(11)}, "Sobra", f"quantities.{fifo.pk}"),
        ({fifo.pk: D(0)}, "Sobra", f"quantities.{fifo.pk}"),
        ({fifo.pk: D(-1)}, "Sobra", f"quantities.{fifo.pk}"),
        ({}, "Sobra", "quantities"),
        ({fifo.pk: D(1)}, "  ", "reason"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.delivery_return(
                company=company, by=warehouse_user, delivery_id=delivery.pk, quantities=quantities,
                reason=reason,
            )  # fmt: skip
        assert [error["field"] for error in refused.value.errors] == [field]
    assert Delivery.objects.filter(kind="return").count() == 1
    with pytest.raises(Conflict, match="Only a validated delivery note takes returns"):
        services.delivery_return(
            company=company, by=warehouse_user, delivery_id=note.pk, quantities={back.pk: D(1)}, reason="x"
        )


def test_cancelling_what_remains_of_an_untouched_order_cancels_it_and_releases_its_stock(
    company, sales_user, order, stocked_items
):
    delivery = _draft(order)
    cancelled = services.sales_order_cancel_remaining(company=company, by=sales_user, order_id=order.pk)
    assert (cancelled.state, cancelled.delivery_state, cancelled.invoice_state) == (
        "cancelled",
        "nothing",
        "nothing",
    )
    delivery.refresh_from_db()
    assert delivery.state == "cancelled"
    assert set(StockMove.objects.filter(origin_type="delivery").values_list("state", flat=True)) == {
        "cancelled"
    }
    assert _level(company, stocked_items["average"]) == (D(20), D(0), D(20))
    assert {sku: line.cancelled for sku, line in _order_lines(order).items()} == {
        "Q-FIFO": D(15),
        "Q-AVERAGE": D(30),
        "SV-MONTAJE": D(1),  # nothing of the order will be billed either
    }
    with pytest.raises(Conflict, match="is cancelled"):
        services.sales_order_cancel_remaining(company=company, by=sales_user, order_id=order.pk)


def test_cancelling_the_backorder_of_a_partly_delivered_order_keeps_the_order(
    company, sales_user, warehouse_user, order, stocked_items
):
    services.delivery_validate(company=company, by=warehouse_user, delivery_id=_draft(order).pk)
    backorder = _draft(order)
    kept = services.sales_order_cancel_remaining(company=company, by=sales_user, order_id=order.pk)
    assert (kept.state, kept.delivery_state, kept.invoice_state) == ("confirmed", "delivered", "to_invoice")
    backorder.refresh_from_db()
    assert backorder.state == "cancelled"
    assert _order_lines(order)["Q-AVERAGE"].cancelled == D(10)
    assert _level(company, stocked_items["average"]) == (D(0), D(0), D(0))
    with pytest.raises(Conflict, match="Nothing is left to deliver"):
        services.sales_order_cancel_remaining(company=company, by=sales_user, order_id=order.pk)


def _snapshot(order):
    return (
        list(Delivery.objects.order_by("pk").values_list("pk", "state", "cost")),
        list(StockMove.objects.order_by("pk").values_list("pk", "state", "quantity")),
        list(SalesOrderLine.objects.filter(order=order).values_list("pk", "delivered", "cancelled")),
        SalesOrder.objects.filter(pk=order.pk).values_list("delivery_state", flat=True).get(),
    )


def test_bad_quantities_are_refused_and_change_nothing(company, warehouse_user, other_company, order):
    delivery = _draft(order)
    lines = _lines(delivery)
    fifo, average = lines["Q-FIFO"].pk, lines["Q-AVERAGE"].pk
    before = _snapshot(order)
    for quantities, field in (
        ({fifo: D(-1)}, f"quantities.{fifo}"),
        ({fifo: D(16)}, f"quantities.{fifo}"),  # more than the line (15)
        ({fifo: D("0.00001")}, f"quantities.{fifo}"),
        ({fifo: "diez"}, f"quantities.{fifo}"),
        ({999_999: D(1)}, "quantities.999999"),  # not a line of this delivery
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.delivery_validate(
                company=company, by=warehouse_user, delivery_id=delivery.pk, quantities=quantities
            )
        assert [error["field"] for error in refused.value.errors] == [field]
    for quantities, message in (
        ({fifo: D(0), average: D(0)}, "Nothing to deliver"),  # a backorder of everything
        ({average: D(21)}, "Not enough stock of Q-AVERAGE: 20 on hand, 21 to deliver"),
    ):
        with pytest.raises(Conflict, match=message):
            services.delivery_validate(
                company=company, by=warehouse_user, delivery_id=delivery.pk, quantities=quantities
            )
    with pytest.raises(NotFound):
        services.delivery_validate(company=other_company, by=warehouse_user, delivery_id=delivery.pk)
    assert _snapshot(order) == before
    services.delivery_validate(company=company, by=warehouse_user, delivery_id=delivery.pk)
    done = _snapshot(order)
    with pytest.raises(Conflict, match="is validated: only a draft is validated"):
        services.delivery_validate(company=company, by=warehouse_user, delivery_id=delivery.pk)
    assert _snapshot(order) == done


def test_nothing_in_stock_refuses_the_default_delivery_unless_stock_may_go_negative(
    company, warehouse_user, accept, make_item
):
    empty = make_item("E-EMPTY", base_price="9.00")
    order = accept([{"item_id": empty.pk, "quantity": "4", "unit_price": "9.00"}])
    delivery = _draft(order)
    with pytest.raises(Conflict, match="none of its goods is in stock"):
        services.delivery_validate(company=company, by=warehouse_user, delivery_id=delivery.pk)
    inventory.inventory_settings_update(company=company, by=warehouse_user, allow_negative_stock=True)
    done = services.delivery_validate(company=company, by=warehouse_user, delivery_id=delivery.pk)
    assert [line.quantity for line in done.lines.all()] == [D(4)]
    assert _level(company, empty) == (D(-4), D(0), D(-4))


def test_a_delivery_notes_move_is_not_posted_or_cancelled_alone_from_inventory(
    company, warehouse_user, order
):
    move_id = _lines(_draft(order))["Q-FIFO"].move_id
    for action in (inventory.stock_move_post, inventory.stock_move_cancel):
        with pytest.raises(Conflict, match=f"belongs to AL-{TODAY.year}-00001"):
            action(company=company, by=warehouse_user, move_id=move_id)
    assert StockMove.objects.get(pk=move_id).state == "draft"


def test_the_picking_list_goes_by_location_name(company, warehouse_user, order, stocked_items, warehouse):
    shelf = inventory.location_create(
        company=company, by=warehouse_user, warehouse_id=warehouse.pk, name="A-01"
    )
    inventory.stock_move_create(
        company=company, by=warehouse_user, item_id=stocked_items["fifo"].pk, quantity=D(4),
        from_location_id=warehouse.stock_location_id, to_location_id=shelf.pk, done=True,
    )  # fmt: skip
    rows = queries.picking_list(company, _draft(order))
    # FIFO: 4 on shelf A-01, the other 11 in Existencias; average: 20 in Existencias, 10 nowhere.
    assert [(row.location.name if row.location else None, row.item.sku, row.quantity) for row in rows] == [
        ("A-01", "Q-FIFO", D(4)),
        ("Existencias", "Q-AVERAGE", D(20)),
        ("Existencias", "Q-FIFO", D(11)),
        (None, "Q-AVERAGE", D(10)),
    ]


@pytest.mark.parametrize("count", [2, 8])
def test_validating_reads_a_fixed_number_of_queries_whatever_the_lines(
    company, warehouse_user, accept, make_item, receive, django_assert_max_num_queries, count
):
    items = [make_item(f"N-{index}", base_price="9.00", valuation_method="average") for index in range(count)]
    for item in items:
        receive(item, 5, "4.00", date(2026, 1, 1))
    order = accept([{"item_id": item.pk, "quantity": "8"} for item in items])
    delivery = _draft(order)
    lines = list(delivery.lines.order_by("position"))
    # Half the lines in part (5 of 8: the rest on a backorder), the others not at all (moved there whole).
    quantities = {line.pk: D(5) if index % 2 else D(0) for index, line in enumerate(lines)}
    # Inventory's ledger writes the valuation entries of every move posted in one statement. The state log's
    # content types are cached once per process: warmed here, so the count is the same whichever test runs first.
    ContentType.objects.get_for_models(StockMove, Delivery)
    with django_assert_max_num_queries(40) as captured:
        services.delivery_validate(
            company=company, by=warehouse_user, delivery_id=delivery.pk, quantities=quantities
        )
    ledger = [query for query in captured.captured_queries if "inventory_valuationentry" in query["sql"]]
    assert (len(captured) - len(ledger), len(ledger)) == (38, 1)
    assert _draft(order).lines.count() == count


def test_the_migration_turns_the_first_orders_reservations_into_delivery_notes(
    company, warehouse_user, order, stocked_items, stock, warehouse
):
    """An order as the first version left it: one "sales_order" draft move per stocked line, one of them
    posted from Inventory by hand."""
    delivery = _draft(order)
    lines = _lines(delivery)
    StockMove.objects.filter(pk__in=[line.move_id for line in lines.values()]).update(
        origin_type="sales_order", origin_id=order.pk, origin_label=order.number
    )
    delivery.lines.all().delete()
    delivery.delete()
    inventory.stock_move_post(company=company, by=warehouse_user, move_id=lines["Q-FIFO"].move_id)
    SalesOrder.objects.filter(pk=order.pk).update(delivery_state="to_deliver")

    migration = importlib.import_module("nexo.sales.migrations.0006_delivery_notes_from_reservations")
    migration.reservations_to_delivery_notes(django_apps, None)

    migrated = _draft(order)
    (line,) = migrated.lines.select_related("move", "item")
    assert migrated.number == f"AL-{TODAY.year}-00002"  # the series goes on from the first number
    assert (line.item.sku, line.quantity, line.move_id) == ("Q-AVERAGE", D(30), lines["Q-AVERAGE"].move_id)
    assert (line.move.origin_type, line.move.origin_id, line.move.origin_label) == (
        "delivery",
        migrated.pk,
        f"{migrated.number} ({order.number})",
    )
    fifo = _order_lines(order)["Q-FIFO"]
    assert (fifo.delivered, fifo.delivered_cost) == (D(15), D("80.00"))  # posted by hand, at FIFO cost
    order.refresh_from_db()
    assert (order.delivery_state, order.invoice_state, order.delivered_cost) == (
        "partial",
        "to_invoice",
        D("80.00"),
    )
