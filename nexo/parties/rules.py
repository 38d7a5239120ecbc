"""Tax id rules (pure): Spanish NIF/NIE/CIF and EU VAT numbers, validated with python-stdnum."""

from enum import StrEnum

from stdnum import exceptions as stdnum_errors
from stdnum.es import nif as spanish_nif
from stdnum.eu import vat as eu_vat

from nexo.core.rules import fold

# Greece's VAT numbers use EL instead of its ISO code.
EU_VAT_PREFIXES = {code.upper() for code in eu_vat.MEMBER_STATES} | {"EL"}
EU_COUNTRIES = {code.upper() for code in eu_vat.MEMBER_STATES if code != "xi"}


class TaxIdProblem(StrEnum):
    CHECKSUM = "checksum"
    FORMAT = "format"
    LENGTH = "length"
    COUNTRY = "country"


class InvalidTaxId(ValueError):
    def __init__(self, problem: TaxIdProblem, kind: str):
        super().__init__(f"invalid {kind}: {problem}")
        self.problem = problem
        self.kind = kind


def _problem(error: stdnum_errors.ValidationError) -> TaxIdProblem:
    if isinstance(error, stdnum_errors.InvalidChecksum):
        return TaxIdProblem.CHECKSUM
    if isinstance(error, stdnum_errors.InvalidLength):
        return TaxIdProblem.LENGTH
    if isinstance(error, stdnum_errors.InvalidComponent):
        return TaxIdProblem.COUNTRY
    return TaxIdProblem.FORMAT


def compact(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def is_vat_form(value: str) -> bool:
    """Two leading letters that name an EU member state: an intra-community VAT number."""
    return len(value) > 2 and value[:2].isalpha() and value[:2] in EU_VAT_PREFIXES


def normalize_tax_id(value: str, country: str) -> str:
    """The tax id in compact form, validated for its country; raises InvalidTaxId.

    Spanish parties take a NIF, NIE or CIF (or an ES VAT number); other EU parties their VAT number
    with or without the country prefix; parties outside the EU are kept as typed, compacted.
    """
    number = compact(value)
    if not number:
        return ""
    country = (country or "").upper()
    try:
        if is_vat_form(number):
            return eu_vat.validate(number)
        if country == "ES":
            return spanish_nif.validate(number)
        if country in EU_COUNTRIES:
            prefix = "EL" if country == "GR" else country
            return eu_vat.validate(prefix + number)
    except stdnum_errors.ValidationError as error:
        kind = "VAT" if is_vat_form(number) or country != "ES" else "NIF"
        raise InvalidTaxId(_problem(error), kind) from error
    if len(number) > 32:
        raise InvalidTaxId(TaxIdProblem.LENGTH, "tax id")
    return number


def search_text(*, name: str, trade_name: str, tax_id: str, email: str, city: str) -> str:
    """What the party list searches, folded once when the party is saved rather than on every search."""
    return fold(" ".join(part for part in (name, trade_name, tax_id, email, city) if part))
