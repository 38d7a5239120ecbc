"""The price check (DOMAIN §3): which price a customer gets for an item, a quantity and a date, and why."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from nexo.catalog import pricing, queries
from nexo.catalog.forms import PriceCheckForm
from nexo.catalog.models import Category, Item, PriceList
from nexo.core.formatting import number
from nexo.core.permissions import page

SCOPE_RANK = {pricing.Scope.ITEM: 0, pricing.Scope.CATEGORY: 1, pricing.Scope.ALL: 2}


def price_places(value: Decimal) -> int:
    """Decimals worth showing for a unit price: at least 2 (cents), at most 6, no trailing zeros."""
    exponent = Decimal(value).normalize().as_tuple().exponent
    return min(6, max(2, -exponent if isinstance(exponent, int) else 2))


def price_text(value: Decimal) -> str:
    return number(value, price_places(value))


def quantity_text(value: Decimal) -> str:
    """A quantity or a percentage without trailing zeros: 10, 2.5, 0.05."""
    exponent = Decimal(value).normalize().as_tuple().exponent
    return number(value, max(0, -exponent) if isinstance(exponent, int) else 0)


@dataclass(frozen=True)
class Names:
    items: dict[int, str]
    categories: dict[int, str]
    lists: dict[int, str]


def rule_names(company, rules: Iterable[pricing.Rule]) -> Names:
    """The names a rule description needs, three queries at most whatever the number of rules."""
    rules = list(rules)
    wanted = {
        "items": {r.item_id for r in rules if r.item_id},
        "categories": {r.category_id for r in rules if r.category_id},
        "lists": {r.base_list_id for r in rules if r.base_list_id},
    }
    return Names(
        items=dict(Item.objects.filter(company=company, pk__in=wanted["items"]).values_list("pk", "sku"))
        if wanted["items"]
        else {},
        categories=dict(
            Category.objects.filter(company=company, pk__in=wanted["categories"]).values_list(
                "pk", "full_name"
            )
        )
        if wanted["categories"]
        else {},
        lists=dict(
            PriceList.objects.filter(company=company, pk__in=wanted["lists"]).values_list("pk", "name")
        )
        if wanted["lists"]
        else {},
    )


def describe_rule(rule: pricing.Rule | None, names: Names) -> str:
    """A rule in words: "Item rule: fixed price 12.50 from 10 units"."""
    if rule is None:
        return _("No rule: base sale price")
    if rule.scope is pricing.Scope.ITEM:
        who = _("Item rule")
    elif rule.scope is pricing.Scope.CATEGORY:
        who = _("Category %(name)s") % {"name": names.categories.get(rule.category_id, "?")}
    else:
        who = _("All items")
    value = quantity_text(rule.value) if rule.method is not pricing.Method.FIXED else price_text(rule.value)
    if rule.method is pricing.Method.FIXED:
        how = _("fixed price %(price)s") % {"price": value}
    elif rule.method is pricing.Method.DISCOUNT_BASE:
        how = _("%(percent)s %% off the base price") % {"percent": value}
    elif rule.method is pricing.Method.DISCOUNT_LIST:
        how = _("%(percent)s %% off the price list %(name)s") % {
            "percent": value,
            "name": names.lists.get(rule.base_list_id, "?"),
        }
    else:
        how = _("%(percent)s %% markup on cost") % {"percent": value}
    text = f"{who}: {how}"
    if rule.min_quantity > 1:
        text += " " + _("from %(quantity)s units") % {"quantity": quantity_text(rule.min_quantity)}
    if rule.date_from and rule.date_to:
        text += ", " + _("%(start)s to %(end)s") % {
            "start": date_format(rule.date_from, "SHORT_DATE_FORMAT"),
            "end": date_format(rule.date_to, "SHORT_DATE_FORMAT"),
        }
    elif rule.date_from:
        text += ", " + _("since %(start)s") % {"start": date_format(rule.date_from, "SHORT_DATE_FORMAT")}
    elif rule.date_to:
        text += ", " + _("until %(end)s") % {"end": date_format(rule.date_to, "SHORT_DATE_FORMAT")}
    if rule.rounding:
        text += ", " + _("rounded to %(step)s") % {"step": quantity_text(rule.rounding)}
    return text


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
