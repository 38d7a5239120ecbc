"""Pure CRM rules: the opportunity's lifecycle and the forecast arithmetic. No Django here."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from nexo.core.rules import Lifecycle, round_money

# An opportunity's status, and the kind of stage that sets it.
OPEN, WON, LOST = "open", "won", "lost"
# Moving between open stages keeps an opportunity open; won is final; a lost one may be reopened.
OPPORTUNITY_LIFECYCLE = Lifecycle(
    "opportunity", {OPEN: frozenset({OPEN, WON, LOST}), LOST: frozenset({OPEN}), WON: frozenset()}
)

DEFAULT_STAGES = [  # (name, default probability, kind)
    ("Nuevo", Decimal(10), OPEN),
    ("Cualificado", Decimal(25), OPEN),
    ("Propuesta", Decimal(50), OPEN),
    ("Negociación", Decimal(75), OPEN),
    ("Ganado", Decimal(100), WON),
    ("Perdido", Decimal(0), LOST),
]


def weighted(amount: Decimal, probability: Decimal) -> Decimal:
    """Expected value of an opportunity, unrounded: amount * probability %."""
    return amount * probability / Decimal(100)


@dataclass(frozen=True)
class ForecastLine:
    owner: str
    expected_close: date
    amount: Decimal
    probability: Decimal
    status: str


@dataclass
class ForecastCell:
    weighted: Decimal = Decimal(0)
    best_case: Decimal = Decimal(0)
    count: int = 0

    def add(self, line: ForecastLine) -> None:
        self.weighted += weighted(line.amount, line.probability)
        self.best_case += line.amount
        self.count += 1

    def rounded(self) -> "ForecastCell":
        return ForecastCell(round_money(self.weighted), round_money(self.best_case), self.count)


@dataclass
class Forecast:
    """Open opportunities by expected close month (YYYY-MM) and owner, with totals, rounded at the end."""

    months: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    cells: dict[tuple[str, str], ForecastCell] = field(default_factory=dict)
    by_month: dict[str, ForecastCell] = field(default_factory=dict)
    by_owner: dict[str, ForecastCell] = field(default_factory=dict)
    total: ForecastCell = field(default_factory=ForecastCell)

    def cell(self, month: str, owner: str) -> ForecastCell:
        return self.cells.get((month, owner), ForecastCell())


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def forecast(lines: Iterable[ForecastLine]) -> Forecast:
    """Weighted (amount * probability) and best case (all amounts) of the open opportunities.

    Sums are exact and rounded half-up once per figure shown, so totals equal the sum of the exact values.
    """
    cells: dict[tuple[str, str], ForecastCell] = defaultdict(ForecastCell)
    by_month: dict[str, ForecastCell] = defaultdict(ForecastCell)
    by_owner: dict[str, ForecastCell] = defaultdict(ForecastCell)
    total = ForecastCell()
    for line in lines:
        if line.status != OPEN:
            continue
        month = month_of(line.expected_close)
        for cell in (cells[(month, line.owner)], by_month[month], by_owner[line.owner], total):
            cell.add(line)
    return Forecast(
        months=sorted(by_month),
        owners=sorted(by_owner),
        cells={key: cell.rounded() for key, cell in cells.items()},
        by_month={key: cell.rounded() for key, cell in by_month.items()},
        by_owner={key: cell.rounded() for key, cell in by_owner.items()},
        total=total.rounded(),
    )


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
