"""Delivery notes (albaranes): validating a draft (its moves posted at valuation cost, each line's cost of
goods sold kept, what is not delivered left on a backorder or cancelled), returns at the cost the goods
left with, and cancelling what an order still has to deliver (docs/modules/sales.md, "Delivery notes").

Every service locks the sales order first, then its delivery notes, then (through inventory's services) the
moves, stock balances and quants: two actions on one order queue on the order's row, and the order's line
quantities (delivered, returned, cancelled, and invoiced by invoicing) change only under that lock.
Each reads and writes a fixed number of queries whatever the number of lines (FIFO issues read the layers
they consume, per item: inventory's ledger).
"""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date as Date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.core import plainsql
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.formatting import number
from nexo.core.models import Company, User
from nexo.core.states import state_change, states_change
from nexo.core.validation import MAX_ID, decimal_of, locked
from nexo.inventory import services as inventory
from nexo.inventory.models import StockMove
from nexo.sales import rules
from nexo.sales.models import Delivery, DeliveryLine, SalesOrder, SalesOrderLine
from nexo.sales.queries import delivery_lines_available
from nexo.sales.services.fulfilment import line_fulfilment, order_refresh
from nexo.sales.services.orders import DELIVERY_ORIGIN, delivery_number, delivery_origin

ZERO = Decimal(0)
QUANTUM = Decimal("0.0001")
MAX_QUANTITY = Decimal("1e12")


def _locked_order_and_delivery(company: Company, delivery_id: int) -> tuple[SalesOrder, Delivery]:
    """The delivery's order, then the delivery, row-locked in that order (another company's id: 404)."""
    missing = _("No such delivery note.")
    if type(delivery_id) is not int or not 0 < delivery_id <= MAX_ID:
        raise NotFound(missing)
    order_id = (
        Delivery.objects.filter(company=company, pk=delivery_id).values_list("order_id", flat=True).first()
    )
    if order_id is None:
        raise NotFound(missing)
    order = locked(SalesOrder, company=company, pk=order_id, missing=missing)
    order.company = company
    delivery = locked(Delivery, company=company, pk=delivery_id, missing=missing)
    delivery.company = company
    return order, delivery


def _quantity(value, field: str) -> Decimal:
    """A quantity typed for a line: zero or more, at most 4 decimals and 12 digits."""
    quantity = decimal_of(value, field)
    if quantity < 0:
        raise ValidationFailed.on(field, _("The quantity cannot be negative."))
    if quantity != quantity.quantize(QUANTUM) or quantity >= MAX_QUANTITY:
        raise ValidationFailed.on(field, _("Use at most 4 decimals and 12 digits."))
    return quantity


def _lines_of(delivery: Delivery) -> list[DeliveryLine]:
    """The delivery's lines with their order lines and moves (one query)."""
    return list(
        DeliveryLine.objects.filter(delivery_id=delivery.pk)
        .select_related("order_line", "move", "item")
        .order_by("position", "id")
    )


def _unknown_lines(quantities: Mapping, lines: list[DeliveryLine]) -> None:
    known = {line.pk for line in lines}
    for key in quantities:
        if key not in known:
            raise ValidationFailed.on(f"quantities.{key}", _("This line is not on the delivery note."))


def default_quantities(
    lines: list[DeliveryLine], on_hand: Mapping[int, Decimal], allow_negative: bool
) -> dict[int, Decimal]:
    """What validating delivers when no quantities are given: each line's quantity, as far as the stock at
    its location goes (lines of one item sharing it in their order); everything when stock may go negative.
    `on_hand` is delivery_lines_available's answer (by line id)."""
    if allow_negative:
        return {line.pk: line.quantity for line in lines}
    taken: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    chosen = {}
    for line in lines:
        key = (line.item_id, line.move.from_location_id)
        left = max(on_hand.get(line.pk, ZERO) - taken[key], ZERO)
        chosen[line.pk] = min(line.quantity, left)
        taken[key] += chosen[line.pk]
    return chosen


def _check_available(lines: list[DeliveryLine], chosen: dict[int, Decimal], on_hand: Mapping[int, Decimal]):
    """Refuse delivering more than the stock at a line's location (lines of one item added up)."""
    asked: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for line in lines:
        key = (line.item_id, line.move.from_location_id)
        asked[key] += chosen[line.pk]
        if chosen[line.pk] > 0 and asked[key] > on_hand.get(line.pk, ZERO):
            raise Conflict(
                _("Not enough stock of %(sku)s: %(on_hand)s on hand, %(asked)s to deliver.")
                % {
                    "sku": line.item.sku,
                    "on_hand": number(on_hand.get(line.pk, ZERO)),
                    "asked": number(asked[key]),
                }
            )


