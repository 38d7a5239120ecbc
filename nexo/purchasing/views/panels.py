"""What purchasing shows on lower modules' pages: an item's buying facts, a supplier's open orders."""

from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone

from nexo.catalog.models import Item
from nexo.parties.models import Party
from nexo.purchasing import rules
from nexo.purchasing.models import ItemPurchasing, PurchaseOrder, PurchaseOrderLine, SupplierPrice
from nexo.purchasing.queries import SupplierPriceTable, order_totals
from nexo.purchasing.views.common import ZERO, price_text

PANEL_PRICES = 20
PANEL_ORDERS = 10


def item_buying(request: HttpRequest, item: Item) -> dict:
    """The item's supplier prices (the best one for one unit marked), its buying settings, its last
    purchase and what is on order: a fixed number of queries. Its stock is the inventory's panel."""
    today = timezone.localdate()
    prices = list(
        SupplierPrice.objects.filter(company=request.company, item=item)
        .select_related("supplier")
        .order_by("-is_active", "supplier__name", "min_quantity", "pk")[:PANEL_PRICES]
    )
    best = SupplierPriceTable(request.company, [item.pk], today).best(item.pk, Decimal(1))
    for price in prices:
        price.is_valid = (
            price.is_active
            and (price.valid_from is None or price.valid_from <= today)
            and (price.valid_to is None or price.valid_to >= today)
        )
        price.is_best = best is not None and best.price.pk == price.pk
        price.price_text = price_text(price.unit_price)
    settings = (
        ItemPurchasing.objects.filter(company=request.company, item=item)
        .select_related("preferred_supplier")
        .first()
    )
    open_lines = PurchaseOrderLine.objects.filter(
        order__company=request.company, item=item, order__state__in=rules.RECEIVABLE
    )
    on_order = sum(
        (max(q - r, ZERO) for q, r in open_lines.values_list("quantity", "received_quantity")), ZERO
    )
    return {
        "item": item,
        "prices": prices,
        "best": best,
        "settings": settings,
        "last_cost_text": price_text(settings.last_purchase_cost) if settings else "",
        "on_order": on_order,
        "currency": request.company.currency,
    }


def supplier_orders(request: HttpRequest, party: Party) -> dict:
    """The supplier's open purchase orders (draft, confirmed, partially received), the latest first."""
    orders = list(
        PurchaseOrder.objects.filter(company=request.company, supplier=party, state__in=rules.OPEN).order_by(
            "-date", "-pk"
        )[:PANEL_ORDERS]
    )
    totals = order_totals(order.pk for order in orders)
    for order in orders:
        order.total = totals.get(order.pk, ZERO)
    return {"party": party, "orders": orders}
