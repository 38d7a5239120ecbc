"""Numbers, money and dates in the reader's locale (babel, Django's formats): 1.234,56 € and 6 de diciembre
de 2026 in Spanish, €1,234.56 and 6 December 2026 in English; sentences that end with an abbreviation."""

import re
from datetime import date as Date
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal, get_currency_symbol
from django.utils import translation
from django.utils.formats import date_format

from nexo.core.rules import round_money

BABEL_LOCALES = {"es": "es_ES", "en": "en_GB", "en-us": "en_US"}


def current_locale() -> str:
    language = (translation.get_language() or "es").lower()
    return BABEL_LOCALES.get(language) or BABEL_LOCALES.get(language[:2], "es_ES")


def trimmed(value: Decimal, places: int = 0) -> Decimal:
    """Without trailing zeros, but with at least `places` decimals (and never in exponent notation)."""
    value = Decimal(value)
    exponent = min(value.normalize().as_tuple().exponent, -places) if value else -places
    return value.quantize(Decimal(1).scaleb(exponent))


def money(amount: Decimal | None, currency: str = "EUR") -> str:
    if amount is None:
        return ""
    return format_currency(round_money(Decimal(amount)), currency, locale=current_locale())


def currency_symbol(currency: str | None) -> str:
    """The currency as money() shows it: € for EUR, US$ or $ for USD as the language writes it."""
    if not currency:
        return ""
    return get_currency_symbol(currency, locale=current_locale())


def day_text(value: Date | None) -> str:
    """A date as a sentence writes it in the reader's language (never 2027-01-05 in a text): 5 de enero de
    2027, 5 January 2027."""
    return date_format(value, "DATE_FORMAT") if value else ""


# A full stop right after another one, not an ellipsis: "S.L." or "a.m." ending a sentence.
_DOUBLED_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


def sentence(text: str) -> str:
    """The text with no doubled full stop where a name or abbreviation ending in a dot ends a sentence
    ("Now working in Turia, S.L.." → "… S.L."); an ellipsis stays."""
    return _DOUBLED_STOP.sub(".", str(text))


def number(value: Decimal | int | None, places: int | None = None) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    if places is not None:
        value = round_money(value, places)
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return format_decimal(value, format=pattern, locale=current_locale())
    return format_decimal(value, locale=current_locale(), decimal_quantization=False)


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries named in the reader's language, Spain first."""
    names = Locale.parse(current_locale()).territories
    countries = sorted(
        (
            (code, name)
            for code, name in names.items()
            if len(code) == 2
            and code.isalpha()
            and code not in {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "XK"}
        ),
        key=lambda item: item[1],
    )
    return [("ES", names["ES"]), *[item for item in countries if item[0] != "ES"]]


def country_name(code: str) -> str:
    if not code:
        return ""
    return Locale.parse(current_locale()).territories.get(code.upper(), code)