def delivery_validate(
    *,
    company: Company,
    by: User,
    delivery_id: int,
    quantities: Mapping[int, Decimal] | None = None,
    backorder: bool = True,
    date: Date | None = None,
) -> Delivery:
    """Validate a draft delivery note: deliver `quantities` (by delivery line id; None: everything
    available, each line's quantity as far as the stock at its location goes), in one transaction.

    The delivered quantities' moves are posted at `date` (today by default) through inventory, which values
    them by each item's method: each line keeps that cost of goods sold (unit cost and cost), the delivery
    their sum. What is not delivered goes, with `backorder`, on a new draft delivery note (a line of 0
    moves there whole; a partial line's rest on a new draft move), else it is cancelled (no longer to
    deliver: its reservation released). The order lines' delivered quantities and costs and the order's
    states follow. Refused, changing nothing: a delivery that is not a draft (409), a quantity negative or
    above its line (422), above the stock (409, unless the company allows negative stock), or nothing
    delivered at all (409). Locks the order, the delivery, then what posting moves locks."""
    with transaction.atomic():
        order, delivery = _locked_order_and_delivery(company, delivery_id)
        if delivery.kind != Delivery.Kind.DELIVERY or delivery.state != Delivery.State.DRAFT:
            raise Conflict(
                _("Delivery note %(delivery)s is %(state)s: only a draft is validated.")
                % {"delivery": delivery.number, "state": delivery.get_state_display().lower()}
            )
        lines = _lines_of(delivery)
        if not lines or any(line.move is None or line.move.state != StockMove.State.DRAFT for line in lines):
            raise Conflict(_("Delivery note %(delivery)s has no goods to deliver.") % {"delivery": delivery})
        allow_negative = inventory.settings_of(company).allow_negative_stock
        on_hand = delivery_lines_available(company, delivery, lines)
        if quantities is None:
            chosen = default_quantities(lines, on_hand, allow_negative)
        else:
            _unknown_lines(quantities, lines)
            chosen = {}
            for line in lines:
                field = f"quantities.{line.pk}"
                chosen[line.pk] = _quantity(quantities.get(line.pk, ZERO), field)
                if chosen[line.pk] > line.quantity:
                    raise ValidationFailed.on(
                        field,
                        _("At most %(quantity)s of %(sku)s is on this delivery note.")
                        % {"quantity": number(line.quantity), "sku": line.item.sku},
                    )
        if all(quantity == 0 for quantity in chosen.values()):
            raise Conflict(
                _("Nothing to deliver: give a quantity above zero for at least one line.")
                if quantities is not None
                else _("Nothing to deliver: none of its goods is in stock.")
            )
        if not allow_negative:
            _check_available(lines, chosen, on_hand)
        day = date or timezone.localdate()
        delivered = [line for line in lines if chosen[line.pk] > 0]
        # What is not delivered: (line, quantity left, whether the line delivers nothing and moves whole).
        rest = [
            (line, line.quantity - chosen[line.pk], chosen[line.pk] == 0)
            for line in lines
            if chosen[line.pk] < line.quantity
        ]

        # The moves leave with the quantities delivered, on the day of the delivery.
        posted = [line.move for line in delivered]
        for line in delivered:
            line.move.quantity, line.move.date = chosen[line.pk], day
        plainsql.update(StockMove, posted, ["quantity", "date"])
        done = {
            move.pk: move
            for move in inventory.stock_moves_post(
                company=company, by=by, move_ids=[move.pk for move in posted], document=DELIVERY_ORIGIN
            )
        }
        for line in delivered:
            move = done[line.move_id]
            line.quantity, line.unit_cost, line.cost = move.quantity, move.unit_cost, move.value or ZERO
        plainsql.update(DeliveryLine, delivered, ["quantity", "unit_cost", "cost"])

        if rest and backorder:
            _backorder(company, by, order, delivery, rest, day)
        elif rest:
            _cancel_rest(company, by, rest)

        by_order_line = {line.order_line_id: line.order_line for line in lines}
        for line in delivered:
            order_line = by_order_line[line.order_line_id]
            order_line.delivered += line.quantity
            order_line.delivered_cost += line.cost
        if not backorder:
            for line, left, _moves_whole in rest:
                by_order_line[line.order_line_id].cancelled += left
        plainsql.update(
            SalesOrderLine, list(by_order_line.values()), ["delivered", "delivered_cost", "cancelled"]
        )

        state_change(
            delivery, Delivery.State.DONE, lifecycle=rules.DELIVERY_LIFECYCLE, by=by,
            refused=_("Delivery note %(record)s is %(state)s: only a draft is validated."),
        )  # fmt: skip
        delivery.date, delivery.done_at, delivery.done_by = day, timezone.now(), by
        delivery.cost = sum((line.cost for line in delivered), ZERO)
        delivery.updated_by = by
        delivery.save(
            update_fields=["state", "date", "done_at", "done_by", "cost", "updated_by", "updated_at"]
        )
        order_refresh(order, by)
        return delivery


