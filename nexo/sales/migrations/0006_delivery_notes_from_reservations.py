"""Delivery notes from the reservations of the first sales orders, and whether delivery notes print valued.

Before delivery notes, a confirmed order reserved its stocked lines as single draft moves (origin
"sales_order", one per line, with the line's quantity), which Inventory could post or cancel one by one.
Each order's moves are matched to its stocked lines by item, in position order: a draft move becomes a line
of a draft delivery note (AL series, dated as the order), with the move renamed after it; a move already
posted counts as delivered at the cost it left with, a cancelled one as cancelled. The order's delivery and
invoice states then follow from its lines (nothing was invoiced yet). Plain ORM: SQLite and PostgreSQL.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import migrations, models

OLD_ORIGIN, DELIVERY_ORIGIN = "sales_order", "delivery"
ZERO = Decimal(0)


def _next_number(Sequence, company_id: int, year: int) -> int:
    sequence, _created = Sequence.objects.get_or_create(company_id=company_id, series="AL", year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def _delivery_state(lines: list) -> str:
    """As sales.rules.delivery_state, on the stocked lines (kept here: a migration does not follow the code)."""
    goods = [line for line in lines if line.quantity - line.cancelled > 0]
    if not goods:
        return "nothing"
    if all(line.quantity - line.delivered - line.cancelled <= 0 for line in goods):
        return "delivered"
    if any(line.delivered > 0 for line in goods):
        return "partial"
    return "to_deliver"


def _invoice_state(lines: list, stocked: set[int]) -> str:
    """As sales.rules.invoice_state with nothing invoiced: something billable or to deliver → to invoice."""
    for line in lines:
        if line.pk in stocked:
            if line.delivered - line.returned > 0 or line.quantity - line.delivered - line.cancelled > 0:
                return "to_invoice"
        elif line.quantity - line.cancelled > 0:
            return "to_invoice"
    return "nothing"


def reservations_to_delivery_notes(apps, schema_editor):
    SalesOrder = apps.get_model("sales", "SalesOrder")
    SalesOrderLine = apps.get_model("sales", "SalesOrderLine")
    Delivery = apps.get_model("sales", "Delivery")
    DeliveryLine = apps.get_model("sales", "DeliveryLine")
    StockMove = apps.get_model("inventory", "StockMove")
    Sequence = apps.get_model("core", "Sequence")
    for order in SalesOrder.objects.filter(state="confirmed").order_by("company_id", "date", "id"):
        lines = list(SalesOrderLine.objects.filter(order_id=order.pk).select_related("item").order_by("position", "id"))
        stocked = [line for line in lines if line.item_id and line.item.kind == "stocked"]
        moves = defaultdict(list)
        for move in StockMove.objects.filter(origin_type=OLD_ORIGIN, origin_id=order.pk).order_by("id"):
            moves[move.item_id].append(move)
        drafts = []
        for line in stocked:
            if not moves[line.item_id]:
                continue
            move = moves[line.item_id].pop(0)
            if move.state == "done":
                line.delivered += move.quantity
                line.delivered_cost += move.value or ZERO
            elif move.state == "cancelled":
                line.cancelled += move.quantity
            else:
                drafts.append((line, move))
            line.save(update_fields=["delivered", "delivered_cost", "cancelled"])
        if drafts:
            number = f"AL-{order.date.year}-{_next_number(Sequence, order.company_id, order.date.year):05d}"
            delivery = Delivery.objects.create(
                company_id=order.company_id, number=number, kind="delivery", order_id=order.pk,
                party_id=order.party_id, warehouse_id=order.warehouse_id, date=order.date, state="draft",
                created_by_id=order.created_by_id, updated_by_id=order.created_by_id,
            )  # fmt: skip
            for position, (line, move) in enumerate(drafts, start=1):
                DeliveryLine.objects.create(
                    delivery_id=delivery.pk, order_line_id=line.pk, position=position, item_id=line.item_id,
                    quantity=move.quantity, move_id=move.pk,
                )  # fmt: skip
                move.origin_type, move.origin_id = DELIVERY_ORIGIN, delivery.pk
                move.origin_label = f"{number} ({order.number})"[:60]
                move.save(update_fields=["origin_type", "origin_id", "origin_label"])
        stocked_ids = {line.pk for line in stocked}
        order.delivery_state = _delivery_state(stocked)
        order.invoice_state = _invoice_state(lines, stocked_ids)
        order.delivered_cost = sum((line.delivered_cost for line in lines), ZERO)
        order.save(update_fields=["delivery_state", "invoice_state", "delivered_cost"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_state_change"),
        ("inventory", "0001_initial"),
        ("sales", "0005_deliveries_order_fulfilment"),
    ]

    operations = [
        migrations.AddField(
            model_name="salessettings",
            name="delivery_note_valued",
            field=models.BooleanField(default=True, verbose_name="valued delivery notes"),
        ),
        migrations.RunPython(reservations_to_delivery_notes, migrations.RunPython.noop),
    ]
