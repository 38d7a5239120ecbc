"""The valuation ledger: applies the pure engine to moves being posted and stores each entry with its state.

A move dated on or after the latest entry of its (item, warehouse) reads only the balance row (and, for
a FIFO issue, the few layers it consumes). A backdated move starts from the entry just before its date
and recomputes only the entries after it; where one of those is a transfer to another warehouse whose
cost changed, the transfer's incoming entry there and the entries after it are recomputed too. Called by
the services, inside their transaction, with every balance row of the moves' items locked.

The reads and writes per move go through `core.plainsql`: building ORM queries cost more than the rest.
"""

import heapq
from collections import defaultdict
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from nexo.catalog.models import Item
from nexo.core import plainsql
from nexo.core.rules import round_money
from nexo.inventory import valuation
from nexo.inventory.models import Location, StockBalance, StockMove, ValuationEntry

ZERO = Decimal(0)
LAYER_BATCH = 20
STATE_FIELDS = ("received", "issued", "average_value", "average", "last_cost")
ENTRY_UPDATE_FIELDS = ("unit_cost", "value", "value_after", *STATE_FIELDS)
BALANCE_FIELDS = ("received", "issued", "value", "average_value", "average", "last_cost", "last_date")


def _layer(entry: ValuationEntry) -> valuation.Layer:
    return valuation.Layer(entry.received - entry.quantity, entry.quantity, entry.unit_cost, entry.move_id)


def _entries(item_id: int, warehouse_id: int, condition: str = "", params=(), **options) -> list:
    where = "item_id = %s AND warehouse_id = %s" + (f" AND ({condition})" if condition else "")
    return plainsql.select(ValuationEntry, (where, [item_id, warehouse_id, *params]), **options)


def _open_layers(
    item_id: int, warehouse_id: int, issued: Decimal, received: Decimal, covering: Decimal | None
):
    """FIFO layers with units left after `issued`, oldest first: enough for `covering` units, or all."""
    condition, params = "quantity > 0 AND received > %s AND received <= %s", [issued, received]
    if covering is not None:
        layers = tuple(
            _layer(entry)
            for entry in _entries(
                item_id, warehouse_id, condition, params, order_by=["received"], limit=LAYER_BATCH
            )
        )
        if len(layers) < LAYER_BATCH or sum((layer.left_after(issued) for layer in layers), ZERO) >= covering:
            return layers
    return tuple(
        _layer(entry) for entry in _entries(item_id, warehouse_id, condition, params, order_by=["received"])
    )


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
    method = item.valuation_method  # a name in catalog.valuation_methods: the engine finds its strategy
    if quantity > 0:
        return valuation.receive(
            balance, method=method, quantity=quantity, unit_cost=unit_cost, is_purchase=is_purchase,
            standard_cost=item.standard_cost, source=source,
        )  # fmt: skip
    return valuation.issue(balance, method=method, quantity=-quantity, standard_cost=item.standard_cost)


