"""Read side of the inventory: what is on hand where (now or at a date), what is reserved and available,
stock levels per item and warehouse, the valuation at a date and the moves list.

Every helper costs a constant number of queries whatever the number of rows: figures per row come from
subqueries (OuterRef) or from one grouped query, never from a query per row.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nexo.catalog.models import Category, Item, ValuationMethod
from nexo.core.models import Company
from nexo.core.rules import fold, round_unit
from nexo.inventory.models import (
    InventorySettings,
    Location,
    StockBalance,
    StockMove,
    StockQuant,
    ValuationEntry,
)

ZERO = Decimal(0)
# Sums of many quantities or values may need more digits than one row's column holds.
QUANTITY_SUM = DecimalField(max_digits=30, decimal_places=4)
AMOUNT_SUM = DecimalField(max_digits=30, decimal_places=2)
UNIT_COST = DecimalField(max_digits=30, decimal_places=6)


# Warehouses and locations


def default_warehouse_id(company: Company) -> int | None:
    """The company's default warehouse, read without setting anything up."""
    return (
        InventorySettings.objects.filter(company=company)
        .values_list("default_warehouse_id", flat=True)
        .first()
    )


def internal_locations(company: Company, *, active_only: bool = True) -> QuerySet[Location]:
    """The locations that hold stock, with their warehouse, in warehouse and name order."""
    locations = Location.objects.filter(company=company, kind=Location.Kind.INTERNAL).select_related(
        "warehouse"
    )
    if active_only:
        locations = locations.filter(is_active=True, warehouse__is_active=True)
    return locations.order_by("warehouse__code", "name", "pk")


# On hand and reserved per item and location


def _in_keys(queryset: QuerySet, name: str, ids: Iterable[int] | None) -> QuerySet:
    return queryset if ids is None else queryset.filter(**{f"{name}__in": list(ids)})


def on_hand(
    company: Company,
    *,
    day: Date | None = None,
    item_ids: Iterable[int] | None = None,
    location_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], Decimal]:
    """(item, internal location) → quantity on hand: now (the quants), or at the end of `day`.

    At a date it is the sum of the done moves dated up to it: what came in minus what went out, two
    grouped queries.
    """
    item_ids = None if item_ids is None else list(item_ids)
    location_ids = None if location_ids is None else list(location_ids)
    if day is None:
        quants = _in_keys(
            _in_keys(StockQuant.objects.filter(company=company), "item_id", item_ids),
            "location_id",
            location_ids,
        )
        return {
            (item, location): quantity
            for item, location, quantity in quants.values_list("item_id", "location_id", "quantity")
        }
    done = StockMove.objects.filter(company=company, state=StockMove.State.DONE, date__lte=day)
    done = _in_keys(done, "item_id", item_ids)
    totals: dict[tuple[int, int], Decimal] = {}
    for side, sign in (("to_location", 1), ("from_location", -1)):
        moves = _in_keys(done.filter(**{f"{side}__kind": Location.Kind.INTERNAL}), f"{side}_id", location_ids)
        grouped = moves.values("item_id", f"{side}_id").annotate(
            total=Sum("quantity", output_field=QUANTITY_SUM)
        )
        for row in grouped.order_by():
            key = (row["item_id"], row[f"{side}_id"])
            totals[key] = totals.get(key, ZERO) + sign * row["total"]
    return totals


def reserved(
    company: Company, *, item_ids: Iterable[int] | None = None, location_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], Decimal]:
    """(item, internal location) → the quantity of draft moves planned out of it (planned deliveries)."""
    drafts = StockMove.objects.filter(
        company=company, state=StockMove.State.DRAFT, from_location__kind=Location.Kind.INTERNAL
    )
    drafts = _in_keys(_in_keys(drafts, "item_id", item_ids), "from_location_id", location_ids)
    grouped = drafts.values("item_id", "from_location_id").annotate(
        total=Sum("quantity", output_field=QUANTITY_SUM)
    )
    return {(row["item_id"], row["from_location_id"]): row["total"] for row in grouped.order_by()}


