"""Every change to stock: set-up, warehouses and locations, moves (draft, posted → done, or cancelled),
stock counts.

Posting a move locks, in id order, the valuation balance of each (item, warehouse) it touches and the
quant of each (item, location), checks that no location goes negative (unless the company allows it),
applies the valuation engine (`valuation.py`) and writes the ledger entry, all in one transaction.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.catalog.models import Item
from nexo.core import plainsql
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.formatting import number
from nexo.core.models import Company, User
from nexo.core.states import states_change
from nexo.core.validation import MAX_ID, assign, decimal_of, full_clean, locked, quantity_of
from nexo.inventory import accounting, ledger, rules
from nexo.inventory.models import InventorySettings, Location, StockBalance, StockMove, StockQuant, Warehouse

VIRTUAL_LOCATIONS = (
    ("supplier_location", Location.Kind.SUPPLIER, "Proveedores"),
    ("customer_location", Location.Kind.CUSTOMER, "Clientes"),
    ("adjustment_location", Location.Kind.ADJUSTMENT, "Ajustes de inventario"),
)
STOCK_LOCATION_NAME = "Existencias"
# A move's value stays far below what an amount column holds, leaving room for a warehouse's total.
MAX_MOVE_VALUE = Decimal("1e12")
MAX_UNIT_COST = Decimal("1e10")  # what a unit cost column (16 digits, 6 of them decimals) holds


# Set-up and settings


def inventory_setup(*, company: Company) -> InventorySettings:
    """The virtual locations (suppliers, customers, adjustments) and a first warehouse."""
    with transaction.atomic():
        settings, _created = InventorySettings.objects.select_for_update().get_or_create(company=company)
        changed = []
        for field, kind, name in VIRTUAL_LOCATIONS:
            if getattr(settings, f"{field}_id") is None:
                location, _created = Location.objects.get_or_create(
                    company=company, kind=kind, warehouse=None, defaults={"name": name}
                )
                setattr(settings, field, location)
                changed.append(field)
        if settings.default_warehouse_id is None:
            warehouse = Warehouse.objects.filter(company=company).order_by("id").first()
            settings.default_warehouse = warehouse or _warehouse_with_stock(
                company, None, "ALM", "Almacén central"
            )
            changed.append("default_warehouse")
        if changed:
            settings.save(update_fields=changed)
        return settings


def settings_of(company: Company) -> InventorySettings:
    found = plainsql.select(InventorySettings, ("company_id = %s", [company.pk]), order_by=())
    settings = found[0] if found else None
    if settings is None or settings.default_warehouse_id is None:
        settings = inventory_setup(company=company)
    return settings


def inventory_settings_update(
    *,
    company: Company,
    by: User,
    allow_negative_stock: bool | None = None,
    default_warehouse_id: int | None = None,
) -> InventorySettings:
    with transaction.atomic():
        settings = settings_of(company)
        settings = InventorySettings.objects.select_for_update().get(pk=settings.pk)
        if allow_negative_stock is not None:
            settings.allow_negative_stock = bool(allow_negative_stock)
        if default_warehouse_id is not None:
            warehouse = _warehouse_of(company, default_warehouse_id, "default_warehouse")
            if not warehouse.is_active:
                raise ValidationFailed.on("default_warehouse", _("Choose an active warehouse."))
            settings.default_warehouse = warehouse
        settings.save()
        return settings


# Warehouses and locations

WAREHOUSE_FIELDS = ("code", "name", "is_active")
LOCATION_FIELDS = ("name", "is_active")


def _warehouse_of(company: Company, warehouse_id, field: str) -> Warehouse:
    warehouse = Warehouse.objects.filter(company=company, pk=warehouse_id).first()
    if warehouse is None:
        raise ValidationFailed.on(field, _("Unknown warehouse."))
    return warehouse


def _saved(record, field: str, message: str):
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as error:
        raise ValidationFailed.on(field, message) from error
    return record


def _warehouse_with_stock(company: Company, by: User | None, code: str, name: str) -> Warehouse:
    warehouse = Warehouse(company=company, code=code.upper(), name=name, created_by=by, updated_by=by)
    full_clean(warehouse, exclude=["stock_location"])  # after upper-casing: "ß" becomes "SS"
    _saved(warehouse, "code", _("Another warehouse already has this code."))
    warehouse.stock_location = Location.objects.create(
        company=company, warehouse=warehouse, name=STOCK_LOCATION_NAME, created_by=by, updated_by=by
    )
    warehouse.save(update_fields=["stock_location"])
    return warehouse


def warehouse_create(*, company: Company, by: User, code: str, name: str) -> Warehouse:
    """A warehouse and its stock location, where its receipts go."""
    with transaction.atomic():
        settings_of(company)
        return _warehouse_with_stock(company, by, (code or "").strip(), (name or "").strip())


def warehouse_update(*, company: Company, warehouse_id: int, by: User, **fields) -> Warehouse:
    with transaction.atomic():
        warehouse = locked(Warehouse, company=company, pk=warehouse_id, missing=_("No such warehouse."))
        assign(warehouse, fields, WAREHOUSE_FIELDS)
        warehouse.code = (warehouse.code or "").upper()
        warehouse.updated_by = by
        full_clean(warehouse, exclude=["stock_location"])
        if not warehouse.is_active and settings_of(company).default_warehouse_id == warehouse.pk:
            raise ValidationFailed.on("is_active", _("The default warehouse cannot be deactivated."))
        return _saved(warehouse, "code", _("Another warehouse already has this code."))


def location_create(*, company: Company, by: User, warehouse_id: int, name: str) -> Location:
    """An internal location (a shelf, a zone) inside a warehouse."""
    with transaction.atomic():
        warehouse = _warehouse_of(company, warehouse_id, "warehouse")
        location = Location(
            company=company, warehouse=warehouse, name=(name or "").strip(), created_by=by, updated_by=by
        )
        full_clean(location)
        return _saved(location, "name", _("This warehouse already has a location with this name."))


def location_update(*, company: Company, location_id: int, by: User, **fields) -> Location:
    with transaction.atomic():
        location = locked(Location, company=company, pk=location_id, missing=_("No such location."))
        assign(location, fields, LOCATION_FIELDS)
        location.updated_by = by
        full_clean(location)
        if not location.is_active and location.pk in _reserved_locations(company, location):
            raise ValidationFailed.on("is_active", _("This location is used by the company's settings."))
        if (
            not location.is_active
            and StockQuant.objects.filter(location=location).exclude(quantity=0).exists()
        ):
            raise ValidationFailed.on("is_active", _("The location still holds stock; move it out first."))
        return _saved(location, "name", _("This warehouse already has a location with this name."))


def _reserved_locations(company: Company, location: Location) -> set[int]:
    settings = settings_of(company)
    ids = {settings.supplier_location_id, settings.customer_location_id, settings.adjustment_location_id}
    if location.warehouse_id:
        ids.add(
            Warehouse.objects.filter(pk=location.warehouse_id).values_list("stock_location_id", flat=True)[0]
        )
    return ids


# Moves


@dataclass(frozen=True)
class Origin:
    """The document a move comes from: a type name, its id and the reference a user reads."""

    type: str
    id: int | None = None
    label: str = ""


@dataclass(frozen=True)
class MoveLine:
    item_id: int
    quantity: Decimal
    from_location_id: int
    to_location_id: int
    unit_cost: Decimal | None = None
    note: str = ""


def unit_cost_of(value, field: str = "unit_cost") -> Decimal | None:
    if value in (None, ""):
        return None
    cost = decimal_of(value, field)
    if cost < 0:
        raise ValidationFailed.on(field, _("The cost cannot be negative."))
    if cost >= MAX_UNIT_COST:
        raise ValidationFailed.on(field, _("The cost is too large."))
    return cost.quantize(Decimal("0.000001"))


def _ids(values: Iterable) -> set[int]:
    """The values that can be record ids; others name no record (and must not reach the database)."""
    return {value for value in values if type(value) is int and 0 < value <= MAX_ID}


def _by_id(records: Iterable) -> dict:
    return {record.pk: record for record in records}


def _items_and_locations(company: Company, item_ids: Iterable, location_ids: Iterable) -> tuple[dict, dict]:
    """The items and the company's locations named, by id (ids no record can have find nothing)."""
    items = _by_id(plainsql.select(Item, plainsql.among("id", _ids(item_ids))))
    locations = _by_id(
        plainsql.select(
            Location,
            plainsql.both(("company_id = %s", [company.pk]), plainsql.among("id", _ids(location_ids))),
        )
    )
    return items, locations


