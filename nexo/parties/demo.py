"""Demo parties of a Spanish distributor: leads, customers and suppliers with valid tax ids."""

import random

from stdnum.es import cif, dni

from nexo.core.models import Company, User
from nexo.parties.models import Party
from nexo.parties.services import party_create

CITIES = [
    ("Valencia", "Valencia", "46"), ("Alicante", "Alicante", "03"), ("Castellón de la Plana", "Castellón", "12"),
    ("Elche", "Alicante", "03"), ("Gandia", "Valencia", "46"), ("Murcia", "Murcia", "30"),
    ("Cartagena", "Murcia", "30"), ("Albacete", "Albacete", "02"), ("Madrid", "Madrid", "28"),
    ("Barcelona", "Barcelona", "08"), ("Zaragoza", "Zaragoza", "50"), ("Teruel", "Teruel", "44"),
    ("Cuenca", "Cuenca", "16"), ("Torrent", "Valencia", "46"), ("Sagunto", "Valencia", "46"),
    ("Benidorm", "Alicante", "03"), ("Vila-real", "Castellón", "12"), ("Alcoy", "Alicante", "03"),
]  # fmt: skip
STREETS = ["Calle Mayor", "Avenida de la Constitución", "Calle de Colón", "Polígono Industrial Fuente del Jarro",
           "Calle San Vicente", "Avenida Blasco Ibáñez", "Calle del Mar", "Polígono El Oliveral",
           "Calle de la Paz", "Avenida de Aragón", "Calle Ruzafa", "Camino Real"]  # fmt: skip
TRADES = ["Reformas", "Instalaciones", "Construcciones", "Fontanería", "Electricidad", "Climatización",
          "Ferretería", "Carpintería", "Mantenimientos", "Obras", "Cerrajería", "Pinturas"]  # fmt: skip
NAMES = ["Turia", "Mediterráneo", "Albufera", "Serrano", "Levante", "Hermanos Gil", "Costa Blanca", "Segura",
         "Navarro e Hijos", "del Júcar", "Montgó", "La Safor", "Vinalopó", "Puig", "Alameda", "Maestrazgo",
         "Marina Alta", "Ribera", "Horta Nord", "Camp de Morvedre", "Benlloch", "Peñagolosa", "Espadán"]  # fmt: skip
FORMS = ["S.L.", "S.A.", "S.L.U.", "S. Coop. V."]
SUPPLIERS = ["Distribuciones Eléctricas Ibéricas, S.A.", "Tubos y Accesorios del Norte, S.L.",
             "Herramientas Profesionales Bellota Sur, S.L.", "Grifería Mediterránea, S.A.",
             "Cables y Conductores Hispania, S.L.", "Tornillería Industrial Vasca, S.L.",
             "Pinturas Levantinas, S.A.", "Iluminación Técnica Europea, S.L.", "Adhesivos y Selladores Ebro, S.L.",
             "Climatización Global Ibérica, S.A.", "Maderas y Tableros del Pirineo, S.L.", "Sanitarios Cerámicos Onda, S.A."]  # fmt: skip
FIRST_NAMES = ["María", "José", "Carmen", "Antonio", "Laura", "Manuel", "Isabel", "Francisco", "Marta",
               "David", "Cristina", "Sergio", "Raquel", "Vicente", "Amparo", "Jordi", "Nuria", "Andrés"]  # fmt: skip
SURNAMES = ["García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Ferrer", "Llorens", "Climent",
            "Romero", "Molina", "Castillo", "Sempere", "Cortés", "Bosch", "Pastor", "Mora", "Blasco"]  # fmt: skip
JOB_TITLES = [
    "Gerente",
    "Jefe de compras",
    "Administración",
    "Jefe de obra",
    "Responsable técnico",
    "Comercial",
]
CIF_LETTERS = "ABB"  # mostly limited companies (B), some public limited (A)


def _cif(rng: random.Random, letter: str) -> str:
    body = f"{letter}{rng.randint(0, 9999999):07d}"
    return body + cif.calc_check_digits(body)[0 if letter in "AB" else 1]


def _nif(rng: random.Random) -> str:
    digits = f"{rng.randint(10000000, 99999999)}"
    return digits + dni.calc_check_digit(digits)


