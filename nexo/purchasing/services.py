"""Every change to purchasing: exchange rates, supplier prices, item buying settings, purchase orders and
their receipts (which bring the goods in through the inventory services)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.catalog.models import Item
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.formatting import number
from nexo.core.models import Company, User
from nexo.core.rules import round_unit
from nexo.core.services import currency_code, sequence_next
from nexo.core.states import state_change
from nexo.core.validation import assign, decimal_of, full_clean, locked, quantity_of
from nexo.inventory import services as inventory
from nexo.inventory.models import Warehouse
from nexo.parties.models import Party
from nexo.purchasing import queries, rules
from nexo.purchasing.models import (
    ExchangeRate,
    ItemPurchasing,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    SupplierPrice,
)  # fmt: skip

State = PurchaseOrder.State
SUPPLIER_PRICE_FIELDS = (
    "item", "supplier", "supplier_code", "unit_price", "currency", "min_quantity", "lead_time_days",
    "valid_from", "valid_to", "is_active",
)  # fmt: skip
ITEM_PURCHASING_FIELDS = ("preferred_supplier", "minimum_stock", "reorder_quantity")
ORDER_FIELDS = ("supplier", "warehouse", "date", "expected_date", "currency", "notes")


def _currency(value: str | None, field: str = "currency") -> str:
    return currency_code(value, field)


# Exchange rates


def exchange_rate_set(*, company: Company, by: User, currency: str, day: Date, rate) -> ExchangeRate:
    """What one unit of a foreign currency is worth in the company's currency from `day` on."""
    currency = _currency(currency)
    if currency == company.currency:
        raise ValidationFailed.on("currency", _("The company's own currency needs no exchange rate."))
    rate = decimal_of(rate, "rate")
    if rate <= 0 or rate >= Decimal("1e10") or rate != rate.quantize(Decimal("1e-8")):
        raise ValidationFailed.on("rate", _("The rate must be positive, with at most 8 decimals."))
    with transaction.atomic():
        record, _created = ExchangeRate.objects.update_or_create(
            company=company,
            currency=currency,
            day=day,
            defaults={"rate": rate, "updated_by": by, "created_by": by},
        )
        return record


# Supplier prices


def _supplier_of(company: Company, value, field: str = "supplier") -> Party:
    supplier_id = value.pk if isinstance(value, Party) else value
    supplier = Party.objects.filter(company=company, pk=supplier_id).first() if supplier_id else None
    if supplier is None:
        raise ValidationFailed.on(field, _("Unknown supplier."))
    if not supplier.is_supplier:
        raise ValidationFailed.on(field, _("%(name)s is not marked as a supplier.") % {"name": supplier.name})
    return supplier


def _item_of(company: Company, value, field: str = "item") -> Item:
    item_id = value.pk if isinstance(value, Item) else value
    item = Item.objects.filter(company=company, pk=item_id).first() if item_id else None
    if item is None:
        raise ValidationFailed.on(field, _("Unknown item."))
    return item


def _resolved(company: Company, fields: dict) -> dict:
    resolved = {}
    for name, value in fields.items():
        relation = name.removesuffix("_id")
        if relation in ("supplier", "preferred_supplier"):
            resolved[relation] = _supplier_of(company, value, relation) if value else None
        elif relation == "item":
            resolved[relation] = _item_of(company, value)
        elif relation == "warehouse":
            warehouse = Warehouse.objects.filter(company=company, pk=value, is_active=True).first()
            if warehouse is None:
                raise ValidationFailed.on("warehouse", _("Unknown warehouse."))
            resolved[relation] = warehouse
        elif name == "currency":
            resolved[name] = _currency(value)
        else:
            resolved[name] = value
    return resolved


def _check_and_save_price(price: SupplierPrice) -> SupplierPrice:
    full_clean(price)
    if price.min_quantity <= 0:
        raise ValidationFailed.on("min_quantity", _("The minimum quantity must be greater than zero."))
    if price.valid_from and price.valid_to and price.valid_to < price.valid_from:
        raise ValidationFailed.on("valid_to", _("The end of validity comes before its start."))
    if (
        price.currency != price.company.currency
        and not ExchangeRate.objects.filter(company=price.company, currency=price.currency).exists()
    ):
        raise ValidationFailed.on(
            "currency",
            _("There is no exchange rate for %(currency)s: add one first.") % {"currency": price.currency},
        )
    price.save()
    return price


