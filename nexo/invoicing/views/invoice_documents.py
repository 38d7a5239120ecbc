"""A posted invoice's documents: its PDF and its e-mail to the customer (nexo.invoicing.documents, sending);
a refused address comes back beside its field (422), a refused invoice as a message."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.permissions import page
from nexo.invoicing import documents, sending
from nexo.invoicing.forms import SendInvoiceForm
from nexo.invoicing.models import Invoice
from nexo.invoicing.views.invoices import invoice_context, invoice_of


@page("invoicing.view_invoice")
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = documents.printable_invoice(request.company, invoice_id)
    if invoice is None:
        raise Http404(_("No such invoice."))
    response = HttpResponse(documents.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.invoice_filename(invoice)}"'
    return response


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


invoice = "<id:invoice_id>"
urlpatterns = [
    path(f"{invoice}/pdf/", invoice_pdf, name="invoice_pdf"),
    path(f"{invoice}/send/", invoice_send, name="invoice_send"),
]
