"""Read side of sales: which quotations and orders a user may see, the editor's lines, each line's cost
under every basis, two versions compared line by line, and the panels on party and opportunity pages.
Every helper reads a fixed number of queries, whatever the number of lines."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.http import Http404
from django.utils import timezone

from nexo.catalog.models import Item, TaxCategory, TaxRate
from nexo.core import plainsql
from nexo.core.models import Company, User
from nexo.core.rules import round_unit
from nexo.crm.queries import sees_everyone
from nexo.inventory.models import Location, StockMove, StockQuant
from nexo.purchasing import queries as purchasing_queries
from nexo.purchasing import rules as purchasing_rules
from nexo.purchasing.costing import COMPARISON_BASES
from nexo.purchasing.models import PurchaseOrder, PurchaseOrderLine
from nexo.sales import rules
from nexo.sales.models import (
    Delivery,
    DeliveryLine,
    Quotation,
    QuotationLine,
    SalesOrder,
    SalesOrderLine,
    SalesSettings,
)

ZERO = Decimal(0)
ITEM_OPTIONS = 30
# What a line shows in its figure cells: compared before and after a change to find the lines it moved.
FIGURES = (
    "net", "cost", "margin", "margin_percent", "below_min_margin", "min_margin", "unit_price", "gross_net",
    "discount_share",
)  # fmt: skip


# Who sees what


def sees_all_quotations(user: User) -> bool:
    """Managers see every quotation; so do the roles that only read them (accounting). A salesperson —
    who may quote — sees the quotations they make and those of the opportunities they own."""
    return sees_everyone(user) or not user.has_perm("sales.add_quotation")


def _own(user: User) -> Q:
    return Q(salesperson=user) | Q(opportunity__owner=user)


def quotations_visible_to(user: User, company: Company) -> QuerySet[Quotation]:
    queryset = Quotation.objects.filter(company=company)
    return queryset if sees_all_quotations(user) else queryset.filter(_own(user))


def quotation_for(user: User, company: Company, quotation_id: int) -> Quotation:
    """One quotation the user may see, with what its page shows; another company's or a colleague's is a
    404."""
    quotation = (
        quotations_visible_to(user, company)
        .select_related(
            "party", "opportunity", "salesperson", "price_list", "warehouse", "closed_by", "payment_term"
        )
        .filter(pk=quotation_id)
        .first()
    )
    if quotation is None:
        raise Http404("No such quotation.")
    return quotation


def orders_visible_to(user: User, company: Company) -> QuerySet[SalesOrder]:
    queryset = SalesOrder.objects.filter(company=company)
    return queryset if sees_all_quotations(user) else queryset.filter(_own(user))


def order_for(user: User, company: Company, order_id: int) -> SalesOrder:
    order = (
        orders_visible_to(user, company)
        .select_related("party", "opportunity", "salesperson", "warehouse", "quotation", "payment_term")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404("No such sales order.")
    return order


# The editor


def editor_lines(quotation: Quotation) -> list[QuotationLine]:
    return list(quotation.lines.select_related("item").order_by("position", "id"))


def line_of(quotation: Quotation, line_id: int) -> QuotationLine:
    return QuotationLine.objects.select_related("item").get(quotation=quotation, pk=line_id)


def line_figures(quotation_id: int) -> dict[int, tuple]:
    """Each line's shown figures, by line id: compared before and after a change."""
    rows = QuotationLine.objects.filter(quotation_id=quotation_id).values_list("pk", *FIGURES)
    return {pk: tuple(figures) for pk, *figures in rows}


def below_count(figures: dict[int, tuple]) -> int:
    """How many lines are under their minimum margin, from `line_figures`."""
    index = FIGURES.index("below_min_margin")
    return sum(1 for row in figures.values() if row[index])


@dataclass(frozen=True)
class FigureCells:
    """The figure cells of a line that a change elsewhere moved (the document discount is spread by net)."""

    pk: int
    net: Decimal
    cost: Decimal
    margin: Decimal
    margin_percent: Decimal | None
    below_min_margin: bool
    min_margin: Decimal
    unit_price: Decimal
    gross_net: Decimal  # the line's own net, before its share of the document discount
    discount_share: Decimal


def moved_lines(before: dict[int, tuple], after: dict[int, tuple], *, but: int | None = None) -> list:
    """Other lines whose figures a change moved, but not their price: only their figure cells change."""
    price = FIGURES.index("unit_price")
    return [
        FigureCells(pk, *figures)
        for pk, figures in after.items()
        if pk != but and pk in before and before[pk] != figures and before[pk][price] == figures[price]
    ]