def supplier_price_create(*, company: Company, by: User, **fields) -> SupplierPrice:
    with transaction.atomic():
        price = SupplierPrice(company=company, currency=company.currency, created_by=by, updated_by=by)
        assign(price, _resolved(company, fields), SUPPLIER_PRICE_FIELDS)
        return _check_and_save_price(price)


def supplier_price_update(*, company: Company, supplier_price_id: int, by: User, **fields) -> SupplierPrice:
    with transaction.atomic():
        price = locked(
            SupplierPrice, company=company, pk=supplier_price_id, missing=_("No such supplier price.")
        )
        assign(price, _resolved(company, fields), SUPPLIER_PRICE_FIELDS)
        price.updated_by = by
        return _check_and_save_price(price)


def supplier_price_delete(*, company: Company, supplier_price_id: int) -> None:
    with transaction.atomic():
        locked(
            SupplierPrice, company=company, pk=supplier_price_id, missing=_("No such supplier price.")
        ).delete()


def item_purchasing_set(*, company: Company, by: User, item_id: int, **fields) -> ItemPurchasing:
    """The item's preferred supplier, minimum stock and reorder quantity."""
    with transaction.atomic():
        item = _item_of(company, item_id)
        ItemPurchasing.objects.bulk_create(
            [ItemPurchasing(company=company, item=item)], ignore_conflicts=True
        )
        buying = ItemPurchasing.objects.select_for_update().get(item=item)
        assign(buying, _resolved(company, fields), ITEM_PURCHASING_FIELDS)
        buying.updated_by = by
        full_clean(buying)
        buying.save()
        return buying


# Purchase orders


def _order_state_change(order: PurchaseOrder, target: str, by: User) -> None:
    """A person's decision on the order (confirm, cancel): checked against its lifecycle and logged."""
    refused = _("The purchase order is %(state)s: it cannot be %(target)s.")
    state_change(order, target, lifecycle=rules.ORDER_LIFECYCLE, by=by, refused=refused)


def _build_lines(order: PurchaseOrder, lines: Sequence[Mapping]) -> list[PurchaseOrderLine]:
    """Checked lines; a line without a price takes this supplier's best price for its quantity."""
    if not lines:
        raise ValidationFailed.on("lines", _("Add at least one line."))
    items = Item.objects.filter(company=order.company).in_bulk({line.get("item_id") for line in lines})
    prices = queries.supplier_prices_of(order.company, order.supplier_id, list(items), order.date)
    built = []
    for position, line in enumerate(lines, start=1):
        prefix = f"lines.{position - 1}"
        unknown = set(line) - {"item_id", "quantity", "unit_price", "description"}
        if unknown:
            raise ValidationFailed.on(f"{prefix}.{sorted(unknown)[0]}", _("Unknown field."))
        item = items.get(line.get("item_id"))
        if item is None:
            raise ValidationFailed.on(f"{prefix}.item_id", _("Unknown item."))
        if item.kind != Item.Kind.STOCKED:
            raise ValidationFailed.on(
                f"{prefix}.item_id", _("%(sku)s is a service: it is not received.") % {"sku": item.sku}
            )
        quantity = quantity_of(line.get("quantity"), f"{prefix}.quantity")
        unit_price = inventory.unit_cost_of(line.get("unit_price"), f"{prefix}.unit_price")
        supplier_price = queries.best_of(prices.get(item.pk, []), quantity, order.currency)
        if unit_price is None:
            if supplier_price is None:
                raise ValidationFailed.on(
                    f"{prefix}.unit_price",
                    _("%(supplier)s has no price in %(currency)s for %(sku)s at this quantity: type one.")
                    % {"supplier": order.supplier.name, "currency": order.currency, "sku": item.sku},
                )
            unit_price = supplier_price.unit_price
        if quantity * unit_price >= inventory.MAX_MOVE_VALUE:
            raise ValidationFailed.on(
                f"{prefix}.quantity", _("The line's amount (quantity times unit price) is too large.")
            )
        description = (line.get("description") or "").strip()[:200] or item.name
        built.append(PurchaseOrderLine(
            order=order, position=position, item=item, description=description, quantity=quantity,
            unit_price=unit_price, supplier_price=supplier_price,
        ))  # fmt: skip
    return built


