"""The period's margin under each valuation basis: what the goods invoiced in the period would have cost
had every item been valued at its average cost, by FIFO or at its last purchase price, beside the cost
booked (each item by its own method).

Every entry of the stock ledger (`inventory.ValuationEntry`) keeps, whatever the item's method, what all
the methods need right after it: the units ever received and issued, the average value and cost, the last
purchase cost; and each incoming entry is a FIFO layer (`received - quantity … received`). So the balance
just before a delivery's move is known for every method, and the pure engine (`inventory.valuation.issue`)
costs that move under another method exactly as the ledger would have: the average cost and value (from
the entry before it), the layers the move would have consumed, the last purchase cost. The quantities do not
depend on the method, so the history is the same. (The ledger is read as it stands now: a receipt entered
later with an earlier date has revalued what followed it, while the booked cost is the one the invoice
took.)

A delivery's cost under a basis then reaches the invoices as its booked cost does: per order line, the
deliveries less the returns (at the unit cost they left with, under that basis) give what a unit kept
would have cost, and the period's invoiced units (credit notes deducted) cost that, rounded once. Items
already valued by a basis keep their booked cost under it. Services and lines without goods cost the same
under every basis.

Three queries whatever the number of documents: the order lines invoiced with their booked cost; their
delivery lines; the ledger of the items delivered, in its order, up to the last of those deliveries (read in
one pass: the state after each entry is the balance before the next, and the incoming entries not yet
issued are the FIFO layers open then).
"""

from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.db.models import QuerySet, Subquery, Sum, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from nexo.catalog import valuation_methods
from nexo.catalog.models import Item, ValuationMethod
from nexo.core.rules import round_money, round_unit
from nexo.insight.charts import Series, bar_chart
from nexo.insight.services.dashboards import MONEY, PERCENT, TEXT, Cell, Panel
from nexo.insight.services.dashboards.margin_scope import ZERO, Scope
from nexo.inventory import valuation
from nexo.inventory.models import ValuationEntry
from nexo.invoicing.models import InvoiceLine
from nexo.sales import rules as sales_rules
from nexo.sales.models import Delivery, DeliveryLine

BASES = (valuation_methods.AVERAGE, valuation_methods.FIFO, valuation_methods.LAST_PURCHASE)


@dataclass
class OrderLineCosts:
    """An order line's goods: the units and booked cost of the period's invoice lines, and over all its
    validated delivery notes, the units delivered and kept (less returns) with their cost under each basis."""

    method: str
    invoiced_cost: Decimal  # the period's invoice lines' (credit notes deducted)
    invoiced_quantity: Decimal
    delivered_quantity: Decimal = ZERO
    kept_quantity: Decimal = ZERO
    delivered_by_basis: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BASES, ZERO))
    kept_by_basis: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BASES, ZERO))

    def invoiced_under(self, basis: str) -> Decimal:
        """The invoiced units at what a unit kept would have cost under `basis` (a unit delivered, when all
        came back), rounded once; the item's own method: as booked."""
        if basis == self.method:
            return self.invoiced_cost
        if self.kept_quantity > 0:
            return round_money(self.kept_by_basis[basis] * self.invoiced_quantity / self.kept_quantity)
        if self.delivered_quantity > 0:
            return round_money(
                self.delivered_by_basis[basis] * self.invoiced_quantity / self.delivered_quantity
            )
        return self.invoiced_cost


@dataclass
class DeliveryRow:
    """A validated delivery or return line of an order line invoiced in the period."""

    pk: int
    order_line_id: int
    kind: str
    quantity: Decimal
    unit_cost: Decimal | None
    cost: Decimal
    returned_line_id: int | None
    move_id: int | None
    method: str
    standard_cost: Decimal | None