def repriced_lines(
    quotation: Quotation, before: dict[int, tuple], after: dict[int, tuple], *, but=None
) -> list:
    """Other lines the price list priced anew meanwhile (the services re-price every unlocked line): their
    whole row changes. Rare: the price list changed since the quotation was last edited."""
    price = FIGURES.index("unit_price")
    ids = [
        pk
        for pk, figures in after.items()
        if pk != but and pk in before and before[pk][price] != figures[price]
    ]
    if not ids:
        return []
    return list(quotation.lines.filter(pk__in=ids).select_related("item").order_by("position", "id"))


@dataclass(frozen=True)
class Availability:
    """An item's stock in a warehouse as a line shows it: on hand - reserved + on order, and when the next
    receipt is due (the earliest expected date of the confirmed purchase orders still to receive)."""

    on_hand: Decimal
    reserved: Decimal
    on_order: Decimal
    next_receipt: date | None

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved + self.on_order


def stock_available(company_id: int, warehouse_id: int | None, item_ids) -> dict[int, Availability]:
    """Each stocked item's stock available in the warehouse: on hand - reserved (draft moves out of it) + on
    order (what confirmed purchase orders into it have still to receive), with the next receipt's expected
    date. One query, whatever the items."""
    ids = sorted({item_id for item_id in item_ids if item_id})
    if not ids or warehouse_id is None:
        return {}
    # Plain SQL (every quotation and order answered reads it; the ORM built this statement in several times
    # the time the database ran it), with the ORM's conversions of each value on the way out.
    receivable = list(purchasing_rules.RECEIVABLE)
    pending = (
        "FROM purchasing_purchaseorderline pl JOIN purchasing_purchaseorder po ON po.id = pl.order_id "
        f"WHERE pl.item_id = i.id AND po.state IN ({plainsql.placeholders(len(receivable))}) "
        "AND po.warehouse_id = %s AND pl.quantity > pl.received_quantity"
    )
    # No value in the text: names and placeholders only.
    sql = (
        "SELECT i.id, "  # noqa: S608
        "(SELECT CAST(b.received - b.issued AS NUMERIC) FROM inventory_stockbalance b "
        " WHERE b.item_id = i.id AND b.warehouse_id = %s LIMIT 1), "
        "(SELECT CAST(SUM(m.quantity) AS NUMERIC) FROM inventory_stockmove m "
        " JOIN inventory_location f ON f.id = m.from_location_id"
        " JOIN inventory_location t ON t.id = m.to_location_id"
        " WHERE f.kind = %s AND f.warehouse_id = %s AND m.item_id = i.id AND m.state = %s"
        " AND NOT (t.warehouse_id = %s AND t.warehouse_id IS NOT NULL)), "
        f"(SELECT CAST(SUM(CAST(pl.quantity - pl.received_quantity AS NUMERIC)) AS NUMERIC) {pending}), "
        f"(SELECT MIN(po.expected_date) {pending}) "
        "FROM catalog_item i WHERE i.company_id = %s AND i.kind = %s AND i.id IN ("
        + plainsql.placeholders(len(ids))
        + ")"
    )
    params = [
        warehouse_id, Location.Kind.INTERNAL.value, warehouse_id, StockMove.State.DRAFT.value, warehouse_id,
        *receivable, warehouse_id, *receivable, warehouse_id, company_id, Item.Kind.STOCKED.value, *ids,
    ]  # fmt: skip
    connection = plainsql.connection_now()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    to_quantity = _converter(connection, DecimalField(max_digits=20, decimal_places=4))
    to_day = _converter(connection, DateField())
    found = {}
    for pk, on_hand, reserved, on_order, next_receipt in rows:
        on_hand, reserved, on_order = (to_quantity(value) for value in (on_hand, reserved, on_order))
        found[pk] = Availability(on_hand or ZERO, reserved or ZERO, on_order or ZERO, to_day(next_receipt))
    return found


def _converter(connection, field):
    """What the ORM applies to a value of `field` read from this database (identity when nothing)."""
    expression = Value(None, output_field=field)
    steps = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)

    def convert(value):
        for step in steps:
            value = step(value, expression, connection)
        return value

    return convert


@dataclass(frozen=True)
class TaxOption:
    id: int
    name: str
    rate: Decimal


