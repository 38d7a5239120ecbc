"""Foundation: the party list stays fast at 100,000 rows (pages, search, sort, HTMX part, API)."""

import math
import os
import random
import time

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from stdnum.es import cif

from bench.measure import Figure, count_queries, measure_get, print_slowest_queries, print_table
from nexo.core.models import Company, Membership, User
from nexo.core.roles import SALES, sync_roles
from nexo.parties.models import Address, Party
from nexo.parties.rules import search_text

TITLE = "Foundation: party list pagination at 100,000 rows"

PARTIES = int(os.environ.get("NEXO_BENCH_PARTIES", "100000"))  # smaller for a quick try-out
PER_PAGE = 50
TARGET_MS = 200
TARGET = f"< {TARGET_MS} ms at {PARTIES:,} rows"
BATCH = 5_000
HTMX = {"HX-Request": "true"}

CITIES = ["Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Bilbao", "Alicante", "Murcia", "Palma"]  # fmt: skip
TRADES = ["Talleres", "Distribuciones", "Construcciones", "Transportes", "Comercial", "Suministros", "Servicios", "Hermanos", "Grupo", "Industrias", "Asesoría", "Muebles", "Frutas", "Bodegas", "Electricidad", "Clínica", "Librería", "Ferretería", "Panadería", "Imprenta"]  # fmt: skip
SURNAMES = ["Ferrer", "García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Serrano", "Molina", "Blanco", "Castro", "Ortega", "Rubio"]  # fmt: skip
FORMS = ["S.L.", "S.A.", "S.L.U.", "S.Coop.", ""]


def tax_id_of(number: int) -> str:
    return f"B{number:08d}"


def valid_cif(number: int) -> str:
    """A limited company's tax id with its right control digit, for parties made through the services."""
    body = f"B{number:07d}"
    return body + cif.calc_check_digits(body)[0]


def load_parties(company: Company, count: int, *, seed: int = 2024) -> None:
    """`count` parties with one default address each, in batches of bulk_create, in one transaction."""
    chance = random.Random(seed)  # names in random order: name order is not id order, as in real life
    with transaction.atomic():
        for start in range(0, count, BATCH):
            numbers = range(start, min(start + BATCH, count))
            parties = []
            for number in numbers:
                surname = chance.choice(SURNAMES)
                party = Party(
                    company=company,
                    name=f"{chance.choice(TRADES)} {surname} {chance.choice(FORMS)}".strip(),
                    tax_id=tax_id_of(number),
                    email=f"contacto{number}@empresa{number % 997}.example",
                    phone=f"+34 6{number:08d}",
                    status=Party.Status.CUSTOMER if number % 3 == 0 else Party.Status.LEAD,
                    is_supplier=number % 10 == 0,
                    city=CITIES[number % len(CITIES)],
                )
                # What the services keep on every save (bulk_create bypasses them).
                party.search_text = search_text(
                    name=party.name, trade_name="", tax_id=party.tax_id, email=party.email, city=party.city
                )
                parties.append(party)
            Party.objects.bulk_create(parties, batch_size=BATCH)
            if parties[0].pk is None:  # a database that does not return ids from a bulk insert
                ids = Party.objects.filter(company=company).order_by("-pk").values_list("pk", flat=True)
                for party, pk in zip(parties, reversed(ids[: len(parties)]), strict=True):
                    party.pk = pk
            Address.objects.bulk_create(
                [
                    Address(
                        company=company,
                        party_id=party.pk,
                        street=f"Calle {chance.choice(SURNAMES)} {number % 200 + 1}",
                        postal_code=f"{(number % 52 + 1) * 1000 + number % 1000:05d}",
                        city=(city := CITIES[number % len(CITIES)]),
                        province=city,
                        is_default=True,
                    )
                    for number, party in zip(numbers, parties, strict=True)
                ],
                batch_size=BATCH,
            )


