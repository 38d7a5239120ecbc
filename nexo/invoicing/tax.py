"""Invoice taxes, pure: which VAT treatment a sale gets (its tax position), and an invoice's VAT, recargo de
equivalencia and IRPF withholding from its lines.

Rounding happens once per group, never per line: the VAT and the recargo of each (treatment, VAT rate,
recargo rate) group are computed on the sum of that group's bases, and each IRPF rate's withholding on
the sum of the bases withheld at that rate, all rounded half-up to the cent with `round_money`. Every
other figure is a sum of those, so the groups add up to the totals exactly. A credit note is the same
computation on negative bases: half-up rounds a tie away from zero, so it gives exactly the negation of
the invoice it reverses.

Law: Ley 37/1992 del IVA (LIVA) and the IRPF regulation, as summarised in the project's reference on
Spanish invoicing (§2 VAT, §3 IRPF); where a rule below goes beyond that reference, its docstring says so.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from nexo.core.rules import round_money
from nexo.parties.rules import EU_COUNTRIES

HUNDRED = Decimal(100)
ZERO = Decimal("0.00")
SPAIN = "ES"
_DASH = "\u2013"  # the en dash of the printed legal texts


class TaxRuleError(ValueError):
    """A tax figure or position the rules cannot compute; services turn it into a domain error."""


class UnknownVatRate(TaxRuleError):
    def __init__(self, vat_rate: Decimal):
        known = ", ".join(str(rate) for rate in RECARGO_BY_VAT_RATE)
        super().__init__(
            f"no recargo de equivalencia rate for VAT {vat_rate} %: the known VAT rates are {known}"
        )
        self.vat_rate = vat_rate


class UnsupportedTaxPosition(TaxRuleError):
    """A sale the rules do not cover yet (an issuer outside Spain, a customer in the Canary Islands,
    Ceuta or Melilla): refused rather than taxed wrongly."""


class InvalidTaxLine(TaxRuleError):
    pass


class UnknownTreatment(TaxRuleError):
    pass


# Recargo de equivalencia that goes with each VAT rate (reference §2; art. 161 LIVA). Tobacco's 1.75 % and
# the temporary 2 % and 5 % VAT rates of 2023-24 are not offered.
RECARGO_BY_VAT_RATE: dict[Decimal, Decimal] = {
    Decimal("21"): Decimal("5.2"),
    Decimal("10"): Decimal("1.4"),
    Decimal("4"): Decimal("0.5"),
    Decimal("0"): Decimal("0"),
}


def recargo_rate_for(vat_rate: Decimal) -> Decimal:
    """The recargo de equivalencia % charged beside a VAT rate %; an unknown VAT rate raises UnknownVatRate."""
    _require_decimal("vat_rate", vat_rate)
    try:
        return RECARGO_BY_VAT_RATE[vat_rate]
    except KeyError:
        raise UnknownVatRate(vat_rate) from None


# Treatments


@dataclass(frozen=True)
class LegalText:
    """The mention an invoice prints for an operation that charges no VAT, in Spanish and in English."""

    es: str
    en: str


@dataclass(frozen=True)
class Treatment:
    """How VAT treats a line. `code` is what a record stores (`treatment_of` rebuilds the treatment from it);
    every treatment that charges no VAT carries its legal text."""

    code: str
    charges_vat: bool
    legal_text: LegalText | None = None


DOMESTIC = Treatment("domestic", charges_vat=True)
INTRA_EU_GOODS = Treatment(
    "intra_eu_goods",
    charges_vat=False,
    legal_text=LegalText(
        f"Entrega intracomunitaria exenta {_DASH} art. 25 Ley 37/1992",
        f"Exempt intra-Community supply {_DASH} art. 25 Law 37/1992",
    ),
)
EU_SERVICE_REVERSE_CHARGE = Treatment(
    "eu_service_reverse_charge",
    charges_vat=False,
    legal_text=LegalText(
        f"Inversión del sujeto pasivo {_DASH} art. 69.Uno.1º Ley 37/1992 y art. 196 Directiva 2006/112/CE",
        f"Reverse charge {_DASH} art. 69.One.1 Law 37/1992 and art. 196 Directive 2006/112/EC",
    ),
)
EXPORT_GOODS = Treatment(
    "export_goods",
    charges_vat=False,
    legal_text=LegalText(
        f"Exportación exenta {_DASH} art. 21 Ley 37/1992", f"Exempt export {_DASH} art. 21 Law 37/1992"
    ),
)
SERVICE_OUTSIDE_EU = Treatment(
    "service_outside_eu",
    charges_vat=False,
    legal_text=LegalText(
        f"Operación no sujeta al IVA español {_DASH} art. 69 Ley 37/1992",
        f"Not subject to Spanish VAT {_DASH} art. 69 Law 37/1992",
    ),
)
_FIXED_TREATMENTS = {
    treatment.code: treatment
    for treatment in (DOMESTIC, INTRA_EU_GOODS, EU_SERVICE_REVERSE_CHARGE, EXPORT_GOODS, SERVICE_OUTSIDE_EU)
}
_EXEMPT_ART20_PREFIX = "exempt_art20_"


def exempt_art20(paragraph: int) -> Treatment:
    """A domestic operation exempt under art. 20.Uno LIVA, paragraph `paragraph` (9 is education, 3 medical
    care…): the item names its paragraph, the invoice prints it."""
    if isinstance(paragraph, bool) or not isinstance(paragraph, int) or paragraph < 1:
        raise UnknownTreatment(
            f"an art. 20.Uno exemption names its paragraph (a number from 1), got {paragraph!r}"
        )
    return Treatment(
        f"{_EXEMPT_ART20_PREFIX}{paragraph}",
        charges_vat=False,
        legal_text=LegalText(
            f"Operación exenta {_DASH} art. 20.Uno.{paragraph}º Ley 37/1992",
            f"Exempt operation {_DASH} art. 20.One.{paragraph} Law 37/1992",
        ),
    )


def treatment_of(code: str) -> Treatment:
    """The treatment a stored code names; an unknown code raises UnknownTreatment."""
    if code in _FIXED_TREATMENTS:
        return _FIXED_TREATMENTS[code]
    paragraph = code.removeprefix(_EXEMPT_ART20_PREFIX) if isinstance(code, str) else ""
    if paragraph != code and paragraph and paragraph.isdigit() and not paragraph.startswith("0"):
        return exempt_art20(int(paragraph))
    raise UnknownTreatment(f"unknown tax treatment {code!r}")


# Tax position


class Supply(StrEnum):
    GOODS = "goods"
    SERVICE = "service"


@dataclass(frozen=True)
class TaxPosition:
    """What a sale's lines get: a treatment, whether recargo de equivalencia is charged, whether IRPF is withheld."""

    treatment: Treatment
    charges_recargo: bool = False
    withholds_irpf: bool = False

    def line(self, *, base: Decimal, vat_rate: Decimal, irpf_rate: Decimal = ZERO) -> "TaxableLine":
        """A line under this position, from its base and its item's VAT and IRPF rates: no VAT (hence no
        recargo) unless the treatment charges it, the recargo that goes with the VAT rate, the IRPF rate
        only where it is withheld."""
        _require_decimal("vat_rate", vat_rate)
        _require_decimal("irpf_rate", irpf_rate)
        charged_vat = vat_rate if self.treatment.charges_vat else ZERO
        recargo = recargo_rate_for(vat_rate) if self.charges_recargo and self.treatment.charges_vat else ZERO
        return TaxableLine(
            base=base,
            vat_rate=charged_vat,
            recargo_rate=recargo,
            irpf_rate=irpf_rate if self.withholds_irpf else ZERO,
            treatment=self.treatment,
        )


