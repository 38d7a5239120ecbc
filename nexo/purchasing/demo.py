"""Demo purchasing and a year of stock: exchange rates, supplier prices, buying settings and twelve months of
purchase orders received at drifting costs, interleaved with customer deliveries, branch transfers and
stock counts, so that FIFO, average and last purchase cost the same item differently today.

The year is planned without the database from a fixed seed (`plan_year`): a weekly review per supplier
orders what fell under its reorder point, goods arrive after the supplier's lead time (some in two
receipts), customers take at most what is on hand. Then it is played through the services in date
order. Only the dates move with today; everything else is the same every time.
"""

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from nexo.catalog.models import Item
from nexo.core.models import Company, User
from nexo.inventory import services as inventory
from nexo.inventory.demo import SHELVES, demo_branch, demo_shelves
from nexo.inventory.models import StockMove
from nexo.parties.models import Party
from nexo.purchasing import services
from nexo.purchasing.models import ExchangeRate, PurchaseOrder, Receipt, SupplierPrice

SEED = 2026
DAYS = 364  # the history starts this many days before today and ends yesterday
PRICE = Decimal("0.0001")
RATE = Decimal("0.0001")
EUR, USD, GBP = "EUR", "USD", "GBP"
FIRST_RATES = {USD: Decimal("0.9200"), GBP: Decimal("1.1700")}  # euros per unit a year ago
RATE_STEP = {USD: 0.018, GBP: 0.012}  # largest monthly change


@dataclass(frozen=True)
class DemoSupplier:
    name: str
    code: str  # prefix of the supplier's item codes
    currency: str
    lead_days: int
    factor: Decimal  # its prices against the item's standard cost
    review_weekday: int  # the day of the week purchasing reviews what to order from it
    # Quantity breaks as (multiple of the item's pack, discount): "from 10 packs, 4 % off".
    breaks: tuple[tuple[int, Decimal], ...] = ()
    offer_days: int | None = None  # its prices are an offer that ends this many days from today
    # Its new price list: how many months ago it came and by how much it changed prices (a fraction).
    tariff: tuple[int, float] = (2, 0.06)


BELLOTA = DemoSupplier(
    "Herramientas Profesionales Bellota Sur, S.L.", "HPB", EUR, 5, Decimal("1.00"), 0, tariff=(1, 0.12)
)
VASCA = DemoSupplier(
    "Tornillería Industrial Vasca, S.L.", "TIV", EUR, 4, Decimal("0.98"), 1,
    breaks=((10, Decimal("0.04")), (40, Decimal("0.09"))), tariff=(2, 0.14),
)  # fmt: skip
MINHO = DemoSupplier(
    "Metalúrgica do Minho, Lda.", "MM", EUR, 12, Decimal("0.93"), 3, offer_days=75, tariff=(3, 0.10)
)
CABLES = DemoSupplier(
    "Cables y Conductores Hispania, S.L.", "CCH", EUR, 7, Decimal("0.97"), 2,
    breaks=((10, Decimal("0.05")), (20, Decimal("0.10"))), tariff=(1, 0.15),
)  # fmt: skip
DEI = DemoSupplier(
    "Distribuciones Eléctricas Ibéricas, S.A.", "DEI", EUR, 2, Decimal("1.04"), 4, tariff=(2, 0.12)
)
LIGHTING = DemoSupplier(
    "Iluminación Técnica Europea, S.L.", "ITE", USD, 35, Decimal("0.90"), 1, tariff=(3, -0.14)
)
PLUMBING = DemoSupplier(
    "Tubos y Accesorios del Norte, S.L.", "TAN", EUR, 6, Decimal("0.99"), 3,
    breaks=((10, Decimal("0.05")),), tariff=(2, 0.13),
)  # fmt: skip
TAPS = DemoSupplier("Grifería Mediterránea, S.A.", "GM", EUR, 10, Decimal("0.97"), 0, tariff=(3, 0.10))
PAINT = DemoSupplier(
    "Pinturas Levantinas, S.A.", "PL", EUR, 3, Decimal("1.00"), 2, breaks=((8, Decimal("0.06")),),
    tariff=(1, 0.14),
)  # fmt: skip
SEALANTS = DemoSupplier(
    "Adhesivos y Selladores Ebro, S.L.", "ASE", EUR, 5, Decimal("1.03"), 4, tariff=(2, 0.10)
)
SUPPLIERS = (BELLOTA, VASCA, MINHO, CABLES, DEI, LIGHTING, PLUMBING, TAPS, PAINT, SEALANTS)
# Category (its full name, or the start of it) → who sells it; the first is the preferred one. A third
# supplier is added to half the items.
SOURCING = [
    ("Ferretería / Herramienta manual", (BELLOTA, MINHO, DEI)),
    ("Ferretería / Herramienta eléctrica", (BELLOTA, DEI)),
    ("Ferretería / Tornillería", (VASCA, MINHO)),
    ("Electricidad / Cables", (CABLES, DEI)),
    ("Electricidad / Iluminación", (LIGHTING, DEI)),
    ("Electricidad", (DEI, CABLES)),
    ("Fontanería / Grifería", (TAPS, PLUMBING)),
    ("Fontanería / Accesorios", (PLUMBING, MINHO, SEALANTS)),
    ("Fontanería", (PLUMBING, MINHO)),
    ("Pinturas", (PAINT, SEALANTS)),
]
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
SETTINGS_ITEMS = 40  # items with a minimum stock and a reorder quantity
LAST_REVIEW = 8  # days before today: this week's reviews have not been made yet
REVIEW_WEEKS = 2  # purchasing reviews each supplier every other week
SAFETY_WEEKS = 6  # of sales kept beyond what the lead time and the review period need
# Before each supplier's new price list, purchasing stocked up on a few fast movers of each method, then
# bought them again at the new prices in the last review: FIFO, average and last purchase differ clearly.
STOCK_UP_METHODS = ("fifo", "average", "last_purchase")
STOCK_UP_ITEMS = 4  # per method
STOCK_UP_MARGIN = 30  # units kept beyond the expected sales, so the old units are still there today


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


