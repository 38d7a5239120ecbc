"""The issuer and the customer as Facturae 3.2.2 describes them, from plain values (no Django): the person type
(a company or a person), the residence (Spain, another EU state, elsewhere), the tax id in the form that
residence takes, the name split for a person, and the address (in Spain: street, five-digit postal code,
town and province; elsewhere: street, "postal code and town", province and the ISO 3166 alpha-3 country).

Texts are cleaned of the characters XML 1.0 cannot carry (control characters) and cut to the length the
schema allows for their element."""

import re
import unicodedata
from dataclasses import dataclass

import pycountry
from stdnum.es import nif

from nexo.parties.rules import EU_COUNTRIES, compact

SPAIN = "ES"
# Residence type codes: in Spain, in another EU member state, elsewhere.
RESIDENT, EU_RESIDENT, FOREIGN = "R", "U", "E"
# Person type codes: a legal entity (jurídica) or a natural person (física).
LEGAL_ENTITY, INDIVIDUAL = "J", "F"
# The first letter of a Spanish tax id (NIF) of a legal entity or an entity without legal personality (Orden
# EHA/451/2008): A-H, J, N, P, Q, R, S, U, V, W. Digits (DNI) and X, Y, Z (NIE), K, L, M are persons.
LEGAL_ENTITY_LETTERS = frozenset("ABCDEFGHJNPQRSUVW")
# Greece's VAT numbers carry EL, not its ISO code.
VAT_PREFIX = {"GR": "EL"}

# The province of a Spanish postal code, by its first two digits (the INE province codes), as the schema's
# 20 characters allow (Santa Cruz de Tenerife is written short).
SPANISH_PROVINCES = {
    "01": "Araba/Álava", "02": "Albacete", "03": "Alicante/Alacant", "04": "Almería", "05": "Ávila",
    "06": "Badajoz", "07": "Illes Balears", "08": "Barcelona", "09": "Burgos", "10": "Cáceres", "11": "Cádiz",
    "12": "Castellón/Castelló", "13": "Ciudad Real", "14": "Córdoba", "15": "A Coruña", "16": "Cuenca",
    "17": "Girona", "18": "Granada", "19": "Guadalajara", "20": "Gipuzkoa", "21": "Huelva", "22": "Huesca",
    "23": "Jaén", "24": "León", "25": "Lleida", "26": "La Rioja", "27": "Lugo", "28": "Madrid", "29": "Málaga",
    "30": "Murcia", "31": "Navarra", "32": "Ourense", "33": "Asturias", "34": "Palencia", "35": "Las Palmas",
    "36": "Pontevedra", "37": "Salamanca", "38": "S.C. Tenerife", "39": "Cantabria", "40": "Segovia",
    "41": "Sevilla", "42": "Soria", "43": "Tarragona", "44": "Teruel", "45": "Toledo", "46": "Valencia/València",
    "47": "Valladolid", "48": "Bizkaia", "49": "Zamora", "50": "Zaragoza", "51": "Ceuta", "52": "Melilla",
}  # fmt: skip
_SPANISH_POSTAL_CODE = re.compile(r"\d{5}")
# "46004 Valencia", "75008 Paris", "SW1A 1AA London" is not split: a code is one token holding a digit.
_PLACE = re.compile(r"(?P<code>\S*\d\S*)\s+(?P<town>.+)")


def clean(value, limit: int | None = None, *, one_line: bool = True) -> str:
    """The text without the characters an XML 1.0 document cannot carry (control characters other than tab
    and line breaks, lone surrogates, U+FFFE and U+FFFF), its whitespace collapsed on one line unless told,
    and cut to `limit` characters. Nothing is escaped here: the XML writer does it."""
    text = "".join(
        char
        for char in str(value or "")
        if char in "\t\n\r" or (unicodedata.category(char) not in ("Cc", "Cs") and char not in "\ufffe\uffff")
    )
    text = " ".join(text.split()) if one_line else text.strip()
    return text[:limit].rstrip() if limit is not None else text


def residence_of(country: str) -> str:
    country = (country or SPAIN).upper()
    if country == SPAIN:
        return RESIDENT
    return EU_RESIDENT if country in EU_COUNTRIES else FOREIGN


