"""Price rules in words, for people: "Item rule: fixed price 12.50 from 10 units" (the price check, the
quotation lines)."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from nexo.catalog import pricing
from nexo.catalog.models import Category, Item, PriceList
from nexo.core.formatting import number


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
