"""VERI*FACTU billing records: the hash matches the AEAT's published examples byte for byte; posting an
invoice or a credit note appends an alta to the issuer's chain, valid against the AEAT's schema; a record
never changes (model and database triggers on both databases); 20 postings at once on PostgreSQL still give
one unbroken chain."""

import itertools
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django_verifactu.aeat.elements import RECORDS, tag
from django_verifactu.aeat.fingerprint import cancellation_fingerprint, registration_fingerprint
from lxml import etree

from nexo.compliance.models import BillingRecord, RecordChain, RecordImmutable
from nexo.compliance.services.settings import compliance_settings, settings_update
from nexo.compliance.services.verification import _hash_of_fields, verify_records
from nexo.compliance.tests.schemas import schema_errors
from nexo.core.errors import Conflict
from nexo.invoicing import services
from nexo.invoicing.models import Invoice
from nexo.tests.concurrency import at_once

D = Decimal
HASH = re.compile(r"[0-9A-F]{64}")

# The AEAT's worked examples («Detalle de las especificaciones técnicas para la generación de la huella»),
# quoted in ../shared/reference/spanish-invoicing-accounting.md §10.
FIRST = "3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60"
SECOND = "F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97"
CANCELLED = "177547C0D57AC74748561D054A9CEC14B4C4EA23D1BEFD6F2E69E3A388F90C68"


def test_the_hash_matches_the_aeat_examples_byte_for_byte():
    first = registration_fingerprint(
        issuer_tax_id="89890001K", invoice_number="12345678/G33", issue_date="01-01-2024", invoice_type="F1",
        total_tax="12.35", total_amount="123.45", previous_fingerprint="",
        generated_at="2024-01-01T19:20:30+01:00",
    )  # fmt: skip
    second = registration_fingerprint(
        issuer_tax_id="89890001K", invoice_number="12345679/G34", issue_date="01-01-2024", invoice_type="F1",
        total_tax="12.35", total_amount="123.45", previous_fingerprint=first,
        generated_at="2024-01-01T19:20:35+01:00",
    )  # fmt: skip
    cancelled = cancellation_fingerprint(
        issuer_tax_id="89890001K", invoice_number="12345679/G34", issue_date="01-01-2024",
        previous_fingerprint=second, generated_at="2024-01-01T19:20:40+01:00",
    )  # fmt: skip
    assert (first, second, cancelled) == (FIRST, SECOND, CANCELLED)


def test_verification_recomputes_the_aeat_examples_from_stored_fields():
    """The fields as the database returns them (a date, Decimals) hash to the same text."""
    stored = {
        "kind": "alta", "issuer_tax_id": "89890001K", "invoice_number": "12345679/G34",
        "issue_date": date(2024, 1, 1), "invoice_type": "F1", "total_tax": D("12.35"), "total": D("123.45"),
        "previous_hash": FIRST, "generated_at_text": "2024-01-01T19:20:35+01:00",
    }  # fmt: skip
    assert _hash_of_fields(stored) == SECOND
    cancellation = {
        **stored, "kind": "anulacion", "previous_hash": SECOND, "generated_at_text": "2024-01-01T19:20:40+01:00",
    }  # fmt: skip
    assert _hash_of_fields(cancellation) == CANCELLED


def _xml(record):
    return etree.fromstring(record.xml.encode())


