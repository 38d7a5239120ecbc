"""Customer invoice and credit note pages: the list, one invoice (its lines, taxes per rate, withholding and
what is due, the orders it bills, the invoice it corrects and its credit notes), a new invoice from a
customer's orders or typed by hand, a draft edited, deleted or posted (asking for the customer's billing
address first when it has none), its PDF, its e-mail, and a credit note.

Every change is a service call (nexo.invoicing.services, nexo.invoicing.sending, nexo.parties.services); a
refused input comes back as form errors (422), a refused state as a message."""

from datetime import date as Date
from decimal import Decimal

from django.contrib import messages
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.listing import Filter, ListPage, Sort, words_in
from nexo.core.permissions import page
from nexo.core.rules import round_money
from nexo.core.validation import record_id
from nexo.invoicing import documents, sending, services
from nexo.invoicing.forms import (
    BillingAddressForm,
    CreditNoteForm,
    CustomerForm,
    FromOrdersForm,
    InvoiceHeaderForm,
    InvoiceLineFormSet,
    SendInvoiceForm,
    plain,
)
from nexo.invoicing.models import Invoice, InvoiceLine, InvoiceTax
from nexo.parties import services as party_services
from nexo.parties.models import Address, Party
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


def day_of(value: str | None) -> Date | None:
    try:
        day = Date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if day.year >= 1900 else None


# The list


def _listing(request: HttpRequest) -> ListPage:
    invoiced = Invoice.objects.filter(company=request.company).values("party_id")
    customers = Party.objects.filter(company=request.company, pk__in=invoiced).order_by("name", "pk")
    return ListPage(
        search=words_in(("number", "party__name", "party_name", "party_tax_id")),
        sorts={
            "date": Sort(gettext_lazy("Date"), ("date", "number")),
            "number": Sort(gettext_lazy("Number"), ("series", "year", "sequence")),
            "party": Sort(gettext_lazy("Customer"), ("party__name",)),
            "total": Sort(gettext_lazy("Total"), ("total",)),
        },
        default_sort="date",
        default_descending=True,
        filters=[
            Filter("state", gettext_lazy("State"), State.choices, lambda value: Q(state=value)),
            Filter("kind", gettext_lazy("Kind"), Kind.choices, lambda value: Q(kind=value)),
            Filter(
                "customer",
                gettext_lazy("Customer"),
                [(str(pk), name) for pk, name in customers.values_list("pk", "name")],
                lambda value: Q(party_id=value),
            ),
        ],
    )


@page("invoicing.view_invoice")
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = Invoice.objects.filter(company=request.company).select_related("party", "corrects")
    date_from, date_to = day_of(request.GET.get("date_from")), day_of(request.GET.get("date_to"))
    if date_from:
        invoices = invoices.filter(date__gte=date_from)
    if date_to:
        invoices = invoices.filter(date__lte=date_to)
    listing = _listing(request).apply(request, invoices)
    sums = listing.page.paginator.object_list.order_by().aggregate(
        base=Sum("base"), total=Sum("total"), amount_due=Sum("amount_due")
    )
    context = {
        "listing": listing,
        "title": _("Invoices"),
        "search_hint": _("Number, customer or tax id"),
        "results_template": "invoicing/_invoice_results.html",
        "date_from": date_from,
        "date_to": date_to,
        "sums": {name: value or ZERO for name, value in sums.items()},
        "currency": request.company.currency,
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "invoicing/invoice_list.html"
    )
    return render(request, template, context)


# One invoice


def invoice_of(request: HttpRequest, invoice_id: int) -> Invoice:
    invoice = get_object_or_404(
        Invoice.objects.select_related("party", "corrects", "created_by", "posted_by"),
        company=request.company,
        pk=invoice_id,
    )
    invoice.company = request.company  # the issuer, already read: the e-mail and the PDF name it
    return invoice


def has_billing_address(party_id: int) -> bool:
    return Address.objects.filter(party_id=party_id, kind=Address.Kind.BILLING).exists()


def customer_needs(invoice: Invoice) -> dict[str, bool]:
    """What posting needs of the invoice's customer and it lacks (a simplified invoice needs neither)."""
    return {"needs_tax_id": not invoice.party.tax_id, "needs_address": not has_billing_address(invoice.party_id)}


