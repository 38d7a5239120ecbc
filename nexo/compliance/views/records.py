"""Pages: the VERI*FACTU records (list, one record's XML) and the chain's verification."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from nexo.compliance.models import BillingRecord
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