@dataclass(frozen=True)
class PlannedPrice:
    sku: str
    supplier: str
    supplier_code: str
    unit_price: Decimal
    currency: str
    min_quantity: int
    lead_time_days: int
    offer_days: int | None  # valid until this many days from the day it is loaded; None: no end


@dataclass
class PlannedOrder:
    supplier: str
    day: date
    expected: date
    currency: str
    lines: list[tuple[str, int, Decimal | None]]  # sku, quantity, unit price (None: the supplier's price)
    receipts: list[tuple[date, dict[str, int]]] = field(default_factory=list)  # only those before today
    confirm: bool = True
    cancelled_on: date | None = None

    @property
    def state(self) -> str:
        if self.cancelled_on is not None:
            return PurchaseOrder.State.CANCELLED
        if not self.confirm:
            return PurchaseOrder.State.DRAFT
        received = defaultdict(int)
        for _day, quantities in self.receipts:
            for sku, quantity in quantities.items():
                received[sku] += quantity
        if not received:
            return PurchaseOrder.State.CONFIRMED
        if all(received[sku] >= quantity for sku, quantity, _price in self.lines):
            return PurchaseOrder.State.RECEIVED
        return PurchaseOrder.State.PARTIALLY_RECEIVED


@dataclass(frozen=True)
class PlannedMoves:
    """One document of stock moves: a customer delivery, a transfer to the branch or to a shelf."""

    day: date
    kind: str  # delivery, branch_delivery, transfer, shelf
    lines: tuple[tuple[str, int], ...]
    customer: int = -1  # index into the customers, for deliveries
    shelf: int = -1  # index into SHELVES, for kind shelf


@dataclass(frozen=True)
class PlannedCount:
    day: date
    branch: bool
    counted: dict[str, int]
    note: str


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


def _business_day(day: date, step: int = 1) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


def _month(start: date, day: date) -> int:
    return (day.year - start.year) * 12 + day.month - start.month


def _round_up(quantity: float, pack: int) -> int:
    return max(pack, math.ceil(quantity / pack - 1e-9) * pack)


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


