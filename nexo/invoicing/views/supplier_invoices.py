"""Supplier invoice pages: the list, one invoice with its lines beside their purchase orders, drawing one
from a supplier's purchase orders, typing one by hand, changing a draft, and the accept, post and delete
actions. Every change goes through `invoicing.services.supplier_invoices`."""

from datetime import date as Date
from decimal import Decimal

from django.contrib import messages
from django.db.models import Exists, OuterRef, Prefetch, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.listing import Filter, ListPage, Sort, words_in
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.core.rules import round_money
from nexo.core.validation import record_id
from nexo.invoicing.forms_supplier import FromOrdersForm, HeaderForm, LineFormSet, SupplierChoiceForm, plain
from nexo.invoicing.models import SupplierInvoice, SupplierInvoiceLine
from nexo.invoicing.services import supplier_invoices as services
from nexo.parties.models import Party
from nexo.purchasing.forms import suppliers_of
from nexo.purchasing.models import PurchaseOrder, PurchaseOrderLine

State = SupplierInvoice.State
ZERO = Decimal(0)
BLANK_ROWS = 2
MAX_ORDERS_SHOWN = 100


def _day(value: str | None) -> Date | None:
    try:
        day = Date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if day.year >= 1900 else None


def _differing():
    return Exists(SupplierInvoiceLine.objects.filter(invoice=OuterRef("pk")).exclude(difference=""))


def _listing(request: HttpRequest) -> ListPage:
    suppliers = [(str(pk), name) for pk, name in suppliers_of(request.company).values_list("pk", "name")]
    return ListPage(
        search=words_in(("number", "supplier_number", "party__name")),
        sorts={
            "date": Sort(gettext_lazy("Date"), ("date",)),
            "number": Sort(gettext_lazy("Number"), ("number",)),
            "supplier": Sort(gettext_lazy("Supplier"), ("party__name",)),
            "total": Sort(gettext_lazy("Total"), ("total",)),
        },
        default_sort="date",
        default_descending=True,
        filters=[
            Filter("state", gettext_lazy("State"), State.choices, lambda value: Q(state=value)),
            Filter("supplier", gettext_lazy("Supplier"), suppliers, lambda value: Q(party_id=value)),
            Filter(
                "differences",
                gettext_lazy("Differences"),
                [("yes", gettext_lazy("With differences")), ("no", gettext_lazy("Without differences"))],
                lambda value: Q(has_differences=value == "yes"),
            ),
        ],
    )


@page("invoicing.view_supplierinvoice")
def supplier_invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = (
        SupplierInvoice.objects.filter(company=request.company)
        .select_related("party")
        .annotate(has_differences=_differing())
    )
    date_from, date_to = _day(request.GET.get("date_from")), _day(request.GET.get("date_to"))
    if date_from:
        invoices = invoices.filter(date__gte=date_from)
    if date_to:
        invoices = invoices.filter(date__lte=date_to)
    listing = _listing(request).apply(request, invoices)
    context = {
        "listing": listing,
        "title": _("Supplier invoices"),
        "search_hint": _("Number, supplier's number or supplier"),
        "results_template": "invoicing/supplier_invoice_results.html",
        "date_from": date_from,
        "date_to": date_to,
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "invoicing/supplier_invoice_list.html"
    )
    return render(request, template, context)


# One invoice


def _invoice_of(request: HttpRequest, invoice_id: int) -> SupplierInvoice:
    lines = SupplierInvoiceLine.objects.select_related("item", "purchase_line__order").order_by(
        "position", "pk"
    )
    return get_object_or_404(
        SupplierInvoice.objects.select_related(
            "party", "posted_by", "differences_accepted_by", "payment_term"
        ).prefetch_related(Prefetch("lines", queryset=lines), "taxes"),
        company=request.company,
        pk=invoice_id,
    )


