"""Sales order pages: the list and one order with its lines, the quoted costs and margins, its fulfilment
(per line ordered, delivered, returned, invoiced, cancelled and still to deliver; its delivery notes and
returns), and the way back to its quotation and opportunity."""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nexo.core.errors import DomainError
from nexo.core.listing import Filter, ListPage, Sort, words_in
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.sales import queries, rules, services
from nexo.sales.models import Delivery, SalesOrder
from nexo.sales.views.common import cost_text, cost_texts
from nexo.sales.views.quotations import day_of

#: Who may cancel what an order still has to deliver (its draft delivery notes, releasing the reservation).
CANCEL_REMAINING = "sales.change_salesorder"

ORDER_LIST = ListPage(
    search=words_in(("number", "party__name", "quotation__number")),
    sorts={
        "date": Sort(gettext_lazy("Date"), ("-date", "-number")),
        "number": Sort(gettext_lazy("Number"), ("number",)),
        "party": Sort(gettext_lazy("Customer"), ("party__name",)),
        "net": Sort(gettext_lazy("Net"), ("net",)),
    },
    default_sort="date",
    filters=[
        Filter("state", gettext_lazy("State"), SalesOrder.State.choices, lambda value: Q(state=value)),
        Filter(
            "delivery",
            gettext_lazy("Delivery"),
            [
                # Everything with goods still to go (the home page's count links here), then each state.
                ("to_deliver", gettext_lazy("Still to deliver")),
                (SalesOrder.DeliveryState.PARTIAL.value, SalesOrder.DeliveryState.PARTIAL.label),
                (SalesOrder.DeliveryState.DELIVERED.value, SalesOrder.DeliveryState.DELIVERED.label),
                (SalesOrder.DeliveryState.NOTHING.value, SalesOrder.DeliveryState.NOTHING.label),
            ],
            lambda value: queries.orders_to_deliver() if value == "to_deliver" else Q(delivery_state=value),
        ),
        Filter(
            "invoicing",
            gettext_lazy("Invoicing"),
            [
                ("to_invoice", gettext_lazy("Still to invoice")),
                (SalesOrder.InvoiceState.PARTIAL.value, SalesOrder.InvoiceState.PARTIAL.label),
                (SalesOrder.InvoiceState.INVOICED.value, SalesOrder.InvoiceState.INVOICED.label),
                (SalesOrder.InvoiceState.NOTHING.value, SalesOrder.InvoiceState.NOTHING.label),
            ],
            lambda value: (
                Q(invoice_state__in=[SalesOrder.InvoiceState.TO_INVOICE, SalesOrder.InvoiceState.PARTIAL])
                if value == "to_invoice"
                else Q(invoice_state=value)
            ),
        ),
    ],
)


@page("sales.view_salesorder")
def order_list(request: HttpRequest) -> HttpResponse:
    orders = queries.orders_visible_to(request.user, request.company).select_related(
        "party", "quotation", "opportunity"
    )
    date_from, date_to = day_of(request.GET.get("date_from")), day_of(request.GET.get("date_to"))
    if date_from:
        orders = orders.filter(date__gte=date_from)
    if date_to:
        orders = orders.filter(date__lte=date_to)
    listing = ORDER_LIST.apply(request, orders)
    listing.page.object_list = rows = list(listing.page.object_list)
    for order in rows:
        order.margin_percent = rules.margin_percent(order.margin, order.net)
    context = {
        "listing": listing,
        "title": _("Sales orders"),
        "search_hint": _("Number, customer or quotation"),
        "results_template": "sales/_order_results.html",
        "date_from": date_from,
        "date_to": date_to,
    }
    template = (
        context["results_template"] if request.htmx and not request.htmx.boosted else "sales/order_list.html"
    )
    return render(request, template, context)


@page("sales.view_salesorder")
def order_view(request: HttpRequest, order_id: int) -> HttpResponse:
    order = queries.order_for(request.user, request.company, order_id)
    lines = queries.with_supply(request.company, order, queries.order_lines(order))
    for line in lines:
        cost_texts(line)
        for purchase in line.purchases:
            # What the purchase price differs from the frozen unit cost by, signed: "+0.5000".
            sign = "+" if purchase.difference and purchase.difference > 0 else ""
            purchase.difference_text = sign + cost_text(purchase.difference)
            purchase.costed_unit_cost_text = cost_text(purchase.costed_unit_cost)
    may_buy = request.user.has_perm("purchasing.add_purchaseorder")
    deliveries = list(order.deliveries.order_by("date", "pk"))
    draft = next(
        (
            delivery
            for delivery in deliveries
            if delivery.state == Delivery.State.DRAFT and delivery.kind == Delivery.Kind.DELIVERY
        ),
        None,
    )
    confirmed = order.state == SalesOrder.State.CONFIRMED
    context = {
        "deliveries": deliveries,
        "draft_delivery": draft,
        "may_deliver": draft is not None and request.user.has_perm("sales.change_delivery"),
        "may_cancel_remaining": confirmed
        and request.user.has_perm(CANCEL_REMAINING)
        and any(line.to_deliver > 0 for line in lines),
        "sees_deliveries": request.user.has_perm("sales.view_delivery"),
        "to_buy": any(line.to_buy > 0 for line in lines),
        "may_buy": may_buy and order.state == SalesOrder.State.CONFIRMED,
        "sees_purchases": request.user.has_perm("purchasing.view_purchaseorder"),
        "order": order,
        "lines": lines,
        "margin_percent": rules.margin_percent(order.margin, order.net),
        "sees_quotation": request.user.has_perm("sales.view_quotation"),
        "sees_opportunity": request.user.has_perm("crm.view_opportunity"),
        "sees_moves": request.user.has_perm("inventory.view_stockmove"),
        "title": order.number,
        "panels": panels("document_panel", request, "sales.salesorder", order),
    }
    return render(request, "sales/order_detail.html", context)


@page("sales.view_salesorder", "purchasing.add_purchaseorder")
@require_POST
def order_buy_shortages(request: HttpRequest, order_id: int) -> HttpResponse:
    """Buy what the order's lines are short of (sales.services.sales_order_buy_shortages), then back to the
    order, which shows the purchase price beside each line's frozen cost."""
    order = queries.order_for(request.user, request.company, order_id)
    try:
        bought = services.sales_order_buy_shortages(
            company=request.company, by=request.user, order_id=order.pk
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            _("Shortages bought on draft purchase orders: %(lines)s.")
            % {"lines": "; ".join(services.bought_text(line) for line in bought)},
        )
    return redirect("sales:order_view", order_id=order.pk)


@page("sales.view_salesorder", CANCEL_REMAINING)
@require_POST
def order_cancel_remaining(request: HttpRequest, order_id: int) -> HttpResponse:
    """Cancel everything the order still has to deliver (sales.services.sales_order_cancel_remaining): its
    draft delivery notes are cancelled and their reservation released."""
    order = queries.order_for(request.user, request.company, order_id)
    try:
        services.sales_order_cancel_remaining(company=request.company, by=request.user, order_id=order.pk)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            _("What %(order)s still had to deliver is cancelled; its stock is free.") % {"order": order},
        )
    return redirect("sales:order_view", order_id=order.pk)
