"""Inventory: moves per second through the services, and the cost of a move as an item's history grows.

A move reads its item's balance row (and, for a FIFO issue, the few layers it consumes), never the
history: a move should cost the same after 100,000 earlier moves as after 10,000. The long histories are
inserted directly (bulk_create), in the state the ledger would have left them, computed with valuation.py.
"""

import cProfile
import io
import os
import pstats
import random
import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from bench.measure import count_queries
from nexo.catalog import services as catalog_services
from nexo.catalog.models import TaxCategory, Unit
from nexo.core.models import Company, User
from nexo.core.rules import round_money
from nexo.inventory import services, valuation
from nexo.inventory.models import InventorySettings, StockBalance, StockMove, StockQuant, ValuationEntry

TITLE = "Inventory: moves per second, and the cost of a move after 10,000 and 100,000 earlier moves"

THROUGHPUT_MOVES = 3_000
DOCUMENTS, DOCUMENT_LINES = 200, 20
TARGET_PER_SECOND = 1_000
HISTORIES = (10_000, 100_000)
MEASURED_PAIRS = 150  # a receipt and a delivery each: 300 moves per item and history length
TARGET_RATIO = 1.5
BATCH = 5_000
START = date(2000, 1, 1)
MOVES_PER_DAY = 20
D = Decimal


@dataclass
class Place:
    company: Company
    user: User
    settings: InventorySettings
    warehouse_id: int
    stock_location_id: int


def _place() -> Place:
    company = Company.objects.create(name="Bench Almacén S.L.", tax_id="B99999993")
    user = User.objects.create(username="bench-inventory")
    catalog_services.catalog_setup(company=company)
    settings = services.inventory_setup(company=company)
    warehouse = settings.default_warehouse
    return Place(company, user, settings, warehouse.pk, warehouse.stock_location_id)


def _item(place: Place, sku: str, method: str):
    unit = Unit.objects.get(company=place.company, code="ud")
    vat = TaxCategory.objects.get(company=place.company, code="general")
    return catalog_services.item_create(
        company=place.company, by=place.user, sku=sku, name=f"Artículo {sku}", unit_id=unit.pk,
        sale_tax_id=vat.pk, purchase_tax_id=vat.pk, base_price=D("9.90"), valuation_method=method,
        standard_cost=D("5.00"),
    )  # fmt: skip


def _receive(place: Place, item_id: int, quantity: Decimal, unit_cost: Decimal, day: date) -> StockMove:
    return services.stock_move_create(
        company=place.company, by=place.user, item_id=item_id, quantity=quantity,
        from_location_id=place.settings.supplier_location_id, to_location_id=place.stock_location_id,
        unit_cost=unit_cost, date=day, done=True,
    )  # fmt: skip


def _deliver(place: Place, item_id: int, quantity: Decimal, day: date) -> StockMove:
    return services.stock_move_create(
        company=place.company, by=place.user, item_id=item_id, quantity=quantity,
        from_location_id=place.stock_location_id, to_location_id=place.settings.customer_location_id,
        date=day, done=True,
    )  # fmt: skip


# (a) Throughput


