"""The document-flow page — a document's whole chain drawn as a graph on the server (SVG: one column per
stage, the purchases made for the sale on their own row, an arrow from each document to its successor) and
listed in a table for screen readers and narrow screens — and the panel that links every document's page to
it. The documents and their links are `services.flow`'s; this module only places them."""

from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.core.permissions import page
from nexo.insight.services import flow
from nexo.insight.services.flow import (
    DELIVERY,
    DUE,
    ENTRY,
    INVOICE,
    OPPORTUNITY,
    ORDER,
    PAYMENT,
    PURCHASE_ORDER,
    PURCHASES_ROW,
    QUOTATION,
    RECEIPT,
    REMITTANCE,
    SUPPLIER_INVOICE,
    Flow,
    Node,
)

#: The stage (column) of each type, left to right; an entry stands right after the document it posts.
STAGES = {
    OPPORTUNITY: 0, QUOTATION: 1, ORDER: 2, DELIVERY: 3, PURCHASE_ORDER: 3, INVOICE: 4, RECEIPT: 4,
    SUPPLIER_INVOICE: 4, DUE: 5, PAYMENT: 6, REMITTANCE: 6,
}  # fmt: skip
ENTRY_STAGE = 5  # an entry whose document is not in the flow
PLURALS = {
    OPPORTUNITY: gettext_lazy("Opportunities"), QUOTATION: gettext_lazy("Quotations"),
    ORDER: gettext_lazy("Sales orders"), DELIVERY: gettext_lazy("Delivery notes"),
    INVOICE: gettext_lazy("Invoices"), DUE: gettext_lazy("Due amounts"), PAYMENT: gettext_lazy("Payments"),
    REMITTANCE: gettext_lazy("Remittances"), ENTRY: gettext_lazy("Journal entries"),
    PURCHASE_ORDER: gettext_lazy("Purchase orders"), RECEIPT: gettext_lazy("Receipts"),
    SUPPLIER_INVOICE: gettext_lazy("Supplier invoices"),
}  # fmt: skip

# The drawing's measures, in CSS pixels: a node's box, the gaps between columns and between boxes, the
# column titles' line height, the gap above the purchases' row and the room an arc takes right of a column.
BOX_WIDTH, BOX_HEIGHT, COLUMN_GAP, BOX_GAP = 164, 80, 40, 14
TITLE_LINE, BAND_GAP, MARGIN = 16, 36, 12
# What fits on a box's lines (mono 12 px for the number, 11-12 px for the rest).
NUMBER_CHARACTERS, TEXT_CHARACTERS, TITLE_CHARACTERS = 20, 24, 21


@dataclass
class Box:
    node: Node
    url: str | None
    column: int
    x: int = 0
    y: int = 0
    kind: str = ""
    number: str = ""
    state: str = ""
    sources: list = field(default_factory=list)

    @property
    def right(self) -> int:
        return self.x + BOX_WIDTH

    @property
    def middle(self) -> int:
        return self.y + BOX_HEIGHT // 2


@dataclass
class Arrow:
    path: str
    text: str


@dataclass
class Heading:
    """A column's title over one row of the drawing: the kinds of document under it, one a line."""

    center: int
    top: int
    lines: list[str]


@dataclass
class Drawing:
    width: int
    height: int
    headings: list[Heading]
    boxes: list[Box]
    arrows: list[Arrow]
    #: Where the purchases' row begins (a line and its name are drawn there), None without one.
    purchases_top: int | None
    #: Each column's kinds of document, in both rows: the table's groups.
    column_titles: dict[int, str]
    box_width: int = BOX_WIDTH
    box_height: int = BOX_HEIGHT


def _cut(text: str, characters: int) -> str:
    return text if len(text) <= characters else text[: characters - 1] + "…"


def _stages(found: Flow) -> dict[tuple, int]:
    """Each document's stage; an entry's is the one after its document's (a reversal's, its original's)."""
    sources: dict[tuple, tuple] = {}
    for edge in found.edges:
        sources.setdefault(edge.target, edge.source)
    stages = {}
    for node in found.nodes:
        if node.type != ENTRY:
            stages[node.key] = STAGES[node.type]
            continue
        key, seen = node.key, set()
        while key[0] == ENTRY and key in sources and key not in seen:
            seen.add(key)
            key = sources[key]
        stages[node.key] = ENTRY_STAGE if key[0] == ENTRY else STAGES[key[0]] + 1
    return stages


def _titles(boxes: list[Box]) -> dict[int, list[str]]:
    titles: dict[int, list[str]] = {}
    for box in boxes:
        lines = titles.setdefault(box.column, [])
        if str(PLURALS[box.node.type]) not in lines:
            lines.append(str(PLURALS[box.node.type]))
    return titles


