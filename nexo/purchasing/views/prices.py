"""Supplier prices (list, forms), exchange rates (list and a form to add one) and an item's buying settings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nexo.catalog.models import Item
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.formatting import day_text, number
from nexo.core.forms import apply_failure
from nexo.core.listing import Filter, ListPage, Sort, words_in
from nexo.core.permissions import page
from nexo.core.validation import record_id
from nexo.purchasing import queries, services
from nexo.purchasing.forms import ExchangeRateForm, ItemPurchasingForm, SupplierPriceForm, suppliers_of
from nexo.purchasing.models import ExchangeRate, ItemPurchasing, SupplierPrice
from nexo.purchasing.views.common import price_text

# Supplier prices


def _price_listing(request: HttpRequest) -> ListPage:
    suppliers = [(str(pk), name) for pk, name in suppliers_of(request.company).values_list("pk", "name")]
    valid = queries.valid_on(timezone.localdate())
    return ListPage(
        search=words_in(("item__sku", "item__name", "supplier__name", "supplier_code")),
        sorts={
            "item": Sort(gettext_lazy("Item"), ("item__sku", "min_quantity")),
            "supplier": Sort(gettext_lazy("Supplier"), ("supplier__name", "item__sku")),
            "price": Sort(gettext_lazy("Unit price"), ("unit_price",)),
            "lead": Sort(gettext_lazy("Lead time"), ("lead_time_days",)),
        },
        default_sort="item",
        filters=[
            Filter("supplier", gettext_lazy("Supplier"), suppliers, lambda value: Q(supplier_id=value)),
            Filter(
                "valid",
                gettext_lazy("Valid"),
                [("yes", gettext_lazy("Valid today")), ("no", gettext_lazy("Not valid today"))],
                lambda value: (valid & Q(is_active=True)) if value == "yes" else ~(valid & Q(is_active=True)),
            ),
        ],
    )


@page("purchasing.view_supplierprice")
def supplier_price_list(request: HttpRequest) -> HttpResponse:
    prices = SupplierPrice.objects.filter(company=request.company).select_related("item", "supplier")
    item = Item.objects.filter(company=request.company, pk=record_id(request.GET.get("item"))).first()
    if item is not None:
        prices = prices.filter(item=item)
    listing = _price_listing(request).apply(request, prices)
    listing.page.object_list = list(listing.page.object_list)
    for price in listing.page.object_list:
        price.price_text = price_text(price.unit_price)
    context = {
        "listing": listing,
        "item": item,
        "today": timezone.localdate(),
        "title": _("Supplier prices"),
        "search_hint": _("Item, supplier or supplier's code"),
        "results_template": "purchasing/_supplier_price_results.html",
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "purchasing/supplier_price_list.html"
    )
    return render(request, template, context)


def _back_to(request: HttpRequest, fallback: str) -> str:
    """Where the user came from (an item's page), if it is on this site; else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _supplier_price_form(request: HttpRequest, price: SupplierPrice | None) -> HttpResponse:
    initial = {}
    if price is None:
        initial = {
            "item": record_id(request.GET.get("item")),
            "supplier": record_id(request.GET.get("supplier")),
        }
    form = SupplierPriceForm(request.POST or None, instance=price, company=request.company, initial=initial)
    back = _back_to(request, reverse("purchasing:supplier_price_list"))
    if request.method == "POST" and form.is_valid():
        try:
            if price is None:
                services.supplier_price_create(
                    company=request.company, by=request.user, **form.service_fields()
                )
                messages.success(request, _("Supplier price added."))
            else:
                services.supplier_price_update(
                    company=request.company, supplier_price_id=price.pk, by=request.user,
                    **form.service_fields(),
                )  # fmt: skip
                messages.success(request, _("Changes saved."))
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            return redirect(back)
    context = {
        "form": form,
        "title": _("Edit a supplier price") if price else _("New supplier price"),
        "subtitle": f"{price.item.sku} · {price.supplier.name}" if price else "",
        "cancel_url": back,
        "next": back,
    }
    return render(request, "purchasing/supplier_price_form.html", context, status=422 if form.errors else 200)


@page("purchasing.add_supplierprice")
def supplier_price_create(request: HttpRequest) -> HttpResponse:
    return _supplier_price_form(request, None)


@page("purchasing.change_supplierprice")
def supplier_price_edit(request: HttpRequest, supplier_price_id: int) -> HttpResponse:
    price = get_object_or_404(
        SupplierPrice.objects.select_related("item", "supplier"),
        company=request.company,
        pk=supplier_price_id,
    )
    return _supplier_price_form(request, price)


@page("purchasing.delete_supplierprice")
@require_POST
def supplier_price_delete(request: HttpRequest, supplier_price_id: int) -> HttpResponse:
    try:
        services.supplier_price_delete(company=request.company, supplier_price_id=supplier_price_id)
    except NotFound as error:  # deleted meanwhile, or never ours
        raise Http404(error.detail) from error
    messages.success(request, _("Supplier price deleted."))
    return redirect(_back_to(request, reverse("purchasing:supplier_price_list")))


# Exchange rates


@page("purchasing.view_exchangerate")
def exchange_rate_list(request: HttpRequest) -> HttpResponse:
    form = ExchangeRateForm(request.POST or None, company=request.company)
    if request.method == "POST":
        if not request.user.has_perm("purchasing.add_exchangerate"):
            raise PermissionDenied(_("Your role does not allow this."))
        if form.is_valid():
            try:
                rate = services.exchange_rate_set(
                    company=request.company, by=request.user, **form.service_fields()
                )
            except ValidationFailed as failure:
                apply_failure(form, failure)
            else:
                messages.success(
                    request,
                    _("1 %(currency)s = %(rate)s %(company_currency)s from %(day)s.")
                    % {
                        "currency": rate.currency,
                        "rate": number(rate.rate),
                        "company_currency": request.company.currency,
                        "day": day_text(rate.day),
                    },
                )
                return redirect("purchasing:exchange_rate_list")
    currencies = (
        ExchangeRate.objects.filter(company=request.company)
        .order_by("currency")
        .values_list("currency", flat=True)
        .distinct()
    )
    listing = ListPage(
        search=lambda word: Q(currency__icontains=word),
        sorts={
            "day": Sort(gettext_lazy("Date"), ("day", "currency")),
            "currency": Sort(gettext_lazy("Currency"), ("currency", "-day")),
        },
        default_sort="day",
        default_descending=True,
        filters=[
            Filter(
                "currency",
                gettext_lazy("Currency"),
                [(code, code) for code in currencies],
                lambda value: Q(currency=value),
            )
        ],
    ).apply(request, ExchangeRate.objects.filter(company=request.company).select_related("created_by"))
    context = {
        "listing": listing,
        "form": form,
        "company_currency": request.company.currency,
        "title": _("Exchange rates"),
        "search_hint": _("Currency"),
        "results_template": "purchasing/_exchange_rate_results.html",
    }
    if request.htmx and not request.htmx.boosted and request.method == "GET":
        return render(request, context["results_template"], context)
    return render(request, "purchasing/exchange_rate_list.html", context, status=422 if form.errors else 200)


# An item's buying settings


@page("purchasing.change_itempurchasing")
def item_purchasing_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(Item, company=request.company, pk=item_id)
    settings = ItemPurchasing.objects.filter(company=request.company, item=item).first()
    form = ItemPurchasingForm(request.POST or None, instance=settings, company=request.company)
    back = reverse("catalog:item_view", args=[item.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.item_purchasing_set(
                company=request.company, by=request.user, item_id=item.pk, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Buying settings of %(sku)s saved.") % {"sku": item.sku})
            return redirect(back)
    context = {
        "form": form,
        "title": _("How %(sku)s is bought") % {"sku": item.sku},
        "subtitle": item.name,
        "cancel_url": back,
    }
    return render(request, "core/form.html", context, status=422 if form.errors else 200)
