"""How the dashboards write their values, in the reader's language: a panel's cells and figures on the page
(by the kind its columns declare) and the value labels and axes of its charts. Money goes through
nexo.core.formatting (babel), so a chart's labels read exactly as its table does."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, format_percent
from django.utils.formats import date_format

from nexo.core.formatting import current_locale, money, number
from nexo.core.rules import round_money
from nexo.insight.services.dashboards import COUNT, DATE, DAYS, MONEY, NUMBER, PERCENT, TEXT, Cell

HUNDRED = Decimal(100)


def money_format(currency: str) -> Callable[[Decimal | int], str]:
    """An amount with its cents and currency (1.234,56 €), for value labels."""
    return lambda amount: money(Decimal(amount), currency)


def money_ticks(currency: str) -> Callable[[Decimal | int], str]:
    """An axis tick: whole units and the currency as the language places it (1.000 €, €1,000); cents only
    where the step is below a unit."""

    def tick(amount: Decimal | int) -> str:
        amount = Decimal(amount)
        places = 0 if amount == amount.to_integral_value() else 2
        pattern = Locale.parse(current_locale()).currency_formats["standard"].pattern
        if not places:
            pattern = pattern.replace("0.00", "0")
        return format_currency(
            round_money(amount, places),
            currency,
            format=pattern,
            locale=current_locale(),
            currency_digits=False,
        )

    return tick


def percent(value: Decimal | int) -> str:
    """A percentage given as 0-100, one decimal, as the language writes it (45,5 %, 45.5%)."""
    pattern = Locale.parse(current_locale()).percent_formats[None].pattern.replace("#,##0", "#,##0.0", 1)
    return format_percent(Decimal(value) / HUNDRED, format=pattern, locale=current_locale())


def count(value: Decimal | int) -> str:
    return number(value, 0)


def days(value: Decimal | int) -> str:
    return number(value, 1)


def kind_of(value: Cell) -> str:
    """The kind a value reads as when its column does not say (Panel.kinds)."""
    if isinstance(value, bool):
        return TEXT
    if isinstance(value, Decimal):
        return MONEY
    if isinstance(value, int):
        return COUNT
    if isinstance(value, date):
        return DATE
    return TEXT


def cell_text(value: Cell, kind: str, currency: str) -> str:
    """A cell or a figure as the page shows it; nothing for an empty one."""
    if value is None or value == "":
        return ""
    if kind == MONEY and isinstance(value, Decimal | int):
        return money(Decimal(value), currency)
    if kind == PERCENT and isinstance(value, Decimal | int):
        return percent(value)
    if kind == COUNT and isinstance(value, Decimal | int):
        return count(value)
    if kind == DAYS and isinstance(value, Decimal | int):
        return days(value)
    if kind == NUMBER and isinstance(value, Decimal | int):
        return number(value)
    if kind == DATE and isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def is_numeric(kind: str) -> bool:
    """Whether a column is right-aligned (numbers line up)."""
    return kind in (MONEY, PERCENT, COUNT, DAYS, NUMBER)
