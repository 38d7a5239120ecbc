"""Sales: a quotation of 10, 50 and 200 lines created, priced and costed through the API, read, one line
changed, sent and accepted (server time through Django's test client, and queries)."""

import cProfile
import io
import itertools
import os
import pstats
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Group
from django.test import Client

from bench.measure import Figure, measure, print_slowest_queries, print_table
from nexo.catalog import services as catalog
from nexo.catalog.models import TaxCategory, Unit
from nexo.core.models import Company, Membership, User
from nexo.core.roles import SALES, sync_roles
from nexo.core.services import token_create
from nexo.crm import services as crm
from nexo.inventory import services as inventory
from nexo.parties.services import party_create
from nexo.purchasing import services as purchasing
from nexo.sales import services as sales

TITLE = "Sales: quotations created, priced and costed through the API, read, changed, sent and accepted"

SIZES = (10, 50, 200)
ITEMS = 240  # a third each FIFO, average and last purchase, so every line is costed by the stock
METHODS = ("fifo", "average", "last_purchase")
TARGET_MS = 150
TARGET = f"200 lines < {TARGET_MS} ms"
POOL = 9  # the most calls `measure` makes: a warm-up, one counted, seven timed
D = Decimal


def _user(company: Company) -> tuple[User, str]:
    user = User.objects.create(username="bench-quotes", first_name="Bench", email="ventas@bench.example")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=SALES))
    Membership.objects.create(user=user, company=company, is_default=True)
    return user, token_create(user=user, name="bench")[1]


def _case():
    """Items of each valuation method with three receipts each and a supplier price, a family of
    categories, a dealers' price list (item, category and all-items rules) for the customer."""
    sync_roles()
    company = Company.objects.create(name="Bench Ventas S.L.", tax_id="B99999993")
    user, token = _user(company)
    settings = catalog.catalog_setup(company=company)
    stock = inventory.inventory_setup(company=company)
    unit = Unit.objects.get(company=company, code="ud")
    vat = TaxCategory.objects.get(company=company, code="general")
    family = catalog.category_create(company=company, by=user, name="Fontanería")
    leaves = [
        catalog.category_create(company=company, by=user, name=name, parent_id=family.pk)
        for name in ("Tubería", "Grifería", "Válvulas", "Sanitarios")
    ]
    items = [
        catalog.item_create(
            company=company,
            by=user,
            sku=f"VEN-{n:04d}",
            name=f"Artículo de venta {n}",
            unit_id=unit.pk,
            category_id=leaves[n % 4].pk,
            sale_tax_id=vat.pk,
            purchase_tax_id=vat.pk,
            base_price=D(200 + n) / 10,
            valuation_method=METHODS[n % 3],
            min_margin=D(15),
        )
        for n in range(ITEMS)
    ]
    supplier = party_create(company=company, by=user, name="Proveedor Bench, S.L.", is_supplier=True)
    for day, factor in (
        (date(2026, 1, 5), D("0.50")),
        (date(2026, 2, 5), D("0.55")),
        (date(2026, 3, 5), D("0.6")),
    ):
        inventory.moves_create(
            company=company, by=user, date=day, done=True,
            lines=[
                inventory.MoveLine(
                    item.pk, D(40), stock.supplier_location_id, stock.default_warehouse.stock_location_id,
                    (item.base_price * factor).quantize(D("0.01")),
                )
                for item in items
            ],
        )  # fmt: skip
    for item in items:
        purchasing.supplier_price_create(
            company=company, by=user, item_id=item.pk, supplier_id=supplier.pk,
            unit_price=(item.base_price * D("0.65")).quantize(D("0.01")),
        )  # fmt: skip
    pvp = settings.default_price_list
    dealers = catalog.price_list_create(company=company, by=user, name="Instaladores")
    catalog.price_rule_create(
        company=company, price_list_id=dealers.pk, by=user, scope="all", method="discount_list", value=D(10),
        base_list_id=pvp.pk,
    )  # fmt: skip
    for index, leaf in enumerate(leaves):
        catalog.price_rule_create(
            company=company, price_list_id=dealers.pk, by=user, scope="category", category_id=leaf.pk,
            method="discount_base", value=D(12 + index), min_quantity=D(10),
        )  # fmt: skip
    for item in items[::5]:
        for min_quantity in (1, 20):
            catalog.price_rule_create(
                company=company, price_list_id=dealers.pk, by=user, scope="item", item_id=item.pk,
                method="fixed", value=(item.base_price * D("0.85")).quantize(D("0.01")),
                min_quantity=D(min_quantity),
            )  # fmt: skip
    customer = party_create(
        company=company, by=user, name="Instalaciones Bench, S.L.", email="c@bench.example"
    )
    catalog.party_price_list_set(company=company, party_id=customer.pk, price_list_id=dealers.pk)
    crm.stages_ensure_defaults(company=company)
    return company, user, token, items, customer


def _lines(items, count: int) -> list[dict]:
    """Quantities from 1 to 36, so FIFO lines span layers and quantity breaks apply; every tenth line has a
    price typed by hand and a discount."""
    lines = []
    for n in range(count):
        line = {"item_id": items[n % len(items)].pk, "quantity": str(1 + n % 36)}
        if n % 10 == 9:
            line |= {"unit_price": "18.50", "discount": "5"}
        lines.append(line)
    return lines


class Api:
    def __init__(self, token: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: dict):
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )

    def get(self, path: str):
        return self.client.get(f"/api/v1{path}", headers=self.headers)


