"""A customer's electronic invoicing profile: the DIR3 codes of the administrative centres a public
administration asks for in its Facturae files (FACe), and whether it takes Facturae files only.

A DIR3 code is the administration's directory code of a unit: 1 to 10 capital letters and digits
("L01462508", "GE0000000"), written upper-case here whatever the case typed. FACe needs the accounting office
(oficina contable), the managing body (órgano gestor) and the processing unit (unidad tramitadora) together;
the proposing body (órgano proponente) is optional and only goes with them."""

import re

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.compliance.models import PartyEInvoicing
from nexo.core.audit import audit_record, changed, snapshot
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.models import AuditEntry, Company
from nexo.core.validation import MAX_ID, locked
from nexo.parties.models import Party

DIR3_CODE = re.compile(r"[A-Z0-9]{1,10}")
DIR3_MAX_LENGTH = 10
# The three centres FACe needs of an administration, then the optional one.
CENTRE_FIELDS = ("accounting_office", "managing_body", "processing_unit")
CODE_FIELDS = (*CENTRE_FIELDS, "proposing_body")
PROFILE_FIELDS = (*CODE_FIELDS, "facturae_required")
CODE_LABELS = {
    "accounting_office": gettext_lazy("accounting office"),
    "managing_body": gettext_lazy("managing body"),
    "processing_unit": gettext_lazy("processing unit"),
    "proposing_body": gettext_lazy("proposing body"),
}


def dir3_code(value) -> str:
    """A code as stored: stripped and upper-case ("" when blank); anything but text raises ValueError."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(value)
    return value.strip().upper()


def missing_centres(profile: PartyEInvoicing | None) -> list[str]:
    """The names of the three centres FACe needs that the profile lacks (all three without a profile)."""
    return [
        str(CODE_LABELS[field]) for field in CENTRE_FIELDS if profile is None or not getattr(profile, field)
    ]


def party_einvoicing_save(*, company: Company, by, party_id: int, **fields) -> PartyEInvoicing:
    """Set a party's DIR3 codes and whether it takes Facturae files only: all of it at once (a code left out
    is blank, `facturae_required` left out is false). Each code is 1 to 10 letters and digits; the accounting
    office, the managing body and the processing unit are given together or not at all, and the proposing
    body only with them. Another company's party is NotFound."""
    unknown = sorted(set(fields) - set(PROFILE_FIELDS))
    if unknown:
        raise ValidationFailed.on(unknown[0], _("Unknown field."))
    if isinstance(party_id, bool) or not isinstance(party_id, int) or not 0 < party_id <= MAX_ID:
        raise NotFound(_("No such party."))
    values, errors = _validated(fields)
    if errors:
        raise ValidationFailed.from_fields(errors)
    with transaction.atomic():
        party = locked(Party, company=company, pk=party_id, missing=_("No such party."))
        profile = PartyEInvoicing.objects.filter(party=party).first()
        creating = profile is None
        if creating:
            profile = PartyEInvoicing(party=party)
        before = {} if creating else snapshot(profile, PROFILE_FIELDS)
        for field, value in values.items():
            setattr(profile, field, value)
        profile.updated_by = by
        profile.save()
        audit_record(
            instance=profile, company_id=company.pk, by=by, parent=party,
            action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
            changes=changed(before, snapshot(profile, PROFILE_FIELDS)),
        )  # fmt: skip
    return profile


def _validated(fields: dict) -> tuple[dict, dict[str, list[str]]]:
    values: dict = {}
    errors: dict[str, list[str]] = {}
    for field in CODE_FIELDS:
        try:
            code = dir3_code(fields.get(field))
        except ValueError:
            code = None
        if code is None or (code and not DIR3_CODE.fullmatch(code)):
            errors[field] = [_("A DIR3 code is 1 to 10 letters and digits, e.g. L01462508.")]
        values[field] = code or ""
    required = fields.get("facturae_required", False)
    if required is None:
        required = False
    if not isinstance(required, bool):
        errors["facturae_required"] = [_("Yes or no.")]
    values["facturae_required"] = required is True
    if errors:
        return values, errors
    given = [field for field in CENTRE_FIELDS if values[field]]
    if given and len(given) < len(CENTRE_FIELDS):
        message = _(
            "Give the accounting office, the managing body and the processing unit together, or none of them."
        )
        for field in CENTRE_FIELDS:
            if not values[field]:
                errors[field] = [message]
    elif values["proposing_body"] and not given:
        errors["proposing_body"] = [
            _(
                "The proposing body goes with the accounting office, the managing body and the processing unit."
            )
        ]
    return values, errors
