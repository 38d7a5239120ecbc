"""Audit log of master-data changes: services call it explicitly, so each effect is visible."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from nexo.core import plainsql
from nexo.core.models import AuditEntry


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, instance._meta.get_field(name).attname)) for name in fields}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value differs, as {field: [old, new]}; blank fields of a new record are left out."""
    names = [*before, *(name for name in after if name not in before)]
    differences = {}
    for name in names:
        old, new = before.get(name), after.get(name)
        if old != new and not (old is None and new in ("", None, False)):
            differences[name] = [old, new]
    return differences


def audit_record(
    *,
    instance: models.Model,
    company_id: int,
    action: str,
    changes: dict,
    by,
    parent: models.Model | None = None,
) -> int | None:
    """Write one entry and give its id; an update that changed nothing writes none."""
    if action == AuditEntry.Action.UPDATE and not changes:
        return None
    # One prepared INSERT of plain values: every service writes entries, and building the model instance
    # and preparing each field through the ORM cost several times the write itself.
    connection = plainsql.connection_now()
    changes_field, at_field = AuditEntry._meta.get_field("changes"), AuditEntry._meta.get_field("at")
    params = [
        company_id,
        ContentType.objects.get_for_model(instance).pk,
        instance.pk,
        str(instance)[:200],
        ContentType.objects.get_for_model(parent).pk if parent is not None else None,
        parent.pk if parent is not None else None,
        str(action),
        changes_field.get_db_prep_save(changes, connection),
        by.pk if by is not None and by.is_authenticated else None,
        at_field.get_db_prep_save(timezone.now(), connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_AUDIT_INSERT, params)
        return cursor.fetchone()[0]


_AUDIT_INSERT = (
    "INSERT INTO core_auditentry (company_id, content_type_id, object_id, object_repr, parent_type_id, "
    "parent_id, action, changes, user_id, at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)


def audit_trail(instance: models.Model, *, limit: int = 50) -> list[AuditEntry]:
    """The record's own entries and those of the records that belong to it, newest first.

    Foreign keys are stored as ids; the entries share one `RelatedNames`, so describing them shows the
    related records' names with one query per related model for the whole trail.
    """
    content_type = ContentType.objects.get_for_model(instance)
    entries = list(
        AuditEntry.objects.filter(
            Q(content_type=content_type, object_id=instance.pk)
            | Q(parent_type=content_type, parent_id=instance.pk)
        )
        .select_related("user", "content_type")
        .order_by("-at", "-id")[:limit]
    )
    names = RelatedNames(entries)
    for entry in entries:
        entry.related_names = names
    return entries


def _model_field(model, name: str) -> models.Field | None:
    try:
        return model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        return None


class RelatedNames:
    """The names of the records that entries' foreign-key changes point to, read on first use."""

    def __init__(self, entries: Iterable[AuditEntry]):
        self.entries = list(entries)
        self.names: dict[tuple[type[models.Model], str], str] | None = None

    def name(self, related_model: type[models.Model], value: Any) -> str | None:
        if self.names is None:
            self.names = self._read()
        return self.names.get((related_model, str(value)))

    def _read(self) -> dict[tuple[type[models.Model], str], str]:
        wanted: dict[type[models.Model], set] = {}
        for entry in self.entries:
            model = entry.content_type.model_class()
            for name, values in entry.changes.items():
                field = _model_field(model, name)
                if field is not None and field.many_to_one:
                    wanted.setdefault(field.related_model, set()).update(v for v in values if v is not None)
        names = {}
        for related_model, ids in wanted.items():
            for record in related_model._base_manager.filter(pk__in=ids):
                names[(related_model, str(record.pk))] = str(record)
        return names


@dataclass(frozen=True)
class ChangeLine:
    label: str
    old: str | None
    new: str | None


def _shown(field: models.Field | None, value: Any, names: RelatedNames) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.many_to_one:
        return names.name(field.related_model, value) or str(value)  # the id of a record since deleted
    return str(value)


def subject(entry: AuditEntry) -> str:
    """What a child entry is about, e.g. "Contact Ana Gil"; empty for the record's own entries."""
    if entry.parent_id is None:
        return ""
    model = entry.content_type.model_class()
    return f"{capfirst(model._meta.verbose_name) if model else ''} {entry.object_repr}".strip()


def describe_changes(entry: AuditEntry) -> list[ChangeLine]:
    """Field labels and values as a reader sees them on the record's page (related records by name)."""
    model = entry.content_type.model_class()
    names = getattr(entry, "related_names", None) or RelatedNames([entry])
    lines = []
    for name, (old, new) in entry.changes.items():
        field = _model_field(model, name)
        label = capfirst(field.verbose_name) if field is not None else name
        lines.append(ChangeLine(str(label), _shown(field, old, names), _shown(field, new, names)))
    return lines
