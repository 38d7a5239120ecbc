"""Price list pages: the lists, one list with its rules in order of precedence (each flagged when it prices
an item under its cost), its customers, the forms."""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nexo.catalog import queries, rule_costs, services
from nexo.catalog.forms import AssignForm, PriceListForm, PriceRuleForm
from nexo.catalog.models import PartyPricing, PriceList, PriceRule
from nexo.catalog.rule_text import price_text, quantity_text
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.permissions import page

SCOPE_ORDER = {PriceRule.Scope.ITEM: 0, PriceRule.Scope.CATEGORY: 1, PriceRule.Scope.ALL: 2}


def _precedence(rule: PriceRule) -> tuple:
    # The engine's order: scope (item, category, all), highest minimum quantity, latest start, oldest rule.
    start = rule.date_from.toordinal() if rule.date_from else 0
    return (SCOPE_ORDER.get(rule.scope, 3), -rule.min_quantity, -start, rule.pk)


@page("catalog.view_pricelist")
def price_list_list(request: HttpRequest) -> HttpResponse:
    lists = (
        PriceList.objects.filter(company=request.company)
        .annotate(rule_count=Count("rules", distinct=True))
        .order_by("name")
    )
    customers = dict(
        PartyPricing.objects.filter(price_list__company=request.company)
        .values("price_list_id")
        .annotate(count=Count("pk"))
        .values_list("price_list_id", "count")
    )
    rows = [(price_list, customers.get(price_list.pk, 0)) for price_list in lists]
    context = {
        "rows": rows,
        "default_id": queries.price_list_of(request.company, None),
        "title": _("Price lists"),
    }
    return render(request, "catalog/price_list_list.html", context)


def _detail_context(request: HttpRequest, price_list: PriceList, **extra) -> dict:
    rules = sorted(
        PriceRule.objects.filter(price_list=price_list).select_related("item", "category", "base_list"),
        key=_precedence,
    )
    against_cost = rule_costs.rules_against_cost(request.company, price_list, rules, timezone.localdate())
    for rule in rules:
        fixed = rule.method == PriceRule.Method.FIXED
        rule.value_text = price_text(rule.value) if fixed else f"{quantity_text(rule.value)} %"
        rule.min_quantity_text = quantity_text(rule.min_quantity)
        rule.rounding_text = quantity_text(rule.rounding) if rule.rounding else ""
        rule.against_cost = against_cost.get(rule.pk)
    customers = (
        PartyPricing.objects.filter(price_list=price_list).select_related("party").order_by("party__name")
    )
    return {
        "price_list": price_list,
        "rules": rules,
        "rules_under_cost": sum(1 for rule in rules if rule.against_cost and rule.against_cost.under),
        "compared_with_cost": bool(against_cost),
        "customers": customers,
        "is_default": queries.price_list_of(request.company, None) == price_list.pk,
        "rule_form": extra.pop("rule_form", None) or PriceRuleForm(company=request.company),
        "assign_form": extra.pop("assign_form", None) or AssignForm(company=request.company),
        **extra,
    }


def _price_list(request: HttpRequest, price_list_id: int) -> PriceList:
    return get_object_or_404(PriceList, company=request.company, pk=price_list_id)


@page("catalog.view_pricelist")
def price_list_view(request: HttpRequest, price_list_id: int) -> HttpResponse:
    price_list = _price_list(request, price_list_id)
    return render(request, "catalog/price_list_detail.html", _detail_context(request, price_list))


