"""/compliance/submissions: the submissions of VERI*FACTU records to the AEAT, listed and read with each
record's answer and the request and answer as they went and came; POST sends now (`submission_request`)."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Schema

from nexo.compliance.models import BillingRecord, Submission, SubmittedRecord
from nexo.compliance.services import submission as services
from nexo.core.api import Endpoints, Limit, Offset, RecordId, page_of

endpoints = Endpoints()

StateName = Literal[tuple(Submission.State.values)]  # type: ignore[valid-type]
OutcomeName = Literal[tuple(SubmittedRecord.Outcome.values)]  # type: ignore[valid-type]
KindName = Literal[tuple(BillingRecord.Kind.values)]  # type: ignore[valid-type]


class SubmissionOut(Schema):
    id: int
    state: StateName = Field(
        description="queued (being sent), accepted, partial (some records rejected), rejected, failed (the AEAT "
        "could not be reached or answer: tried again at next_attempt_at)"
    )
    attempts: int
    next_attempt_at: datetime | None = Field(description="When a failed submission is tried again")
    created_at: datetime
    sent_at: datetime | None = Field(description="When its last attempt went")
    endpoint: str
    http_status: int | None
    error: str
    wait_seconds: int | None = Field(
        description="The AEAT's waiting time before the next submission (seconds)"
    )
    record_count: int
    accepted_count: int = Field(description="Records accepted, with or without errors")
    rejected_count: int


class SubmittedRecordOut(Schema):
    record_id: int
    position: int
    kind: KindName
    invoice_id: int
    invoice_number: str
    issue_date: date
    outcome: OutcomeName
    error_code: int | None = Field(description="The AEAT's error code (CodigoErrorRegistro), if any")
    error: str = Field(description="The AEAT's description of the error, if any")


class SubmissionDetail(SubmissionOut):
    records: list[SubmittedRecordOut]
    request: str = Field(description="The SOAP request as it was sent")
    response: str = Field(description="The answer as it came back (empty when none came)")


class SubmissionList(Schema):
    count: int
    items: list[SubmissionOut]


class SendOut(Schema):
    pending: int = Field(description="The records that will go: never sent, or in a failed submission")
    not_before: datetime | None = Field(
        description="When the AEAT's waiting time since its last answer lets them go (null: at once)"
    )


SUMMARY_FIELDS = tuple(name for name in SubmissionOut.model_fields)


def _summary(submission: Submission) -> dict:
    return {name: getattr(submission, name) for name in SUMMARY_FIELDS}


def _record_body(row: SubmittedRecord) -> dict:
    record = row.record
    return {
        "record_id": record.pk, "position": record.position, "kind": record.kind, "invoice_id": record.invoice_id,
        "invoice_number": record.invoice_number, "issue_date": record.issue_date, "outcome": row.outcome,
        "error_code": row.error_code, "error": row.error,
    }  # fmt: skip


@endpoints.get(
    "/compliance/submissions", SubmissionList, perm="compliance.view_submission",
    summary="List the submissions of records to the AEAT, newest first",
)  # fmt: skip
def submission_list(
    request: HttpRequest, state: StateName | None = None, limit: Limit = 100, offset: Offset = 0
):
    rows = services.submissions_with_counts(request.company)
    if state is not None:
        rows = rows.filter(state=state)
    count, items = page_of(rows.order_by("-created_at", "-pk"), limit=limit, offset=offset)
    return {"count": count, "items": [_summary(row) for row in items]}


def submission_visible(request: HttpRequest, submission_id: int) -> None:
    services.submission_get(request.company, submission_id)


@endpoints.get(
    "/compliance/submissions/{submission_id}", SubmissionDetail, perm="compliance.view_submission",
    visible=submission_visible, summary="Read a submission: each record's answer, the request and the answer",
)  # fmt: skip
def submission_read(request: HttpRequest, submission_id: RecordId):
    submission = services.submissions_with_counts(request.company).defer(None).get(pk=submission_id)
    body = _summary(submission)
    body["records"] = [_record_body(row) for row in services.submission_records(submission)]
    body["request"], body["response"] = submission.request, submission.response
    return body


@endpoints.post(
    "/compliance/submissions", SendOut, perm="compliance.add_submission", status=202,
    summary="Send the records now",
    description="Queues the sending of the records never sent and brings forward a failed submission's next "
    "attempt. They go as soon as the AEAT's waiting time since its last answer allows (Orden HAC/1177/2024, "
    "art. 16). 409 when sending is off, the company has no certificate, or nothing is left to send.",
)  # fmt: skip
def submission_send(request: HttpRequest):
    sending = services.submission_request(company=request.company, by=request.user)
    return {"pending": sending.pending, "not_before": sending.not_before}


__all__ = ["endpoints"]
