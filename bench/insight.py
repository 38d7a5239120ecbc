"""Insight over a company of 10,000 parties, about 50,000 documents and 500,000 posted entry lines (written in
bulk by bench/insight_data.py, consistent with what the services write), in process:

- each role dashboard (sales, margin, stock, finance) built for the last twelve months, then its page through
  Django's test client (filters, panels, SVG charts and tables rendered);
- the party 360° view of the busiest customer (the one with the most documents), service and page;
- the document flow of the longest chain (an order delivered in four parts, invoiced per delivery, a return
  credited, its due amounts paid), from the order and from its first invoice, service and page;
- the global search, by a word of many names and by an invoice number, service and page.

Target: each under 1 s on SQLite, printed beside the figure. A part not built yet (ImportError, no URL) is said
so and skipped; a case that fails is reported and skipped, so the others are still measured.

Size from the environment for a quick run: NEXO_BENCH_INSIGHT_SCALE=0.1 (a tenth of every count; 1 by
default). The dataset's own figures (rows per table, generation time) are printed first."""

import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from django.test import Client
from django.urls import NoReverseMatch, reverse

from bench.insight_data import Dataset, generate
from bench.measure import Figure, measure, print_slowest_queries, print_table

TITLE = "Insight: dashboards, the party 360° view, document flow and search over 50,000 documents"

SCALE = float(os.environ.get("NEXO_BENCH_INSIGHT_SCALE", "1"))
TARGET_MS = 1000
TARGET = f"< {TARGET_MS:,} ms (SQLite)"
NOT_BUILT = "not built yet"
CPU_RUNS = 3


def _cpu_ms(call: Callable[[], object]) -> float:
    """The median CPU time of a few calls: SQLite runs in this process, so it is what the case costs apart from
    waiting for a processor (the machine may be shared)."""
    spent = []
    for _ in range(CPU_RUNS):
        started = time.process_time()
        call()
        spent.append(time.process_time() - started)
    return statistics.median(spent) * 1000


def _measured(what: str, call: Callable[[], object], *, page: bool = False) -> list[Figure]:
    """One case's figure; a case that fails (another part's work in progress) is reported and skipped."""
    options = {"status_of": lambda response: response.status_code} if page else {}
    try:
        figure = measure(what, call, target=TARGET, repeat=5, **options)
        cpu = _cpu_ms(call)
    except Exception as error:  # the code measured may fail in any way (work in progress): said, not fatal
        print(f"  {what}: failed, {type(error).__name__}: {str(error)[:300]}")
        return []
    verdict = "met" if figure.median_ms < TARGET_MS else "MISSED"
    figure.target = f"{TARGET}: {verdict} (CPU {cpu:,.0f} ms)"
    return [figure]


def _url(name: str, *args) -> str | None:
    try:
        return reverse(f"insight:{name}", args=args)
    except NoReverseMatch:
        return None


def _dashboards(dataset: Dataset, client: Client) -> list[Figure]:
    try:
        from nexo.insight.services.dashboards import DASHBOARDS, Filters
    except ImportError:
        print(f"  dashboards: {NOT_BUILT}")
        return []
    filters = Filters(date_from=dataset.end - timedelta(days=364), date_to=dataset.end)
    period = urlencode({"date_from": filters.date_from.isoformat(), "date_to": filters.date_to.isoformat()})
    figures = []
    for name, dashboard in DASHBOARDS.items():
        try:
            build = dashboard.build
        except ImportError:
            print(f"  {name} dashboard: {NOT_BUILT}")
            continue
        figures += _measured(
            f"{name} dashboard: panels, last 12 months", lambda build=build: build(dataset.company, filters)
        )
        url = _url(f"dashboard_{name}")
        if url is None:
            print(f"  {name} dashboard page: {NOT_BUILT}")
            continue
        figures += _measured(f"{name} dashboard: page, last 12 months",
                             lambda url=f"{url}?{period}": client.get(url), page=True)  # fmt: skip
    return figures


def _party(dataset: Dataset, client: Client) -> list[Figure]:
    try:
        from nexo.insight.services.party360 import party_overview
    except ImportError:
        print(f"  party 360° view: {NOT_BUILT}")
        return []
    party_id = dataset.busiest_party_id
    figures = _measured(f"party 360°: the busiest customer ({dataset.busiest_documents:,} documents)",
                        lambda: party_overview(dataset.company, party_id, today=dataset.end))  # fmt: skip
    url = _url("party_360", party_id)
    if url is None:
        print(f"  party 360° page: {NOT_BUILT}")
        return figures
    return figures + _measured("party 360°: the busiest customer, page", lambda: client.get(url), page=True)


def _flow(dataset: Dataset, client: Client) -> list[Figure]:
    try:
        from nexo.insight.services.flow import document_flow
    except ImportError:
        print(f"  document flow: {NOT_BUILT}")
        return []
    figures = []
    for doc_type, doc_id in (("order", dataset.big_order_id), ("invoice", dataset.big_invoice_id)):
        figures += _measured(f"flow: the longest chain, from its {doc_type}",
                             lambda doc_type=doc_type, doc_id=doc_id: document_flow(dataset.company, doc_type, doc_id))  # fmt: skip
    url = _url("flow", "order", dataset.big_order_id)
    if url is None:
        print(f"  document flow page: {NOT_BUILT}")
        return figures
    return figures + _measured(
        "flow: the longest chain from its order, page", lambda: client.get(url), page=True
    )


def _search(dataset: Dataset, client: Client) -> list[Figure]:
    try:
        from nexo.insight.services.search import search
    except ImportError:
        print(f"  search: {NOT_BUILT}")
        return []
    user, figures = dataset.manager, []
    for what, text in (
        ("a word of many names", dataset.common_word),
        ("an invoice number", dataset.an_invoice_number),
    ):
        figures += _measured(
            f"search: {what} ({text})", lambda text=text: search(dataset.company, user, text)
        )
    url = _url("search")
    if url is None:
        print(f"  search page: {NOT_BUILT}")
        return figures
    query = urlencode({"q": dataset.common_word})
    return figures + _measured(
        f"search: {dataset.common_word}, page", lambda: client.get(f"{url}?{query}"), page=True
    )


def run() -> None:
    dataset = generate(SCALE)
    rows = dataset.rows
    print(
        f"  scale {SCALE:g}: {rows.get('parties.Party', 0):,} parties, {rows.get('catalog.Item', 0):,} items, "
        f"{dataset.documents:,} documents, {dataset.entry_lines:,} posted entry lines; {sum(rows.values()):,} rows "
        f"written in bulk, the company set up and everything written in {dataset.seconds:.1f} s"
    )
    print(
        "  documents: "
        + ", ".join(f"{label.split('.')[1]} {rows.get(label, 0):,}" for label in dataset.document_labels)
    )
    client = Client()
    client.force_login(dataset.manager)
    figures = [
        *_dashboards(dataset, client), *_party(dataset, client), *_flow(dataset, client), *_search(dataset, client),
    ]  # fmt: skip
    if not figures:
        return
    print_table(figures)
    print(
        "  (met or missed by the median; CPU: this process's time per call, with SQLite the database's work too)"
    )
    print_slowest_queries(figures, over_ms=TARGET_MS)
