"""The purchasing and stock dashboard: what the stock is worth by category at the period's end, the items
under their minimum stock, and what was bought from each supplier in the period, in total and by month.

The figures come from the modules that own them: the value from inventory's valuation report
(`inventory.queries.valuation`, each item by its own method), on hand from inventory's `on_hand`, the minimum
and the preferred supplier from purchasing's `ItemPurchasing`, the purchases from the posted supplier invoices
(the books' purchases, in the company's currency). Five queries at most, whatever the number of items and
documents: each figure is summed by the database (TruncMonth for the months)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.catalog.models import Category, Item
from nexo.core.errors import NotFound
from nexo.core.formatting import day_text, money, number, trimmed
from nexo.core.models import Company
from nexo.core.rules import round_money
from nexo.insight.charts import Series, bar_chart
from nexo.insight.services.dashboards import COUNT, MONEY, NUMBER, PERCENT, TEXT, Cell, Filters, Panel
from nexo.insight.services.dashboards.months import month_key, months_of
from nexo.inventory.queries import Group, on_hand, valuation
from nexo.invoicing.models import SupplierInvoice, SupplierInvoiceLine
from nexo.purchasing.models import ItemPurchasing

ZERO = Decimal("0.00")
#: Bars in the value chart; the table lists every category.
CHARTED_CATEGORIES = 8
#: Rows of the items under their minimum (the figure counts them all); the chart draws the first ones.
SHORT_ITEMS_LISTED = 100
SHORT_ITEMS_CHARTED = 10
#: Suppliers named in the purchases panels; the rest add up as one "other suppliers" row. Five and the
#: others are the chart palette's six colours.
TOP_SUPPLIERS = 5


def build(company: Company, filters: Filters) -> list[Panel]:
    category = _category(company, filters.category_id)
    ignored = (
        _("The salesperson filter does not apply to stock and purchases.") if filters.salesperson_id else ""
    )
    # Stock at a day still to come is not known yet: a period reaching past today reads today's.
    day = min(filters.date_to, timezone.localdate())
    panels = [
        stock_value_by_category(company, day, category),
        items_under_minimum(company, day, category),
        *purchases_by_supplier(company, filters.date_from, filters.date_to, category),
    ]
    for panel in panels:
        panel.note = " ".join(part for part in (panel.note, ignored) if part)
    return panels


def _category(company: Company, category_id: int | None) -> Category | None:
    """The category asked for, the company's (another company's id is not there)."""
    if category_id is None:
        return None
    category = Category.objects.filter(company=company, pk=category_id).first()
    if category is None:
        raise NotFound(_("No such category."))
    return category


def _in_category(category: Category | None) -> str:
    if category is None:
        return ""
    return _("Only the items of %(category)s and its subcategories.") % {"category": category.full_name}


def _money_format(company: Company):
    return lambda value: money(value, company.currency)


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    """A part as a percentage of the whole, one decimal; none of a whole that is not positive."""
    return round_money(part * 100 / whole, 1) if whole > 0 else None


def _top_and_rest(pairs: list[tuple[str, Decimal]], top: int, rest_label: str) -> list[tuple[str, Decimal]]:
    """The first `top` (label, value) pairs, then the sum of the others under `rest_label` (if any)."""
    if len(pairs) <= top + 1:
        return pairs
    return [*pairs[:top], (rest_label, sum((value for _label, value in pairs[top:]), ZERO))]


# Stock value by category


def stock_value_by_category(company: Company, day: Date, category: Category | None) -> Panel:
    """Inventory's valuation report at the end of `day`, grouped by the items' own category."""
    report = valuation(company, day=day, group=Group.CATEGORY, category=category)
    lines = sorted(report.lines, key=lambda line: (-line.value, line.key is None, line.name))
    rows: list[list[Cell]] = [
        [
            line.name or _("No category"),
            line.item_count,
            round_money(line.value),
            _share(line.value, report.total),
        ]
        for line in lines
    ]
    title = _("Stock value by category")
    charted = _top_and_rest(
        [(str(row[0]), row[2]) for row in rows], CHARTED_CATEGORIES, _("Other categories")
    )
    chart = bar_chart(
        title=title, categories=[label for label, _value in charted],
        series=[Series(_("Stock value"), [value for _label, value in charted])],
        value_format=_money_format(company), horizontal=True, empty_text=_("No stock at that date."),
    )  # fmt: skip
    note = _(
        "Value at the end of %(day)s, each item by its own valuation method (the inventory valuation report),"
        " over every warehouse; a subcategory is its own row."
    ) % {"day": day_text(day)}
    return Panel(
        key="stock_value",
        title=title,
        columns=[_("Category"), _("Items"), _("Value"), _("Share %")],
        kinds=[TEXT, COUNT, MONEY, PERCENT],
        rows=rows,
        chart=chart,
        note=" ".join(part for part in (note, _in_category(category)) if part),
        figures={_("Stock value"): round_money(report.total), _("Items in stock"): report.item_count},
    )


# Items under their minimum stock


@dataclass(frozen=True)
class ShortItem:
    item_id: int
    sku: str
    name: str
    on_hand: Decimal
    minimum: Decimal
    supplier: str

    @property
    def short(self) -> Decimal:
        return self.minimum - self.on_hand


def short_items(company: Company, day: Date, category: Category | None) -> list[ShortItem]:
    """The active stocked items whose stock on hand at the end of `day`, over every warehouse, is under their
    minimum: the emptiest first (the largest share of the minimum missing), then by SKU. Now's stock when the
    day is today or later. Three queries."""
    settings = ItemPurchasing.objects.filter(
        company=company, minimum_stock__gt=0, item__is_active=True, item__kind=Item.Kind.STOCKED
    )
    if category is not None:
        settings = settings.filter(item__category__path__startswith=category.path)
    minimums = list(
        settings.values_list(
            "item_id", "item__sku", "item__name", "minimum_stock", "preferred_supplier__name"
        )
    )
    if not minimums:
        return []
    quantities: dict[int, Decimal] = defaultdict(Decimal)
    at = None if day >= timezone.localdate() else day
    for (item_id, _location), quantity in on_hand(company, day=at).items():
        quantities[item_id] += quantity
    found = [
        # Quantities without trailing zeros: 15 on hand against a minimum of 20, not 15.0000 against 20.0000.
        ShortItem(
            item_id, sku, name, trimmed(quantities.get(item_id, Decimal(0))), trimmed(minimum), supplier or ""
        )
        for item_id, sku, name, minimum, supplier in minimums
        if quantities.get(item_id, Decimal(0)) < minimum
    ]
    return sorted(found, key=lambda item: (-item.short / item.minimum, item.sku))


def items_under_minimum(company: Company, day: Date, category: Category | None) -> Panel:
    found = short_items(company, day, category)
    listed = found[:SHORT_ITEMS_LISTED]
    rows: list[list[Cell]] = [
        [item.sku, item.name, item.on_hand, item.minimum, item.short, item.supplier] for item in listed
    ]
    title = _("Items under minimum stock")
    charted = listed[:SHORT_ITEMS_CHARTED]
    chart = bar_chart(
        title=title, categories=[item.sku for item in charted],
        series=[
            Series(_("On hand"), [item.on_hand for item in charted]),
            Series(_("Minimum"), [item.minimum for item in charted]),
        ],
        value_format=number, horizontal=True, empty_text=_("No item is under its minimum stock."),
    )  # fmt: skip
    notes = [
        _(
            "Stock on hand at the end of %(day)s over every warehouse, against the minimum stock set in each"
            " item's purchasing settings; the emptiest first."
        )
        % {"day": day_text(day)},
    ]
    if len(found) > len(listed):
        notes.append(_("The first %(shown)s of %(count)s.") % {"shown": len(listed), "count": len(found)})
    notes.append(_in_category(category))
    return Panel(
        key="under_minimum",
        title=title,
        columns=[_("SKU"), _("Item"), _("On hand"), _("Minimum"), _("Short"), _("Preferred supplier")],
        kinds=[TEXT, TEXT, NUMBER, NUMBER, NUMBER, TEXT],
        rows=rows,
        chart=chart,
        note=" ".join(note for note in notes if note),
        figures={_("Items under minimum"): len(found)},
    )


# Purchases by supplier


@dataclass
class Purchases:
    """What each supplier invoiced in the period (supplier id → name, total), and by month."""

    names: dict[int, str]
    totals: dict[int, Decimal]
    by_month: dict[tuple[int, Date], Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)

    def ranked(self) -> list[int]:
        """The suppliers, the largest purchases first (then by name)."""
        return sorted(
            self.totals, key=lambda supplier: (-self.totals[supplier], self.names[supplier], supplier)
        )


def purchases(company: Company, date_from: Date, date_to: Date, category: Category | None) -> Purchases:
    """The taxable base (lines' net) of the supplier invoices posted and dated in the period, per supplier
    and month, in the company's currency: one query. A month's sum of an invoice currency is converted at
    each invoice's rate and rounded there, as the VAT book does."""
    lines = SupplierInvoiceLine.objects.filter(
        invoice__company=company, invoice__state=SupplierInvoice.State.POSTED,
        invoice__date__gte=date_from, invoice__date__lte=date_to,
    )  # fmt: skip
    if category is not None:
        lines = lines.filter(item__category__path__startswith=category.path)
    grouped = (
        lines.annotate(month=TruncMonth("invoice__date"))
        .values("invoice__party_id", "invoice__party__name", "month", "invoice__exchange_rate")
        .annotate(net=Sum("net"))
        .order_by()
    )
    found = Purchases({}, defaultdict(lambda: ZERO), defaultdict(lambda: ZERO))
    for row in grouped:
        supplier, rate = row["invoice__party_id"], row["invoice__exchange_rate"]
        amount = round_money(row["net"] * rate) if rate is not None else round_money(row["net"])
        found.names[supplier] = row["invoice__party__name"]
        found.totals[supplier] += amount
        found.by_month[(supplier, month_key(row["month"]))] += amount
    return found


def purchases_by_supplier(
    company: Company, date_from: Date, date_to: Date, category: Category | None
) -> list[Panel]:
    """Two panels of the same sums: per supplier (the largest ones and the others), and per month."""
    found = purchases(company, date_from, date_to, category)
    ranked = found.ranked()
    named, others = ranked[:TOP_SUPPLIERS], ranked[TOP_SUPPLIERS:]
    if len(others) == 1:  # one supplier is shown by name rather than as "1 other"
        named, others = ranked, []
    others_label = _("Other suppliers (%(count)s)") % {"count": len(others)}
    total = found.total
    values = [found.totals[supplier] for supplier in named]
    labels = [found.names[supplier] for supplier in named]
    if others:
        values.append(sum((found.totals[supplier] for supplier in others), ZERO))
        labels.append(others_label)
    money_format = _money_format(company)
    note = _(
        "Supplier invoices posted and dated in the period: their taxable base (before VAT), in the company's"
        " currency."
    )
    if category is not None:
        note = " ".join((note, _in_category(category), _("Lines without an item are left out.")))
    title = _("Purchases by supplier")
    by_supplier = Panel(
        key="purchases_by_supplier",
        title=title,
        columns=[_("Supplier"), _("Purchases"), _("Share %")],
        kinds=[TEXT, MONEY, PERCENT],
        rows=[[label, value, _share(value, total)] for label, value in zip(labels, values, strict=True)],
        chart=bar_chart(
            title=title,
            categories=labels,
            series=[Series(_("Purchases"), values)],
            value_format=money_format,
            horizontal=True,
            empty_text=_("No purchases in the period."),
        ),
        note=note,
        figures={_("Purchases"): total, _("Suppliers"): len(ranked)},
    )
    months = months_of(date_from, date_to)
    columns_of = [[supplier] for supplier in named] + ([others] if others else [])
    table = [
        [
            sum((found.by_month.get((supplier, month.first), ZERO) for supplier in suppliers), ZERO)
            for month in months
        ]
        for suppliers in columns_of
    ]
    title = _("Purchases by month")
    by_month = Panel(
        key="purchases_by_month",
        title=title,
        columns=[_("Month"), *labels, _("Total")],
        kinds=[TEXT, *(MONEY for _label in labels), MONEY],
        rows=[
            [
                month.label,
                *(column[index] for column in table),
                sum((column[index] for column in table), ZERO),
            ]
            for index, month in enumerate(months)
        ],
        chart=bar_chart(
            title=title,
            categories=[month.label for month in months],
            series=[Series(label, column) for label, column in zip(labels, table, strict=True)],
            value_format=money_format,
            stacked=True,
            empty_text=_("No purchases in the period."),
        ),
        note=note,
    )
    return [by_supplier, by_month]
