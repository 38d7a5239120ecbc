"""Pages: the VERI*FACTU records (list, one record's XML), the chain's verification, and what an invoice's
page and PDF show of its record (its panel, its QR code)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from nexo.compliance import qr
from nexo.compliance.models import BillingRecord, SubmittedRecord
from nexo.compliance.services.records import qr_base_url
from nexo.compliance.services.settings import compliance_settings
from nexo.compliance.services.verification import verify_records
from nexo.core.listing import ListPage, Sort, words_in
from nexo.core.permissions import page

RECORD_LIST = ListPage(
    search=words_in(("invoice_number", "hash")),
    sorts={
        "position": Sort(gettext_lazy("Position"), ("-position",)),
        "date": Sort(gettext_lazy("Issue date"), ("-issue_date", "-position")),
    },
    default_sort="position",
)


def invoice_print_mark(invoice) -> dict | None:
    """The QR code and legend a posted invoice prints, from its alta (one query); None without one."""
    record = (
        BillingRecord.objects.filter(invoice=invoice, kind=BillingRecord.Kind.REGISTRATION)
        .only("issuer_tax_id", "invoice_number", "issue_date", "total")
        .first()
    )
    if record is None:
        return None
    address = qr.qr_address(
        qr_base_url(compliance_settings(invoice.company)), issuer_tax_id=record.issuer_tax_id,
        invoice_number=record.invoice_number, issue_date=record.issue_date, total=record.total,
    )  # fmt: skip
    return {"label": qr.LABEL, "qr_svg": qr.qr_image(address), "legend": qr.LEGEND, "address": address}


def invoice_panel(request: HttpRequest, invoice) -> dict | None:
    """The invoice's records (alta, anulación), their hashes and what the AEAT answered, for its page."""
    if not request.user.has_perm("compliance.view_billingrecord") and not request.user.has_perm(
        "invoicing.view_invoice"
    ):
        return None
    records = list(
        BillingRecord.objects.filter(company=request.company, invoice=invoice).order_by("position")
        .only("id", "kind", "position", "hash", "generated_at")
    )  # fmt: skip
    if not records and invoice.state == "draft":
        return None
    answers = {
        row["record_id"]: row
        for row in SubmittedRecord.objects.filter(record__in=records)
        .order_by("submission_id")
        .values("record_id", "outcome", "error")
    }
    for record in records:
        answer = answers.get(record.pk)
        record.outcome = answer["outcome"] if answer else ""
        record.outcome_label = SubmittedRecord.Outcome(answer["outcome"]).label if answer else _("Not sent")
    return {
        "template": "compliance/_invoice_panel.html",
        "records": records,
        "facturae_url": reverse("compliance:invoice_facturae", args=[invoice.pk])
        if invoice.state != "draft"
        else None,
    }


@page("compliance.view_billingrecord")
def record_list(request: HttpRequest) -> HttpResponse:
    queryset = BillingRecord.objects.filter(company=request.company).defer("xml")
    context = {
        "listing": RECORD_LIST.apply(request, queryset),
        "title": _("VERI*FACTU records"),
        "search_hint": _("Number or hash"),
        "results_template": "compliance/record_results.html",
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "compliance/record_list.html"
    )
    return render(request, template, context)


@page("compliance.view_billingrecord")
def record_xml(request: HttpRequest, record_id: int) -> HttpResponse:
    """One record as the AEAT's XML, as it was hashed."""
    record = get_object_or_404(BillingRecord, company=request.company, pk=record_id)
    response = HttpResponse(record.xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="verifactu-{record.position}.xml"'
    return response


@page("compliance.verify_records")
@require_http_methods(["GET", "POST"])
def record_verify(request: HttpRequest) -> HttpResponse:
    """The chain checked again on request: each issuer's record count and its first broken record."""
    reports = verify_records(request.company) if request.method == "POST" else None
    if reports is not None:
        if all(report.intact for report in reports):
            messages.success(request, _("Every record's hash and link match: the chain is intact."))
        else:
            messages.error(request, _("The chain is broken: see the first record that does not match."))
    return render(
        request, "compliance/record_verify.html",
        {"title": _("Verify the VERI*FACTU records"), "reports": reports},
        status=200 if reports is None or all(report.intact for report in reports) else 409,
    )  # fmt: skip


urlpatterns = [
    path("records/", record_list, name="record_list"),
    path("records/verify/", record_verify, name="record_verify"),
    path("records/<id:record_id>/xml/", record_xml, name="record_xml"),
]
