"""Pages: the submissions of VERI*FACTU records to the AEAT (list; one submission with its records' answers
and the request and answer as they went and came, each downloadable) and "Send now"."""

from django.contrib import messages
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from lxml import etree

from nexo.compliance.models import Submission, SubmittedRecord
from nexo.compliance.services.submission import (
    sending_status,
    submission_get,
    submission_records,
    submission_request,
    submissions_with_counts,
)
from nexo.core.errors import DomainError
from nexo.core.listing import Filter, ListPage, Sort
from nexo.core.permissions import page

# A request of 1,000 records is a few megabytes: shown indented up to this size, beyond it as it went.
PRETTY_LIMIT = 2_000_000
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True, huge_tree=False)


def _carrying(word: str) -> Q:
    """Submissions carrying a record of an invoice whose number holds the word."""
    return Q(
        Exists(
            SubmittedRecord.objects.filter(submission=OuterRef("pk"), record__invoice_number__icontains=word)
        )
    )


SUBMISSION_LIST = ListPage(
    search=_carrying,
    sorts={"created": Sort(gettext_lazy("Created"), ("created_at", "pk"))},
    default_sort="created",
    default_descending=True,
    filters=[Filter("state", gettext_lazy("State"), Submission.State.choices, lambda value: Q(state=value))],
)


@page("compliance.view_submission")
def submission_list(request: HttpRequest) -> HttpResponse:
    context = {
        "listing": SUBMISSION_LIST.apply(request, submissions_with_counts(request.company)),
        "title": _("AEAT submissions"),
        "search_hint": _("Invoice number"),
        "results_template": "compliance/submission_results.html",
        "status": sending_status(request.company),
    }
    partial = request.htmx and not request.htmx.boosted
    return render(
        request, context["results_template"] if partial else "compliance/submission_list.html", context
    )


@page("compliance.view_submission")
def submission_view(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = submission_get(request.company, submission_id)
    records = submission_records(submission)
    context = {
        "title": _("AEAT submission %(id)s") % {"id": submission.pk},
        "submission": submission,
        "records": records,
        "request_text": readable(submission.request),
        "response_text": readable(submission.response),
        "retrying": submission.state == Submission.State.FAILED and submission.next_attempt_at is not None,
    }
    return render(request, "compliance/submission_detail.html", context)


def readable(xml: str) -> str:
    """The XML indented to be read (the download keeps it as it went); as it is when it is not XML."""
    if not xml or len(xml) > PRETTY_LIMIT:
        return xml
    try:
        element = etree.fromstring(xml.encode(), _PARSER)
    except etree.XMLSyntaxError:
        return xml
    return etree.tostring(element, pretty_print=True, encoding="unicode")


@page("compliance.view_submission")
def submission_request_file(request: HttpRequest, submission_id: int) -> HttpResponse:
    return _download(submission_get(request.company, submission_id), "request")


@page("compliance.view_submission")
def submission_response_file(request: HttpRequest, submission_id: int) -> HttpResponse:
    return _download(submission_get(request.company, submission_id), "response")


def _download(submission: Submission, part: str) -> HttpResponse:
    """The request or the answer exactly as it went or came (an answer need not be XML: an error page)."""
    body = getattr(submission, part)
    xml = part == "request" or body.lstrip().startswith("<?xml")
    content_type, extension = ("application/xml", "xml") if xml else ("text/plain", "txt")
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="aeat-submission-{submission.pk}-{part}.{extension}"'
    )
    return response


@page("compliance.add_submission")
@require_POST
def submission_send(request: HttpRequest) -> HttpResponse:
    """Send now: the records waiting go as soon as the AEAT's waiting time allows."""
    try:
        sending = submission_request(company=request.company, by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("compliance:submission_list")
    count = {"count": sending.pending}
    if sending.not_before is not None and sending.not_before > timezone.now():
        when = formats.time_format(timezone.localtime(sending.not_before), "H:i:s")
        messages.success(
            request,
            ngettext(
                "%(count)s record will be sent at %(time)s, when the AEAT's waiting time is over.",
                "%(count)s records will be sent at %(time)s, when the AEAT's waiting time is over.",
                sending.pending,
            ) % (count | {"time": when}),
        )  # fmt: skip
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s record is being sent to the AEAT.", "%(count)s records are being sent to the AEAT.",
                sending.pending,
            ) % count,
        )  # fmt: skip
    return redirect("compliance:submission_list")


urlpatterns = [
    path("submissions/", submission_list, name="submission_list"),
    path("submissions/send/", submission_send, name="submission_send"),
    path("submissions/<id:submission_id>/", submission_view, name="submission_view"),
    path("submissions/<id:submission_id>/request/", submission_request_file, name="submission_request"),
    path("submissions/<id:submission_id>/response/", submission_response_file, name="submission_response"),
]
