"""The demo's suppliers: their currency, lead time, prices against the standard cost, quantity breaks and
new price lists, and which of them sell each category."""

from dataclasses import dataclass
from decimal import Decimal

from nexo.purchasing.demo.common import EUR, USD


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
