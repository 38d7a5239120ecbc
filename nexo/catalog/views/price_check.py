"""The price check: which price a customer gets for an item, a quantity and a date, and why (the order
of precedence is in docs/modules/catalog.md, "Price resolution"); and what the item costs and earns at that
price, costed as a quotation line would be (`catalog.costs`)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.catalog import costs, pricing, queries
from nexo.catalog.forms import PriceCheckCostForm
from nexo.catalog.models import Item, PriceList
from nexo.catalog.rule_text import describe_rule, price_text, rule_names
from nexo.core.formatting import number
from nexo.core.permissions import page

COST_PLACES = 4  # unit costs are kept with 6 decimals and shown with 4
# Where a cost came from, as the quotation's lines name it.
SOURCE_LABELS = {
    "fifo": gettext_lazy("FIFO"),
    "average": gettext_lazy("Average"),
    "last_purchase": gettext_lazy("Last purchase"),
    "standard": gettext_lazy("Standard"),
    "supplier_price": gettext_lazy("Supplier price"),
    "none": gettext_lazy("No cost"),
}


def cost_basis_text(cost: costs.ItemCost) -> str:
    """Every part's source in order: "FIFO", "FIFO + Supplier price"."""
    return " + ".join(str(SOURCE_LABELS.get(source, source)) for source in cost.sources)


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
    cost: costs.ItemCost | None = None
    margin: costs.Margin | None = None
    currency: str = ""  # the price's currency (the list's, else the company's)
    other_currency: bool = False  # the price is in another currency than the cost: no margin

    @property
    def unit_cost_text(self) -> str:
        return (
            number(self.cost.unit_cost, COST_PLACES) if self.cost and self.cost.unit_cost is not None else ""
        )

    @property
    def unit_margin_text(self) -> str:
        return number(self.margin.unit_margin, COST_PLACES) if self.margin else ""

    @property
    def cost_basis_text(self) -> str:
        return cost_basis_text(self.cost) if self.cost else ""

    @property
    def unit_price_text(self) -> str:
        return price_text(self.resolution.unit_price) if self.resolution else ""

    @property
    def base_price_text(self) -> str:
        return price_text(self.item.base_price)


def check_price(
    company, item: Item, quantity: Decimal, day: date, party_id: int | None, warehouse_id: int | None = None
) -> Check:
    """The price as a quotation line would get it: costed first (a markup on cost and the margin floor use
    that cost, as on the quotation), then priced, then the margin at that price."""
    list_id = queries.price_list_of(company, party_id)
    own = party_id is not None and list_id != queries.price_list_of(company, None)
    price_list = PriceList.objects.filter(company=company, pk=list_id).first() if list_id else None
    (cost,) = costs.item_costs(company, [(item.pk, quantity)], warehouse_id=warehouse_id, day=day)
    known = {item.pk: cost.unit_cost} if cost is not None and cost.unit_cost is not None else {}
    facts = queries.item_facts([item], known)[item.pk]
    lists = queries.pricing_lists(company, [list_id] if list_id else [], item_ids=[item.pk])
    indexed = lists.get(list_id) if list_id else None
    check = Check(
        item=item, quantity=quantity, day=day, price_list=price_list, own_list=own,
        list_valid=indexed is not None and indexed.valid_on(day), resolution=None, rule_text="",
        losers=[], skipped=[], cost=cost,
        currency=price_list.currency if price_list else company.currency,
    )  # fmt: skip
    check.other_currency = check.currency != company.currency
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
    if known and not check.other_currency:
        check.margin = costs.margin_at(quantity, resolution.unit_price, known[item.pk], item.min_margin)
    return check


@page("catalog.view_pricelist", "catalog.view_item")
def price_check(request: HttpRequest) -> HttpResponse:
    asked = bool(request.GET.get("item") or request.GET.get("item_search"))  # an id chosen, or a SKU typed
    data = request.GET.copy() if asked else None
    if data is not None and not data.get("day"):
        data["day"] = timezone.localdate().isoformat()
    form = PriceCheckCostForm(data, company=request.company, initial={"party": request.GET.get("party")})
    check = None
    if asked and form.is_valid():
        party = form.cleaned_data["party"]
        check = check_price(
            request.company,
            form.cleaned_data["item"],
            form.cleaned_data["quantity"],
            form.cleaned_data["day"],
            party.pk if party else None,
            form.cleaned_data["warehouse"],
        )
    context = {"form": form, "check": check, "title": _("Price check")}
    template = "catalog/_price_check_result.html" if request.htmx else "catalog/price_check.html"
    return render(request, template, context, status=422 if form.errors else 200)
