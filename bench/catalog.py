"""Catalog: price resolution through the pure engine, and batch pricing of a document in constant queries."""

import random
import time
from datetime import date, timedelta
from decimal import Decimal

from bench.measure import count_queries, measure, print_table
from nexo.catalog import pricing, queries, services
from nexo.catalog.models import TaxCategory, Unit
from nexo.core.models import Company, User

TITLE = "Catalog: price resolution (pure engine) and batch pricing of a document"

RULES = 5_000
PAIRS = 10_000
ITEMS = 8_000
TARGET_PER_SECOND = 20_000
DAY = date(2026, 6, 15)
D = Decimal


def _category_tree(rng: random.Random) -> list[tuple[int, ...]]:
    """12 families, 8 subfamilies each, 4 leaves each: 384 leaf categories, each with its ancestors."""
    leaves, next_id = [], 1
    for _family in range(12):
        family, next_id = next_id, next_id + 1
        for _sub in range(8):
            sub, next_id = next_id, next_id + 1
            for _leaf in range(4):
                leaves.append((next_id, sub, family))
                next_id += 1
    return leaves


def _dates(rng: random.Random) -> tuple[date | None, date | None]:
    """Most rules have no dates; some are campaigns around the day priced, some long expired or future."""
    roll = rng.random()
    if roll < 0.7:
        return None, None
    start = DAY + timedelta(days=rng.randint(-400, 200))
    return start, start + timedelta(days=rng.randint(7, 120))


def build_engine_case(seed: int = 2026):
    rng = random.Random(seed)
    leaves = _category_tree(rng)
    categories = sorted({c for leaf in leaves for c in leaf})
    items = {
        item_id: pricing.ItemFacts(
            id=item_id,
            base_price=D(rng.randint(50, 50_000)) / 100,
            categories=rng.choice(leaves),
            cost=D(rng.randint(20, 30_000)) / 100,
            min_margin=D(15),
        )
        for item_id in range(1, ITEMS + 1)
    }
    methods = [pricing.Method.FIXED, pricing.Method.DISCOUNT_BASE, pricing.Method.MARKUP_COST]
    rules = []
    for rule_id in range(1, RULES + 1):
        roll = rng.random()
        if roll < 0.70:
            scope, extra = pricing.Scope.ITEM, {"item_id": rng.randint(1, ITEMS)}
        elif roll < 0.995:
            scope, extra = pricing.Scope.CATEGORY, {"category_id": rng.choice(categories)}
        else:
            scope, extra = pricing.Scope.ALL, {}
        method = rng.choice(methods)
        value = D(rng.randint(100, 20_000)) / 100 if method is pricing.Method.FIXED else D(rng.randint(1, 40))
        date_from, date_to = _dates(rng)
        rules.append(
            pricing.Rule(
                id=rule_id,
                scope=scope,
                method=method,
                value=value,
                min_quantity=D(rng.choice([1, 1, 1, 10, 50, 100])),
                date_from=date_from,
                date_to=date_to,
                rounding=D("0.05") if rng.random() < 0.1 else None,
                margin_floor=rng.random() < 0.2,
                **extra,
            )
        )
    pairs = [
        (items[rng.randint(1, ITEMS)], D(rng.choice([1, 2, 5, 10, 12, 25, 50, 60, 100, 250])))
        for _ in range(PAIRS)
    ]
    return rules, pairs


def engine_figures() -> None:
    rules, pairs = build_engine_case()
    scopes = {scope: sum(1 for rule in rules if rule.scope is scope) for scope in pricing.Scope}
    started = time.perf_counter()
    price_list = pricing.PriceList(1, rules)
    indexed = time.perf_counter() - started
    lists = {1: price_list}
    print(
        f"One list of {len(rules):,} rules ({scopes[pricing.Scope.ITEM]:,} item, "
        f"{scopes[pricing.Scope.CATEGORY]:,} category, {scopes[pricing.Scope.ALL]} all-items; quantity breaks "
        f"1/10/50/100; 30 % dated) indexed in {indexed * 1000:.1f} ms"
    )
    best, by_rule = float("inf"), 0
    for _run in range(5):
        started = time.perf_counter()
        results = [pricing.resolve(item, quantity, DAY, 1, lists) for item, quantity in pairs]
        best = min(best, time.perf_counter() - started)
        by_rule = sum(1 for result in results if result.rule is not None)
    print(
        f"{len(pairs):,} (item, quantity) pairs on {DAY}: best of 5 runs {best * 1000:.0f} ms; "
        f"{by_rule:,} priced by a rule, {len(pairs) - by_rule:,} at the base price"
    )
    print(f"resolutions/s: {len(pairs) / best:,.0f} (target ≥ {TARGET_PER_SECOND:,})")


