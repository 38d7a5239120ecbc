"""The demo's year of purchasing: rates, supplier prices, orders in every state received at drifting costs,
purchase suggestions, and items whose cost for a quotation depends on the basis chosen.

The plan is checked without the database over many days; the whole `nexo demo` is loaded once (it takes a
while), checked from every side, then run again to add nothing.
"""

import io
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.utils import timezone

from nexo.catalog.demo import demo_item_specs
from nexo.catalog.models import Item
from nexo.core.models import Company
from nexo.inventory.models import StockMove
from nexo.purchasing.costing import unit_costs_for
from nexo.purchasing.demo import STOCK_UP_ITEMS, STOCK_UP_METHODS, DemoItem, demo_plan, plan_year
from nexo.purchasing.models import (
    ExchangeRate,
    ItemPurchasing,
    PurchaseOrder,
    Receipt,
    ReceiptLine,
    SupplierPrice,
)
from nexo.purchasing.queries import purchase_suggestions

D = Decimal
State = PurchaseOrder.State
BASES = (None, "average", "fifo", "last_purchase", "supplier_price")


def _spec_items() -> tuple[list[DemoItem], dict[str, str]]:
    specs = [spec for spec in demo_item_specs() if spec["kind"] == "stocked"]
    items = [
        DemoItem(spec["sku"], " / ".join(spec["path"]), spec["unit"], spec["standard_cost"], spec["valuation_method"])
        for spec in specs
    ]  # fmt: skip
    return items, {spec["sku"]: spec["name"] for spec in specs}


def _replay(plan) -> dict[tuple[str, str], int]:
    """Play the plan's timeline on plain counters; every move must find what it takes."""
    stock: dict[tuple[str, str], int] = defaultdict(int)
    for day, _phase, kind, index, number in plan.timeline():
        if kind == "count":
            count = plan.counts[index]
            for sku, quantity in count.counted.items():
                stock[("branch" if count.branch else "main", sku)] = quantity
        elif kind == "receipt":
            for sku, quantity in plan.orders[index].receipts[number][1].items():
                stock[("main", sku)] += quantity
        elif kind == "moves":
            moves = plan.moves[index]
            source = "branch" if moves.kind == "branch_delivery" else "main"
            target = {"transfer": "branch", "shelf": f"shelf{moves.shelf}"}.get(moves.kind)
            for sku, quantity in moves.lines:
                assert 0 < quantity <= stock[(source, sku)], (day, moves.kind, sku)
                stock[(source, sku)] -= quantity
                if target:
                    stock[(target, sku)] += quantity
    return stock


def test_the_plan_is_deterministic_and_every_day_gives_the_whole_story():
    items, names = _spec_items()
    first = plan_year(items, date(2026, 3, 2), 25, names=names)
    assert first == plan_year(items, date(2026, 3, 2), 25, names=names)
    assert plan_year(items, date(2026, 3, 2), 25, names=names, seed=1) != first
    # Whatever today is (any weekday, any month), the story is complete and never oversells.
    for offset in range(0, 365, 23):
        today = date(2026, 3, 2) + timedelta(days=offset)
        plan = plan_year(items, today, 25, names=names)
        stock = _replay(plan)
        assert all(quantity >= 0 for quantity in stock.values())
        assert {order.state for order in plan.orders} == set(State.values), today
        days = [day for day, *_rest in plan.timeline()]
        assert min(days) <= today - timedelta(days=364) and max(days) < today
        methods = Counter(next(i.method for i in items if i.sku == sku) for sku in plan.stock_ups)
        assert methods == dict.fromkeys(STOCK_UP_METHODS, STOCK_UP_ITEMS), today
        minimums = [setting for setting in plan.settings if setting.minimum]
        assert len(minimums) == 40
        projected = {
            sku: stock[("main", sku)] + stock[("shelf0", sku)] + stock[("shelf1", sku)]
            + stock[("branch", sku)] + plan.on_order.get(sku, 0)
            for sku in (setting.sku for setting in minimums)
        }  # fmt: skip
        assert 5 <= sum(1 for setting in minimums if projected[setting.sku] < setting.minimum) <= 15


def _counts(company):
    return (
        PurchaseOrder.objects.filter(company=company).count(),
        Receipt.objects.filter(company=company).count(),
        SupplierPrice.objects.filter(company=company).count(),
        ExchangeRate.objects.filter(company=company).count(),
        StockMove.objects.filter(company=company).count(),
    )