def _build_moves(
    company: Company, by: User, lines: Sequence[MoveLine], day: Date, origin: Origin | None, state: str
) -> list[StockMove]:
    """Checked, unsaved moves in `state` (draft, or done for moves posted as they are created): the company's
    stocked items, two different locations, one of them internal."""
    if not lines:
        raise ValidationFailed.on("lines", _("Give at least one line."))
    items, locations = _items_and_locations(
        company,
        [line.item_id for line in lines],
        [line.from_location_id for line in lines] + [line.to_location_id for line in lines],
    )
    moves = []
    for line in lines:
        item = items.get(line.item_id)
        if item is None or item.company_id != company.pk:
            raise ValidationFailed.on("item", _("Unknown item."))
        if item.kind != Item.Kind.STOCKED:
            raise ValidationFailed.on("item", _("%(sku)s is a service: it has no stock.") % {"sku": item.sku})
        source, target = locations.get(line.from_location_id), locations.get(line.to_location_id)
        if source is None:
            raise ValidationFailed.on("from_location", _("Unknown location."))
        if target is None:
            raise ValidationFailed.on("to_location", _("Unknown location."))
        if source.pk == target.pk:
            raise ValidationFailed.on("to_location", _("A move goes between two different locations."))
        if not (source.is_internal or target.is_internal):
            raise ValidationFailed.on("to_location", _("A move goes into or out of a warehouse."))
        for field, location in (("from_location", source), ("to_location", target)):
            if not location.is_active:
                raise ValidationFailed.on(
                    field, _("The location %(name)s is not active.") % {"name": location}
                )
        unit_cost = unit_cost_of(line.unit_cost)
        if source.kind == Location.Kind.SUPPLIER and unit_cost is None:
            raise ValidationFailed.on("unit_cost", _("A receipt from a supplier needs its unit cost."))
        quantity = quantity_of(line.quantity)
        if unit_cost is not None and quantity * unit_cost >= MAX_MOVE_VALUE:
            raise ValidationFailed.on(
                "unit_cost", _("The move's value (quantity times unit cost) is too large.")
            )
        move = StockMove(
            company=company, item=item, quantity=quantity, from_location=source,
            to_location=target, date=day, unit_cost=unit_cost if not source.is_internal else None,
            note=(line.note or "")[:200], state=state, created_by=by, updated_by=by,
        )  # fmt: skip
        if origin is not None:
            move.origin_type, move.origin_id, move.origin_label = origin.type, origin.id, origin.label[:60]
        moves.append(move)
    return moves