def test_posting_an_invoice_appends_its_alta_to_the_chain(company, hand_invoice, post):
    first = post(hand_invoice([("2", "50.00", "21"), ("1", "100.00", "10")]))  # 100 + 21 and 100 + 10
    second = post(hand_invoice([("1", "10.00", "21")]))
    records = list(BillingRecord.objects.filter(company=company).order_by("position"))
    assert [(r.position, r.kind, r.invoice_id) for r in records] == [
        (1, "alta", first.pk),
        (2, "alta", second.pk),
    ]
    one, two = records
    assert (one.issuer_tax_id, one.invoice_number, one.issue_date, one.invoice_type) == (
        "B46123451", first.number, first.date, "F1",
    )  # fmt: skip
    assert (one.total_tax, one.total) == (D("31.00"), D("231.00"))
    assert HASH.fullmatch(one.hash) and HASH.fullmatch(two.hash)
    assert (one.previous_hash, two.previous_hash) == ("", one.hash)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", one.generated_at_text)
    assert _hash_of_fields(vars(one)) == one.hash
    chain = RecordChain.objects.get(company=company)
    assert (chain.length, chain.last_hash, chain.last_invoice_number) == (2, two.hash, second.number)

    # The stored XML is the AEAT's record: valid against SuministroInformacion.xsd (the project's copy), hashed as stored.
    for record in records:
        element = _xml(record)
        assert schema_errors(element, "SuministroInformacion") == []
        assert element.findtext(tag(RECORDS, "Huella")) == record.hash
    link = _xml(two).find(f"{tag(RECORDS, 'Encadenamiento')}/{tag(RECORDS, 'RegistroAnterior')}")
    assert link.findtext(tag(RECORDS, "Huella")) == one.hash
    assert link.findtext(tag(RECORDS, "NumSerieFactura")) == first.number
    assert _xml(one).find(f"{tag(RECORDS, 'Encadenamiento')}/{tag(RECORDS, 'PrimerRegistro')}").text == "S"
    breakdown = _xml(one).findall(f".//{tag(RECORDS, 'DetalleDesglose')}")
    assert sorted(line.findtext(tag(RECORDS, "CuotaRepercutida")) for line in breakdown) == ["10.00", "21.00"]
    recipient = _xml(one).find(f".//{tag(RECORDS, 'IDDestinatario')}")
    assert recipient.findtext(tag(RECORDS, "NIF")) == "B46000014"
    assert [report.intact for report in verify_records(company)] == [True]


def test_a_credit_note_is_an_r_record_naming_the_invoice_it_corrects(company, accountant, hand_invoice, post):
    invoice = post(hand_invoice([("1", "100.00", "21")]))
    draft = services.credit_note_create(
        company=company, by=accountant, invoice_id=invoice.pk, reason="Devuelto"
    )
    credit = post(draft)
    record = BillingRecord.objects.get(invoice=credit)
    assert (record.invoice_type, record.total_tax, record.total, record.position) == (
        "R4",
        D("-21.00"),
        D("-121.00"),
        2,
    )
    element = _xml(record)
    assert element.findtext(tag(RECORDS, "TipoRectificativa")) == "I"
    corrected = element.find(f".//{tag(RECORDS, 'IDFacturaRectificada')}")
    assert corrected.findtext(tag(RECORDS, "NumSerieFactura")) == invoice.number
    assert schema_errors(element, "SuministroInformacion") == []


def test_a_simplified_invoice_names_no_recipient(company, hand_invoice, post):
    invoice = post(hand_invoice([("1", "20.00", "21")], simplified=True))
    element = _xml(BillingRecord.objects.get(invoice=invoice))
    assert element.findtext(tag(RECORDS, "TipoFactura")) == "F2"
    assert element.find(f".//{tag(RECORDS, 'Destinatarios')}") is None


def test_with_verifactu_off_posting_writes_no_record(company, accountant, hand_invoice, post):
    settings_update(company=company, by=accountant, verifactu_enabled=False)
    post(hand_invoice([("1", "10.00", "21")]))
    assert not BillingRecord.objects.exists()


def test_a_record_the_aeat_rules_refuse_refuses_the_posting(company, hand_invoice, post, make_customer):
    """An invoice dated after today cannot be recorded (AEAT error 1112): nothing is posted."""
    draft = hand_invoice([("1", "10.00", "21")], day=date(2099, 1, 1))
    with pytest.raises(Conflict, match="1112"):
        post(draft)
    draft.refresh_from_db()
    assert draft.state == Invoice.State.DRAFT and not BillingRecord.objects.exists()