def _slug(text: str) -> str:
    table = str.maketrans("áéíóúñüç", "aeiounuc")
    return "".join(ch for ch in text.lower().translate(table) if ch.isalnum())[:18]


def _address(rng: random.Random) -> dict:
    city, province, prefix = rng.choice(CITIES)
    return {
        "street": f"{rng.choice(STREETS)}, {rng.randint(1, 140)}",
        "postal_code": f"{prefix}{rng.randint(1, 999):03d}",
        "city": city, "province": province, "country": "ES", "is_default": True,
    }  # fmt: skip


def _contact(rng: random.Random, domain: str, primary: bool) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    return {
        "name": f"{first} {last} {rng.choice(SURNAMES)}",
        "job_title": rng.choice(JOB_TITLES),
        "email": f"{_slug(first)}.{_slug(last)}@{domain}",
        "phone": f"+34 6{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
        "is_primary": primary,
    }


def demo_party_specs(seed: int = 2026) -> list[dict]:
    """The same 66 parties every time: 24 customers, 30 leads and 12 suppliers."""
    rng = random.Random(seed)
    specs, used = [], set()
    for index in range(54):
        person = index % 9 == 8
        if person:
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            name, tax_id, kind = f"{first} {last} {rng.choice(SURNAMES)}", _nif(rng), "person"
        else:
            name = f"{rng.choice(TRADES)} {rng.choice(NAMES)}, {rng.choice(FORMS)}"
            tax_id, kind = _cif(rng, rng.choice(CIF_LETTERS)), "organisation"
        if name in used or tax_id in used:
            continue
        used.update({name, tax_id})
        domain = f"{_slug(name.split(',')[0])}.es"
        specs.append({
            "kind": kind, "name": name, "tax_id": tax_id, "country": "ES",
            "status": "customer" if index % 9 < 4 else "lead",
            "email": f"info@{domain}" if kind == "organisation" else f"{_slug(name)}@correo.es",
            "phone": f"+34 9{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            "addresses": [_address(rng)],
            "contacts": [_contact(rng, domain, True)] + ([_contact(rng, domain, False)] if index % 3 == 0 else []),
        })  # fmt: skip
    for name in SUPPLIERS:
        domain = f"{_slug(name.split(',')[0])}.com"
        specs.append({
            "kind": "organisation", "name": name, "tax_id": _cif(rng, "A" if "S.A." in name else "B"),
            "country": "ES", "status": "lead", "is_supplier": True, "email": f"pedidos@{domain}",
            "phone": f"+34 9{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            "addresses": [_address(rng)], "contacts": [_contact(rng, domain, True)],
        })  # fmt: skip
    # Two foreign EU parties: a French customer and a Portuguese supplier, with VAT numbers.
    specs.append({"kind": "organisation", "name": "Bâtiment Sud Équipements SARL", "tax_id": "FR40303265045",
                  "country": "FR", "status": "customer", "email": "contact@batimentsud.fr", "language": "en",
                  "addresses": [{"street": "12 Rue de la République", "postal_code": "34000", "city": "Montpellier",
                                 "province": "Hérault", "country": "FR", "is_default": True}], "contacts": []})  # fmt: skip
    specs.append({"kind": "organisation", "name": "Metalúrgica do Minho, Lda.", "tax_id": "PT501964843",
                  "country": "PT", "status": "lead", "is_supplier": True, "email": "vendas@metalminho.pt",
                  "language": "en", "addresses": [{"street": "Rua do Comércio, 45", "postal_code": "4700-000",
                  "city": "Braga", "province": "Braga", "country": "PT", "is_default": True}], "contacts": []})  # fmt: skip
    return specs


def load_demo_parties(company: Company, by: User, *, seed: int = 2026) -> int:
    """Create the demo parties that are missing (matched by tax id); returns how many were created."""
    existing = set(Party.objects.filter(company=company).values_list("tax_id", flat=True))
    created = 0
    for spec in demo_party_specs(seed):
        if spec["tax_id"] in existing:
            continue
        party_create(company=company, by=by, **spec)
        created += 1
    return created