# Stock levels per item and warehouse


def _latest_entry(day: Date) -> QuerySet[ValuationEntry]:
    """The ledger entry of the row's (item, warehouse) in force at the end of `day`."""
    return ValuationEntry.objects.filter(
        item_id=OuterRef("item_id"), warehouse_id=OuterRef("warehouse_id"), date__lte=day
    ).order_by("-date", "-id")


def _at(day: Date, expression, output_field) -> Subquery:
    return Subquery(
        _latest_entry(day).annotate(figure=expression).values("figure")[:1], output_field=output_field
    )


def _reserved_in_warehouse() -> Coalesce:
    """Draft moves out of the row's warehouse: from one of its locations to anywhere outside it.

    A draft transfer between two shelves of the same warehouse reserves nothing there: the goods stay.
    """
    drafts = (
        StockMove.objects.filter(
            state=StockMove.State.DRAFT,
            item_id=OuterRef("item_id"),
            from_location__kind=Location.Kind.INTERNAL,
            from_location__warehouse_id=OuterRef("warehouse_id"),
        )
        .exclude(to_location__warehouse_id=OuterRef("warehouse_id"))
        .order_by()
        .values("item_id")
        .annotate(total=Sum("quantity", output_field=QUANTITY_SUM))
        .values("total")
    )
    return Coalesce(Subquery(drafts, output_field=QUANTITY_SUM), Value(ZERO), output_field=QUANTITY_SUM)


def reserved_is_known(day: Date | None) -> bool:
    """Draft moves are today's plans: they say nothing about what was reserved on a past day."""
    return day is None or day >= timezone.localdate()


def stock_levels(
    company: Company,
    *,
    day: Date | None = None,
    warehouse_id: int | None = None,
    item_ids: Iterable[int] | None = None,
) -> QuerySet[StockBalance]:
    """One row per item and warehouse that ever held it, annotated with `on_hand`, `reserved`,
    `available`, `stock_value` and `average_cost` — now, or at the end of `day`.

    `reserved` and `available` are None for a past day (see `reserved_is_known`).
    """
    rows = StockBalance.objects.filter(company=company).select_related("item", "item__unit", "warehouse")
    if warehouse_id is not None:
        rows = rows.filter(warehouse_id=warehouse_id)
    if item_ids is not None:
        rows = rows.filter(item_id__in=list(item_ids))
    if day is None:
        rows = rows.annotate(
            on_hand=ExpressionWrapper(F("received") - F("issued"), output_field=QUANTITY_SUM),
            stock_value=F("value"),
            average_cost=F("average"),
        )
    else:
        rows = rows.annotate(
            on_hand=Coalesce(
                _at(day, F("received") - F("issued"), QUANTITY_SUM), Value(ZERO), output_field=QUANTITY_SUM
            ),
            stock_value=Coalesce(
                _at(day, F("value_after"), AMOUNT_SUM), Value(ZERO), output_field=AMOUNT_SUM
            ),
            average_cost=Coalesce(_at(day, F("average"), UNIT_COST), Value(ZERO), output_field=UNIT_COST),
        )
    if reserved_is_known(day):
        rows = rows.annotate(reserved=_reserved_in_warehouse()).annotate(
            available=ExpressionWrapper(F("on_hand") - F("reserved"), output_field=QUANTITY_SUM)
        )
    else:
        rows = rows.annotate(
            reserved=Value(None, output_field=QUANTITY_SUM), available=Value(None, output_field=QUANTITY_SUM)
        )
    return rows


def unit_value(on_hand: Decimal | None, value: Decimal | None) -> Decimal | None:
    """What a unit on hand is worth by the item's own method: value ÷ on hand (6 decimals); none with nothing
    on hand. Not the running average the ledger keeps for every item (`average_cost`): a FIFO item's open
    layers may be worth 25.00 a unit while that average says 15.00."""
    if on_hand is None or value is None or on_hand <= 0:
        return None
    return round_unit(value / on_hand)


