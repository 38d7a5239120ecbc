"""Sending the billing records to the AEAT: which records go, when, and what the AEAT said of each.

A submission carries up to 1,000 records of one issuer, in chain order, none of them ever sent before.
Choosing them and recording the answer are two short transactions under the lock of the company's
ComplianceSettings row; the request itself goes between them, with no transaction open and no lock held
(docs/decisions/0005-side-effects-after-commit.md). So two workers never send the same records: the first
claims them (a `queued` submission holds them), the second finds that submission in flight and leaves it.

- One submission of a company is unfinished at a time (queued, or failed and waiting to be retried): newer
  records wait behind it, so the AEAT receives the chain in its order.
- A failed submission (the AEAT unreachable, busy, failing, or its answer lost) is sent again, the same
  records, after 1, 2, 4… minutes, at most an hour apart; records the AEAT had already received answer
  as duplicates (3000), which count as accepted.
- A record the AEAT rejects stays rejected, for the accountant to see: it is not sent again unchanged. So
  does every record of a request refused as a whole (a SOAP client fault).
- After an answer the AEAT's waiting time (TiempoEsperaEnvio) passes before the next submission, unless
  1,000 records are waiting (Orden HAC/1177/2024, art. 16).
- A queued submission whose worker died before recording an answer is taken up again once its lease
  (`LEASE`, longer than any request may take) has run out.

`submission_queue` is called once a posting has committed; `submission_request` is the "Send now" of the
pages and the API; the task `tasks.submit_records` runs `records_submit`, and queues itself again for
when there is more to do; `nexo verifactu send` runs what is due, as a safety net."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_verifactu.aeat.codes import DuplicateStatus, Operation, RecordStatus, SubmissionStatus
from django_verifactu.aeat.domain import RecordResult
from django_verifactu.aeat.submission import MAX_RECORDS, build_submission, submission_allowed
from django_verifactu.aeat.violations import ValidationError as AeatRulesBroken
from lxml import etree

from nexo.compliance import aeat_client
from nexo.compliance.aeat import NAME_LIMIT
from nexo.compliance.certificates import signing_certificate
from nexo.compliance.models import BillingRecord, ComplianceSettings, Submission, SubmittedRecord
from nexo.core.errors import Conflict, NotFound
from nexo.core.models import Company

logger = logging.getLogger(__name__)

State = Submission.State
Outcome = SubmittedRecord.Outcome
UNFINISHED = (State.QUEUED, State.FAILED)
# Longer than a request may take (aeat_client.TIMEOUT: 10 s to connect, 120 s to answer), so a submission
# still queued after it was abandoned by its worker, not merely slow.
LEASE = timedelta(minutes=10)
FIRST_RETRY_SECONDS = 60
LONGEST_RETRY_SECONDS = 3600
ERROR_LENGTH = 1000
OPERATIONS = {
    BillingRecord.Kind.REGISTRATION: Operation.REGISTRATION,
    BillingRecord.Kind.CANCELLATION: Operation.CANCELLATION,
}
# The AEAT already holds the record (it answers 3000 with what it holds): as it holds it, so it stands.
DUPLICATE_OUTCOMES = {
    DuplicateStatus.VALID: Outcome.ACCEPTED,
    DuplicateStatus.ACCEPTED_WITH_ERRORS: Outcome.ACCEPTED_WITH_ERRORS,
    DuplicateStatus.CANCELLED: Outcome.ACCEPTED,
}
RECORD_OUTCOMES = {
    RecordStatus.ACCEPTED: Outcome.ACCEPTED,
    RecordStatus.ACCEPTED_WITH_ERRORS: Outcome.ACCEPTED_WITH_ERRORS,
    RecordStatus.REJECTED: Outcome.REJECTED,
}


def retry_delay(attempts: int) -> timedelta:
    """How long a failed submission waits before its next attempt: 1 minute after the first, doubling,
    never more than an hour."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_RETRY_SECONDS))


@dataclass(frozen=True)
class SubmitRun:
    """What one `records_submit` did: the submission it sent (None: nothing was due), and when there is
    more to do (None: nothing is waiting)."""

    submission: Submission | None
    next_run_at: datetime | None


@dataclass(frozen=True)
class _Claim:
    submission: Submission | None = None
    record_ids: tuple[int, ...] = ()
    next_run_at: datetime | None = None


def unsent_records(company):
    """The company's records never put in a submission."""
    return BillingRecord.objects.filter(company=company, submissions__isnull=True)


