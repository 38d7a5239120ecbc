"""Quotation expiry as a daily background task (Django Tasks API), and by hand with `nexo quotations`."""

import io
from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from nexo.sales import services, tasks
from nexo.sales.models import Quotation

LINE = {"description": "Material", "quantity": "1", "unit_price": "100.00"}


@pytest.fixture
def dummy_tasks(settings):
    """Tasks are kept, never run: the test runs them itself and sees what they queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return default_task_backend


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def quotations(company, sales_user, lead):
    """One of each: sent and past its validity, sent and still valid, a draft and an accepted one both
    past their validity."""
    today = timezone.localdate()

    def make(state: str, *, days_ago: int) -> Quotation:
        quotation = services.quotation_create(
            company=company,
            by=sales_user,
            party_id=lead.pk,
            lines=[LINE],
            date=today - timedelta(days=days_ago),
        )
        if state in ("sent", "accepted"):
            services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
        if state == "accepted":
            services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
            # Accepted while valid; its validity has since passed.
            Quotation.objects.filter(pk=quotation.pk).update(date=today - timedelta(days=60), valid_until=today - timedelta(days=30))  # fmt: skip
        return quotation

    return {
        "old": make("sent", days_ago=40),
        "fresh": make("sent", days_ago=1),
        "draft": make("draft", days_ago=40),
        "accepted": make("accepted", days_ago=0),
    }


def states(quotations) -> dict[str, str]:
    by_pk = dict(Quotation.objects.values_list("pk", "state"))
    return {name: by_pk[quotation.pk] for name, quotation in quotations.items()}


def tomorrow_at_0005() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time(0, 5)))


def test_the_task_expires_sent_quotations_past_validity_and_queues_tomorrows_run(dummy_tasks, quotations):
    assert tasks.expire_quotations.call() == 1  # as the worker runs it

    assert states(quotations) == {"old": "expired", "fresh": "sent", "draft": "draft", "accepted": "accepted"}
    (queued,) = dummy_tasks.results
    assert queued.task.module_path == "nexo.sales.tasks.expire_quotations"
    assert queued.status == TaskResultStatus.READY
    assert queued.task.run_after == tomorrow_at_0005()
    assert timezone.localtime(queued.task.run_after).strftime("%H:%M") == "00:05"


def test_runs_do_not_pile_up(dummy_tasks, quotations):
    tasks.expire_quotations.call()
    assert tasks.expire_quotations.call() == 0
    assert tasks.schedule_next_run() is None
    waiting, queued = tasks.ensure_scheduled()
    assert not queued and waiting.task.run_after == tomorrow_at_0005()
    assert len(dummy_tasks.results) == 1


def test_a_failed_run_still_queues_the_next_one(dummy_tasks, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "quotations_expire", broken)
    with pytest.raises(RuntimeError):
        tasks.expire_quotations.call()
    assert tasks.pending_run().task.run_after == tomorrow_at_0005()


def test_the_chain_on_the_database_backend_and_its_worker(database_tasks, quotations, monkeypatch):
    """`nexo quotations schedule` queues a first run at once; `db_worker` runs it, and that run queues
    tomorrow's. Scheduling again adds nothing."""
    out = io.StringIO()
    call_command("quotations", "schedule", stdout=out)
    assert "queued" in out.getvalue()
    call_command("quotations", "schedule", stdout=out)
    assert "already scheduled" in out.getvalue()
    assert DBTaskResult.objects.count() == 1

    # The worker as `nexo db_worker --batch` runs it (the test's transaction stays open).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    db_worker.Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    ).run()  # fmt: skip

    assert states(quotations)["old"] == "expired"
    done, waiting = DBTaskResult.objects.order_by("enqueued_at", "run_after")
    assert (done.status, done.return_value) == (TaskResultStatus.SUCCESSFUL, 1)
    assert (waiting.status, waiting.run_after) == (TaskResultStatus.READY, tomorrow_at_0005())
    assert waiting.task_path == done.task_path == "nexo.sales.tasks.expire_quotations"

    out = io.StringIO()
    call_command("quotations", "schedule", stdout=out)
    local = timezone.localtime(tomorrow_at_0005()).strftime("%Y-%m-%d 00:05")
    assert f"already scheduled: next run {local}" in out.getvalue()
    assert DBTaskResult.objects.count() == 2


def test_the_command_expires_by_hand_and_says_how_many(quotations, company, other_company):
    out = io.StringIO()
    call_command("quotations", "expire", "--company", other_company.tax_id, stdout=out)
    assert out.getvalue() == "0 quotations expired.\n"

    out = io.StringIO()
    call_command("quotations", "expire", stdout=out)
    assert out.getvalue() == "1 quotation expired.\n"
    assert states(quotations) == {"old": "expired", "fresh": "sent", "draft": "draft", "accepted": "accepted"}


def test_the_command_expires_as_on_a_given_day_and_never_drafts_or_accepted(quotations):
    day = (timezone.localdate() + timedelta(days=365)).isoformat()
    out = io.StringIO()
    call_command("quotations", "expire", "--date", day, stdout=out)
    assert out.getvalue() == "2 quotations expired.\n"  # a year on, the fresh one is past its validity too
    assert states(quotations) == {
        "old": "expired",
        "fresh": "expired",
        "draft": "draft",
        "accepted": "accepted",
    }
