from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from nexo.core.audit import audit_trail
from nexo.core.errors import ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.listing import Filter, ListPage, Sort
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.parties import services
from nexo.parties.forms import AddressForm, ContactForm, FirstAddressForm, PartyForm
from nexo.parties.models import Address, Contact, Party
from nexo.parties.queries import parties_of, party_detail, party_search

PARTY_LIST = ListPage(
    search=party_search,
    sorts={
        "name": Sort(gettext_lazy("Name"), ("name",)),
        "tax_id": Sort(gettext_lazy("Tax id"), ("tax_id",)),
        "city": Sort(gettext_lazy("City"), ("city",)),
        "status": Sort(gettext_lazy("Status"), ("status", "name")),
        "created": Sort(gettext_lazy("Created"), ("created_at",)),
    },
    default_sort="name",
    filters=[
        Filter("status", gettext_lazy("Status"), Party.Status.choices, lambda value: Q(status=value)),
        Filter(
            "supplier",
            gettext_lazy("Supplier"),
            [("yes", gettext_lazy("Suppliers")), ("no", gettext_lazy("Not suppliers"))],
            lambda value: Q(is_supplier=value == "yes"),
        ),
        Filter(
            "active",
            gettext_lazy("Active"),
            [("yes", gettext_lazy("Active")), ("no", gettext_lazy("Inactive"))],
            lambda value: Q(is_active=value == "yes"),
        ),
    ],
)


@page("parties.view_party")
def party_list(request: HttpRequest) -> HttpResponse:
    listing = PARTY_LIST.apply(request, parties_of(request.company))
    context = {
        "listing": listing,
        "title": _("Parties"),
        "search_hint": _("Name, tax id, e-mail or city"),
        "results_template": "parties/_party_results.html",
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "parties/party_list.html"
    )
    return render(request, template, context)


@page("parties.view_party")
def party_view(request: HttpRequest, party_id: int) -> HttpResponse:
    party = party_detail(request.company, party_id)
    context = {"party": party, "trail": audit_trail(party), "panels": panels("party_panel", request, party)}
    return render(request, "parties/party_detail.html", context)


@page("parties.add_party")
def party_create(request: HttpRequest) -> HttpResponse:
    form = PartyForm(request.POST or None, initial={"country": "ES"})
    address_form = FirstAddressForm(request.POST or None, initial={"country": "ES"})
    if request.method == "POST" and form.is_valid() & address_form.is_valid():
        addresses = [dict(address_form.cleaned_data, is_default=True)] if address_form.is_filled() else []
        try:
            party = services.party_create(
                company=request.company, by=request.user, addresses=addresses, **form.cleaned_data
            )
        except ValidationFailed as failure:
            _apply_with_address(form, address_form, failure)
        else:
            messages.success(request, _("Party %(name)s created.") % {"name": party.name})
            return redirect("parties:party_view", party_id=party.pk)
    context = {
        "form": form,
        "address_form": address_form,
        "title": _("New party"),
        "cancel_url": reverse("parties:party_list"),
    }
    return render(
        request, "parties/party_form.html", context, status=422 if form.errors or address_form.errors else 200
    )


def _apply_with_address(form, address_form, failure: ValidationFailed) -> None:
    party_errors, address_errors = {}, {}
    for field, field_messages in failure.field_messages().items():
        if field.startswith("addresses.0."):
            address_errors[field.removeprefix("addresses.0.")] = field_messages
        else:
            party_errors[field] = field_messages
    apply_failure(form, ValidationFailed.from_fields(party_errors))
    apply_failure(address_form, ValidationFailed.from_fields(address_errors))


@page("parties.change_party")
def party_edit(request: HttpRequest, party_id: int) -> HttpResponse:
    party = get_object_or_404(Party, company=request.company, pk=party_id)
    form = PartyForm(request.POST or None, instance=party)
    if request.method == "POST" and form.is_valid():
        try:
            services.party_update(
                company=request.company, party_id=party.pk, by=request.user, **form.cleaned_data
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("parties:party_view", party_id=party.pk)
    context = {
        "form": form,
        "party": party,
        "title": _("Edit %(name)s") % {"name": party.name},
        "cancel_url": reverse("parties:party_view", args=[party.pk]),
    }
    return render(request, "parties/party_form.html", context, status=422 if form.errors else 200)


# Contacts and addresses are edited in place on the party's page (HTMX), or on their own page without JS.
CHILDREN = {
    "contact": (
        Contact,
        ContactForm,
        services.contact_add,
        services.contact_update,
        services.contact_delete,
        gettext_lazy("contact"),
    ),
    "address": (
        Address,
        AddressForm,
        services.address_add,
        services.address_update,
        services.address_delete,
        gettext_lazy("address"),
    ),
}


def _section(request: HttpRequest, party_id: int, kind: str) -> HttpResponse:
    party = party_detail(request.company, party_id)
    return render(request, f"parties/_{kind}_section.html", {"party": party})


def _child_form(request: HttpRequest, party_id: int, kind: str, child_id: int | None) -> HttpResponse:
    model, form_class, add, update, _delete, label = CHILDREN[kind]
    party = get_object_or_404(Party, company=request.company, pk=party_id)
    record = get_object_or_404(model, company=request.company, party=party, pk=child_id) if child_id else None
    form = form_class(request.POST or None, instance=record, initial={"country": party.country})
    if request.method == "POST" and form.is_valid():
        try:
            if record is None:
                add(company=request.company, party_id=party.pk, by=request.user, **form.cleaned_data)
            else:
                update(
                    company=request.company,
                    party_id=party.pk,
                    by=request.user,
                    **{f"{kind}_id": record.pk},
                    **form.cleaned_data,
                )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            if request.htmx:
                # The form replaced itself while editing; the saved result replaces the whole section.
                return reswap(retarget(_section(request, party.pk, kind), f"#{kind}-section"), "outerHTML")
            return redirect("parties:party_view", party_id=party.pk)
    context = {
        "form": form, "party": party, "kind": kind, "record": record,
        "title": (_("Edit %(what)s") if record else _("New %(what)s")) % {"what": label},
        "cancel_url": reverse("parties:party_view", args=[party.pk]),
        "action": request.path,
    }  # fmt: skip
    template = "parties/_child_form.html" if request.htmx else "parties/child_form_page.html"
    return render(request, template, context, status=422 if form.errors else 200)


@page("parties.change_party")
def child_add(request: HttpRequest, party_id: int, kind: str) -> HttpResponse:
    return _child_form(request, party_id, kind, None)


@page("parties.change_party")
def child_edit(request: HttpRequest, party_id: int, kind: str, child_id: int) -> HttpResponse:
    return _child_form(request, party_id, kind, child_id)


@page("parties.view_party")
def child_section(request: HttpRequest, party_id: int, kind: str) -> HttpResponse:
    return _section(request, party_id, kind)


@page("parties.change_party")
@require_POST
def child_delete(request: HttpRequest, party_id: int, kind: str, child_id: int) -> HttpResponse:
    delete = CHILDREN[kind][4]
    delete(company=request.company, party_id=party_id, by=request.user, **{f"{kind}_id": child_id})
    if request.htmx:
        return _section(request, party_id, kind)
    messages.success(request, _("Deleted."))
    return redirect("parties:party_view", party_id=party_id)
