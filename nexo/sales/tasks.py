"""Background work of sales, on the Django Tasks API (stored by django-tasks-db, run by `nexo db_worker`).

A quotation's e-mail is sent by `send_quotation_email`, queued by `services.quotation_send` once the
transaction that marked the quotation sent has committed: the mail server is never called inside a
transaction or while a row is locked, and the outcome is recorded on the quotation.

Quotation expiry is a daily chain with one link waiting at a time: `expire_quotations` expires the sent
quotations past their validity, then queues its own next run for tomorrow at 00:05 local time — unless a
run is already waiting. A failed run still queues the next one, so the chain does not break.

`ensure_scheduled` starts the chain and is idempotent: `nexo quotations schedule` calls it (run it when the
worker starts, e.g. `ExecStartPre=`), and so does `nexo run`, which also works the queue itself. When no run
is waiting it queues one to run at once, which catches up on whatever expired while nothing ran.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta

from django.db import connections, router, transaction
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus, task
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.backends.dummy import DummyBackend
from django_tasks_db import DatabaseBackend

from nexo.sales import services

logger = logging.getLogger(__name__)

RUN_AT = time(0, 5)  # local time (settings.TIME_ZONE)
# Serialises "is a run waiting? else queue one" on PostgreSQL (SQLite's IMMEDIATE transactions already do).
SCHEDULE_LOCK = 0x6E65786F_0001


@task()
def expire_quotations() -> int:
    """Expire the sent quotations past their validity (every company) and queue tomorrow's run."""
    try:
        expired = services.quotations_expire()
        logger.info("Quotation expiry: %d expired.", expired)
        return expired
    finally:
        schedule_next_run()


@task()
def send_quotation_email(quotation_id: int, to: str, subject: str, body: str, reply_to: str = "") -> str:
    """E-mail a sent quotation's PDF and record on it whether it went; returns "sent" or "failed"."""
    return services.quotation_email_deliver(
        quotation_id=quotation_id, to=to, subject=subject, body=body, reply_to=reply_to
    )


def next_run_at(now: datetime | None = None) -> datetime:
    """Tomorrow at 00:05, local time."""
    today = timezone.localdate(now)
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), RUN_AT))


def _backend() -> BaseTaskBackend:
    return expire_quotations.get_backend()


def pending_run(backend: BaseTaskBackend | None = None) -> TaskResult | None:
    """The run of the chain that is waiting (queued, not started), if any."""
    backend = backend or _backend()
    path = expire_quotations.module_path
    if isinstance(backend, DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        waiting = (
            DBTaskResult.objects.filter(
                backend_name=backend.alias, task_path=path, status=TaskResultStatus.READY
            )
            .order_by("run_after", "enqueued_at")
            .first()
        )
        return waiting.task_result if waiting is not None else None
    if isinstance(backend, DummyBackend):  # tests: it keeps what was queued and never runs it
        return next(
            (
                result
                for result in backend.results
                if result.task.module_path == path and result.status == TaskResultStatus.READY
            ),
            None,
        )
    return None  # a backend that cannot tell (or runs tasks at once): nothing is ever waiting


@contextmanager
def _scheduling(backend: BaseTaskBackend) -> Iterator[None]:
    """One scheduler at a time, so two of them cannot both find nothing waiting and both queue a run."""
    if not isinstance(backend, DatabaseBackend):
        yield
        return
    from django_tasks_db.models import DBTaskResult

    using = router.db_for_write(DBTaskResult)
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEDULE_LOCK])
        yield


def schedule_next_run(*, now: datetime | None = None) -> TaskResult | None:
    """Queue the chain's next run for tomorrow at 00:05, unless one is waiting; the run queued, or None."""
    backend = _backend()
    if not backend.supports_defer:
        logger.warning(
            "The task backend %r cannot run tasks later: quotation expiry is not scheduled. "
            "Run `nexo quotations expire` daily instead.",
            backend.alias,
        )
        return None
    with _scheduling(backend):
        if pending_run(backend) is not None:
            return None
        return expire_quotations.using(run_after=next_run_at(now)).enqueue()


def ensure_scheduled() -> tuple[TaskResult | None, bool]:
    """Start the chain unless a run is waiting: (the waiting or new run, whether it was queued now)."""
    backend = _backend()
    with _scheduling(backend):
        waiting = pending_run(backend)
        if waiting is not None:
            return waiting, False
        return expire_quotations.enqueue(), True