def _status(response) -> int:
    return 200 if response.status_code in (200, 201) else response.status_code


def _pool(company, user, customer, items, count: int) -> list[int]:
    """Quotations made by the service (not timed), each on its own opportunity, for the actions."""
    ids = []
    for n in range(POOL):
        opportunity = crm.opportunity_create(
            company=company, by=user, party_id=customer.pk, title=f"Obra {count}-{n}", owner_id=user.pk,
            amount=D(1000), expected_close=date.today() + timedelta(days=30),
        )  # fmt: skip
        quotation = sales.quotation_create(
            company=company, by=user, opportunity_id=opportunity.pk, lines=_lines(items, count)
        )
        ids.append(quotation.pk)
    return ids


def _profile(call, what: str, rows: int = 20) -> None:
    """Where the time goes: Nexo's own functions (and the ORM's bulk writes) by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"/nexo/(?!.*/tests/)|bulk_create|executemany|/json/|pydantic", rows)
    root = str(Path(__file__).resolve().parents[1]) + "/"
    print(f"\n  cProfile of {what} (profiling slows it down), by cumulative time:")
    for line in out.getvalue().splitlines():
        if line.strip() and not line.lstrip().startswith(("Ordered by", "List reduced")):
            print(f"    {line.replace(root, '')}")


def run() -> None:
    company, user, token, items, customer = _case()
    api = Api(token)
    print(
        f"{ITEMS} items (FIFO, average, last purchase; 3 receipts each and a supplier price), the customer on "
        "a dealers' list (all-items, category and item rules, quantity breaks); lines priced and costed under "
        "every basis"
    )
    figures: list[Figure] = []
    by_size: dict[int, dict[str, Figure]] = {}
    biggest = None
    for count in SIZES:
        opportunity_ids = iter(
            crm.opportunity_create(
                company=company, by=user, party_id=customer.pk, title=f"Nueva {count}-{n}", owner_id=user.pk,
                amount=D(1000), expected_close=date.today() + timedelta(days=30),
            ).pk
            for n in range(POOL)
        )  # fmt: skip
        body = {"party_id": customer.pk, "lines": _lines(items, count)}
        created = []

        def create(body=body, created=created, opportunity_ids=opportunity_ids):
            response = api.post("/quotations", body | {"opportunity_id": next(opportunity_ids)})
            created.append(response.json().get("id"))
            return response

        size = by_size[count] = {}
        size["create"] = measure(
            f"create + price + cost, {count} lines", create, target=TARGET, status_of=_status
        )
        quotation_id = created[0]
        size["read"] = measure(
            f"read, {count} lines", lambda q=quotation_id: api.get(f"/quotations/{q}"), status_of=_status
        )
        if count == SIZES[-1]:
            biggest = quotation_id
            lines = api.get(f"/quotations/{quotation_id}").json()["lines"]
            middle = lines[len(lines) // 2]["id"]
            quantities = itertools.cycle(["7", "23", "11", "31"])

            def change(q=quotation_id, line=middle, quantities=quantities):
                return api.patch(f"/quotations/{q}/lines/{line}", {"quantity": next(quantities)})

            size["line"] = measure(f"change one line's quantity, {count} lines", change, status_of=_status)
        drafts, sent = _pool(company, user, customer, items, count), []

        def send(drafts=drafts, sent=sent):
            sent.append(drafts.pop())
            return api.post(f"/quotations/{sent[-1]}/send", {"email": False})

        def accept(drafts=drafts, sent=sent):
            if not sent:  # `measure` stopped sending early: one more, by the service
                sent.append(drafts.pop())
                sales.quotation_mark_sent(company=company, by=user, quotation_id=sent[-1])
            return api.post(f"/quotations/{sent.pop()}/accept")

        size["send"] = measure(f"send (marked sent, no e-mail), {count} lines", send, status_of=_status)
        size["accept"] = measure(f"accept (won, order created), {count} lines", accept, status_of=_status)
        figures += size.values()

    print()
    print_table(figures)
    print()
    print("Queries by number of lines (target: the same for 10, 50 and 200):")
    for step in ("create", "read", "send", "accept"):
        counts = [by_size[count][step].queries for count in SIZES]
        verdict = "constant" if len(set(counts)) == 1 else f"grows by {counts[-1] - counts[0]}"
        print(
            f"  {step:<7}: "
            + ", ".join(f"{n} lines {q}" for n, q in zip(SIZES, counts, strict=True))
            + f" ({verdict})"
        )
    created_ms = by_size[SIZES[-1]]["create"].median_ms
    verdict = "met" if created_ms < TARGET_MS else "MISSED"
    print(
        f"\nCreate a {SIZES[-1]}-line quotation: {created_ms:.0f} ms median, target < {TARGET_MS} ms: {verdict}"
    )
    print()
    print(f"Slowest query of each case over {TARGET_MS} ms:")
    print_slowest_queries(figures, over_ms=TARGET_MS, plans=False)
    if created_ms >= TARGET_MS or os.environ.get("NEXO_BENCH_PROFILE") == "1":
        body = {"party_id": customer.pk, "lines": _lines(items, SIZES[-1])}
        _profile(lambda: api.post("/quotations", body), f"creating a {SIZES[-1]}-line quotation")
        _profile(lambda: api.get(f"/quotations/{biggest}"), f"reading a {SIZES[-1]}-line quotation", rows=10)
