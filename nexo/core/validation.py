"""Turns Django model validation into the domain's ValidationFailed, so services speak one error."""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from nexo.core import plainsql
from nexo.core.errors import NotFound, ValidationFailed

AUDIT_FIELDS = ("company", "created_by", "updated_by", "created_at", "updated_at")


def assign(instance: models.Model, fields: dict, allowed: Iterable[str]) -> None:
    """Set known fields; an unknown one is bad input, not a crash."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationFailed.from_fields({name: [_("Unknown field.")] for name in unknown})
    errors = {}
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if value is None and not instance._meta.get_field(name).null:
            errors[name] = [_("This field cannot be null.")]
        setattr(instance, name, value)
    if errors:
        raise ValidationFailed.from_fields(errors)


def full_clean(
    instance: models.Model, *, exclude: Iterable[str] = (), resolved: Iterable[str] = ()
) -> None:
    """The model's field validation as field errors. `resolved` names foreign keys the service set from
    records it read itself (of the company): only their presence is checked, without Django's query per
    relation to see that the row exists."""
    resolved = tuple(resolved)
    errors: dict[str, list[str]] = {}
    for name in resolved:
        field = instance._meta.get_field(name)
        if not field.null and getattr(instance, field.attname) is None:
            errors[name] = [str(field.error_messages["null"])]
    try:
        instance.full_clean(
            exclude=[*AUDIT_FIELDS, *exclude, *resolved], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        errors = error.message_dict | errors
    if errors:
        raise ValidationFailed.from_fields(errors)


def locked(model: type[models.Model], *, company, pk: int, missing: str) -> models.Model:
    """The company's record, row-locked for the rest of the transaction; another company's id is NotFound.

    No joins under the lock: PostgreSQL re-checks joined rows after a concurrent change and could drop
    the record from the result instead of returning its new state.
    """
    # Plain SQL (every action starts here; the ORM's query building cost more than the read): one table,
    # so no join, whatever the model's default ordering.
    try:
        where = (f"company_id = %s AND {plainsql.quoted(model._meta.pk.column)} = %s", [company.pk, int(pk)])
    except (TypeError, ValueError):
        raise NotFound(missing) from None
    if not 0 < where[1][1] <= MAX_ID:
        raise NotFound(missing)
    found = plainsql.select(model, where, order_by=(), limit=1, for_update=True)
    if not found:
        raise NotFound(missing)
    return found[0]


# Ids beyond a bigint are nobody's: refuse them before they reach the database.
MAX_ID = 2**63 - 1


def record_id(value: str | None) -> int | None:
    """A database id typed in a form, a header or a query string, or None.

    Only ASCII digits count: "²".isdigit() is true and int("²") fails.
    """
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= MAX_ID:
        return None
    return int(value)


# Values typed on a page or sent to a service: a clear field error instead of a crash.


def decimal_of(value, field: str) -> Decimal:
    """A finite decimal from what was typed (a decimal comma accepted), else a field error."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as error:
        raise ValidationFailed.on(field, _("Enter a number.")) from error
    if not number.is_finite():
        raise ValidationFailed.on(field, _("Enter a number."))
    return number


def quantity_of(value, field: str = "quantity") -> Decimal:
    """A quantity above zero with at most 4 decimals and 12 digits, else a field error."""
    quantity = decimal_of(value, field)
    if quantity <= 0:
        raise ValidationFailed.on(field, _("The quantity must be greater than zero."))
    if quantity != quantity.quantize(Decimal("0.0001")) or quantity >= Decimal("1e12"):
        raise ValidationFailed.on(field, _("Use at most 4 decimals and 12 digits."))
    return quantity
