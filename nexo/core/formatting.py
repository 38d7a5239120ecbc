"""Numbers and money in the reader's locale (babel): 1.234,56 € in Spanish, €1,234.56 in English."""

from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal
from django.utils import translation

from nexo.core.rules import round_money

BABEL_LOCALES = {"es": "es_ES", "en": "en_GB"}


def current_locale() -> str:
    return BABEL_LOCALES.get((translation.get_language() or "es")[:2], "es_ES")


def trimmed(value: Decimal, places: int = 0) -> Decimal:
    """Without trailing zeros, but with at least `places` decimals (and never in exponent notation)."""
    value = Decimal(value)
    exponent = min(value.normalize().as_tuple().exponent, -places) if value else -places
    return value.quantize(Decimal(1).scaleb(exponent))


def money(amount: Decimal | None, currency: str = "EUR") -> str:
    if amount is None:
        return ""
    return format_currency(round_money(Decimal(amount)), currency, locale=current_locale())


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
