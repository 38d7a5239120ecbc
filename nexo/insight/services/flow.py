"""The document flow: every document linked to a given one, upstream to its origin (the opportunity) and
downstream to its end (payments, journal entries), as nodes and directed edges (origin → successor); read,
never written.

How it is read, in a number of queries that depends on no count of documents: the start, then two passes
over the document types, each type read with at most one query per pass (`__in` on what is known so far).
Upstream, latest types first (entries, payments … orders, quotations, opportunities), each type reads the
documents the ones already found came from; downstream, earliest first, each type reads every document that
came of those found. One pass each way is enough because each type is read after every type it can come
from (downstream) or lead to (upstream): the chain's order is the walk's. The edges are then read with one
query per kind of line that links two documents (an invoice line to its order's line, an allocation…).

So the flow holds the start's ancestors and everything that came of them: from an opportunity, its whole
chain down to the payments' entries; from a payment, the same chain back to the opportunity. Documents are
capped (MAX_DOCUMENTS): a flow past the cap comes back `truncated`.

Remittances and the bank entries they post gather many customers' due amounts: reached from another
document they are shown but not walked through (their other due amounts belong to other chains); a flow
started on one walks everything it holds.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nexo.accounting.models import Entry
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.models import Company, User
from nexo.crm.models import Opportunity
from nexo.crm.queries import sees_everyone
from nexo.invoicing.models import Invoice, InvoiceLine, SupplierInvoice, SupplierInvoiceLine
from nexo.payments.models import Allocation, Direction, DueAmount, Payment, Remittance, RemittanceLine
from nexo.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt
from nexo.purchasing.queries import order_totals
from nexo.sales.models import Delivery, Quotation, SalesOrder, SalesOrderLine
from nexo.sales.queries import ORDER_LINE_ORIGIN, sees_all_quotations

#: The document types, by the slug that names them in URLs, in the order the chain runs.
OPPORTUNITY, QUOTATION, ORDER, DELIVERY, INVOICE = "opportunity", "quotation", "order", "delivery", "invoice"
DUE, PAYMENT, REMITTANCE, ENTRY = "due", "payment", "remittance", "entry"
PURCHASE_ORDER, RECEIPT, SUPPLIER_INVOICE = "purchase-order", "receipt", "supplier-invoice"

#: A flow stops growing past this (and says it is truncated): one page must stay readable.
MAX_DOCUMENTS = 300

#: The two rows the page draws: the sale and the purchases made for it.
SALES_ROW, PURCHASES_ROW = "sales", "purchases"

#: What an edge says, read from its origin to its successor ("order PV-1 delivered by AL-1").
EDGE_LABELS = {
    "quoted_in": _("quoted in"),
    "ordered_in": _("ordered in"),
    "revised_as": _("revised as"),
    "accepted_into": _("accepted into"),
    "delivered_by": _("delivered by"),
    "backordered_as": _("rest delivered by"),
    "returned_by": _("returned by"),
    "invoiced_by": _("invoiced by"),
    "credited_by": _("credited by"),
    "corrected_by": _("corrected by"),
    "posted_as": _("posted as"),
    "reversed_by": _("reversed by"),
    "due": _("due as"),
    "paid_by": _("paid by"),
    "offset_by": _("offset by"),
    "remitted_in": _("remitted in"),
    "collected_as": _("collected as"),
    "bought_for": _("short stock bought by"),
    "received_by": _("received by"),
    "billed_by": _("billed by"),
}

Key = tuple[str, int]
Row = dict


@dataclass
class Node:
    """One document of the flow, as the page and the API show it. `url` is its page; `permission` the one
    needed to open it and `owners` the users it is kept to (None: anyone with the permission) — see
    `may_open`."""

    type: str
    id: int
    label: str
    number: str
    state: str
    state_label: str
    date: Date | None
    amount: Decimal | None
    currency: str
    url: str
    permission: str
    owners: frozenset[int] | None = None
    row: str = SALES_ROW
    current: bool = False

    @property
    def key(self) -> Key:
        return (self.type, self.id)


@dataclass(frozen=True)
class Edge:
    source: Key
    target: Key
    kind: str

    @property
    def label(self) -> str:
        return EDGE_LABELS[self.kind]


@dataclass
class Flow:
    start: Key
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool = False

    def node(self, key: Key) -> Node | None:
        return next((node for node in self.nodes if node.key == key), None)


class _Known:
    """What the walk knows when it reads a type: each type's documents found so far, those named by their ids
    and not read yet (`pending`), and the start, whose remittance or entry alone is walked through."""

    def __init__(self, rows: dict[str, dict[int, Row]], pending: dict[str, set[int]], start: Key):
        self.rows, self.pending, self.start = rows, pending, start

    def __getitem__(self, doc_type: str) -> set[int]:
        return set(self.rows.get(doc_type, ()))

    def walked_through(self, doc_type: str) -> set[int]:
        """The documents of a gathering type (remittance, entry) the walk may go through: the start alone."""
        return {self.start[1]} if self.start[0] == doc_type else set()


@dataclass(frozen=True)
class DocumentType:
    """How one type of document is read: its model, the fields a node needs, the documents a row names by its
    own keys (`named`: an order its quotation, a payment its entry), the conditions that find the documents
    of this type that the known ones came from (`sources`) and that came of them (`successors`), beyond those
    named; and how a row reads as a node."""

    slug: str
    model: type[Model]
    fields: tuple[str, ...]
    named: Callable[[Row], Iterable[tuple[str | None, int | None]]]
    sources: Callable[[_Known], list[Q]]
    successors: Callable[[_Known], list[Q]]
    node: Callable[[Row, Company], Node]

    @property
    def model_label(self) -> str:
        return self.model._meta.label_lower


def _in(field: str, ids: Iterable) -> list[Q]:
    ids = list(ids)
    return [Q(**{f"{field}__in": ids})] if ids else []


def _choice(choices, value: str) -> str:
    return str(dict(choices).get(value, value))


def _created_on(row: Row) -> Date:
    return timezone.localdate(row["created_at"])


def _url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


# Which type an entry's or a due amount's origin (a model label) is.
ORIGIN_TYPES = {
    Invoice._meta.label_lower: INVOICE,
    SupplierInvoice._meta.label_lower: SUPPLIER_INVOICE,
    Delivery._meta.label_lower: DELIVERY,
    Receipt._meta.label_lower: RECEIPT,
    Payment._meta.label_lower: PAYMENT,
    Remittance._meta.label_lower: REMITTANCE,
}
MODEL_OF_TYPE = {slug: label for label, slug in ORIGIN_TYPES.items()}


def _origin(row: Row) -> tuple[str | None, int | None]:
    return ORIGIN_TYPES.get(row["origin_model"]), row["origin_id"]


def _by_origin(asked: _Known, *types: str, walked_through: bool = False) -> list[Q]:
    """The documents whose origin is one of the new documents of these types (only the start for a gathering
    type, `walked_through`)."""
    conditions = []
    for doc_type in types:
        ids = asked.walked_through(doc_type) if walked_through else asked[doc_type]
        if ids:
            conditions.append(Q(origin_model=MODEL_OF_TYPE[doc_type], origin_id__in=list(ids)))
    return conditions


# Line tables that link two documents, as subqueries of one side's ids.


def _invoice_lines(**conditions) -> QuerySet:
    return InvoiceLine.objects.filter(**{name: list(value) for name, value in conditions.items()})


# The types


def _opportunity_node(row: Row, company: Company) -> Node:
    return Node(
        OPPORTUNITY, row["id"], str(_("Opportunity")), row["title"], row["status"],
        _choice(Opportunity.Status.choices, row["status"]), _created_on(row), row["amount"], company.currency,
        _url("crm:opportunity_view", row["id"]), "crm.view_opportunity", frozenset({row["owner_id"]}),
    )  # fmt: skip


def _sales_owners(row: Row, prefix: str = "") -> frozenset[int]:
    owners = {row[f"{prefix}salesperson_id"], row[f"{prefix}opportunity__owner_id"]}
    return frozenset(owner for owner in owners if owner is not None)


def _quotation_node(row: Row, company: Company) -> Node:
    return Node(
        QUOTATION, row["id"], str(_("Quotation")), f"{row['number']} v{row['version']}", row["state"],
        _choice(Quotation.State.choices, row["state"]), row["date"], row["total"], row["currency"],
        _url("sales:quotation_view", row["id"]), "sales.view_quotation", _sales_owners(row),
    )  # fmt: skip


def _order_node(row: Row, company: Company) -> Node:
    return Node(
        ORDER, row["id"], str(_("Sales order")), row["number"], row["state"],
        _choice(SalesOrder.State.choices, row["state"]), row["date"], row["total"], row["currency"],
        _url("sales:order_view", row["id"]), "sales.view_salesorder", _sales_owners(row),
    )  # fmt: skip


def _delivery_node(row: Row, company: Company) -> Node:
    label = _("Return") if row["kind"] == Delivery.Kind.RETURN else _("Delivery note")
    return Node(
        DELIVERY, row["id"], str(label), row["number"], row["state"], _choice(Delivery.State.choices, row["state"]),
        row["date"], None, "", _url("sales:delivery_view", row["id"]), "sales.view_delivery",
        _sales_owners(row, "order__"),
    )  # fmt: skip


def _invoice_node(row: Row, company: Company) -> Node:
    label = _("Credit note") if row["kind"] == Invoice.Kind.CREDIT_NOTE else _("Invoice")
    number = row["number"] or str(_("Draft invoice %(id)s") % {"id": row["id"]})
    return Node(
        INVOICE, row["id"], str(label), number, row["state"], _choice(Invoice.State.choices, row["state"]),
        row["date"], row["total"], row["currency"], _url("invoicing:invoice_view", row["id"]),
        "invoicing.view_invoice",
    )  # fmt: skip


def _due_node(row: Row, company: Company) -> Node:
    number = f"{row['origin_number']} {row['installment']}/{row['installments']}"
    query = urlencode({"direction": row["direction"], "q": row["origin_number"]})
    return Node(
        DUE, row["id"], str(_("Due amount")), number, row["state"], _choice(DueAmount.State.choices, row["state"]),
        row["due_date"], row["amount"], row["currency"], f"{reverse('payments:due_list')}?{query}",
        "payments.view_dueamount", row=PURCHASES_ROW if row["direction"] == Direction.PAYABLE else SALES_ROW,
    )  # fmt: skip


def _payment_node(row: Row, company: Company) -> Node:
    return Node(
        PAYMENT, row["id"], str(_("Supplier payment") if row["direction"] == Direction.PAYABLE else _("Payment")),
        row["number"], row["state"],
        _choice(Payment.State.choices, row["state"]), row["date"], row["amount"], row["currency"],
        _url("payments:payment_view", row["id"]), "payments.view_payment",
        row=PURCHASES_ROW if row["direction"] == Direction.PAYABLE else SALES_ROW,
    )  # fmt: skip


def _remittance_node(row: Row, company: Company) -> Node:
    return Node(
        REMITTANCE, row["id"], str(_("SEPA remittance")), row["number"], row["state"],
        _choice(Remittance.State.choices, row["state"]), row["charge_date"], row["total"], company.currency,
        _url("payments:remittance_view", row["id"]), "payments.view_remittance",
    )  # fmt: skip


def _entry_node(row: Row, company: Company) -> Node:
    return Node(
        ENTRY, row["id"], str(_("Journal entry")), row["number"] or str(_("Draft entry")), row["state"],
        _choice(Entry.State.choices, row["state"]), row["date"], row["total"], company.currency,
        _url("accounting:entry_detail", row["id"]), "accounting.view_entry",
    )  # fmt: skip


def _purchase_order_node(row: Row, company: Company) -> Node:
    number = row["number"] or str(_("Draft purchase order %(id)s") % {"id": row["id"]})
    return Node(
        PURCHASE_ORDER, row["id"], str(_("Purchase order")), number, row["state"],
        _choice(PurchaseOrder.State.choices, row["state"]), row["date"], None, row["currency"],
        _url("purchasing:order_view", row["id"]), "purchasing.view_purchaseorder", row=PURCHASES_ROW,
    )  # fmt: skip


def _receipt_node(row: Row, company: Company) -> Node:
    # A receipt has no state of its own: it is recorded done. Its page is its purchase order's.
    return Node(
        RECEIPT, row["id"], str(_("Receipt")), row["number"], "", "", row["date"], None, "",
        _url("purchasing:receipt_view", row["id"]), "purchasing.view_purchaseorder", row=PURCHASES_ROW,
    )  # fmt: skip


def _supplier_invoice_node(row: Row, company: Company) -> Node:
    return Node(
        SUPPLIER_INVOICE, row["id"], str(_("Supplier invoice")), row["number"] or row["supplier_number"],
        row["state"], _choice(SupplierInvoice.State.choices, row["state"]), row["date"], row["total"],
        row["currency"], _url("invoicing:supplier_invoice_view", row["id"]), "invoicing.view_supplierinvoice",
        row=PURCHASES_ROW,
    )  # fmt: skip


# What each type is found by: upstream (`_sources_*`, the documents the known ones came from) and downstream
# (`_successors_*`, those that came of the known ones). A type's own keys (`named`) are read either way.


def _successors_quotations(known: _Known) -> list[Q]:
    # Every version of a quotation shares its number: all of them at once, however long their chain.
    numbers = {known.rows[QUOTATION][pk]["number"] for pk in known[QUOTATION]}
    return [*_in("opportunity_id", known[OPPORTUNITY]), *_in("number", numbers)]


def _sources_orders(known: _Known) -> list[Q]:
    found = []
    if known[INVOICE]:
        found.append(Q(pk__in=_invoice_lines(invoice_id__in=known[INVOICE]).values("order_line__order_id")))
    if known[PURCHASE_ORDER]:
        bought = PurchaseOrderLine.objects.filter(
            order_id__in=known[PURCHASE_ORDER], origin_type=ORDER_LINE_ORIGIN
        )
        found.append(
            Q(pk__in=SalesOrderLine.objects.filter(pk__in=bought.values("origin_id")).values("order_id"))
        )
    return found


def _successors_orders(known: _Known) -> list[Q]:
    return [*_in("quotation_id", known[QUOTATION]), *_in("opportunity_id", known[OPPORTUNITY])]


def _sources_deliveries(known: _Known) -> list[Q]:
    if not known[INVOICE]:
        return []
    return [Q(pk__in=_invoice_lines(invoice_id__in=known[INVOICE]).values("delivery_line__delivery_id"))]


def _successors_deliveries(known: _Known) -> list[Q]:
    return [
        *_in("order_id", known[ORDER]), *_in("backorder_of_id", known[DELIVERY]),
        *_in("return_of_id", known[DELIVERY]),
    ]  # fmt: skip


def _sources_invoices(known: _Known) -> list[Q]:
    # A credit note reached from its due amount or entry: the invoice it corrects, in the same query.
    named = known.pending.get(INVOICE, set())
    return [Q(pk__in=Invoice.objects.filter(pk__in=named).values("corrects_id"))] if named else []


def _successors_invoices(known: _Known) -> list[Q]:
    billing = []
    if known[ORDER]:
        billing.append(Q(pk__in=_invoice_lines(order_line__order_id__in=known[ORDER]).values("invoice_id")))
    if known[DELIVERY]:
        billing.append(
            Q(pk__in=_invoice_lines(delivery_line__delivery_id__in=known[DELIVERY]).values("invoice_id"))
        )
    found = _in("corrects_id", known[INVOICE])
    if billing:
        # The invoices of the orders and deliveries, and the credit notes that correct them (in one query).
        bills = reduce(or_, billing)
        found += [bills, Q(corrects__in=Invoice.objects.filter(bills).values("pk"))]
    return found


def _sources_dues(known: _Known) -> list[Q]:
    found = []
    if known[PAYMENT]:
        found.append(Q(pk__in=Allocation.objects.filter(payment_id__in=known[PAYMENT]).values("due_id")))
    if remittances := known.walked_through(REMITTANCE):
        found.append(Q(pk__in=RemittanceLine.objects.filter(remittance_id__in=remittances).values("due_id")))
    return found


def _successors_dues(known: _Known) -> list[Q]:
    return _by_origin(known, INVOICE, SUPPLIER_INVOICE)


def _sources_payments(known: _Known) -> list[Q]:
    # A bank entry the flow starts on: the payments it posted (a remittance's, all of them).
    return [
        *_in("entry_id", known.walked_through(ENTRY)),
        *_in("reversal_entry_id", known.walked_through(ENTRY)),
    ]


def _successors_payments(known: _Known) -> list[Q]:
    found = _in("remittance_line__remittance_id", known.walked_through(REMITTANCE))
    if known[DUE]:
        found.append(Q(pk__in=Allocation.objects.filter(due_id__in=known[DUE]).values("payment_id")))
    return found


def _sources_remittances(known: _Known) -> list[Q]:
    return _in("entry_id", known.walked_through(ENTRY))


def _successors_remittances(known: _Known) -> list[Q]:
    if not known[DUE]:
        return []
    return [Q(pk__in=RemittanceLine.objects.filter(due_id__in=known[DUE]).values("remittance_id"))]


def _successors_entries(known: _Known) -> list[Q]:
    found = [
        *_by_origin(known, INVOICE, SUPPLIER_INVOICE, DELIVERY, RECEIPT, PAYMENT),
        # A remittance's entries (its posting, its lines' returns) when the flow starts on it; otherwise a due
        # amount's own return entry only.
        *_by_origin(known, REMITTANCE, walked_through=True),
        *_in("reverses_id", known[ENTRY]),
    ]
    if known[DUE]:
        returned = RemittanceLine.objects.filter(due_id__in=known[DUE], return_entry__isnull=False)
        found.append(Q(pk__in=returned.values("return_entry_id")))
    return found


def _sources_purchase_orders(known: _Known) -> list[Q]:
    if not known[SUPPLIER_INVOICE]:
        return []
    billed = SupplierInvoiceLine.objects.filter(invoice_id__in=known[SUPPLIER_INVOICE])
    return [Q(pk__in=billed.values("purchase_line__order_id"))]


def _successors_purchase_orders(known: _Known) -> list[Q]:
    if not known[ORDER]:
        return []
    sales_lines = SalesOrderLine.objects.filter(order_id__in=known[ORDER]).values("pk")
    bought = PurchaseOrderLine.objects.filter(origin_type=ORDER_LINE_ORIGIN, origin_id__in=sales_lines)
    return [Q(pk__in=bought.values("order_id"))]


def _successors_supplier_invoices(known: _Known) -> list[Q]:
    if not known[PURCHASE_ORDER]:
        return []
    billing = SupplierInvoiceLine.objects.filter(purchase_line__order_id__in=known[PURCHASE_ORDER])
    return [Q(pk__in=billing.values("invoice_id"))]


def _nothing(row_or_asked) -> list:
    return []


TYPES: dict[str, DocumentType] = {
    spec.slug: spec
    for spec in (
        # An opportunity is only ever named by what came of it.
        DocumentType(
            OPPORTUNITY, Opportunity, ("id", "title", "status", "amount", "created_at", "owner_id"),
            named=_nothing, sources=_nothing, successors=_nothing,
            node=_opportunity_node,
        ),
        DocumentType(
            QUOTATION, Quotation,
            ("id", "number", "version", "state", "date", "total", "currency", "opportunity_id", "revision_of_id",
             "salesperson_id", "opportunity__owner_id"),
            named=lambda row: [(OPPORTUNITY, row["opportunity_id"]), (QUOTATION, row["revision_of_id"])],
            sources=_nothing, successors=_successors_quotations, node=_quotation_node,
        ),
        DocumentType(
            ORDER, SalesOrder,
            ("id", "number", "state", "date", "total", "currency", "quotation_id", "opportunity_id",
             "salesperson_id", "opportunity__owner_id"),
            named=lambda row: [(QUOTATION, row["quotation_id"]), (OPPORTUNITY, row["opportunity_id"])],
            sources=_sources_orders, successors=_successors_orders, node=_order_node,
        ),
        DocumentType(
            DELIVERY, Delivery,
            ("id", "number", "kind", "state", "date", "order_id", "backorder_of_id", "return_of_id",
             "order__salesperson_id", "order__opportunity__owner_id"),
            named=lambda row: [
                (ORDER, row["order_id"]), (DELIVERY, row["backorder_of_id"]), (DELIVERY, row["return_of_id"]),
            ],
            sources=_sources_deliveries, successors=_successors_deliveries,
            node=_delivery_node,
        ),
        DocumentType(
            INVOICE, Invoice, ("id", "number", "kind", "state", "date", "total", "currency", "corrects_id"),
            named=lambda row: [(INVOICE, row["corrects_id"])], sources=_sources_invoices,
            successors=_successors_invoices, node=_invoice_node,
        ),
        DocumentType(
            DUE, DueAmount,
            ("id", "origin_model", "origin_id", "origin_number", "installment", "installments", "state",
             "due_date", "amount", "currency", "direction"),
            named=lambda row: [_origin(row)], sources=_sources_dues, successors=_successors_dues,
            node=_due_node,
        ),
        DocumentType(
            PAYMENT, Payment,
            ("id", "number", "state", "date", "amount", "currency", "direction", "method", "entry_id",
             "reversal_entry_id", "remittance_line__remittance_id"),
            named=lambda row: [
                (ENTRY, row["entry_id"]), (ENTRY, row["reversal_entry_id"]),
                (REMITTANCE, row["remittance_line__remittance_id"]),
            ],
            sources=_sources_payments, successors=_successors_payments, node=_payment_node,
        ),
        DocumentType(
            REMITTANCE, Remittance, ("id", "number", "state", "charge_date", "total", "entry_id"),
            named=lambda row: [(ENTRY, row["entry_id"])], sources=_sources_remittances,
            successors=_successors_remittances, node=_remittance_node,
        ),
        DocumentType(
            ENTRY, Entry, ("id", "number", "state", "date", "total", "origin_model", "origin_id", "reverses_id"),
            named=lambda row: [_origin(row), (ENTRY, row["reverses_id"])], sources=_nothing,
            successors=_successors_entries, node=_entry_node,
        ),
        DocumentType(
            PURCHASE_ORDER, PurchaseOrder, ("id", "number", "state", "date", "currency"),
            named=_nothing, sources=_sources_purchase_orders, successors=_successors_purchase_orders,
            node=_purchase_order_node,
        ),
        DocumentType(
            RECEIPT, Receipt, ("id", "number", "date", "order_id"),
            named=lambda row: [(PURCHASE_ORDER, row["order_id"])],
            sources=_nothing, successors=lambda known: _in("order_id", known[PURCHASE_ORDER]),
            node=_receipt_node,
        ),
        DocumentType(
            SUPPLIER_INVOICE, SupplierInvoice, ("id", "number", "supplier_number", "state", "date", "total", "currency"),
            named=_nothing, sources=_nothing, successors=_successors_supplier_invoices,
            node=_supplier_invoice_node,
        ),
    )
}  # fmt: skip
#: The types by the model label their documents are known by elsewhere (`invoicing.invoice`).
TYPE_OF_MODEL = {spec.model_label: slug for slug, spec in TYPES.items()}
#: The order the types are read in going downstream (each after every type its documents can come from), and
#: its reverse going upstream. Also the order the nodes are listed in.
DOWNSTREAM = (
    OPPORTUNITY, QUOTATION, ORDER, DELIVERY, PURCHASE_ORDER, RECEIPT, INVOICE, SUPPLIER_INVOICE, DUE, REMITTANCE,
    PAYMENT, ENTRY,
)  # fmt: skip
UPSTREAM = tuple(reversed(DOWNSTREAM))


class _Walk:
    def __init__(self, company: Company, start: Key):
        self.company, self.start = company, start
        self.rows: dict[str, dict[int, Row]] = defaultdict(dict)
        self.pending: dict[str, set[int]] = defaultdict(set)
        self.truncated = False

    def run(self) -> None:
        spec = TYPES[self.start[0]]
        row = spec.model.objects.filter(company=self.company, pk=self.start[1]).values(*spec.fields).first()
        if row is None:
            raise NotFound(gettext("No such document."))
        self._add(spec, [row])
        for slug in UPSTREAM:
            self._read(TYPES[slug], TYPES[slug].sources)
        for slug in DOWNSTREAM:
            self._read(TYPES[slug], TYPES[slug].successors)

    def _add(self, spec: DocumentType, rows: list[Row]) -> None:
        for row in rows:
            self.rows[spec.slug][row["id"]] = row
        for row in rows:
            for doc_type, pk in spec.named(row):
                if doc_type is not None and pk is not None and pk not in self.rows[doc_type]:
                    self.pending[doc_type].add(pk)

    def _read(self, spec: DocumentType, linked: Callable[[_Known], list[Q]]) -> None:
        """One query: the documents of this type the known ones name or are linked to, not known yet."""
        known = set(self.rows[spec.slug])
        conditions = linked(_Known(self.rows, self.pending, self.start))
        conditions += _in("pk", self.pending.pop(spec.slug, set()) - known)
        room = MAX_DOCUMENTS - sum(len(rows) for rows in self.rows.values())
        if not conditions or self.truncated:
            return
        query = spec.model.objects.filter(reduce(or_, conditions), company=self.company)
        if known:
            query = query.exclude(pk__in=known)
        rows = list(query.order_by("pk").values(*spec.fields)[: room + 1])
        if len(rows) > room:
            self.truncated, rows = True, rows[:room]
        self._add(spec, rows)


def document_flow(company: Company, doc_type: str, doc_id: int) -> Flow:
    """The flow of one of the company's documents: every document linked to it, upstream and downstream, and
    the links between them. Another company's document, or none, is NotFound; an unknown type is refused."""
    if doc_type not in TYPES:
        raise ValidationFailed.on(
            "type", gettext("Unknown document type: choose one of %(types)s.") % {"types": ", ".join(TYPES)}
        )
    walk = _Walk(company, (doc_type, doc_id))
    walk.run()
    nodes = {
        (slug, pk): TYPES[slug].node(row, company)
        for slug, rows in walk.rows.items()
        for pk, row in rows.items()
    }
    _purchase_totals(nodes)
    edges = _edges(walk.rows, nodes)
    _rows_of_entries(nodes, edges)
    nodes[walk.start].current = True
    order = {slug: index for index, slug in enumerate(DOWNSTREAM)}
    ordered = sorted(nodes.values(), key=lambda node: (order[node.type], node.date or Date.min, node.id))
    return Flow(walk.start, ordered, edges, walk.truncated)


