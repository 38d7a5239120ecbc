"""Stock levels per item and warehouse (now or as of a date) and the valuation report at a date."""

from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.core.listing import Filter, ListPage, Sort
from nexo.core.permissions import page
from nexo.core.rules import fold
from nexo.inventory import queries
from nexo.inventory.forms import StockLevelFilterForm, ValuationForm
from nexo.inventory.models import Warehouse
from nexo.inventory.views.common import list_response, with_cost_texts

WITH_STOCK = ~Q(on_hand=0) | ~Q(stock_value=0)
VALUATION_PER_PAGE = ListPage.per_page


# The home page's "items short for orders" links here with stock=short: the same condition it counts.
STOCK_CONDITIONS = {"yes": WITH_STOCK, "no": ~WITH_STOCK, "short": queries.SHORT_FOR_ORDERS}


def _stock_listing(warehouses: list[Warehouse]) -> ListPage:
    return ListPage(
        search=lambda word: Q(item__search_text__contains=fold(word)),
        sorts={
            "sku": Sort(gettext_lazy("SKU"), ("item__sku", "warehouse__code")),
            "name": Sort(gettext_lazy("Name"), ("item__name", "warehouse__code")),
            "warehouse": Sort(gettext_lazy("Warehouse"), ("warehouse__code", "item__sku")),
            "on_hand": Sort(gettext_lazy("On hand"), ("on_hand", "item__sku")),
            "value": Sort(gettext_lazy("Value"), ("stock_value", "item__sku")),
        },
        default_sort="sku",
        filters=[
            Filter(
                "warehouse",
                gettext_lazy("Warehouse"),
                [(str(warehouse.pk), str(warehouse)) for warehouse in warehouses],
                lambda value: Q(warehouse_id=value),
            ),
            Filter(
                "stock",
                gettext_lazy("Stock"),
                [
                    ("yes", gettext_lazy("With stock")),
                    ("no", gettext_lazy("Without stock")),
                    ("short", gettext_lazy("Short for orders")),
                ],
                lambda value: STOCK_CONDITIONS[value],
            ),
        ],
    )


@page("inventory.view_stockmove")
def stock_levels(request: HttpRequest) -> HttpResponse:
    form = StockLevelFilterForm(request.GET)
    day = form.cleaned_data.get("day") if form.is_valid() else None
    warehouses = list(Warehouse.objects.filter(company=request.company).order_by("code"))
    rows = queries.stock_levels(request.company, day=day)
    listing = _stock_listing(warehouses).apply(request, rows)
    rows_shown = queries.with_unit_values(listing.page.object_list)
    listing.page.object_list = with_cost_texts(
        with_cost_texts(rows_shown, "average_cost"), "unit_value", "value_text"
    )
    total = listing.page.paginator.object_list.order_by().aggregate(total=Sum("stock_value"))["total"]
    context = {
        "listing": listing,
        "form": form,
        "day": day,
        "reserved_known": queries.reserved_is_known(day),
        "total_value": total or 0,
        "title": _("Stock levels"),
        "search_hint": _("SKU, name or barcode"),
        "results_template": "inventory/_stock_results.html",
    }
    return list_response(request, "inventory/stock_levels.html", context)


@page("inventory.view_stockmove")
def valuation(request: HttpRequest) -> HttpResponse:
    form = ValuationForm(request.GET or None, company=request.company)
    day, group, warehouse = form.values()
    category, words = form.filters()
    report = queries.valuation(
        request.company, day=day, group=group, warehouse_id=warehouse.pk if warehouse else None,
        category=category, words=words,
    )  # fmt: skip
    # Paged like every list (core.listing.ListPage's page size); the totals are the whole report's.
    lines = Paginator(report.lines, VALUATION_PER_PAGE).get_page(request.GET.get("page"))
    with_cost_texts(lines.object_list, "unit_cost")
    context = {
        "form": form,
        "report": report,
        "lines": lines,
        "warehouse": warehouse,
        "title": _("Stock valuation"),
        "groups": queries.Group.CHOICES,
    }
    return render(request, "inventory/valuation.html", context)