def purchase_order_create(
    *, company: Company, by: User, supplier_id: int, lines: Sequence[Mapping], **fields
) -> PurchaseOrder:
    """A draft order; the currency defaults to the supplier's prices, else the company's."""
    with transaction.atomic():
        supplier = _supplier_of(company, supplier_id)
        fields = _resolved(company, fields)
        order = PurchaseOrder(
            company=company, supplier=supplier, date=timezone.localdate(), created_by=by, updated_by=by,
            warehouse=inventory.settings_of(company).default_warehouse,
            currency=queries.supplier_currency(company, supplier.pk) or company.currency,
        )  # fmt: skip
        assign(order, fields, ORDER_FIELDS)
        _validated_order(order)
        order.save()
        PurchaseOrderLine.objects.bulk_create(_build_lines(order, lines))
        return order


def _validated_order(order: PurchaseOrder) -> None:
    full_clean(order, exclude=["number", "exchange_rate", "confirmed_at"])
    if order.expected_date and order.expected_date < order.date:
        raise ValidationFailed.on("expected_date", _("The expected date comes before the order date."))


def purchase_order_update(
    *, company: Company, by: User, order_id: int, lines: Sequence[Mapping] | None = None, **fields
) -> PurchaseOrder:
    """Only a draft order changes; new lines replace the old ones."""
    with transaction.atomic():
        order = locked(PurchaseOrder, company=company, pk=order_id, missing=_("No such purchase order."))
        if order.state != State.DRAFT:
            raise Conflict(_("Only a draft purchase order can be changed."))
        assign(order, _resolved(company, fields), ORDER_FIELDS)
        order.updated_by = by
        _validated_order(order)
        order.save()
        if lines is not None:
            new_lines = _build_lines(order, lines)
            order.lines.all().delete()
            PurchaseOrderLine.objects.bulk_create(new_lines)
        return order


def purchase_order_confirm(*, company: Company, by: User, order_id: int) -> PurchaseOrder:
    """Numbers the order and fixes its exchange rate, so its receipts cost in the company's currency; the
    state change is logged. Locks the order."""
    with transaction.atomic():
        order = locked(PurchaseOrder, company=company, pk=order_id, missing=_("No such purchase order."))
        _order_state_change(order, State.CONFIRMED, by)
        if not order.lines.exists():
            raise ValidationFailed.on("lines", _("Add at least one line."))
        order.exchange_rate = queries.rate_on(company, order.currency, order.date)
        order.number = f"PC-{order.date.year}-{sequence_next(company_id=company.pk, series='PC', year=order.date.year):05d}"
        order.confirmed_at, order.updated_by = timezone.now(), by
        order.save()
        return order


def purchase_order_cancel(*, company: Company, by: User, order_id: int) -> PurchaseOrder:
    """A draft or confirmed order with nothing received yet; the state change is logged. Locks the order."""
    with transaction.atomic():
        order = locked(PurchaseOrder, company=company, pk=order_id, missing=_("No such purchase order."))
        _order_state_change(order, State.CANCELLED, by)
        order.updated_by = by
        order.save()
        return order