def test_the_model_refuses_to_change_or_delete_a_record(hand_invoice, post):
    post(hand_invoice([("1", "10.00", "21")]))
    record = BillingRecord.objects.get()
    record.total = D("1.00")
    with pytest.raises(RecordImmutable):
        record.save()
    with pytest.raises(RecordImmutable):
        record.delete()


def _check_triggers_refuse_changes(record):
    table = BillingRecord._meta.db_table
    for statement in (f"UPDATE {table} SET total = 1 WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with (
            pytest.raises(DatabaseError, match="never change"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [record.pk])
    assert BillingRecord.objects.get(pk=record.pk).total == record.total


def test_sqlite_triggers_refuse_changing_or_deleting_a_record(hand_invoice, post):
    post(hand_invoice([("1", "10.00", "21")]))
    _check_triggers_refuse_changes(BillingRecord.objects.get())


@pytest.mark.postgres
def test_postgresql_triggers_refuse_changing_or_deleting_a_record(hand_invoice, post):
    post(hand_invoice([("1", "10.00", "21")]))
    _check_triggers_refuse_changes(BillingRecord.objects.get())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_postings_at_once_give_one_unbroken_chain(company, accountant, hand_invoice):
    """Invoices and simplified invoices (two series, so the series' locks do not queue them all): only the
    chain's head orders them."""
    compliance_settings(company)
    drafts = [hand_invoice([("1", f"{10 + n}.00", "21")], simplified=n % 2 == 1) for n in range(20)]
    results = at_once(
        [
            lambda pk=draft.pk: services.invoice_post(company=company, by=accountant, invoice_id=pk).pk
            for draft in drafts
        ]
    )
    assert sorted(results, key=str) == sorted((draft.pk for draft in drafts), key=str)
    records = list(BillingRecord.objects.filter(company=company).order_by("position"))
    assert [record.position for record in records] == list(range(1, 21))
    assert all(record.previous_hash == before.hash for before, record in itertools.pairwise(records))
    assert {record.invoice_id for record in records} == {draft.pk for draft in drafts}
    assert [report.intact for report in verify_records(company)] == [True]


def test_control_characters_in_the_customers_name_stay_out_of_the_record(
    company, hand_invoice, post, make_customer
):
    """The record's XML cannot carry them: the name is recorded without them, and the posting goes through."""
    from nexo.parties.models import Party

    customer = make_customer(name="Bell Ringer", tax_id="B46000022")
    Party.objects.filter(pk=customer.pk).update(name="Bell\x07 Ringer\x1b, S.L.")
    invoice = post(hand_invoice([("1", "10.00", "21")], party=customer))
    element = _xml(BillingRecord.objects.get(invoice=invoice))
    assert (
        element.find(f".//{tag(RECORDS, 'IDDestinatario')}").findtext(tag(RECORDS, "NombreRazon"))
        == "Bell Ringer, S.L."
    )


def test_cancelling_an_invoice_appends_its_anulacion(company, accountant, hand_invoice, post):
    invoice = post(hand_invoice([("1", "10.00", "21")]))
    other = post(hand_invoice([("1", "20.00", "21")]))
    services.invoice_cancel(company=company, by=accountant, invoice_id=invoice.pk, reason="Emitida por error")
    records = list(BillingRecord.objects.filter(company=company).order_by("position"))
    assert [(r.position, r.kind, r.invoice_id) for r in records] == [
        (1, "alta", invoice.pk), (2, "alta", other.pk), (3, "anulacion", invoice.pk),
    ]  # fmt: skip
    cancellation = records[2]
    assert (cancellation.previous_hash, cancellation.total, cancellation.invoice_type) == (
        records[1].hash,
        None,
        "",
    )
    element = _xml(cancellation)
    assert etree.QName(element).localname == "RegistroAnulacion"
    assert schema_errors(element, "SuministroInformacion") == []
    assert element.find(f".//{tag(RECORDS, 'NumSerieFacturaAnulada')}").text == invoice.number
    assert (
        _hash_of_fields(vars(cancellation)) == cancellation.hash == element.findtext(tag(RECORDS, "Huella"))
    )
    assert [report.intact for report in verify_records(company)] == [True]
