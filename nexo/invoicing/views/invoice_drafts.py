"""Customer invoice drafts: a new invoice from a customer's orders or typed by hand, and a draft edited.

Every change is a service call (nexo.invoicing.services); a refused input comes back as form errors (422), a
refused state as a message."""

from decimal import Decimal

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.permissions import page
from nexo.core.rules import round_money
from nexo.core.validation import record_id
from nexo.invoicing import services
from nexo.invoicing.forms import CustomerForm, FromOrdersForm, InvoiceHeaderForm, InvoiceLineFormSet, plain
from nexo.invoicing.models import Invoice, InvoiceLine
from nexo.invoicing.views.invoices import invoice_of
from nexo.parties.models import Party
from nexo.sales.models import SalesOrder, SalesOrderLine
from nexo.sales.services.fulfilment import line_fulfilment

State, Kind = Invoice.State, Invoice.Kind
ZERO = Decimal(0)
BLANK_ROWS = 3
# The service's names of a line's fields → the line form's.
LINE_FIELDS = {
    "item_id": "item",
    "item": "item",
    "description": "description",
    "quantity": "quantity",
    "unit_price": "unit_price",
    "discount": "discount",
    "vat_rate": "vat_rate",
}


# A new invoice from a customer's orders


def orders_to_invoice(company, party_id: int) -> list[SalesOrder]:
    """The customer's confirmed orders with something left to invoice (delivered goods, or ordered services,
    neither invoiced nor held by a draft invoice), each with `lines_to_invoice` (their quantities left) and
    `amount_to_invoice` (at the order's prices): two queries."""
    lines = list(
        SalesOrderLine.objects.filter(
            order__company=company, order__party_id=party_id, order__state=SalesOrder.State.CONFIRMED
        )
        .select_related("order", "item")
        .order_by("order__date", "order__number", "position", "id")
    )
    on_drafts = dict(
        InvoiceLine.objects.filter(
            order_line_id__in=[line.pk for line in lines], invoice__state=State.DRAFT, invoice__kind=Kind.INVOICE
        )
        .values("order_line_id")
        .annotate(quantity=Sum("quantity"))
        .order_by()
        .values_list("order_line_id", "quantity")
    ) if lines else {}  # fmt: skip
    orders: dict[int, SalesOrder] = {}
    for line in lines:
        to_invoice = line_fulfilment(line).to_invoice - (on_drafts.get(line.pk) or ZERO)
        if to_invoice <= 0:
            continue
        order = orders.setdefault(line.order_id, line.order)
        if not hasattr(order, "lines_to_invoice"):
            order.lines_to_invoice, order.amount_to_invoice = [], ZERO
        line.to_invoice = to_invoice
        order.lines_to_invoice.append(line)
        if line.quantity:
            order.amount_to_invoice += line.net * to_invoice / line.quantity
    for order in orders.values():
        order.amount_to_invoice = round_money(order.amount_to_invoice)
    return list(orders.values())


@page("invoicing.add_invoice")
def invoice_from_orders(request: HttpRequest) -> HttpResponse:
    """Choose the customer, then its orders with something to invoice; the service bills what is due."""
    party_id = record_id(request.GET.get("party"))
    party = get_object_or_404(Party, company=request.company, pk=party_id) if party_id is not None else None
    customer_form = CustomerForm(initial={"party": party}, company=request.company)
    if party is None and request.GET.get("party_search"):  # typed without the script
        customer_form = CustomerForm(request.GET, company=request.company)
        if customer_form.is_valid():
            return redirect(
                f"{reverse('invoicing:invoice_from_orders')}?party={customer_form.cleaned_data['party'].pk}"
            )
    orders = orders_to_invoice(request.company, party.pk) if party is not None else []
    chosen = record_id(request.GET.get("order"))
    form = FromOrdersForm(
        request.POST or None,
        orders=orders,
        initial={"orders": [chosen] if chosen else [order.pk for order in orders]},
    )
    checked = {str(value) for value in (form["orders"].value() or [])}
    for order in orders:
        order.checked = str(order.pk) in checked
    if request.method == "POST" and party is not None and form.is_valid():
        try:
            invoice = services.invoice_from_orders(
                company=request.company, by=request.user, order_ids=form.cleaned_data["orders"],
                date=form.cleaned_data["date"],
            )  # fmt: skip
        except ValidationFailed as failure:
            apply_failure(form, failure)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Draft invoice created from the orders: check it and post it."))
            return redirect("invoicing:invoice_view", invoice_id=invoice.pk)
    context = {
        "title": _("New invoice from orders"),
        "customer_form": customer_form,
        "party": party,
        "orders": orders,
        "form": form,
        "currency": request.company.currency,
    }
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "invoicing/invoice_from_orders.html", context, status=status)


# An invoice typed by hand, or a draft edited


def _initial_lines(invoice: Invoice | None) -> list[dict]:
    if invoice is None:
        return [{} for _ in range(BLANK_ROWS)]
    rows = [
        {
            "item": line.item_id,
            "description": line.description,
            "quantity": plain(line.quantity),
            "unit_price": plain(line.unit_price),
            "discount": plain(line.discount) if line.discount else None,
            "vat_rate": plain(line.vat_rate),
        }
        for line in invoice.lines.order_by("position", "id")
    ]
    return rows + [{} for _ in range(BLANK_ROWS)]