def costs_by_basis(billed: QuerySet[InvoiceLine]) -> dict[str, Decimal]:
    """The booked cost of the period's invoiced goods and their cost under each basis; the difference
    from the booked cost of all lines, by basis (services and lines without goods differ by nothing)."""
    goods = billed.filter(order_line__isnull=False, item__kind=Item.Kind.STOCKED)
    lines = {
        row["order_line_id"]: OrderLineCosts(
            row["item__valuation_method"], round_money(Decimal(row["cost"] or 0)), Decimal(row["quantity"] or 0)
        )
        for row in goods.values("order_line_id", "item__valuation_method")
        .annotate(cost=Sum("cost"), quantity=Sum("quantity"))
        .order_by()
    }  # fmt: skip
    if not lines:
        return dict.fromkeys(BASES, ZERO)
    _cost_deliveries(goods, lines)
    differences = {}
    for basis in BASES:
        differences[basis] = sum(
            (line.invoiced_under(basis) - line.invoiced_cost for line in lines.values()),
            ZERO,
        )
    return differences


def _cost_deliveries(goods: QuerySet[InvoiceLine], lines: dict[int, OrderLineCosts]) -> None:
    """Each order line's units delivered and kept, and their cost under each basis."""
    delivered = DeliveryLine.objects.filter(
        order_line_id__in=goods.values("order_line_id"), delivery__state=Delivery.State.DONE
    )
    rows = [
        DeliveryRow(*values)
        for values in delivered.values_list(
            "pk", "order_line_id", "delivery__kind", "quantity", "unit_cost", "cost", "returned_line_id", "move_id",
            "item__valuation_method", "item__standard_cost",
        )
    ]  # fmt: skip
    issued = {row.move_id: row for row in rows if row.kind == Delivery.Kind.DELIVERY and row.move_id}
    move_of = {row.pk: row.move_id for row in rows}
    under = _issues_under_bases(delivered, issued)
    for row in rows:
        line = lines[row.order_line_id]
        if row.kind == Delivery.Kind.DELIVERY:
            costs = under.get(row.move_id, {})
            line.delivered_quantity += row.quantity
            line.kept_quantity += row.quantity
            for basis in BASES:  # a move the ledger did not value: as booked under every basis
                cost = costs[basis][0] if basis in costs else row.cost
                line.delivered_by_basis[basis] += cost
                line.kept_by_basis[basis] += cost
        else:  # a return comes back at the unit cost its delivery left with, under each basis too
            left_with = under.get(move_of.get(row.returned_line_id), {})
            line.kept_quantity -= row.quantity
            for basis in BASES:
                unit_cost = left_with[basis][1] if basis in left_with else None
                line.kept_by_basis[basis] -= (
                    round_money(row.quantity * unit_cost) if unit_cost is not None else row.cost
                )


#: The ledger's figures, read as text (see `_issues_under_bases`).
LEDGER_FIGURES = ("quantity", "unit_cost", "received", "issued", "average_value", "average", "last_cost")


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


def _issues_under_bases(
    delivered: QuerySet[DeliveryLine], issued: dict[int, DeliveryRow]
) -> dict[int, dict[str, tuple[Decimal, Decimal]]]:
    """Per delivery move: its cost and unit cost under each basis (its item's own method: as booked).

    One query: the ledger of the deliveries' items in their warehouses, in its order, up to the last of those
    deliveries. Read item by item and warehouse by warehouse, it gives the balance just before each delivery
    (the state after the entry before it) with the FIFO layers still open then (the incoming entries not
    yet consumed), which the engine issues the delivery from under each basis.

    The figures travel as text and become Decimal only where they are used (the entries before the
    deliveries, the incoming ones): the ledger of a year's items is tens of thousands of rows, and SQLite,
    which keeps decimals as floats, would have each figure of each row converted to Decimal on the way out
    (its text is the same figure: 15 significant digits, as Django converts them)."""
    moves = delivered.filter(delivery__kind=Delivery.Kind.DELIVERY).values("move_id")
    issues = ValuationEntry.objects.filter(move_id__in=moves, quantity__lt=0)
    last_day = issues.order_by("-date").values("date")[:1]
    ledger = (
        ValuationEntry.objects.filter(
            item_id__in=issues.values("item_id"), warehouse_id__in=issues.values("warehouse_id"),
            date__lte=Subquery(last_day),
        )
        .order_by("item_id", "warehouse_id", "date", "id")
        .annotate(**{f"{name}_text": Cast(name, TextField()) for name in LEDGER_FIGURES})
        .values_list("item_id", "warehouse_id", "move_id", *(f"{name}_text" for name in LEDGER_FIGURES))
    )  # fmt: skip
    found: dict[int, dict[str, tuple[Decimal, Decimal]]] = {}
    for _pair, entries in groupby(ledger, key=itemgetter(0, 1)):
        before: tuple = ("0", "0", "0", "0", None)  # received, issued, average value, average, last cost
        layers: deque[valuation.Layer] = deque()
        for _item, _warehouse, move_id, quantity, unit_cost, *after in entries:
            if quantity.startswith("-"):
                row = issued.get(move_id)
                if row is not None:
                    state = [_decimal(figure) for figure in before]
                    while layers and layers[0].end <= state[1]:  # consumed before this delivery
                        layers.popleft()
                    found[move_id] = _issue_under_bases(row, state, layers, -Decimal(quantity))
            else:
                units = Decimal(quantity)
                layers.append(valuation.Layer(Decimal(after[0]) - units, units, Decimal(unit_cost), move_id))
            before = after
    return found


