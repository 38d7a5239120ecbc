"""Warehouses with their locations (add, rename, deactivate) and the company's stock settings."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nexo.core.errors import ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.permissions import page
from nexo.inventory import queries, services
from nexo.inventory.forms import LocationForm, NewLocationForm, SettingsForm, WarehouseForm
from nexo.inventory.models import Location, Warehouse


@page("inventory.view_warehouse")
def warehouse_list(request: HttpRequest) -> HttpResponse:
    warehouses = (
        Warehouse.objects.filter(company=request.company)
        .select_related("stock_location")
        .annotate(location_count=Count("locations", filter=Q(locations__is_active=True)))
        .order_by("code")
    )
    context = {
        "warehouses": warehouses,
        "default_id": queries.default_warehouse_id(request.company),
        "title": _("Warehouses"),
    }
    return render(request, "inventory/warehouse_list.html", context)


@page("inventory.add_warehouse")
def warehouse_create(request: HttpRequest) -> HttpResponse:
    form = WarehouseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            warehouse = services.warehouse_create(
                company=request.company, by=request.user, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Warehouse %(code)s created.") % {"code": warehouse.code})
            return redirect("inventory:warehouse_view", warehouse_id=warehouse.pk)
    context = {
        "form": form,
        "title": _("New warehouse"),
        "subtitle": _("It gets a stock location, where its receipts go; add more locations afterwards."),
        "cancel_url": reverse("inventory:warehouse_list"),
    }
    return render(request, "core/form.html", context, status=422 if form.errors else 200)


def _warehouse_page(
    request: HttpRequest,
    warehouse: Warehouse,
    location_form: NewLocationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    locations = (
        Location.objects.filter(company=request.company, warehouse=warehouse)
        .annotate(item_count=Count("quants", filter=~Q(quants__quantity=0)))
        .order_by("-is_active", "name", "pk")
    )
    context = {
        "warehouse": warehouse,
        "locations": locations,
        "is_default": queries.default_warehouse_id(request.company) == warehouse.pk,
        "location_form": location_form or NewLocationForm(),
        "title": str(warehouse),
    }
    return render(request, "inventory/warehouse_detail.html", context, status=status)


@page("inventory.view_warehouse")
def warehouse_view(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    warehouse = get_object_or_404(Warehouse, company=request.company, pk=warehouse_id)
    return _warehouse_page(request, warehouse)


@page("inventory.change_warehouse")
def warehouse_edit(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    warehouse = get_object_or_404(Warehouse, company=request.company, pk=warehouse_id)
    form = WarehouseForm(request.POST or None, instance=warehouse)
    if request.method == "POST" and form.is_valid():
        try:
            services.warehouse_update(
                company=request.company, warehouse_id=warehouse.pk, by=request.user, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("inventory:warehouse_view", warehouse_id=warehouse.pk)
    context = {
        "form": form,
        "title": _("Edit warehouse %(code)s") % {"code": warehouse.code},
        "cancel_url": reverse("inventory:warehouse_view", args=[warehouse.pk]),
    }
    return render(request, "core/form.html", context, status=422 if form.errors else 200)


@page("inventory.add_location")
@require_POST
def location_add(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    warehouse = get_object_or_404(Warehouse, company=request.company, pk=warehouse_id)
    form = NewLocationForm(request.POST)
    if form.is_valid():
        try:
            location = services.location_create(
                company=request.company, by=request.user, warehouse_id=warehouse.pk, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Location %(name)s added.") % {"name": location.name})
            return redirect("inventory:warehouse_view", warehouse_id=warehouse.pk)
    return _warehouse_page(request, warehouse, location_form=form, status=422)


def _back_to(location: Location) -> HttpResponse:
    if location.warehouse_id:
        return redirect("inventory:warehouse_view", warehouse_id=location.warehouse_id)
    return redirect("inventory:settings")


@page("inventory.change_location")
def location_edit(request: HttpRequest, location_id: int) -> HttpResponse:
    location = get_object_or_404(
        Location.objects.select_related("warehouse"), company=request.company, pk=location_id
    )
    form = LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        try:
            services.location_update(
                company=request.company, location_id=location.pk, by=request.user, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Changes saved."))
            return _back_to(location)
    cancel = (
        reverse("inventory:warehouse_view", args=[location.warehouse_id])
        if location.warehouse_id
        else reverse("inventory:settings")
    )
    context = {
        "form": form,
        "title": _("Edit location %(name)s") % {"name": str(location)},
        "cancel_url": cancel,
    }
    return render(request, "core/form.html", context, status=422 if form.errors else 200)


@page("inventory.change_location")
@require_POST
def location_toggle(request: HttpRequest, location_id: int) -> HttpResponse:
    """Deactivate an active location, or bring an inactive one back."""
    location = get_object_or_404(Location, company=request.company, pk=location_id)
    try:
        services.location_update(
            company=request.company,
            location_id=location.pk,
            by=request.user,
            is_active=not location.is_active,
        )
    except ValidationFailed as failure:
        for field_messages in failure.field_messages().values():
            for message in field_messages:
                messages.error(request, message)
    else:
        if location.is_active:
            messages.success(request, _("Location %(name)s deactivated.") % {"name": location.name})
        else:
            messages.success(request, _("Location %(name)s active again.") % {"name": location.name})
    return _back_to(location)


@page("inventory.change_warehouse")
def settings(request: HttpRequest) -> HttpResponse:
    current = services.settings_of(request.company)
    form = SettingsForm(request.POST or None, instance=current, company=request.company)
    if request.method == "POST" and form.is_valid():
        try:
            services.inventory_settings_update(
                company=request.company, by=request.user, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("inventory:settings")
    virtual = Location.objects.filter(
        pk__in=[current.supplier_location_id, current.customer_location_id, current.adjustment_location_id]
    ).order_by("kind")
    context = {"form": form, "virtual_locations": virtual, "title": _("Inventory settings")}
    return render(request, "inventory/settings.html", context, status=422 if form.errors else 200)