def with_unit_values(rows: Iterable[StockBalance]) -> list[StockBalance]:
    """Stock level rows as a list, each given `unit_value` and `valuation_method` (its item's)."""
    rows = list(rows)
    for row in rows:
        row.unit_value = unit_value(row.on_hand, row.stock_value)
        row.valuation_method = row.item.valuation_method
    return rows


def with_stock(rows: QuerySet[StockBalance]) -> QuerySet[StockBalance]:
    """Rows with something on hand (or owed: a negative quantity counts too) or some value left."""
    return rows.filter(~Q(on_hand=0) | ~Q(stock_value=0))


def search_items(rows: QuerySet, words: str, prefix: str = "item__") -> QuerySet:
    """Every word in the item's SKU, name or barcode, regardless of case and accents."""
    for word in words.split():
        rows = rows.filter(**{f"{prefix}search_text__contains": fold(word)})
    return rows


# Valuation report


class Group:
    ITEM = "item"
    CATEGORY = "category"
    WAREHOUSE = "warehouse"
    CHOICES = ((ITEM, _("Item")), (CATEGORY, _("Category")), (WAREHOUSE, _("Warehouse")))


@dataclass
class ValuationLine:
    key: int | None  # the item, category or warehouse id (None: items without a category)
    code: str  # SKU or warehouse code; empty for a category
    name: str
    quantity: Decimal | None = None  # per item only: quantities of different items do not add up
    value: Decimal = ZERO
    items: set[int] = field(default_factory=set)
    method: str = ""  # per item only: its valuation method

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def method_label(self) -> str:
        return str(ValuationMethod(self.method).label) if self.method else ""

    @property
    def unit_cost(self) -> Decimal | None:
        if self.quantity is None or self.quantity <= 0:
            return None
        return round_unit(self.value / self.quantity)


@dataclass
class Valuation:
    day: Date
    group: str
    lines: list[ValuationLine]
    total: Decimal
    item_count: int


def valuation_rows(
    company: Company,
    *,
    day: Date,
    warehouse_id: int | None = None,
    item_id: int | None = None,
    category: Category | None = None,
    words: str = "",
) -> list[dict]:
    """Each (item, warehouse) with its quantity and value at the end of `day`: one query. Only a
    warehouse's, an item's, a category's (with its subcategories) or the items whose SKU, name or barcode
    have `words`, when asked.

    The value is the `value_after` of the latest ledger entry dated on or before the day.
    """
    rows = StockBalance.objects.filter(company=company)
    if warehouse_id is not None:
        rows = rows.filter(warehouse_id=warehouse_id)
    if item_id is not None:
        rows = rows.filter(item_id=item_id)
    if category is not None:
        rows = rows.filter(item__category__path__startswith=category.path)
    rows = search_items(rows, words)
    rows = rows.annotate(
        quantity_at=_at(day, F("received") - F("issued"), QUANTITY_SUM),
        value_at=_at(day, F("value_after"), AMOUNT_SUM),
    ).filter(Q(quantity_at__gt=0) | Q(quantity_at__lt=0) | Q(value_at__gt=0) | Q(value_at__lt=0))
    return list(
        rows.order_by("item__sku", "warehouse__code").values(
            "item_id",
            "item__sku",
            "item__name",
            "item__valuation_method",
            "item__category_id",
            "item__category__full_name",
            "warehouse_id",
            "warehouse__code",
            "warehouse__name",
            "quantity_at",
            "value_at",
        )
    )