def _issue_under_bases(row: DeliveryRow, before, layers, quantity: Decimal) -> dict:
    """One delivery's cost and unit cost under each basis, by the engine, from the state before it: FIFO the
    layers the units would have consumed (`fifo_portions`, beyond them the engine's fallback cost, as
    `valuation.issue` costs a FIFO issue); average and last purchase through `valuation.issue` from the
    balance valued by that basis. Its item's own method: as booked."""
    received, issued, average_value, average, last_cost = before
    costs = {}
    for basis in BASES:
        if basis == row.method:
            costs[basis] = (row.cost, row.unit_cost or ZERO)
            continue
        state = {
            "received": received, "issued": issued, "average_value": average_value, "average": average,
            "last_cost": last_cost,
        }  # fmt: skip
        if basis == valuation_methods.FIFO:
            balance = valuation.Balance(**state, layers=tuple(layers))
            beyond = valuation.fallback_cost(balance, row.standard_cost)
            cost = sum((part.value for part in valuation.fifo_portions(balance, quantity, beyond)), ZERO)
        else:
            value = valuation.strategy_of(basis).value(valuation.Balance(**state), row.standard_cost)
            step = valuation.issue(
                valuation.Balance(**state, value=value), method=basis, quantity=quantity,
                standard_cost=row.standard_cost,
            )  # fmt: skip
            cost = -step.value
        costs[basis] = (cost, round_unit(cost / quantity))
    return costs


def margin_by_basis(scope: Scope, billed: QuerySet[InvoiceLine], net: Decimal, booked_cost: Decimal) -> Panel:
    differences = costs_by_basis(billed)
    booked_label = _("As booked (each item's own method)")
    bases = [(booked_label, booked_cost)] + [
        (str(ValuationMethod(basis).label), booked_cost + differences[basis]) for basis in BASES
    ]
    booked_margin = net - booked_cost
    rows: list[list[Cell]] = []
    for label, cost in bases:
        margin = net - cost
        rows.append(
            [label, net, cost, margin, sales_rules.margin_percent(margin, net), margin - booked_margin]
        )
    title = _("Margin under each valuation basis")
    chart = bar_chart(
        title=title, categories=[label for label, _cost in bases],
        series=[Series(_("Margin"), [net - cost for _label, cost in bases])], value_format=scope.money(),
        horizontal=True, empty_text=_("No data"),
    )  # fmt: skip
    return Panel(
        key="valuation_bases",
        title=title,
        columns=[
            _("Basis"),
            _("Sales"),
            _("Cost of goods sold"),
            _("Margin"),
            _("Margin %"),
            _("Against booked"),
        ],
        rows=rows,
        chart=chart,
        note=_(
            "The period's sales against what the goods invoiced would have cost under each method, every"
            " delivery costed from the stock ledger as it stood just before it (the same receipts and"
            " deliveries, another way of valuing them). Services and lines without goods cost the same"
            " under every basis."
        ),
        kinds=[TEXT, MONEY, MONEY, MONEY, PERCENT, MONEY],
    )
