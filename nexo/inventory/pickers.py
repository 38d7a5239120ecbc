"""The location picker: the field forms use to choose where goods are kept, and its search."""

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from nexo.core.permissions import page
from nexo.core.pickers import PICKER_LIMIT, PickerField, PickerOption, picker_options, picker_words
from nexo.inventory import queries
from nexo.inventory.models import Location


def location_label(location: Location) -> str:
    return f"{location.warehouse.code} · {location.name}" if location.warehouse_id else location.name


class LocationPicker(PickerField):
    """An active internal location of the company (one that holds stock), with its warehouse."""

    search_url = "inventory:location_search"
    placeholder = _("Warehouse or location")

    def code_match(self, code: str) -> Q:
        warehouse, _dot, name = code.partition("·")
        if name:  # the label as shown: "ALM · Shelf A-1"
            return Q(warehouse__code__iexact=warehouse.strip(), name__iexact=name.strip())
        return Q(name__iexact=code)

    def label_from_instance(self, location: Location) -> str:
        return location_label(location)


@page("inventory.view_location")
@require_GET
def location_search(request: HttpRequest) -> HttpResponse:
    """Active internal locations with every typed word in their name or their warehouse's code or name
    (case aside: a company has tens of locations, not thousands of names to fold); one query."""
    words = picker_words(request)
    if isinstance(words, HttpResponse):
        return words
    locations = queries.internal_locations(request.company)
    for word in words:
        locations = locations.filter(
            Q(name__icontains=word) | Q(warehouse__code__icontains=word) | Q(warehouse__name__icontains=word)
        )
    found = locations[:PICKER_LIMIT]
    return picker_options(
        request, (PickerOption(loc.pk, location_label(loc), loc.warehouse.name) for loc in found)
    )
