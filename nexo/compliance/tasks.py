"""Background work of compliance, on the Django Tasks API (stored by django-tasks-db, run by `nexo db_worker`).

`submit_records` sends a company's billing records to the AEAT (`services.submission.records_submit`) and
queues itself again for when there is more to do: a failed submission's next attempt, or the records that
arrived while the AEAT's waiting time ran. It is first queued once a posting has committed
(`submission_queue`) or by "Send now" (`submission_request`); `nexo verifactu send` is the safety net.
"""

from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend

from nexo.compliance.services import submission
from nexo.core.models import Company


@task()
def submit_records(company_id: int) -> str:
    """Send the company's next submission when one is due; its state, or "nothing due"."""
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        return "nothing due"
    run = submission.records_submit(company=company)
    if run.next_run_at is not None:
        submission.schedule(company_id, at=run.next_run_at)
    return run.submission.state if run.submission is not None else "nothing due"


def run_waiting(company_id: int, *, by: datetime | None = None) -> bool:
    """Whether a run of `submit_records` for the company is queued, not started, and due by `by` (None:
    now): queuing another would only find nothing to do. Known for the database backend only."""
    backend = submit_records.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    from django_tasks_db.models import DBTaskResult, get_date_max

    # A run queued to start at once is stored as running after the largest date.
    due = Q(run_after__lte=by or timezone.now()) | Q(run_after=get_date_max())
    waiting = DBTaskResult.objects.filter(
        due, backend_name=backend.alias, task_path=submit_records.module_path, status=TaskResultStatus.READY,
        args_kwargs__kwargs__company_id=company_id,
    )  # fmt: skip
    return waiting.exists()
