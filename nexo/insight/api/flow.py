"""/flow/{type}/{id}: a document's flow — every document linked to it, upstream to its origin and downstream
to its payments and entries — as nodes and directed edges (services.flow). Read only."""

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema

from nexo.core.api import Endpoints, MoneyOut, RecordId
from nexo.core.errors import NotFound
from nexo.insight.services import flow

endpoints = Endpoints()

DocumentType = Literal[tuple(flow.TYPES)]  # type: ignore[valid-type]
EdgeKind = Literal[tuple(flow.EDGE_LABELS)]  # type: ignore[valid-type]
TYPE_ABOUT = (
    "The document's type: opportunity, quotation, order (sales order), delivery (delivery note or return), "
    "invoice (invoice or credit note), entry (journal entry), due (due amount), payment, remittance (SEPA), "
    "purchase-order, receipt (goods receipt) or supplier-invoice."
)


def _key(key: tuple[str, int]) -> str:
    return f"{key[0]}:{key[1]}"


class FlowNodeOut(Schema):
    key: str = Field(description="`type:id`, as the edges name it", examples=["invoice:12"])
    type: DocumentType
    id: int
    label: str = Field(description="What the document is, in the reader's language (Credit note, Return…)")
    number: str = Field(
        description="Its number (an opportunity's title, a due amount's document and installment)"
    )
    state: str = Field(description="Its state's code; empty for a goods receipt, which has none")
    state_label: str
    date: date | None
    amount: MoneyOut | None = Field(
        description="Its total (a due amount's, a payment's amount; an opportunity's expected amount); "
        "null for delivery notes and goods receipts"
    )
    currency: str = Field(description="Of the amount; empty when there is none")
    url: str | None = Field(description="Its page; null when the user may not open it")
    current: bool = Field(description="The document the flow was asked for")


class FlowEdgeOut(Schema):
    source: str = Field(description="The earlier document's key")
    target: str = Field(description="The document that followed from it")
    kind: EdgeKind
    label: str = Field(description="The link in words, read from source to target: `delivered by`")


class FlowOut(Schema):
    start: str
    nodes: list[FlowNodeOut]
    edges: list[FlowEdgeOut]
    truncated: bool = Field(description="The chain holds more than the flow shows (one page's worth)")


def _node_body(request: HttpRequest, node: flow.Node) -> dict:
    return {
        "key": _key(node.key), "type": node.type, "id": node.id, "label": node.label, "number": node.number,
        "state": node.state, "state_label": node.state_label, "date": node.date, "amount": node.amount,
        "currency": node.currency if node.amount is not None else "",
        "url": node.url if flow.may_open(request.user, node) else None, "current": node.current,
    }  # fmt: skip


def flow_body(request: HttpRequest, found: flow.Flow) -> dict:
    return {
        "start": _key(found.start),
        "nodes": [_node_body(request, node) for node in found.nodes],
        "edges": [
            {
                "source": _key(edge.source),
                "target": _key(edge.target),
                "kind": edge.kind,
                "label": str(edge.label),
            }
            for edge in found.edges
        ],
        "truncated": found.truncated,
    }


@endpoints.get(
    "/flow/{doc_type}/{doc_id}", FlowOut, perm=(),
    summary="A document's flow: every document linked to it, upstream and downstream",
    description="From any document of a sale or a purchase, the whole chain it belongs to: the opportunity, "
    "the quotation's versions, the order, its deliveries and returns, invoices and credit notes, journal "
    "entries, due amounts, payments and remittances, and the purchase orders, receipts and supplier "
    "invoices bought for it; each with its state and amount, and the links between them (edges from a "
    "document to the one that followed it). Another company's document, or one the user may not open, is "
    "a 404; an unknown type a 422.",
)  # fmt: skip
def flow_read(
    request: HttpRequest,
    doc_type: Annotated[DocumentType, Path(description=TYPE_ABOUT)],
    doc_id: RecordId,
):
    found = flow.document_flow(request.company, doc_type, doc_id)
    if not flow.may_open(request.user, found.node(found.start)):
        raise NotFound(_("No such document."))
    return flow_body(request, found)