def moves_create(
    *,
    company: Company,
    by: User,
    lines: Sequence[MoveLine],
    date: Date | None = None,
    origin: Origin | None = None,
    done: bool = False,
) -> list[StockMove]:
    """Several moves of one document in one transaction: drafts, or (`done`) posted at once.

    Moves posted as they are created start done: no state changes, so none is logged."""
    with transaction.atomic():
        state = StockMove.State.DONE if done else StockMove.State.DRAFT
        moves = _build_moves(company, by, lines, date or timezone.localdate(), origin, state)
        plainsql.insert(StockMove, moves)
        if done:
            _post(company, by, moves)
        return moves


def stock_move_create(
    *,
    company: Company,
    by: User,
    item_id: int,
    quantity: Decimal,
    from_location_id: int,
    to_location_id: int,
    date: Date | None = None,
    unit_cost: Decimal | None = None,
    note: str = "",
    origin: Origin | None = None,
    done: bool = False,
) -> StockMove:
    line = MoveLine(item_id, quantity, from_location_id, to_location_id, unit_cost, note)
    return moves_create(company=company, by=by, lines=[line], date=date, origin=origin, done=done)[0]


def _moves_locked(company: Company, move_ids: Iterable[int]) -> list[StockMove]:
    """The moves row-locked in id order, with their items and locations (fetched apart: no joins under a lock)."""
    move_ids = set(move_ids)
    moves = plainsql.select(
        StockMove,
        plainsql.both(("company_id = %s", [company.pk]), plainsql.among("id", _ids(move_ids))),
        for_update=True,
    )
    if len(moves) != len(move_ids):
        raise NotFound(_("No such stock move."))
    items, locations = _items_and_locations(
        company,
        [move.item_id for move in moves],
        [move.from_location_id for move in moves] + [move.to_location_id for move in moves],
    )
    for move in moves:
        move.item = items[move.item_id]
        move.from_location, move.to_location = (
            locations[move.from_location_id],
            locations[move.to_location_id],
        )
    return moves


