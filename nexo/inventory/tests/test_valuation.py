"""The valuation engine, pure (no database): the four methods, FIFO layers, negative stock; Hypothesis
properties with exact Decimal equality. Last, one database property: backdated postings end where
posting in date order ends."""

import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from nexo.core.rules import round_money, round_unit
from nexo.inventory import services
from nexo.inventory.models import StockBalance, StockMove, StockQuant, ValuationEntry
from nexo.inventory.valuation import (
    Balance,
    Method,
    NegativeQuantity,
    cost_on_hand,
    fallback_cost,
    fifo_portions,
    issue,
    receive,
)  # fmt: skip

D = Decimal
ZERO = D(0)
CENT = D("0.01")

quantities = st.decimals(min_value=D("0.0001"), max_value=D(500), places=4)
unit_costs = st.decimals(min_value=ZERO, max_value=D(10_000), places=6)
# At most 20 receipts of at most 500: the total received stays within 10,000 units.
operations = st.lists(
    st.one_of(
        st.tuples(st.just("in"), quantities, unit_costs),
        st.tuples(st.just("out"), quantities, st.just(ZERO)),
        st.tuples(st.just("all"), st.just(ZERO), st.just(ZERO)),
    ),
    max_size=40,
).filter(lambda ops: sum(1 for op in ops if op[0] == "in") <= 20)


def book(method, entries, standard_cost=None):
    """Apply ("in", quantity, cost) and ("out", quantity) entries; the balance after them.

    A receipt's layer names the entry's number (from 1) as its source."""
    balance = Balance()
    for number, (kind, quantity, *cost) in enumerate(entries, start=1):
        if kind == "in":
            step = receive(
                balance, method=method, quantity=D(quantity), unit_cost=D(cost[0]), is_purchase=True,
                standard_cost=standard_cost, source=number,
            )  # fmt: skip
        else:
            step = issue(balance, method=method, quantity=D(quantity), standard_cost=standard_cost)
        balance = step.balance
    return balance


TEXTBOOK = [("in", "10", "5.00"), ("in", "10", "6.00")]


@dataclass
class Run:
    """What a sequence of entries added up to under one method."""

    receipts: Decimal = ZERO  # the value of everything received, at the receipts' costs
    costs: Decimal = ZERO  # the cost of everything issued
    steps: int = 0


def replay(method, ops, check, standard_cost=D("7.123456")):
    """Apply the generated operations, never issuing more than is on hand; `check` sees every step.

    A receipt's layer names the operation's number (from 1) as its source."""
    balance, run = Balance(), Run()
    for number, (kind, quantity, unit_cost) in enumerate(ops, start=1):
        before = balance
        if kind == "in":
            step = receive(
                before, method=method, quantity=quantity, unit_cost=unit_cost, is_purchase=True,
                standard_cost=standard_cost, source=number,
            )  # fmt: skip
            run.receipts += round_money(quantity * round_unit(unit_cost))
        else:
            out = before.quantity if kind == "all" else min(quantity, before.quantity)
            if out <= 0:
                continue
            step = issue(before, method=method, quantity=out, standard_cost=standard_cost)
            run.costs -= step.value
        balance = step.balance
        run.steps += 1
        check(before, step, kind)
    return balance, run


# The textbook case: receipts 10 @ 5.00 and 10 @ 6.00, issue 15


@pytest.mark.parametrize(
    ("method", "cost", "left"),
    [
        (Method.FIFO, D("80.00"), D("30.00")),
        (Method.AVERAGE, D("82.50"), D("27.50")),
        (Method.LAST_PURCHASE, D("90.00"), D("30.00")),
        (Method.STANDARD, D("78.00"), D("26.00")),  # standard cost 5.20
    ],
)
def test_textbook_issue_of_15(method, cost, left):
    before = book(method, TEXTBOOK, standard_cost=D("5.20"))
    step = issue(before, method=method, quantity=D(15), standard_cost=D("5.20"))
    assert step.value == -cost
    assert step.balance.value == left
    assert step.balance.quantity == 5
    assert step.unit_cost == round_unit(cost / 15)