def _backorder(
    company: Company, by: User, order: SalesOrder, delivery: Delivery, rest: list, day: Date
) -> Delivery:
    """A new draft delivery note with what was not delivered: lines delivering nothing move there whole
    (with their draft move), a partial line's rest on a new draft move of its own."""
    backorder = Delivery.objects.create(
        company=company, number=delivery_number(company.pk, day), order=order, party_id=delivery.party_id,
        warehouse_id=delivery.warehouse_id, date=day, backorder_of=delivery, notes=delivery.notes,
        created_by=by, updated_by=by,
    )  # fmt: skip
    origin = delivery_origin(backorder, order)
    whole = [line for line, _left, moves_whole in rest if moves_whole]
    partial = [(line, left) for line, left, moves_whole in rest if not moves_whole]
    for line in whole:
        line.delivery_id = backorder.pk
        line.move.origin_id, line.move.origin_label = origin.id, origin.label[:60]
    plainsql.update(DeliveryLine, whole, ["delivery"])
    plainsql.update(StockMove, [line.move for line in whole], ["origin_id", "origin_label"])
    if partial:
        moves = inventory.moves_create(
            company=company, by=by, date=day, origin=origin,
            lines=[
                inventory.MoveLine(line.item_id, left, line.move.from_location_id, line.move.to_location_id)
                for line, left in partial
            ],
        )  # fmt: skip
        DeliveryLine.objects.bulk_create([
            DeliveryLine(
                delivery=backorder, order_line_id=line.order_line_id, position=line.position,
                item_id=line.item_id, quantity=left, move=move,
            )
            for (line, left), move in zip(partial, moves, strict=True)
        ])  # fmt: skip
    return backorder


def _cancel_rest(company: Company, by: User, rest: list) -> None:
    """What is not delivered and not kept on a backorder: lines delivering nothing leave the delivery note
    and their draft moves are cancelled (a partial line's move already left with what was delivered)."""
    whole = [line for line, _left, moves_whole in rest if moves_whole]
    if whole:
        inventory.stock_moves_cancel(
            company=company, by=by, move_ids=[line.move_id for line in whole], document=DELIVERY_ORIGIN
        )
        DeliveryLine.objects.filter(pk__in=[line.pk for line in whole]).delete()