def purchase_order_receive(
    *,
    company: Company,
    by: User,
    order_id: int,
    quantities: Mapping[int, object],
    date: Date | None = None,
    warehouse_id: int | None = None,
    allow_over_receipt: bool = False,
    note: str = "",
) -> Receipt:
    """Goods in: done moves at the order's unit cost in the company's currency; what is missing stays on
    order (the backorder). More than ordered is refused unless the user confirms the over-receipt. The order's
    state follows from its received quantities (rules.receipt_state). Locks the order."""
    with transaction.atomic():
        order = locked(PurchaseOrder, company=company, pk=order_id, missing=_("No such purchase order."))
        if order.state not in rules.RECEIVABLE:
            raise Conflict(
                _("The purchase order is %(state)s: nothing can be received.")
                % {"state": order.get_state_display().lower()}
            )
        warehouse = order.warehouse
        if warehouse_id is not None and warehouse_id != order.warehouse_id:
            warehouse = _resolved(company, {"warehouse": warehouse_id})["warehouse"]
        lines = {line.pk: line for line in order.lines.select_related("item")}
        arriving = _quantities_to_receive(order, lines, quantities, allow_over_receipt)
        day = date or timezone.localdate()
        number = f"REC-{day.year}-{sequence_next(company_id=company.pk, series='REC', year=day.year):05d}"
        receipt = Receipt.objects.create(
            company=company, number=number, order=order, warehouse=warehouse, date=day, note=note[:200],
            created_by=by, updated_by=by,
        )  # fmt: skip
        settings = inventory.settings_of(company)
        costs = {line_id: _company_unit_cost(order, lines[line_id]) for line_id in arriving}
        moves = inventory.moves_create(
            company=company, by=by, date=day, done=True,
            origin=inventory.Origin("purchase_receipt", receipt.pk, f"{number} ({order.number})"),
            lines=[
                inventory.MoveLine(lines[line_id].item_id, quantity, settings.supplier_location_id,
                                   warehouse.stock_location_id, costs[line_id])
                for line_id, quantity in arriving.items()
            ],
        )  # fmt: skip
        ReceiptLine.objects.bulk_create([
            ReceiptLine(receipt=receipt, order_line_id=line_id, quantity=quantity, unit_cost=costs[line_id], move=move)
            for (line_id, quantity), move in zip(arriving.items(), moves, strict=True)
        ])  # fmt: skip
        for line_id, quantity in arriving.items():
            lines[line_id].received_quantity += quantity
        PurchaseOrderLine.objects.bulk_update([lines[line_id] for line_id in arriving], ["received_quantity"])
        order.state = rules.receipt_state(
            [line.quantity for line in lines.values()], [line.received_quantity for line in lines.values()]
        )
        order.updated_by = by
        order.save(update_fields=["state", "updated_by", "updated_at"])
        _remember_last_purchase(
            company, {lines[line_id].item_id: costs[line_id] for line_id in arriving}, day, number
        )
        return receipt


def _company_unit_cost(order: PurchaseOrder, line: PurchaseOrderLine) -> Decimal:
    """What a unit of the line enters stock at: its price in the company's currency at the order's rate."""
    return round_unit(line.unit_price * order.exchange_rate)


def _quantities_to_receive(
    order: PurchaseOrder, lines: dict, quantities: Mapping, allow_over_receipt: bool
) -> dict[int, Decimal]:
    """The quantity of each order line arriving now, checked; lines left blank or at 0 are not received."""
    arriving = {}
    for line_id, value in quantities.items():
        field = f"quantities.{line_id}"
        line = lines.get(line_id)
        if line is None:
            raise ValidationFailed.on(field, _("This line is not on the order."))
        if value in (None, "") or decimal_of(value, field) == 0:
            continue  # a line not received this time
        quantity = quantity_of(value, field)
        cost = _company_unit_cost(order, line)
        if (
            cost >= inventory.MAX_UNIT_COST
            or quantity * cost >= inventory.MAX_MOVE_VALUE
            or line.received_quantity + quantity >= inventory.MAX_MOVE_VALUE
        ):
            raise ValidationFailed.on(field, _("The quantity is too large."))
        if quantity > line.pending_quantity and not allow_over_receipt:
            raise ValidationFailed.on(
                field,
                _(
                    "%(sku)s: %(quantity)s is more than the %(pending)s still to receive; confirm the over-receipt."
                )
                % {
                    "sku": line.item.sku,
                    "quantity": number(quantity),
                    "pending": number(line.pending_quantity),
                },
            )
        arriving[line_id] = quantity
    if not arriving:
        raise ValidationFailed.on("quantities", _("Type the quantity received of at least one line."))
    return arriving


