"""Where margin leaks, three tables of lines with what each lost, the most first:

- **hand prices under the list**: lines of the quotations accepted in the period whose price was typed by
  hand (`price_locked`) below what the price list gave (`list_price`, kept on the line when it was priced).
  Lost: the line's net at the list price (with its own line discount, `sales.rules.line_net`) less its net
  at the typed price, both before the document's discount. Orders made without a quotation keep no list
  price and are not here;
- **lines accepted under their minimum margin**: lines of the quotations accepted in the period flagged
  under the item's minimum margin (`below_min_margin`, set when the line was costed). Lost: what the
  minimum margin would have earned on the line's net less the margin it has;
- **purchases dearer than the quotation's cost**: lines of the purchase orders (confirmed or received)
  dated in the period that buy a sales order line's shortage (`origin_type` "sales_order_line"), whose unit
  price in the company's currency (at the rate fixed when the order was confirmed) is above the unit cost
  the sale was costed with (`origin_unit_cost`, else the order line's frozen unit cost). Lost: the ordered
  quantity times the difference.

One query each: SQL picks the lines; the amounts are worked out line by line in Decimal (a product rounded
half-up to cents, which SQLite would compute in floating point).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from nexo.core.rules import round_money, round_unit
from nexo.insight.charts import Series, bar_chart
from nexo.insight.services.dashboards import COUNT, MONEY, NUMBER, PERCENT, TEXT, Cell, Panel
from nexo.insight.services.dashboards.margin_scope import (
    TOP,
    TOP_LINES,
    ZERO,
    Group,
    Scope,
    person_name,
    top_with_others,
)
from nexo.purchasing.models import PurchaseOrder, PurchaseOrderLine
from nexo.sales import rules as sales_rules
from nexo.sales.models import QuotationLine, SalesOrderLine
from nexo.sales.queries import ORDER_LINE_ORIGIN

HUNDRED = Decimal(100)
UNIT_COST = DecimalField(max_digits=16, decimal_places=6)
BOUGHT = (PurchaseOrder.State.CONFIRMED, PurchaseOrder.State.PARTIALLY_RECEIVED, PurchaseOrder.State.RECEIVED)


def panels(scope: Scope) -> list[Panel]:
    return [hand_prices(scope), under_minimum_margin(scope), dearer_purchases(scope)]


@dataclass(frozen=True)
class Leak:
    cells: list[Cell]  # the table's cells but the amount lost
    lost: Decimal
    by: str  # what the chart groups it by (a salesperson, a supplier)


def _item_label(row: dict, description: str = "description") -> str:
    return f"{row['item__sku']} {row['item__name']}" if row.get("item__sku") else row.get(description, "")


def _quotation_label(row: dict) -> str:
    return f"{row['quotation__number']} v{row['quotation__version']}"


def _salesperson(row: dict) -> str:
    return person_name(
        row["quotation__salesperson__first_name"], row["quotation__salesperson__last_name"],
        row["quotation__salesperson__username"],
    )  # fmt: skip


def _leak_panel(
    scope: Scope, *, key: str, title: str, columns: list[str], kinds: list[str], leaks: list[Leak],
    chart_title: str, note: str, empty: str,
) -> Panel:  # fmt: skip
    """The lines, the most lost first (the lines after TOP_LINES summed as one row), the count and total as
    figures, and a chart of what was lost by salesperson or supplier (the first TOP, the others summed)."""
    leaks = sorted(leaks, key=lambda leak: (-leak.lost, [str(cell) for cell in leak.cells]))
    rows: list[list[Cell]] = [[*leak.cells, leak.lost] for leak in leaks[:TOP_LINES]]
    rest = leaks[TOP_LINES:]
    if rest:
        others = _("Other lines (%(count)s)") % {"count": len(rest)}
        rows.append([others, *([None] * (len(columns) - 2)), sum((leak.lost for leak in rest), ZERO)])
    grouped: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for leak in leaks:
        grouped[leak.by] += leak.lost
    groups = sorted(
        (Group(label, [lost]) for label, lost in grouped.items()), key=lambda g: (-g.amounts[0], g.label)
    )
    shown = top_with_others(groups, TOP, _("Others (%(count)s)"))
    chart = bar_chart(
        title=chart_title,
        categories=[group.label for group in shown], series=[Series(_("Amount lost"), [g.amounts[0] for g in shown])],
        value_format=scope.money(), horizontal=True, empty_text=empty,
    )  # fmt: skip
    total = sum((leak.lost for leak in leaks), ZERO)
    lines_label, lost_label = _("Lines"), _("Amount lost")
    return Panel(
        key=key,
        title=title,
        columns=[*columns, lost_label],
        rows=rows,
        chart=chart,
        note=note,
        figures={lines_label: len(leaks), lost_label: total},
        kinds=[*kinds, MONEY],
        figure_kinds={lines_label: COUNT, lost_label: MONEY},
    )


def _accepted_lines(scope: Scope):
    return QuotationLine.objects.filter(
        scope.period("quotation__date"),
        scope.salesperson("quotation__salesperson"),
        scope.category("item"),
        quotation__company=scope.company,
        quotation__state=sales_rules.ACCEPTED,
    )


QUOTATION_FIELDS = (
    "quotation__number", "quotation__version", "quotation__party__name", "quotation__salesperson__first_name",
    "quotation__salesperson__last_name", "quotation__salesperson__username", "item__sku", "item__name",
    "description",
)  # fmt: skip


def hand_prices(scope: Scope) -> Panel:
    rows = (
        _accepted_lines(scope)
        .filter(price_locked=True, list_price__isnull=False, unit_price__lt=F("list_price"))
        .values(*QUOTATION_FIELDS, "quantity", "list_price", "unit_price", "discount", "gross_net")
    )
    leaks = []
    for row in rows:
        lost = sales_rules.line_net(row["quantity"], row["list_price"], row["discount"]) - row["gross_net"]
        if lost <= 0:
            continue  # a price under the list by less than a cent on the line
        cells: list[Cell] = [
            _quotation_label(row), row["quotation__party__name"], _salesperson(row), _item_label(row),
            row["quantity"], row["list_price"], row["unit_price"],
        ]  # fmt: skip
        leaks.append(Leak(cells, lost, _salesperson(row)))
    return _leak_panel(
        scope, key="leak_hand_prices", title=_("Hand prices under the list"),
        columns=[_("Quotation"), _("Customer"), _("Salesperson"), _("Item"), _("Quantity"), _("List price"), _("Unit price")],
        kinds=[TEXT, TEXT, TEXT, TEXT, NUMBER, MONEY, MONEY], leaks=leaks,
        chart_title=_("Lost to hand prices, by salesperson"),
        note=_(
            "Lines of the quotations accepted in the period (by the quotation's date) whose price was typed by"
            " hand below the price list's. Lost: the line's net at the list price less its net, both with the"
            " line's discount and before the document's."
        ),
        empty=_("No hand price under the list in the period."),
    )  # fmt: skip


def under_minimum_margin(scope: Scope) -> Panel:
    rows = (
        _accepted_lines(scope)
        .filter(below_min_margin=True)
        .values(*QUOTATION_FIELDS, "net", "margin", "margin_percent", "min_margin")
    )
    leaks = []
    for row in rows:
        lost = round_money(row["net"] * row["min_margin"] / HUNDRED) - row["margin"]
        cells: list[Cell] = [
            _quotation_label(row), row["quotation__party__name"], _salesperson(row), _item_label(row), row["net"],
            row["margin"], row["margin_percent"], row["min_margin"],
        ]  # fmt: skip
        leaks.append(Leak(cells, lost, _salesperson(row)))
    return _leak_panel(
        scope, key="leak_min_margin", title=_("Lines accepted under their minimum margin"),
        columns=[
            _("Quotation"), _("Customer"), _("Salesperson"), _("Item"), _("Net"), _("Margin"), _("Margin %"),
            _("Minimum margin %"),
        ],
        kinds=[TEXT, TEXT, TEXT, TEXT, MONEY, MONEY, PERCENT, PERCENT], leaks=leaks,
        chart_title=_("Lost under the minimum margin, by salesperson"),
        note=_(
            "Lines of the quotations accepted in the period (by the quotation's date) under their item's"
            " minimum margin when they were costed. Lost: what the minimum margin would have earned on the"
            " line's net less the margin it has."
        ),
        empty=_("No line accepted under its minimum margin in the period."),
    )  # fmt: skip


def dearer_purchases(scope: Scope) -> Panel:
    order_lines = SalesOrderLine.objects.filter(order__company=scope.company)
    frozen = order_lines.filter(pk=OuterRef("origin_id")).values("unit_cost")[:1]
    lines = PurchaseOrderLine.objects.filter(
        scope.period("order__date"),
        scope.category("item"),
        order__company=scope.company,
        order__state__in=BOUGHT,
        origin_type=ORDER_LINE_ORIGIN,
    )
    if scope.filters.salesperson_id is not None:
        lines = lines.filter(
            origin_id__in=order_lines.filter(scope.salesperson("order__salesperson")).values("pk")
        )
    rows = (
        lines.annotate(costed=Coalesce("origin_unit_cost", Subquery(frozen), output_field=UNIT_COST))
        .filter(costed__lt=F("unit_price") * F("order__exchange_rate"))
        .values(
            "order__number", "order__supplier__name", "order__exchange_rate", "origin_label", "item__sku",
            "item__name", "description", "quantity", "unit_price", "costed",
        )
    )  # fmt: skip
    leaks = []
    for row in rows:
        bought_at = round_unit(row["unit_price"] * row["order__exchange_rate"])
        if bought_at <= row["costed"]:
            continue  # SQL's comparison is in floating point on SQLite: Decimal decides
        lost = round_money(row["quantity"] * (bought_at - row["costed"]))
        cells: list[Cell] = [
            row["order__number"], row["order__supplier__name"], row["origin_label"], _item_label(row),
            row["quantity"], row["costed"], bought_at,
        ]  # fmt: skip
        leaks.append(Leak(cells, lost, row["order__supplier__name"]))
    return _leak_panel(
        scope, key="leak_dearer_purchases", title=_("Purchases dearer than the quoted cost"),
        columns=[
            _("Purchase order"), _("Supplier"), _("Sales order"), _("Item"), _("Quantity"), _("Quoted unit cost"),
            _("Purchase unit cost"),
        ],
        kinds=[TEXT, TEXT, TEXT, TEXT, NUMBER, MONEY, MONEY], leaks=leaks,
        chart_title=_("Lost to dearer purchases, by supplier"),
        note=_(
            "Lines of the purchase orders dated in the period (confirmed or received) that buy a sales order's"
            " shortage at a unit price, in the company's currency, above the unit cost the sale was costed"
            " with. Lost: the quantity ordered times the difference. A salesperson's are the purchases for"
            " their orders."
        ),
        empty=_("No purchase dearer than the quoted cost in the period."),
    )  # fmt: skip
