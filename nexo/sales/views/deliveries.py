"""Delivery note pages: the list; one delivery note (a draft is validated in one step, with the quantity
that leaves of each line and what becomes of the rest; a done one shows its cost of goods, backorders and
returns); the return of a done delivery; the picking list; the PDF. Validating and returning call the
delivery services (sales.services), as the API does."""

from decimal import Decimal

from django.contrib import messages
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.listing import Filter, ListPage, Sort, words_in
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.inventory.models import Warehouse
from nexo.sales import documents, queries, services
from nexo.sales.forms import CustomerFilterForm, DeliveryReturnForm, DeliveryValidateForm
from nexo.sales.models import Delivery, DeliveryLine
from nexo.sales.services.fulfilment import line_fulfilment
from nexo.sales.views.quotations import day_of

ZERO = Decimal(0)
VIEW, VALIDATE = "sales.view_delivery", "sales.change_delivery"


def delivery_for(request: HttpRequest, delivery_id: int) -> Delivery:
    delivery = (
        queries.deliveries_visible_to(request.user, request.company)
        .select_related("order", "party", "warehouse", "backorder_of", "return_of", "done_by")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        raise Http404("No such delivery note.")
    return delivery


def delivery_lines(delivery: Delivery) -> list[DeliveryLine]:
    """The delivery's lines (sales.queries.delivery_lines), each given what its row shows: `ordered` and
    `to_deliver` (the order line's), and for a done delivery `returned` (what returns brought back of it) and
    `returnable`. Two queries at most."""
    lines = queries.delivery_lines(delivery)
    returned: dict[int, Decimal] = {}
    if delivery.state == Delivery.State.DONE and delivery.kind == Delivery.Kind.DELIVERY and lines:
        rows = (
            DeliveryLine.objects.filter(
                returned_line_id__in=[line.pk for line in lines], delivery__state=Delivery.State.DONE
            )
            .order_by()
            .values("returned_line_id")
            .annotate(total=Sum("quantity"))
            .values_list("returned_line_id", "total")
        )
        returned = dict(rows)
    for line in lines:
        order_line = line.order_line
        line.ordered = order_line.quantity
        line.to_deliver = line_fulfilment(order_line, stocked=True).to_deliver
        line.returned = returned.get(line.pk, ZERO)
        line.returnable = max(line.quantity - line.returned, ZERO)
    return lines


def related_deliveries(delivery: Delivery) -> list[Delivery]:
    """The backorders left by this delivery and the returns made from it (one query)."""
    return list(
        Delivery.objects.filter(Q(backorder_of=delivery) | Q(return_of=delivery)).order_by("date", "pk")
    )


def may_validate(request: HttpRequest, delivery: Delivery) -> bool:
    return (
        delivery.state == Delivery.State.DRAFT
        and delivery.kind == Delivery.Kind.DELIVERY
        and request.user.has_perm(VALIDATE)
    )


def may_return(request: HttpRequest, delivery: Delivery, lines: list[DeliveryLine]) -> bool:
    return (
        delivery.state == Delivery.State.DONE
        and delivery.kind == Delivery.Kind.DELIVERY
        and request.user.has_perm(VALIDATE)
        and any(line.returnable > 0 for line in lines)
    )


# The list


KIND_CHOICES = Delivery.Kind.choices


def _listing(request: HttpRequest) -> ListPage:
    warehouses = Warehouse.objects.filter(company=request.company).order_by("name").values_list("pk", "name")
    return ListPage(
        search=words_in(("number", "party__name", "order__number", "order__customer_reference")),
        sorts={
            "date": Sort(gettext_lazy("Date"), ("date", "number")),
            "number": Sort(gettext_lazy("Number"), ("number",)),
            "party": Sort(gettext_lazy("Customer"), ("party__name",)),
            "order": Sort(pgettext_lazy("sales order", "Order"), ("order__number",)),
        },
        default_sort="date",
        default_descending=True,
        filters=[
            Filter("state", gettext_lazy("State"), Delivery.State.choices, lambda value: Q(state=value)),
            Filter("kind", gettext_lazy("Kind"), KIND_CHOICES, lambda value: Q(kind=value)),
            Filter(
                "warehouse",
                gettext_lazy("Warehouse"),
                [(str(pk), name) for pk, name in warehouses],
                lambda value: Q(warehouse_id=value),
            ),
        ],
    )


@page(VIEW)
def delivery_list(request: HttpRequest) -> HttpResponse:
    deliveries = queries.deliveries_visible_to(request.user, request.company).select_related(
        "party", "order", "warehouse"
    )
    date_from, date_to = day_of(request.GET.get("date_from")), day_of(request.GET.get("date_to"))
    if date_from:
        deliveries = deliveries.filter(date__gte=date_from)
    if date_to:
        deliveries = deliveries.filter(date__lte=date_to)
    customer_form = CustomerFilterForm(request.GET or None, company=request.company)
    customer = customer_form.chosen() if request.GET.get("party") else None
    if customer is not None:
        deliveries = deliveries.filter(party=customer)
    listing = _listing(request).apply(request, deliveries)
    context = {
        "listing": listing,
        "title": _("Delivery notes"),
        "search_hint": _("Number, customer, order or customer's reference"),
        "results_template": "sales/_delivery_results.html",
        "date_from": date_from,
        "date_to": date_to,
        "customer_form": customer_form,
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "sales/delivery_list.html"
    )
    return render(request, template, context)


# One delivery note


def _detail(request: HttpRequest, delivery: Delivery, lines: list, form=None, status: int = 200):
    if form is None and may_validate(request, delivery):
        available = queries.delivery_lines_available(request.company, delivery, lines)
        form = DeliveryValidateForm(lines=lines, available=available)
    available = form.available if form is not None else {}
    for line in lines:
        line.available = available.get(line.pk)
        line.is_short = line.available is not None and line.available < line.quantity
    context = {
        "delivery": delivery,
        "order": delivery.order,
        "lines": lines,
        "rows": form.rows() if form is not None else [(line, None) for line in lines],
        "form": form,
        "related": related_deliveries(delivery),
        "may_return": may_return(request, delivery, lines),
        "sees_order": request.user.has_perm("sales.view_salesorder"),
        "sees_cost": request.user.has_perm(VALIDATE) or request.user.has_perm("sales.change_salesorder"),
        "title": str(delivery),
        "panels": panels("document_panel", request, "sales.delivery", delivery),
    }
    return render(request, "sales/delivery_detail.html", context, status=status)


@page(VIEW)
def delivery_view(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = delivery_for(request, delivery_id)
    return _detail(request, delivery, delivery_lines(delivery))


@page(VIEW, VALIDATE)
@require_POST
def delivery_validate(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """Validate a draft delivery with the quantities typed: they leave the warehouse now, the rest stays on a
    backorder or is cancelled. A refused quantity shows on its line and nothing changes."""
    delivery = delivery_for(request, delivery_id)
    if not may_validate(request, delivery):
        messages.error(
            request,
            _("Delivery note %(number)s is %(state)s: it cannot be validated.")
            % {"number": delivery.number, "state": delivery.get_state_display().lower()},
        )
        return redirect("sales:delivery_view", delivery_id=delivery.pk)
    lines = delivery_lines(delivery)
    available = queries.delivery_lines_available(request.company, delivery, lines)
    form = DeliveryValidateForm(request.POST, lines=lines, available=available)
    if form.is_valid():
        try:
            done = services.delivery_validate(
                company=request.company, by=request.user, delivery_id=delivery.pk,
                quantities=form.quantities(), backorder=form.keeps_backorder(), date=form.cleaned_data["date"],
            )  # fmt: skip
        except ValidationFailed as failure:
            form.apply(failure)
        except Conflict as error:
            if not Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.DRAFT).exists():
                messages.error(request, error.detail)  # validated or cancelled meanwhile
                return redirect("sales:delivery_view", delivery_id=delivery.pk)
            form.add_error(None, error.detail)  # more than the stock: the quantities are to change
        else:
            text = _("Delivery note %(number)s validated.") % {"number": done.number}
            backorder = Delivery.objects.filter(backorder_of=done).only("number").first()
            if backorder is not None:
                text += " " + _("The rest waits on backorder %(number)s.") % {"number": backorder.number}
            messages.success(request, text)
            return redirect("sales:delivery_view", delivery_id=done.pk)
    return _detail(request, delivery, lines, form, status=422)


def _return_page(request, delivery, form, status=200):
    context = {
        "delivery": delivery,
        "form": form,
        "rows": form.rows(),
        "title": _("Return from %(number)s") % {"number": delivery.number},
    }
    return render(request, "sales/delivery_return.html", context, status=status)


@page(VIEW, VALIDATE)
def delivery_return(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """Goods of a done delivery coming back: a quantity per line (up to what it delivered and was not yet
    returned) and the reason. The return is a delivery note of its own, done at once."""
    delivery = delivery_for(request, delivery_id)
    lines = delivery_lines(delivery)
    if not may_return(request, delivery, lines):
        messages.error(
            request, _("Nothing of delivery note %(number)s can be returned.") % {"number": delivery}
        )
        return redirect("sales:delivery_view", delivery_id=delivery.pk)
    lines = [line for line in lines if line.returnable > 0]
    form = DeliveryReturnForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        quantities = {pk: quantity for pk, quantity in form.quantities().items() if quantity > 0}
        try:
            returned = services.delivery_return(
                company=request.company, by=request.user, delivery_id=delivery.pk, quantities=quantities,
                reason=form.cleaned_data["reason"], date=form.cleaned_data["date"],
            )  # fmt: skip
        except ValidationFailed as failure:
            form.apply(failure)
        except Conflict as error:
            messages.error(request, error.detail)
            return redirect("sales:delivery_view", delivery_id=delivery.pk)
        else:
            messages.success(
                request, _("Return %(number)s recorded: the goods are back in stock.") % {"number": returned}
            )
            return redirect("sales:delivery_view", delivery_id=returned.pk)
    return _return_page(request, delivery, form, status=422 if form.errors else 200)


@page(VIEW)
def picking_list(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """What to pick for a delivery, location by location: a page to print."""
    delivery = delivery_for(request, delivery_id)
    rows = queries.picking_list(request.company, delivery)  # by location; what no location holds last
    context = {
        "delivery": delivery,
        "rows": rows,
        "total": sum((row.quantity for row in rows), ZERO),
        "title": _("Picking list %(number)s") % {"number": delivery.number},
    }
    return render(request, "sales/delivery_picking.html", context)


@page(VIEW)
def delivery_pdf(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = delivery_for(request, delivery_id)
    response = HttpResponse(documents.delivery_note_pdf(delivery), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.delivery_note_filename(delivery)}"'
    return response