def records_submit(*, company, timeout=None) -> SubmitRun:
    """Send the company's next submission when one is due (a failed one to retry, else the records never
    sent, as the AEAT's waiting time allows) and record the AEAT's answer."""
    claim = _claim(company)
    if claim.submission is None:
        return SubmitRun(None, claim.next_run_at)
    exchange = _exchange(company, claim, timeout=timeout)
    return _record(company, claim, exchange)


def _claim(company) -> _Claim:
    """Under the settings' lock: the unfinished submission to send again, or a new one of the records never
    sent, marked queued with a lease; else when to look again."""
    with transaction.atomic():
        config = ComplianceSettings.objects.select_for_update().filter(company=company).first()
        if config is None or not config.submission_enabled or config.certificate is None:
            return _Claim()
        now = timezone.now()
        unfinished = _unfinished(company)
        if unfinished is not None:
            if unfinished.next_attempt_at is not None and unfinished.next_attempt_at > now:
                return _Claim(next_run_at=unfinished.next_attempt_at)
            record_ids = tuple(
                unfinished.records.order_by("record__position", "record_id").values_list(
                    "record_id", flat=True
                )
            )
        else:
            unsent = unsent_records(company)
            issuer = unsent.order_by("pk").values_list("issuer_tax_id", flat=True).first()
            if issuer is None:
                return _Claim()
            record_ids = tuple(
                unsent.filter(issuer_tax_id=issuer)
                .order_by("position")
                .values_list("pk", flat=True)[:MAX_RECORDS]
            )
        allowed_at = _allowed_at(company, pending=len(record_ids), now=now)
        if allowed_at is not None:
            return _Claim(next_run_at=allowed_at)
        endpoint = aeat_client.endpoint_for(config.environment)[:300]
        if unfinished is not None:
            unfinished.attempts += 1
            unfinished.state, unfinished.next_attempt_at, unfinished.endpoint = (
                State.QUEUED,
                now + LEASE,
                endpoint,
            )
            unfinished.save(update_fields=["attempts", "state", "next_attempt_at", "endpoint"])
            return _Claim(unfinished, record_ids)
        submission = Submission.objects.create(
            company=company, state=State.QUEUED, attempts=1, next_attempt_at=now + LEASE, endpoint=endpoint
        )
        SubmittedRecord.objects.bulk_create(
            SubmittedRecord(submission=submission, record_id=record_id) for record_id in record_ids
        )
        return _Claim(submission, record_ids)


def _allowed_at(company, *, pending: int, now: datetime) -> datetime | None:
    """When the AEAT's waiting time since its last answer lets `pending` records go; None: now."""
    last = (
        Submission.objects.filter(company=company, sent_at__isnull=False, wait_seconds__isnull=False)
        .order_by("-sent_at").values("sent_at", "wait_seconds").first()
    )  # fmt: skip
    if last is None or submission_allowed(
        pending=pending, last_sent_at=last["sent_at"], wait_seconds=last["wait_seconds"], now=now
    ):
        return None
    return last["sent_at"] + timedelta(seconds=last["wait_seconds"])


def _unfinished(company) -> Submission | None:
    """The company's queued or failed submission, locked (at most one exists: a new one is made only when
    none does, under the settings' lock)."""
    return (
        Submission.objects.select_for_update()
        .filter(company=company, state__in=UNFINISHED)
        .order_by("pk")
        .first()
    )


def _exchange(company, claim: _Claim, *, timeout) -> aeat_client.Exchange:
    """The request, built from the records as they were hashed, sent with no transaction open."""
    endpoint = claim.submission.endpoint
    xml_of = dict(BillingRecord.objects.filter(pk__in=claim.record_ids).values_list("pk", "xml"))
    records = [etree.fromstring(xml_of[record_id].encode()) for record_id in claim.record_ids]
    issuer = (
        BillingRecord.objects.filter(pk=claim.record_ids[0]).values_list("issuer_tax_id", flat=True).get()
    )
    try:
        request = build_submission(
            taxpayer_tax_id=issuer, taxpayer_name=company.name[:NAME_LIMIT].strip(), records=records
        )
    except AeatRulesBroken as error:
        reasons = "; ".join(f"{violation.code}: {violation.message}" for violation in error.violations)
        return aeat_client.Exchange(
            endpoint,
            b"",
            aeat_client.Delivery.NOT_DELIVERED,
            error=_("The request was not built: %(reasons)s") % {"reasons": reasons},
        )
    return aeat_client.send(
        request, endpoint=endpoint, certificate=signing_certificate(company), timeout=timeout
    )


