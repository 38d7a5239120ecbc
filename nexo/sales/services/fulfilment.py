"""An order's fulfilment figures: its delivery and invoice states, and the realised cost and net, refreshed
from its lines by the services that change them (deliveries, returns, invoices, credit notes) in their own
transaction, under the order's row lock."""

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from nexo.catalog.models import Item
from nexo.core.models import User
from nexo.core.states import state_change
from nexo.sales import rules
from nexo.sales.models import SalesOrder, SalesOrderLine

ZERO = Decimal(0)


def line_fulfilment(line: SalesOrderLine, stocked: bool | None = None) -> rules.LineFulfilment:
    """The line's quantities for sales.rules; `stocked` when known (else read from its item)."""
    if stocked is None:
        stocked = bool(line.item_id) and line.item.kind == Item.Kind.STOCKED
    return rules.LineFulfilment(
        stocked=stocked, ordered=line.quantity, delivered=line.delivered, returned=line.returned,
        invoiced=line.invoiced, cancelled=line.cancelled,
    )  # fmt: skip


def order_refresh(order: SalesOrder, by: User | None = None) -> SalesOrder:
    """Recompute the order's delivery and invoice states and its realised figures from its lines (two
    queries), and lock it (done) once fully delivered and invoiced. The caller holds the order's lock."""
    lines = list(order.lines.select_related("item"))
    figures = [line_fulfilment(line) for line in lines]
    order.delivery_state = rules.delivery_state(figures)
    order.invoice_state = rules.invoice_state(figures)
    totals = order.lines.aggregate(cost=Sum("delivered_cost"), net=Sum("invoiced_net"))
    order.delivered_cost = totals["cost"] or ZERO
    order.invoiced_net = totals["net"] or ZERO
    fields = ["delivery_state", "invoice_state", "delivered_cost", "invoiced_net", "updated_at"]
    if order.state == SalesOrder.State.CONFIRMED and order.invoice_state == rules.INVOICED:
        state_change(order, SalesOrder.State.DONE, lifecycle=rules.SALES_ORDER_LIFECYCLE, by=by)
        fields.append("state")
    if by is not None:
        order.updated_by = by
        fields.append("updated_by")
    order.updated_at = timezone.now()
    order.save(update_fields=fields)
    return order