def tax_options(company: Company, day) -> list[TaxOption]:
    """The company's tax categories with the rate each has on `day`, highest first: one query."""
    rate = TaxRate.objects.filter(tax_category=OuterRef("pk"), valid_from__lte=day).order_by("-valid_from")
    rows = TaxCategory.objects.filter(company=company).annotate(rate=Subquery(rate.values("rate")[:1]))
    options = [TaxOption(row.pk, row.name, row.rate if row.rate is not None else Decimal(0)) for row in rows]
    return sorted(options, key=lambda option: (-option.rate, option.name))


def quotation_to_edit(user: User, company: Company, quotation_id: int) -> Quotation:
    """The quotation alone (no related records): what the editor's live answers need, quickly."""
    quotation = quotations_visible_to(user, company).filter(pk=quotation_id).first()
    if quotation is None:
        raise Http404("No such quotation.")
    return quotation


def item_options(company: Company, text: str) -> list[Item]:
    """Items whose SKU or name has the typed text, SKU matches first, for the line's item picker."""
    text = (text or "").replace("\x00", "").strip()[:60]
    items = Item.objects.filter(company=company, is_active=True)
    if text:
        items = items.filter(Q(sku__icontains=text) | Q(name__icontains=text))
    found = list(items.order_by("sku").only("pk", "sku", "name")[: ITEM_OPTIONS * 3])
    starts = text.casefold()
    found.sort(key=lambda item: (not item.sku.casefold().startswith(starts), item.sku))
    return found[:ITEM_OPTIONS]


def item_by_sku(company: Company, sku: str) -> Item | None:
    sku = (sku or "").strip()
    if not sku:
        return None
    items = Item.objects.filter(company=company, is_active=True)
    return items.filter(sku=sku).first() or items.filter(sku__iexact=sku).first()


# Cost and margin under each basis


def cost_sources(parts: list[dict] | None) -> list[str]:
    """The sources of a line's cost parts, each once, in the order the parts were used: ["fifo",
    "supplier_price"] for a line the stock covered only in part."""
    sources: list[str] = []
    for part in parts or []:
        source = part.get("source") or ""
        if source and source not in sources:
            sources.append(source)
    return sources


@dataclass(frozen=True)
class BasisFigures:
    basis: str
    unit_cost: Decimal | None
    source: str
    margin: Decimal | None
    margin_percent: Decimal | None
    is_used: bool


@dataclass(frozen=True)
class LineByBasis:
    line: QuotationLine
    bases: tuple[BasisFigures, ...]


NO_COST = "none"


def _basis_figures(line: QuotationLine, basis: str) -> BasisFigures:
    entry = (line.cost_comparison or {}).get(basis) or {}
    source = entry.get("source", "")
    unit_cost = Decimal(entry["unit_cost"]) if entry.get("unit_cost") not in (None, "") else None
    if unit_cost is None or source == NO_COST:  # no stock and no supplier price: no cost on this basis
        return BasisFigures(basis, None, source, None, None, False)
    _cost, margin, percent = rules.cost_and_margin(line.quantity, unit_cost, line.net)
    # Only the basis the line's cost came from: with no stock every basis falls back to the same supplier
    # price, which is then the basis used (not average, FIFO and last purchase as well).
    used = line.unit_cost is not None and basis == line.cost_source and unit_cost == line.unit_cost
    return BasisFigures(basis, unit_cost, source, margin, percent, used)


def costs_by_basis(lines: list[QuotationLine]) -> dict:
    """Each line's unit cost and margin (with the line's net) under average, FIFO, last purchase and the best
    supplier price, and the quotation's margin under each basis (over the lines that have a cost on it; the
    others are counted)."""
    by_basis = [
        LineByBasis(line, tuple(_basis_figures(line, basis) for basis in COMPARISON_BASES))
        for line in lines
        if line.item_id is not None
    ]
    totals = []
    for index, basis in enumerate(COMPARISON_BASES):
        costed = [
            (entry.line, entry.bases[index]) for entry in by_basis if entry.bases[index].margin is not None
        ]
        net = sum((line.net for line, _figure in costed), ZERO)
        margin = sum((figure.margin for _line, figure in costed), ZERO)
        totals.append(
            {
                "basis": basis,
                "margin": margin if costed else None,
                "margin_percent": rules.margin_percent(margin, net) if costed else None,
                "missing": len(by_basis) - len(costed),
            }
        )
    return {"lines": by_basis, "bases": COMPARISON_BASES, "totals": totals}


# Versions