def layout(found: Flow, urls: dict[tuple, str | None]) -> Drawing:
    """Where each box, title and arrow goes. Columns without a document are left out. The sale's documents
    come first; the purchases made for it form a row of their own below, with their own column titles."""
    stages = _stages(found)
    column_of = {stage: index for index, stage in enumerate(sorted(set(stages.values())))}
    boxes = [Box(node, urls.get(node.key), column_of[stages[node.key]]) for node in found.nodes]
    pitch = BOX_HEIGHT + BOX_GAP
    headings: list[Heading] = []
    top, purchases_top = MARGIN, None
    for band in (flow.SALES_ROW, PURCHASES_ROW):
        members = [box for box in boxes if box.node.row == band]
        if not members:
            continue
        if top > MARGIN:  # the purchases, below the sale
            top += BAND_GAP
            purchases_top = top
        titles = _titles(members)
        for column, lines in titles.items():
            headings.append(Heading(_left(column) + BOX_WIDTH // 2, top, lines))
        top += max(len(lines) for lines in titles.values()) * TITLE_LINE + BOX_GAP // 2
        counts: dict[int, int] = {}
        for box in members:
            index = counts.get(box.column, 0)
            counts[box.column] = index + 1
            box.x, box.y = _left(box.column), top + index * pitch
        top += max(counts.values()) * pitch
    for box in boxes:
        box.kind = _cut(box.node.label, TEXT_CHARACTERS)
        # An opportunity goes by its title, in letters; the rest by their numbers, in a monospaced font.
        box.number = _cut(
            box.node.number, TITLE_CHARACTERS if box.node.type == OPPORTUNITY else NUMBER_CHARACTERS
        )
        box.state = _cut(box.node.state_label, TEXT_CHARACTERS)
    by_key = {box.node.key: box for box in boxes}
    arrows = []
    for edge in found.edges:
        source, target = by_key[edge.source], by_key[edge.target]
        target.sources.append((source, edge.label))
        text = _("%(source)s %(link)s %(target)s") % {
            "source": source.node.number, "link": edge.label, "target": target.node.number,
        }  # fmt: skip
        arrows.append(Arrow(_arrow_path(source, target), text))
    width = _left(len(column_of)) - COLUMN_GAP // 2 + MARGIN
    sale_first = sorted(boxes, key=lambda box: box.node.row != flow.SALES_ROW)
    column_titles = {column: " · ".join(lines) for column, lines in sorted(_titles(sale_first).items())}
    return Drawing(width, top + MARGIN, headings, boxes, arrows, purchases_top, column_titles)


def _left(column: int) -> int:
    return MARGIN + column * (BOX_WIDTH + COLUMN_GAP)


def _arrow_path(source: Box, target: Box) -> str:
    """A curve from the source's right side to the target's left side; between two boxes of one column, an
    arc on the column's right; backwards, from the source's left side to the target's right side."""
    if target.column > source.column:
        start, end = (source.right, source.middle), (target.x - 2, target.middle)
        bend = (start[0] + end[0]) // 2
        return f"M{start[0]},{start[1]} C{bend},{start[1]} {bend},{end[1]} {end[0]},{end[1]}"
    if target.column == source.column:
        reach = source.right + COLUMN_GAP // 2 + min(abs(target.y - source.y) // 20, COLUMN_GAP // 4)
        start, end = (source.right, source.middle), (target.right + 2, target.middle)
        return f"M{start[0]},{start[1]} C{reach},{start[1]} {reach},{end[1]} {end[0]},{end[1]}"
    start, end = (source.x, source.middle), (target.right + 2, target.middle)
    bend = (start[0] + end[0]) // 2
    return f"M{start[0]},{start[1]} C{bend},{start[1]} {bend},{end[1]} {end[0]},{end[1]}"


def opened_by(request: HttpRequest, found: Flow) -> dict[tuple, str | None]:
    """Each document's page, or None where the user may not open it."""
    return {node.key: node.url if flow.may_open(request.user, node) else None for node in found.nodes}


@page()
def flow_view(request: HttpRequest, doc_type: str, doc_id: int) -> HttpResponse:
    if doc_type not in flow.TYPES:
        raise Http404(_("No such kind of document."))
    found = flow.document_flow(request.company, doc_type, doc_id)
    current = found.node(found.start)
    # Where the document itself may not be opened, its flow is as unknown as its page.
    if not flow.may_open(request.user, current):
        raise Http404(_("No such document."))
    drawing = layout(found, opened_by(request, found))
    groups: dict[int, list[Box]] = {}
    for box in sorted(drawing.boxes, key=lambda box: (box.column, box.y)):
        groups.setdefault(box.column, []).append(box)
    context = {
        "title": _("Document flow of %(document)s") % {"document": current.number},
        "flow": found,
        "current": current,
        "drawing": drawing,
        "groups": [(drawing.column_titles[column], boxes) for column, boxes in groups.items()],
    }
    return render(request, "insight/flow.html", context)


def document_panel(request: HttpRequest, model_label: str, document) -> dict | None:
    """A link to the document's flow on its page; no query. None for documents the flow does not know."""
    doc_type = flow.TYPE_OF_MODEL.get(model_label)
    if doc_type is None or getattr(document, "pk", None) is None:
        return None
    return {
        "template": "insight/flow_panel.html",
        "url": reverse("insight:flow", args=[doc_type, document.pk]),
    }


urlpatterns = [path("flow/<slug:doc_type>/<id:doc_id>/", flow_view, name="flow")]
