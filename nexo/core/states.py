"""One way to change a document's lifecycle state: check the table, assign, record who and when.

Services call `state_change` (or `states_change` for many records at once) inside their transaction,
then save the record as they already do; the change is logged in `core.StateChange`. A refused move
raises Conflict with the service's message, so every door (page, API, task) answers alike (409).
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.core import plainsql
from nexo.core.errors import Conflict
from nexo.core.models import StateChange
from nexo.core.rules import Lifecycle


def _refusal(record: models.Model, target: str, field: str, refused: str | None) -> Conflict:
    current = getattr(record, field)
    labels = dict(record._meta.get_field(field).choices or ())
    # Inside a sentence, in lower case: "Quotation P-2026-00001 is sent: it cannot be sent."
    values = {
        "record": record,
        record._meta.model_name: record,
        "state": str(labels.get(current, current)).lower(),
        "target": str(labels.get(target, target)).lower(),
    }
    message = refused or _("%(record)s is %(state)s: it cannot become %(target)s.")
    return Conflict(message % values)


def state_assign(
    record: models.Model,
    target: str,
    *,
    lifecycle: Lifecycle,
    by: Any,
    refused: str | None = None,
    field: str = "state",
    at=None,
) -> StateChange:
    """Move `record` to `target` if its lifecycle allows it; return the unsaved log row.

    Nothing is written: the caller saves the record (and the row, or lets `state_change` do it).
    `refused` is the message of the Conflict raised otherwise, formatted with %(record)s (also under the
    model's name, e.g. %(quotation)s), %(state)s and %(target)s (their labels in lower case); a literal %
    in it is written %%."""
    current = getattr(record, field)
    if not lifecycle.allows(current, target):
        raise _refusal(record, target, field, refused)
    setattr(record, field, target)
    return StateChange(
        company_id=record.company_id,
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
        object_id=record.pk,
        field=field,
        from_state=current,
        to_state=target,
        by=by if getattr(by, "pk", None) else None,
        at=at or timezone.now(),
    )


def state_change(
    record: models.Model,
    target: str,
    *,
    lifecycle: Lifecycle,
    by: Any,
    refused: str | None = None,
    field: str = "state",
) -> str:
    """Check, assign and log one record's move to `target`; return the state it left.

    The record itself is saved by the caller (with the other fields the action changes)."""
    previous = getattr(record, field)
    # Plain SQL: every action writes one, and the ORM's INSERT cost several times the write itself.
    change = state_assign(record, target, lifecycle=lifecycle, by=by, refused=refused, field=field)
    plainsql.insert(StateChange, [change])
    return previous


def states_change(
    records: Iterable[models.Model],
    target: str,
    *,
    lifecycle: Lifecycle,
    by: Any,
    refused: str | None = None,
    field: str = "state",
) -> list[models.Model]:
    """The same move for many records (expiring a day's quotations, posting a document's moves): every
    one is checked before any is assigned, and the log is written in one statement."""
    records = list(records)
    for record in records:
        if not lifecycle.allows(getattr(record, field), target):
            raise _refusal(record, target, field, refused)
    at = timezone.now()
    log = [
        state_assign(record, target, lifecycle=lifecycle, by=by, field=field, at=at) for record in records
    ]
    StateChange.objects.bulk_create(log)
    return records


def state_history(record: models.Model, field: str = "state"):
    """A record's moves, oldest first."""
    return StateChange.objects.filter(
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
        object_id=record.pk,
        field=field,
    ).order_by("at", "id")
