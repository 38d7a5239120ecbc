"""Every change to parties, their addresses and contacts: validated, audited, one transaction each."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nexo.core.audit import audit_record, changed, snapshot
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.models import AuditEntry, Company
from nexo.core.validation import assign, full_clean, locked
from nexo.parties.models import Address, Contact, Party
from nexo.parties.rules import InvalidTaxId, TaxIdProblem, normalize_tax_id, search_text

PARTY_FIELDS = (
    "kind", "name", "trade_name", "country", "tax_id", "email", "phone", "website",
    "language", "status", "is_supplier", "is_active", "notes",
    "subject_to_recargo", "withholds_irpf", "eu_vat_valid",
)  # fmt: skip
ADDRESS_FIELDS = ("kind", "street", "postal_code", "city", "province", "country", "is_default")
CONTACT_FIELDS = ("name", "job_title", "email", "phone", "is_primary")


def tax_id_message(error: InvalidTaxId) -> str:
    messages = {
        TaxIdProblem.CHECKSUM: _("The check digit does not match: this %(kind)s is not valid."),
        TaxIdProblem.LENGTH: _("This %(kind)s has the wrong number of characters."),
        TaxIdProblem.COUNTRY: _("This %(kind)s does not belong to the country given."),
        TaxIdProblem.FORMAT: _("This is not a valid %(kind)s."),
    }
    kind = {"NIF": _("NIF/NIE/CIF"), "VAT": _("VAT number")}.get(error.kind, _("tax id"))
    return messages[error.problem] % {"kind": kind}


def _check_tax_id(party: Party) -> None:
    try:
        party.tax_id = normalize_tax_id(party.tax_id, party.country)
    except InvalidTaxId as error:
        raise ValidationFailed.on("tax_id", tax_id_message(error)) from error
    if not party.tax_id:
        return
    holder = (
        Party.objects.filter(company_id=party.company_id, tax_id=party.tax_id).exclude(pk=party.pk).first()
    )
    if holder is not None:
        raise ValidationFailed.on(
            "tax_id",
            _("This tax id is already used by %(name)s (#%(id)s).") % {"name": holder.name, "id": holder.pk},
        )


def _save_party(party: Party) -> None:
    party.search_text = _search_text(party)
    try:
        with transaction.atomic():
            party.save()
    except IntegrityError as error:
        # A concurrent request took the same tax id between our check and our write.
        raise ValidationFailed.on("tax_id", _("This tax id is already used in this company.")) from error


def _search_text(party: Party) -> str:
    return search_text(
        name=party.name, trade_name=party.trade_name, tax_id=party.tax_id, email=party.email, city=party.city
    )


def _refresh_city(party: Party) -> None:
    """The party's city is its default address's; the list shows, sorts and searches it."""
    default = (
        Address.objects.filter(party=party)
        .order_by("-is_default", "id")
        .values_list("city", flat=True)
        .first()
    )
    party.city = default or ""
    party.search_text = _search_text(party)
    Party.objects.filter(pk=party.pk).update(city=party.city, search_text=party.search_text)


def _validated_party(party: Party) -> None:
    errors: dict[str, list[str]] = {}
    try:
        full_clean(party)
    except ValidationFailed as failure:
        errors.update(failure.field_messages())
    if "tax_id" not in errors and "country" not in errors:
        try:
            _check_tax_id(party)
        except ValidationFailed as failure:
            errors.update(failure.field_messages())
    if errors:
        raise ValidationFailed.from_fields(errors)


def party_create(
    *, company: Company, by, addresses: list[dict] = (), contacts: list[dict] = (), **fields
) -> Party:
    """Create a party with its addresses and contacts; any invalid part saves nothing."""
    party = Party(company=company, created_by=by, updated_by=by)
    assign(party, fields, PARTY_FIELDS)
    with transaction.atomic():
        _validated_party(party)
        _save_party(party)
        audit_record(
            instance=party, company_id=company.pk, action=AuditEntry.Action.CREATE,
            changes=changed({}, snapshot(party, PARTY_FIELDS)), by=by,
        )  # fmt: skip
        for index, address_fields in enumerate(addresses):
            _prefixed(f"addresses.{index}", lambda f=address_fields: address_create(party=party, by=by, **f))
        for index, contact_fields in enumerate(contacts):
            _prefixed(f"contacts.{index}", lambda f=contact_fields: contact_create(party=party, by=by, **f))
    return party


def _prefixed(prefix: str, action):
    try:
        return action()
    except ValidationFailed as failure:
        raise ValidationFailed.from_fields(
            {f"{prefix}.{field}": messages for field, messages in failure.field_messages().items()}
        ) from failure


def _locked_party(company: Company, party_id: int) -> Party:
    return locked(Party, company=company, pk=party_id, missing=_("No such party."))


def party_update(*, company: Company, party_id: int, by, **fields) -> Party:
    with transaction.atomic():
        party = _locked_party(company, party_id)
        before = snapshot(party, PARTY_FIELDS)
        assign(party, fields, PARTY_FIELDS)
        party.updated_by = by
        _validated_party(party)
        _save_party(party)
        audit_record(
            instance=party, company_id=company.pk, action=AuditEntry.Action.UPDATE,
            changes=changed(before, snapshot(party, PARTY_FIELDS)), by=by,
        )  # fmt: skip
    return party


@dataclass(frozen=True)
class ChildKind:
    """Addresses and contacts follow the same rules: editable fields and one flagged record per party."""

    model: type[Address] | type[Contact]
    fields: tuple[str, ...]
    flag: str  # is_default / is_primary


ADDRESS = ChildKind(Address, ADDRESS_FIELDS, "is_default")
CONTACT = ChildKind(Contact, CONTACT_FIELDS, "is_primary")


def _keep_one_flagged(kind: ChildKind, party: Party, record) -> None:
    """One default address and one primary contact per party; the first one gets the flag."""
    siblings = kind.model.objects.filter(party=party).exclude(pk=record.pk)
    if getattr(record, kind.flag):
        siblings.filter(**{kind.flag: True}).update(**{kind.flag: False})
    elif not siblings.filter(**{kind.flag: True}).exists():
        setattr(record, kind.flag, True)
        kind.model.objects.filter(pk=record.pk).update(**{kind.flag: True})


def _child_save(kind: ChildKind, *, party: Party, record, by, fields: dict):
    creating = record.pk is None
    before = {} if creating else snapshot(record, kind.fields)
    assign(record, fields, kind.fields)
    record.updated_by = by
    full_clean(record, exclude=["party"])
    record.save()
    _keep_one_flagged(kind, party, record)
    if kind is ADDRESS:
        _refresh_city(party)
    audit_record(
        instance=record, company_id=party.company_id, by=by, parent=party,
        action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        changes=changed(before, snapshot(record, kind.fields)),
    )  # fmt: skip
    return record


def _child_create(kind: ChildKind, *, party: Party, by, fields: dict):
    with transaction.atomic():
        record = kind.model(company_id=party.company_id, party=party, created_by=by)
        return _child_save(kind, party=party, record=record, by=by, fields=fields)


def _locked_child(kind: ChildKind, company: Company, party_id: int, child_id: int):
    record = (
        kind.model.objects.select_for_update().select_related("party")
        .filter(company=company, party_id=party_id, pk=child_id).first()
    )  # fmt: skip
    if record is None:
        raise NotFound(_("No such record."))
    return record


def _child_update(kind: ChildKind, *, company: Company, party_id: int, child_id: int, by, fields: dict):
    with transaction.atomic():
        record = _locked_child(kind, company, party_id, child_id)
        return _child_save(kind, party=record.party, record=record, by=by, fields=fields)


def _child_delete(kind: ChildKind, *, company: Company, party_id: int, child_id: int, by) -> None:
    with transaction.atomic():
        record = _locked_child(kind, company, party_id, child_id)
        party, was_flagged = record.party, getattr(record, kind.flag)
        audit_record(
            instance=record, company_id=party.company_id, by=by, parent=party,
            action=AuditEntry.Action.DELETE, changes=changed(snapshot(record, kind.fields), {}),
        )  # fmt: skip
        record.delete()
        successor = kind.model.objects.filter(party=party).order_by("id").first()
        if was_flagged and successor is not None:
            kind.model.objects.filter(pk=successor.pk).update(**{kind.flag: True})
        if kind is ADDRESS:
            _refresh_city(party)


def address_create(*, party: Party, by, **fields) -> Address:
    return _child_create(ADDRESS, party=party, by=by, fields=fields)


def contact_create(*, party: Party, by, **fields) -> Contact:
    return _child_create(CONTACT, party=party, by=by, fields=fields)


def party_billing_details(
    *, company: Company, party_id: int, by, tax_id: str = "", address: dict | None = None
) -> Party:
    """What an invoice needs of its customer, given where it was missing: the tax id and a default billing
    address, in one transaction (nothing is saved unless both are valid). Errors of the address are named
    by its fields (street, city, …)."""
    with transaction.atomic():
        party = _locked_party(company, party_id)
        if tax_id:
            party = party_update(company=company, party_id=party_id, by=by, tax_id=tax_id)
        if address:
            address_create(party=party, by=by, **{**address, "kind": Address.Kind.BILLING, "is_default": True})
        return party


def address_add(*, company: Company, party_id: int, by, **fields) -> Address:
    with transaction.atomic():
        return address_create(party=_locked_party(company, party_id), by=by, **fields)


def contact_add(*, company: Company, party_id: int, by, **fields) -> Contact:
    with transaction.atomic():
        return contact_create(party=_locked_party(company, party_id), by=by, **fields)


def address_update(*, company: Company, party_id: int, address_id: int, by, **fields) -> Address:
    return _child_update(
        ADDRESS, company=company, party_id=party_id, child_id=address_id, by=by, fields=fields
    )


def contact_update(*, company: Company, party_id: int, contact_id: int, by, **fields) -> Contact:
    return _child_update(
        CONTACT, company=company, party_id=party_id, child_id=contact_id, by=by, fields=fields
    )


def address_delete(*, company: Company, party_id: int, address_id: int, by) -> None:
    _child_delete(ADDRESS, company=company, party_id=party_id, child_id=address_id, by=by)


def contact_delete(*, company: Company, party_id: int, contact_id: int, by) -> None:
    _child_delete(CONTACT, company=company, party_id=party_id, child_id=contact_id, by=by)
