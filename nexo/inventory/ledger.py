"""The valuation ledger: applies the pure engine to moves being done and stores each entry with its state.

A move dated on or after the latest entry of its (item, warehouse) reads only the balance row (and, for
a FIFO issue, the few layers it consumes). A backdated move starts from the entry just before its date
and recomputes only the entries after it. Called by the services, inside their transaction and locks.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from nexo.catalog.models import Item
from nexo.core.rules import round_money
from nexo.inventory import valuation
from nexo.inventory.models import Location, StockBalance, StockMove, ValuationEntry

ZERO = Decimal(0)
LAYER_BATCH = 20
STATE_FIELDS = ("received", "issued", "average_value", "average", "last_cost")
ENTRY_UPDATE_FIELDS = ("unit_cost", "value", "value_after", *STATE_FIELDS)


def _layer(entry: ValuationEntry) -> valuation.Layer:
    return valuation.Layer(entry.received - entry.quantity, entry.quantity, entry.unit_cost, entry.move_id)


def _open_layers(
    item_id: int, warehouse_id: int, issued: Decimal, received: Decimal, covering: Decimal | None
):
    """FIFO layers with units left after `issued`, oldest first: enough for `covering` units, or all."""
    rows = ValuationEntry.objects.filter(
        item_id=item_id,
        warehouse_id=warehouse_id,
        quantity__gt=0,
        received__gt=issued,
        received__lte=received,
    ).order_by("received")
    if covering is None:
        return tuple(_layer(entry) for entry in rows)
    layers = tuple(_layer(entry) for entry in rows[:LAYER_BATCH])
    if sum((layer.left_after(issued) for layer in layers), ZERO) < covering and len(layers) == LAYER_BATCH:
        layers = tuple(_layer(entry) for entry in rows)
    return layers


def balance_of_row(row: StockBalance, layers: tuple[valuation.Layer, ...] = ()) -> valuation.Balance:
    return valuation.Balance(
        received=row.received, issued=row.issued, value=row.value, average_value=row.average_value,
        average=row.average, last_cost=row.last_cost, layers=layers,
    )  # fmt: skip


def _balance_of_entry(entry: ValuationEntry | None, layers) -> valuation.Balance:
    if entry is None:
        return valuation.Balance(layers=layers)
    return valuation.Balance(
        received=entry.received, issued=entry.issued, value=entry.value_after,
        average_value=entry.average_value, average=entry.average, last_cost=entry.last_cost, layers=layers,
    )  # fmt: skip


def _store(target, balance: valuation.Balance) -> None:
    """Copy a balance's state onto a StockBalance row or a ValuationEntry."""
    for field in STATE_FIELDS:
        setattr(target, field, getattr(balance, field))
    if isinstance(target, ValuationEntry):
        target.value_after = balance.value
    else:
        target.value = balance.value


def default_in_cost(balance: valuation.Balance, item: Item) -> Decimal:
    """The cost of units coming in without one (a count's gain, a return): what the warehouse holds them at."""
    if balance.quantity > 0 and balance.average:
        return balance.average
    return valuation.fallback_cost(balance, item.standard_cost)


def _step(balance: valuation.Balance, item: Item, quantity: Decimal, unit_cost, is_purchase: bool, source):
    method = valuation.Method(item.valuation_method)
    if quantity > 0:
        return valuation.receive(
            balance, method=method, quantity=quantity, unit_cost=unit_cost, is_purchase=is_purchase,
            standard_cost=item.standard_cost, source=source,
        )  # fmt: skip
    return valuation.issue(balance, method=method, quantity=-quantity, standard_cost=item.standard_cost)


class Posting:
    """The entries of one batch of moves, applied in (date, id) order."""

    def __init__(self, balances: dict[tuple[int, int], StockBalance]):
        self.balances = balances

    def apply(self, move: StockMove, warehouse_id: int, quantity: Decimal, unit_cost, is_purchase: bool):
        """One signed quantity of `move` in one warehouse; returns the step (value, unit cost)."""
        row = self.balances[(move.item_id, warehouse_id)]
        if row.last_date is None or move.date >= row.last_date:
            return self._forward(row, move, warehouse_id, quantity, unit_cost, is_purchase)
        return self._backdated(row, move, warehouse_id, quantity, unit_cost, is_purchase, move.item)

    def _entry(self, move, warehouse_id, quantity, step, is_purchase) -> ValuationEntry:
        entry = ValuationEntry(
            company_id=move.company_id, item_id=move.item_id, warehouse_id=warehouse_id, move=move,
            date=move.date, quantity=quantity, unit_cost=step.unit_cost, value=step.value, is_purchase=is_purchase,
        )  # fmt: skip
        _store(entry, step.balance)
        entry.save()
        return entry

    def _forward(self, row, move, warehouse_id, quantity, unit_cost, is_purchase):
        layers = ()
        if quantity < 0 and move.item.valuation_method == valuation.Method.FIFO:
            layers = _open_layers(move.item_id, warehouse_id, row.issued, row.received, -quantity)
        balance = balance_of_row(row, layers)
        if quantity > 0 and unit_cost is None:
            unit_cost = default_in_cost(balance, move.item)
        step = _step(balance, move.item, quantity, unit_cost, is_purchase, move.pk)
        self._entry(move, warehouse_id, quantity, step, is_purchase)
        _store(row, step.balance)
        row.last_date = move.date
        return step

    def _backdated(self, row, move, warehouse_id, quantity, unit_cost, is_purchase, item):
        """Start from the entry just before the move's date; recompute only the entries after it."""
        entries = ValuationEntry.objects.filter(item_id=move.item_id, warehouse_id=warehouse_id)
        prior = entries.filter(date__lte=move.date).order_by("-date", "-id").first()
        later = list(entries.filter(date__gt=move.date).order_by("date", "id"))
        layers = ()
        if item.valuation_method == valuation.Method.FIFO and prior is not None:
            layers = _open_layers(move.item_id, warehouse_id, prior.issued, prior.received, None)
        balance = _balance_of_entry(prior, layers)
        if quantity > 0 and unit_cost is None:
            unit_cost = default_in_cost(balance, item)
        step = _step(balance, item, quantity, unit_cost, is_purchase, move.pk)
        self._entry(move, warehouse_id, quantity, step, is_purchase)
        balance = step.balance
        revalued_moves = []
        for entry in later:
            after = _step(balance, item, entry.quantity, entry.unit_cost, entry.is_purchase, entry.move_id)
            entry.unit_cost, entry.value = after.unit_cost, after.value
            _store(entry, after.balance)
            if entry.quantity < 0:
                revalued_moves.append(
                    StockMove(pk=entry.move_id, unit_cost=after.unit_cost, value=-after.value)
                )
            balance = after.balance
        ValuationEntry.objects.bulk_update(later, ENTRY_UPDATE_FIELDS)
        StockMove.objects.bulk_update(revalued_moves, ["unit_cost", "value"])
        _store(row, balance)
        return step


