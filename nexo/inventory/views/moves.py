"""Stock moves: the list (filters), a new move saved as a draft or posted at once, a move's page where a
draft is posted or cancelled."""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nexo.catalog.models import Item
from nexo.core.errors import Conflict, DomainError, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.listing import Filter, ListPage, Sort
from nexo.core.permissions import page
from nexo.core.rules import fold
from nexo.core.validation import record_id
from nexo.inventory import queries, services
from nexo.inventory.forms import MoveFilterForm, MoveForm, MoveKind
from nexo.inventory.models import StockMove, Warehouse
from nexo.inventory.views.common import cost_text, list_response, with_cost_texts

# The documents moves come from, as people name them; a type not listed shows as its code, readable.
ORIGIN_LABELS = {
    "": gettext_lazy("Entered by hand"),
    "stock_count": gettext_lazy("Stock count"),
    "purchase_receipt": gettext_lazy("Purchase receipt"),
    "customer_delivery": gettext_lazy("Customer delivery"),
    "sales_order": gettext_lazy("Sales order"),
    "delivery": gettext_lazy("Delivery note"),
    "transfer": gettext_lazy("Transfer"),
}


def _move_search(word: str) -> Q:
    return (
        Q(item__search_text__contains=fold(word)) | Q(origin_label__icontains=word) | Q(note__icontains=word)
    )


def _listing(request: HttpRequest) -> ListPage:
    warehouses = Warehouse.objects.filter(company=request.company).order_by("code")
    origins = [
        (
            "manual" if origin == "" else origin,
            ORIGIN_LABELS.get(origin, origin.replace("_", " ").capitalize()),
        )
        for origin in queries.origin_types(request.company)
    ]
    return ListPage(
        search=_move_search,
        sorts={
            "date": Sort(gettext_lazy("Date"), ("date",)),
            "sku": Sort(gettext_lazy("Item"), ("item__sku", "date")),
            "quantity": Sort(gettext_lazy("Quantity"), ("quantity",)),
            "value": Sort(gettext_lazy("Value"), ("value",)),
        },
        default_sort="date",
        default_descending=True,  # newest first unless a column was chosen
        filters=[
            Filter("state", gettext_lazy("State"), StockMove.State.choices, lambda value: Q(state=value)),
            Filter("kind", gettext_lazy("Kind"), list(queries.MoveKind.CHOICES), lambda value: Q(kind=value)),
            Filter(
                "warehouse",
                gettext_lazy("Warehouse"),
                [(str(warehouse.pk), str(warehouse)) for warehouse in warehouses],
                lambda value: Q(from_location__warehouse_id=value) | Q(to_location__warehouse_id=value),
            ),
            Filter(
                "origin",
                gettext_lazy("Origin"),
                origins,
                lambda value: Q(origin_type="" if value == "manual" else value),
            ),
        ],
    )


@page("inventory.view_stockmove")
def move_list(request: HttpRequest) -> HttpResponse:
    dates = MoveFilterForm(request.GET)
    chosen = dates.cleaned_data if dates.is_valid() else {}
    item = None
    item_id = record_id(request.GET.get("item"))
    if item_id is not None:
        item = Item.objects.filter(company=request.company, pk=item_id).first()
    moves = queries.moves_filtered(
        queries.moves_of(request.company),
        item_id=item.pk if item else None,
        date_from=chosen.get("date_from"),
        date_to=chosen.get("date_to"),
    )
    listing = _listing(request).apply(request, moves)
    listing.page.object_list = with_cost_texts(listing.page.object_list, "unit_cost")
    for move in listing.page.object_list:
        move.kind_label = queries.MoveKind.LABELS.get(move.kind, move.kind)
    context = {
        "listing": listing,
        "dates": dates,
        "item": item,
        "title": _("Stock moves"),
        "search_hint": _("Item, reference or note"),
        "results_template": "inventory/_move_results.html",
    }
    return list_response(request, "inventory/move_list.html", context)


@page("inventory.add_stockmove")
def move_create(request: HttpRequest) -> HttpResponse:
    # Goods come from and go to the default warehouse's stock location unless the user picks another.
    stock_location = (
        Warehouse.objects.filter(pk=queries.default_warehouse_id(request.company), is_active=True)
        .values_list("stock_location_id", flat=True)
        .first()
    )
    initial = {
        "kind": request.GET.get("kind") or MoveKind.RECEIPT,
        "item": record_id(request.GET.get("item")),
        "from_location": stock_location,
        "to_location": stock_location,
    }
    form = MoveForm(request.POST or None, company=request.company, initial=initial)
    status = 200
    if request.method == "POST":
        post_now = request.POST.get("action") == "done"
        if form.is_valid():
            settings = services.settings_of(request.company)
            try:
                move = services.stock_move_create(
                    company=request.company, by=request.user, done=post_now, **form.service_fields(settings)
                )
            except ValidationFailed as failure:
                apply_failure(form, failure)
            except Conflict as conflict:
                form.add_error(None, conflict.detail)
                status = 409
            else:
                if post_now:
                    messages.success(request, _("Move posted: the stock has changed."))
                else:
                    messages.success(request, _("Move saved as a draft: post it when the goods move."))
                return redirect("inventory:move_view", move_id=move.pk)
        if form.errors and status == 200:
            status = 422
    context = {"form": form, "title": _("New stock move"), "cancel_url": reverse("inventory:move_list")}
    return render(request, "inventory/move_form.html", context, status=status)


@page("inventory.view_stockmove")
def move_view(request: HttpRequest, move_id: int) -> HttpResponse:
    move = get_object_or_404(queries.moves_of(request.company).select_related("created_by"), pk=move_id)
    context = {
        "move": move,
        "kind_label": queries.MoveKind.LABELS.get(move.kind, move.kind),
        "cost_text": cost_text(move.unit_cost),
        "title": _("Stock move %(number)d") % {"number": move.pk},
    }
    return render(request, "inventory/move_detail.html", context)


def _act(request: HttpRequest, move_id: int, action, success: str) -> HttpResponse:
    """Run a state change of a move of this company; a refusal is shown on the move's page."""
    move = get_object_or_404(StockMove, company=request.company, pk=move_id)
    try:
        action(company=request.company, by=request.user, move_id=move.pk)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, success)
    return redirect("inventory:move_view", move_id=move.pk)


@page("inventory.change_stockmove")
@require_POST
def move_post(request: HttpRequest, move_id: int) -> HttpResponse:
    return _act(request, move_id, services.stock_move_post, _("Move posted: the stock has changed."))


@page("inventory.change_stockmove")
@require_POST
def move_cancel(request: HttpRequest, move_id: int) -> HttpResponse:
    return _act(request, move_id, services.stock_move_cancel, _("Move cancelled."))