def _database_case():
    company = Company.objects.create(name="Bench Catálogo S.L.", tax_id="B99999992")
    user = User.objects.create(username="bench-catalog")
    settings = services.catalog_setup(company=company)
    unit = Unit.objects.get(company=company, code="ud")
    vat = TaxCategory.objects.get(company=company, code="general")
    family = services.category_create(company=company, by=user, name="Electricidad")
    leaves = [
        services.category_create(company=company, by=user, name=name, parent_id=family.pk)
        for name in ("Cables", "Iluminación", "Mecanismos", "Protección")
    ]
    items = [
        services.item_create(
            company=company,
            by=user,
            sku=f"BEN-{n:04d}",
            name=f"Artículo de prueba {n}",
            unit_id=unit.pk,
            category_id=leaves[n % 4].pk,
            sale_tax_id=vat.pk,
            purchase_tax_id=vat.pk,
            base_price=D(100 + n) / 10,
            standard_cost=D(60 + n) / 10,
        )
        for n in range(200)
    ]
    pvp = settings.default_price_list
    services.price_rule_create(
        company=company, price_list_id=pvp.pk, by=user, scope="all", method="discount_base", value=D(0)
    )
    dealers = services.price_list_create(company=company, by=user, name="Distribuidores")
    services.price_rule_create(
        company=company, price_list_id=dealers.pk, by=user, scope="all", method="discount_list", value=D(15),
        base_list_id=pvp.pk,
    )  # fmt: skip
    for index, leaf in enumerate(leaves):
        services.price_rule_create(
            company=company, price_list_id=dealers.pk, by=user, scope="category", category_id=leaf.pk,
            method="discount_base", value=D(10 + index), min_quantity=D(10),
        )  # fmt: skip
    for item in items[::4]:
        for min_quantity in (1, 10, 50):
            services.price_rule_create(
                company=company, price_list_id=dealers.pk, by=user, scope="item", item_id=item.pk,
                method="fixed", value=item.base_price * D("0.8"), min_quantity=D(min_quantity),
            )  # fmt: skip
    return company, items, dealers


def database_figures() -> None:
    company, items, dealers = _database_case()
    print(
        f"\nqueries.price_lines on the database: {len(items)} items, list 'Distribuidores' with item, category "
        "and all-items rules, based on PVP (discount on another list)"
    )
    figures = []
    for count in (10, 50, 200):
        lines = [(item.pk, D(1 + n % 60)) for n, item in enumerate(items[:count])]

        def call(lines=lines):
            return queries.price_lines(company, lines, day=DAY, price_list_id=dealers.pk)

        queries_used, priced = count_queries(call)
        missing = "" if len(priced) == count else f" (only {len(priced)} lines priced!)"
        figures.append(measure(f"price_lines, {count} lines", call, target="constant queries"))
        print(f"  {count:>3} lines -> {queries_used} queries{missing}")
    print()
    print_table(figures)


IMPORT_ROWS = 30_000


def _import_row(n: int) -> dict:
    return {
        "sku": f"IMP-{n:05d}", "name": f"Artículo importado {n}", "unit": "ud", "sale_tax": "general",
        "purchase_tax": "general", "base_price": f"{1 + n % 500},{n % 100:02d}", "min_margin": "20",
    }  # fmt: skip


def import_figures() -> None:
    """`nexo import items` of a generated file: every row checked, then written in bulk."""
    from nexo.catalog import transfer

    company = Company.objects.create(name="Bench Importación S.L.", tax_id="B99999984")
    services.catalog_setup(company=company)
    rows = [_import_row(n) for n in range(IMPORT_ROWS)]
    for action in ("created", "updated"):
        table = transfer.Table.from_dicts(rows)
        started = time.perf_counter()
        report = transfer.import_items(company, None, table)
        seconds = time.perf_counter() - started
        done = report.created if action == "created" else report.updated
        print(
            f"nexo import items, {IMPORT_ROWS:,} rows {action}: {seconds:.1f} s, {done / seconds:,.0f} rows/s "
            f"(target: {IMPORT_ROWS:,} rows in seconds){'' if report.imported else '  [NOT IMPORTED!]'}"
        )


def run() -> None:
    engine_figures()
    database_figures()
    import_figures()
