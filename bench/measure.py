"""What every benchmark shares: time a request, count its queries, print the table of figures."""

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@dataclass
class Figure:
    what: str
    median_ms: float
    best_ms: float
    runs: int
    queries: int
    target: str = ""
    status: int | None = None
    slowest_query_ms: float = 0.0
    slowest_query_sql: str = ""


def _milliseconds(seconds: float) -> float:
    return seconds * 1000


def measure(
    what: str,
    call: Callable[[], object],
    *,
    target: str = "",
    repeat: int = 7,
    min_runs: int = 3,
    budget_seconds: float = 6.0,
    status_of: Callable[[object], int | None] = lambda _result: None,
) -> Figure:
    """One warm-up call, one call under query capture, then up to `repeat` timed calls.

    The timed calls run without capturing queries (capturing costs time); they stop early, after
    `min_runs`, once `budget_seconds` is spent, so one slow case cannot stretch the whole run.
    """
    call()  # warm-up: templates compiled, caches filled, connection open
    with CaptureQueriesContext(connection) as capture:
        result = call()
    # Copied now: the next request clears connection.queries, which the context only slices lazily.
    captured = list(capture.captured_queries)
    timings = []
    started = time.perf_counter()
    for _ in range(repeat):
        before = time.perf_counter()
        call()
        timings.append(time.perf_counter() - before)
        if len(timings) >= min_runs and time.perf_counter() - started > budget_seconds:
            break
    slowest = max(captured, key=lambda query: float(query["time"]), default=None)
    return Figure(
        what=what,
        median_ms=_milliseconds(statistics.median(timings)),
        best_ms=_milliseconds(min(timings)),
        runs=len(timings),
        queries=len(captured),
        target=target,
        status=status_of(result),
        slowest_query_ms=_milliseconds(float(slowest["time"])) if slowest else 0.0,
        slowest_query_sql=slowest["sql"] if slowest else "",
    )


def measure_get(client: Client, what: str, url: str, *, headers: dict | None = None, **options) -> Figure:
    """A GET through the whole stack (middleware, session, view, template) with Django's test client."""
    return measure(
        what,
        lambda: client.get(url, headers=headers or {}),
        status_of=lambda response: response.status_code,
        **options,
    )


def count_queries(call: Callable[[], object]) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


def print_table(figures: list[Figure]) -> None:
    rows = [("what", "median ms", "best ms", "queries", "target")]
    for figure in figures:
        what = figure.what
        if figure.status not in (None, 200):
            what += f"  [HTTP {figure.status}!]"
        rows.append(
            (
                what,
                f"{figure.median_ms:,.1f}",
                f"{figure.best_ms:,.1f}",
                str(figure.queries),
                figure.target or "-",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(width) if column in (0, 4) else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + " | ".join(cells).rstrip())
        if index == 0:
            print("  " + "-+-".join("-" * width for width in widths))
    runs = sorted({figure.runs for figure in figures})
    print(f"  (median and best of {'/'.join(map(str, runs))} timed runs after a warm-up)")


_COLUMN_RUN = re.compile(r'"(\w+)"\."\w+"(?:, "\1"\."\w+")+')


def compact_sql(sql: str, limit: int = 1000) -> str:
    """One line; a run of plain columns of one table shown as "table".*; the middle cut if still long."""
    sql = _COLUMN_RUN.sub(r'"\1".*', " ".join(sql.split()))
    if len(sql) > limit:
        sql = f"{sql[: limit // 2]} … {sql[-limit // 2 :]}"
    return sql


def query_plan(sql: str) -> list[str]:
    """The database's plan for a captured SELECT (PostgreSQL: executed, with actual times)."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            depth = {0: -1}
            lines = []
            for node, parent, _unused, detail in cursor.fetchall():
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            return lines
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")
            return [row[0] for row in cursor.fetchall()]
    return []


def print_slowest_queries(figures: list[Figure], *, over_ms: float, plans: bool = True) -> None:
    """For each figure above `over_ms`: its slowest query (timed once, while captured) and its plan."""
    slow = [figure for figure in figures if figure.median_ms > over_ms]
    if not slow:
        print(f"  Every case is under {over_ms:.0f} ms.")
        return
    for figure in slow:
        print(
            f"  {figure.what}: {figure.median_ms:,.0f} ms median; "
            f"slowest query {figure.slowest_query_ms:,.0f} ms of its {figure.queries}:"
        )
        print(f"      {compact_sql(figure.slowest_query_sql)}")
        if plans:
            for line in query_plan(figure.slowest_query_sql):
                print(f"        | {line}")