def tax_number(tax_id: str, country: str) -> str:
    """The tax id as Facturae writes it: a Spanish NIF without prefix; another EU state's VAT number with its
    two-letter prefix (intra-Community operations); elsewhere as recorded."""
    country = (country or SPAIN).upper()
    number = compact(tax_id)
    residence = residence_of(country)
    if residence == RESIDENT:
        return nif.compact(number)
    if residence == EU_RESIDENT:
        prefix = VAT_PREFIX.get(country, country)
        return number if number.startswith(prefix) else f"{prefix}{number}"
    return number


def person_type(tax_number: str, country: str) -> str:
    """J for a legal entity, F for a person: read from a Spanish NIF's first character; a customer abroad is
    taken for a business (a VAT number identifies one)."""
    if residence_of(country) != RESIDENT:
        return LEGAL_ENTITY
    return LEGAL_ENTITY if tax_number[:1] in LEGAL_ENTITY_LETTERS else INDIVIDUAL


@dataclass(frozen=True)
class PersonName:
    name: str
    first_surname: str
    second_surname: str


def person_name(full_name: str) -> PersonName:
    """A person's name split as Facturae asks: "Surnames, Name" when written so; otherwise the last two words
    are the surnames (one word after the name: one surname; a single word stands for both)."""
    text = clean(full_name)
    if "," in text:
        surnames, _comma, given = (part.strip() for part in text.partition(","))
        words = surnames.split()
        first, second = (words[0], " ".join(words[1:])) if words else (given, "")
        return PersonName(clean(given or first, 40), clean(first, 40), clean(second, 40))
    words = text.split()
    if len(words) >= 3:
        given, first, second = " ".join(words[:-2]), words[-2], words[-1]
    elif len(words) == 2:
        given, first, second = words[0], words[1], ""
    else:
        given = first = text
        second = ""
    return PersonName(clean(given, 40), clean(first, 40), clean(second, 40))


@dataclass(frozen=True)
class PostalAddress:
    """An address as the schema's AddressInSpain or OverseasAddress takes it."""

    street: str
    postal_code: str
    town: str
    province: str
    country: str  # ISO 3166 alpha-2, as Nexo records it

    @property
    def in_spain(self) -> bool:
        return self.country == SPAIN

    @property
    def country_code(self) -> str:
        """The ISO 3166 alpha-3 code the schema's CountryType lists ("" when the code names no country)."""
        found = pycountry.countries.get(alpha_2=self.country)
        return found.alpha_3 if found is not None else ""

    @property
    def postal_code_and_town(self) -> str:
        return clean(" ".join(part for part in (self.postal_code, self.town) if part), 50)

    def missing(self) -> list[str]:
        """What the schema needs and the address lacks, by field name (empty: complete)."""
        postal_code_ok = not self.in_spain or _SPANISH_POSTAL_CODE.fullmatch(self.postal_code) is not None
        needed = {
            "street": bool(self.street), "postal_code": postal_code_ok, "town": bool(self.town),
            "province": bool(self.province) or not self.in_spain, "country": bool(self.country_code),
        }  # fmt: skip
        return [field for field, present in needed.items() if not present]


def spanish_province(postal_code: str) -> str:
    return (
        SPANISH_PROVINCES.get((postal_code or "")[:2], "")
        if _SPANISH_POSTAL_CODE.fullmatch(postal_code or "")
        else ""
    )


def postal_address(*, street: str, postal_code: str, town: str, province: str, country: str) -> PostalAddress:
    """An address from its parts; a Spanish one without a province takes its postal code's."""
    country = (country or SPAIN).upper()
    postal_code = clean(postal_code).replace(" ", "")
    province = clean(province) or (spanish_province(postal_code) if country == SPAIN else "") or clean(town)
    return PostalAddress(
        street=clean(street, 80), postal_code=postal_code, town=clean(town, 50), province=clean(province, 20),
        country=country,
    )  # fmt: skip


def address_from_text(text: str, country: str) -> PostalAddress:
    """The customer's address as posting froze it on the invoice, one part a line: the street; the postal
    code and the town; the province (when recorded); the country code (when not Spain)."""
    country = (country or SPAIN).upper()
    lines = [clean(line) for line in (text or "").splitlines() if clean(line)]
    if len(lines) > 1 and lines[-1].upper() == country:
        lines.pop()
    street = lines[0] if lines else ""
    place = lines[1] if len(lines) > 1 else ""
    province = " ".join(lines[2:])
    match = _PLACE.fullmatch(place)
    postal_code, town = (match["code"], match["town"]) if match else ("", place)
    return postal_address(
        street=street, postal_code=postal_code, town=town, province=province, country=country
    )
