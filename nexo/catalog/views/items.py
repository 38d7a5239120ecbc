"""Item pages: the list (search, filters, sort), an item with the price each list gives, the forms."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.catalog import pricing, queries, services
from nexo.catalog.forms import ItemForm
from nexo.catalog.models import Category, Item, PriceList
from nexo.catalog.rule_text import describe_rule, price_text, rule_names
from nexo.core.audit import audit_trail
from nexo.core.errors import Forbidden, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.listing import Filter, ListPage, Sort
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.core.rules import fold


def item_search(word: str) -> Q:
    """A word found, regardless of case and accents, in the SKU, name or barcode."""
    return Q(search_text__contains=fold(word))


def _listing(request: HttpRequest) -> ListPage:
    categories = list(
        Category.objects.filter(company=request.company)
        .order_by("full_name")
        .values_list("pk", "path", "full_name")
    )
    paths = {pk: path for pk, path, _name in categories}
    return ListPage(
        search=item_search,
        sorts={
            "sku": Sort(gettext_lazy("SKU"), ("sku",)),
            "name": Sort(gettext_lazy("Name"), ("name",)),
            "price": Sort(gettext_lazy("Base price"), ("base_price",)),
        },
        default_sort="sku",
        filters=[
            Filter(
                "category",
                gettext_lazy("Category"),
                [(str(pk), name) for pk, _path, name in categories],
                lambda value: Q(category__path__startswith=paths[int(value)]),
            ),
            Filter("kind", gettext_lazy("Kind"), Item.Kind.choices, lambda value: Q(kind=value)),
            Filter(
                "active",
                gettext_lazy("Active"),
                [("yes", gettext_lazy("Active")), ("no", gettext_lazy("Inactive"))],
                lambda value: Q(is_active=value == "yes"),
            ),
        ],
    )


@page("catalog.view_item")
def item_list(request: HttpRequest) -> HttpResponse:
    items = queries.items_of(request.company).defer("search_text", "description")
    listing = _listing(request).apply(request, items)
    listing.page.object_list = list(listing.page.object_list)
    for item in listing.page.object_list:
        item.price_text = price_text(item.base_price)
    context = {
        "listing": listing,
        "title": _("Items"),
        "search_hint": _("SKU, name or barcode"),
        "results_template": "catalog/_item_results.html",
    }
    template = (
        context["results_template"] if request.htmx and not request.htmx.boosted else "catalog/item_list.html"
    )
    return render(request, template, context)


def _prices(company, item: Item) -> list[dict]:
    """The price of one unit today under every active price list: a fixed number of queries."""
    today = timezone.localdate()
    active = list(PriceList.objects.filter(company=company, is_active=True).order_by("name"))
    lists = queries.pricing_lists(company, [pl.pk for pl in active], item_ids=[item.pk])
    facts = queries.item_facts([item])[item.pk]
    resolutions = {}
    for price_list in active:
        try:
            resolutions[price_list.pk] = pricing.resolve(facts, Decimal(1), today, price_list.pk, lists)
        except pricing.PriceListLoop:
            resolutions[price_list.pk] = None
    names = rule_names(company, [r.rule for r in resolutions.values() if r and r.rule])
    default_id = queries.price_list_of(company, None)
    return [
        {
            "price_list": price_list,
            "is_default": price_list.pk == default_id,
            "resolution": resolutions[price_list.pk],
            "rule": describe_rule(resolutions[price_list.pk].rule, names)
            if resolutions[price_list.pk]
            else "",
            "price_text": price_text(resolutions[price_list.pk].unit_price)
            if resolutions[price_list.pk]
            else "",
        }
        for price_list in active
    ]


@page("catalog.view_item")
def item_view(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(
        queries.items_of(request.company).select_related("purchase_tax", "created_by", "updated_by"),
        pk=item_id,
    )
    context = {
        "item": item,
        "prices": _prices(request.company, item),
        "base_price_text": price_text(item.base_price),
        "standard_cost_text": price_text(item.standard_cost) if item.standard_cost is not None else "",
        "today": timezone.localdate(),
        "trail": audit_trail(item),
        "panels": panels("item_panel", request, item),
    }
    return render(request, "catalog/item_detail.html", context)


@page("catalog.add_item")
def item_create(request: HttpRequest) -> HttpResponse:
    form = ItemForm(
        request.POST or None,
        company=request.company,
        initial={"kind": Item.Kind.STOCKED},
        prices_allowed=request.user.has_perm(services.PRICE_PERMISSION),
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(company=request.company, by=request.user, **form.service_fields())
        except Forbidden as refusal:
            raise PermissionDenied(refusal.detail) from refusal
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Item %(sku)s created.") % {"sku": item.sku})
            return redirect("catalog:item_view", item_id=item.pk)
    context = {"form": form, "title": _("New item"), "cancel_url": reverse("catalog:item_list")}
    return render(request, "catalog/item_form.html", context, status=422 if form.errors else 200)


@page("catalog.view_item")
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    """For those who change items (the logistic fields) or prices (accounting): each changes only its own
    fields, the others shown disabled (and refused by the service)."""
    may_prices = request.user.has_perm(services.PRICE_PERMISSION)
    may_logistics = request.user.has_perm(services.LOGISTICS_PERMISSION)
    if not (may_prices or may_logistics):
        raise PermissionDenied(_("Your role does not allow this."))
    item = get_object_or_404(Item, company=request.company, pk=item_id)
    form = ItemForm(
        request.POST or None,
        instance=item,
        company=request.company,
        prices_allowed=may_prices,
        logistics_allowed=may_logistics,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(
                company=request.company, item_id=item.pk, by=request.user, **form.service_fields()
            )
        except Forbidden as refusal:
            raise PermissionDenied(refusal.detail) from refusal
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("catalog:item_view", item_id=item.pk)
    context = {
        "form": form,
        "item": item,
        "title": _("Edit %(sku)s") % {"sku": item.sku},
        "cancel_url": reverse("catalog:item_view", args=[item.pk]),
    }
    return render(request, "catalog/item_form.html", context, status=422 if form.errors else 200)