# Spanish postal code provinces outside the VAT territory: Las Palmas (35) and Santa Cruz de Tenerife
# (38), Ceuta (51), Melilla (52); IC and EA are the codes ISO 3166 reserves for them.
_OUTSIDE_VAT_TERRITORY_PROVINCES = ("35", "38", "51", "52")
_OUTSIDE_VAT_TERRITORY_COUNTRIES = ("IC", "EA")


def tax_position(
    *,
    issuer_country: str,
    customer_country: str,
    customer_postal_code: str = "",
    customer_has_valid_eu_vat: bool,
    supply: Supply,
    customer_subject_to_recargo: bool = False,
    customer_withholds_irpf: bool = False,
    withholding_applies: bool = False,
    exemption_art20: int | None = None,
) -> TaxPosition:
    """The treatment a Spanish issuer's sale gets, from the customer's country and VAT number, the kind of
    supply and the item's exemption; then recargo and IRPF.

    - Customer in Spain: domestic VAT, or exempt under art. 20.Uno when the item names a paragraph.
    - Customer in another EU state with a valid VAT number (checked elsewhere, e.g. in VIES): goods are an
      exempt intra-Community supply (art. 25; the goods are assumed to travel to that state); services
      are not located in Spain (art. 69.Uno.1º) and the customer accounts for the VAT (reverse charge).
    - Customer in another EU state without one: a consumer, taxed as domestic (art. 20 exemptions too).
      Assumed: goods under the EU-wide 10,000 € threshold for distance sales, and no electronic or
      telecommunication services, which would be taxed in the customer's state (OSS).
    - Customer outside the EU: goods are an exempt export (art. 21; assumed shipped out of the EU by the
      issuer or on its behalf); services are not subject to Spanish VAT (art. 69), assuming the customer is
      a business (art. 69.Uno.1º) or the service is one art. 69.Dos places where an extra-EU customer is.
      These two service rules come from the law, not from the project's reference.
    - Recargo de equivalencia only on goods taxed in Spain for a customer in Spain subject to it (art. 154
      LIVA charges it on deliveries of goods to retailers in the regime), never on exempt, reverse-charge or
      not-subject lines.
    - IRPF only when a customer in Spain withholds and the item is one withholding applies to
      (professional services); it is kept on exempt lines too (an exempt professional is still withheld).

    Customers in the Canary Islands, Ceuta or Melilla (by country code IC or EA, or a Spanish postal code of
    provinces 35, 38, 51 or 52) are outside the Spanish VAT territory: their supplies are exports or
    non-subject services under rules (IGIC, IPSI, customs) the reference does not cover, so they are
    refused with UnsupportedTaxPosition rather than taxed as domestic. An issuer outside Spain is refused too.
    """
    issuer_country = _country(issuer_country, "issuer")
    customer_country = _country(customer_country, "customer")
    if issuer_country != SPAIN:
        raise UnsupportedTaxPosition(f"only issuers established in Spain are supported, not {issuer_country}")
    if customer_country in _OUTSIDE_VAT_TERRITORY_COUNTRIES or (
        customer_country == SPAIN
        and (customer_postal_code or "").strip()[:2] in _OUTSIDE_VAT_TERRITORY_PROVINCES
    ):
        raise UnsupportedTaxPosition(
            "sales to the Canary Islands, Ceuta or Melilla are outside the Spanish VAT territory and not supported yet"
        )
    supply = Supply(supply)
    located_in_spain = exempt_art20(exemption_art20) if exemption_art20 is not None else DOMESTIC

    if customer_country == SPAIN:
        treatment = located_in_spain
    elif customer_country in EU_COUNTRIES:
        if customer_has_valid_eu_vat:
            treatment = INTRA_EU_GOODS if supply is Supply.GOODS else EU_SERVICE_REVERSE_CHARGE
        else:
            treatment = located_in_spain
    else:
        treatment = EXPORT_GOODS if supply is Supply.GOODS else SERVICE_OUTSIDE_EU

    in_spain = customer_country == SPAIN
    return TaxPosition(
        treatment=treatment,
        charges_recargo=in_spain
        and customer_subject_to_recargo
        and supply is Supply.GOODS
        and treatment.charges_vat,
        withholds_irpf=in_spain and customer_withholds_irpf and withholding_applies,
    )


