"""The role dashboards. Each is a module of this package with a `build(company, filters) -> list[Panel]`:
its panels in the order the page shows them, each a chart with the table it draws (the table is the
chart's accessible text and its CSV export). The page, the CSV export and the API read the same panels."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import import_module
from typing import Any

from nexo.catalog.models import Category

Cell = str | int | Decimal | date | None


@dataclass(frozen=True)
class Filters:
    """What every dashboard can be narrowed to: a period (inclusive), a salesperson (a user id) and an item
    category (an id). None: no narrowing. A dashboard ignores a filter that means nothing to it and says so
    in its panels' notes."""

    date_from: date
    date_to: date
    salesperson_id: int | None = None
    category_id: int | None = None


@dataclass
class Panel:
    """One chart and its table. `key` names it in `?panel=<key>&format=csv` and in the API; `chart` is SVG
    markup from `nexo.insight.charts` ("" for a table alone, e.g. a list of the top opportunities);
    `columns` are the table's headings and `rows` its cells, raw values (Decimal for money, never float),
    formatted by the page and the export."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    chart: str = ""
    note: str = ""
    #: Single figures shown above the chart (win rate, average days to win, DSO): label → value.
    figures: dict[str, Cell] = field(default_factory=dict)
    #: How each column's cells read, one of KINDS by position; a column not named here reads by its values
    #: (Decimal → money in the company's currency, int → count, date → date, else text).
    kinds: list[str] = field(default_factory=list)
    #: How each figure reads (label → one of KINDS); same default as the columns.
    figure_kinds: dict[str, str] = field(default_factory=dict)


MONEY, PERCENT, COUNT, NUMBER, DAYS, DATE, TEXT = (
    "money",
    "percent",
    "count",
    "number",
    "days",
    "date",
    "text",
)
#: money: 2 decimals and the currency; percent: a Decimal 0-100 shown with 1 decimal and %; number: a
#: quantity with its decimals; days: a Decimal or int number of days, 1 decimal.
KINDS = (MONEY, PERCENT, COUNT, NUMBER, DAYS, DATE, TEXT)


def chosen_category_path(company, filters: Filters) -> str | None:
    """The chosen category's path ("/3/17/": it and its subcategories), in one query; None when no category
    is chosen, "" when it is not one of the company's (it then matches nothing)."""
    if filters.category_id is None:
        return None
    found = Category.objects.filter(company=company, pk=filters.category_id).values_list("path", flat=True)
    return found.first() or ""


@dataclass(frozen=True)
class Dashboard:
    name: str
    permission: str
    module: str
    #: A user holding `own_figures_for` but not `everyone_with` sees only their own figures (the salesperson
    #: filter set to them): a salesperson sees their pipeline as the CRM shows it to them, a manager everyone's.
    own_figures_for: str = ""
    everyone_with: str = ""

    def own_figures_only(self, user) -> bool:
        """Whether `user` sees only their own figures on this dashboard (a salesperson who does not see
        every opportunity); the page and the API both ask here."""
        return bool(
            self.own_figures_for
            and user.has_perm(self.own_figures_for)
            and not (self.everyone_with and user.has_perm(self.everyone_with))
        )

    @property
    def build(self) -> Callable[[Any, Filters], list[Panel]]:
        return import_module(f"{__name__}.{self.module}").build


DASHBOARDS = {
    "sales": Dashboard(
        "sales",
        "insight.view_sales_dashboard",
        "sales",
        own_figures_for="crm.add_opportunity",
        everyone_with="crm.view_all_opportunities",
    ),
    "margin": Dashboard("margin", "insight.view_margin_dashboard", "margin"),
    "stock": Dashboard("stock", "insight.view_stock_dashboard", "stock"),
    "finance": Dashboard("finance", "insight.view_finance_dashboard", "finance"),
}
