"""What the inventory pages share: the list-or-fragment answer of a list page, unit costs as text."""

from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nexo.core.formatting import number


def list_response(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The whole page, or only its results for an HTMX search (core/list.html's pattern)."""
    if request.htmx and not request.htmx.boosted:
        template = context["results_template"]
    return render(request, template, context)


def cost_text(value: Decimal | None) -> str:
    """A unit cost in the reader's locale: at least 2 decimals (cents), at most 6, no trailing zeros."""
    if value is None:
        return ""
    exponent = Decimal(value).normalize().as_tuple().exponent
    places = min(6, max(2, -exponent if isinstance(exponent, int) else 2))
    return number(value, places)


def with_cost_texts(rows: Iterable, source: str, target: str = "cost_text") -> list:
    """The rows as a list, each given `target`: its `source` unit cost as text."""
    rows = list(rows)
    for row in rows:
        setattr(row, target, cost_text(getattr(row, source)))
    return rows