def _detail_context(request: HttpRequest, invoice: SupplierInvoice) -> dict:
    lines = list(invoice.lines.all())
    for line in lines:
        line.difference_text = services.difference_text(line.difference)
    taxes = list(invoice.taxes.all())
    is_draft = invoice.state == State.DRAFT
    has_differences = any(line.difference for line in lines)
    return {
        "invoice": invoice,
        "lines": lines,
        "vat_rows": [row for row in taxes if row.kind == "vat"],
        "irpf_rows": [row for row in taxes if row.kind == "irpf"],
        "has_differences": has_differences,
        "is_draft": is_draft,
        "foreign": invoice.currency != request.company.currency,
        "company_currency": request.company.currency,
        "can_accept": is_draft and has_differences and invoice.differences_accepted_at is None,
        "panels": panels("document_panel", request, "invoicing.supplierinvoice", invoice),
    }


@page("invoicing.view_supplierinvoice")
def supplier_invoice_view(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice_of(request, invoice_id)
    return render(request, "invoicing/supplier_invoice_detail.html", _detail_context(request, invoice))


# Actions


def _act(request: HttpRequest, invoice_id: int, action, success: str) -> HttpResponse:
    """Run an action on the invoice; a refusal (posted meanwhile, differences to accept…) is shown on it."""
    invoice = get_object_or_404(SupplierInvoice, company=request.company, pk=invoice_id)
    try:
        action(company=request.company, by=request.user, invoice_id=invoice.pk)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, success)
    return redirect("invoicing:supplier_invoice_view", invoice_id=invoice.pk)


@page("invoicing.change_supplierinvoice")
@require_POST
def supplier_invoice_accept(request: HttpRequest, invoice_id: int) -> HttpResponse:
    return _act(
        request, invoice_id, services.supplier_invoice_accept_differences, _("Differences accepted.")
    )  # fmt: skip


@page("invoicing.post_supplierinvoice")
@require_POST
def supplier_invoice_post(request: HttpRequest, invoice_id: int) -> HttpResponse:
    return _act(request, invoice_id, services.supplier_invoice_post, _("Supplier invoice posted."))