def versions_of(user: User, quotation: Quotation) -> list[Quotation]:
    return list(
        quotations_visible_to(user, quotation.company)
        .filter(number=quotation.number)
        .only(
            "pk",
            "number",
            "version",
            "state",
            "date",
            "net",
            "document_discount",
            "margin_percent",
            "currency",
        )
        .order_by("version")
    )


@dataclass(frozen=True)
class ComparedRow:
    change: str  # added, removed, changed, same
    old: QuotationLine | None
    new: QuotationLine | None
    changed: frozenset[str]

    @property
    def label(self) -> str:
        line = self.new or self.old
        return line.description

    @property
    def cells(self) -> list[dict]:
        """Quantity, price, discount and net: before, after, and whether it changed."""
        return [
            {
                "field": name,
                "old": getattr(self.old, name) if self.old else None,
                "new": getattr(self.new, name) if self.new else None,
                "changed": name in self.changed,
            }
            for name in COMPARED_FIELDS
        ]


# The line's own net (before its share of the document discount): a new document discount alone changes no line.
COMPARED_FIELDS = ("quantity", "unit_price", "discount", "gross_net")


def _key(line: QuotationLine) -> tuple:
    return (line.item_id, "") if line.item_id else (None, line.description.strip().casefold())


def compare_lines(old: list[QuotationLine], new: list[QuotationLine]) -> list[ComparedRow]:
    """Two versions line by line: a line is the same one in both when it has the same item (or, without an
    item, the same description), matched in order; then its quantity, price, discount and own net are
    compared."""
    pending: dict[tuple, list[QuotationLine]] = {}
    for line in old:
        pending.setdefault(_key(line), []).append(line)
    rows: list[ComparedRow] = []
    for line in new:
        matches = pending.get(_key(line))
        if matches:
            before = matches.pop(0)
            changed = frozenset(
                name for name in COMPARED_FIELDS if getattr(before, name) != getattr(line, name)
            )
            rows.append(ComparedRow("changed" if changed else "same", before, line, changed))
        else:
            rows.append(ComparedRow("added", None, line, frozenset()))
    removed = [line for lines in pending.values() for line in lines]
    removed.sort(key=lambda line: (line.position, line.pk))
    rows.extend(ComparedRow("removed", line, None, frozenset()) for line in removed)
    return rows


# Orders


def order_lines(order: SalesOrder) -> list[SalesOrderLine]:
    lines = list(order.lines.select_related("item").order_by("position", "id"))
    for line in lines:
        line.margin_percent = rules.margin_percent(line.margin, line.net)
    return lines


#: The origin a purchase order line names when it buys a sales order line's shortage.
ORDER_LINE_ORIGIN = "sales_order_line"


def with_supply(company: Company, order: SalesOrder, lines: list[SalesOrderLine]) -> list[SalesOrderLine]:
    """The order's lines, each given what its warehouse holds for it and what is bought for it, in four
    queries at most whatever the lines:

    - `availability` (None for a service or a free-text line), `to_deliver` (ordered - delivered - cancelled,
      sales.rules: what its draft delivery notes reserve), `to_invoice` (sales.rules), `available` (on hand
      - reserved + on order, counting back its own reservation: what there is for this line), `shortage`
      (what is to deliver beyond that);
    - `purchases`: the purchase order lines bought for it, each with `company_unit_price` (the price in the
      company's currency, when known), `costed_unit_cost` (what the quotation's cost assumed for those units:
      the supplier price it was frozen from, else the line's frozen unit cost) and `difference`;
      `buying` (what draft purchase orders already hold for it; confirmed ones count as on order) and
      `to_buy` (the shortage still to buy)."""
    item_ids = [line.item_id for line in lines if line.item_id]
    stock = stock_available(order.company_id, order.warehouse_id, item_ids)
    purchases: dict[int, list[PurchaseOrderLine]] = {}
    if lines:
        bought = (
            PurchaseOrderLine.objects.filter(
                origin_type=ORDER_LINE_ORIGIN, origin_id__in=[line.pk for line in lines]
            )
            .exclude(order__state=PurchaseOrder.State.CANCELLED)
            .select_related("order", "order__supplier")
            .order_by("order_id", "position", "pk")
        )
        for purchase in bought:
            purchases.setdefault(purchase.origin_id, []).append(purchase)
    rates = _rates_of(company, [purchase for found in purchases.values() for purchase in found])
    for line in lines:
        line.availability = stock.get(line.item_id) if line.item_id else None
        # Its draft delivery notes reserve exactly what it has still to deliver: counted back as its own.
        fulfilment = _line_fulfilment(line, line.availability is not None)
        line.to_deliver, line.to_invoice = fulfilment.to_deliver, fulfilment.to_invoice
        line.available = line.availability.available + line.to_deliver if line.availability else None
        line.shortage = max(line.to_deliver - line.available, ZERO) if line.availability else ZERO
        line.purchases = purchases.get(line.pk, [])
        for purchase in line.purchases:
            rate = rates.get(purchase.order.currency)
            purchase.company_unit_price = round_unit(purchase.unit_price * rate) if rate else None
            # Against what the quotation's cost assumed for the units bought (kept on the purchase line).
            purchase.costed_unit_cost = (
                purchase.origin_unit_cost if purchase.origin_unit_cost is not None else line.unit_cost
            )
            purchase.difference = (
                purchase.company_unit_price - purchase.costed_unit_cost
                if purchase.company_unit_price is not None and purchase.costed_unit_cost is not None
                else None
            )
        line.buying = sum(
            (p.quantity for p in line.purchases if p.order.state == PurchaseOrder.State.DRAFT), ZERO
        )
        line.to_buy = max(line.shortage - line.buying, ZERO)
    return lines