def valuation(
    company: Company,
    *,
    day: Date,
    group: str = Group.ITEM,
    warehouse_id: int | None = None,
    item_id: int | None = None,
    category: Category | None = None,
    words: str = "",
) -> Valuation:
    """The inventory value at the end of `day`, per item, per category or per warehouse, with the total
    (of what the filters of `valuation_rows` leave)."""
    lines: dict[int | None, ValuationLine] = {}
    total, items = ZERO, set()
    rows = valuation_rows(
        company, day=day, warehouse_id=warehouse_id, item_id=item_id, category=category, words=words
    )
    for row in rows:
        if group == Group.CATEGORY:
            key = row["item__category_id"]
            line = lines.get(key) or ValuationLine(key, "", row["item__category__full_name"] or "")
        elif group == Group.WAREHOUSE:
            key = row["warehouse_id"]
            line = lines.get(key) or ValuationLine(key, row["warehouse__code"], row["warehouse__name"])
        else:
            key = row["item_id"]
            line = lines.get(key) or ValuationLine(
                key, row["item__sku"], row["item__name"], quantity=ZERO, method=row["item__valuation_method"]
            )
            line.quantity += row["quantity_at"] or ZERO
        line.value += row["value_at"] or ZERO
        line.items.add(row["item_id"])
        lines[key] = line
        total += row["value_at"] or ZERO
        items.add(row["item_id"])
    ordered = list(lines.values())
    if group == Group.CATEGORY:
        ordered.sort(key=lambda line: (line.key is None, fold(line.name)))
    elif group == Group.WAREHOUSE:
        ordered.sort(key=lambda line: line.code)
    return Valuation(day=day, group=group, lines=ordered, total=total, item_count=len(items))


# Moves


class MoveKind:
    RECEIPT = "receipt"
    DELIVERY = "delivery"
    TRANSFER = "transfer"
    ADJUSTMENT = "adjustment"
    CUSTOMER_RETURN = "customer_return"
    SUPPLIER_RETURN = "supplier_return"
    CHOICES = (
        (RECEIPT, _("Receipt")),
        (DELIVERY, _("Delivery")),
        (TRANSFER, _("Transfer")),
        (ADJUSTMENT, _("Adjustment")),
        (CUSTOMER_RETURN, _("Customer return")),
        (SUPPLIER_RETURN, _("Return to supplier")),
    )
    LABELS = dict(CHOICES)


def _move_kind() -> Case:
    """What a move is, from the kinds of its two locations (one of them is always internal)."""
    kinds = Location.Kind
    return Case(
        When(from_location__kind=kinds.SUPPLIER, then=Value(MoveKind.RECEIPT)),
        When(to_location__kind=kinds.CUSTOMER, then=Value(MoveKind.DELIVERY)),
        When(
            Q(from_location__kind=kinds.ADJUSTMENT) | Q(to_location__kind=kinds.ADJUSTMENT),
            then=Value(MoveKind.ADJUSTMENT),
        ),
        When(from_location__kind=kinds.CUSTOMER, then=Value(MoveKind.CUSTOMER_RETURN)),
        When(to_location__kind=kinds.SUPPLIER, then=Value(MoveKind.SUPPLIER_RETURN)),
        default=Value(MoveKind.TRANSFER),
        output_field=CharField(),
    )


def location_label(prefix: str = "") -> Case:
    """A location as people read it: "ALM/Existencias" inside a warehouse, its name outside."""
    return Case(
        When(**{f"{prefix}warehouse__isnull": True}, then=F(f"{prefix}name")),
        default=Concat(F(f"{prefix}warehouse__code"), Value("/"), F(f"{prefix}name")),
        output_field=CharField(),
    )


def moves_of(company: Company) -> QuerySet[StockMove]:
    """The company's moves with their item, locations and warehouses, and `kind`, `item_sku`,
    `from_location_name`, `to_location_name`: one query per page."""
    return (
        StockMove.objects.filter(company=company)
        .select_related("item", "item__unit", "from_location__warehouse", "to_location__warehouse")
        .annotate(
            kind=_move_kind(),
            item_sku=F("item__sku"),
            from_location_name=location_label("from_location__"),
            to_location_name=location_label("to_location__"),
        )
    )


