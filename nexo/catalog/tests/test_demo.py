"""The demo catalog: a believable distributor's catalog, three price lists given to customers, and prices
that can be checked by hand from the demo's data."""

import io
from datetime import date
from decimal import Decimal

from django.core.management import call_command
from stdnum import ean

from nexo.catalog import queries
from nexo.catalog.demo import demo_item_specs
from nexo.catalog.models import Category, Item, PartyPricing, PriceList, PriceRule
from nexo.core.models import Company

D = Decimal
DAY = date(2026, 3, 2)


def _price(company, party, sku, quantity):
    item = Item.objects.get(company=company, sku=sku)
    (line,) = queries.price_lines(company, [(item.pk, D(quantity))], day=DAY, party_id=party.pk)
    return line.resolution


def test_demo_catalog_is_believable_priced_and_idempotent(roles):
    out = io.StringIO()
    call_command("demo", only="parties,catalog", stdout=out)
    assert "299 items in 19 categories, 3 price lists" in out.getvalue()
    company = Company.objects.get(tax_id="B46123451")
    items = Item.objects.filter(company=company)
    assert items.count() >= 280
    assert items.values("valuation_method").distinct().count() == 4
    assert items.filter(kind="service").count() == 5
    assert {"ud", "m", "rollo", "caja", "kg", "l"} <= set(items.values_list("unit__code", flat=True))
    with_barcode = items.exclude(barcode="")
    assert with_barcode.count() > 100 and all(
        ean.is_valid(code) for code in with_barcode.values_list("barcode", flat=True)
    )
    assert (
        not items.filter(base_price__lte=0).exists()
        and not items.filter(kind="stocked", standard_cost=None).exists()
    )
    deepest = max(len(category.ancestor_ids()) for category in Category.objects.filter(company=company))
    assert deepest == 3
    cables = Category.objects.get(company=company, full_name="Electricidad / Cables")
    assert items.filter(category__path__startswith=cables.path).count() >= 40

    lists = {price_list.name: price_list for price_list in PriceList.objects.filter(company=company)}
    assert set(lists) == {"PVP", "Distribuidores", "Cliente preferente"}
    assert not PriceRule.objects.filter(price_list=lists["PVP"]).exists()
    assert queries.price_list_of(company, None) == lists["PVP"].pk
    preferred_rules = PriceRule.objects.filter(price_list=lists["Cliente preferente"])
    assert preferred_rules.values("item").distinct().count() == 30 and preferred_rules.count() == 90
    assert preferred_rules.exclude(rounding=None).count() == 3
    pricing = PartyPricing.objects.filter(party__company=company)
    dealers = pricing.filter(price_list=lists["Distribuidores"])
    preferred = pricing.filter(price_list=lists["Cliente preferente"])
    assert dealers.count() >= 3 and preferred.count() >= 3
    assert not pricing.exclude(party__status="customer").exists()

    # HE-004 "Atornillador a batería 18 V sin batería", PVP 100.50: Distribuidores take 15 % off, 20 % from 50.
    dealer = dealers.first().party
    assert Item.objects.get(company=company, sku="HE-004").base_price == D("100.50")
    at_10, at_60 = _price(company, dealer, "HE-004", 10), _price(company, dealer, "HE-004", 60)
    assert (
        at_10.unit_price == D("85.425")
        and at_10.rule.value == 15
        and at_10.price_list_id == lists["Distribuidores"].pk
    )
    assert at_60.unit_price == D("80.40") and at_60.rule.min_quantity == 50 and at_60.losers == (at_10.rule,)
    # Cliente preferente: ACF-007 (PVP 2.39) fixed 2.20 / 2.08 / 1.96 from 1 / 10 / 50 units.
    customer = preferred.first().party
    assert _price(company, customer, "ACF-007", 1).unit_price == D("2.20")
    assert _price(company, customer, "ACF-007", 10).unit_price == D("2.08")
    assert _price(company, customer, "ACF-007", 49).unit_price == D("2.08")
    assert _price(company, customer, "ACF-007", 50).unit_price == D("1.96")
    # ACF-005 has fixed 5.12 from 10 units, rounded to 0.05: 5.10; from 50, 4.83 rounds up to 4.85.
    assert _price(company, customer, "ACF-005", 10).unit_price == D("5.10")
    assert _price(company, customer, "ACF-005", 50).unit_price == D("4.85")
    # HE-004 is one of the 30 too: 87 % of its PVP from 10 units (100.50 * 0.87 = 87.435 -> 87.44).
    assert _price(company, customer, "HE-004", 10).unit_price == D("87.44")
    # An item without a preferred price: the preferred list has no rule for it, so its PVP.
    assert _price(company, customer, "GRI-001", 10).unit_price == D("48.95")

    counts = (items.count(), Category.objects.filter(company=company).count(), PriceRule.objects.count())
    call_command("demo", only="parties,catalog", stdout=io.StringIO())
    assert (
        items.count(),
        Category.objects.filter(company=company).count(),
        PriceRule.objects.count(),
    ) == counts


def test_demo_specs_are_deterministic():
    assert demo_item_specs() == demo_item_specs()
    skus = [spec["sku"] for spec in demo_item_specs()]
    assert len(skus) == len(set(skus))