def _moves_change(moves: list[StockMove], target: str, by: User) -> None:
    """Move every one of `moves` to `target` (rules.MOVE_LIFECYCLE), or none: a Conflict names the first refused."""
    refused = _("The move is %(state)s: it cannot be changed.")
    states_change(moves, target, lifecycle=rules.MOVE_LIFECYCLE, by=by, refused=refused)


#: Documents whose draft moves are posted or cancelled with the document, never alone from the moves' pages
#: or API: a delivery note's moves are validated with it (sales). Inventory knows them by origin type only.
DOCUMENT_ORIGINS = frozenset({"delivery"})


def _refuse_document_moves(moves: list[StockMove], document: str | None) -> None:
    for move in moves:
        if move.origin_type in DOCUMENT_ORIGINS and move.origin_type != document:
            raise Conflict(
                _("The move belongs to %(document)s: it is posted or cancelled with that document.")
                % {"document": move.origin_label or move.origin_type}
            )


def stock_moves_post(
    *, company: Company, by: User, move_ids: Sequence[int], document: str | None = None
) -> list[StockMove]:
    """Post draft moves: they become done, and stock and valuation change now, at each move's date.

    A move of a document (DOCUMENT_ORIGINS) is posted only by that document's service, which names it as
    `document`. Locks the moves (id order), then what `_post` locks; the state changes are logged in one
    statement."""
    with transaction.atomic():
        moves = _moves_locked(company, move_ids)
        _refuse_document_moves(moves, document)
        _moves_change(moves, StockMove.State.DONE, by)
        _post(company, by, moves)
        return moves


def stock_move_post(*, company: Company, by: User, move_id: int) -> StockMove:
    return stock_moves_post(company=company, by=by, move_ids=[move_id])[0]


def stock_moves_cancel(
    *, company: Company, by: User, move_ids: Sequence[int], document: str | None = None
) -> list[StockMove]:
    """Only a draft move can be cancelled; a done one is undone by a move the other way. A document's move
    only by its document's service (`document`, as for posting). Locks the moves."""
    with transaction.atomic():
        moves = _moves_locked(company, move_ids)
        _refuse_document_moves(moves, document)
        _moves_change(moves, StockMove.State.CANCELLED, by)
        for move in moves:
            move.updated_by = by
        StockMove.objects.bulk_update(moves, ["state", "updated_by", "updated_at"])
        return moves


def stock_move_cancel(*, company: Company, by: User, move_id: int) -> StockMove:
    return stock_moves_cancel(company=company, by=by, move_ids=[move_id])[0]


def _locked_rows(
    model, company: Company, where: plainsql.Where, keys: set[tuple[int, int]], other: str
) -> dict:
    """The rows of `model` matching `where` by (item, other), those of `keys` created if missing, locked in
    id order (so two postings never wait on each other in a circle)."""

    def select():
        rows = plainsql.select(model, where, for_update=True)
        return {(row.item_id, getattr(row, f"{other}_id")): row for row in rows}

    rows = select()
    missing = keys - rows.keys()
    if missing:
        # Inserted in key order: two postings creating the same rows wait for each other instead of crossing.
        model.objects.bulk_create(
            [
                model(company=company, item_id=item_id, **{f"{other}_id": other_id})
                for item_id, other_id in sorted(missing)
            ],
            ignore_conflicts=True,
        )
        rows = select()
    return rows


def _pairs(first: str, second: str, keys: set[tuple[int, int]]) -> plainsql.Where:
    if not keys:
        return "1 = 0", []
    condition = " OR ".join([f"({first} = %s AND {second} = %s)"] * len(keys))
    return condition, [value for key in sorted(keys) for value in key]