def sales_client(username: str, company: Company) -> Client:
    user = User.objects.create(username=username, first_name="Bench")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=SALES))
    Membership.objects.create(user=user, company=company, is_default=True)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def table_rows(response) -> int:
    return response.content.count(b"<tr>") - 1  # minus the header row


def run() -> None:
    sync_roles()
    company = Company.objects.create(name="Bench Big S.L.", tax_id="B99999990")
    small = Company.objects.create(name="Bench Small S.L.", tax_id="B99999991")

    started = time.perf_counter()
    load_parties(company, PARTIES)
    loaded = time.perf_counter() - started
    print(
        f"Loaded {PARTIES:,} parties + {PARTIES:,} addresses with bulk_create in {loaded:.1f} s "
        f"({2 * PARTIES / loaded:,.0f} rows/s)"
    )
    load_parties(small, 5, seed=7)
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a big load
        print(f"VACUUM ANALYZE after the load, as autovacuum would: {time.perf_counter() - started:.1f} s")
    else:
        print("SQLite: no ANALYZE (Nexo does not run it, so the planner has no statistics, as in use).")

    client = sales_client("bench-sales", company)
    last_page = math.ceil(PARTIES / PER_PAGE)
    last_offset = max(PARTIES - PER_PAGE, 0)
    some_tax_id = tax_id_of(PARTIES * 42 // 100)
    pages = [
        ("list, first page", "/parties/", None),
        (f"list, last page ({last_page:,})", f"/parties/?page={last_page}", None),
        ("search city 'valencia' (10% match)", "/parties/?q=valencia", None),
        ("search name 'ferrer' (4% match)", "/parties/?q=ferrer", None),
        ("search tax id (1 match)", f"/parties/?q={some_tax_id}", None),
        ("sort by city, first page", "/parties/?sort=city", None),
        (f"sort by city, last page ({last_page:,})", f"/parties/?sort=city&page={last_page}", None),
        ("HTMX part, first page", "/parties/", HTMX),
        ("HTMX part, search 'valencia'", "/parties/?q=valencia", HTMX),
    ]
    figures: list[Figure] = [
        measure_get(client, what, url, headers=headers, target=TARGET) for what, url, headers in pages
    ]
    api = [
        (f"API limit={PER_PAGE}", f"/api/v1/parties?limit={PER_PAGE}"),
        (f"API limit={PER_PAGE} offset={last_offset:,}", f"/api/v1/parties?limit={PER_PAGE}&offset={last_offset}"),
        (f"API q=valencia limit={PER_PAGE}", f"/api/v1/parties?q=valencia&limit={PER_PAGE}"),
    ]  # fmt: skip
    figures += [measure_get(client, what, url) for what, url in api]

    print()
    print_table(figures)

    print()
    print("Queries do not grow with rows (the same page for a company with 5 parties):")
    small_client = sales_client("bench-sales-small", small)
    for what, url, headers in [
        ("list page", "/parties/", None),
        ("HTMX part", "/parties/", HTMX),
        ("API list", f"/api/v1/parties?limit={PER_PAGE}", None),
    ]:
        big_queries, big_response = count_queries(lambda url=url, h=headers: client.get(url, headers=h or {}))
        small_queries, small_response = count_queries(
            lambda url=url, h=headers: small_client.get(url, headers=h or {})
        )
        if url.startswith("/api/"):
            big_rows, small_rows = len(big_response.json()["items"]), len(small_response.json()["items"])
        else:
            big_rows, small_rows = table_rows(big_response), table_rows(small_response)
        verdict = "same" if big_queries == small_queries else f"DIFFERENT by {big_queries - small_queries}"
        print(
            f"  {what:<9}: {big_rows} rows of {PARTIES:,} -> {big_queries} queries; "
            f"{small_rows} rows of 5 -> {small_queries} queries ({verdict})"
        )

    print()
    print(f"Slowest query of each case over {TARGET_MS} ms:")
    print_slowest_queries(figures, over_ms=TARGET_MS)
