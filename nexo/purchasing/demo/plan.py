"""The demo's whole year as one plan: the same items, day and seed give the same plan."""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from nexo.purchasing.demo.common import DAYS, SEED, months_between
from nexo.purchasing.demo.items import DemoItem, Profile, plan_profiles
from nexo.purchasing.demo.prices import PlannedPrice, plan_rates, plan_supplier_prices
from nexo.purchasing.demo.year import PlannedCount, PlannedMoves, PlannedOrder, Year

SETTINGS_ITEMS = 40  # items with a minimum stock and a reorder quantity


@dataclass(frozen=True)
class PlannedSetting:
    sku: str
    preferred: str
    minimum: int = 0
    reorder: int = 0


@dataclass
class YearPlan:
    start: date
    rates: dict[str, list[tuple[date, Decimal]]]
    prices: list[PlannedPrice]
    settings: list[PlannedSetting]
    counts: list[PlannedCount]
    orders: list[PlannedOrder]
    moves: list[PlannedMoves]
    # What the plan leaves now: main warehouse (stock location and shelves), branch, still on order.
    stock: dict[str, int]
    stock_ups: dict[str, tuple[date, date]]  # the items stocked up before a new price list
    shelved: dict[str, int]
    branch: dict[str, int]
    on_order: dict[str, int]

    def timeline(self) -> list[tuple[date, int, str, int, int]]:
        """Every action in the order it is played: (day, phase, kind, index, receipt index).

        In a day: orders, cancellations, receipts, transfers, counts, deliveries, shelving.
        """
        actions = []
        for index, count in enumerate(self.counts):
            actions.append((count.day, 4, "count", index, 0))
        for index, order in enumerate(self.orders):
            actions.append((order.day, 0, "order", index, 0))
            if order.cancelled_on is not None:
                actions.append((order.cancelled_on, 1, "cancel", index, 0))
            for number, (day, _quantities) in enumerate(order.receipts):
                actions.append((day, 2, "receipt", index, number))
        phases = {"transfer": 3, "delivery": 5, "branch_delivery": 5, "shelf": 6}
        for index, moves in enumerate(self.moves):
            actions.append((moves.day, phases[moves.kind], "moves", index, 0))
        return sorted(actions)


def plan_settings(rng: random.Random, profiles: list[Profile], year: Year) -> list[PlannedSetting]:
    """The preferred supplier of every priced item; minimum stock and reorder quantity for forty of them,
    among them those that fell under their reorder point since the last review (the purchase suggestions)."""
    candidates = [p for p in profiles if p.priced]
    projected = {
        p.item.sku: year.stock[p.item.sku] + year.shelved[p.item.sku] + year.branch[p.item.sku]
        + year.on_order[p.item.sku]
        for p in candidates
    }  # fmt: skip
    short = [p for p in candidates if projected[p.item.sku] < p.reorder_point][:12]
    rest = [p for p in candidates if p not in short]
    others = rng.sample(rest, max(0, min(SETTINGS_ITEMS - len(short), len(rest))))
    minimum = {p.item.sku: p.reorder_point for p in short + others}
    for p in others[: max(0, 6 - len(short))]:
        # Purchasing raised the minimum of a few items this week: they are suggested too.
        minimum[p.item.sku] = projected[p.item.sku] + p.pack
    return [
        PlannedSetting(
            p.item.sku,
            p.supplier.name,
            minimum.get(p.item.sku, 0),
            p.reorder_quantity if p.item.sku in minimum else 0,
        )
        for p in candidates
    ]


def plan_year(items: Sequence[DemoItem], today: date, customers: int, *, names: dict[str, str] | None = None,
              seed: int = SEED) -> YearPlan:  # fmt: skip
    """The demo's year of purchasing and stock, without the database: the same items, day and seed give
    the same plan. `names` (SKU → item name) lets a trend follow the name (copper tube)."""
    rng = random.Random(seed)  # noqa: S311 (a repeatable demo, not a secret)
    start = today - timedelta(days=DAYS)
    months = months_between(start, today)
    rates = plan_rates(rng, start, today)
    profiles = plan_profiles(rng, sorted(items, key=lambda item: item.sku), names or {}, months)
    prices = plan_supplier_prices(rng, profiles, rates, months)
    year = Year(random.Random(seed + 1), profiles, today, max(1, customers), rates)  # noqa: S311
    year.run()
    return YearPlan(
        start=start, rates=rates, prices=prices, settings=plan_settings(rng, profiles, year), counts=year.counts,
        orders=year.orders, moves=year.moves, stock=dict(year.stock), stock_ups=dict(year.stock_ups),
        shelved=dict(year.shelved), branch=dict(year.branch), on_order=dict(year.on_order),
    )  # fmt: skip