def apply_moves(moves: list[StockMove], balances: dict, locations: dict[int, Location]) -> None:
    """Value each move (unit cost, value) and write its entries; moves inside one warehouse change no value."""
    posting = Posting(balances)
    for move in sorted(moves, key=lambda move: (move.date, move.pk)):
        source, target = locations[move.from_location_id], locations[move.to_location_id]
        if source.is_internal and target.is_internal and source.warehouse_id == target.warehouse_id:
            continue
        unit_cost = move.unit_cost
        if source.is_internal:
            step = posting.apply(move, source.warehouse_id, -move.quantity, None, False)
            move.unit_cost, move.value = step.unit_cost, -step.value
            unit_cost = step.unit_cost
        if target.is_internal:
            is_purchase = source.kind == Location.Kind.SUPPLIER
            step = posting.apply(move, target.warehouse_id, move.quantity, unit_cost, is_purchase)
            if not source.is_internal:
                move.unit_cost = step.unit_cost
                move.value = round_money(move.quantity * step.unit_cost)
    update_rows(
        StockBalance,
        list(balances.values()),
        ["received", "issued", "value", "average_value", "average", "last_cost", "last_date"],
    )


def update_rows(model, rows: list, fields: list[str]) -> None:
    """Write `fields` of rows held in memory: one row (a single move, the usual case) with a plain UPDATE,
    as bulk_update's CASE WHEN per field costs more than the rest of the posting; several with bulk_update."""
    if len(rows) == 1:
        row, attnames = rows[0], [model._meta.get_field(name).attname for name in fields]
        model.objects.filter(pk=row.pk).update(**{attname: getattr(row, attname) for attname in attnames})
    elif rows:
        model.objects.bulk_update(rows, fields)


def current_costs(warehouse_id: int, item_ids: list[int]) -> dict[int, Decimal]:
    """What each item is held at in a warehouse now (for counts and returns without a cost)."""
    rows = {
        row.item_id: row
        for row in StockBalance.objects.filter(warehouse_id=warehouse_id, item_id__in=item_ids)
    }
    costs = {}
    for item in Item.objects.filter(pk__in=item_ids).only("pk", "standard_cost"):
        row = rows.get(item.pk)
        balance = balance_of_row(row) if row else valuation.Balance()
        costs[item.pk] = default_in_cost(balance, item)
    return costs


def balances_for(warehouse_id: int, quantities: dict[int, Decimal]) -> dict[int, valuation.Balance]:
    """Each item's balance in a warehouse now, with the FIFO layers its next `quantity` units out would
    consume. Two queries whatever the number of items (a quotation's lines cost at once)."""
    rows = {
        row.item_id: row
        for row in StockBalance.objects.filter(warehouse_id=warehouse_id, item_id__in=list(quantities))
    }
    in_stock = [item_id for item_id, row in rows.items() if row.received > row.issued]
    layers: dict[int, list[valuation.Layer]] = defaultdict(list)
    if in_stock:
        # The layers still open: those ending after what the item's balance has issued.
        issued = StockBalance.objects.filter(item_id=OuterRef("item_id"), warehouse_id=warehouse_id).values(
            "issued"
        )
        entries = ValuationEntry.objects.filter(
            warehouse_id=warehouse_id, item_id__in=in_stock, quantity__gt=0, received__gt=Subquery(issued[:1])
        )
        for entry in entries.order_by("item_id", "received"):
            row, held = rows[entry.item_id], layers[entry.item_id]
            if sum((layer.left_after(row.issued) for layer in held), ZERO) < quantities[entry.item_id]:
                held.append(_layer(entry))
    return {item_id: balance_of_row(row, tuple(layers[item_id])) for item_id, row in rows.items()}
