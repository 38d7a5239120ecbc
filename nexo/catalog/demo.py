"""Demo catalog of a distributor of hardware, electrical, plumbing and paint supplies: a category tree,
about 300 items with PVP and standard costs, and three price lists given to some customers.

Built only through the services, from a fixed seed: the same catalog every time.
"""

import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from stdnum import ean

from nexo.catalog import services
from nexo.catalog.models import Item, PriceList, TaxCategory, Unit
from nexo.core.models import Company, User
from nexo.parties.models import Party

SEED = 2026
CENT = Decimal("0.01")
DISTRIBUTORS, PREFERRED = "Distribuidores", "Cliente preferente"
# Each leaf: (path of names, SKU prefix, [(name template, variants, unit code, lowest PVP, highest PVP)])
COLOURS = ["negro", "azul", "gris", "marrón", "amarillo-verde"]
SERIES = ["serie Blanca", "serie Antracita", "serie Aluminio"]
ENAMELS = ["blanco", "negro", "rojo carruaje", "verde carruaje", "azul luminoso", "gris perla", "marrón tabaco",
           "amarillo señalización"]  # fmt: skip
CATALOG = [
    (("Ferretería", "Herramienta manual"), "HM", [
        ("Martillo de carpintero {}", ["300 g", "500 g", "750 g"], "ud", 9, 22),
        ("Destornillador plano {}", ["3x75", "5,5x100", "6,5x150", "8x175"], "ud", 3, 7),
        ("Destornillador Phillips {}", ["PH0", "PH1", "PH2", "PH3"], "ud", 3, 7),
        ("Alicate universal {}", ["160 mm", "180 mm", "200 mm"], "ud", 9, 18),
        ("Llave inglesa {}", ['6"', '8"', '10"', '12"'], "ud", 10, 25),
        ("Juego de llaves Allen {}", ["9 piezas", "métricas 1,5-10 mm"], "ud", 6, 15),
        ("Cinta métrica {}", ["3 m", "5 m", "8 m"], "ud", 4, 14),
        ("Nivel de burbuja {}", ["40 cm", "60 cm", "100 cm"], "ud", 8, 30),
        ("Cúter profesional {}", ["18 mm", "25 mm"], "ud", 3, 9),
        ("Sierra de arco {}", ["300 mm", "300 mm bimetal"], "ud", 11, 24),
        ("Llave combinada {}", ["8 mm", "10 mm", "13 mm", "17 mm", "19 mm"], "ud", 3, 9),
        ("Juego de vasos 1/2\" {}", ["24 piezas"], "ud", 35, 60),
    ]),
    (("Ferretería", "Herramienta eléctrica"), "HE", [
        ("Taladro percutor {}", ["650 W", "850 W", "1.100 W"], "ud", 50, 140),
        ("Atornillador a batería 18 V {}", ["sin batería", "con 2 baterías 2 Ah", "con 2 baterías 4 Ah"], "ud", 70, 220),
        ("Amoladora angular {}", ["115 mm 750 W", "125 mm 900 W", "230 mm 2.200 W"], "ud", 45, 160),
        ("Sierra de calar {}", ["600 W", "800 W"], "ud", 55, 120),
        ("Martillo perforador SDS-Plus {}", ["800 W", "1.000 W"], "ud", 95, 210),
        ("Lijadora orbital {}", ["200 W", "300 W"], "ud", 35, 80),
        ("Broca para hormigón {}", ["6 mm", "8 mm", "10 mm", "12 mm"], "ud", 2, 8),
        ("Disco de corte metal {}", ["115x1 mm", "125x1 mm", "230x1,9 mm"], "ud", 1, 4),
    ]),
    (("Ferretería", "Herramienta eléctrica", "Baterías y cargadores"), "BAT", [
        ("Batería 18 V {}", ["2 Ah", "4 Ah", "5 Ah"], "ud", 45, 110),
        ("Cargador rápido {}", ["18 V", "12-18 V doble"], "ud", 35, 75),
    ]),
    (("Ferretería", "Tornillería"), "TOR", [
        ("Tornillo rosca madera cabeza plana {} (caja 200 uds)", ["3x16", "3,5x25", "4x30", "4x40", "5x50", "5x60", "6x80"], "caja", 3, 14),
        ("Tornillo métrico DIN 933 zincado {} (caja 100 uds)", ["M6x20", "M6x40", "M8x30", "M8x50", "M10x40", "M10x60", "M12x50"], "caja", 5, 25),
        ("Tuerca hexagonal DIN 934 {} (caja 100 uds)", ["M6", "M8", "M10", "M12"], "caja", 2, 8),
        ("Arandela plana DIN 125 {} (caja 200 uds)", ["M6", "M8", "M10", "M12"], "caja", 2, 7),
        ("Taco de nylon {} (caja 100 uds)", ["6 mm", "8 mm", "10 mm"], "caja", 2, 6),
        ("Tornillo autotaladrante {} (caja 250 uds)", ["4,2x13", "4,2x19", "4,8x25"], "caja", 6, 15),
        ("Tornillo rosca chapa a granel {}", ["3,9 mm", "4,8 mm"], "kg", 8, 14),
        ("Clavo de acero a granel {}", ["2x30", "3x50", "4x70"], "kg", 3, 7),
        ("Varilla roscada DIN 975 {} (1 m)", ["M6", "M8", "M10", "M12"], "ud", 1, 5),
    ]),
    (("Electricidad", "Cables"), "CAB", [
        *[(f"Cable H07V-K 1x{{}} mm² {colour}", ["1,5", "2,5", "4", "6", "10"], "m", Decimal("0.25"), 3)
          for colour in COLOURS],
        ("Cable RV-K 0,6/1 kV {}", ["3G1,5", "3G2,5", "3G4", "5G2,5", "5G6"], "m", Decimal("0.9"), 6),
        ("Manguera H05VV-F {}", ["2x1", "3G1,5", "3G2,5"], "m", Decimal("0.6"), 2),
        ("Rollo cable H07V-K {} (100 m)", ["1,5 mm² azul", "2,5 mm² marrón", "1,5 mm² amarillo-verde"], "rollo", 30, 70),
        ("Cable solar H1Z2Z2-K {}", ["1x4 mm² rojo", "1x4 mm² negro", "1x6 mm² rojo", "1x6 mm² negro"], "m", Decimal("0.8"), Decimal("1.6")),
        ("Tubo corrugado reforzado {} (rollo 100 m)", ["16 mm", "20 mm", "25 mm"], "rollo", 14, 30),
        ("Cable coaxial TV {}", ["blanco", "negro"], "m", Decimal("0.4"), Decimal("0.9")),
    ]),
    (("Electricidad", "Iluminación"), "ILU", [
        ("Bombilla LED E27 {}", ["9 W luz cálida", "9 W luz neutra", "12 W luz cálida", "15 W luz fría"], "ud", 2, 7),
        ("Bombilla LED GU10 {}", ["5 W luz cálida", "7 W luz neutra"], "ud", 2, 5),
        ("Panel LED 60x60 {}", ["40 W 4.000 K", "36 W 6.000 K"], "ud", 18, 35),
        ("Proyector LED exterior {}", ["20 W", "50 W", "100 W"], "ud", 15, 60),
        ("Tira LED 24 V {} (rollo 5 m)", ["luz cálida", "luz neutra", "RGB"], "rollo", 15, 35),
        ("Downlight LED empotrable {}", ["12 W", "18 W", "24 W"], "ud", 8, 20),
        ("Luminaria estanca LED {}", ["120 cm 36 W", "150 cm 48 W"], "ud", 18, 35),
        ("Luz de emergencia {}", ["70 lm", "200 lm"], "ud", 15, 40),
        ("Portalámparas E27 {}", ["de baquelita", "con anilla"], "ud", 1, 3),
    ]),
    (("Electricidad", "Mecanismos"), "MEC", [
        *[(f"{name} {{}}", SERIES, "ud", low, high) for name, low, high in [
            ("Interruptor simple", 3, 8), ("Conmutador", 4, 9), ("Base de enchufe schuko", 4, 10),
            ("Pulsador de timbre", 4, 9), ("Marco de 2 elementos", 3, 8)]],
        ("Caja de empotrar universal {}", ["1 elemento", "2 elementos"], "ud", Decimal("0.4"), 2),
        ("Caja de registro estanca {}", ["100x100 mm", "150x110 mm"], "ud", 2, 6),
        ("Regulador de intensidad LED {}", ["serie Blanca", "serie Antracita"], "ud", 22, 45),
    ]),
    (("Electricidad", "Protección"), "PRO", [
        ("Interruptor magnetotérmico 1P+N {}", ["10 A", "16 A", "20 A", "25 A", "32 A"], "ud", 6, 15),
        ("Interruptor diferencial 2P 40 A {}", ["30 mA", "300 mA", "30 mA superinmunizado"], "ud", 25, 90),
        ("Protector contra sobretensiones {}", ["permanentes", "transitorias"], "ud", 40, 120),
        ("Cuadro eléctrico empotrable {}", ["12 módulos", "24 módulos", "36 módulos"], "ud", 15, 55),
        ("Contactor modular {}", ["25 A 2NA", "40 A 4NA"], "ud", 18, 45),
    ]),
    (("Fontanería", "Tuberías"), "TUB", [
        ("Tubo multicapa {}", ["16x2", "20x2", "26x3", "32x3"], "m", Decimal("1.2"), 5),
        ("Tubo PVC evacuación {}", ["32 mm", "40 mm", "50 mm", "110 mm", "125 mm"], "m", Decimal("1.5"), 9),
        ("Tubo de cobre {}", ["12 mm", "15 mm", "18 mm", "22 mm"], "m", 6, 16),
        ("Tubo PEX {}", ["16 mm", "20 mm"], "m", 1, 3),
    ]),
    (("Fontanería", "Grifería"), "GRI", [
        ("Grifo monomando lavabo {}", ["cromado", "negro mate", "caño alto"], "ud", 35, 110),
        ("Grifo monomando cocina {}", ["caño giratorio", "caño extraíble"], "ud", 45, 140),
        ("Grifo termostático ducha {}", ["cromado", "negro mate"], "ud", 80, 180),
        ("Columna de ducha {}", ["con rociador 20 cm", "termostática"], "ud", 90, 260),
        ("Grifo de jardín {}", ['1/2"', '3/4"'], "ud", 6, 14),
        ("Llave de paso {}", ['1/2"', '3/4"', '1"'], "ud", 5, 16),
    ]),
    (("Fontanería", "Accesorios"), "ACF", [
        ("Codo multicapa 90° {}", ["16", "20", "26"], "ud", 2, 6),
        ("Te multicapa {}", ["16", "20", "26"], "ud", 3, 8),
        ("Manguito multicapa {}", ["16", "20", "26"], "ud", 2, 5),
        ("Latiguillo flexible {}", ["30 cm", "40 cm", "50 cm"], "ud", 3, 7),
        ("Sifón {}", ["botella", "curvo extensible"], "ud", 4, 12),
        ("Válvula de esfera {}", ['1/2"', '3/4"', '1"'], "ud", 6, 18),
        ("Cinta de teflón {}", ["12 m", "rollo profesional 25 m"], "ud", 1, 4),
        ("Soldadura de estaño {}", ["bobina 250 g"], "ud", 12, 20),
        ("Racor multicapa rosca macho {}", ['16x1/2"', '20x1/2"', '20x3/4"'], "ud", 2, 6),
    ]),
    (("Pinturas", "Pintura plástica"), "PPL", [
        ("Pintura plástica interior blanco mate {}", ["4 l", "15 l"], "ud", 18, 60),
        ("Pintura plástica exterior {}", ["blanco 4 l", "blanco 15 l", "gris 4 l"], "ud", 25, 90),
        ("Pintura antimoho {}", ["4 l", "15 l"], "ud", 30, 95),
        ("Pintura de suelos {}", ["gris 4 l", "verde 4 l"], "ud", 35, 60),
        ("Pintura plástica blanca a granel {}", ["mate", "satinada"], "l", 3, 6),
    ]),
    (("Pinturas", "Esmaltes"), "ESM", [
        ("Esmalte sintético brillante {} (750 ml)", ENAMELS, "ud", 9, 16),
        ("Imprimación antioxidante {} (750 ml)", ["gris", "rojo"], "ud", 9, 14),
        ("Disolvente {} a granel", ["universal", "nitrocelulósico"], "l", 3, 6),
        ("Aguarrás {}", ["a granel"], "l", 3, 5),
        ("Barniz para madera {} (750 ml)", ["incoloro brillante", "incoloro satinado", "nogal"], "ud", 11, 18),
    ]),
    (("Pinturas", "Accesorios de pintura"), "APN", [
        ("Rodillo antigota {}", ["18 cm", "22 cm"], "ud", 5, 11),
        ("Brocha plana {}", ["30 mm", "50 mm", "70 mm"], "ud", 2, 7),
        ("Cinta de carrocero {}", ["19 mm x 45 m", "38 mm x 45 m"], "ud", 1, 4),
        ("Plástico protector {}", ["4x5 m", "rollo 50 m²"], "ud", 2, 9),
        ("Masilla en polvo {}", ["interior", "exterior"], "kg", 2, 4),
    ]),
]  # fmt: skip
SERVICES = [  # name, PVP per hour or per job
    ("Montaje de cuadro eléctrico (hora)", Decimal("38.00")),
    ("Instalación de punto de luz (hora)", Decimal("32.00")),
    ("Desplazamiento de técnico", Decimal("25.00")),
    ("Corte de tubería a medida (servicio)", Decimal("6.50")),
    ("Tintado de pintura a color (servicio)", Decimal("3.00")),
]
VALUATION_WEIGHTS = [("average", 45), ("fifo", 25), ("last_purchase", 15), ("standard", 15)]
PREFERRED_BREAKS = [
    (Decimal(1), Decimal("0.92")),
    (Decimal(10), Decimal("0.87")),
    (Decimal(50), Decimal("0.82")),
]