def test_demo_purchasing_year_is_believable_costs_differ_by_basis_and_loads_once(roles):
    out = io.StringIO()
    call_command("demo", only="parties,catalog,inventory,purchasing", stdout=out)
    company = Company.objects.get(tax_id="B46123451")
    today = timezone.localdate()
    # One rate a month per currency, from the month the history starts (364 days ago) to this one: 13 rows,
    # or 12 when that day is already the 1st of the next month (on the last day of a month).
    start = today - timedelta(days=364)
    monthly = (today.year - start.year) * 12 + today.month - start.month + 1
    assert f"{2 * monthly} exchange rates (USD, GBP)" in out.getvalue()

    rates = ExchangeRate.objects.filter(company=company)
    for currency in ("USD", "GBP"):
        span = rates.filter(currency=currency).aggregate(first=Min("day"), last=Max("day"), n=Count("id"))
        assert span["n"] == monthly and span["first"] <= start and span["last"] <= today
        assert rates.filter(currency=currency).values("rate").distinct().count() > 6

    stocked = Item.objects.filter(company=company, kind="stocked")
    prices = SupplierPrice.objects.filter(company=company)
    priced = prices.values("item").distinct().count()
    assert 0.85 * stocked.count() <= priced < stocked.count()
    per_item = Counter(item for item, _supplier in set(prices.values_list("item", "supplier")))
    assert set(per_item.values()) == {2, 3}
    assert prices.filter(min_quantity__gt=1).values("supplier").distinct().count() >= 3
    assert prices.filter(currency="USD").exists() and prices.exclude(currency="USD").exists()
    assert prices.values("lead_time_days").distinct().count() >= 6
    assert prices.exclude(valid_to=None).exists()
    settings = ItemPurchasing.objects.filter(company=company)
    assert settings.exclude(preferred_supplier=None).count() == priced
    assert settings.filter(minimum_stock__gt=0, reorder_quantity__gt=0).count() == 40

    orders = PurchaseOrder.objects.filter(company=company)
    states = Counter(orders.values_list("state", flat=True))
    assert set(states) == set(State.values) and states[State.RECEIVED] > 150
    assert 2 <= states[State.CONFIRMED] + states[State.PARTIALLY_RECEIVED] <= 15
    assert states[State.DRAFT] == 2 and 2 <= states[State.CANCELLED] <= 15
    assert orders.filter(currency="USD").exclude(exchange_rate=None).exists()
    assert not orders.filter(date__gte=today).exists()
    assert orders.filter(state=State.PARTIALLY_RECEIVED, receipts__isnull=False).exists()
    twice = orders.annotate(n=Count("receipts")).filter(state=State.RECEIVED, n__gt=1)
    assert twice.exists()  # the rest of a partial receipt came later
    receipts = Receipt.objects.filter(company=company)
    span = receipts.aggregate(first=Min("date"), last=Max("date"))
    assert span["last"] < today and span["last"] - span["first"] > timedelta(days=300)
    # Costs drift: the same item is received at several costs over the year.
    received = set(
        ReceiptLine.objects.filter(receipt__company=company).values_list("order_line__item", "unit_cost")
    )
    costs = Counter(item for item, _unit_cost in received)
    assert sum(1 for n in costs.values() if n >= 4) >= 30

    suggestions = purchase_suggestions(company)
    # At least those the plan leaves under their minimum (the sales demo may reserve some more).
    assert len(suggestions) >= 5 and all(line.supplier is not None for line in suggestions)

    # The items stocked up before their supplier's new prices: for 20 units, FIFO takes the old units,
    # last purchase the new price, and the average lies between them, each clearly apart.
    plan = demo_plan(company, today)
    by_sku = {item.sku: item for item in stocked}
    chosen = [by_sku[sku] for sku in plan.stock_ups]
    costs = unit_costs_for(company, [(item.pk, D(20)) for item in chosen], bases=BASES)
    methods = Counter()
    for item, cost in zip(chosen, costs, strict=True):
        fifo, average, last = (cost[basis].unit_cost for basis in ("fifo", "average", "last_purchase"))
        assert cost[None].unit_cost == cost[item.valuation_method].unit_cost
        assert all(cost[basis].source == basis for basis in ("fifo", "average", "last_purchase")), item.sku
        assert min(fifo, last) < average < max(fifo, last), item.sku
        assert min(abs(average - fifo), abs(last - average)) / min(fifo, last) > D("0.02"), item.sku
        assert cost["supplier_price"].unit_cost > 0
        methods[item.valuation_method] += 1
    assert methods == dict.fromkeys(STOCK_UP_METHODS, STOCK_UP_ITEMS)

    before = _counts(company)
    call_command("demo", only="parties,catalog,inventory,purchasing", stdout=io.StringIO())
    assert _counts(company) == before
