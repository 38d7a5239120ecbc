"""Audit log of master-data changes: services call it explicitly, so each effect is visible."""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from nexo.core.models import AuditEntry


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, _attname(instance, name))) for name in fields}


def _attname(instance: models.Model, name: str) -> str:
    field = instance._meta.get_field(name)
    return field.attname


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def audit_record(
    *, instance: models.Model, company_id: int, action: str, changes: dict, by, label: str | None = None
) -> AuditEntry | None:
    """Write one entry; an update that changed nothing writes none."""
    if action == AuditEntry.Action.UPDATE and not changes:
        return None
    return AuditEntry.objects.create(
        company_id=company_id,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        object_repr=(label or str(instance))[:200],
        action=action,
        changes=changes,
        user=by if by is not None and by.is_authenticated else None,
    )


def audit_trail(instance: models.Model, *, limit: int = 50):
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(instance), object_id=instance.pk
        )
        .select_related("user")
        .order_by("-at", "-id")[:limit]
    )