def _record(company, claim: _Claim, exchange: aeat_client.Exchange) -> SubmitRun:
    """The exchange and each record's answer kept on the submission, under its lock."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=claim.submission.pk)
        if submission.state != State.QUEUED or submission.attempts != claim.submission.attempts:
            # Its lease ran out and another worker took it up: that worker's answer is the one kept.
            logger.warning(
                "Submission %s was taken up again; this attempt's answer is dropped.", submission.pk
            )
            return SubmitRun(submission, None)
        now = timezone.now()
        submission.request = exchange.request.decode("utf-8", errors="replace")
        submission.response = exchange.response.decode("utf-8", errors="replace")
        submission.http_status = exchange.http_status
        submission.sent_at = now
        submission.error = exchange.error[:ERROR_LENGTH]
        submitted = list(submission.records.select_related("record").only(
            "id", "record__invoice_number", "record__issue_date", "record__kind",
        ))  # fmt: skip
        if exchange.delivery == aeat_client.Delivery.ANSWERED:
            _answered(submission, submitted, exchange)
        elif exchange.delivery == aeat_client.Delivery.REFUSED:
            submission.state, submission.next_attempt_at = State.REJECTED, None
            for row in submitted:
                row.outcome, row.error_code, row.error = (
                    Outcome.REJECTED,
                    exchange.error_code,
                    submission.error,
                )
        else:
            submission.state = State.FAILED
            submission.next_attempt_at = now + retry_delay(submission.attempts)
        submission.save()
        SubmittedRecord.objects.bulk_update(submitted, ["outcome", "error_code", "error"])
        if submission.state == State.FAILED:
            return SubmitRun(submission, submission.next_attempt_at)
        waiting = unsent_records(company)[:MAX_RECORDS].count()
        if not waiting:
            return SubmitRun(submission, None)
        if waiting >= MAX_RECORDS:  # a full request need not wait (art. 16.2)
            return SubmitRun(submission, now)
        return SubmitRun(submission, now + timedelta(seconds=submission.wait_seconds or 0))


def _answered(
    submission: Submission, submitted: list[SubmittedRecord], exchange: aeat_client.Exchange
) -> None:
    result = exchange.result
    answers = {(line.invoice_number, line.issue_date, line.operation): line for line in result.records}
    for row in submitted:
        record = row.record
        line = answers.get((record.invoice_number, record.issue_date, OPERATIONS[record.kind]))
        row.outcome, row.error_code, row.error = _outcome(
            line, accepted=result.status == SubmissionStatus.ACCEPTED
        )
    submission.wait_seconds = result.wait_seconds
    submission.next_attempt_at = None
    rejected = sum(row.outcome == Outcome.REJECTED for row in submitted)
    if not rejected:
        submission.state = State.ACCEPTED
    elif rejected == len(submitted):
        submission.state = State.REJECTED
    else:
        submission.state = State.PARTIAL


def _outcome(line: RecordResult | None, *, accepted: bool) -> tuple[str, int | None, str]:
    if line is None:
        # Every record of a wholly correct submission is correct, whether or not its line came back.
        if accepted:
            return Outcome.ACCEPTED, None, ""
        return Outcome.REJECTED, None, _("The AEAT's answer does not mention this record.")
    if line.duplicate is not None:
        duplicate = line.duplicate
        outcome = DUPLICATE_OUTCOMES.get(duplicate.status, Outcome.ACCEPTED)
        text = " · ".join(filter(None, (line.error_description, duplicate.error_description)))
        return outcome, duplicate.error_code or line.error_code, text[:ERROR_LENGTH]
    outcome = RECORD_OUTCOMES.get(line.status, Outcome.REJECTED)
    return outcome, line.error_code, (line.error_description or "")[:ERROR_LENGTH]


# Queuing


def submission_queue(*, company) -> None:
    """A posting committed: when the company sends its records and has a certificate, queue the task that
    sends them (unless one is already waiting to run)."""
    sending = ComplianceSettings.objects.filter(
        company=company, submission_enabled=True, certificate__isnull=False
    ).exists()
    if sending:
        schedule(company.pk)


@dataclass(frozen=True)
class SendRequest:
    """What "Send now" found: the records that will go and the earliest time the AEAT's waiting time lets
    them go (None: at once)."""

    pending: int
    not_before: datetime | None


def submission_request(*, company, by) -> SendRequest:
    """Send now: refused (409) when sending is off, without a certificate, or with nothing to send; a failed
    submission waiting for its next attempt is brought forward. The task is queued once this commits; it
    still waits the AEAT's time since the last answer, which the law sets."""
    with transaction.atomic():
        config = ComplianceSettings.objects.select_for_update().filter(company=company).first()
        if config is None or not config.submission_enabled:
            raise Conflict(
                _("Sending the records to the AEAT is off: turn it on in the VERI*FACTU settings.")
            )
        if config.certificate is None:
            no_certificate = _(
                "The company has no certificate to send the records with: upload it in the VERI*FACTU settings."
            )
            raise Conflict(no_certificate)
        now = timezone.now()
        unfinished = _unfinished(company)
        waiting = unsent_records(company).count()
        if unfinished is None and not waiting:
            raise Conflict(_("Nothing to send: every record has been sent to the AEAT."))
        in_unfinished = unfinished.records.count() if unfinished is not None else 0
        in_flight = unfinished is not None and unfinished.state == State.QUEUED
        if in_flight and unfinished.next_attempt_at and unfinished.next_attempt_at > now:
            not_before = unfinished.next_attempt_at  # its answer is awaited until its lease runs out
        else:
            if unfinished is not None:
                Submission.objects.filter(pk=unfinished.pk).update(next_attempt_at=now)
            pending = in_unfinished if unfinished is not None else min(waiting, MAX_RECORDS)
            not_before = _allowed_at(company, pending=pending, now=now)
        company_id = company.pk
        transaction.on_commit(lambda: schedule(company_id, at=not_before))
        pending = waiting + in_unfinished
        return SendRequest(pending=pending, not_before=not_before)


