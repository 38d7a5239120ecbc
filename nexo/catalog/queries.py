"""Read side of the catalog: items with their categories, the price list of a party, batch pricing."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet

from nexo.catalog import pricing
from nexo.catalog.models import CatalogSettings, Category, Item, PartyPricing, PriceList, PriceRule, TaxRate
from nexo.core import plainsql
from nexo.core.models import Company
from nexo.parties.models import Party

# How many "discount on another list" levels are followed; the services refuse loops, this bounds the work.
MAX_LIST_DEPTH = 10


def items_of(company: Company) -> QuerySet[Item]:
    return Item.objects.filter(company=company).select_related("unit", "category", "sale_tax")


def price_list_of(company: Company, party_id: int | None) -> int | None:
    """The party's own price list, else the company default."""
    # Plain SQL: read for every quotation created, where the ORM's query building cost more than the read.
    own, parties = plainsql.quoted(PartyPricing._meta.db_table), plainsql.quoted(Party._meta.db_table)
    lists, settings = plainsql.quoted(PriceList._meta.db_table), plainsql.quoted(CatalogSettings._meta.db_table)
    with connection.cursor() as cursor:
        if party_id is not None:
            cursor.execute(
                f"SELECT pp.price_list_id FROM {own} pp JOIN {parties} p ON p.id = pp.party_id "  # noqa: S608
                f"JOIN {lists} pl ON pl.id = pp.price_list_id "
                "WHERE pp.party_id = %s AND p.company_id = %s AND pl.is_active = %s LIMIT 1",
                [party_id, company.pk, True],
            )
            row = cursor.fetchone()
            if row is not None:
                return row[0]
        cursor.execute(
            f"SELECT default_price_list_id FROM {settings} WHERE company_id = %s ORDER BY id LIMIT 1",  # noqa: S608
            [company.pk],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _rule_of(row: PriceRule) -> pricing.Rule:
    return pricing.Rule(
        id=row.pk, scope=pricing.Scope(row.scope), method=pricing.Method(row.method), value=row.value,
        min_quantity=row.min_quantity, item_id=row.item_id, category_id=row.category_id,
        date_from=row.date_from, date_to=row.date_to, base_list_id=row.base_list_id,
        rounding=row.rounding, margin_floor=row.margin_floor,
    )  # fmt: skip


def pricing_lists(
    company: Company, list_ids: Iterable[int], *, item_ids: Iterable[int] | None = None
) -> dict[int, pricing.PriceList]:
    """The price lists asked for and those they are based on, indexed for the engine.

    One query for the lists and one for their rules per level of "discount on another list" — a handful,
    whatever the number of items. With item_ids, item-scope rules of other items are not loaded.
    """
    wanted, loaded = {pk for pk in list_ids if pk is not None}, {}
    item_ids = set(item_ids) if item_ids is not None else None
    for _level in range(MAX_LIST_DEPTH):
        wanted -= set(loaded)
        if not wanted:
            break
        lists = {pl.pk: pl for pl in PriceList.objects.filter(company=company, pk__in=wanted, is_active=True)}
        rules = PriceRule.objects.filter(price_list_id__in=lists)
        if item_ids is not None:
            rules = rules.filter(~Q(scope=PriceRule.Scope.ITEM) | Q(item_id__in=item_ids))
        grouped: dict[int, list[pricing.Rule]] = {pk: [] for pk in lists}
        for row in rules:
            grouped[row.price_list_id].append(_rule_of(row))
        for pk, price_list in lists.items():
            loaded[pk] = pricing.PriceList(pk, grouped[pk], price_list.valid_from, price_list.valid_to)
        wanted = {rule.base_list_id for group in grouped.values() for rule in group if rule.base_list_id}
    return loaded


def item_facts(
    items: Iterable[Item], costs: Mapping[int, Decimal] | None = None
) -> dict[int, pricing.ItemFacts]:
    """What the engine needs of each item; the cost is the one given (from stock), else the standard cost."""
    costs = costs or {}
    return {
        item.pk: pricing.ItemFacts(
            id=item.pk,
            base_price=item.base_price,
            categories=item.category.ancestor_ids() if item.category_id else (),
            cost=costs.get(item.pk, item.standard_cost),
            min_margin=item.min_margin,
        )
        for item in items
    }


@dataclass(frozen=True)
class PricedLine:
    item: Item
    quantity: Decimal
    resolution: pricing.Resolution


def price_lines(
    company: Company, lines: Iterable[tuple[int, Decimal]], *, day: date, party_id: int | None = None,
    price_list_id: int | None = None, costs: Mapping[int, Decimal] | None = None,
) -> list[PricedLine]:  # fmt: skip
    """Price a whole document in one batch: a constant number of queries, whatever the number of lines."""
    lines = list(lines)
    list_id = price_list_id if price_list_id is not None else price_list_of(company, party_id)
    items = {item.pk: item for item in items_of(company).filter(pk__in={item_id for item_id, _q in lines})}
    facts = item_facts(items.values(), costs)
    lists = pricing_lists(company, [list_id], item_ids=items)
    return [
        PricedLine(items[item_id], quantity, pricing.resolve(facts[item_id], quantity, day, list_id, lists))
        for item_id, quantity in lines
        if item_id in items
    ]


def tax_rate_on(tax_category_id: int, day: date) -> TaxRate | None:
    """The rate a tax category has on `day`: the latest that starts on or before it; None before the first.

    The one place for this rule: a document reads the rate of its date here, so a rate change (a new
    TaxRate from a date on) leaves earlier documents at the rate of theirs.
    """
    found = plainsql.select(
        TaxRate,
        ("tax_category_id = %s AND valid_from <= %s", [tax_category_id, connection.ops.adapt_datefield_value(day)]),
        order_by=("-valid_from",),
        limit=1,
    )
    return found[0] if found else None


def category_tree(company: Company) -> list[Category]:
    return list(Category.objects.filter(company=company).order_by("full_name"))


def party_price_list(company: Company, party) -> dict:
    """{"own": the party's price list or None, "default": the company default} for the party's page."""
    own = PartyPricing.objects.filter(party=party).select_related("price_list").first()
    settings = CatalogSettings.objects.filter(company=company).select_related("default_price_list").first()
    return {
        "own": own.price_list if own else None,
        "default": settings.default_price_list if settings else None,
    }
