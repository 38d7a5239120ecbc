"""What the margin dashboard's panels share: the filters as query conditions, the top-N table with its
"others" row, and how money and percentages read on a chart."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from nexo.core.formatting import money, number
from nexo.core.models import Company
from nexo.insight.services.dashboards import Filters, chosen_category_path

ZERO = Decimal("0.00")
#: The groups a "by item / category / customer / salesperson" table names; the rest add up as one row.
TOP = 10
#: The lines a leak table lists one by one; the rest add up as one row.
TOP_LINES = 20


@dataclass(frozen=True)
class Scope:
    """The dashboard's filters for one company, as conditions on any model that reaches an item or a
    salesperson through a path of its own (`item`, `order_line__order__salesperson`…)."""

    company: Company
    filters: Filters
    #: The chosen category's path ("/3/17/": its subtree); "" when it is not one of the company's.
    category_path: str | None

    @classmethod
    def of(cls, company: Company, filters: Filters) -> "Scope":
        """One query when a category is chosen (its path), none otherwise."""
        return cls(company, filters, chosen_category_path(company, filters))

    def period(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.filters.date_from, f"{field}__lte": self.filters.date_to})

    def category(self, item: str) -> Q:
        """Items of the chosen category or any category under it (a line without item is out)."""
        if self.filters.category_id is None:
            return Q()
        if not self.category_path:
            return Q(pk__in=[])  # another company's category: nothing (and no query)
        return Q(**{f"{item}__category__path__startswith": self.category_path})

    def salesperson(self, user: str) -> Q:
        if self.filters.salesperson_id is None:
            return Q()
        return Q(**{f"{user}_id": self.filters.salesperson_id})

    def money(self) -> Callable[[Decimal | int], str]:
        """Money as the charts write it; each value formatted once (a chart writes it on its bar and again in
        its description, and formatting through babel costs more than drawing)."""
        currency, written = self.company.currency, {}

        def write(value: Decimal | int) -> str:
            if value not in written:
                written[value] = money(Decimal(value), currency)
            return written[value]

        return write


def percent_text(value: Decimal | int) -> str:
    return f"{number(value, 1)} %"


def person_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """A user as the pages name them: the full name, else the user name; none: no salesperson."""
    full = f"{first_name or ''} {last_name or ''}".strip()
    return full or username or _("No salesperson")


@dataclass
class Group:
    """One row of a top-N table: a name and its amounts (the same number for every group)."""

    label: str
    amounts: list[Decimal]


def top_with_others(groups: Sequence[Group], top: int, others_label: str) -> list[Group]:
    """The first `top` groups (the caller sorts them), then the rest summed as one row named with their
    count ("Other items (12)"); a single leftover group keeps its own name."""
    if len(groups) <= top + 1:
        return list(groups)
    named, rest = list(groups[:top]), groups[top:]
    width = len(rest[0].amounts)
    summed = [sum((group.amounts[index] for group in rest), ZERO) for index in range(width)]
    return [*named, Group(others_label % {"count": len(rest)}, summed)]
