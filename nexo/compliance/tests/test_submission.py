"""Sending the billing records to the (fake) AEAT: what goes, what is kept of each request, what each record's
answer leaves, and when the next attempt comes: retried with back-off when the AEAT could not answer, never
resent unchanged when it rejected a record, never before the AEAT's waiting time."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import default_task_backend

from nexo.compliance import tasks
from nexo.compliance.models import BillingRecord, Submission, SubmittedRecord
from nexo.compliance.services import submission as services
from nexo.compliance.services.settings import certificate_remove, settings_update
from nexo.compliance.services.submission import records_submit, retry_delay
from nexo.compliance.tests.fake_aeat import closed_port
from nexo.compliance.tests.submission_fixtures import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db
State = Submission.State
Outcome = SubmittedRecord.Outcome


def outcomes(submission):
    return [
        (row.record.invoice_number, row.outcome, row.error_code)
        for row in submission.records.select_related("record").order_by("record__position")
    ]


def due_now(submission):
    Submission.objects.filter(pk=submission.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def wait_over(company):
    Submission.objects.filter(company=company).update(sent_at=timezone.now() - timedelta(hours=1))


def test_accepted_records_are_sent_in_chain_order_and_the_exchange_is_kept(
    sending_company, fake_aeat, post_invoices
):
    records = post_invoices(3)
    run = records_submit(company=sending_company)
    submission = run.submission
    submission.refresh_from_db()
    assert submission.state == State.ACCEPTED and submission.attempts == 1
    assert [number for _op, number, _day in fake_aeat.sent_records()] == [r.invoice_number for r in records]
    assert fake_aeat.received[0].violations == []
    assert submission.request == fake_aeat.received[0].body.decode()
    assert submission.response == fake_aeat.responses[0].decode()
    assert (submission.http_status, submission.wait_seconds, submission.endpoint) == (200, 60, fake_aeat.url)
    assert submission.sent_at is not None and submission.next_attempt_at is None and submission.error == ""
    assert outcomes(submission) == [(r.invoice_number, Outcome.ACCEPTED, None) for r in records]
    assert run.next_run_at is None  # nothing else waits


def test_a_partly_rejected_submission_keeps_each_records_answer_and_never_resends_the_rejected_one(
    sending_company, fake_aeat, post_invoices
):
    fake_aeat.mode = "rejected"
    first, second = post_invoices(2)
    submission = records_submit(company=sending_company).submission
    submission.refresh_from_db()
    assert submission.state == State.PARTIAL
    assert outcomes(submission) == [
        (first.invoice_number, Outcome.REJECTED, 1100), (second.invoice_number, Outcome.ACCEPTED, None),
    ]  # fmt: skip
    rejected = SubmittedRecord.objects.get(record=first)
    assert "NombreRazon" in rejected.error
    fake_aeat.mode = "accepted"
    wait_over(sending_company)
    assert records_submit(company=sending_company).submission is None  # nothing new: the rejected one stays
    third = post_invoices(1)[-1]
    records_submit(company=sending_company)
    assert [number for _op, number, _day in fake_aeat.received[-1].records] == [third.invoice_number]


def test_a_submission_whose_every_record_is_rejected_is_rejected(sending_company, fake_aeat, post_invoices):
    fake_aeat.mode = "rejected"
    post_invoices(1)
    submission = records_submit(company=sending_company).submission
    assert submission.state == State.REJECTED


def test_a_record_accepted_with_errors_is_accepted_and_says_which(sending_company, fake_aeat, post_invoices):
    fake_aeat.mode = "accepted_with_errors"
    first, second = post_invoices(2)
    submission = records_submit(company=sending_company).submission
    assert submission.state == State.ACCEPTED
    assert outcomes(submission) == [
        (first.invoice_number, Outcome.ACCEPTED_WITH_ERRORS, 2004),
        (second.invoice_number, Outcome.ACCEPTED, None),
    ]


def test_a_server_error_is_retried_after_a_minute_then_two_and_the_second_attempt_is_accepted(
    sending_company, fake_aeat, post_invoices
):
    records = post_invoices(2)
    fake_aeat.answers = ["error", "server_fault", "accepted"]
    before = timezone.now()
    run = records_submit(company=sending_company)
    submission = Submission.objects.get(pk=run.submission.pk)
    assert (submission.state, submission.attempts, submission.http_status) == (State.FAILED, 1, 500)
    assert "Internal Server Error" in submission.response and submission.request
    assert "Unexpected answer (HTTP 500)" in submission.error
    minute = timedelta(seconds=60)
    assert before + minute <= submission.next_attempt_at <= timezone.now() + minute
    assert run.next_run_at == submission.next_attempt_at
    assert outcomes(submission) == [(r.invoice_number, Outcome.PENDING, None) for r in records]

    early = records_submit(company=sending_company)  # not yet due: nothing goes
    assert early.submission is None and early.next_run_at == submission.next_attempt_at
    assert len(fake_aeat.received) == 1

    due_now(submission)
    records_submit(company=sending_company)
    submission.refresh_from_db()
    assert (submission.state, submission.attempts) == (State.FAILED, 2)
    assert "soapenv:Server" in submission.error and "Error interno" in submission.response
    assert submission.next_attempt_at >= timezone.now() + timedelta(seconds=110)

    due_now(submission)
    records_submit(company=sending_company)
    submission.refresh_from_db()
    assert (submission.state, submission.attempts, submission.error) == (State.ACCEPTED, 3, "")
    assert submission.next_attempt_at is None
    assert outcomes(submission) == [(r.invoice_number, Outcome.ACCEPTED, None) for r in records]
    assert [len(received.records) for received in fake_aeat.received] == [2, 2, 2]  # the same records
    assert Submission.objects.count() == 1


def test_the_back_off_doubles_from_a_minute_and_stops_at_an_hour():
    assert [retry_delay(attempts).total_seconds() for attempts in range(1, 9)] == [
        60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip


def test_an_unreachable_aeat_leaves_the_submission_failed_with_its_request_kept_to_try_again(
    sending_company, settings, post_invoices
):
    post_invoices(1)
    settings.NEXO_AEAT_ENDPOINT = f"http://127.0.0.1:{closed_port()}/aeat"
    submission = records_submit(company=sending_company).submission
    submission.refresh_from_db()
    assert submission.state == State.FAILED and "could not be reached" in submission.error
    assert submission.request.startswith("<?xml")
    assert (submission.response, submission.http_status) == ("", None)
    assert submission.next_attempt_at > timezone.now()


def test_an_answer_lost_then_answered_as_duplicates_leaves_the_records_accepted(
    sending_company, fake_aeat, post_invoices
):
    records = post_invoices(2)
    fake_aeat.answers = ["drop", "duplicate"]
    submission = records_submit(company=sending_company).submission
    assert submission.state == State.FAILED and "lost" in submission.error
    due_now(submission)
    records_submit(company=sending_company)
    submission.refresh_from_db()
    assert submission.state == State.ACCEPTED
    assert outcomes(submission) == [(r.invoice_number, Outcome.ACCEPTED, 3000) for r in records]


def test_a_request_refused_as_a_whole_rejects_its_records_and_is_not_sent_again(
    sending_company, fake_aeat, post_invoices
):
    records = post_invoices(2)
    fake_aeat.mode = "client_fault"
    submission = records_submit(company=sending_company).submission
    submission.refresh_from_db()
    assert (submission.state, submission.http_status) == (State.REJECTED, 500)
    assert submission.next_attempt_at is None
    assert "Codigo[4102]" in submission.error and "faultstring" in submission.response
    assert outcomes(submission) == [(r.invoice_number, Outcome.REJECTED, 4102) for r in records]
    fake_aeat.mode = "accepted"
    assert records_submit(company=sending_company).submission is None
    assert len(fake_aeat.received) == 1


def test_the_next_submission_waits_the_time_the_aeat_asked_for(sending_company, fake_aeat, post_invoices):
    post_invoices(1)
    first = records_submit(company=sending_company).submission
    post_invoices(2)
    run = records_submit(company=sending_company)
    assert run.submission is None
    assert run.next_run_at == Submission.objects.get(pk=first.pk).sent_at + timedelta(seconds=60)
    wait_over(sending_company)
    assert records_submit(company=sending_company).submission.state == State.ACCEPTED
    assert len(fake_aeat.received) == 2


def test_a_full_batch_of_records_goes_at_once_and_at_most_that_many_in_a_request(
    sending_company, fake_aeat, post_invoices, monkeypatch
):
    # 1,000 stands for 2 here: the AEAT's limit per request and the waiting time's exception (art. 16.2).
    monkeypatch.setattr(services, "MAX_RECORDS", 2)
    monkeypatch.setattr("django_verifactu.aeat.submission.MAX_RECORDS", 2)
    records = post_invoices(5)
    first = records_submit(company=sending_company)
    assert first.next_run_at is not None  # three more wait
    second = records_submit(company=sending_company)  # two waiting: a full request goes at once
    third = records_submit(company=sending_company)  # one left: it waits the AEAT's time
    assert first.submission.state == second.submission.state == State.ACCEPTED
    assert third.submission is None
    assert [[number for _op, number, _day in received.records] for received in fake_aeat.received] == [
        [records[0].invoice_number, records[1].invoice_number],
        [records[2].invoice_number, records[3].invoice_number],
    ]


def test_a_submission_abandoned_by_its_worker_is_taken_up_again_once_its_lease_runs_out(
    sending_company, fake_aeat, post_invoices
):
    post_invoices(1)
    claimed = services._claim(sending_company)  # a worker claimed it, then died before sending
    assert records_submit(company=sending_company).submission is None  # still leased to that worker
    due_now(claimed.submission)
    records_submit(company=sending_company)
    claimed.submission.refresh_from_db()
    assert (claimed.submission.state, claimed.submission.attempts) == (State.ACCEPTED, 2)


def test_nothing_is_sent_while_sending_is_off_or_without_a_certificate(
    sending_company, fake_aeat, post_invoices, accountant
):
    post_invoices(1)
    settings_update(company=sending_company, by=accountant, submission_enabled=False)
    assert records_submit(company=sending_company).submission is None
    settings_update(company=sending_company, by=accountant, submission_enabled=True)
    certificate_remove(company=sending_company, by=accountant)
    assert records_submit(company=sending_company).submission is None
    assert fake_aeat.received == [] and not Submission.objects.exists()


# Queuing


@pytest.fixture
def dummy_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def test_a_posting_queues_the_sending_task_once_it_commits(
    sending_company, hand_invoice, post, dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(hand_invoice([("1", "100", "21")]))
    assert [(r.task.module_path, r.kwargs) for r in dummy_tasks.results] == [
        (tasks.submit_records.module_path, {"company_id": sending_company.pk})
    ]


def test_a_posting_queues_nothing_while_sending_is_off(
    company, accountant, hand_invoice, post, dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(hand_invoice([("1", "100", "21")]))
    assert BillingRecord.objects.filter(company=company).count() == 1
    assert dummy_tasks.results == []


def test_the_task_sends_and_after_a_failure_queues_itself_for_the_next_attempt(
    sending_company, fake_aeat, post_invoices, dummy_tasks
):
    post_invoices(1)
    fake_aeat.mode = "server_fault"
    assert tasks.submit_records.call(company_id=sending_company.pk) == State.FAILED
    submission = Submission.objects.get()
    (queued,) = dummy_tasks.results
    assert queued.task.run_after == submission.next_attempt_at
    assert queued.kwargs == {"company_id": sending_company.pk}


def test_with_the_database_queue_a_run_already_waiting_is_not_queued_again(sending_company, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from django_tasks_db.models import DBTaskResult

    services.schedule(sending_company.pk)
    services.schedule(sending_company.pk)
    later = timezone.now() + timedelta(minutes=5)
    services.schedule(sending_company.pk, at=later)  # the run waiting now will see to it
    assert DBTaskResult.objects.count() == 1
    DBTaskResult.objects.all().delete()
    services.schedule(sending_company.pk, at=later)
    services.schedule(sending_company.pk, at=later + timedelta(minutes=1))
    services.schedule(sending_company.pk)  # sooner than the one waiting: queued
    assert DBTaskResult.objects.count() == 2


def test_a_posted_invoice_reaches_the_aeat_through_the_database_queue_and_its_worker(
    sending_company, fake_aeat, hand_invoice, post, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Posting queues the task once it commits; `nexo db_worker --batch` runs it; the AEAT failing, the task
    queues the next attempt for when the back-off ends (the test's transaction stays open)."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with django_capture_on_commit_callbacks(execute=True):
        invoice = post(hand_invoice([("1", "100", "21")]))
    assert DBTaskResult.objects.count() == 1
    fake_aeat.answers = ["server_fault"]
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    db_worker.Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    ).run()  # fmt: skip
    assert [received.records[0][1] for received in fake_aeat.received] == [invoice.number]
    submission = Submission.objects.get()
    assert submission.state == State.FAILED
    done, waiting = DBTaskResult.objects.order_by("enqueued_at")
    assert (done.status, done.return_value) == ("SUCCESSFUL", State.FAILED)
    assert (waiting.status, waiting.run_after) == ("READY", submission.next_attempt_at)


def test_the_send_command_sends_what_is_due(sending_company, fake_aeat, post_invoices, capsys):
    post_invoices(2)
    call_command("verifactu", "send")
    output = capsys.readouterr().out
    assert "accepted" in output and "2 records" in output
    assert Submission.objects.get().state == State.ACCEPTED
    call_command("verifactu", "send")
    assert "nothing due" in capsys.readouterr().out