def _country(code: str, whose: str) -> str:
    country = (code or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise TaxRuleError(f"the {whose}'s country must be a two-letter ISO code, got {code!r}")
    return country


# Invoice taxes


@dataclass(frozen=True)
class TaxableLine:
    """One invoice line as the tax engine sees it: its base (already net of the line's and the document's
    discounts; negative on a credit note), VAT %, recargo %, IRPF % and treatment."""

    base: Decimal
    vat_rate: Decimal
    recargo_rate: Decimal = ZERO
    irpf_rate: Decimal = ZERO
    treatment: Treatment = DOMESTIC

    def __post_init__(self):
        for name in ("base", "vat_rate", "recargo_rate", "irpf_rate"):
            _require_decimal(name, getattr(self, name))
        if self.base != round_money(self.base):
            raise InvalidTaxLine(f"a line's base is rounded to the cent, got {self.base}")
        for name in ("vat_rate", "recargo_rate", "irpf_rate"):
            rate = getattr(self, name)
            if not ZERO <= rate < HUNDRED or rate != round_money(rate):
                raise InvalidTaxLine(
                    f"{name} must be a percentage from 0 to under 100 with 2 decimals, got {rate}"
                )
        if not self.treatment.charges_vat and (self.vat_rate or self.recargo_rate):
            raise InvalidTaxLine(f"a line treated as {self.treatment.code} charges neither VAT nor recargo")


@dataclass(frozen=True)
class VatGroup:
    treatment: Treatment
    vat_rate: Decimal
    recargo_rate: Decimal
    base: Decimal
    vat: Decimal
    recargo: Decimal


@dataclass(frozen=True)
class WithholdingGroup:
    irpf_rate: Decimal
    base: Decimal
    withholding: Decimal


@dataclass(frozen=True)
class InvoiceTaxes:
    """What the invoice shows: base, VAT and recargo per group, withholding per IRPF rate, and the totals.
    total = base + VAT + recargo; amount due = total - withholding."""

    vat_groups: tuple[VatGroup, ...]
    withholding_groups: tuple[WithholdingGroup, ...]
    base: Decimal
    vat: Decimal
    recargo: Decimal
    withholding: Decimal
    total: Decimal
    amount_due: Decimal

    @property
    def legal_texts(self) -> tuple[LegalText, ...]:
        """The mentions the invoice must print, once each, in the order of its groups."""
        texts: dict[LegalText, None] = {}
        for group in self.vat_groups:
            if group.treatment.legal_text is not None:
                texts[group.treatment.legal_text] = None
        return tuple(texts)


def invoice_taxes(lines: Iterable[TaxableLine]) -> InvoiceTaxes:
    """An invoice's (or a credit note's) taxes. The order of the lines changes nothing."""
    bases: dict[tuple[Treatment, Decimal, Decimal], Decimal] = {}
    withheld: dict[Decimal, Decimal] = {}
    for line in lines:
        if not isinstance(line, TaxableLine):
            raise TypeError(f"invoice_taxes takes TaxableLine, got {type(line).__name__}")
        base = round_money(line.base)
        key = (line.treatment, round_money(line.vat_rate), round_money(line.recargo_rate))
        bases[key] = bases.get(key, ZERO) + base
        if line.irpf_rate:
            rate = round_money(line.irpf_rate)
            withheld[rate] = withheld.get(rate, ZERO) + base

    vat_groups = tuple(
        VatGroup(
            treatment,
            vat_rate,
            recargo_rate,
            base,
            _percent_of(base, vat_rate),
            _percent_of(base, recargo_rate),
        )
        for (treatment, vat_rate, recargo_rate), base in sorted(bases.items(), key=_group_order)
    )
    withholding_groups = tuple(
        WithholdingGroup(rate, base, _percent_of(base, rate))
        for rate, base in sorted(withheld.items(), reverse=True)
    )
    base = sum((group.base for group in vat_groups), ZERO)
    vat = sum((group.vat for group in vat_groups), ZERO)
    recargo = sum((group.recargo for group in vat_groups), ZERO)
    withholding = sum((group.withholding for group in withholding_groups), ZERO)
    total = base + vat + recargo
    return InvoiceTaxes(
        vat_groups=vat_groups,
        withholding_groups=withholding_groups,
        base=base,
        vat=vat,
        recargo=recargo,
        withholding=withholding,
        total=total,
        amount_due=total - withholding,
    )


def _percent_of(base: Decimal, rate: Decimal) -> Decimal:
    return round_money(base * rate / HUNDRED)


def _group_order(item: tuple[tuple[Treatment, Decimal, Decimal], Decimal]):
    """Taxed groups first, highest VAT rate first, then the others by code: the same lines always print alike."""
    (treatment, vat_rate, recargo_rate), _base = item
    return (not treatment.charges_vat, -vat_rate, -recargo_rate, treatment.code)


def _require_decimal(name: str, value) -> None:
    """Money and rates are Decimal only, as `round_money` demands; a float would carry its binary error in."""
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise InvalidTaxLine(f"{name} must be a finite number, got {value}")