def throughput(place: Place) -> None:
    items = [_item(place, f"TP-{method}-{n}", method) for n in range(2) for method in ("fifo", "average")]
    day = date(2026, 3, 2)
    for item in items:
        _receive(place, item.pk, D(100), D("4.00"), day)
    rng = random.Random(11)
    plan = []
    for number in range(THROUGHPUT_MOVES):
        item = items[number % len(items)]
        incoming = (number // len(items)) % 2 == 0
        plan.append((item.pk, incoming, D(rng.randint(1, 9)), D(rng.randint(350, 650)) / 100))
    receipt_queries, _move = count_queries(lambda: _receive(place, items[0].pk, D(5), D("4.10"), day))
    delivery_queries, _move = count_queries(lambda: _deliver(place, items[0].pk, D(5), day))

    def post(part):
        # A delivery follows a receipt of the same item: stock never runs out.
        for item_id, incoming, quantity, unit_cost in part:
            if incoming:
                _receive(place, item_id, quantity, unit_cost, day)
            else:
                _deliver(place, item_id, quantity, day)

    started, started_cpu = time.perf_counter(), time.process_time()
    post(plan)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    rate = THROUGHPUT_MOVES / elapsed
    print(
        f"{THROUGHPUT_MOVES:,} moves through stock_move_create(done=True), one transaction each, receipts and "
        f"deliveries alternating over {len(items)} items (FIFO and average): {elapsed:.2f} s "
        f"({cpu:.2f} s of CPU in this process)"
    )
    print(f"  queries per move: receipt {receipt_queries}, delivery {delivery_queries}")
    print(
        f"  moves/s: {rate:,.0f} (target ≥ {TARGET_PER_SECOND:,}); on CPU time alone {THROUGHPUT_MOVES / cpu:,.0f}"
    )
    documents(place, items, day)
    if rate < TARGET_PER_SECOND:
        profile(
            "  Under target: where the time of 400 more moves goes (cumulative)", lambda: post(plan[:400])
        )


def documents(place: Place, items: list, day: date) -> None:
    """Receipts and deliveries of several lines each: one transaction, one lock round, per document."""
    supplier, customer = place.settings.supplier_location_id, place.settings.customer_location_id
    stock_location = place.stock_location_id

    def document(incoming: bool) -> None:
        lines = []
        for line in range(DOCUMENT_LINES):
            item = items[line % len(items)]
            source, target = (supplier, stock_location) if incoming else (stock_location, customer)
            lines.append(
                services.MoveLine(item.pk, D(line % 5 + 1), source, target, D("4.25") if incoming else None)
            )
        services.moves_create(company=place.company, by=place.user, lines=lines, date=day, done=True)

    started = time.perf_counter()
    for number in range(DOCUMENTS):
        document(incoming=number % 2 == 0)
    elapsed = time.perf_counter() - started
    print(
        f"  documents of {DOCUMENT_LINES} lines through moves_create(done=True), receipts and deliveries "
        f"alternating: {DOCUMENTS * DOCUMENT_LINES / elapsed:,.0f} moves/s ({DOCUMENTS / elapsed:,.0f} documents/s)"
    )


def profile(heading: str, call, lines: int = 18) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    out = io.StringIO()
    # The service's own functions and the ORM calls they make, by cumulative time.
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(
        r"nexo/|django/db/models/query\.py|django/db/transaction\.py", lines
    )
    print(heading)
    for line in out.getvalue().splitlines():
        if line.strip() and not line.startswith(("   Ordered by", "Ordered by")):
            print(f"    {line}")


# (b) History: insert it in the ledger's own state, then time moves posted on top of it


def _history_plan(count: int, seed: int) -> list[tuple[bool, Decimal, Decimal]]:
    """First 10 receipts (100 units on hand), then receipt/delivery pairs of the same quantity: on hand stays
    at 100 while FIFO issues cross layers of different sizes and costs."""
    rng = random.Random(seed)
    plan = [(True, D(10), D(rng.randint(400, 600)) / 100) for _ in range(10)]
    while len(plan) < count:
        quantity = D(rng.randint(5, 15))
        plan.append((True, quantity, D(rng.randint(400, 600)) / 100))
        plan.append((False, quantity, D(0)))
    return plan[:count]


def _state_of(item, place: Place) -> tuple[valuation.Balance, date | None]:
    """What the ledger holds for the item now: its balance row and every open FIFO layer."""
    row = StockBalance.objects.filter(item=item, warehouse_id=place.warehouse_id).first()
    if row is None:
        return valuation.Balance(), None
    layers = tuple(
        valuation.Layer(entry.received - entry.quantity, entry.quantity, entry.unit_cost, entry.move_id)
        for entry in ValuationEntry.objects.filter(
            item=item, warehouse_id=place.warehouse_id, quantity__gt=0, received__gt=row.issued
        ).order_by("received")
    )
    return (
        valuation.Balance(
            received=row.received, issued=row.issued, value=row.value, average_value=row.average_value,
            average=row.average, last_cost=row.last_cost, layers=layers,
        ),
        row.last_date,
    )  # fmt: skip


def insert_history(place: Place, item, count: int, first_day: date, seed: int) -> date:
    """`count` done moves of `item` with their ledger entries, balance and quant, as the services leave them."""
    method = valuation.Method(item.valuation_method)
    balance, _last = _state_of(item, place)
    now = timezone.now()
    supplier, customer = place.settings.supplier_location_id, place.settings.customer_location_id
    plan = _history_plan(count, seed)
    day = first_day
    with transaction.atomic():
        for start in range(0, count, BATCH):
            chunk = plan[start : start + BATCH]
            moves, steps = [], []
            for offset, (incoming, quantity, unit_cost) in enumerate(chunk):
                day = first_day + timedelta(days=(start + offset) // MOVES_PER_DAY)
                if incoming:
                    step = valuation.receive(
                        balance, method=method, quantity=quantity, unit_cost=unit_cost, is_purchase=True,
                        standard_cost=item.standard_cost,
                    )  # fmt: skip
                    move_value = round_money(quantity * step.unit_cost)
                else:
                    step = valuation.issue(
                        balance, method=method, quantity=quantity, standard_cost=item.standard_cost
                    )
                    move_value = -step.value
                balance = step.balance
                moves.append(
                    StockMove(
                        company=place.company,
                        item=item,
                        quantity=quantity,
                        date=day,
                        from_location_id=supplier if incoming else place.stock_location_id,
                        to_location_id=place.stock_location_id if incoming else customer,
                        unit_cost=step.unit_cost,
                        value=move_value,
                        state=StockMove.State.DONE,
                        done_at=now,
                        created_by=place.user,
                        updated_by=place.user,
                    )
                )
                steps.append((step, quantity if incoming else -quantity, incoming, day))
            StockMove.objects.bulk_create(moves)
            ValuationEntry.objects.bulk_create(
                [
                    ValuationEntry(
                        company=place.company,
                        item=item,
                        warehouse_id=place.warehouse_id,
                        move_id=move.pk,
                        date=entry_day,
                        quantity=signed,
                        unit_cost=step.unit_cost,
                        value=step.value,
                        is_purchase=incoming,
                        received=step.balance.received,
                        issued=step.balance.issued,
                        value_after=step.balance.value,
                        average_value=step.balance.average_value,
                        average=step.balance.average,
                        last_cost=step.balance.last_cost,
                    )
                    for move, (step, signed, incoming, entry_day) in zip(moves, steps, strict=True)
                ]
            )
        StockBalance.objects.update_or_create(
            item=item, warehouse_id=place.warehouse_id,
            defaults={
                "company": place.company, "received": balance.received, "issued": balance.issued,
                "value": balance.value, "average_value": balance.average_value, "average": balance.average,
                "last_cost": balance.last_cost, "last_date": day,
            },
        )  # fmt: skip
        StockQuant.objects.update_or_create(
            item=item, location_id=place.stock_location_id,
            defaults={"company": place.company, "quantity": balance.quantity},
        )  # fmt: skip
    return day


def time_moves(place: Place, item, day: date, seed: int) -> dict[str, float]:
    """Median milliseconds (wall and CPU) of a receipt and of a delivery posted on top of the item's history."""
    rng = random.Random(seed)
    timings: dict[str, list[float]] = {"receipt": [], "delivery": [], "receipt cpu": [], "delivery cpu": []}

    def timed(kind: str, call) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        timings[f"{kind} cpu"].append(time.process_time() - cpu)
        timings[kind].append(time.perf_counter() - wall)

    for _pair in range(MEASURED_PAIRS):
        quantity, unit_cost = D(rng.randint(5, 15)), D(rng.randint(400, 600)) / 100
        timed("receipt", lambda q=quantity, c=unit_cost: _receive(place, item.pk, q, c, day))
        timed("delivery", lambda q=quantity: _deliver(place, item.pk, q, day))
    return {kind: statistics.median(values) * 1000 for kind, values in timings.items()}


def check_consistent(place: Place, item) -> str:
    """The balance row against the last entry and the quant (and, FIFO, its layers): the ledger is sound."""
    row = StockBalance.objects.get(item=item, warehouse_id=place.warehouse_id)
    last = ValuationEntry.objects.filter(item=item).order_by("-date", "-id").first()
    on_hand = StockQuant.objects.get(item=item, location_id=place.stock_location_id).quantity
    state = (row.received, row.issued, row.value)
    sound = state == (last.received, last.issued, last.value_after) and on_hand == row.quantity
    if item.valuation_method == valuation.Method.FIFO:
        balance, _day = _state_of(item, place)
        sound = sound and balance.layers_value() == row.value
    return "consistent" if sound else "INCONSISTENT"


def history_figures(place: Place) -> None:
    items = {method: _item(place, f"HI-{method}", method) for method in ("fifo", "average")}
    rows, first_day, inserted = [], START, 0
    for length in HISTORIES:
        started = time.perf_counter()
        for seed, item in enumerate(items.values()):
            day = insert_history(place, item, length - inserted, first_day, seed=length + seed)
        print(
            f"History of {length:,} moves per item ({len(items)} items) inserted in "
            f"{time.perf_counter() - started:.1f} s ({StockMove.objects.count():,} moves, "
            f"{ValuationEntry.objects.count():,} entries in the tables)"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a big load
        inserted = length
        measured_day = day + timedelta(days=1)
        for method, item in items.items():
            rows.append(
                (length, method, time_moves(place, item, measured_day, seed=7), check_consistent(place, item))
            )
        first_day = measured_day + timedelta(days=1)
        inserted += 2 * MEASURED_PAIRS
    print()
    print(
        f"  Median ms of {MEASURED_PAIRS} receipts and {MEASURED_PAIRS} deliveries on top of the history (wall / CPU):"
    )
    print(f"  {'history':>9} | {'method':<7} | {'receipt ms':>13} | {'delivery ms':>13} | ledger after")
    for length, method, median, state in rows:
        print(
            f"  {length:>9,} | {method:<7} | {median['receipt']:>6.2f} / {median['receipt cpu']:<4.2f} | "
            f"{median['delivery']:>6.2f} / {median['delivery cpu']:<4.2f} | {state}"
        )
    print()
    short, long = HISTORIES
    by_key = {(length, method): median for length, method, median, _state in rows}
    for method in items:
        for kind in ("receipt", "delivery"):
            before, after = by_key[(short, method)], by_key[(long, method)]
            print(
                f"  {method:<7} {kind:<8} {long // 1000}k/{short // 1000}k: {after[kind] / before[kind]:.2f} "
                f"(CPU {after[kind + ' cpu'] / before[kind + ' cpu']:.2f}) (target < {TARGET_RATIO})"
            )


def run() -> None:
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"(load average {load} on {os.cpu_count()} CPUs: wall times include waiting for a CPU)")
    place = _place()
    throughput(place)
    print()
    history_figures(place)
