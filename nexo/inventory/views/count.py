"""The stock count: choose a location, type what was counted, post; the differences become adjustments."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nexo.catalog.models import Item
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.permissions import page
from nexo.core.validation import record_id
from nexo.inventory import queries, services
from nexo.inventory.forms import CountForm, CountLocationForm
from nexo.inventory.models import Location, StockMove
from nexo.inventory.views.common import cost_text

FIELD_PREFIX = "count-"
COUNTED = forms.DecimalField(max_digits=13, decimal_places=4, min_value=0)
MAX_POSTED_SHOWN = 500


def _location(request: HttpRequest, locations: list[Location], raw: str | None) -> Location | None:
    """The chosen location among the active ones; else the default warehouse's stock location."""
    by_id = {location.pk: location for location in locations}
    chosen = record_id(raw)
    if chosen is not None:
        return by_id.get(chosen)
    if raw:  # something typed that is no id: no location, the chooser says so
        return None
    default = queries.default_warehouse_id(request.company)
    return next(
        (
            loc
            for loc in locations
            if loc.warehouse_id == default and loc.pk == loc.warehouse.stock_location_id
        ),
        None,
    )


def _typed(request: HttpRequest) -> dict[int, str]:
    """The counted quantities typed, by item id; empty inputs are items not counted."""
    typed = {}
    for name, value in request.POST.items():
        item_id = record_id(name.removeprefix(FIELD_PREFIX)) if name.startswith(FIELD_PREFIX) else None
        if item_id is not None and value.strip():
            typed[item_id] = value.strip()
    return typed


def _counted(request: HttpRequest, typed: dict[int, str]) -> tuple[dict[int, Decimal], dict[int, list[str]]]:
    """The typed quantities as numbers, and the errors per item (bad numbers, items of no stock)."""
    stocked = set(
        Item.objects.filter(company=request.company, kind=Item.Kind.STOCKED, pk__in=list(typed)).values_list(
            "pk", flat=True
        )
    )
    counted, errors = {}, {}
    for item_id, text in typed.items():
        if item_id not in stocked:
            errors[item_id] = [_("Unknown item, or a service: it has no stock.")]
            continue
        try:
            counted[item_id] = COUNTED.clean(text.replace(",", ".") if text.count(",") == 1 else text)
        except forms.ValidationError as error:
            errors[item_id] = list(error.messages)
    return counted, errors


def _row_errors(failure: ValidationFailed, form: CountForm) -> dict[int, list[str]]:
    """A service's errors: per counted item on its row, the rest on the form."""
    rows = {}
    for field, field_messages in failure.field_messages().items():
        item_id = record_id(field.removeprefix("counted.")) if field.startswith("counted.") else None
        if item_id is not None:
            rows[item_id] = field_messages
            continue
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
    return rows


@page("inventory.add_stockmove")
def stock_count(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    locations = list(queries.internal_locations(request.company))
    raw_location = source.get("location")
    if not raw_location and source.get("location_search", "").strip():
        # Typed without the picker's script: the location whose label or name was typed, else none.
        typed = CountLocationForm(source, company=request.company)
        found = typed.cleaned_data.get("location") if typed.is_valid() else None
        raw_location = str(found.pk) if found else "?"
    location = _location(request, locations, raw_location)
    words = source.get("q", "").replace("\x00", "").strip()[:100]
    every_item = source.get("all") == "1"
    form = CountForm(request.POST or None)
    typed, row_errors, status = {}, {}, 200
    if request.method == "POST":
        typed = _typed(request)
        counted, row_errors = _counted(request, typed)
        form.is_valid()  # cleans the date and note; what the sheet lacks is added below
        if location is None:
            form.add_error(None, _("Choose a location of a warehouse."))
        elif not typed:
            form.add_error(None, _("Type at least one counted quantity."))
        if not form.errors and not row_errors:
            try:
                moves = services.stock_count_post(
                    company=request.company, by=request.user, location_id=location.pk, counted=counted,
                    date=form.cleaned_data["date"], note=form.cleaned_data["note"],
                )  # fmt: skip
            except ValidationFailed as failure:
                row_errors = _row_errors(failure, form)
            except Conflict as conflict:
                form.add_error(None, conflict.detail)
                status = 409
            else:
                return _posted(request, location, moves)
        if status == 200:
            status = 422
    chooser = CountLocationForm(company=request.company, initial={"location": location})
    sheet = []
    if location is not None:
        sheet = queries.count_sheet(request.company, location, words=words, only_stocked_here=not every_item)
    shown = sheet[: queries.COUNT_SHEET_ROWS]
    shown_ids = {item.pk for item in shown}
    context = {
        "title": _("Stock count"),
        "location_field": chooser["location"],
        "location": location,
        "form": form,
        "words": words,
        "every_item": every_item,
        "sheet": [
            {"item": item, "typed": typed.get(item.pk, ""), "errors": row_errors.get(item.pk, [])}
            for item in shown
        ],
        "cut": len(sheet) > queries.COUNT_SHEET_ROWS,
        "sheet_limit": queries.COUNT_SHEET_ROWS,
        # Errors on items the sheet no longer shows (another search): still said, at the top.
        "other_errors": [
            message
            for item_id, errors in row_errors.items()
            if item_id not in shown_ids
            for message in errors
        ],
        "posted": _posted_moves(request, location),
        "field_prefix": FIELD_PREFIX,
    }
    return render(request, "inventory/stock_count.html", context, status=status)


def _posted(request: HttpRequest, location: Location, moves: list[StockMove]) -> HttpResponse:
    if not moves:
        messages.success(request, _("The count matches the records: nothing to adjust."))
        return redirect(f"{reverse('inventory:stock_count')}?{urlencode({'location': location.pk})}")
    posted = ngettext(
        "Count posted: %(count)d adjustment.", "Count posted: %(count)d adjustments.", len(moves)
    )
    messages.success(request, posted % {"count": len(moves)})
    query = urlencode({"location": location.pk, "posted": ",".join(str(move.pk) for move in moves)})
    return redirect(f"{reverse('inventory:stock_count')}?{query}")


def _posted_moves(request: HttpRequest, location: Location | None) -> list[StockMove]:
    """The adjustments a count just posted (their ids in the address), shown under the sheet."""
    raw = request.GET.get("posted", "")
    ids = [move_id for move_id in (record_id(part) for part in raw.split(",")[:MAX_POSTED_SHOWN]) if move_id]
    if not ids or location is None:
        return []
    moves = list(
        queries.moves_of(request.company).filter(pk__in=ids, origin_type="stock_count").order_by("item__sku")
    )
    for move in moves:
        move.gain = move.to_location_id == location.pk
        move.cost_text = cost_text(move.unit_cost)
    return moves
