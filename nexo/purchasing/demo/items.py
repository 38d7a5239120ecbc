"""How each demo item sells and is bought over the year: its suppliers, a customer's usual quantity, the
pack it comes in, its reorder point and how its cost drifts month by month."""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from nexo.purchasing.demo.common import REVIEW_WEEKS, round_up
from nexo.purchasing.demo.suppliers import DEI, SOURCING, DemoSupplier

# How costs move over the year (a fraction per year): copper up, LEDs down, the rest with inflation.
TRENDS = [
    ("Electricidad / Cables", 0.22),
    ("Tubo de cobre", 0.16),
    ("Electricidad / Iluminación", -0.12),
    ("Pinturas", 0.08),
    ("Ferretería / Herramienta eléctrica", -0.04),
    ("", 0.03),
]
MONTHLY_NOISE = 0.05
# How many times a year customers take an item (a range) and how many items sell like that: a long tail.
DEMAND = [((1, 3), 30), ((4, 8), 35), ((9, 15), 27), ((16, 24), 8)]
UNPRICED_SHARE = 0.06  # items bought at a price typed on each order: no supplier price
BRANCH_ITEMS = 16  # items the Alicante branch also keeps, replenished from the central warehouse
SAFETY_WEEKS = 6  # of sales kept beyond what the lead time and the review period need


@dataclass(frozen=True)
class DemoItem:
    sku: str
    category: str  # full name, e.g. "Electricidad / Cables"
    unit: str
    standard_cost: Decimal
    method: str


@dataclass
class Profile:
    """How one item sells and is bought over the year."""

    item: DemoItem
    suppliers: tuple[DemoSupplier, ...]  # the first is the preferred one
    priced: bool
    lot: int  # a customer's usual quantity
    per_year: int  # how many times a year customers take it
    pack: int  # it is ordered in multiples of this
    reorder_point: int
    reorder_quantity: int
    factors: list[float]  # its cost against the standard cost, one per month of the year
    branch_target: int = 0  # what the branch keeps, 0 when it does not keep it

    @property
    def supplier(self) -> DemoSupplier:
        return self.suppliers[0]


def _sourcing(category: str) -> tuple[DemoSupplier, ...]:
    for prefix, suppliers in SOURCING:
        if category.startswith(prefix):
            return suppliers
    return (DEI,)


def _trend(item: DemoItem, name: str) -> float:
    for key, trend in TRENDS:
        if item.category.startswith(key) or (key and key in name):
            return trend
    return 0.0


def _lot(rng: random.Random, item: DemoItem) -> tuple[int, int]:
    """A customer's usual quantity and the pack the item is bought in."""
    cost = item.standard_cost
    if item.unit == "m":
        lot = rng.choice([10, 15, 20, 25, 50, 100])
        return lot, 100 if lot >= 25 else 50
    if item.unit == "rollo":
        return rng.randint(1, 3), 1
    if item.unit == "caja":
        return rng.randint(2, 8), 5
    if item.unit in ("kg", "l"):
        return rng.choice([4, 5, 10, 15, 20]), 5
    if cost < 1:
        return rng.randint(10, 40), 25
    if cost < 4:
        return rng.randint(4, 15), 10
    if cost < 15:
        return rng.randint(2, 8), 5
    if cost < 50:
        return rng.randint(1, 4), 2
    return rng.randint(1, 2), 1


def _factors(rng: random.Random, trend: float, supplier: DemoSupplier, months: int) -> list[float]:
    """The item's cost each month against its standard cost: a trend, noise, and the supplier's new
    price list a month or three ago (so what came in before it and after it cost clearly different)."""
    factors, walk = [], 0.0
    months_ago, change = supplier.tariff
    tariff = change * rng.uniform(0.7, 1.3)
    for month in range(months + 1):
        walk += rng.gauss(0, MONTHLY_NOISE) if month else 0.0
        step = tariff if month >= months - months_ago else 0.0
        factors.append(max(0.6, 1 + trend * month / 12 + walk + step))
    return factors


def plan_profiles(
    rng: random.Random, items: Sequence[DemoItem], names: dict[str, str], months: int
) -> list[Profile]:
    profiles = []
    for item in items:
        sourcing = _sourcing(item.category)
        suppliers = sourcing[:2] + (sourcing[2:] if rng.random() < 0.5 else ())
        lot, pack = _lot(rng, item)
        low, high = rng.choices([rows for rows, _weight in DEMAND], [weight for _rows, weight in DEMAND])[0]
        per_year = rng.randint(low, high)
        if item.standard_cost > 60:
            per_year = min(per_year, 14)
        weekly = lot * per_year / 52
        lead_weeks = suppliers[0].lead_days / 7
        # Enough for the lead time, the review period and some safety, and for a customer's order or two:
        # a new receipt usually finds the previous one still on the shelf.
        reorder_point = math.ceil(max(weekly * (lead_weeks + REVIEW_WEEKS + SAFETY_WEEKS), 1.5 * lot))
        reorder_quantity = round_up(max(weekly * rng.uniform(3, 5), lot), pack)
        profiles.append(Profile(
            item=item, suppliers=suppliers, priced=rng.random() >= UNPRICED_SHARE, lot=lot, per_year=per_year,
            pack=pack, reorder_point=reorder_point, reorder_quantity=reorder_quantity,
            factors=_factors(rng, _trend(item, names.get(item.sku, "")), suppliers[0], months),
        ))  # fmt: skip
    # The branch keeps some of the cheap, fast-moving items.
    candidates = [p for p in profiles if p.per_year >= 14 and p.item.standard_cost < 20]
    for profile in rng.sample(candidates, min(BRANCH_ITEMS, len(candidates))):
        profile.branch_target = max(2, math.ceil(profile.lot * profile.per_year / 24))
    return profiles
