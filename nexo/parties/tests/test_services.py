import pytest
from django.utils import translation

from nexo.core.audit import ChangeLine, audit_trail, describe_changes
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.models import AuditEntry
from nexo.parties import services
from nexo.parties.models import Address, Contact, Party

ADDRESS = {"street": "Calle Mayor, 1", "city": "Valencia", "postal_code": "46001", "province": "Valencia"}


def test_a_party_is_created_with_addresses_contacts_and_audit(company, sales_user):
    party = services.party_create(
        company=company, by=sales_user, name="Reformas Turia, S.L.", tax_id="b-12345674",
        addresses=[ADDRESS], contacts=[{"name": "Ana Gil", "email": "ana@turia.es"}],
    )  # fmt: skip
    assert party.tax_id == "B12345674"
    assert party.status == Party.Status.LEAD
    assert party.created_by == sales_user
    address, contact = party.addresses.get(), party.contacts.get()
    assert address.is_default and contact.is_primary  # the first of each becomes the default
    entry = AuditEntry.objects.filter(object_id=party.pk, parent_id=None, action="create").get()
    assert entry.changes["name"] == [None, "Reformas Turia, S.L."]


def test_an_invalid_tax_id_is_refused_with_a_message_on_the_field(company, sales_user):
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        services.party_create(company=company, by=sales_user, name="X", tax_id="12345678A")
    assert caught.value.errors[0]["field"] == "tax_id"
    assert "not valid" in caught.value.errors[0]["message"]
    assert not Party.objects.exists()


def test_a_tax_id_already_used_in_the_company_is_refused(company, other_company, sales_user):
    first = services.party_create(company=company, by=sales_user, name="Primera", tax_id="B12345674")
    with pytest.raises(ValidationFailed) as caught:
        services.party_create(company=company, by=sales_user, name="Segunda", tax_id="B-12345674")
    assert "Primera" in caught.value.errors[0]["message"]
    assert str(first.pk) in caught.value.errors[0]["message"]
    # Another company may have the same party.
    services.party_create(company=other_company, by=sales_user, name="Primera", tax_id="B12345674")


def test_a_bad_address_saves_nothing(company, sales_user):
    with pytest.raises(ValidationFailed) as caught:
        services.party_create(
            company=company,
            by=sales_user,
            name="Entera",
            addresses=[ADDRESS, {"street": "", "city": "Elche"}],
        )
    assert caught.value.errors[0]["field"] == "addresses.1.street"
    assert not Party.objects.exists() and not Address.objects.exists()


def test_missing_name_over_long_text_and_bad_email_name_their_fields(company, sales_user):
    with pytest.raises(ValidationFailed) as caught:
        services.party_create(
            company=company, by=sales_user, name="", trade_name="x" * 201, email="no-es-correo"
        )
    assert {e["field"] for e in caught.value.errors} == {"name", "trade_name", "email"}


def test_unknown_fields_are_refused(company, sales_user):
    with pytest.raises(ValidationFailed) as caught:
        services.party_create(company=company, by=sales_user, name="X", colour="blue")
    assert caught.value.errors[0]["field"] == "colour"


def test_an_update_records_what_changed(company, sales_user):
    party = services.party_create(company=company, by=sales_user, name="Antes", phone="1")
    services.party_update(company=company, party_id=party.pk, by=sales_user, name="Después", phone="1")
    entry = AuditEntry.objects.filter(object_id=party.pk, action="update").get()
    assert entry.changes == {"name": ["Antes", "Después"]}
    # Saving the same values writes no entry.
    services.party_update(company=company, party_id=party.pk, by=sales_user, name="Después")
    assert AuditEntry.objects.filter(object_id=party.pk, action="update").count() == 1


def test_another_companys_party_cannot_be_changed(company, other_company, sales_user):
    theirs = services.party_create(company=other_company, by=sales_user, name="Suya")
    with pytest.raises(NotFound):
        services.party_update(company=company, party_id=theirs.pk, by=sales_user, name="Mía")


def test_one_default_address_and_one_primary_contact(company, sales_user):
    party = services.party_create(company=company, by=sales_user, name="P", addresses=[ADDRESS])
    second = services.address_add(
        company=company, party_id=party.pk, by=sales_user, **ADDRESS, is_default=True
    )
    assert list(party.addresses.filter(is_default=True)) == [second]
    services.address_delete(company=company, party_id=party.pk, address_id=second.pk, by=sales_user)
    assert party.addresses.get().is_default  # the remaining one takes over
    first = services.contact_add(company=company, party_id=party.pk, by=sales_user, name="Ana")
    other = services.contact_add(
        company=company, party_id=party.pk, by=sales_user, name="Luis", is_primary=True
    )
    first.refresh_from_db()
    assert not first.is_primary and Contact.objects.get(pk=other.pk).is_primary


@translation.override("en")
def test_contact_changes_appear_in_the_partys_history(company, sales_user):
    party = services.party_create(company=company, by=sales_user, name="P")
    contact = services.contact_add(
        company=company, party_id=party.pk, by=sales_user, name="Ana", email="a@p.es"
    )
    services.contact_update(
        company=company, party_id=party.pk, contact_id=contact.pk, by=sales_user, email="ana@p.es"
    )
    latest = AuditEntry.objects.filter(parent_id=party.pk).order_by("-id").first()
    assert latest.object_id == contact.pk and latest.action == "update"
    assert latest.changes == {"email": ["a@p.es", "ana@p.es"]}
    trail = list(audit_trail(party))
    assert [entry.action for entry in trail] == ["update", "create", "create"]
    assert describe_changes(trail[0])[0] == ChangeLine("E-mail", "a@p.es", "ana@p.es")
    services.contact_delete(company=company, party_id=party.pk, contact_id=contact.pk, by=sales_user)
    assert audit_trail(party)[0].action == "delete"
