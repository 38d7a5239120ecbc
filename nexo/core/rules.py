"""Pure rules shared by every module: money rounding, decimals, state tables. No Django here."""

import unicodedata
from collections.abc import Mapping
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


def fold(text: str) -> str:
    """Lower case without accents, for searching: "Climatización" and "climatizacion" match."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