class Posting:
    """The entries of one batch of moves, applied in (date, id) order.

    `balances` holds every locked balance row of the batch's items, in all warehouses: a backdated move
    may revalue a transfer's incoming side in a warehouse the batch itself does not touch.
    """

    def __init__(self, balances: dict[tuple[int, int], StockBalance]):
        self.balances = balances
        self.changed: dict[tuple[int, int], StockBalance] = {}
        # Entries of moves posted forward wait here and are written in one statement: a document's moves
        # cost one INSERT, not one per line. Written before anything reads entries back.
        self.pending: list[ValuationEntry] = []
        # What the batch changed the stock value by: per move posted, and in later entries it revalued.
        self.values: dict[int, Decimal] = defaultdict(Decimal)
        self.revalued = ZERO

    def apply(self, move: StockMove, warehouse_id: int, quantity: Decimal, unit_cost, is_purchase: bool):
        """One signed quantity of `move` in one warehouse; returns the step (value, unit cost)."""
        key = (move.item_id, warehouse_id)
        row = self.changed[key] = self.balances[key]
        if row.last_date is None or move.date >= row.last_date:
            return self._forward(row, move, warehouse_id, quantity, unit_cost, is_purchase)
        return self._backdated(move, warehouse_id, quantity, unit_cost, is_purchase)

    def write(self) -> None:
        """Store the entries still waiting and the balance rows the batch changed."""
        self._flush()
        plainsql.update(StockBalance, list(self.changed.values()), BALANCE_FIELDS)

    def _flush(self) -> None:
        if self.pending:
            plainsql.insert(ValuationEntry, self.pending)
            self.pending = []

    def _entry(self, move, warehouse_id, quantity, step, is_purchase) -> ValuationEntry:
        entry = ValuationEntry(
            company_id=move.company_id, item_id=move.item_id, warehouse_id=warehouse_id, move_id=move.pk,
            date=move.date, quantity=quantity, unit_cost=step.unit_cost, value=step.value, is_purchase=is_purchase,
        )  # fmt: skip
        _store(entry, step.balance)
        self.pending.append(entry)
        self.values[move.pk] += step.value
        return entry

    def _forward(self, row, move, warehouse_id, quantity, unit_cost, is_purchase):
        layers = ()
        if quantity < 0 and valuation.strategy_of(move.item.valuation_method).keeps_layers:
            if any(
                entry.quantity > 0 and (entry.item_id, entry.warehouse_id) == (move.item_id, warehouse_id)
                for entry in self.pending
            ):
                self._flush()  # a receipt of this batch is a layer it may issue from
            layers = _open_layers(move.item_id, warehouse_id, row.issued, row.received, -quantity)
        balance = balance_of_row(row, layers)
        if quantity > 0 and unit_cost is None:
            unit_cost = default_in_cost(balance, move.item)
        step = _step(balance, move.item, quantity, unit_cost, is_purchase, move.pk)
        self._entry(move, warehouse_id, quantity, step, is_purchase)
        _store(row, step.balance)
        row.last_date = move.date
        return step

    def _backdated(self, move, warehouse_id, quantity, unit_cost, is_purchase):
        """Start from the entry just before the move's date; recompute only the entries after it."""
        self._flush()
        item = move.item
        prior = _entries(
            move.item_id, warehouse_id, "date <= %s", [move.date], order_by=["-date", "-id"], limit=1
        )
        balance = self._state_after(item, warehouse_id, prior[0] if prior else None)
        if quantity > 0 and unit_cost is None:
            unit_cost = default_in_cost(balance, item)
        step = _step(balance, item, quantity, unit_cost, is_purchase, move.pk)
        self._entry(move, warehouse_id, quantity, step, is_purchase)
        self._flush()  # the replay below and the transfers it follows read entries back
        later = _entries(move.item_id, warehouse_id, "date > %s", [move.date], order_by=["date", "id"])
        pending = self._replay(item, warehouse_id, step.balance, later, {})
        self._follow_transfers(item, pending)
        return step

    def _state_after(self, item: Item, warehouse_id: int, entry: ValuationEntry | None) -> valuation.Balance:
        layers = ()
        if entry is not None and valuation.strategy_of(item.valuation_method).keeps_layers:
            layers = _open_layers(item.pk, warehouse_id, entry.issued, entry.received, None)
        return _balance_of_entry(entry, layers)

    def _replay(self, item, warehouse_id, balance, entries, incoming_costs: dict[int, Decimal]) -> list:
        """Recompute `entries` (in order) from `balance`; `incoming_costs` gives transfers-in a new cost.

        Returns the transfers out whose cost changed, as (their incoming entry, its new cost)."""
        revalued_moves, changed_out = [], {}
        for entry in entries:
            unit_cost = incoming_costs.get(entry.pk, entry.unit_cost)
            after = _step(balance, item, entry.quantity, unit_cost, entry.is_purchase, entry.move_id)
            if entry.quantity < 0:
                revalued_moves.append(
                    StockMove(pk=entry.move_id, unit_cost=after.unit_cost, value=-after.value)
                )
                if after.unit_cost != entry.unit_cost:
                    changed_out[entry.move_id] = after.unit_cost
            self.revalued += after.value - entry.value
            entry.unit_cost, entry.value = after.unit_cost, after.value
            _store(entry, after.balance)
            balance = after.balance
        plainsql.update(ValuationEntry, entries, ENTRY_UPDATE_FIELDS)
        plainsql.update(StockMove, revalued_moves, ["unit_cost", "value"])
        row = self.changed[(item.pk, warehouse_id)] = self.balances[(item.pk, warehouse_id)]
        _store(row, balance)
        if not changed_out:
            return []
        transfers_in = plainsql.select(
            ValuationEntry,
            plainsql.both(("quantity > 0", []), plainsql.among("move_id", changed_out)),
            order_by=(),
        )
        return [(entry, changed_out[entry.move_id]) for entry in transfers_in]

    def _follow_transfers(self, item: Item, pending: list) -> None:
        """Recompute each warehouse a revalued transfer went into, from that transfer's incoming entry.

        Earliest first by (date, entry id): a transfer's incoming entry comes after its outgoing one, so
        each recomputation only reaches further forward and the work ends."""
        queue = [(entry.date, entry.pk, entry.warehouse_id, cost) for entry, cost in pending]
        heapq.heapify(queue)
        while queue:
            day, entry_id, warehouse_id, _cost = queue[0]
            # This pass starts at the earliest; later transfers into the same warehouse join it.
            costs = {queued[1]: queued[3] for queued in queue if queued[2] == warehouse_id}
            queue = [queued for queued in queue if queued[2] != warehouse_id]
            heapq.heapify(queue)
            prior = _entries(
                item.pk, warehouse_id, "date < %s OR (date = %s AND id < %s)", [day, day, entry_id],
                order_by=["-date", "-id"], limit=1,
            )  # fmt: skip
            balance = self._state_after(item, warehouse_id, prior[0] if prior else None)
            later = _entries(
                item.pk, warehouse_id, "date > %s OR (date = %s AND id >= %s)", [day, day, entry_id],
                order_by=["date", "id"],
            )  # fmt: skip
            for entry, new_cost in self._replay(item, warehouse_id, balance, later, costs):
                heapq.heappush(queue, (entry.date, entry.pk, entry.warehouse_id, new_cost))


def post_moves(moves: list[StockMove], balances: dict, locations: dict[int, Location]) -> Posting:
    """Value each move (unit cost, value) and write its entries; moves inside one warehouse change no value.
    Returns the posting: what it changed the stock value by (`values`, `revalued`)."""
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
    posting.write()
    return posting


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
    where = plainsql.both(("warehouse_id = %s", [warehouse_id]), plainsql.among("item_id", quantities))
    rows = {row.item_id: row for row in plainsql.select(StockBalance, where, order_by=())}
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