def _price_list_form(request: HttpRequest, price_list: PriceList | None) -> HttpResponse:
    initial = {} if price_list else {"currency": request.company.currency}
    form = PriceListForm(request.POST or None, instance=price_list, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if price_list is None:
                price_list = services.price_list_create(
                    company=request.company, by=request.user, **form.service_fields()
                )
                messages.success(request, _("Price list %(name)s created.") % {"name": price_list.name})
            else:
                services.price_list_update(
                    company=request.company, price_list_id=price_list.pk, by=request.user,
                    **form.service_fields(),
                )  # fmt: skip
                messages.success(request, _("Changes saved."))
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            return redirect("catalog:price_list_view", price_list_id=price_list.pk)
    context = {
        "form": form,
        "title": _("Edit %(name)s") % {"name": price_list.name} if price_list else _("New price list"),
        "cancel_url": reverse("catalog:price_list_view", args=[price_list.pk])
        if price_list
        else reverse("catalog:price_list_list"),
    }
    return render(request, "core/form.html", context, status=422 if form.errors else 200)


@page("catalog.add_pricelist")
def price_list_create(request: HttpRequest) -> HttpResponse:
    return _price_list_form(request, None)


@page("catalog.change_pricelist")
def price_list_edit(request: HttpRequest, price_list_id: int) -> HttpResponse:
    return _price_list_form(request, _price_list(request, price_list_id))


@page("catalog.change_pricelist")
@require_POST
def price_list_make_default(request: HttpRequest, price_list_id: int) -> HttpResponse:
    price_list = _price_list(request, price_list_id)
    services.price_list_set_default(company=request.company, price_list_id=price_list.pk)
    messages.success(request, _("%(name)s is now the default price list.") % {"name": price_list.name})
    return redirect("catalog:price_list_view", price_list_id=price_list.pk)


# Rules


@page("catalog.add_pricerule")
@require_POST
def rule_add(request: HttpRequest, price_list_id: int) -> HttpResponse:
    price_list = _price_list(request, price_list_id)
    form = PriceRuleForm(request.POST, company=request.company)
    if form.is_valid():
        try:
            services.price_rule_create(
                company=request.company, price_list_id=price_list.pk, by=request.user, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Rule added."))
            return redirect("catalog:price_list_view", price_list_id=price_list.pk)
    context = _detail_context(request, price_list, rule_form=form, rule_form_open=True)
    return render(request, "catalog/price_list_detail.html", context, status=422)


@page("catalog.change_pricerule")
def rule_edit(request: HttpRequest, price_list_id: int, rule_id: int) -> HttpResponse:
    price_list = _price_list(request, price_list_id)
    rule = get_object_or_404(PriceRule, company=request.company, price_list=price_list, pk=rule_id)
    form = PriceRuleForm(request.POST or None, instance=rule, company=request.company)
    if request.method == "POST" and form.is_valid():
        try:
            services.price_rule_update(
                company=request.company, rule_id=rule.pk, by=request.user, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("catalog:price_list_view", price_list_id=price_list.pk)
    context = {
        "form": form,
        "title": _("Edit a rule of %(name)s") % {"name": price_list.name},
        "cancel_url": reverse("catalog:price_list_view", args=[price_list.pk]),
    }
    return render(request, "catalog/rule_form.html", context, status=422 if form.errors else 200)


@page("catalog.delete_pricerule")
@require_POST
def rule_delete(request: HttpRequest, price_list_id: int, rule_id: int) -> HttpResponse:
    price_list = _price_list(request, price_list_id)
    get_object_or_404(PriceRule, company=request.company, price_list=price_list, pk=rule_id)
    try:
        services.price_rule_delete(company=request.company, rule_id=rule_id)
    except NotFound as error:  # deleted meanwhile
        raise Http404(error.detail) from error
    messages.success(request, _("Rule deleted."))
    return redirect("catalog:price_list_view", price_list_id=price_list.pk)


# Customers with this list as their own


@page("catalog.change_pricelist")
@require_POST
def customer_add(request: HttpRequest, price_list_id: int) -> HttpResponse:
    price_list = _price_list(request, price_list_id)
    form = AssignForm(request.POST, company=request.company)
    if form.is_valid():
        party = form.cleaned_data["party"]
        try:
            services.party_price_list_set(
                company=request.company, party_id=party.pk, price_list_id=price_list.pk
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(
                request,
                _("%(party)s now buys with %(name)s.") % {"party": party.name, "name": price_list.name},
            )
            return redirect("catalog:price_list_view", price_list_id=price_list.pk)
    context = _detail_context(request, price_list, assign_form=form)
    return render(request, "catalog/price_list_detail.html", context, status=422)


@page("catalog.change_pricelist")
@require_POST
def customer_remove(request: HttpRequest, price_list_id: int, party_id: int) -> HttpResponse:
    price_list = _price_list(request, price_list_id)
    assignment = get_object_or_404(
        PartyPricing, price_list=price_list, party_id=party_id, party__company=request.company
    )
    services.party_price_list_set(company=request.company, party_id=assignment.party_id, price_list_id=None)
    messages.success(
        request, _("%(party)s uses the default price list again.") % {"party": assignment.party.name}
    )
    return redirect("catalog:price_list_view", price_list_id=price_list.pk)