def test_fifo_cost_on_hand_names_the_layers_the_units_would_come_from():
    balance = book(Method.FIFO, TEXTBOOK)
    portions = cost_on_hand(balance, method=Method.FIFO, quantity=D(15))
    assert [(p.quantity, p.unit_cost, p.value) for p in portions] == [
        (D(10), D("5.00"), D("50.00")),
        (D(5), D("6.00"), D("30.00")),
    ]
    total = sum((portion.value for portion in portions), ZERO)
    assert round_unit(total / 15) == D("5.333333")
    # Beyond what is on hand, the caller prices the rest: only the 20 held are answered for.
    assert sum(p.quantity for p in cost_on_hand(balance, method=Method.FIFO, quantity=D(50))) == 20


def test_cost_on_hand_of_the_other_methods_is_one_portion_at_their_unit_cost():
    balance = book(Method.AVERAGE, TEXTBOOK)
    [average] = cost_on_hand(balance, method=Method.AVERAGE, quantity=D(15))
    assert (average.quantity, average.unit_cost, average.value) == (D(15), D("5.5"), D("82.50"))
    [last] = cost_on_hand(balance, method=Method.LAST_PURCHASE, quantity=D(15))
    assert (last.unit_cost, last.value) == (D("6.00"), D("90.00"))
    [standard] = cost_on_hand(balance, method=Method.STANDARD, quantity=D(15), standard_cost=D("5.2"))
    assert standard.value == D("78.00")
    assert cost_on_hand(balance, method=Method.STANDARD, quantity=D(15)) == []  # no standard cost set
    assert cost_on_hand(Balance(), method=Method.FIFO, quantity=D(1)) == []  # nothing on hand


def test_the_first_receipt_of_the_layers_is_consumed_first_and_the_unit_cost_is_rounded_to_6_places():
    balance = book(Method.FIFO, [("in", "3", "1.0000004"), ("in", "1", "2")])
    assert balance.layers[0].unit_cost == D("1.000000")
    step = issue(balance, method=Method.FIFO, quantity=D(2))
    assert step.value == D("-2.00")
    assert [layer.left_after(step.balance.issued) for layer in step.balance.layers] == [D(1), D(1)]


def test_standard_values_everything_at_the_standard_cost_whatever_the_receipts_cost():
    balance = book(Method.STANDARD, TEXTBOOK, standard_cost=D("5.20"))
    assert balance.value == D("104.00")
    receipt = receive(
        balance, method=Method.STANDARD, quantity=D(1), unit_cost=D(99), standard_cost=D("5.20")
    )
    assert receipt.value == D("5.20")
    no_standard = book(Method.STANDARD, TEXTBOOK)
    assert no_standard.value == 0


def test_last_purchase_follows_purchases_only():
    balance = book(Method.LAST_PURCHASE, [("in", "10", "5.00")])
    returned = receive(balance, method=Method.LAST_PURCHASE, quantity=D(2), unit_cost=D(9), is_purchase=False)
    assert returned.balance.last_cost == D("5.00")
    assert returned.balance.value == D("60.00")  # 12 @ 5.00
    first = receive(Balance(), method=Method.LAST_PURCHASE, quantity=D(1), unit_cost=D(3))
    assert first.balance.last_cost == D(3)  # the first cost known, even if not a purchase


def test_every_balance_tracks_every_method():
    """An average item still knows its FIFO layers and its last purchase (the quotation compares them)."""
    balance = book(Method.AVERAGE, TEXTBOOK)
    assert balance.value == D("110.00") and balance.average == D("5.5")
    assert balance.layers_value() == D("110.00")
    assert balance.last_cost == D("6.00")


@pytest.mark.parametrize("quantity", [ZERO, D(-1), D("-0.0001")])
def test_a_quantity_that_is_not_positive_is_refused(quantity):
    balance = book(Method.FIFO, TEXTBOOK)
    for method in Method:
        with pytest.raises(NegativeQuantity):
            receive(balance, method=method, quantity=quantity, unit_cost=D(1))
        with pytest.raises(NegativeQuantity):
            issue(balance, method=method, quantity=quantity)
        with pytest.raises(NegativeQuantity):
            cost_on_hand(balance, method=method, quantity=quantity)


def test_fallback_cost_prefers_the_average_then_the_last_purchase_then_the_standard():
    assert fallback_cost(Balance(), None) == 0
    assert fallback_cost(Balance(), D(4)) == D(4)
    assert fallback_cost(Balance(last_cost=D(3)), D(4)) == D(3)
    assert fallback_cost(Balance(average=D(2), last_cost=D(3)), D(4)) == D(2)


