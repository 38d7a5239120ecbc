"""The demo's stock: two warehouses, a year of moves that never took a location below zero, a stock count
with differences, and valuations that add up. Loaded once (it takes a while) and checked from every side."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import F, Max, Min
from django.utils import timezone

from nexo.catalog.models import Item
from nexo.core.demo import demo_companies_and_users
from nexo.inventory import ledger
from nexo.inventory.demo import BRANCH_CODE, SHELVES
from nexo.inventory.models import (
    InventorySettings,
    Location,
    StockBalance,
    StockMove,
    StockQuant,
    ValuationEntry,
    Warehouse,
)

# The stock comes from these modules' demos; the whole `nexo demo` is run by the purchasing demo test.
STOCK_DEMOS = ("parties", "catalog", "inventory", "purchasing")


def _load():
    company, second_company, users = demo_companies_and_users()
    summaries = [
        apps.get_app_config(label).load_demo(company=company, second_company=second_company, users=users)
        for label in STOCK_DEMOS
    ]
    return company, summaries


def _counts(company):
    return (
        Warehouse.objects.filter(company=company).count(),
        Location.objects.filter(company=company).count(),
        StockMove.objects.filter(company=company).count(),
        ValuationEntry.objects.filter(company=company).count(),
    )


def test_demo_stock_never_goes_negative_adds_up_and_loads_once(roles):
    company, summaries = _load()
    assert summaries[2] == (
        "2 warehouses (ALM Almacén central, with Estantería A and Estantería B; ALC Alicante); "
        "negative stock not allowed"
    )
    settings = InventorySettings.objects.get(company=company)
    assert not settings.allow_negative_stock
    main = settings.default_warehouse
    branch = Warehouse.objects.get(company=company, code=BRANCH_CODE)
    assert set(Location.objects.filter(warehouse=main).values_list("name", flat=True)) == {
        main.stock_location.name,
        *SHELVES,
    }

    # Never below zero: not now in any location, and not at any point of any warehouse's history.
    assert not StockQuant.objects.filter(company=company, quantity__lt=0).exists()
    assert not ValuationEntry.objects.filter(company=company, received__lt=F("issued")).exists()
    # What the locations hold adds up to each warehouse's balance.
    held = defaultdict(Decimal)
    for item_id, warehouse_id, quantity in StockQuant.objects.filter(company=company).values_list(
        "item_id", "location__warehouse_id", "quantity"
    ):
        held[(item_id, warehouse_id)] += quantity
    for balance in StockBalance.objects.filter(company=company):
        assert held[(balance.item_id, balance.warehouse_id)] == balance.quantity

    today = timezone.localdate()
    moves = StockMove.objects.filter(company=company)
    assert not moves.exclude(state=StockMove.State.DONE).exists()
    assert moves.aggregate(last=Max("date"))["last"] < today
    deliveries = moves.filter(origin_type="customer_delivery", to_location=settings.customer_location)
    span = deliveries.aggregate(first=Min("date"), last=Max("date"))
    assert deliveries.count() > 1000 and span["last"] - span["first"] > timedelta(days=330)
    assert deliveries.filter(from_location=branch.stock_location).exists()
    receipts = moves.filter(from_location=settings.supplier_location)
    assert receipts.count() > 500 and receipts.values("unit_cost").distinct().count() > 400
    transfers = moves.filter(from_location=main.stock_location, to_location=branch.stock_location)
    assert transfers.values("date").distinct().count() >= 10
    for shelf in Location.objects.filter(warehouse=main, name__in=SHELVES):
        assert StockQuant.objects.filter(location=shelf, quantity__gt=0).exists()
    assert StockQuant.objects.filter(location=branch.stock_location, quantity__gt=0).count() >= 10

    # The opening count a year ago, and a cyclic count a couple of weeks ago with gains and losses.
    counted = moves.filter(origin_type="stock_count")
    opening_day = counted.aggregate(first=Min("date"))["first"]
    assert opening_day <= today - timedelta(days=364)
    assert counted.filter(date=opening_day).count() > 250
    recent = counted.filter(date__gt=today - timedelta(days=30))
    assert recent.filter(to_location=settings.adjustment_location).exists()  # losses
    assert recent.filter(from_location=settings.adjustment_location).exists()  # gains
    assert recent.count() <= 5

    # Values follow each item's method: FIFO is the sum of its layers, average is on hand times average.
    methods = dict(Item.objects.filter(company=company).values_list("pk", "valuation_method"))
    balances = StockBalance.objects.filter(warehouse=main)
    layered = ledger.balances_for(main.pk, {row.item_id: row.quantity for row in balances})
    for row in balances:
        if methods[row.item_id] == "fifo":
            assert layered[row.item_id].layers_value() == row.value
        elif methods[row.item_id] == "average" and row.quantity:
            assert abs(row.quantity * row.average - row.value) <= Decimal("0.01")

    before = _counts(company)
    assert _load()[1][1:] == ["", "", ""]
    assert _counts(company) == before
