"""The margin dashboard: sales and margin by month, item, category, customer and salesperson; quoted against
realised margin; the period's margin under each valuation basis (`margin_bases`); where margin leaks
(`margin_leaks`). Thirteen queries whatever the number of documents (one more for a category's subtree): the
sums are grouped in SQL, and Python only divides them, orders the groups and works out what a sum cannot (a
line partly delivered or invoiced, a leak's amount, the cost of each delivery under another basis).

**Sales** are the posted customer invoices less the posted credit notes dated in the period: their lines'
untaxed net (a cancelled invoice is out, as it is out of the books).

**The cost of what was sold** is the one invoicing kept on each invoice line when it posted
(`InvoiceLine.cost`): the line's share of what the validated delivery notes of its order line cost, less
returns; each delivery line holds the cost the stock ledger gave its move when it left, by the item's
valuation method (the cost of goods sold). A credit note takes back its share of that cost (the goods of a
return at the cost they came back at); a service bills its quoted unit cost; a line typed by hand, or a
credit note for an amount, none. Three places keep a cost, and this one was chosen because it is the cost
of exactly the goods invoiced, measured as they left the warehouse: the order lines' frozen unit cost is
the quotation's estimate (the "quoted" side of the second panel), and re-reading the moves' values now
would move a past month's margin whenever a backdated receipt revalued a move after it was invoiced. The
sales order page's realised margin reads the same delivery costs.

A filter by salesperson reads the order each invoice line bills (a line typed by hand has none and is left
out); a filter by category takes the category and those under it (a line without item is left out).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from nexo.catalog.models import Item
from nexo.core.models import Company
from nexo.core.rules import round_money
from nexo.insight.charts import Series, bar_chart, line_chart
from nexo.insight.services.dashboards import (
    COUNT,
    MONEY,
    PERCENT,
    TEXT,
    Cell,
    Filters,
    Panel,
    margin_bases,
    margin_leaks,
)
from nexo.insight.services.dashboards.margin_scope import (
    TOP,
    ZERO,
    Group,
    Scope,
    percent_text,
    person_name,
    top_with_others,
)
from nexo.insight.services.dashboards.months import Month, month_key, months_of
from nexo.invoicing import rules as invoicing_rules
from nexo.invoicing.models import InvoiceLine
from nexo.sales import rules as sales_rules
from nexo.sales.models import SalesOrder, SalesOrderLine

AMOUNT = DecimalField(max_digits=18, decimal_places=2)


def build(company: Company, filters: Filters) -> list[Panel]:
    scope = Scope.of(company, filters)
    months = months_of(filters.date_from, filters.date_to)
    billed = invoiced_lines(scope)
    monthly = sums_by_month(billed)
    total = Figures(
        sum((figures.net for figures in monthly.values()), ZERO),
        sum((figures.cost for figures in monthly.values()), ZERO),
    )
    invoiced = [sales_by_month(scope, months, monthly), *sales_by_group(scope, billed)]
    bases = margin_bases.margin_by_basis(scope, billed, total.net, total.cost)
    _noted([*invoiced, bases], _invoiced_filters_note(filters))
    others = [quoted_against_realised(scope, months), *margin_leaks.panels(scope)]
    _noted(others, _filters_note(filters))
    return [*invoiced, others[0], bases, *others[1:]]


def _noted(panels: list[Panel], note: str) -> None:
    for panel in panels:
        panel.note = " ".join(part for part in (panel.note, note) if part)


def _invoiced_filters_note(filters: Filters) -> str:
    notes = []
    if filters.salesperson_id is not None:
        notes.append(
            _(
                "Filtered by salesperson: the lines of that salesperson's orders; invoice lines typed by hand"
                " have no salesperson and are left out."
            )
        )
    if filters.category_id is not None:
        notes.append(
            _(
                "Filtered by category: items of that category and those under it; lines without an item are"
                " left out."
            )
        )
    return " ".join(notes)


def _filters_note(filters: Filters) -> str:
    notes = []
    if filters.salesperson_id is not None:
        notes.append(_("Filtered by salesperson: the documents of that salesperson."))
    if filters.category_id is not None:
        notes.append(_("Filtered by category: the lines of items of that category and those under it."))
    return " ".join(notes)


def invoiced_lines(scope: Scope) -> QuerySet[InvoiceLine]:
    """The lines of the posted invoices and credit notes dated in the period, as filtered."""
    return InvoiceLine.objects.filter(
        scope.period("invoice__date"),
        scope.salesperson("order_line__order__salesperson"),
        scope.category("item"),
        invoice__company=scope.company,
        invoice__state=invoicing_rules.POSTED,
    )


@dataclass(frozen=True)
class Figures:
    net: Decimal
    cost: Decimal
    #: The net of invoice lines billing stocked items without a delivery note (typed by hand): the books
    #: record no cost of goods for them, so their whole net counts as margin.
    uncosted: Decimal = ZERO

    @property
    def margin(self) -> Decimal:
        return self.net - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        return sales_rules.margin_percent(self.margin, self.net)


def _amount(value) -> Decimal:
    """A grouped sum as money: SQLite sums decimals as floats."""
    return round_money(Decimal(value)) if value is not None else ZERO


#: Invoice lines that bill stock without a delivery note: no cost of goods is recorded for them.
UNCOSTED = Q(order_line__isnull=True, item__kind=Item.Kind.STOCKED)


def sums_by_month(billed: QuerySet[InvoiceLine]) -> dict[Date, Figures]:
    rows = (
        billed.annotate(month=TruncMonth("invoice__date"))
        .values("month")
        .annotate(uncosted=Sum("net", filter=UNCOSTED), net=Sum("net"), cost=Sum("cost"))
        .order_by()
    )
    return {
        month_key(row["month"]): Figures(_amount(row["net"]), _amount(row["cost"]), _amount(row["uncosted"]))
        for row in rows
    }


SALES_COLUMNS = (MONEY, MONEY, MONEY, PERCENT)


def _sales_columns(first: str) -> list[str]:
    return [first, _("Sales"), _("Cost of goods sold"), _("Margin"), _("Margin %")]


def _sales_row(label: str, figures: Figures) -> list[Cell]:
    return [label, figures.net, figures.cost, figures.margin, figures.margin_percent]


def _sales_figures(total: Figures) -> dict[str, Cell]:
    return {_("Sales"): total.net, _("Margin"): total.margin, _("Margin %"): total.margin_percent}


def sales_by_month(scope: Scope, months: list[Month], monthly: dict[Date, Figures]) -> Panel:
    empty = Figures(ZERO, ZERO)
    figures = [monthly.get(month.first, empty) for month in months]
    total = Figures(
        sum((one.net for one in figures), ZERO), sum((one.cost for one in figures), ZERO),
        sum((one.uncosted for one in figures), ZERO),
    )  # fmt: skip
    title = _("Sales and margin by month")
    shown = _sales_figures(total)
    if total.uncosted:
        shown[_("Sales without a cost of goods")] = total.uncosted
    chart = bar_chart(
        title=title, categories=[month.label for month in months],
        series=[Series(_("Sales"), [one.net for one in figures]), Series(_("Margin"), [one.margin for one in figures])],
        value_format=scope.money(), empty_text=_("No data"),
    )  # fmt: skip
    return Panel(
        key="by_month",
        title=title,
        columns=_sales_columns(_("Month")),
        rows=[_sales_row(month.label, one) for month, one in zip(months, figures, strict=True)],
        chart=chart,
        note=" ".join(
            (
                _(
                    "Posted invoices less credit notes dated in each month, before tax; the cost is that of the goods"
                    " invoiced as they left the warehouse (the delivery notes' cost, by each item's valuation method)."
                ),
                _(
                    "Stock billed by hand, without a delivery note, has no cost of goods in the books: its whole net"
                    " counts as margin (the sales without a cost of goods)."
                )
                if total.uncosted
                else "",
            )
        ).strip(),
        figures=shown,
        kinds=[TEXT, *SALES_COLUMNS],
        figure_kinds={
            _("Sales"): MONEY,
            _("Margin"): MONEY,
            _("Margin %"): PERCENT,
            _("Sales without a cost of goods"): MONEY,
        },
    )


@dataclass(frozen=True)
class Grouping:
    key: str
    title: str
    heading: str
    fields: tuple[str, ...]  # what the rows are grouped by; the first is the group's id (None: no group)
    label: Callable[[dict], str]
    others: str  # "Other items (%(count)s)"


def _groupings() -> list[Grouping]:
    return [
        Grouping(
            "by_item", _("Sales and margin by item"), _("Item"), ("item_id", "item__sku", "item__name"),
            lambda row: f"{row['item__sku']} {row['item__name']}" if row["item_id"] else _("No item"),
            _("Other items (%(count)s)"),
        ),
        Grouping(
            "by_category", _("Sales and margin by category"), _("Category"),
            ("item__category_id", "item__category__full_name", "item__category__name"),
            lambda row: (
                (row["item__category__full_name"] or row["item__category__name"])
                if row["item__category_id"] else _("No category")
            ),
            _("Other categories (%(count)s)"),
        ),
        Grouping(
            "by_customer", _("Sales and margin by customer"), _("Customer"),
            ("invoice__party_id", "invoice__party__name"), lambda row: row["invoice__party__name"],
            _("Other customers (%(count)s)"),
        ),
        Grouping(
            "by_salesperson", _("Sales and margin by salesperson"), _("Salesperson"),
            (
                "order_line__order__salesperson_id", "order_line__order__salesperson__first_name",
                "order_line__order__salesperson__last_name", "order_line__order__salesperson__username",
            ),
            lambda row: person_name(
                row["order_line__order__salesperson__first_name"], row["order_line__order__salesperson__last_name"],
                row["order_line__order__salesperson__username"],
            ),
            _("Other salespeople (%(count)s)"),
        ),
    ]  # fmt: skip


def sales_by_group(scope: Scope, billed: QuerySet[InvoiceLine]) -> list[Panel]:
    """One grouped query per panel; the most sold first, the groups after the first TOP summed."""
    return [_grouped_panel(scope, billed, grouping) for grouping in _groupings()]


def _grouped_panel(scope: Scope, billed: QuerySet[InvoiceLine], grouping: Grouping) -> Panel:
    rows = billed.values(*grouping.fields).annotate(net=Sum("net"), cost=Sum("cost")).order_by()
    groups = [
        (
            Figures(_amount(row["net"]), _amount(row["cost"])),
            grouping.label(row),
            row[grouping.fields[0]] or 0,
        )
        for row in rows
    ]
    groups.sort(key=lambda found: (-found[0].net, found[1], found[2]))
    shown = top_with_others(
        [Group(label, [figures.net, figures.cost]) for figures, label, _id in groups], TOP, grouping.others
    )
    figures = [Figures(*group.amounts) for group in shown]
    chart = bar_chart(
        title=grouping.title, categories=[group.label for group in shown],
        series=[Series(_("Sales"), [one.net for one in figures]), Series(_("Margin"), [one.margin for one in figures])],
        value_format=scope.money(), horizontal=True, empty_text=_("No data"),
    )  # fmt: skip
    return Panel(
        key=grouping.key,
        title=grouping.title,
        columns=_sales_columns(grouping.heading),
        rows=[_sales_row(group.label, one) for group, one in zip(shown, figures, strict=True)],
        chart=chart,
        note=_("The %(count)s that sold the most in the period; the others add up in the last row.")
        % {"count": TOP},
        kinds=[TEXT, *SALES_COLUMNS],
    )


# Quoted against realised


def _order_lines(scope: Scope) -> QuerySet[SalesOrderLine]:
    return SalesOrderLine.objects.filter(
        scope.period("order__date"),
        scope.salesperson("order__salesperson"),
        scope.category("item"),
        order__company=scope.company,
    ).exclude(order__state=SalesOrder.State.CANCELLED)


#: A line of goods whose kept quantity is its invoiced one: its realised figures are its invoiced net and
#: its delivered cost, whole (sales.rules.realised_line), so SQL can add them up.
WHOLE = Q(item__kind=Item.Kind.STOCKED, invoiced__gt=0, invoiced=F("delivered") - F("returned"))


@dataclass
class Quoted:
    orders: int = 0
    net: Decimal = ZERO
    margin: Decimal = ZERO
    realised_net: Decimal = ZERO
    realised_cost: Decimal = ZERO

    @property
    def realised_margin(self) -> Decimal:
        return self.realised_net - self.realised_cost


def quoted_by_month(scope: Scope) -> dict[Date, Quoted]:
    """Two queries: the sums per month (the lines realised whole added up in SQL), then the lines partly
    delivered or invoiced (and services), whose share `sales.rules.realised_line` works out."""
    lines = _order_lines(scope).annotate(
        month=TruncMonth("order__date"),
        whole=Case(When(WHOLE, then=Value(True)), default=Value(False), output_field=BooleanField()),
    )
    sums = lines.values("month").annotate(
        orders=Count("order_id", distinct=True), net=Sum("net"), margin=Sum("margin"),
        realised_net=Sum(Case(When(whole=True, then=F("invoiced_net")), default=Value(ZERO), output_field=AMOUNT)),
        realised_cost=Sum(Case(When(whole=True, then=F("delivered_cost")), default=Value(ZERO), output_field=AMOUNT)),
    ).order_by()  # fmt: skip
    found = {
        month_key(row["month"]): Quoted(
            row["orders"], _amount(row["net"]), _amount(row["margin"]), _amount(row["realised_net"]),
            _amount(row["realised_cost"]),
        )
        for row in sums
    }  # fmt: skip
    partial = lines.filter(whole=False, invoiced__gt=0).values(
        "month",
        "item__kind",
        "delivered",
        "returned",
        "invoiced",
        "delivered_cost",
        "invoiced_net",
        "unit_cost",
    )
    for row in partial:
        figures = sales_rules.realised_line(
            sales_rules.RealisedInput(
                stocked=row["item__kind"] == Item.Kind.STOCKED, delivered=row["delivered"], returned=row["returned"],
                invoiced=row["invoiced"], delivered_cost=row["delivered_cost"], invoiced_net=row["invoiced_net"],
                unit_cost=row["unit_cost"],
            )
        )  # fmt: skip
        month = found[month_key(row["month"])]
        month.realised_net += figures.net
        month.realised_cost += figures.cost
    return found


def quoted_against_realised(scope: Scope, months: list[Month]) -> Panel:
    found = quoted_by_month(scope)
    figures = [found.get(month.first, Quoted()) for month in months]
    total = Quoted(
        sum(one.orders for one in figures), sum((one.net for one in figures), ZERO),
        sum((one.margin for one in figures), ZERO), sum((one.realised_net for one in figures), ZERO),
        sum((one.realised_cost for one in figures), ZERO),
    )  # fmt: skip
    rows: list[list[Cell]] = []
    charted: list[tuple[str, Decimal, Decimal]] = []
    for month, one in zip(months, figures, strict=True):
        quoted = sales_rules.margin_percent(one.margin, one.net)
        realised = sales_rules.margin_percent(one.realised_margin, one.realised_net)
        rows.append(
            [
                month.label,
                one.orders,
                one.net,
                one.margin,
                quoted,
                one.realised_net,
                one.realised_margin,
                realised,
            ]
        )
        if quoted is not None and realised is not None:
            charted.append((month.label, quoted, realised))
    title = _("Quoted against realised margin")
    chart = line_chart(
        title=title, categories=[label for label, _quoted, _realised in charted],
        series=[
            Series(_("Quoted margin %"), [quoted for _label, quoted, _realised in charted]),
            Series(_("Realised margin %"), [realised for _label, _quoted, realised in charted]),
        ],
        value_format=percent_text, empty_text=_("Nothing ordered in the period is delivered and invoiced yet."),
    )  # fmt: skip
    quoted_label, realised_label = _("Quoted margin %"), _("Realised margin %")
    return Panel(
        key="quoted_vs_realised",
        title=title,
        columns=[
            _("Month"),
            _("Orders"),
            _("Ordered net"),
            _("Quoted margin"),
            quoted_label,
            _("Realised net"),
            _("Realised margin"),
            realised_label,
        ],
        rows=rows,
        chart=chart,
        note=_(
            "Sales orders dated in each month (cancelled ones left out). Quoted: the margin the order froze"
            " from its quotation, on all it ordered. Realised: on what is both delivered and invoiced so far,"
            " the net invoiced less credit notes against the cost the goods left the warehouse with; a month"
            " still being delivered or invoiced has realised less."
        ),
        figures={
            quoted_label: sales_rules.margin_percent(total.margin, total.net),
            realised_label: sales_rules.margin_percent(total.realised_margin, total.realised_net),
        },
        kinds=[TEXT, COUNT, MONEY, MONEY, PERCENT, MONEY, MONEY, PERCENT],
        figure_kinds={quoted_label: PERCENT, realised_label: PERCENT},
    )
