"""A planned quotation's lines: items drawn by the opportunity's title and what is in stock, believable
quantities, a transport line, prices typed by hand, the cheaper alternative."""

import random
from decimal import ROUND_HALF_UP, Decimal

from nexo.sales.demo.records import DemoItem, PlannedLine

CENT = Decimal("0.01")
FOCUS = [  # a word of the opportunity's title → the categories its lines mostly come from
    ("emergencia", ("Electricidad / Iluminación", "Electricidad / Protección")),
    ("ilumina", ("Electricidad / Iluminación",)), ("alumbrado", ("Electricidad / Iluminación",)),
    ("cable", ("Electricidad / Cables",)), ("cuadro", ("Electricidad / Protección", "Electricidad / Cables")),
    ("mecanismo", ("Electricidad / Mecanismos",)), ("recarga", ("Electricidad",)),
    ("eléctric", ("Electricidad",)), ("grifería", ("Fontanería / Grifería", "Fontanería / Accesorios")),
    ("sanitario", ("Fontanería",)), ("tubería", ("Fontanería / Tuberías", "Fontanería / Accesorios")),
    ("bajante", ("Fontanería / Tuberías", "Fontanería / Accesorios")), ("fontanería", ("Fontanería",)),
    ("bomba", ("Fontanería",)), ("presión", ("Fontanería",)), ("radiante", ("Fontanería",)),
    ("climatiza", ("Fontanería", "Electricidad")), ("aire acondicionado", ("Electricidad", "Fontanería")),
    ("herramienta eléctrica", ("Ferretería / Herramienta eléctrica",)), ("herramienta", ("Ferretería",)),
    ("tornill", ("Ferretería / Tornillería",)), ("soldadura", ("Ferretería",)), ("ferretería", ("Ferretería",)),
    ("cerradura", ("Ferretería",)), ("protección", ("Ferretería",)), ("pintura", ("Pinturas",)),
    ("furgoneta", ("Ferretería", "Electricidad", "Fontanería")),
]  # fmt: skip
TRANSPORT = "Transporte y descarga en obra"
LARGE_LINES = 60


def _pick(rng: random.Random, weighted: list[tuple[DemoItem, float]], count: int) -> list[DemoItem]:
    """`count` distinct items, drawn by weight (Efraimidis-Spirakis keys)."""
    keyed = sorted(weighted, key=lambda pair: rng.random() ** (1 / pair[1]), reverse=True)
    return [item for item, _weight in keyed[:count]]


def _quantity(unit: str, value: Decimal, price: Decimal) -> Decimal:
    """A believable quantity worth about `value`: metres by fives, boxes and units whole, within reason."""
    raw = value / price
    steps = {"m": (5, 25, 100, 3000), "kg": (1, 5, 5, 300), "l": (1, 5, 5, 300), "caja": (1, 5, 10, 150),
             "rollo": (1, 1, 5, 60), "h": (1, 1, 1, 40)}  # fmt: skip
    small, medium, large, cap = steps.get(unit, (1, 5, 10, 400))
    step = small if raw < 20 else medium if raw < 200 else large
    quantity = max(step, int((raw / step).to_integral_value(ROUND_HALF_UP)) * step)
    return Decimal(min(quantity, cap))


def _focus(title: str) -> tuple[str, ...]:
    lowered = title.lower()
    for word, categories in FOCUS:
        if word in lowered:
            return categories
    return ()


def lines_for(
    rng: random.Random, items: list[DemoItem], count: int, target: Decimal, title: str = ""
) -> list[PlannedLine]:
    """`count` lines worth about `target`, mostly from the categories the title speaks of and from what is
    in stock; sometimes a line discount, a service or the transport."""
    stocked = [item for item in items if not item.service]
    focus = _focus(title)
    weighted = [
        (item, (4 if item.on_hand > 0 else 1) * (6 if focus and item.category.startswith(focus) else 1))
        for item in stocked
    ]
    chosen = _pick(rng, weighted, min(count, len(stocked)))
    shares = [Decimal(str(round(rng.uniform(0.3, 1.7), 2))) for _item in chosen]
    lines = []
    for item, share in zip(chosen, shares, strict=True):
        value = target * share / sum(shares)
        discount = Decimal(rng.choice([5, 10])) if rng.random() < 0.15 else Decimal(0)
        lines.append(PlannedLine(item.sku, _quantity(item.unit, value, item.price), discount=discount))
    services_ = [item for item in items if item.service]
    if services_ and rng.random() < 0.2:
        item = rng.choice(services_)
        hours = item.unit == "h"
        lines.append(PlannedLine(item.sku, Decimal(rng.randint(4, 16) if hours else 1)))
    return lines


def transport(rng: random.Random) -> PlannedLine:
    return PlannedLine(None, Decimal(1), TRANSPORT, Decimal(rng.randrange(45, 185, 5)))



def line_count(rng: random.Random) -> int:
    return max(3, min(21, int(rng.triangular(3, 22, 7))))  # a service, the transport and 2 more: 25


def typed_prices(
    rng: random.Random, lines: list[PlannedLine], items: dict[str, DemoItem], count: int
) -> None:
    """A special price typed by hand on a few lines, often under the minimum margin."""
    candidates = [line for line in lines if line.sku and not items[line.sku].service and not line.discount]
    for line in rng.sample(candidates, min(count, len(candidates))):
        factor = Decimal(str(round(rng.uniform(0.7, 0.86), 2)))
        line.unit_price = max(CENT, (items[line.sku].price * factor).quantize(CENT))


def alternative(rng: random.Random, lines: list[PlannedLine]) -> list[PlannedLine]:
    """The cheaper option: most of the same lines, 5 % off each."""
    kept = [line for line in lines if rng.random() < 0.8]
    kept = kept if len(kept) >= 3 else lines[:3]
    return [
        PlannedLine(line.sku, line.quantity, line.description, line.unit_price, Decimal(5)) for line in kept
    ]