def delivery_return(
    *,
    company: Company,
    by: User,
    delivery_id: int,
    quantities: Mapping[int, Decimal],
    reason: str,
    date: Date | None = None,
) -> Delivery:
    """Goods of a validated delivery note coming back from the customer: a return note (kind return, done
    at once) whose lines (`quantities` by the delivered line's id) enter the stock location they left at
    the unit cost they left with, so stock and valuation come back as they were. The order lines' returned
    quantities grow and their cost of goods delivered shrinks by that cost. Refused, changing nothing: no
    reason, a delivery that is not a validated delivery (409), a quantity of zero, or above what the line
    delivered less what was already returned of it (422). Locks the order, the delivery, then what posting
    moves locks."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.on("reason", _("Say why the goods come back."))
    if len(reason) > 300:
        raise ValidationFailed.on("reason", _("Ensure this value has at most 300 characters."))
    with transaction.atomic():
        order, delivery = _locked_order_and_delivery(company, delivery_id)
        if delivery.kind != Delivery.Kind.DELIVERY or delivery.state != Delivery.State.DONE:
            raise Conflict(
                _("Only a validated delivery note takes returns: %(delivery)s is not one.")
                % {"delivery": delivery.number}
            )
        lines = _lines_of(delivery)
        _unknown_lines(quantities, lines)
        returned_before = dict(
            DeliveryLine.objects.filter(
                returned_line__delivery_id=delivery.pk, delivery__state=Delivery.State.DONE
            )
            .order_by()
            .values("returned_line_id")
            .annotate(total=Sum("quantity"))
            .values_list("returned_line_id", "total")
        )
        back = []
        for line in lines:
            if line.pk not in quantities:
                continue
            field = f"quantities.{line.pk}"
            quantity = _quantity(quantities[line.pk], field)
            if quantity == 0:
                raise ValidationFailed.on(field, _("The quantity must be greater than zero."))
            returnable = line.quantity - returned_before.get(line.pk, ZERO)
            if quantity > returnable:
                raise ValidationFailed.on(
                    field,
                    _("At most %(quantity)s of %(sku)s can come back from this delivery note.")
                    % {"quantity": number(returnable), "sku": line.item.sku},
                )
            back.append((line, quantity))
        if not back:
            raise ValidationFailed.on(
                "quantities", _("Give the quantity that comes back of at least one line.")
            )
        day = date or timezone.localdate()
        note = Delivery.objects.create(
            company=company, number=delivery_number(company.pk, day), kind=Delivery.Kind.RETURN, order=order,
            party_id=delivery.party_id, warehouse_id=delivery.warehouse_id, date=day, state=Delivery.State.DONE,
            return_of=delivery, reason=reason, done_at=timezone.now(), done_by=by, created_by=by, updated_by=by,
        )  # fmt: skip
        # Posted as they are created (a return note is done at once), at the cost the goods left with.
        moves = inventory.moves_create(
            company=company, by=by, date=day, origin=delivery_origin(note, order), done=True,
            lines=[
                inventory.MoveLine(
                    line.item_id, quantity, line.move.to_location_id, line.move.from_location_id, line.unit_cost
                )
                for line, quantity in back
            ],
        )  # fmt: skip
        returns = DeliveryLine.objects.bulk_create([
            DeliveryLine(
                delivery=note, order_line_id=line.order_line_id, position=line.position, item_id=line.item_id,
                quantity=quantity, move=move, returned_line=line, unit_cost=move.unit_cost,
                cost=move.value or ZERO,
            )
            for (line, quantity), move in zip(back, moves, strict=True)
        ])  # fmt: skip
        by_order_line = {line.order_line_id: line.order_line for line, _quantity in back}
        for entry in returns:
            order_line = by_order_line[entry.order_line_id]
            order_line.returned += entry.quantity
            order_line.delivered_cost -= entry.cost
        plainsql.update(SalesOrderLine, list(by_order_line.values()), ["returned", "delivered_cost"])
        note.cost = sum((entry.cost for entry in returns), ZERO)
        note.save(update_fields=["cost"])
        order_refresh(order, by)
        return note


def sales_order_cancel_remaining(*, company: Company, by: User, order_id: int) -> SalesOrder:
    """Cancel everything the order still has to deliver: its draft delivery notes are cancelled with their
    moves (the reservation released) and each line's rest counts as cancelled. An order of which nothing was
    ever delivered or invoiced is cancelled itself (its services too). Refused (409) when nothing remains to
    deliver or the order is not confirmed. Locks the order, then its draft deliveries and their moves."""
    with transaction.atomic():
        order = locked(SalesOrder, company=company, pk=order_id, missing=_("No such sales order."))
        order.company = company
        if order.state != SalesOrder.State.CONFIRMED:
            raise Conflict(
                _("Sales order %(order)s is %(state)s: nothing on it can be cancelled.")
                % {"order": order.number, "state": order.get_state_display().lower()}
            )
        lines = list(SalesOrderLine.objects.filter(order_id=order.pk).select_related("item"))
        figures = {line.pk: line_fulfilment(line) for line in lines}
        if all(figure.to_deliver == 0 for figure in figures.values()):
            raise Conflict(
                _("Nothing is left to deliver on sales order %(order)s.") % {"order": order.number}
            )
        drafts = list(
            Delivery.objects.select_for_update()
            .filter(order_id=order.pk, kind=Delivery.Kind.DELIVERY, state=Delivery.State.DRAFT)
            .order_by("pk")
        )
        moves = list(
            DeliveryLine.objects.filter(delivery__in=drafts, move__state=StockMove.State.DRAFT)
            .order_by("move_id")
            .values_list("move_id", flat=True)
        )
        if moves:
            inventory.stock_moves_cancel(company=company, by=by, move_ids=moves, document=DELIVERY_ORIGIN)
        if drafts:
            states_change(drafts, Delivery.State.CANCELLED, lifecycle=rules.DELIVERY_LIFECYCLE, by=by)
            for draft in drafts:
                draft.updated_by = by
            plainsql.update(Delivery, drafts, ["state", "updated_by", "updated_at"])
        untouched = all(line.delivered == 0 and line.invoiced == 0 for line in lines)
        for line in lines:
            line.cancelled += figures[line.pk].to_deliver
            if untouched and not figures[line.pk].stocked:
                line.cancelled = line.quantity  # a service of an order cancelled whole is not billed either
        plainsql.update(SalesOrderLine, lines, ["cancelled"])
        order_refresh(order, by)
        if untouched:
            state_change(order, SalesOrder.State.CANCELLED, lifecycle=rules.SALES_ORDER_LIFECYCLE, by=by)
            order.save(update_fields=["state"])
        return order