def _typed_rows(request: HttpRequest, more: int) -> dict:
    """The posted rows kept as typed, plus `more` blank ones: a bound formset's data with a larger count."""
    data = request.POST.copy()
    count = min(record_id(data.get("lines-TOTAL_FORMS")) or 0, InvoiceLineFormSet.max_num)
    data["lines-TOTAL_FORMS"] = str(min(count + more, InvoiceLineFormSet.max_num))
    return data


def _apply_line_failure(header, sources, failure: ValidationFailed) -> None:
    """The service names lines by their position among the non-blank rows: each error goes on its row."""
    rest = []
    for error in failure.errors:
        parts = error["field"].split(".")
        if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(sources):
            field = LINE_FIELDS.get(parts[2])
            sources[int(parts[1])].add_error(field, error["message"])
        elif error["field"] == "lines":
            header.add_error(None, error["message"])
        else:
            rest.append(error)
    if rest:
        apply_failure(header, ValidationFailed(failure.detail, errors=rest))


def _line_inputs(lines: list[dict]) -> list:
    """The typed lines as the service's InvoiceLineInput records."""
    return [services.InvoiceLineInput(**line) for line in lines]


def _term_id(fields: dict) -> int | None:
    return fields["payment_term"].pk if fields.get("payment_term") else None


def _invoice_form(request: HttpRequest, invoice: Invoice | None) -> HttpResponse:
    adding = request.method == "POST" and "add_lines" in request.POST
    editing = invoice is not None
    initial = {}
    if invoice is not None:
        initial = {"date": invoice.date, "payment_term": invoice.payment_term_id, "notes": invoice.notes}
    else:
        party = Party.objects.filter(company=request.company, pk=record_id(request.GET.get("party"))).first()
        initial = {"party": party}
    data = request.POST if request.method == "POST" else None
    header = InvoiceHeaderForm(
        data, company=request.company, editing=editing, initial=initial,
        term_id=invoice.payment_term_id if invoice is not None else None,
    )  # fmt: skip
    kwargs = {"form_kwargs": {"company": request.company}, "prefix": "lines"}
    if adding:
        lines = InvoiceLineFormSet(_typed_rows(request, BLANK_ROWS), **kwargs)
    elif data is not None:
        lines = InvoiceLineFormSet(data, **kwargs)
    else:
        lines = InvoiceLineFormSet(initial=_initial_lines(invoice), **kwargs)
    if data is not None and not adding and header.is_valid() and lines.is_valid():
        service_lines, sources = lines.service_lines()
        fields = header.cleaned_data
        try:
            if invoice is None:
                saved = services.invoice_create(
                    company=request.company, by=request.user, party_id=fields["party"].pk, date=fields["date"],
                    lines=_line_inputs(service_lines), simplified=fields["simplified"],
                    notes=fields["notes"], payment_term_id=_term_id(fields),
                )  # fmt: skip
                messages.success(request, _("Draft invoice saved: check it and post it."))
            else:
                saved = services.invoice_update(
                    company=request.company, by=request.user, invoice_id=invoice.pk, date=fields["date"],
                    notes=fields["notes"], payment_term_id=_term_id(fields),
                    lines=_line_inputs(service_lines),
                )  # fmt: skip
                saved = saved or invoice
                messages.success(request, _("Changes saved."))
        except ValidationFailed as failure:
            _apply_line_failure(header, sources, failure)
        except DomainError as error:  # posted or deleted meanwhile
            header.add_error(None, error.detail)
        else:
            return redirect("invoicing:invoice_view", invoice_id=saved.pk)
    if adding:
        header.errors.clear()  # only more rows were asked for: what was typed stays, without errors yet
        for form in lines.forms:
            form.errors.clear()
    has_errors = not adding and data is not None and (bool(header.errors) or not lines.is_valid())
    context = {
        "form": header,
        "lines": lines,
        "invoice": invoice,
        "title": _("Edit %(invoice)s") % {"invoice": invoice} if invoice else _("New invoice"),
        "cancel_url": reverse("invoicing:invoice_view", args=[invoice.pk])
        if invoice
        else reverse("invoicing:invoice_list"),
    }
    return render(request, "invoicing/invoice_form.html", context, status=422 if has_errors else 200)


@page("invoicing.add_invoice")
def invoice_create(request: HttpRequest) -> HttpResponse:
    return _invoice_form(request, None)


@page("invoicing.change_invoice")
def invoice_edit(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_of(request, invoice_id)
    if invoice.state != State.DRAFT:
        messages.error(request, _("A posted invoice never changes: correct it with a credit note."))
        return redirect("invoicing:invoice_view", invoice_id=invoice.pk)
    return _invoice_form(request, invoice)


invoice = "<id:invoice_id>"
urlpatterns = [
    path("new/", invoice_create, name="invoice_create"),
    path("from-orders/", invoice_from_orders, name="invoice_from_orders"),
    path(f"{invoice}/edit/", invoice_edit, name="invoice_edit"),
]
