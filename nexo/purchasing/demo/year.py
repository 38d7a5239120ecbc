"""The demo's year simulated day by day, without the database: purchasing reviews each supplier and orders
what fell under its reorder point, goods arrive after the lead time (some in two receipts), customers take
at most what is on hand, the branch is topped up, stock is counted and shelved."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from nexo.inventory.demo import SHELVES
from nexo.purchasing import rules
from nexo.purchasing.demo.common import DAYS, REVIEW_WEEKS, business_day, months_between, round_up
from nexo.purchasing.demo.items import Profile
from nexo.purchasing.demo.prices import unit_price
from nexo.purchasing.demo.suppliers import BELLOTA, PAINT, SUPPLIERS, DemoSupplier

LAST_REVIEW = 8  # days before today: this week's reviews have not been made yet
# Before each supplier's new price list, purchasing stocked up on a few fast movers of each method, then
# bought them again at the new prices in the last review: FIFO, average and last purchase differ clearly.
STOCK_UP_METHODS = ("fifo", "average", "last_purchase")
STOCK_UP_ITEMS = 4  # per method
STOCK_UP_MARGIN = 30  # units kept beyond the expected sales, so the old units are still there today


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
        """The state the order ends in when the plan is played (a receipt's state, as the service derives it)."""
        if self.cancelled_on is not None:
            return rules.CANCELLED
        if not self.confirm:
            return rules.DRAFT
        received = defaultdict(int)
        for _day, quantities in self.receipts:
            for sku, quantity in quantities.items():
                received[sku] += quantity
        return rules.receipt_state(
            [Decimal(quantity) for _sku, quantity, _price in self.lines],
            [Decimal(received[sku]) for sku, _quantity, _price in self.lines],
        )


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


class Year:
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
        day = business_day(self.start - timedelta(days=1), step=-1)
        for sku, profile in self.profiles.items():
            self.stock[sku] = round_up(profile.reorder_point + profile.reorder_quantity / 2, profile.pack)
            self.branch[sku] = profile.branch_target
        self.counts.append(PlannedCount(day, False, dict(self.stock), "Inventario inicial"))
        branch = {sku: quantity for sku, quantity in self.branch.items() if quantity}
        if branch:
            self.counts.append(PlannedCount(day, True, branch, "Inventario inicial"))

    def run(self) -> None:
        self.choose_stock_ups()
        self.opening()
        count_day = business_day(self.today - timedelta(days=12), step=-1)
        shelf_day = business_day(self.today - timedelta(days=3), step=-1)
        chance = {sku: profile.per_year / 250 for sku, profile in self.profiles.items()}
        month_seen = months_between(self.start, self.start)
        for offset in range(DAYS):
            day = self.start + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            self.receive(day)
            if months_between(self.start, day) != month_seen:
                month_seen = months_between(self.start, day)
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
        year, month = divmod(
            self.start.month - 1 + months_between(self.start, self.today) - supplier.tariff[0], 12
        )
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
                old = profile.factors[months_between(self.start, before[-1])]
                new = profile.factors[months_between(self.start, reviews[-1])]
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
        factor = profile.factors[months_between(self.start, day)] * self.rng.uniform(0.99, 1.01)
        return unit_price(profile, profile.supplier, factor, self.rates)

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
            lines.append((sku, round_up(wanted, profile.pack), self._unit_price(profile, day)))
        if lines:
            self.order(day, supplier, lines)
        late = day >= self.today - timedelta(days=45)
        if mine and (self.rng.random() < 0.03 or (late and self.cancelled < 2)):
            # An order placed twice by mistake, or no longer needed: cancelled (one while still a draft).
            self.cancelled += 1
            profile = self.rng.choice(mine)
            lines = [(profile.item.sku, profile.reorder_quantity, self._unit_price(profile, day))]
            self.orders.append(PlannedOrder(
                supplier=supplier.name, day=day, expected=business_day(day + timedelta(days=supplier.lead_days)),
                currency=supplier.currency, lines=lines, confirm=self.cancelled % 2 == 1,
                cancelled_on=business_day(day + timedelta(days=self.rng.randint(1, 3))),
            ))  # fmt: skip

    def order(self, day: date, supplier: DemoSupplier, lines: list) -> None:
        expected = business_day(day + timedelta(days=supplier.lead_days))
        arrives = business_day(expected + timedelta(days=self.rng.choice([-1, 0, 0, 0, 1, 2, 3])))
        arrives = max(arrives, business_day(day + timedelta(days=1)))
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
            later = business_day(arrives + timedelta(days=self.rng.randint(4, 12)))
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
        day = business_day(self.today - timedelta(days=1), step=-1)
        for supplier in (PAINT, BELLOTA):
            mine = sorted(sku for sku, p in self.profiles.items() if p.supplier == supplier and p.priced)
            chosen = sorted(self.rng.sample(mine, min(3, len(mine))))
            if chosen:
                lines = [(sku, self.profiles[sku].reorder_quantity, None) for sku in chosen]
                expected = business_day(day + timedelta(days=supplier.lead_days))
                self.orders.append(
                    PlannedOrder(supplier.name, day, expected, supplier.currency, lines, confirm=False)
                )
