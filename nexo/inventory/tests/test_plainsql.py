"""core.plainsql, which the posting path uses instead of ORM queries: it must read and write what the ORM
would, on SQLite (decimals stored as numbers) and on PostgreSQL alike."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from nexo.core import plainsql
from nexo.core.errors import ValidationFailed
from nexo.inventory import services
from nexo.inventory.models import StockBalance, StockMove, Warehouse

pytestmark = pytest.mark.django_db


def _fields(record) -> dict:
    return {field.attname: getattr(record, field.attname) for field in type(record)._meta.concrete_fields}


def _typed(record) -> dict:
    return {name: (type(value), value) for name, value in _fields(record).items()}


def test_a_selected_row_has_the_values_and_types_the_orm_gives(company, make_item, warehouse):
    item = make_item("PS-1")
    row = StockBalance.objects.create(
        company=company, item=item, warehouse=warehouse, received=D("123456789012.3456"),
        issued=D("0.0001"), value=D("1234567890123.45"), average_value=D("0.10"), average=D("1234567.123456"),
        last_cost=None, last_date=date(2026, 2, 28),
    )  # fmt: skip
    (read,) = plainsql.select(StockBalance, ("id = %s", [row.pk]))
    assert _typed(read) == _typed(StockBalance.objects.get(pk=row.pk))
    assert read.value == D("1234567890123.45")  # a large amount round-trips exactly
    assert isinstance(read.average, D) and read.average == D("1234567.123456")
    assert read.last_cost is None and read.last_date == date(2026, 2, 28)


def test_insert_sets_the_ids_in_order_and_the_audit_times(
    company, warehouse_user, make_item, stock, warehouse
):
    item = make_item("PS-2")
    moves = [
        StockMove(
            company=company,
            item=item,
            quantity=D(n) + D("0.5"),
            from_location_id=stock.supplier_location_id,
            to_location_id=warehouse.stock_location_id,
            date=date(2026, 1, n),
            unit_cost=D("1.234567"),
            created_by=warehouse_user,
            updated_by=warehouse_user,
        )
        for n in range(1, 4)
    ]
    plainsql.insert(StockMove, moves)
    assert [move.pk for move in moves] == sorted(move.pk for move in moves)
    for move in moves:
        stored = StockMove.objects.get(pk=move.pk)
        assert (stored.quantity, stored.date, stored.unit_cost) == (move.quantity, move.date, D("1.234567"))
        assert stored.created_at == move.created_at and stored.created_at is not None
        assert stored.state == StockMove.State.DRAFT and not move._state.adding


def test_update_writes_only_the_named_fields_and_takes_the_time_now(
    company, warehouse_user, make_item, stock, warehouse
):
    item = make_item("PS-3")
    move = services.stock_move_create(
        company=company, by=warehouse_user, item_id=item.pk, quantity=D(2),
        from_location_id=stock.supplier_location_id, to_location_id=warehouse.stock_location_id,
        unit_cost=D("3.00"), date=date(2026, 1, 5),
    )  # fmt: skip
    before = StockMove.objects.get(pk=move.pk).updated_at
    move.unit_cost, move.note = D("4.500001"), "not written"
    move.updated_at = before - timedelta(days=1)
    plainsql.update(StockMove, [move], ["unit_cost", "updated_at"])
    stored = StockMove.objects.get(pk=move.pk)
    assert stored.unit_cost == D("4.500001") and stored.note == ""
    assert stored.updated_at >= before


def test_values_travel_as_parameters_and_an_empty_set_matches_nothing(company, warehouse):
    assert plainsql.select(Warehouse, ("code = %s", ["x' OR '1' = '1"])) == []
    assert plainsql.select(Warehouse, plainsql.among("id", [])) == []
    assert [found.pk for found in plainsql.select(Warehouse, plainsql.among("id", [warehouse.pk]))] == [
        warehouse.pk
    ]


@pytest.mark.parametrize("item_id", [2**63, -1, 0, "1", None])
def test_an_id_no_record_can_have_is_an_unknown_item(company, warehouse_user, stock, warehouse, item_id):
    with pytest.raises(ValidationFailed) as error:
        services.stock_move_create(
            company=company, by=warehouse_user, item_id=item_id, quantity=D(1),
            from_location_id=stock.supplier_location_id, to_location_id=warehouse.stock_location_id,
            unit_cost=D(1),
        )  # fmt: skip
    assert error.value.field_messages() == {"item": ["Unknown item."]}
    assert not StockMove.objects.exists()