def schedule(company_id: int, *, at: datetime | None = None) -> None:
    """Queue the company's submission task, to run at `at` (None: now) when the backend can wait; not when
    a run of it is already waiting to start by then. A queue that refuses it is logged: `nexo verifactu
    send` catches up."""
    from nexo.compliance import tasks  # the tasks module imports this one

    try:
        task = tasks.submit_records
        backend = task.get_backend()
        if at is not None and at <= timezone.now():
            at = None
        if at is not None and not backend.supports_defer:
            logger.info("The task backend cannot run tasks later; `nexo verifactu send` sends what is due.")
            return
        if tasks.run_waiting(company_id, by=at):
            return
        (task.using(run_after=at) if at is not None else task).enqueue(company_id=company_id)
    except Exception:  # the queue itself refused: the records stay unsent, to be sent by the next run
        logger.exception("The AEAT submission of company %s could not be queued.", company_id)


# Reading


def submission_get(company, submission_id: int) -> Submission:
    submission = Submission.objects.filter(company=company, pk=submission_id).first()
    if submission is None:
        raise NotFound(_("No such submission."))
    return submission


def submission_records(submission: Submission) -> list[SubmittedRecord]:
    """The records of a submission, in chain order, with what the AEAT said of each (one query)."""
    return list(
        submission.records.select_related("record")
        .order_by("record__position", "record_id")
        .defer("record__xml")
    )


def submissions_with_counts(company):
    """The company's submissions with their counts of records, accepted and rejected ones."""
    return (
        Submission.objects.filter(company=company)
        .defer("request", "response")
        .annotate(
            record_count=Count("records"),
            accepted_count=Count(
                "records", filter=Q(records__outcome__in=(Outcome.ACCEPTED, Outcome.ACCEPTED_WITH_ERRORS))
            ),
            rejected_count=Count("records", filter=Q(records__outcome=Outcome.REJECTED)),
        )
    )


@dataclass(frozen=True)
class SendingStatus:
    """What the submissions page says above the list: whether records go, and how many are waiting."""

    enabled: bool
    has_certificate: bool
    unsent: int


def sending_status(company) -> SendingStatus:
    row = (
        ComplianceSettings.objects.filter(company=company)
        .annotate(
            has_certificate=ExpressionWrapper(Q(certificate__isnull=False), output_field=BooleanField())
        )
        .values("submission_enabled", "has_certificate")
        .first()
    ) or {"submission_enabled": False, "has_certificate": False}
    return SendingStatus(
        enabled=row["submission_enabled"], has_certificate=bool(row["has_certificate"]),
        unsent=unsent_records(company).count(),
    )  # fmt: skip


def sending_companies():
    """The companies that send their records to the AEAT and have a certificate to do it."""
    return Company.objects.filter(
        pk__in=ComplianceSettings.objects.filter(submission_enabled=True, certificate__isnull=False).values(
            "company_id"
        )
    ).order_by("pk")
