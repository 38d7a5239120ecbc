"""The price check: which price a customer gets for an item, a quantity and a date, and why (the order
of precedence is in docs/modules/catalog.md, "Price resolution")."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.catalog import pricing, queries
from nexo.catalog.forms import PriceCheckForm
from nexo.catalog.models import Item, PriceList
from nexo.catalog.rule_text import describe_rule, price_text, rule_names
from nexo.core.permissions import page

SCOPE_RANK = {pricing.Scope.ITEM: 0, pricing.Scope.CATEGORY: 1, pricing.Scope.ALL: 2}


def why_lost(loser: pricing.Rule, winner: pricing.Rule) -> str:
    """Why a rule that applied gave way to the winner (the engine's order of precedence)."""
    if SCOPE_RANK[loser.scope] != SCOPE_RANK[winner.scope]:
        return _("less specific scope")
    if loser.scope is pricing.Scope.CATEGORY and loser.category_id != winner.category_id:
        return _("less specific scope (a broader category)")
    if loser.min_quantity != winner.min_quantity:
        return _("lower minimum quantity")
    if (loser.date_from or date.min) != (winner.date_from or date.min):
        return _("earlier start")
    return _("same precedence: the older rule wins")


@dataclass
class Check:
    """A price check's answer, ready for the template."""

    item: Item
    quantity: Decimal
    day: date
    price_list: PriceList | None
    own_list: bool
    list_valid: bool
    resolution: pricing.Resolution | None
    rule_text: str
    losers: list[tuple[str, str]]  # (description, why it lost)
    skipped: list[str]  # rules that applied but could not give a price (a markup without cost)
    loop: str = ""

    @property
    def unit_price_text(self) -> str:
        return price_text(self.resolution.unit_price) if self.resolution else ""

    @property
    def base_price_text(self) -> str:
        return price_text(self.item.base_price)


def check_price(company, item: Item, quantity: Decimal, day: date, party_id: int | None) -> Check:
    list_id = queries.price_list_of(company, party_id)
    own = party_id is not None and list_id != queries.price_list_of(company, None)
    price_list = PriceList.objects.filter(company=company, pk=list_id).first() if list_id else None
    facts = queries.item_facts([item])[item.pk]
    lists = queries.pricing_lists(company, [list_id] if list_id else [], item_ids=[item.pk])
    indexed = lists.get(list_id) if list_id else None
    check = Check(
        item=item, quantity=quantity, day=day, price_list=price_list, own_list=own,
        list_valid=indexed is not None and indexed.valid_on(day), resolution=None, rule_text="",
        losers=[], skipped=[],
    )  # fmt: skip
    try:
        resolution = pricing.resolve(facts, quantity, day, list_id, lists)
    except pricing.PriceListLoop:
        check.loop = _("This price list is based, through others, on itself: fix its rules.")
        return check
    candidates = indexed.candidates(facts, quantity, day) if check.list_valid else []
    names = rule_names(company, candidates)
    check.resolution = resolution
    check.rule_text = describe_rule(resolution.rule, names)
    winner = resolution.rule
    position = candidates.index(winner) if winner in candidates else len(candidates)
    check.skipped = [describe_rule(rule, names) for rule in candidates[:position]]
    check.losers = [
        (describe_rule(rule, names), why_lost(rule, winner))
        for rule in resolution.losers
        if winner is not None
    ]
    return check


@page("catalog.view_pricelist", "catalog.view_item")
def price_check(request: HttpRequest) -> HttpResponse:
    asked = bool(request.GET.get("item"))
    data = request.GET.copy() if asked else None
    if data is not None and not data.get("day"):
        data["day"] = timezone.localdate().isoformat()
    form = PriceCheckForm(data, company=request.company, initial={"party": request.GET.get("party")})
    check = None
    if asked and form.is_valid():
        party = form.cleaned_data["party"]
        check = check_price(
            request.company,
            form.cleaned_data["item"],
            form.cleaned_data["quantity"],
            form.cleaned_data["day"],
            party.pk if party else None,
        )
    context = {"form": form, "check": check, "title": _("Price check")}
    template = "catalog/_price_check_result.html" if request.htmx else "catalog/price_check.html"
    return render(request, template, context, status=422 if form.errors else 200)
