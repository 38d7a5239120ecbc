"""One pattern for every list page: text search, filters, sort and pagination, full page or HTMX part."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest

MAX_QUERY_LENGTH = 100


def _reversed(field_name: str) -> str:
    """The field ordered the other way: a sort already declared newest first ("-date") runs oldest first."""
    return field_name[1:] if field_name.startswith("-") else f"-{field_name}"


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    choices: list[tuple[str, str]]
    lookup: Callable[[str], Q]


@dataclass(frozen=True)
class Sort:
    label: str
    fields: tuple[str, ...]


@dataclass
class Listing:
    page: Page
    query: str
    filters: list[tuple[Filter, str]]
    sort: str
    descending: bool
    sorts: dict[str, Sort] = field(default_factory=dict)

    @property
    def rows(self):
        return self.page.object_list

    @property
    def is_filtered(self) -> bool:
        return bool(self.query or any(value for _, value in self.filters))


@dataclass
class ListPage:
    """Declares how a list is searched, filtered and sorted; `apply` does it for one request.
    `default_descending`: without a sort chosen, the list runs its default sort backwards (a dated list
    opens with its latest records first, and its sort header says so)."""

    search: Callable[[str], Q]
    sorts: dict[str, Sort]
    default_sort: str
    filters: list[Filter] = field(default_factory=list)
    per_page: int = 50
    default_descending: bool = False

    def apply(self, request: HttpRequest, queryset: QuerySet) -> Listing:
        query = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
        for word in query.split():
            queryset = queryset.filter(self.search(word))
        chosen = []
        for list_filter in self.filters:
            value = request.GET.get(list_filter.name, "")
            if value not in dict(list_filter.choices):
                value = ""
            if value:
                queryset = queryset.filter(list_filter.lookup(value))
            chosen.append((list_filter, value))
        requested = request.GET.get("sort", "")
        descending = requested.startswith("-")
        sort = requested.lstrip("-")
        if sort not in self.sorts:
            sort, descending = self.default_sort, self.default_descending
        order = [_reversed(name) if descending else name for name in self.sorts[sort].fields]
        queryset = queryset.order_by(*order, "-pk" if descending else "pk")
        paginator = Paginator(queryset, self.per_page)
        page = paginator.get_page(request.GET.get("page"))
        return Listing(
            page=page, query=query, filters=chosen, sort=sort, descending=descending, sorts=self.sorts
        )


def words_in(fields: tuple[str, ...]) -> Callable[[str], Q]:
    """A search where each word must appear in at least one of the fields."""

    def search(word: str) -> Q:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        return condition

    return search