def _money(value: Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _pvp(rng: random.Random, low, high, fraction) -> Decimal:
    """A believable shelf price: under 10 € to the cent ending in 5 or 9, above that to .50 or .95."""
    low, high = Decimal(str(low)), Decimal(str(high))
    value = low + (high - low) * Decimal(str(fraction))
    if value < 1:
        return _money(value)
    if value < 10:
        return _money(int(value * 10) / Decimal(10) + rng.choice([Decimal("0.05"), Decimal("0.09")]))
    return _money(int(value) + rng.choice([Decimal("0.50"), Decimal("0.95")]))


def demo_item_specs(seed: int = SEED) -> list[dict]:
    """Every demo item as the fields item_create takes (category and unit by path and code), in SKU order."""
    rng = random.Random(seed)
    specs = []
    for path, prefix, products in CATALOG:
        number = 0
        for template, variants, unit, low, high in products:
            for position, variant in enumerate(variants):
                number += 1
                # Bigger sizes cost more: each variant draws its price from its own slice of the range.
                price = _pvp(rng, low, high, (position + rng.uniform(0.2, 0.8)) / len(variants))
                cost = (price * Decimal(str(rng.uniform(0.48, 0.72)))).quantize(Decimal("0.0001"))
                method = rng.choices([m for m, _w in VALUATION_WEIGHTS], [w for _m, w in VALUATION_WEIGHTS])[
                    0
                ]
                barcode = ""
                if rng.random() < 0.6:
                    body = f"843{7000 + len(specs):04d}{rng.randint(0, 99999):05d}"
                    barcode = body + ean.calc_check_digit(body)
                specs.append({
                    "sku": f"{prefix}-{number:03d}", "name": template.format(variant), "path": path, "unit": unit,
                    "base_price": price, "standard_cost": cost, "valuation_method": method, "barcode": barcode,
                    "kind": "stocked",
                })  # fmt: skip
    for number, (name, price) in enumerate(SERVICES, start=1):
        unit = "h" if "(hora)" in name else "ud"
        specs.append({
            "sku": f"SRV-{number:03d}", "name": name, "path": ("Servicios",), "unit": unit, "base_price": price,
            "standard_cost": None, "valuation_method": "standard", "barcode": "", "kind": "service",
        })  # fmt: skip
    return specs


def preferred_rules(specs: list[dict], seed: int = SEED) -> list[dict]:
    """Fixed prices with quantity breaks (1, 10, 50 units) on 30 stocked items; one is rounded to 0.05."""
    rng = random.Random(seed + 1)
    chosen = sorted(
        rng.sample([spec for spec in specs if spec["kind"] == "stocked"], 30), key=lambda s: s["sku"]
    )
    rules = []
    for index, spec in enumerate(chosen):
        for min_quantity, factor in PREFERRED_BREAKS:
            rules.append({
                "sku": spec["sku"], "min_quantity": min_quantity, "value": _money(spec["base_price"] * factor),
                # The first one shows rounding: its prices are rounded to a multiple of 0.05 when priced.
                "rounding": Decimal("0.05") if index == 0 else None,
            })  # fmt: skip
    return rules


def _categories(company: Company, by: User) -> dict[tuple[str, ...], int]:
    ids: dict[tuple[str, ...], int] = {}
    paths = {path[: depth + 1] for path, _prefix, _products in CATALOG for depth in range(len(path))}
    for path in sorted(paths | {("Servicios",)}, key=lambda p: (len(p), p)):
        parent_id = ids.get(path[:-1]) if len(path) > 1 else None
        ids[path] = services.category_create(company=company, by=by, name=path[-1], parent_id=parent_id).pk
    return ids


@transaction.atomic
def load_demo_catalog(company: Company, users: dict[str, User]) -> str:
    """Create the demo catalog unless the company already has items; returns a summary."""
    if Item.objects.filter(company=company).exists():
        return ""
    by = users["admin"]
    settings = services.settings_of(company)
    pvp = settings.default_price_list
    categories = _categories(company, by)
    units = dict(Unit.objects.filter(company=company).values_list("code", "pk"))
    taxes = dict(TaxCategory.objects.filter(company=company).values_list("code", "pk"))
    specs = demo_item_specs()
    items = {}
    for spec in specs:
        fields = {key: value for key, value in spec.items() if key not in ("path", "unit")}
        items[spec["sku"]] = services.item_create(
            company=company, by=by, unit_id=units[spec["unit"]], category_id=categories[spec["path"]],
            sale_tax_id=taxes["general"], purchase_tax_id=taxes["general"], **fields,
        ).pk  # fmt: skip

    dealers = services.price_list_create(company=company, by=by, name=DISTRIBUTORS)
    for min_quantity, discount in [(Decimal(1), Decimal(15)), (Decimal(50), Decimal(20))]:
        services.price_rule_create(
            company=company, price_list_id=dealers.pk, by=by, scope="all", method="discount_base",
            value=discount, min_quantity=min_quantity,
        )  # fmt: skip
    preferred = services.price_list_create(company=company, by=by, name=PREFERRED)
    rules = preferred_rules(specs)
    for rule in rules:
        services.price_rule_create(
            company=company, price_list_id=preferred.pk, by=by, scope="item", item_id=items[rule["sku"]],
            method="fixed", value=rule["value"], min_quantity=rule["min_quantity"], rounding=rule["rounding"],
        )  # fmt: skip

    customers = Party.objects.filter(company=company, status=Party.Status.CUSTOMER).order_by("name", "pk")
    assigned = {DISTRIBUTORS: 0, PREFERRED: 0}
    for index, party in enumerate(customers):
        price_list = {0: dealers, 1: preferred}.get(index % 4)
        if price_list is not None:
            services.party_price_list_set(company=company, party_id=party.pk, price_list_id=price_list.pk)
            assigned[price_list.name] += 1
    lists = PriceList.objects.filter(company=company).count()
    return (
        f"{len(specs)} items in {len(categories)} categories, {lists} price lists "
        f"({pvp.name if pvp else 'no default'}, {DISTRIBUTORS}, {PREFERRED} with {len(rules)} rules); "
        f"{assigned[DISTRIBUTORS]} customers on {DISTRIBUTORS}, {assigned[PREFERRED]} on {PREFERRED}"
    )
