"""What the quotation pages share: a line made ready for its row, the labels of cost sources, the editor's
context."""

from datetime import date as Date
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from nexo.catalog.rule_text import price_text
from nexo.core.formatting import number
from nexo.crm.queries import sales_users, sees_everyone
from nexo.sales import queries
from nexo.sales.forms import HeaderForm, RejectForm, SendForm, input_number
from nexo.sales.models import Quotation, QuotationLine, SalesOrder

SOURCE_LABELS = {
    "fifo": _("FIFO"),
    "average": _("Average"),
    "last_purchase": _("Last purchase"),
    "standard": _("Standard"),
    "supplier_price": _("Supplier price"),
    "none": _("No cost"),
}
# Short names for the narrow cost column; the full name is the tooltip.
SOURCE_SHORT = {
    "fifo": _("FIFO"),
    "average": _("AVG"),
    "last_purchase": _("LAST"),
    "standard": _("STD"),
    "supplier_price": _("SUPP"),
    "none": _("NONE"),
}
COST_PLACES = 4  # unit costs are kept with 6 decimals and shown with 4
BASIS_LABELS = {
    "average": _("Average"),
    "fifo": _("FIFO"),
    "last_purchase": _("Last purchase"),
    "supplier_price": _("Best supplier price"),
}


# The send-again form's fields are named apart from the send form's.
RESEND_PREFIX = "resend"

ROW_LABELS = {
    "item": _("Item (SKU)"), "description": _("Description"), "quantity": _("Quantity"),
    "unit_price": _("Unit price"), "discount": _("Discount %"), "delete": _("Delete the line"),
    "parts": _("How the cost was made"), "qty": _("Qty"), "unit_cost": _("Unit cost"), "from": _("From"),
    "date": _("Date"), "no_cost": _("No stock and no supplier price: no cost."), "frozen": _("Frozen on"),
    "tax": _("Tax category"), "value": _("Value"), "line_cost": _("Line cost"),
    "rounding": _("Rounding of the unit cost"), "available": _("avail."),
    "available_help": _("Stock available in the quotation's warehouse: on hand - reserved + on order"),
    "net_after": _("after disc."),
    "net_after_help": _("The line's net after its share of the document discount (see the totals)"),
}  # fmt: skip


def row_labels() -> dict[str, str]:
    """The words every line row repeats, translated once per page rather than once per row."""
    return {key: str(label) for key, label in ROW_LABELS.items()}


def can_edit(request: HttpRequest, quotation: Quotation) -> bool:
    return quotation.state == Quotation.State.DRAFT and request.user.has_perm("sales.change_quotation")


def cost_text(value: Decimal | None) -> str:
    """A unit cost as screens show it: 4 decimals (empty for none)."""
    return number(value, COST_PLACES) if value is not None else ""


def sources_label(sources: list[str], labels: dict = SOURCE_LABELS, joint: str = " + ") -> str:
    """Where a cost came from, every part's source in order: "FIFO + Supplier price"."""
    return joint.join(str(labels.get(source, source)) for source in sources)


def _part(part: dict) -> dict:
    day = part.get("date")
    return {
        "quantity": Decimal(part.get("quantity") or 0),
        "unit_cost_text": cost_text(Decimal(part.get("unit_cost") or 0)),
        "value": Decimal(part.get("value") or 0),
        "source": SOURCE_LABELS.get(part.get("source", ""), part.get("source", "")),
        "reference": part.get("reference", ""),
        "date": Date.fromisoformat(day) if day else None,
    }


def cost_texts(line) -> None:
    """What a line shows of its cost and price: the names of its cost's sources (every part's, so a line
    costed partly from FIFO layers and partly from a supplier price says "FIFO + Supplier price"), the unit
    price as written and the unit cost with 4 decimals."""
    sources = queries.cost_sources(getattr(line, "cost_parts", None)) or [line.cost_source]
    line.source_label = sources_label(sources)
    line.source_short = sources_label(sources, SOURCE_SHORT, "+")
    line.unit_price_text = price_text(line.unit_price)
    line.unit_cost_text = cost_text(line.unit_cost)


def previous_version(versions: list[Quotation], quotation: Quotation) -> Quotation | None:
    return next((version for version in reversed(versions) if version.version < quotation.version), None)


def ready(line: QuotationLine, typed: dict | None = None, errors: dict | None = None) -> QuotationLine:
    """A line with what its row shows: its inputs (as typed, when a change was refused), its errors, the
    label of its cost source and the parts its cost was made of."""
    typed = typed or {}
    line.inputs = {
        "item": line.item.sku if line.item_id else "",
        "description": line.description,
        "quantity": input_number(line.quantity),
        "unit_price": input_number(line.unit_price, 2) if line.price_locked or line.unit_price else "",
        "discount": input_number(line.discount),
        "tax_category": str(line.tax_category_id or ""),
    } | typed
    line.errors = errors or {}
    cost_texts(line)
    line.list_price_text = price_text(line.list_price) if line.list_price is not None else ""
    line.parts = [_part(part) for part in line.cost_parts or []]
    # The detail adds up to the line's cost: what rounding the unit cost left over is shown as such.
    parts_value = sum((part["value"] for part in line.parts), Decimal(0))
    line.parts_rounding = line.cost - parts_value if line.parts and line.unit_cost is not None else Decimal(0)
    line.shows_list_price = (
        line.price_locked and line.list_price is not None and line.list_price != line.unit_price
    )
    return line


def with_available(quotation: Quotation, lines: list) -> list:
    """The lines, each given `availability` (on hand, reserved, on order, next receipt) and `available`: its
    item's stock in the quotation's warehouse (on hand - reserved + on order), None for a free-text line or a
    service. One query for all of them."""
    available = queries.stock_available(
        quotation.company_id, quotation.warehouse_id, [line.item_id for line in lines]
    )
    for line in lines:
        line.availability = available.get(line.item_id)
        line.available = line.availability.available if line.availability else None
        line.is_short = line.available is not None and line.available < line.quantity
    return lines


def header_form(request: HttpRequest, quotation: Quotation, data=None) -> HeaderForm:
    salespeople = sales_users(request.company) if sees_everyone(request.user) else None
    return HeaderForm(data, instance=quotation, company=request.company, salespeople=salespeople)


def page_context(request: HttpRequest, quotation: Quotation, **extra) -> dict:
    """The quotation's page: the editor for a draft the user may change, the read-only document otherwise."""
    editable = can_edit(request, quotation)
    lines = with_available(quotation, [ready(line) for line in queries.editor_lines(quotation)])
    order = (
        SalesOrder.objects.filter(quotation=quotation).only("pk", "number").first()
        if quotation.state == Quotation.State.ACCEPTED
        else None
    )
    versions = queries.versions_of(request.user, quotation)
    context = {
        "quotation": quotation,
        "lines": lines,
        "editable": editable,
        "may_act": request.user.has_perm("sales.change_quotation"),
        "header_form": header_form(request, quotation) if editable else None,
        "send_form": SendForm(initial={"to": quotation.party.email}),
        "resend_form": SendForm(prefix=RESEND_PREFIX, initial={"to": quotation.sent_to})
        if quotation.email_status == Quotation.EmailStatus.FAILED
        else None,
        "reject_form": RejectForm(),
        "order": order,
        "versions": versions,
        "is_latest": bool(versions) and versions[-1].pk == quotation.pk,
        "previous": previous_version(versions, quotation),
        "title": str(quotation),
        "labels": row_labels(),
        "taxes": queries.tax_options(request.company, quotation.date) if editable else [],
    }
    return context | extra