def _line_fulfilment(line: SalesOrderLine, stocked: bool) -> rules.LineFulfilment:
    return rules.LineFulfilment(
        stocked=stocked, ordered=line.quantity, delivered=line.delivered, returned=line.returned,
        invoiced=line.invoiced, cancelled=line.cancelled,
    )  # fmt: skip


def _rates_of(company: Company, purchases: list[PurchaseOrderLine]) -> dict[str, Decimal]:
    """The rate of each purchase's currency: 1 for the company's own, the rate fixed at confirmation, else
    today's (one query, only when a draft is in a foreign currency)."""
    company_currency = company.currency
    rates = {company_currency: Decimal(1)}
    missing = set()
    for purchase in purchases:
        currency = purchase.order.currency
        if currency in rates:
            continue
        if purchase.order.exchange_rate:
            rates[currency] = purchase.order.exchange_rate
        else:
            missing.add(currency)
    if missing:
        rates |= purchasing_queries.rates_on(company, missing, timezone.localdate())
    return rates


# Panels on lower modules' pages


def party_documents(user: User, company: Company, party) -> dict:
    quotations = (
        quotations_visible_to(user, company)
        .filter(party=party)
        .select_related("opportunity")
        .order_by("-date", "-id")[:20]
    )
    orders = orders_visible_to(user, company).filter(party=party).order_by("-date", "-id")[:20]
    return {"quotations": list(quotations), "orders": list(orders)}


def opportunity_quotations(user: User, company: Company, opportunity) -> list[Quotation]:
    return list(
        quotations_visible_to(user, company).filter(opportunity=opportunity).order_by("-number", "-version")
    )


# The home page

#: A sent quotation needs a call when it expires within this many days, or was sent this long ago unanswered.
FOLLOW_UP_DAYS = 7


def quotations_needing_attention(kind: str) -> Q:
    """The quotations of one kind on the home page, as a condition the list page filters by too:
    `awaiting_approval` (drafts with a line under its minimum margin where the company asks for a manager's
    approval, not yet approved), `expiring` (sent, valid, expiring within FOLLOW_UP_DAYS) or `follow_up`
    (sent over FOLLOW_UP_DAYS ago, still valid and unanswered)."""
    today = timezone.localdate()
    open_sent = Q(state=Quotation.State.SENT, valid_until__gte=today)
    if kind == "expiring":
        return open_sent & Q(valid_until__lte=today + timedelta(days=FOLLOW_UP_DAYS))
    if kind == "follow_up":
        return open_sent & Q(sent_at__lt=timezone.now() - timedelta(days=FOLLOW_UP_DAYS))
    # As sales.services.approval.awaits_approval decides it, for many quotations at once.
    below = QuotationLine.objects.filter(quotation_id=OuterRef("pk"), below_min_margin=True)
    required = SalesSettings.objects.filter(company_id=OuterRef("company_id"), margin_approval=True)
    awaiting = Q(state=Quotation.State.DRAFT) & ~Q(approval=Quotation.Approval.APPROVED)
    return awaiting & Q(Exists(below)) & Q(Exists(required))