def _profiles(
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
        reorder_quantity = _round_up(max(weekly * rng.uniform(3, 5), lot), pack)
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


def _rates(rng: random.Random, start: date, today: date) -> dict[str, list[tuple[date, Decimal]]]:
    """One rate a month per currency, from the month the history starts to this one."""
    months = _month(start, today)
    rates = {}
    for currency, first in FIRST_RATES.items():
        rate, rows = first, []
        for month in range(months + 1):
            year, month_of_year = divmod(start.month - 1 + month, 12)
            day = date(start.year + year, month_of_year + 1, 1)
            if month:
                change = Decimal(str(round(rng.uniform(-RATE_STEP[currency], RATE_STEP[currency]), 4)))
                rate = (rate * (1 + change)).quantize(RATE)
            rows.append((day, rate))
        rates[currency] = rows
    return rates


def _price(profile: Profile, supplier: DemoSupplier, factor: float, rates: dict) -> Decimal:
    """The supplier's unit price, in its currency, when the item's cost is at `factor`."""
    value = profile.item.standard_cost * supplier.factor * Decimal(str(round(factor, 4)))
    if supplier.currency != EUR:
        value /= rates[supplier.currency][0][1]  # priced in its currency at the year's first rate
    return max(value.quantize(PRICE), PRICE)


def _supplier_prices(
    rng: random.Random, profiles: list[Profile], rates: dict, months: int
) -> list[PlannedPrice]:
    """Today's price list of every supplier of every priced item, with its quantity breaks."""
    prices = []
    for profile in profiles:
        if not profile.priced:
            continue
        for rank, supplier in enumerate(profile.suppliers):
            # Alternatives quote a little off the preferred supplier, either way.
            factor = profile.factors[months] * (1 + (rng.uniform(-0.05, 0.08) if rank else 0))
            base = _price(profile, supplier, factor, rates)
            code = f"{supplier.code}-{rng.randint(10000, 99999)}"
            lead = supplier.lead_days + rng.choice([0, 0, 0, 1, 2])
            for packs, discount in ((1, Decimal(0)), *supplier.breaks):
                minimum = 1 if packs == 1 else packs * profile.pack
                prices.append(PlannedPrice(
                    sku=profile.item.sku, supplier=supplier.name, supplier_code=code,
                    unit_price=(base * (1 - discount)).quantize(PRICE), currency=supplier.currency,
                    min_quantity=minimum, lead_time_days=lead, offer_days=supplier.offer_days,
                ))  # fmt: skip
    return prices


class _Year:
    """The simulation: stock by place, orders on the way, and what it writes into the plan."""

    def __init__(self, rng: random.Random, profiles: list[Profile], today: date, customers: int, rates: dict):
        self.rng, self.today, self.customers, self.rates = rng, today, customers, rates
        self.profiles = {profile.item.sku: profile for profile in profiles}
        self.start = today - timedelta(days=DAYS)
        self.stock: dict[str, int] = defaultdict(int)
        self.branch: dict[str, int] = defaultdict(int)
        self.shelved: dict[str, int] = defaultdict(int)
        self.on_order: dict[str, int] = defaultdict(int)
        self.arrivals: dict[date, list[tuple[int, int]]] = defaultdict(list)
        self.orders: list[PlannedOrder] = []
        self.moves: list[PlannedMoves] = []
        self.counts: list[PlannedCount] = []
        self.forced_partial = 0
        self.cancelled = 0
        self.review_days = {
            supplier.name: [
                day
                for day in (self.start + timedelta(days=offset) for offset in range(DAYS - LAST_REVIEW + 1))
                if day.weekday() == supplier.review_weekday and self.review_week(day)
            ]
            for supplier in SUPPLIERS
        }
        self.stock_ups: dict[str, tuple[date, date]] = {}  # SKU → (day stocked up, day bought again)

    def opening(self) -> None:
        day = _business_day(self.start - timedelta(days=1), step=-1)
        for sku, profile in self.profiles.items():
            self.stock[sku] = _round_up(profile.reorder_point + profile.reorder_quantity / 2, profile.pack)
            self.branch[sku] = profile.branch_target
        self.counts.append(PlannedCount(day, False, dict(self.stock), "Inventario inicial"))
        branch = {sku: quantity for sku, quantity in self.branch.items() if quantity}
        if branch:
            self.counts.append(PlannedCount(day, True, branch, "Inventario inicial"))

    def run(self) -> None:
        self.choose_stock_ups()
        self.opening()
        count_day = _business_day(self.today - timedelta(days=12), step=-1)
        shelf_day = _business_day(self.today - timedelta(days=3), step=-1)
        chance = {sku: profile.per_year / 250 for sku, profile in self.profiles.items()}
        month_seen = _month(self.start, self.start)
        for offset in range(DAYS):
            day = self.start + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            self.receive(day)
            if _month(self.start, day) != month_seen:
                month_seen = _month(self.start, day)
                self.transfer(day)
            if day == count_day:
                self.count(day)
            self.deliver(day, chance)
            if day == shelf_day:
                self.shelve(day)
            if day <= self.today - timedelta(days=LAST_REVIEW):
                for supplier in SUPPLIERS:
                    if supplier.review_weekday == day.weekday() and self.review_week(day):
                        self.review(day, supplier)
        self.drafts()

    def tariff_day(self, supplier: DemoSupplier) -> date:
        """The first day of the month the supplier's new price list applies from."""
        year, month = divmod(self.start.month - 1 + _month(self.start, self.today) - supplier.tariff[0], 12)
        return date(self.start.year + year, month + 1, 1)

    def choose_stock_ups(self) -> None:
        """Per method, the fastest movers of quick suppliers whose new prices clearly differ from the old."""
        for method in STOCK_UP_METHODS:
            chosen = []
            for profile in sorted(self.profiles.values(), key=lambda p: (-p.per_year, p.item.sku)):
                supplier = profile.supplier
                if profile.item.method != method or not profile.priced or supplier.lead_days > 5:
                    continue
                tariff_day, reviews = self.tariff_day(supplier), self.review_days[supplier.name]
                before = [day for day in reviews if day < tariff_day]
                if not before or reviews[-1] <= tariff_day or profile.per_year < 6:
                    continue
                old = profile.factors[_month(self.start, before[-1])]
                new = profile.factors[_month(self.start, reviews[-1])]
                if abs(new / old - 1) >= 0.08:
                    chosen.append(profile.item.sku)
                    self.stock_ups[profile.item.sku] = (before[-1], reviews[-1])
                if len(chosen) == STOCK_UP_ITEMS:
                    break

    def review_week(self, day: date) -> bool:
        return (day - self.start).days // 7 % REVIEW_WEEKS == 0

    def receive(self, day: date) -> None:
        for order_index, number in self.arrivals.pop(day, []):
            for sku, quantity in self.orders[order_index].receipts[number][1].items():
                self.stock[sku] += quantity
                self.on_order[sku] -= quantity

    def transfer(self, day: date) -> None:
        """The branch is topped up from the central warehouse at the start of each month."""
        lines = []
        for sku, profile in self.profiles.items():
            if profile.branch_target:
                quantity = min(
                    profile.branch_target - self.branch[sku], self.stock[sku] - profile.reorder_point
                )
                if quantity > 0:
                    lines.append((sku, quantity))
                    self.stock[sku] -= quantity
                    self.branch[sku] += quantity
        if lines:
            self.moves.append(PlannedMoves(day, "transfer", tuple(lines)))

    def count(self, day: date) -> None:
        """A cyclic count of 20 items in the central warehouse: five of them differ from the books."""
        held = sorted(sku for sku, quantity in self.stock.items() if quantity > 0)
        chosen = sorted(self.rng.sample(held, min(20, len(held))))
        counted = {sku: self.stock[sku] for sku in chosen}
        for sku, difference in zip(
            self.rng.sample(chosen, min(5, len(chosen))), (-3, -1, -1, 2, 1), strict=False
        ):
            counted[sku] = max(0, counted[sku] + difference)
        self.stock.update(counted)
        self.counts.append(PlannedCount(day, False, counted, "Recuento cíclico"))

    def deliver(self, day: date, chance: dict[str, float]) -> None:
        lines, branch_lines = [], []
        for sku, profile in self.profiles.items():
            if self.rng.random() < chance[sku]:
                wanted = max(1, round(profile.lot * self.rng.uniform(0.5, 1.5)))
                quantity = min(wanted, self.stock[sku])
                if quantity > 0:
                    lines.append((sku, quantity))
                    self.stock[sku] -= quantity
            if profile.branch_target and self.rng.random() < chance[sku] / 3:
                quantity = min(max(1, round(profile.lot * self.rng.uniform(0.3, 1.0))), self.branch[sku])
                if quantity > 0:
                    branch_lines.append((sku, quantity))
                    self.branch[sku] -= quantity
        self.rng.shuffle(lines)
        while lines:
            size = self.rng.randint(3, 9)
            note, lines = lines[:size], lines[size:]
            self.moves.append(
                PlannedMoves(
                    day, "delivery", tuple(sorted(note)), customer=self.rng.randrange(self.customers)
                )
            )
        if branch_lines:
            self.moves.append(
                PlannedMoves(
                    day, "branch_delivery", tuple(branch_lines), customer=self.rng.randrange(self.customers)
                )
            )

    def shelve(self, day: date) -> None:
        """Bulky goods go from the receiving area to the shelves: a third of six items."""
        held = sorted(sku for sku, quantity in self.stock.items() if quantity >= 12)
        for position, sku in enumerate(sorted(self.rng.sample(held, min(6, len(held))))):
            quantity = self.stock[sku] // 3
            self.stock[sku] -= quantity
            self.shelved[sku] += quantity
            self.moves.append(PlannedMoves(day, "shelf", ((sku, quantity),), shelf=position % len(SHELVES)))

    def _unit_price(self, profile: Profile, day: date) -> Decimal:
        factor = profile.factors[_month(self.start, day)] * self.rng.uniform(0.99, 1.01)
        return _price(profile, profile.supplier, factor, self.rates)

    def review(self, day: date, supplier: DemoSupplier) -> None:
        """Order from `supplier` what fell under its reorder point: enough to get back over it."""
        lines = []
        mine = [p for sku, p in self.profiles.items() if p.supplier == supplier]
        for profile in mine:
            sku = profile.item.sku
            projected = self.stock[sku] + self.on_order[sku]
            wanted = profile.reorder_quantity + profile.reorder_point - projected
            stocked_up, again = self.stock_ups.get(sku, (None, None))
            if day == stocked_up:
                # Enough at the old prices to last until the review that buys it at the new ones.
                weeks = (again - day).days / 7 + profile.supplier.lead_days / 7
                wanted = profile.lot * profile.per_year / 52 * weeks * 1.5 + profile.reorder_point
                margin = max(STOCK_UP_MARGIN, 2 * profile.lot)
                wanted = max(wanted + margin - projected, profile.reorder_quantity)
            elif day == again:
                wanted = profile.reorder_point + profile.reorder_quantity
            elif (stocked_up and stocked_up < day < again) or projected > profile.reorder_point:
                continue
            lines.append((sku, _round_up(wanted, profile.pack), self._unit_price(profile, day)))
        if lines:
            self.order(day, supplier, lines)
        late = day >= self.today - timedelta(days=45)
        if mine and (self.rng.random() < 0.03 or (late and self.cancelled < 2)):
            # An order placed twice by mistake, or no longer needed: cancelled (one while still a draft).
            self.cancelled += 1
            profile = self.rng.choice(mine)
            lines = [(profile.item.sku, profile.reorder_quantity, self._unit_price(profile, day))]
            self.orders.append(PlannedOrder(
                supplier=supplier.name, day=day, expected=_business_day(day + timedelta(days=supplier.lead_days)),
                currency=supplier.currency, lines=lines, confirm=self.cancelled % 2 == 1,
                cancelled_on=_business_day(day + timedelta(days=self.rng.randint(1, 3))),
            ))  # fmt: skip

    def order(self, day: date, supplier: DemoSupplier, lines: list) -> None:
        expected = _business_day(day + timedelta(days=supplier.lead_days))
        arrives = _business_day(expected + timedelta(days=self.rng.choice([-1, 0, 0, 0, 1, 2, 3])))
        arrives = max(arrives, _business_day(day + timedelta(days=1)))
        if any(day in self.stock_ups.get(sku, ()) for sku, _quantity, _price in lines):
            arrives = expected  # the stock-up story needs its receipts on time
        order = PlannedOrder(supplier.name, day, expected, supplier.currency, lines)
        index = len(self.orders)
        self.orders.append(order)
        for sku, quantity, _price in lines:
            self.on_order[sku] += quantity
        splittable = [
            (sku, quantity) for sku, quantity, _price in lines if quantity >= 2 and sku not in self.stock_ups
        ]
        force = self.forced_partial < 2 and day >= self.today - timedelta(days=30) and arrives < self.today
        if splittable and (force or self.rng.random() < 0.12):
            # Part of some lines comes later: the backorder.
            short = dict(self.rng.sample(splittable, self.rng.randint(1, min(2, len(splittable)))))
            first = {sku: quantity for sku, quantity, _price in lines}
            rest = {}
            for sku, quantity in short.items():
                first[sku] = max(1, round(quantity * self.rng.uniform(0.4, 0.8)))
                rest[sku] = quantity - first[sku]
            later = _business_day(arrives + timedelta(days=self.rng.randint(4, 12)))
            if force:
                self.forced_partial += 1
                later = self.today + timedelta(days=7)
            receipts = [(arrives, first), (later, rest)]
        else:
            receipts = [(arrives, {sku: quantity for sku, quantity, _price in lines})]
        for day_in, quantities in receipts:
            if day_in < self.today:
                order.receipts.append((day_in, quantities))
                self.arrivals[day_in].append((index, len(order.receipts) - 1))

    def drafts(self) -> None:
        """Two orders being prepared yesterday: priced from the supplier's price list when saved."""
        day = _business_day(self.today - timedelta(days=1), step=-1)
        for supplier in (PAINT, BELLOTA):
            mine = sorted(sku for sku, p in self.profiles.items() if p.supplier == supplier and p.priced)
            chosen = sorted(self.rng.sample(mine, min(3, len(mine))))
            if chosen:
                lines = [(sku, self.profiles[sku].reorder_quantity, None) for sku in chosen]
                expected = _business_day(day + timedelta(days=supplier.lead_days))
                self.orders.append(
                    PlannedOrder(supplier.name, day, expected, supplier.currency, lines, confirm=False)
                )


def _settings(rng: random.Random, profiles: list[Profile], year: _Year) -> list[PlannedSetting]:
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
    rng = random.Random(seed)
    start = today - timedelta(days=DAYS)
    months = _month(start, today)
    rates = _rates(rng, start, today)
    profiles = _profiles(rng, sorted(items, key=lambda item: item.sku), names or {}, months)
    prices = _supplier_prices(rng, profiles, rates, months)
    year = _Year(random.Random(seed + 1), profiles, today, max(1, customers), rates)
    year.run()
    return YearPlan(
        start=start, rates=rates, prices=prices, settings=_settings(rng, profiles, year), counts=year.counts,
        orders=year.orders, moves=year.moves, stock=dict(year.stock), stock_ups=dict(year.stock_ups),
        shelved=dict(year.shelved), branch=dict(year.branch), on_order=dict(year.on_order),
    )  # fmt: skip


# Playing the plan through the services


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class _Loader:
    def __init__(self, company: Company, users: dict[str, User], plan: YearPlan, items: dict[str, Item]):
        self.company, self.plan, self.items = company, plan, items
        self.buyer, self.storekeeper = users["compras"], users["almacen"]
        self.suppliers = {
            party.name: party
            for party in Party.objects.filter(company=company, is_supplier=True, name__in=[s.name for s in SUPPLIERS])
        }  # fmt: skip
        self.customers = list(_customers(company))
        settings = inventory.settings_of(company)
        self.main = settings.default_warehouse
        self.branch = demo_branch(company)
        self.shelves = demo_shelves(company)
        self.customer_location = settings.customer_location_id
        self.skus = {item.pk: sku for sku, item in items.items()}
        self.order_ids: dict[int, int] = {}
        self.line_ids: dict[int, dict[str, int]] = {}
        self.delivery_numbers: dict[int, int] = defaultdict(int)

    def rates(self) -> None:
        for currency, rows in self.plan.rates.items():
            for day, rate in rows:
                services.exchange_rate_set(
                    company=self.company, by=self.buyer, currency=currency, day=day, rate=rate
                )

    def prices(self, today: date) -> None:
        for price in self.plan.prices:
            services.supplier_price_create(
                company=self.company, by=self.buyer, item_id=self.items[price.sku].pk,
                supplier_id=self.suppliers[price.supplier].pk, supplier_code=price.supplier_code,
                unit_price=price.unit_price, currency=price.currency, min_quantity=Decimal(price.min_quantity),
                lead_time_days=price.lead_time_days, valid_from=self.plan.start,
                valid_to=None if price.offer_days is None else today + timedelta(days=price.offer_days),
            )  # fmt: skip

    def settings(self) -> None:
        for setting in self.plan.settings:
            services.item_purchasing_set(
                company=self.company, by=self.buyer, item_id=self.items[setting.sku].pk,
                preferred_supplier_id=self.suppliers[setting.preferred].pk,
                minimum_stock=Decimal(setting.minimum), reorder_quantity=Decimal(setting.reorder),
            )  # fmt: skip

    def count(self, planned: PlannedCount) -> None:
        warehouse = self.branch if planned.branch else self.main
        inventory.stock_count_post(
            company=self.company, by=self.storekeeper, location_id=warehouse.stock_location_id,
            counted={self.items[sku].pk: Decimal(quantity) for sku, quantity in planned.counted.items()},
            date=planned.day, note=planned.note,
        )  # fmt: skip

    def order(self, index: int) -> None:
        planned = self.plan.orders[index]
        lines = [
            {"item_id": self.items[sku].pk, "quantity": Decimal(quantity)}
            | ({} if price is None else {"unit_price": price})
            for sku, quantity, price in planned.lines
        ]
        order = services.purchase_order_create(
            company=self.company, by=self.buyer, supplier_id=self.suppliers[planned.supplier].pk, lines=lines,
            date=planned.day, expected_date=planned.expected, currency=planned.currency,
        )  # fmt: skip
        if planned.confirm:
            services.purchase_order_confirm(company=self.company, by=self.buyer, order_id=order.pk)
        self.order_ids[index] = order.pk
        self.line_ids[index] = {
            self.skus[item_id]: pk for pk, item_id in order.lines.values_list("pk", "item_id")
        }

    def cancel(self, index: int) -> None:
        services.purchase_order_cancel(company=self.company, by=self.buyer, order_id=self.order_ids[index])

    def receive(self, index: int, number: int) -> None:
        day, quantities = self.plan.orders[index].receipts[number]
        lines = self.line_ids[index]
        services.purchase_order_receive(
            company=self.company, by=self.storekeeper, order_id=self.order_ids[index], date=day,
            quantities={lines[sku]: Decimal(quantity) for sku, quantity in quantities.items()},
            note="Entrega parcial" if number == 0 and len(self.plan.orders[index].receipts) > 1 else "",
        )  # fmt: skip

    def moves(self, planned: PlannedMoves) -> None:
        main_stock = self.main.stock_location_id
        if planned.kind in ("delivery", "branch_delivery"):
            source = main_stock if planned.kind == "delivery" else self.branch.stock_location_id
            target = self.customer_location
            customer = self.customers[planned.customer % len(self.customers)]
            self.delivery_numbers[planned.day.year] += 1
            number = f"ALB-{planned.day.year}-{self.delivery_numbers[planned.day.year]:05d}"
            origin = inventory.Origin("customer_delivery", None, f"{number} {customer.name}"[:60])
        elif planned.kind == "transfer":
            source, target = main_stock, self.branch.stock_location_id
            origin = inventory.Origin("transfer", None, f"Reposición {self.branch.code} {planned.day:%m/%Y}")
        else:
            source, target = main_stock, self.shelves[planned.shelf].pk
            origin = inventory.Origin("transfer", None, f"Ubicación en {self.shelves[planned.shelf].name}")
        inventory.moves_create(
            company=self.company, by=self.storekeeper, date=planned.day, done=True, origin=origin,
            lines=[
                inventory.MoveLine(self.items[sku].pk, Decimal(quantity), source, target)
                for sku, quantity in planned.lines
            ],
        )  # fmt: skip

    def play(self) -> None:
        for _day, _phase, kind, index, number in self.plan.timeline():
            if kind == "count":
                self.count(self.plan.counts[index])
            elif kind == "order":
                self.order(index)
            elif kind == "cancel":
                self.cancel(index)
            elif kind == "receipt":
                self.receive(index, number)
            else:
                self.moves(self.plan.moves[index])

    def backdate(self) -> None:
        """The services stamp "now"; the demo dates each record on the day it happened."""
        orders = []
        for index, order_id in self.order_ids.items():
            planned = self.plan.orders[index]
            last = max([planned.day, *(day for day, _q in planned.receipts)], default=planned.day)
            if planned.cancelled_on is not None:
                last = planned.cancelled_on
            created = _at(planned.day, 9, 5 * (index % 12))
            orders.append(PurchaseOrder(
                pk=order_id, created_at=created, updated_at=_at(last, 12),
                confirmed_at=created + timedelta(hours=2) if planned.confirm else None,
            ))  # fmt: skip
        PurchaseOrder.objects.bulk_update(
            orders, ["created_at", "updated_at", "confirmed_at"], batch_size=500
        )
        receipts = list(Receipt.objects.filter(company=self.company).only("pk", "date"))
        for receipt in receipts:
            receipt.created_at = receipt.updated_at = _at(receipt.date, 10)
        Receipt.objects.bulk_update(receipts, ["created_at", "updated_at"], batch_size=500)
        moves = StockMove.objects.filter(company=self.company)
        for day in moves.order_by().values_list("date", flat=True).distinct():
            moment = _at(day, 11)
            moves.filter(date=day).update(created_at=moment, updated_at=moment, done_at=moment)
        rates = list(ExchangeRate.objects.filter(company=self.company))
        for rate in rates:
            rate.created_at = rate.updated_at = _at(rate.day, 8)
        ExchangeRate.objects.bulk_update(rates, ["created_at", "updated_at"])
        moment = _at(self.plan.start, 8)
        SupplierPrice.objects.filter(company=self.company).update(created_at=moment, updated_at=moment)


def demo_items(company: Company) -> tuple[list[DemoItem], dict[str, str], dict[str, Item]]:
    """The company's active stocked items as the plan sees them, their names, and the items by SKU."""
    records = Item.objects.filter(company=company, kind=Item.Kind.STOCKED, is_active=True).select_related(
        "category", "unit"
    )
    items = {item.sku: item for item in records}
    demo = [
        DemoItem(
            sku=item.sku,
            category=item.category.full_name if item.category_id else "",
            unit=item.unit.code,
            standard_cost=item.standard_cost or Decimal(1),
            method=item.valuation_method,
        )
        for item in items.values()
    ]
    return demo, {sku: item.name for sku, item in items.items()}, items


def _customers(company: Company):
    return Party.objects.filter(company=company, status=Party.Status.CUSTOMER, is_active=True).order_by(
        "name", "pk"
    )


def demo_plan(company: Company, today: date | None = None) -> YearPlan:
    """The year `load_demo_purchasing` plays for the company's items and customers (today's, by default)."""
    demo, names, _items = demo_items(company)
    return plan_year(demo, today or timezone.localdate(), _customers(company).count(), names=names)


@transaction.atomic
def load_demo_purchasing(company: Company, users: dict[str, User]) -> str:
    """Create the year of purchasing and stock unless the company has purchase orders; returns a summary."""
    if PurchaseOrder.objects.filter(company=company).exists():
        return ""
    found = set(
        Party.objects.filter(
            company=company, is_supplier=True, name__in=[s.name for s in SUPPLIERS]
        ).values_list("name", flat=True)
    )
    _demo, _names, items = demo_items(company)
    if (
        len(found) < len(SUPPLIERS)
        or not items
        or not _customers(company).exists()
        or demo_branch(company) is None
    ):
        return ""  # the parties, catalog or inventory demo is missing
    today = timezone.localdate()
    plan = demo_plan(company, today)
    loader = _Loader(company, users, plan, items)
    loader.rates()
    loader.prices(today)
    loader.settings()
    loader.play()
    loader.backdate()
    states = defaultdict(int)
    for order in plan.orders:
        states[order.state] += 1
    moves = StockMove.objects.filter(company=company).count()
    deliveries = sum(1 for moves_ in plan.moves if moves_.kind in ("delivery", "branch_delivery"))
    priced = len({price.sku for price in plan.prices})
    minimums = sum(1 for setting in plan.settings if setting.minimum)
    rates = sum(len(rows) for rows in plan.rates.values())
    S = PurchaseOrder.State
    return (
        f"{rates} exchange rates ({', '.join(plan.rates)}), {len(plan.prices)} supplier prices for {priced} items "
        f"from {len(SUPPLIERS)} suppliers, {minimums} items with a minimum stock; {len(plan.orders)} purchase "
        f"orders ({states[S.RECEIVED]} received, {states[S.PARTIALLY_RECEIVED]} partially received, "
        f"{states[S.CONFIRMED]} confirmed, {states[S.DRAFT]} draft, {states[S.CANCELLED]} cancelled) with "
        f"{Receipt.objects.filter(company=company).count()} receipts, {deliveries} customer deliveries, "
        f"{len(plan.counts)} stock counts; {moves} stock moves"
    )
