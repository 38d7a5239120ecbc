"""The demo's exchange rates (one a month per currency) and today's price list of every supplier of every
priced item, with its quantity breaks."""

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from nexo.purchasing.demo.common import EUR, GBP, USD, months_between
from nexo.purchasing.demo.items import Profile
from nexo.purchasing.demo.suppliers import DemoSupplier

PRICE = Decimal("0.0001")
RATE = Decimal("0.0001")
FIRST_RATES = {USD: Decimal("0.9200"), GBP: Decimal("1.1700")}  # euros per unit a year ago
RATE_STEP = {USD: 0.018, GBP: 0.012}  # largest monthly change


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


def plan_rates(rng: random.Random, start: date, today: date) -> dict[str, list[tuple[date, Decimal]]]:
    """One rate a month per currency, from the month the history starts to this one."""
    months = months_between(start, today)
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


def unit_price(profile: Profile, supplier: DemoSupplier, factor: float, rates: dict) -> Decimal:
    """The supplier's unit price, in its currency, when the item's cost is at `factor`."""
    value = profile.item.standard_cost * supplier.factor * Decimal(str(round(factor, 4)))
    if supplier.currency != EUR:
        value /= rates[supplier.currency][0][1]  # priced in its currency at the year's first rate
    return max(value.quantize(PRICE), PRICE)


def plan_supplier_prices(
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
            base = unit_price(profile, supplier, factor, rates)
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
