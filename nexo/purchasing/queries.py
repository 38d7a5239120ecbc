"""Read side of purchasing: exchange rates, order figures, best supplier prices, purchase suggestions."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nexo.catalog.models import Item
from nexo.core.errors import ValidationFailed
from nexo.core.formatting import day_text, number
from nexo.core.models import Company
from nexo.core.rules import round_money, round_unit
from nexo.inventory.models import Location, StockMove, StockQuant
from nexo.parties.models import Party
from nexo.purchasing import rules
from nexo.purchasing.models import (
    ExchangeRate,
    ItemPurchasing,
    PurchaseOrder,
    PurchaseOrderLine,
    SupplierPrice,
)

ZERO = Decimal(0)


def rates_on(company: Company, currencies: Iterable[str], day: Date) -> dict[str, Decimal]:
    """The latest rate on or before `day` of each currency (1 for the company's own); one query."""
    wanted = set(currencies) - {company.currency}
    rates = {company.currency: Decimal(1)}
    if wanted:
        rows = ExchangeRate.objects.filter(company=company, currency__in=wanted, day__lte=day).order_by(
            "currency", "-day"
        )
        for row in rows.values("currency", "rate"):
            rates.setdefault(row["currency"], row["rate"])
    return rates


def rate_on(company: Company, currency: str, day: Date) -> Decimal:
    rate = rates_on(company, [currency], day).get(currency)
    if rate is None:
        raise ValidationFailed.on(
            "currency",
            _("There is no exchange rate for %(currency)s on or before %(day)s: add one first.")
            % {"currency": currency, "day": day_text(day)},
        )
    return rate


def valid_on(day: Date) -> Q:
    """Supplier prices valid on `day` (open-ended bounds included), whether active or not."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """A line's amount in the order's currency, rounded at the line (the named rounding point)."""
    return round_money(quantity * unit_price)


def order_totals(order_ids: Iterable[int]) -> dict[int, Decimal]:
    """Each order's total in its currency: the sum of its rounded line amounts; one query."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    lines = PurchaseOrderLine.objects.filter(order_id__in=list(order_ids))
    for order_id, quantity, unit_price in lines.values_list("order_id", "quantity", "unit_price"):
        totals[order_id] += line_amount(quantity, unit_price)
    return totals


def order_rate(order: PurchaseOrder, company: Company) -> Decimal | None:
    """The rate that turns the order's amounts into the company's currency: fixed once confirmed, else the
    latest rate on the order's date (None when there is none yet). `company` is the order's, passed so
    that reading it costs no query."""
    if order.exchange_rate is not None:
        return order.exchange_rate
    return rates_on(company, [order.currency], order.date).get(order.currency)


def supplier_prices_of(
    company: Company, supplier_id: int, item_ids: list, day: Date
) -> dict[int, list[SupplierPrice]]:
    """One supplier's valid prices for some items, by item."""
    prices = defaultdict(list)
    rows = SupplierPrice.objects.filter(
        valid_on(day), company=company, supplier_id=supplier_id, item_id__in=item_ids, is_active=True
    )
    for price in rows:
        prices[price.item_id].append(price)
    return prices


def best_of(prices: Iterable[SupplierPrice], quantity: Decimal, currency: str) -> SupplierPrice | None:
    """The lowest price in `currency` whose minimum quantity `quantity` reaches."""
    reached = [price for price in prices if price.currency == currency and price.min_quantity <= quantity]
    return min(reached, key=lambda price: (price.unit_price, -price.min_quantity, price.pk), default=None)


def supplier_currency(company: Company, supplier_id: int) -> str | None:
    return (
        SupplierPrice.objects.filter(company=company, supplier_id=supplier_id, is_active=True)
        .values_list("currency", flat=True)
        .order_by("-id")
        .first()
    )


@dataclass(frozen=True)
class BestPrice:
    """A supplier price and what it costs per unit in the company's currency."""

    price: SupplierPrice
    unit_cost: Decimal  # company currency, 6 decimals

    @property
    def supplier(self) -> Party:
        return self.price.supplier


class SupplierPriceTable:
    """The valid supplier prices of some items on a day, in the company's currency; two queries, then the
    best price for any quantity is found in memory. Prices in a currency without a rate are left out."""

    def __init__(self, company: Company, item_ids: Iterable[int], day: Date | None = None):
        day = day or timezone.localdate()
        rows = list(
            SupplierPrice.objects.filter(valid_on(day), company=company, item_id__in=list(item_ids), is_active=True)
            .select_related("supplier")
        )  # fmt: skip
        rates = rates_on(company, {row.currency for row in rows}, day)
        self.prices: dict[int, list[BestPrice]] = defaultdict(list)
        for price in rows:
            if price.currency in rates:
                self.prices[price.item_id].append(
                    BestPrice(price, round_unit(price.unit_price * rates[price.currency]))
                )

    def best(self, item_id: int, quantity: Decimal, *, supplier_id: int | None = None) -> BestPrice | None:
        """The lowest price whose minimum quantity `quantity` reaches (ties: the higher break, then the oldest),
        of one supplier when `supplier_id` is given."""
        reached = [
            best
            for best in self.prices.get(item_id, ())
            if best.price.min_quantity <= quantity and supplier_id in (None, best.price.supplier_id)
        ]
        return min(
            reached, key=lambda best: (best.unit_cost, -best.price.min_quantity, best.price.pk), default=None
        )


def best_supplier_prices(
    company: Company, quantities: dict[int, Decimal], day: Date | None = None
) -> dict[int, BestPrice]:
    """For each item, the best supplier price for its quantity, in the company's currency."""
    table = SupplierPriceTable(company, quantities, day)
    found = {item_id: table.best(item_id, quantity) for item_id, quantity in quantities.items()}
    return {item_id: best for item_id, best in found.items() if best is not None}


#: The origin of a confirmed sales order's planned deliveries: the draft moves of its delivery notes, labelled
#: "AL-2026-00001 (PV-2026-00012)" (sales.services.orders reserves stock under it; purchasing sits below sales
#: and may not import it).
SALES_ORDER_ORIGIN = "delivery"


@dataclass(frozen=True)
class Demand:
    """What a confirmed sales order still has to deliver of an item: its planned deliveries."""

    reference: str
    quantity: Decimal


@dataclass(frozen=True)
class Suggestion:
    item: Item
    on_hand: Decimal
    reserved: Decimal
    on_order: Decimal
    minimum: Decimal
    suggested: Decimal
    preferred: Party | None
    best: BestPrice | None
    #: The confirmed sales orders that need the item, the first reference first.
    orders: tuple[Demand, ...] = ()
    #: The price of the supplier the order would go to, for the suggested quantity.
    supplier_price: BestPrice | None = None

    @property
    def supplier(self) -> Party | None:
        return self.preferred or (self.best.supplier if self.best else None)

    @property
    def projected(self) -> Decimal:
        return self.on_hand - self.reserved + self.on_order

    @property
    def reason(self) -> str:
        """Why it is suggested, in the reader's language: "Order SO-2026-00012 needs 204; 0 on hand, 0 on
        order"."""
        parts = []
        if self.orders:
            needed = sum((demand.quantity for demand in self.orders), ZERO)
            parts.append(
                ngettext("Order %(orders)s needs %(quantity)s", "Orders %(orders)s need %(quantity)s", len(self.orders))
                % {"orders": ", ".join(demand.reference for demand in self.orders), "quantity": number(needed)}
            )  # fmt: skip
            other = self.reserved - needed
            if other > 0:
                parts.append(_("%(quantity)s reserved by other planned moves") % {"quantity": number(other)})
        elif self.reserved:
            parts.append(_("%(quantity)s reserved") % {"quantity": number(self.reserved)})
        if self.minimum:
            parts.append(_("minimum %(quantity)s") % {"quantity": number(self.minimum)})
        parts.append(
            _("%(on_hand)s on hand, %(on_order)s on order")
            % {"on_hand": number(self.on_hand), "on_order": number(self.on_order)}
        )
        return "; ".join(parts)


def _supplier_minimum(table: "SupplierPriceTable", item_id: int, quantity: Decimal, supplier_id: int | None):
    """The quantity rounded up to the smallest minimum quantity the supplier (any supplier when none is
    preferred) sells the item in, when no price of it is reached by `quantity`."""
    prices = [
        best.price.min_quantity
        for best in table.prices.get(item_id, ())
        if supplier_id is None or best.price.supplier_id == supplier_id
    ]
    if not prices or any(minimum <= quantity for minimum in prices):
        return quantity
    return min(prices)


def purchase_suggestions(company: Company) -> list[Suggestion]:
    """Every active stocked item whose projected stock (on hand - reserved + on order, over all the
    warehouses) is under its minimum — 0 when it has none, so the demand of confirmed sales orders reaches
    the buyer — with what to order from whom: enough to reach the minimum, at least the reorder quantity,
    rounded up to the supplier's minimum quantity. Reserved counts the planned moves out of the warehouses
    (sales orders' deliveries among them); on order, what confirmed purchase orders still wait for.

    Eight queries whatever the number of items: the figures are summed over the company, then only the
    items short of stock are read."""
    internal = Location.Kind.INTERNAL
    with_minimum = set(
        ItemPurchasing.objects.filter(company=company, minimum_stock__gt=0).values_list("item_id", flat=True)
    )
    on_hand = dict(
        StockQuant.objects.filter(company=company, location__kind=internal)
        .values("item_id").annotate(total=Sum("quantity")).values_list("item_id", "total")
    )  # fmt: skip
    reserved: dict[int, Decimal] = defaultdict(Decimal)
    orders: dict[int, list[Demand]] = defaultdict(list)
    planned = (
        StockMove.objects.filter(company=company, state=StockMove.State.DRAFT, from_location__kind=internal)
        .exclude(to_location__kind=internal)
        .values("item_id", "origin_type", "origin_id", "origin_label").annotate(total=Sum("quantity"))
        .order_by("item_id", "origin_label", "origin_id")
    )  # fmt: skip
    for row in planned:
        reserved[row["item_id"]] += row["total"]
        if row["origin_type"] == SALES_ORDER_ORIGIN:
            orders[row["item_id"]].append(Demand(row["origin_label"] or str(row["origin_id"]), row["total"]))
    on_order: dict[int, Decimal] = defaultdict(Decimal)
    open_lines = PurchaseOrderLine.objects.filter(order__company=company, order__state__in=rules.RECEIVABLE)
    for item_id, quantity, received in open_lines.values_list("item_id", "quantity", "received_quantity"):
        on_order[item_id] += max(quantity - received, ZERO)

    def projected(item_id: int) -> Decimal:
        return on_hand.get(item_id, ZERO) - reserved[item_id] + on_order[item_id]

    short = with_minimum | {item_id for item_id in set(on_hand) | set(reserved) if projected(item_id) < 0}
    settings = {
        record.item_id: record
        for record in ItemPurchasing.objects.filter(company=company, item_id__in=short).select_related(
            "preferred_supplier"
        )
    }
    items = Item.objects.filter(company=company, pk__in=short, is_active=True, kind=Item.Kind.STOCKED)
    items_by_id = {item.pk: item for item in items.select_related("unit")}
    wanted: dict[int, Decimal] = {}
    for item_id in items_by_id:
        record = settings.get(item_id)
        minimum = record.minimum_stock if record else ZERO
        if projected(item_id) < minimum:
            wanted[item_id] = max(minimum - projected(item_id), record.reorder_quantity if record else ZERO)
    table = SupplierPriceTable(company, wanted)
    suggestions = []
    for item_id, quantity in wanted.items():
        record = settings.get(item_id)
        preferred = record.preferred_supplier if record else None
        quantity = _supplier_minimum(table, item_id, quantity, preferred.pk if preferred else None)
        best = table.best(item_id, quantity)
        supplier = preferred or (best.supplier if best else None)
        suggestions.append(
            Suggestion(
                item=items_by_id[item_id], on_hand=on_hand.get(item_id, ZERO), reserved=reserved[item_id],
                on_order=on_order[item_id], minimum=record.minimum_stock if record else ZERO,
                suggested=quantity, preferred=preferred, best=best, orders=tuple(orders[item_id]),
                supplier_price=table.best(item_id, quantity, supplier_id=supplier.pk) if supplier else None,
            )
        )  # fmt: skip
    return sorted(suggestions, key=lambda suggestion: suggestion.item.sku)


# The home page


def late_orders() -> Q:
    """Confirmed purchase orders not fully received whose expected date has passed; the order list filters
    by it too."""
    return Q(state__in=rules.RECEIVABLE, expected_date__lt=timezone.localdate())


def home_figures(company: Company, *, orders: bool, suggestions: bool) -> dict:
    """What needs a buyer's attention today: confirmed orders whose expected date has passed and that are
    not fully received (`orders`), and the items to buy: those whose projected stock is under their minimum,
    or under zero for the demand of confirmed sales orders (`suggestions`, purchase_suggestions' fixed number
    of queries)."""
    figures: dict = {}
    if orders:
        figures["late_orders"] = PurchaseOrder.objects.filter(late_orders(), company=company).count()
    if suggestions:
        figures["items_to_buy"] = len(purchase_suggestions(company))
    return figures