def _remember_last_purchase(company: Company, costs: dict[int, Decimal], day: Date, reference: str) -> None:
    ItemPurchasing.objects.bulk_create(
        [ItemPurchasing(company=company, item_id=item_id) for item_id in costs], ignore_conflicts=True
    )
    for record in ItemPurchasing.objects.select_for_update().filter(item_id__in=list(costs)).order_by("pk"):
        if record.last_purchase_date is None or day >= record.last_purchase_date:
            record.last_purchase_cost = costs[record.item_id]
            record.last_purchase_date = day
            record.last_purchase_reference = reference[:60]
            record.save(update_fields=["last_purchase_cost", "last_purchase_date", "last_purchase_reference"])


def purchase_orders_from_suggestions(
    *, company: Company, by: User, item_ids: Iterable[int]
) -> list[PurchaseOrder]:
    """Draft orders for the chosen suggestions, one per supplier (the preferred one, else the cheapest)."""
    with transaction.atomic():
        wanted = set(item_ids)
        chosen = [line for line in queries.purchase_suggestions(company) if line.item.pk in wanted]
        if not chosen:
            raise ValidationFailed.on("item_ids", _("Choose at least one suggested item."))
        by_supplier: dict[int, list] = {}
        for line in chosen:
            if line.supplier is None:
                raise ValidationFailed.on(
                    "item_ids",
                    _("%(sku)s has no supplier: add a supplier price first.") % {"sku": line.item.sku},
                )
            by_supplier.setdefault(line.supplier.pk, []).append(line)
        orders = []
        for supplier_id, lines in sorted(by_supplier.items()):
            order_lines = [{"item_id": line.item.pk, "quantity": line.suggested} for line in lines]
            orders.append(
                purchase_order_create(company=company, by=by, supplier_id=supplier_id, lines=order_lines)
            )
        return orders


@dataclass(frozen=True)
class OriginLine:
    """A line bought for another document (a sales order line short of stock): what, how many, at what
    price (the order's currency), and the document with the unit cost it was costed at."""

    item_id: int
    quantity: Decimal
    unit_price: Decimal
    supplier_price_id: int | None
    origin_type: str
    origin_id: int
    origin_label: str
    origin_unit_cost: Decimal | None


def purchase_lines_for_origins(
    *,
    company: Company,
    by: User,
    supplier_id: int,
    warehouse_id: int,
    currency: str,
    lines: Sequence[OriginLine],
) -> PurchaseOrder:
    """The lines added to the supplier's draft order into the warehouse in that currency (a new draft when
    there is none). The caller's transaction holds the lock of the document the lines come from; the draft
    is locked here too, so its positions are not given twice."""
    with transaction.atomic():
        supplier = _supplier_of(company, supplier_id)
        draft = (
            PurchaseOrder.objects.filter(
                company=company,
                supplier=supplier,
                warehouse_id=warehouse_id,
                currency=currency,
                state=State.DRAFT,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if draft is not None:
            order = locked(PurchaseOrder, company=company, pk=draft, missing=_("No such purchase order."))
            order.updated_by = by
            order.save(update_fields=["updated_by", "updated_at"])
        else:
            order = PurchaseOrder.objects.create(
                company=company, supplier=supplier, warehouse_id=warehouse_id, currency=currency,
                date=timezone.localdate(), created_by=by, updated_by=by,
            )  # fmt: skip
        position = max(order.lines.values_list("position", flat=True), default=0)
        items = Item.objects.filter(company=company).in_bulk({line.item_id for line in lines})
        PurchaseOrderLine.objects.bulk_create([
            PurchaseOrderLine(
                order=order, position=position + index, item=items[line.item_id],
                description=items[line.item_id].name, quantity=line.quantity, unit_price=line.unit_price,
                supplier_price_id=line.supplier_price_id, origin_type=line.origin_type,
                origin_id=line.origin_id, origin_label=line.origin_label[:60],
                origin_unit_cost=line.origin_unit_cost,
            )
            for index, line in enumerate(lines, start=1)
        ])  # fmt: skip
        return order