# Negative stock: an issue beyond what is on hand, then a receipt that settles it


@pytest.mark.parametrize(
    ("method", "issue_cost", "owed_value", "settled_value"),
    [
        # 2 @ 3.00 on hand, 5 out: the 3 missing cost the fallback (the average, 3.00).
        (Method.FIFO, D("15.00"), D("-9.00"), D("8.00")),
        (Method.AVERAGE, D("15.00"), D("-9.00"), D("8.00")),
        (Method.LAST_PURCHASE, D("15.00"), D("-9.00"), D("8.00")),
        (Method.STANDARD, D("17.50"), D("-10.50"), D("7.00")),  # standard 3.50
    ],
)
def test_an_issue_beyond_stock_then_a_receipt(method, issue_cost, owed_value, settled_value):
    standard = D("3.50")
    balance = book(method, [("in", "2", "3.00")], standard_cost=standard)
    out = issue(balance, method=method, quantity=D(5), standard_cost=standard)
    assert out.value == -issue_cost
    assert out.balance.quantity == -3 and out.balance.value == owed_value
    assert out.balance.layers == ()
    # 1 more arrives: still owed; then 5 at 4.00 settle the rest at their own cost.
    still_owed = receive(
        out.balance, method=method, quantity=D(1), unit_cost=D(4), is_purchase=True, standard_cost=standard
    )
    assert still_owed.balance.quantity == -2 and still_owed.balance.value < 0
    settled = receive(
        still_owed.balance,
        method=method,
        quantity=D(4),
        unit_cost=D(4),
        is_purchase=True,
        standard_cost=standard,
    )
    assert settled.balance.quantity == 2
    assert settled.balance.value == settled_value
    if method in (Method.FIFO, Method.AVERAGE):
        assert settled.balance.average == D(4)
    if method is Method.FIFO:
        assert settled.balance.layers_value() == settled.balance.value
    # And issuing what is there again leaves nothing.
    emptied = issue(settled.balance, method=method, quantity=D(2), standard_cost=standard)
    assert emptied.balance.value == 0


def test_fifo_issue_beyond_stock_takes_the_layers_then_the_fallback():
    balance = book(Method.FIFO, TEXTBOOK)
    portions = fifo_portions(balance, D(25), beyond_cost=D("5.5"))
    assert [(p.quantity, p.unit_cost, p.value, p.source) for p in portions] == [
        (D(10), D("5.00"), D("50.00"), 1),
        (D(10), D("6.00"), D("60.00"), 2),
        (D(5), D("5.5"), D("27.50"), None),  # beyond stock: no layer
    ]


# Properties


@given(ops=operations)
def test_fifo_value_is_the_value_left_in_its_layers_after_every_step(ops):
    def check(before, step, kind):
        assert step.balance.value == step.balance.layers_value()
        assert step.balance.quantity >= 0
        assert all(layer.end > step.balance.issued for layer in step.balance.layers)

    replay(Method.FIFO, ops, check)


@pytest.mark.parametrize("method", [Method.FIFO, Method.AVERAGE])
@given(ops=operations)
def test_issue_costs_and_the_value_left_add_up_to_what_was_received(method, ops):
    balance, run = replay(method, ops, lambda before, step, kind: None)
    assert run.costs + balance.value == run.receipts


@pytest.mark.parametrize("method", list(Method))
@given(ops=operations)
def test_every_step_value_is_the_change_of_the_balance_value(method, ops):
    def check(before, step, kind):
        assert step.balance.value == before.value + step.value
        if kind != "in":
            assert step.value <= 0  # nothing goes out at a negative cost
            assert step.unit_cost == round_unit(-step.value / (step.balance.issued - before.issued))

    replay(method, ops, check)


@pytest.mark.parametrize("method", list(Method))
@given(ops=operations)
def test_issuing_everything_leaves_no_value(method, ops):
    balance, _run = replay(method, ops, lambda before, step, kind: None)
    if balance.quantity > 0:
        balance = issue(
            balance, method=method, quantity=balance.quantity, standard_cost=D("7.123456")
        ).balance
    assert balance.quantity == 0
    assert balance.value == 0
    assert balance.average_value == 0
    assert balance.layers == ()