def invoice_figures(invoice: Invoice) -> dict:
    """The invoice's lines with their items and orders, its tax groups, the orders it bills and its credit
    notes: four queries whatever the number of lines."""
    lines = list(
        invoice.lines.select_related("item", "order_line__order", "corrects_line").order_by("position", "id")
    )
    taxes = list(invoice.taxes.all())
    orders: dict[int, SalesOrder] = {}
    for line in lines:
        if line.order_line_id:
            orders.setdefault(line.order_line.order_id, line.order_line.order)
    credit_notes = list(invoice.credit_notes.order_by("date", "id")) if invoice.kind == Kind.INVOICE else []
    vat_groups = [tax for tax in taxes if tax.kind == InvoiceTax.Kind.VAT]
    return {
        "lines": lines,
        "vat_groups": vat_groups,
        "withholdings": [tax for tax in taxes if tax.kind == InvoiceTax.Kind.IRPF],
        "legal_texts": documents.legal_texts(
            [group.treatment for group in vat_groups] or [invoice.treatment], _language()
        ),
        "orders": list(orders.values()),
        "credit_notes": credit_notes,
    }


def _language() -> str:
    return get_language() or "es"


def _send_form(invoice: Invoice, request: HttpRequest) -> SendInvoiceForm:
    """The send form as it opens: the customer's address and the text it would get, both editable."""
    _subject, body = sending.invoice_email(invoice, request.user)
    return SendInvoiceForm(
        initial={"to": invoice.sent_to or sending.default_recipient(invoice), "message": body}
    )


def invoice_context(request: HttpRequest, invoice: Invoice, **shown) -> dict:
    is_draft = invoice.state == State.DRAFT
    context = {
        "invoice": invoice,
        **invoice_figures(invoice),
        "is_draft": is_draft,
        "can_change": is_draft and request.user.has_perm("invoicing.change_invoice"),
        "can_delete": is_draft and request.user.has_perm("invoicing.delete_invoice"),
        "can_post": is_draft and request.user.has_perm("invoicing.post_invoice"),
        "can_send": not is_draft and request.user.has_perm("invoicing.change_invoice"),
        "can_credit": not is_draft
        and invoice.kind == Kind.INVOICE
        and request.user.has_perm("invoicing.add_invoice"),
        "sees_orders": request.user.has_perm("sales.view_salesorder"),
        "sees_party": request.user.has_perm("parties.view_party"),
        "title": str(invoice),
        **shown,
    }
    if is_draft and invoice.invoice_type != Invoice.Type.F2 and "address_form" not in context:
        needs = customer_needs(invoice)
        if any(needs.values()):
            context["address_form"] = BillingAddressForm(initial={"country": invoice.party.country or "ES"}, **needs)
    if context["can_send"] and "send_form" not in context:
        context["send_form"] = _send_form(invoice, request)
    return context