def orders_to_deliver() -> Q:
    """Confirmed sales orders with goods still to deliver (their delivery state, kept from the lines)."""
    return Q(
        state=SalesOrder.State.CONFIRMED,
        delivery_state__in=[SalesOrder.DeliveryState.TO_DELIVER, SalesOrder.DeliveryState.PARTIAL],
    )


def home_figures(user: User, company: Company) -> dict:
    """What needs the user's attention today among the quotations and orders they may see: draft
    quotations waiting for a manager's approval, sent quotations expiring within FOLLOW_UP_DAYS or sent
    longer ago unanswered, confirmed orders with goods still to deliver. One query per document kind the
    user may open, none for the others. The list pages filter by the same conditions."""
    figures: dict = {}
    if user.has_perm("sales.view_quotation"):
        figures["quotations"] = quotations_visible_to(user, company).aggregate(
            **{
                kind: Count("pk", filter=quotations_needing_attention(kind))
                for kind in ("expiring", "follow_up", "awaiting_approval")
            }
        )
    if user.has_perm("sales.view_salesorder"):
        figures["orders_to_deliver"] = orders_visible_to(user, company).filter(orders_to_deliver()).count()
    return figures


# Delivery notes


def deliveries_visible_to(user: User, company: Company) -> QuerySet[Delivery]:
    """Delivery notes of the orders the user may see (sales.queries.orders_visible_to)."""
    return Delivery.objects.filter(company=company, order__in=orders_visible_to(user, company))


def delivery_lines(delivery: Delivery) -> list[DeliveryLine]:
    """The delivery's lines with their items (and units), order lines and moves: one query."""
    return list(
        DeliveryLine.objects.filter(delivery_id=delivery.pk)
        .select_related("item", "item__unit", "order_line", "move")
        .order_by("position", "id")
    )


def delivery_lines_available(
    company: Company, delivery: Delivery, lines: list[DeliveryLine] | None = None
) -> dict[int, Decimal]:
    """Each line's item on hand at the location its move leaves from (the warehouse's stock location), by
    line id: what validating delivers by default is each line's quantity as far as that goes (lines of one
    item share it; sales.services.default_quantities). One query (two without `lines`)."""
    lines = delivery_lines(delivery) if lines is None else lines
    keys = {(line.item_id, line.move.from_location_id) for line in lines if line.move_id}
    if not keys:
        return {}
    quants = StockQuant.objects.filter(
        company=company,
        item_id__in=sorted({item_id for item_id, _location in keys}),
        location_id__in=sorted({location_id for _item, location_id in keys}),
    ).values_list("item_id", "location_id", "quantity")
    on_hand = {(item_id, location_id): quantity for item_id, location_id, quantity in quants}
    return {
        line.pk: on_hand.get((line.item_id, line.move.from_location_id), ZERO)
        for line in lines
        if line.move_id
    }


@dataclass(frozen=True)
class PickRow:
    """One stop of a picking list: where (None: nowhere in the warehouse holds it), what and how many."""

    location: Location | None
    item: Item
    quantity: Decimal
    line: DeliveryLine


def picking_list(company: Company, delivery: Delivery) -> list[PickRow]:
    """What to pick for a delivery note, by location: each line's quantity taken from the internal
    locations of its warehouse that hold the item, in location name order, sorted by location name then
    SKU; what no location holds comes last, without a location. Two queries."""
    lines = delivery_lines(delivery)
    item_ids = sorted({line.item_id for line in lines})
    held: dict[int, list[StockQuant]] = {}
    if item_ids:
        quants = (
            StockQuant.objects.filter(
                company=company,
                item_id__in=item_ids,
                location__warehouse_id=delivery.warehouse_id,
                location__kind=Location.Kind.INTERNAL,
                quantity__gt=0,
            )
            .select_related("location", "location__warehouse")
            .order_by("location__name", "location_id")
        )
        for quant in quants:
            held.setdefault(quant.item_id, []).append(quant)
    rows, missing = [], []
    taken: dict[int, Decimal] = defaultdict(Decimal)  # by quant: what earlier lines already pick there
    for line in lines:
        left = line.quantity
        for quant in held.get(line.item_id, []):
            if left <= 0:
                break
            pick = min(left, quant.quantity - taken[quant.pk])
            if pick > 0:
                rows.append(PickRow(quant.location, line.item, pick, line))
                taken[quant.pk] += pick
                left -= pick
        if left > 0:
            missing.append(PickRow(None, line.item, left, line))
    rows.sort(
        key=lambda row: (row.location.name.casefold(), row.location.pk, row.item.sku, row.line.position)
    )
    return rows + missing