@given(ops=operations)
def test_the_average_is_the_value_over_the_quantity_within_a_cent(ops):
    def check(before, step, kind):
        after = step.balance
        assert after.value == after.average_value
        if after.quantity > 0:
            assert after.average == round_unit(after.average_value / after.quantity)
            assert abs(after.average * after.quantity - after.value) <= CENT
        else:
            assert after.value == 0

    replay(Method.AVERAGE, ops, check)


@given(ops=operations, wanted=quantities)
def test_fifo_portions_come_from_the_oldest_layers_and_add_up_to_the_quantity(ops, wanted):
    balance, _run = replay(Method.FIFO, ops, lambda before, step, kind: None)
    if balance.quantity <= 0:
        return
    quantity = min(wanted, balance.quantity)
    portions = fifo_portions(balance, quantity, beyond_cost=ZERO)
    assert sum((portion.quantity for portion in portions), ZERO) == quantity
    assert all(portion.quantity > 0 for portion in portions)
    oldest = balance.layers[: len(portions)]
    assert [portion.source for portion in portions] == [layer.source for layer in oldest]
    assert [portion.unit_cost for portion in portions] == [layer.unit_cost for layer in oldest]
    for portion, layer in zip(portions[:-1], oldest, strict=False):
        assert portion.quantity == layer.left_after(balance.issued)  # every layer but the last is emptied
    step = issue(balance, method=Method.FIFO, quantity=quantity)
    assert -step.value == sum((portion.value for portion in portions), ZERO)
    assert cost_on_hand(balance, method=Method.FIFO, quantity=quantity) == portions


@pytest.mark.parametrize("method", list(Method))
@given(entries=st.lists(st.tuples(st.booleans(), quantities, unit_costs), min_size=1, max_size=30))
def test_negative_stock_keeps_finite_values_of_the_right_sign(method, entries):
    """Issues may exceed what is on hand: the value stays finite, negative exactly while units are owed."""
    balance = Balance()
    for incoming, quantity, unit_cost in entries:
        if incoming:
            step = receive(balance, method=method, quantity=quantity, unit_cost=unit_cost, is_purchase=True,
                           standard_cost=D("2.5"))  # fmt: skip
        else:
            step = issue(balance, method=method, quantity=quantity, standard_cost=D("2.5"))
        after = step.balance
        for figure in (after.value, after.average_value, after.average, step.value, step.unit_cost):
            assert figure.is_finite()
        if after.quantity < 0:
            assert after.value <= 0 and after.layers == ()
        else:
            assert after.value >= 0
        if incoming and balance.quantity < 0 <= after.quantity:
            # The owed units are settled at the incoming cost; what is left is held at it (FIFO: the value
            # left in the layer, within a cent of quantity times cost because the units owed took theirs).
            held_at = round_money(after.quantity * round_unit(unit_cost))
            if method is Method.AVERAGE:
                assert after.value == held_at
            if method is Method.FIFO:
                assert len(after.layers) == (
                    1 if after.quantity > 0 else 0
                )  # only the incoming layer is open
                assert abs(after.value - held_at) <= CENT
        if method is Method.FIFO and after.quantity >= 0:
            assert after.value == after.layers_value()
        balance = after


# The ledger on the database: posting order does not matter, backdating recomputes what follows


DAY0 = date(2026, 3, 1)
_skus = itertools.count()


@st.composite
def dated_moves(draw):
    """Receipts and deliveries on a few days (several on one day too); deliveries may exceed stock."""
    moves = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=12),  # day
                st.booleans(),  # receipt?
                st.decimals(min_value=D("0.0001"), max_value=D(50), places=4),
                st.decimals(min_value=ZERO, max_value=D(1_000), places=6),
            ),
            min_size=2,
            max_size=10,
        )
    )
    in_date_order = sorted(range(len(moves)), key=lambda index: (moves[index][0], index))
    if not draw(st.booleans()):  # half the cases: never more out than in, in date order
        on_hand, kept = ZERO, []
        for index in in_date_order:
            day, incoming, quantity, cost = moves[index]
            if not incoming:
                quantity = min(quantity, on_hand)
                if quantity <= 0:
                    continue
            on_hand += quantity if incoming else -quantity
            kept.append((day, incoming, quantity, cost))
        moves = kept
        in_date_order = list(range(len(moves)))
        assume(len(moves) >= 2)
    shuffled = draw(st.permutations(range(len(moves))))
    return moves, in_date_order, keep_day_order(moves, shuffled)