def _post(company: Company, by: User, moves: list[StockMove]) -> None:
    """Stock and valuation for moves being posted (already in state done), under row locks; refuses a
    location going negative.

    Locks every valuation balance of the moves' items, in all warehouses (a backdated move can revalue a
    transfer into another warehouse), then the quants the moves change. A perpetual company's documents post
    their stock entries (accounting.moves_entries) in the same transaction."""
    settings, stock_method = accounting.settings_with_method(company)
    locations = {move.from_location_id: move.from_location for move in moves} | {
        move.to_location_id: move.to_location for move in moves
    }
    quant_keys, balance_keys = set(), set()
    for move in moves:
        for location in (locations[move.from_location_id], locations[move.to_location_id]):
            if location.is_internal:
                quant_keys.add((move.item_id, location.pk))
                balance_keys.add((move.item_id, location.warehouse_id))
    item_ids = {item_id for item_id, _warehouse in balance_keys}
    balances = _locked_rows(
        StockBalance, company, plainsql.among("item_id", item_ids), balance_keys, "warehouse"
    )
    quants = _locked_rows(
        StockQuant, company, _pairs("item_id", "location_id", quant_keys), quant_keys, "location"
    )
    for move in moves:
        source, target = locations[move.from_location_id], locations[move.to_location_id]
        if source.is_internal:
            quants[(move.item_id, source.pk)].quantity -= move.quantity
        if target.is_internal:
            quants[(move.item_id, target.pk)].quantity += move.quantity
    if not settings.allow_negative_stock:
        _refuse_negative(moves, quants, locations)
    now = timezone.now()
    posting = ledger.post_moves(moves, balances, locations)
    for move in moves:
        move.done_at, move.updated_by = now, by
    plainsql.update(StockMove, moves, ["state", "done_at", "unit_cost", "value", "updated_by", "updated_at"])
    plainsql.update(StockQuant, list(quants.values()), ["quantity"])
    if stock_method == accounting.PERPETUAL:
        accounting.moves_entries(company, by, moves, locations, posting.values, posting.revalued)


def _refuse_negative(moves: list[StockMove], quants: dict, locations: dict) -> None:
    for move in moves:
        source = locations[move.from_location_id]
        if not source.is_internal:
            continue
        left = quants[(move.item_id, source.pk)].quantity
        if left < 0:
            raise Conflict(
                _("Not enough stock of %(sku)s in %(location)s: %(on_hand)s on hand, %(asked)s asked.")
                % {
                    "sku": move.item.sku,
                    "location": source,
                    "on_hand": number(left + move.quantity),
                    "asked": number(move.quantity),
                }
            )


# Stock count


def stock_count_post(
    *,
    company: Company,
    by: User,
    location_id: int,
    counted: dict[int, Decimal],
    date: Date | None = None,
    note: str = "",
) -> list[StockMove]:
    """Set what was counted: the differences become done moves to or from the adjustment location.

    Gains enter at the item's current cost in the warehouse (its average, else its last purchase, else
    its standard cost), so a count never invents a price.
    """
    with transaction.atomic():
        settings = settings_of(company)
        location = Location.objects.filter(
            company=company, pk=location_id, kind=Location.Kind.INTERNAL
        ).first()
        if location is None:
            raise ValidationFailed.on("location", _("Choose a location of a warehouse."))
        wanted = {}
        for item_id, quantity in counted.items():
            quantity = decimal_of(quantity, f"counted.{item_id}")
            if quantity < 0:
                raise ValidationFailed.on(f"counted.{item_id}", _("A count cannot be negative."))
            wanted[item_id] = quantity
        on_hand = dict(
            StockQuant.objects.select_for_update()
            .filter(location=location, item_id__in=list(wanted))
            .values_list("item_id", "quantity")
        )
        costs = ledger.current_costs(location.warehouse_id, list(wanted))
        lines = []
        adjustment = settings.adjustment_location_id
        for item_id, quantity in sorted(wanted.items()):
            difference = quantity - on_hand.get(item_id, Decimal(0))
            if difference > 0:
                lines.append(MoveLine(item_id, difference, adjustment, location.pk, costs.get(item_id), note))
            elif difference < 0:
                lines.append(MoveLine(item_id, -difference, location.pk, adjustment, None, note))
        if not lines:
            return []
        origin = Origin("stock_count", None, _("Count %(location)s") % {"location": location})
        return moves_create(company=company, by=by, lines=lines, date=date, origin=origin, done=True)
