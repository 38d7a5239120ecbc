"""The item picker: the field forms use to choose an item, and the search it asks as the user types."""

from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from nexo.catalog.models import Item
from nexo.core.permissions import page
from nexo.core.pickers import PICKER_LIMIT, PickerField, PickerOption, picker_options, picker_words
from nexo.core.rules import fold

# What a search may be narrowed to: the kinds of item a form accepts.
ITEM_KINDS = {"": None, "stocked": Item.Kind.STOCKED}


def item_label(item: Item) -> str:
    return f"{item.sku} · {item.name}"


class ItemPicker(PickerField):
    """An active item of the company; `search={"kind": "stocked"}` where only stocked items fit."""

    search_url = "catalog:item_search"
    placeholder = _("SKU, name or barcode")

    def code_match(self, code: str) -> Q:
        return Q(sku__iexact=code) | (Q(barcode=code) & ~Q(barcode=""))

    def label_from_instance(self, item: Item) -> str:
        return item_label(item)


@page("catalog.view_item")
@require_GET
def item_search(request: HttpRequest) -> HttpResponse:
    """Active items whose SKU, name or barcode has every typed word (case and accents aside), SKUs that
    start with the text first; one query."""
    words = picker_words(request)
    if isinstance(words, HttpResponse):
        return words
    kind = request.GET.get("kind", "")
    if kind not in ITEM_KINDS:
        return HttpResponseBadRequest("kind: empty or stocked.")
    items = Item.objects.filter(company=request.company, is_active=True)
    if ITEM_KINDS[kind]:
        items = items.filter(kind=ITEM_KINDS[kind])
    for word in words:
        items = items.filter(search_text__contains=fold(word))
    if words:
        starts = Case(
            When(sku__istartswith=words[0], then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        items = items.order_by(starts, "sku")
    else:
        items = items.order_by("sku")
    found = items.only("pk", "sku", "name")[:PICKER_LIMIT]
    return picker_options(request, (PickerOption(item.pk, item_label(item)) for item in found))
