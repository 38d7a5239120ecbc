"""Pure rules shared by every module: money rounding, decimals, state tables. No Django here."""

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MONEY_PLACES = 2
UNIT_PLACES = 6


def round_money(amount: Decimal, places: int = MONEY_PLACES) -> Decimal:
    """The one rounding helper: half-up to the currency's minor unit (2 decimals for EUR)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, got {type(amount).__name__}")
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_unit(amount: Decimal) -> Decimal:
    """Unit prices and unit costs keep 6 decimals, rounded half-up."""
    return round_money(amount, UNIT_PLACES)


def is_zero(amount: Decimal, places: int = MONEY_PLACES) -> bool:
    return round_money(amount, places) == 0


@dataclass(frozen=True)
class TaxLine:
    rate: Decimal  # percent
    base: Decimal
    tax: Decimal


def taxes_by_rate(bases: Sequence[tuple[Decimal, Decimal]]) -> tuple[TaxLine, ...]:
    """(rate, base) pairs → one line per rate, the highest rate first; the tax of a rate is computed on the
    sum of its bases and rounded half-up there (three bases of 0.15 at 10 % pay 0.05, not 3 x 0.02): the
    rounding point of a quotation's and a purchase order's taxes."""
    grouped: dict[Decimal, Decimal] = {}
    for rate, base in bases:
        grouped[rate] = grouped.get(rate, Decimal(0)) + base
    return tuple(
        TaxLine(rate, base, round_money(base * rate / 100)) for rate, base in sorted(grouped.items(), reverse=True)
    )


class InvalidTransition(Exception):
    def __init__(self, current: str, target: str):
        super().__init__(f"cannot go from {current} to {target}")
        self.current = current
        self.target = target


def transition(allowed: Mapping[str, set[str]], current: str, target: str) -> str:
    """Return target when the state table allows it; never a silent no-op."""
    if target not in allowed.get(current, set()):
        raise InvalidTransition(current, target)
    return target


@dataclass(frozen=True)
class Lifecycle:
    """A document's lifecycle: its states and the moves a person may make between them.

    Only decisions belong here (draft, sent, confirmed, cancelled…); states that follow from quantities
    (delivered, invoiced, paid) are derived, never moved to by hand (docs/decisions/0002-lifecycle-and-derived-states.md).
    Every state is a key, a final one with no way out."""

    name: str
    transitions: Mapping[str, frozenset[str]]

    def __post_init__(self):
        unknown = {target for targets in self.transitions.values() for target in targets} - set(self.transitions)
        if unknown:
            raise ValueError(f"{self.name}: states without a row in the table: {sorted(unknown)}")

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    def allows(self, current: str, target: str) -> bool:
        return target in self.transitions.get(current, frozenset())

    def check(self, current: str, target: str) -> str:
        """Return target when the table allows it, else raise InvalidTransition."""
        return transition(self.transitions, current, target)


def fold(text: str) -> str:
    """Lower case without accents, for searching: "Climatización" and "climatizacion" match."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