def moves_filtered(
    moves: QuerySet[StockMove],
    *,
    item_id: int | None = None,
    warehouse_id: int | None = None,
    location_id: int | None = None,
    state: str | None = None,
    kind: str | None = None,
    date_from: Date | None = None,
    date_to: Date | None = None,
    origin_type: str | None = None,
) -> QuerySet[StockMove]:
    """The moves filters the list page and the API share; None leaves a filter out.

    `warehouse_id` and `location_id` match either end of a move; `origin_type` "" means moves entered by
    hand (no origin document).
    """
    if item_id is not None:
        moves = moves.filter(item_id=item_id)
    if warehouse_id is not None:
        moves = moves.filter(
            Q(from_location__warehouse_id=warehouse_id) | Q(to_location__warehouse_id=warehouse_id)
        )
    if location_id is not None:
        moves = moves.filter(Q(from_location_id=location_id) | Q(to_location_id=location_id))
    if state:
        moves = moves.filter(state=state)
    if kind:
        moves = moves.filter(kind=kind)
    if date_from is not None:
        moves = moves.filter(date__gte=date_from)
    if date_to is not None:
        moves = moves.filter(date__lte=date_to)
    if origin_type is not None:
        moves = moves.filter(origin_type=origin_type)
    return moves


def origin_types(company: Company) -> list[str]:
    """The kinds of documents the company's moves come from ("" for moves entered by hand)."""
    return sorted(
        StockMove.objects.filter(company=company).order_by().values_list("origin_type", flat=True).distinct()
    )


# The stock count sheet

COUNT_SHEET_ROWS = 300


def count_sheet(
    company: Company, location: Location, *, words: str = "", only_stocked_here: bool = True
) -> list[Item]:
    """Active stocked items with `on_hand` at the location (0 when none), by SKU; at most COUNT_SHEET_ROWS + 1
    so a caller can tell the sheet was cut. One query."""
    quantity = StockQuant.objects.filter(item_id=OuterRef("pk"), location_id=location.pk).values("quantity")[
        :1
    ]
    items = Item.objects.filter(company=company, kind=Item.Kind.STOCKED, is_active=True).select_related(
        "unit"
    )
    if only_stocked_here:
        items = items.filter(pk__in=StockQuant.objects.filter(location_id=location.pk).values("item_id"))
    items = search_items(items, words, prefix="")
    items = items.annotate(
        on_hand=Coalesce(
            Subquery(quantity, output_field=QUANTITY_SUM), Value(ZERO), output_field=QUANTITY_SUM
        )
    )
    return list(items.order_by("sku", "pk")[: COUNT_SHEET_ROWS + 1])


def item_stock(company: Company, item: Item) -> dict:
    """An item's stock per warehouse and in all of them (the panel on the item's page): one query."""
    rows = list(
        stock_levels(company, item_ids=[item.pk])
        .filter(~Q(on_hand=0) | ~Q(stock_value=0) | ~Q(reserved=0))
        .order_by("warehouse__code")
    )
    totals = {
        name: sum((getattr(row, name) for row in rows), ZERO)
        for name in ("on_hand", "reserved", "available", "stock_value")
    }
    # The weighted average over every warehouse: their average values over what they hold.
    average_value = sum((row.average_value for row in rows), ZERO)
    totals["average_cost"] = round_unit(average_value / totals["on_hand"]) if totals["on_hand"] > 0 else None
    return {"rows": rows, "totals": totals}


# The home page

#: A stock level short for the orders that reserved it: less on hand than reserved.
SHORT_FOR_ORDERS = Q(available__lt=0)


def home_figures(company: Company) -> dict:
    """What needs a warehouse's attention today: the items short for the orders that reserved them (less
    on hand than reserved in some warehouse). One query."""
    short = stock_levels(company).filter(SHORT_FOR_ORDERS).values("item_id").distinct()
    return {"short_items": short.count()}