@page("invoicing.delete_supplierinvoice")
@require_POST
def supplier_invoice_delete(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = get_object_or_404(SupplierInvoice, company=request.company, pk=invoice_id)
    try:
        services.supplier_invoice_delete(company=request.company, by=request.user, invoice_id=invoice.pk)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("invoicing:supplier_invoice_view", invoice_id=invoice.pk)
    messages.success(request, _("Draft supplier invoice deleted."))
    return redirect("invoicing:supplier_invoice_list")


# Typing an invoice (by hand) or changing a draft


def _initial_lines(invoice: SupplierInvoice | None) -> list[dict]:
    if invoice is None:
        return []
    return [
        {
            "id": line.pk, "description": line.description, "quantity": plain(line.quantity),
            "unit_price": plain(line.unit_price), "discount": plain(line.discount) if line.discount else "",
            "vat_rate": plain(line.vat_rate), "irpf_rate": plain(line.irpf_rate) if line.irpf_rate else "",
        }
        for line in invoice.lines.all()
    ]  # fmt: skip


def _typed_rows(request: HttpRequest, more: int) -> list[dict]:
    """The rows as typed, plus `more` blank ones (the "more lines" button)."""
    count = min(record_id(request.POST.get("lines-TOTAL_FORMS")) or 0, 500)
    names = ("id", "description", "quantity", "unit_price", "discount", "vat_rate", "irpf_rate", "remove")
    rows = [{name: request.POST.get(f"lines-{index}-{name}", "") for name in names} for index in range(count)]
    return rows + [{} for _ in range(more)]


def _show_line_failure(header, sources, failure: ValidationFailed) -> None:
    """The service names lines by their place among those sent: each error goes on its row."""
    rest = []
    for error in failure.errors:
        parts = error["field"].split(".")
        if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(sources):
            form = sources[int(parts[1])]
            name = parts[2] if len(parts) == 3 and parts[2] in form.fields else None
            form.add_error(name, error["message"])
        elif error["field"] == "lines":
            header.add_error(None, error["message"])
        else:
            rest.append(error)
    if rest:
        apply_failure(header, ValidationFailed(failure.detail, errors=rest))


def _invoice_form(request: HttpRequest, invoice: SupplierInvoice | None) -> HttpResponse:
    by_hand = invoice is None
    adding = request.method == "POST" and "add_lines" in request.POST
    initial = {"date": timezone.localdate()}
    if invoice is not None:
        initial = {
            "supplier_number": invoice.supplier_number, "date": invoice.date,
            "received_date": invoice.received_date, "notes": invoice.notes, "payment_term": invoice.payment_term_id,
        }  # fmt: skip
    else:
        initial["supplier"] = record_id(request.GET.get("supplier"))
    data = request.POST if request.method == "POST" else None
    header = HeaderForm(
        data, company=request.company, by_hand=by_hand, initial=initial,
        term_id=invoice.payment_term_id if invoice is not None else None,
    )  # fmt: skip
    if adding:
        header.errors.clear()  # only more rows were asked for: what was typed stays, without errors yet
        lines = LineFormSet(prefix="lines", initial=_typed_rows(request, BLANK_ROWS))
    elif data is not None:
        lines = LineFormSet(data, prefix="lines")
    else:
        lines = LineFormSet(prefix="lines", initial=_initial_lines(invoice) + [{} for _ in range(BLANK_ROWS)])
    if data is not None and not adding and header.is_valid() & lines.is_valid():
        sources, service_lines = [], []
        for form in lines.forms:
            line = form.service_line()
            if line is not None:
                sources.append(form)
                service_lines.append(line)
        try:
            if invoice is None:
                saved = services.supplier_invoice_create(
                    company=request.company, by=request.user, lines=service_lines, **header.service_fields()
                )
                messages.success(request, _("Draft supplier invoice saved."))
            else:
                saved = services.supplier_invoice_update(
                    company=request.company, by=request.user, invoice_id=invoice.pk, lines=service_lines,
                    **header.service_fields(),
                )  # fmt: skip
                messages.success(request, _("Changes saved."))
        except ValidationFailed as failure:
            _show_line_failure(header, sources, failure)
        except DomainError as error:  # posted meanwhile
            header.add_error(None, error.detail)
        else:
            return redirect("invoicing:supplier_invoice_view", invoice_id=saved.pk)
    ordered = {}
    if invoice is not None:
        ordered = {line.pk: line for line in invoice.lines.all() if line.purchase_line_id}
    for form in lines.forms:
        form.ordered = ordered.get(record_id(str(form["id"].value() or "")))
    has_errors = bool(header.errors) or (lines.is_bound and any(form.errors for form in lines.forms))
    context = {
        "form": header,
        "lines": lines,
        "invoice": invoice,
        "title": _("Edit %(invoice)s") % {"invoice": invoice.supplier_number}
        if invoice
        else _("New supplier invoice"),
        "cancel_url": reverse("invoicing:supplier_invoice_view", args=[invoice.pk])
        if invoice
        else reverse("invoicing:supplier_invoice_list"),
    }
    return render(request, "invoicing/supplier_invoice_form.html", context, status=422 if has_errors else 200)


@page("invoicing.add_supplierinvoice")
def supplier_invoice_create(request: HttpRequest) -> HttpResponse:
    return _invoice_form(request, None)


@page("invoicing.change_supplierinvoice")
def supplier_invoice_edit(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice_of(request, invoice_id)
    if invoice.state != State.DRAFT:
        messages.error(request, _("A posted supplier invoice cannot be changed."))
        return redirect("invoicing:supplier_invoice_view", invoice_id=invoice.pk)
    return _invoice_form(request, invoice)


# Drawing an invoice from purchase orders


def orders_to_invoice(company, supplier: Party) -> list[PurchaseOrder]:
    """The supplier's confirmed or received orders with something received and on no supplier invoice
    yet, each with those lines (`to_invoice`) and their amount: three queries."""
    orders = list(
        PurchaseOrder.objects.filter(
            company=company, supplier=supplier, state__in=services.BILLABLE_ORDER_STATES
        ).order_by("date", "pk")[:MAX_ORDERS_SHOWN]
    )
    lines = list(
        PurchaseOrderLine.objects.filter(order__in=orders, received_quantity__gt=0)
        .select_related("item")
        .order_by("position", "pk")
    )
    on_invoices = dict(
        SupplierInvoiceLine.objects.filter(purchase_line__in=[line.pk for line in lines])
        .values("purchase_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("purchase_line_id", "total")
    )
    by_order: dict[int, list] = {}
    for line in lines:
        line.to_invoice = line.received_quantity - on_invoices.get(line.pk, ZERO)
        if line.to_invoice > 0:
            by_order.setdefault(line.order_id, []).append(line)
    shown = []
    for order in orders:
        if order.pk in by_order:
            order.lines_to_invoice = by_order[order.pk]
            order.amount_to_invoice = sum(
                (round_money(line.to_invoice * line.unit_price) for line in order.lines_to_invoice), ZERO
            )
            shown.append(order)
    return shown


@page("invoicing.add_supplierinvoice")
def supplier_invoice_from_orders(request: HttpRequest) -> HttpResponse:
    """Step 1 chooses the supplier (a GET form; a purchase order's page opens it with its order); step 2
    chooses among its orders with something received left to invoice and types the supplier's number."""
    checked_order = record_id(request.GET.get("order") or request.POST.get("order"))
    supplier_id = record_id(request.GET.get("supplier"))
    if supplier_id is None and checked_order is not None:
        supplier_id = (
            PurchaseOrder.objects.filter(company=request.company, pk=checked_order)
            .values_list("supplier_id", flat=True)
            .first()
        )
    choice = SupplierChoiceForm(
        {"supplier": supplier_id} if supplier_id else None, company=request.company
    )  # fmt: skip
    supplier = choice.cleaned_data["supplier"] if supplier_id and choice.is_valid() else None
    orders = orders_to_invoice(request.company, supplier) if supplier else []
    form = None
    status = 200
    if supplier is not None:
        data = request.POST if request.method == "POST" else None
        initial = {"date": timezone.localdate(), "orders": [str(checked_order)] if checked_order else []}
        form = FromOrdersForm(data, order_ids=[order.pk for order in orders], initial=initial)
        if data is not None:
            if form.is_valid():
                try:
                    invoice = services.supplier_invoice_from_orders(
                        company=request.company, by=request.user, **form.service_fields()
                    )
                except ValidationFailed as failure:
                    renamed = [
                        {**error, "field": "orders" if error["field"] == "order_ids" else error["field"]}
                        for error in failure.errors
                    ]
                    apply_failure(form, ValidationFailed(failure.detail, errors=renamed))
                else:
                    messages.success(request, _("Draft supplier invoice created from the purchase orders."))
                    return redirect("invoicing:supplier_invoice_view", invoice_id=invoice.pk)
            status = 422
        chosen = set(form["orders"].value() or [])
        for order in orders:
            order.checked = str(order.pk) in chosen
    if supplier is not None:  # the orders' form takes the focus; the supplier can still be changed
        choice = SupplierChoiceForm(initial={"supplier": supplier}, company=request.company)
        choice.fields["supplier"].widget.attrs.pop("autofocus", None)
    context = {
        "title": _("Supplier invoice from purchase orders"),
        "choice": choice,
        "supplier": supplier,
        "orders": orders,
        "form": form,
    }  # fmt: skip
    return render(request, "invoicing/supplier_invoice_from_orders.html", context, status=status)


urlpatterns = [
    path("supplier-invoices/", supplier_invoice_list, name="supplier_invoice_list"),
    path("supplier-invoices/new/", supplier_invoice_create, name="supplier_invoice_create"),
    path("supplier-invoices/from-orders/", supplier_invoice_from_orders, name="supplier_invoice_from_orders"),
    path("supplier-invoices/<id:invoice_id>/", supplier_invoice_view, name="supplier_invoice_view"),
    path("supplier-invoices/<id:invoice_id>/edit/", supplier_invoice_edit, name="supplier_invoice_edit"),
    path(
        "supplier-invoices/<id:invoice_id>/accept/", supplier_invoice_accept, name="supplier_invoice_accept"
    ),
    path("supplier-invoices/<id:invoice_id>/post/", supplier_invoice_post, name="supplier_invoice_post"),
    path(
        "supplier-invoices/<id:invoice_id>/delete/", supplier_invoice_delete, name="supplier_invoice_delete"
    ),
]