@page("invoicing.view_invoice")
def invoice_view(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_of(request, invoice_id)
    return render(request, "invoicing/invoice_detail.html", invoice_context(request, invoice))


@page("invoicing.view_invoice")
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = documents.printable_invoice(request.company, invoice_id)
    if invoice is None:
        raise Http404(_("No such invoice."))
    response = HttpResponse(documents.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.invoice_filename(invoice)}"'
    return response


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


def _invoice_form(request: HttpRequest, invoice: Invoice | None) -> HttpResponse:
    adding = request.method == "POST" and "add_lines" in request.POST
    editing = invoice is not None
    initial = {}
    if invoice is not None:
        initial = {"date": invoice.date, "payment_terms": invoice.payment_terms, "notes": invoice.notes}
    else:
        party = Party.objects.filter(company=request.company, pk=record_id(request.GET.get("party"))).first()
        initial = {"party": party}
    data = request.POST if request.method == "POST" else None
    header = InvoiceHeaderForm(data, company=request.company, editing=editing, initial=initial)
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
                    notes=fields["notes"], payment_terms=fields["payment_terms"],
                )  # fmt: skip
                messages.success(request, _("Draft invoice saved: check it and post it."))
            else:
                saved = services.invoice_update(
                    company=request.company, by=request.user, invoice_id=invoice.pk, date=fields["date"],
                    notes=fields["notes"], payment_terms=fields["payment_terms"],
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


# Actions on a draft


@page("invoicing.delete_invoice")
@require_POST
def invoice_delete(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_of(request, invoice_id)
    try:
        services.invoice_delete(company=request.company, by=request.user, invoice_id=invoice.pk)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("invoicing:invoice_view", invoice_id=invoice.pk)
    messages.success(request, _("Draft invoice deleted."))
    return redirect("invoicing:invoice_list")


@page("invoicing.post_invoice")
@require_POST
def invoice_post(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """Post the draft: the service numbers it and freezes it, or says what is missing (shown on the page)."""
    invoice = invoice_of(request, invoice_id)
    try:
        posted = services.invoice_post(company=request.company, by=request.user, invoice_id=invoice.pk)
    except DomainError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Invoice posted as %(number)s.") % {"number": posted.number})
    return redirect("invoicing:invoice_view", invoice_id=invoice.pk)


def _messages_of(error: DomainError) -> list[str]:
    if isinstance(error, ValidationFailed) and error.errors:
        return [item["message"] for item in error.errors]
    return [error.detail]


@page("invoicing.change_invoice", "parties.change_party")
@require_POST
def invoice_billing_address(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """Give the draft's customer what posting needs and it lacks (tax id, billing address), through the
    parties service, in one step."""
    invoice = invoice_of(request, invoice_id)
    form = BillingAddressForm(request.POST, **customer_needs(invoice))
    if form.is_valid():
        try:
            party_services.party_billing_details(
                company=request.company, party_id=invoice.party_id, by=request.user, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("The customer's details are saved: the invoice can be posted now."))
            return redirect("invoicing:invoice_view", invoice_id=invoice.pk)
    context = invoice_context(request, invoice, address_form=form)
    return render(request, "invoicing/invoice_detail.html", context, status=422)


# Sending


@page("invoicing.change_invoice")
@require_POST
def invoice_send(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """The send form posted: the service records the e-mail and queues it; a refused address is shown beside
    the field, a refused invoice (a draft) as a message."""
    invoice = invoice_of(request, invoice_id)
    form = SendInvoiceForm(request.POST)
    if form.is_valid():
        try:
            sending.invoice_send(
                company=request.company, by=request.user, invoice_id=invoice.pk, **form.cleaned_data
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect("invoicing:invoice_view", invoice_id=invoice.pk)
        else:
            invoice.refresh_from_db(fields=["email_status"])
            values = {"invoice": invoice, "to": form.cleaned_data["to"]}
            if invoice.email_status == Invoice.EmailStatus.FAILED:
                messages.error(request, _("The e-mail of %(invoice)s to %(to)s failed.") % values)
            elif invoice.email_status == Invoice.EmailStatus.QUEUED:
                messages.success(request, _("The e-mail of %(invoice)s to %(to)s is queued.") % values)
            else:
                messages.success(request, _("%(invoice)s sent to %(to)s.") % values)
            return redirect("invoicing:invoice_view", invoice_id=invoice.pk)
    context = invoice_context(request, invoice, send_form=form, show_send=True)
    return render(request, "invoicing/invoice_detail.html", context, status=422)


# A credit note


def creditable_lines(invoice: Invoice) -> list[InvoiceLine]:
    """The invoice's lines, each with what its credit notes already took back (`credited`) and what is left
    (`creditable`): two queries."""
    lines = list(invoice.lines.select_related("item").order_by("position", "id"))
    credited = dict(
        InvoiceLine.objects.filter(corrects_line__invoice=invoice)
        .values("corrects_line_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("corrects_line_id", "quantity")
    )
    for line in lines:
        line.credited = -(credited.get(line.pk) or ZERO)
        line.creditable = max(line.quantity - line.credited, ZERO)
    return lines


@page("invoicing.add_invoice")
def credit_note_create(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_of(request, invoice_id)
    if invoice.state != State.POSTED or invoice.kind != Kind.INVOICE:
        messages.error(request, _("Only a posted invoice can be corrected by a credit note."))
        return redirect("invoicing:invoice_view", invoice_id=invoice.pk)
    lines = creditable_lines(invoice)
    form = CreditNoteForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            credit_note = services.credit_note_create(
                company=request.company, by=request.user, invoice_id=invoice.pk, **form.service_fields()
            )
        except ValidationFailed as failure:
            for error in failure.errors:
                field = error["field"]
                parts = field.split(".")
                if parts[0] in ("quantities", "lines") and len(parts) == 2 and parts[1].isdigit():
                    field = f"line_{parts[1]}"
                form.add_error(field if field in form.fields else None, error["message"])
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Draft credit note created: check it and post it."))
            return redirect("invoicing:invoice_view", invoice_id=credit_note.pk)
    context = {
        "invoice": invoice,
        "form": form,
        "title": _("Credit note for %(invoice)s") % {"invoice": invoice},
    }
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "invoicing/credit_note_form.html", context, status=status)


invoice = "<id:invoice_id>"
urlpatterns = [
    path("", invoice_list, name="invoice_list"),
    path("new/", invoice_create, name="invoice_create"),
    path("from-orders/", invoice_from_orders, name="invoice_from_orders"),
    path(f"{invoice}/", invoice_view, name="invoice_view"),
    path(f"{invoice}/edit/", invoice_edit, name="invoice_edit"),
    path(f"{invoice}/delete/", invoice_delete, name="invoice_delete"),
    path(f"{invoice}/post/", invoice_post, name="invoice_post"),
    path(f"{invoice}/billing-address/", invoice_billing_address, name="invoice_billing_address"),
    path(f"{invoice}/pdf/", invoice_pdf, name="invoice_pdf"),
    path(f"{invoice}/send/", invoice_send, name="invoice_send"),
    path(f"{invoice}/credit-note/", credit_note_create, name="credit_note_create"),
]