def keep_day_order(moves, order):
    """Moves of one day are posted in their own order (one day's entries are ordered by posting)."""
    order = list(order)
    by_day: dict[int, list[int]] = {}
    for index in range(len(moves)):
        by_day.setdefault(moves[index][0], []).append(index)
    for members in by_day.values():
        slots = sorted(order.index(index) for index in members)
        for slot, index in zip(slots, members, strict=True):
            order[slot] = index
    return order


def test_keep_day_order_keeps_the_order_within_a_day():
    moves = [(1, True, 1, 1), (0, True, 1, 1), (1, True, 1, 1), (0, True, 1, 1)]
    assert keep_day_order(moves, [2, 3, 0, 1]) == [0, 1, 2, 3]
    assert keep_day_order(moves, [3, 2, 1, 0]) == [1, 0, 3, 2]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=dated_moves(), method=st.sampled_from(list(Method)))
def test_posting_in_any_order_ends_as_posting_in_date_order(
    company, warehouse_user, make_item, stock, warehouse, case, method
):
    moves, in_date_order, shuffled = case
    services.inventory_settings_update(company=company, by=warehouse_user, allow_negative_stock=True)
    results = []
    for order in (in_date_order, shuffled):
        item = make_item(f"PO-{next(_skus)}", valuation_method=method.value, standard_cost=D("3.25"))
        posted = {}
        if order is shuffled:
            backdated = sum(
                1
                for at, index in enumerate(order)
                if any(moves[index][0] < moves[earlier][0] for earlier in order[:at])
            )
            event("backdated moves" if backdated else "no move backdated")
        for index in order:
            day, incoming, quantity, cost = moves[index]
            posted[index] = services.stock_move_create(
                company=company, by=warehouse_user, item_id=item.pk, quantity=quantity,
                from_location_id=stock.supplier_location_id if incoming else warehouse.stock_location_id,
                to_location_id=warehouse.stock_location_id if incoming else stock.customer_location_id,
                date=DAY0 + timedelta(days=day), unit_cost=cost if incoming else None, done=True,
            ).pk  # fmt: skip
        results.append(_state(item, warehouse, posted))
    assert results[1] == results[0]


def _state(item, warehouse, posted: dict[int, int]):
    """Everything the ledger stored for an item, keyed by the move's index in the case, not by its id."""
    index_of = {move_id: index for index, move_id in posted.items()}
    row = StockBalance.objects.filter(item=item, warehouse=warehouse).first() or StockBalance()
    balance = (
        row.received,
        row.issued,
        row.value,
        row.average_value,
        row.average,
        row.last_cost,
        row.last_date,
    )
    on_hand = StockQuant.objects.filter(item=item, location=warehouse.stock_location_id).first()
    moves = {
        index_of[move.pk]: (move.state, move.unit_cost, move.value)
        for move in StockMove.objects.filter(item=item)
    }
    entries = [
        (index_of[entry.move_id], entry.date, entry.quantity, entry.unit_cost, entry.value, entry.value_after,
         entry.received, entry.issued, entry.average_value, entry.average, entry.last_cost)
        for entry in ValuationEntry.objects.filter(item=item, warehouse=warehouse).order_by("date", "id")
    ]  # fmt: skip
    return {"balance": balance, "on_hand": on_hand and on_hand.quantity, "moves": moves, "entries": entries}


# Two warehouses: receipts into and deliveries out of either, transfers both ways.
FLOWS = ("receive A", "receive B", "deliver A", "deliver B", "A to B", "B to A")


@st.composite
def dated_flows(draw):
    moves = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=8),  # day
                st.sampled_from(FLOWS),
                st.decimals(min_value=D("0.0001"), max_value=D(40), places=4),
                st.decimals(min_value=ZERO, max_value=D(500), places=6),
            ),
            min_size=2,
            max_size=9,
        )
    )
    in_date_order = sorted(range(len(moves)), key=lambda index: (moves[index][0], index))
    shuffled = draw(st.permutations(range(len(moves))))
    return moves, in_date_order, keep_day_order(moves, shuffled)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=dated_flows(), method=st.sampled_from(list(Method)))