def _purchase_totals(nodes: dict[Key, Node]) -> None:
    """A purchase order keeps no total: the sum of its rounded lines, as its page shows it (one query)."""
    ids = [pk for doc_type, pk in nodes if doc_type == PURCHASE_ORDER]
    if ids:
        totals = order_totals(ids)
        for pk in ids:
            nodes[(PURCHASE_ORDER, pk)].amount = totals.get(pk, Decimal("0.00"))


def _edges(rows: dict[str, dict[int, Row]], nodes: dict[Key, Node]) -> list[Edge]:
    """The links between the documents found: those a document's own keys give, then those its lines give
    (one query per kind of line, only when both its sides are in the flow)."""
    edges: dict[tuple[Key, Key], Edge] = {}

    def link(source: tuple[str | None, int | None], target: Key, kind: str) -> bool:
        if source not in nodes or target not in nodes or source == target:
            return False
        edges.setdefault((source, target), Edge(source, target, kind))
        return True

    for pk, row in rows[QUOTATION].items():
        if not link((QUOTATION, row["revision_of_id"]), (QUOTATION, pk), "revised_as"):
            link((OPPORTUNITY, row["opportunity_id"]), (QUOTATION, pk), "quoted_in")
    for pk, row in rows[ORDER].items():
        if not link((QUOTATION, row["quotation_id"]), (ORDER, pk), "accepted_into"):
            link((OPPORTUNITY, row["opportunity_id"]), (ORDER, pk), "ordered_in")
    for pk, row in rows[DELIVERY].items():
        if not (
            link((DELIVERY, row["return_of_id"]), (DELIVERY, pk), "returned_by")
            or link((DELIVERY, row["backorder_of_id"]), (DELIVERY, pk), "backordered_as")
        ):
            link((ORDER, row["order_id"]), (DELIVERY, pk), "delivered_by")
    for pk, row in rows[INVOICE].items():
        link((INVOICE, row["corrects_id"]), (INVOICE, pk), "corrected_by")
    for pk, row in rows[RECEIPT].items():
        link((PURCHASE_ORDER, row["order_id"]), (RECEIPT, pk), "received_by")
    for pk, row in rows[DUE].items():
        link(_origin(row), (DUE, pk), "due")
    for pk, row in rows[REMITTANCE].items():
        link((REMITTANCE, pk), (ENTRY, row["entry_id"]), "posted_as")
    for pk, row in rows[PAYMENT].items():
        # A payment a remittance collected is posted by the remittance's entry: drawn from the remittance.
        if not link((REMITTANCE, row["remittance_line__remittance_id"]), (PAYMENT, pk), "collected_as"):
            link((PAYMENT, pk), (ENTRY, row["entry_id"]), "posted_as")
    for pk, row in rows[ENTRY].items():
        if not link((ENTRY, row["reverses_id"]), (ENTRY, pk), "reversed_by"):
            link(_origin(row), (ENTRY, pk), "posted_as")
    for source, target, kind in _line_links(rows):
        link(source, target, kind)
    return list(edges.values())


