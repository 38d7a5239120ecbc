"""Customer invoice and credit note pages: the list, one invoice (its lines, taxes per rate, withholding and
what is due, the orders it bills, the invoice it corrects and its credit notes), a draft deleted or posted
(asking for the customer's billing address first when it has none), and a posted one cancelled. A new invoice and a draft edited are in
`invoice_drafts`, the PDF and the e-mail in `invoice_documents`, a credit note in `credit_notes`.

Every change is a service call (nexo.invoicing.services, nexo.invoicing.sending, nexo.parties.services); a
refused input comes back as form errors (422), a refused state as a message."""

from datetime import date as Date
from decimal import Decimal

from django.contrib import messages
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.listing import Filter, ListPage, Sort, words_in
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.invoicing import documents, sending, services
from nexo.invoicing.forms import BillingAddressForm, CancelInvoiceForm, SendInvoiceForm
from nexo.invoicing.models import Invoice, InvoiceTax
from nexo.parties import services as party_services
from nexo.parties.models import Address, Party
from nexo.sales.models import SalesOrder

State, Kind = Invoice.State, Invoice.Kind
ZERO = Decimal(0)


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
        Invoice.objects.select_related(
            "party", "corrects", "created_by", "posted_by", "cancelled_by", "payment_term"
        ),
        company=request.company,
        pk=invoice_id,
    )
    invoice.company = request.company  # the issuer, already read: the e-mail and the PDF name it
    return invoice


def has_billing_address(party_id: int) -> bool:
    return Address.objects.filter(party_id=party_id, kind=Address.Kind.BILLING).exists()


def customer_needs(invoice: Invoice) -> dict[str, bool]:
    """What posting needs of the invoice's customer and it lacks (a simplified invoice needs neither)."""
    return {
        "needs_tax_id": not invoice.party.tax_id,
        "needs_address": not has_billing_address(invoice.party_id),
    }


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
    is_draft, is_posted = invoice.state == State.DRAFT, invoice.state == State.POSTED
    context = {
        "invoice": invoice,
        **invoice_figures(invoice),
        "is_draft": is_draft,
        "can_change": is_draft and request.user.has_perm("invoicing.change_invoice"),
        "can_delete": is_draft and request.user.has_perm("invoicing.delete_invoice"),
        "can_post": is_draft and request.user.has_perm("invoicing.post_invoice"),
        "can_send": is_posted and request.user.has_perm("invoicing.change_invoice"),
        "can_credit": is_posted
        and invoice.kind == Kind.INVOICE
        and request.user.has_perm("invoicing.add_invoice"),
        "can_cancel": is_posted and request.user.has_perm("invoicing.cancel_invoice"),
        "sees_orders": request.user.has_perm("sales.view_salesorder"),
        "sees_party": request.user.has_perm("parties.view_party"),
        "title": str(invoice),
        "panels": panels("document_panel", request, "invoicing.invoice", invoice),
        **shown,
    }
    if is_draft and invoice.invoice_type != Invoice.Type.F2 and "address_form" not in context:
        needs = customer_needs(invoice)
        if any(needs.values()):
            context["address_form"] = BillingAddressForm(
                initial={"country": invoice.party.country or "ES"}, **needs
            )
    if context["can_send"] and "send_form" not in context:
        context["send_form"] = _send_form(invoice, request)
    if context["can_cancel"] and "cancel_form" not in context:
        context["cancel_form"] = CancelInvoiceForm(auto_id="cancel-%s")
    return context


@page("invoicing.view_invoice")
def invoice_view(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_of(request, invoice_id)
    return render(request, "invoicing/invoice_detail.html", invoice_context(request, invoice))


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


# Cancelling a posted invoice


@page("invoicing.cancel_invoice")
@require_POST
def invoice_cancel(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """Cancel a posted invoice issued by mistake: a reason missing or too long, or the box not ticked, comes
    back beside its field (422); a refusal of the service (a payment allocated, a credit note, closed books)
    as a message."""
    invoice = invoice_of(request, invoice_id)
    form = CancelInvoiceForm(request.POST, auto_id="cancel-%s")
    if form.is_valid():
        try:
            cancelled = services.invoice_cancel(
                company=request.company, by=request.user, invoice_id=invoice.pk,
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except ValidationFailed as failure:
            apply_failure(form, failure)
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect("invoicing:invoice_view", invoice_id=invoice.pk)
        else:
            messages.success(request, _("Invoice %(number)s cancelled.") % {"number": cancelled.number})
            return redirect("invoicing:invoice_view", invoice_id=invoice.pk)
    context = invoice_context(request, invoice, cancel_form=form, show_cancel=True)
    return render(request, "invoicing/invoice_detail.html", context, status=422)


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


invoice = "<id:invoice_id>"
urlpatterns = [
    path("", invoice_list, name="invoice_list"),
    path(f"{invoice}/", invoice_view, name="invoice_view"),
    path(f"{invoice}/delete/", invoice_delete, name="invoice_delete"),
    path(f"{invoice}/post/", invoice_post, name="invoice_post"),
    path(f"{invoice}/cancel/", invoice_cancel, name="invoice_cancel"),
    path(f"{invoice}/billing-address/", invoice_billing_address, name="invoice_billing_address"),
]