def test_posting_transfers_in_any_order_ends_as_posting_in_date_order(
    company, warehouse_user, make_item, stock, warehouse, case, method
):
    """A backdated move revalues the transfers after it and, through them, the other warehouse."""
    moves, in_date_order, shuffled = case
    services.inventory_settings_update(company=company, by=warehouse_user, allow_negative_stock=True)
    other = services.warehouse_create(company=company, by=warehouse_user, code=f"W{next(_skus)}", name="B")
    stock_of = {"A": warehouse.stock_location_id, "B": other.stock_location_id}
    results = []
    for order in (in_date_order, shuffled):
        item = make_item(f"TR-{next(_skus)}", valuation_method=method.value, standard_cost=D("3.25"))
        posted = {}
        for index in order:
            day, flow, quantity, cost = moves[index]
            if flow.startswith("receive"):
                source, target = stock.supplier_location_id, stock_of[flow[-1]]
            elif flow.startswith("deliver"):
                source, target = stock_of[flow[-1]], stock.customer_location_id
            else:
                source, target = stock_of[flow[0]], stock_of[flow[-1]]
            posted[index] = services.stock_move_create(
                company=company, by=warehouse_user, item_id=item.pk, quantity=quantity,
                from_location_id=source, to_location_id=target, date=DAY0 + timedelta(days=day),
                unit_cost=cost if flow.startswith("receive") else None, done=True,
            ).pk  # fmt: skip
        results.append(
            {name: _state(item, place, posted) for name, place in (("A", warehouse), ("B", other))}
        )
    assert results[1] == results[0]


def test_a_backdated_receipt_revalues_a_later_transfer_in_both_warehouses(
    company, warehouse_user, make_item, stock, warehouse, receive
):
    other = services.warehouse_create(company=company, by=warehouse_user, code="BDT", name="Destino")
    item = make_item("BT-1", valuation_method="fifo")
    receive(item, 10, "5.00", date(2026, 1, 1))
    transfer = services.stock_move_create(
        company=company, by=warehouse_user, item_id=item.pk, quantity=D(5),
        from_location_id=warehouse.stock_location_id, to_location_id=other.stock_location_id,
        date=date(2026, 1, 5), done=True,
    )  # fmt: skip
    assert transfer.value == D("25.00")
    receive(item, 10, "4.00", date(2025, 12, 1))  # backdated: the 4.00 layer is now the oldest
    transfer.refresh_from_db()
    assert transfer.value == D("20.00")  # the transfer took 5 of the 4.00 layer
    assert StockBalance.objects.get(item=item, warehouse=warehouse).value == D("70.00")  # 5 @ 4 + 10 @ 5
    # Received 90.00 in all and nothing left the company: the two warehouses must hold 90.00.
    assert StockBalance.objects.get(item=item, warehouse=other).value == D("20.00")  # today 25.00


def test_posting_a_shuffled_history_reproduces_a_seeded_case(
    company, warehouse_user, make_item, stock, warehouse
):
    """A fixed example of the property above, readable on its own: FIFO, ten moves, most of them backdated."""
    rng = random.Random(7)
    moves = [
        (day, day % 3 != 2, D(rng.randint(10, 40) if day % 3 != 2 else rng.randint(1, 10)), D(rng.randint(100, 900)) / 100)
        for day in range(10)
    ]  # fmt: skip
    order = list(range(10))
    rng.shuffle(order)
    results = []
    for posting in (range(10), order):
        item = make_item(f"SH-{len(results)}", valuation_method="fifo")
        posted = {}
        for index in posting:
            day, incoming, quantity, cost = moves[index]
            posted[index] = services.stock_move_create(
                company=company, by=warehouse_user, item_id=item.pk, quantity=quantity,
                from_location_id=stock.supplier_location_id if incoming else warehouse.stock_location_id,
                to_location_id=warehouse.stock_location_id if incoming else stock.customer_location_id,
                date=DAY0 + timedelta(days=day), unit_cost=cost if incoming else None, done=True,
            ).pk  # fmt: skip
        results.append(_state(item, warehouse, posted))
    assert results[1] == results[0]
    received = sum(round_money(quantity * cost) for _day, incoming, quantity, cost in moves if incoming)
    delivered = sum(results[0]["moves"][index][2] for index, move in enumerate(moves) if not move[1])
    assert results[0]["balance"][2] == received - delivered