def _line_links(rows: dict[str, dict[int, Row]]) -> Iterable[tuple[Key, Key, str]]:
    invoices, orders, deliveries = rows[INVOICE], rows[ORDER], rows[DELIVERY]
    if invoices and (orders or deliveries):
        lines = (
            InvoiceLine.objects.filter(invoice_id__in=list(invoices))
            .filter(
                Q(order_line__order_id__in=list(orders)) | Q(delivery_line__delivery_id__in=list(deliveries))
            )
            .values_list("invoice_id", "order_line__order_id", "delivery_line__delivery_id")
            .distinct()
        )
        for invoice_id, order_id, delivery_id in lines:
            invoice = invoices[invoice_id]
            crediting = invoice["kind"] == Invoice.Kind.CREDIT_NOTE
            if delivery_id in deliveries:  # a return's goods credited, or delivered goods billed
                yield (
                    (DELIVERY, delivery_id),
                    (INVOICE, invoice_id),
                    "credited_by" if crediting else "invoiced_by",
                )
            elif order_id in orders and not (crediting and invoice["corrects_id"] in invoices):
                # A credit note is drawn from the invoice it corrects; from the order only when that is not here.
                yield (ORDER, order_id), (INVOICE, invoice_id), "credited_by" if crediting else "invoiced_by"
    dues, payments, remittances = rows[DUE], rows[PAYMENT], rows[REMITTANCE]
    if dues and payments:
        matched = (
            Allocation.objects.filter(due_id__in=list(dues), payment_id__in=list(payments))
            .values_list("due_id", "payment_id")
            .distinct()
        )
        for due_id, payment_id in matched:
            offset = payments[payment_id]["method"] == Payment.Method.OFFSET
            yield (DUE, due_id), (PAYMENT, payment_id), "offset_by" if offset else "paid_by"
    if dues and remittances:
        remitted = (
            RemittanceLine.objects.filter(due_id__in=list(dues), remittance_id__in=list(remittances))
            .values_list("due_id", "remittance_id")
            .distinct()
        )
        for due_id, remittance_id in remitted:
            yield (DUE, due_id), (REMITTANCE, remittance_id), "remitted_in"
    purchase_orders, supplier_invoices = rows[PURCHASE_ORDER], rows[SUPPLIER_INVOICE]
    if orders and purchase_orders:
        sales_order = SalesOrderLine.objects.filter(pk=OuterRef("origin_id")).values("order_id")
        bought = (
            PurchaseOrderLine.objects.filter(
                order_id__in=list(purchase_orders), origin_type=ORDER_LINE_ORIGIN
            )
            .annotate(sales_order=Subquery(sales_order))
            .values_list("sales_order", "order_id")
            .distinct()
        )
        for sales_order_id, purchase_order_id in bought:
            if sales_order_id in orders:
                yield (ORDER, sales_order_id), (PURCHASE_ORDER, purchase_order_id), "bought_for"
    if purchase_orders and supplier_invoices:
        billed = (
            SupplierInvoiceLine.objects.filter(
                invoice_id__in=list(supplier_invoices), purchase_line__order_id__in=list(purchase_orders)
            )
            .values_list("purchase_line__order_id", "invoice_id")
            .distinct()
        )
        for purchase_order_id, invoice_id in billed:
            yield (PURCHASE_ORDER, purchase_order_id), (SUPPLIER_INVOICE, invoice_id), "billed_by"


def _rows_of_entries(nodes: dict[Key, Node], edges: list[Edge]) -> None:
    """An entry is drawn in the row of the document it posts (a supplier invoice's in the purchases' row)."""
    sources = {edge.target: edge.source for edge in edges}
    for key, node in nodes.items():
        if node.type != ENTRY:
            continue
        source, seen = sources.get(key), set()
        while source is not None and source[0] == ENTRY and source not in seen:
            seen.add(source)
            source = sources.get(source)
        if source is not None:
            node.row = nodes[source].row


def may_open(user: User, node: Node) -> bool:
    """Whether the user may open the document's page: its model's view permission, and for opportunities,
    quotations, orders and deliveries being theirs (or seeing everyone's), as those pages decide."""
    if not user.has_perm(node.permission):
        return False
    if node.owners is None:
        return True
    sees_all = sees_everyone(user) if node.type == OPPORTUNITY else sees_all_quotations(user)
    return sees_all or user.pk in node.owners
