"""A credit note for a posted invoice: its lines with what is left to take back, and the draft credit note
made by the service (nexo.invoicing.services); a refused input comes back beside its line (422)."""

from decimal import Decimal

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.permissions import page
from nexo.invoicing import services
from nexo.invoicing.forms import CreditNoteForm
from nexo.invoicing.models import Invoice, InvoiceLine
from nexo.invoicing.views.invoices import invoice_of

State, Kind = Invoice.State, Invoice.Kind
ZERO = Decimal(0)


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
    path(f"{invoice}/credit-note/", credit_note_create, name="credit_note_create"),
]
