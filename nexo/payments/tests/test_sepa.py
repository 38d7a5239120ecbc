"""SEPA direct debit as a business story: two customers sign mandates, their invoices are remitted on a
charge date, the pain.008 file validates against the schema, posting collects them in one bank entry, the
bank returns one (with charges), the next remittance is FRST again for it and RCUR for the other. After
every step each customer's 4300 balance equals what its due amounts have left to pay."""

from datetime import date, timedelta
from decimal import Decimal
from xml.etree import ElementTree as etree

import pytest
import xmlschema
from django.utils import timezone

from nexo.accounting.models import Entry, EntryLine
from nexo.core.errors import Conflict, ValidationFailed
from nexo.payments.models import DueAmount, Mandate, Payment, Remittance, RemittanceLine
from nexo.payments.rules import sepa as rules
from nexo.payments.services import sepa
from nexo.payments.services.payments import Match, payment_record, payment_reverse
from nexo.payments.tests import factories_sepa as make

D = Decimal
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    """Messages are asserted in English."""


@pytest.fixture
def accountant(make_user, company):
    return make_user("contable", "accounting")


@pytest.fixture
def bank(company):
    return make.bank_account(company)


@pytest.fixture
def turia(company, accountant):
    return make.customer(company, accountant, "Reformas Turia, S.L.", "B46000014")


@pytest.fixture
def norte(company, accountant):
    return make.customer(company, accountant, "Estudio Norte, S.L.P.", "B46000022")


@pytest.fixture
def today():
    return timezone.localdate()


def balances_agree(company, *parties):
    for party in parties:
        assert make.balance_4300(company, party) == make.open_dues(company, party), party.name


# Mandates


def test_a_mandate_is_saved_with_its_iban_compacted_and_first_sequence(company, accountant, turia):
    mandate = make.mandate(
        company, accountant, turia, "TURIA-001", iban="es02 2100 0418 4101 2345 6789", bic="caixesbb"
    )
    assert (mandate.iban, mandate.bic, mandate.sequence_type, mandate.scheme, mandate.active) == (
        "ES0221000418410123456789", "CAIXESBB", "FRST", "CORE", True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"iban": "ES0221000418410123456780"}, "iban"),  # a wrong check digit
        ({"iban": "not an iban"}, "iban"),
        ({"bic": "CAIX"}, "bic"),
        ({"signed_on": None}, "signed_on"),
        ({"signed_on": date.today() + timedelta(days=2)}, "signed_on"),
        ({"reference": "MANDATO ÑANDÚ"}, "reference"),
        ({"reference": "X" * 36}, "reference"),
        ({"reference": "/START"}, "reference"),
        ({"reference": ""}, "reference"),
        ({"scheme": "COR1"}, "scheme"),
    ],
)
def test_a_mandate_with_bad_data_is_refused_naming_the_field(company, accountant, turia, fields, field):
    options = {
        "reference": "TURIA-001",
        "iban": make.IBANS[0],
        "bic": "",
        "signed_on": date(2025, 1, 15),
    } | fields
    with pytest.raises(ValidationFailed) as refused:
        sepa.mandate_save(company=company, by=accountant, party_id=turia.pk, **options)
    assert [error["field"] for error in refused.value.errors] == [field]
    assert not Mandate.objects.exists()


def test_a_mandate_reference_is_unique_in_the_company(company, other_company, accountant, turia, norte):
    make.mandate(company, accountant, turia, "REF-1")
    with pytest.raises(ValidationFailed, match="already has the reference REF-1"):
        make.mandate(company, accountant, norte, "REF-1")
    assert Mandate.objects.count() == 1


def test_a_mandate_is_for_a_customer_of_the_company(company, other_company, accountant):
    from nexo.parties.models import Party

    lead = Party.objects.create(company=company, name="Lead", status="lead")
    stranger = Party.objects.create(company=other_company, name="Ajena", status="customer")
    for party in (lead, stranger):
        with pytest.raises(ValidationFailed) as refused:
            make.mandate(company, accountant, party, f"REF-{party.pk}")
        assert refused.value.errors[0]["field"] == "party"


def test_a_mandate_is_changed_and_deactivated(company, accountant, turia):
    mandate = make.mandate(company, accountant, turia, "REF-1")
    changed = sepa.mandate_save(
        company=company, by=accountant, mandate_id=mandate.pk, party_id=turia.pk, reference="REF-2",
        iban=make.IBANS[1], signed_on=date(2025, 2, 1), scheme="B2B", active=False,
    )  # fmt: skip
    assert (changed.pk, changed.reference, changed.iban, changed.scheme, changed.active) == (
        mandate.pk, "REF-2", make.IBANS[1], "B2B", False,
    )  # fmt: skip


# Remittances


def test_a_remittance_of_a_due_amount_without_mandate_is_refused_and_changes_nothing(
    company, accountant, bank, turia, norte, today
):
    make.mandate(company, accountant, turia, "TURIA-001")
    paid_by_mandate = make.due_of(make.posted_invoice(company, accountant, turia))
    without = make.due_of(make.posted_invoice(company, accountant, norte))
    with pytest.raises(ValidationFailed) as refused:
        sepa.remittance_create(
            company=company, by=accountant, bank_account_id=bank.pk, charge_date=today,
            due_ids=[paid_by_mandate.pk, without.pk],
        )  # fmt: skip
    assert refused.value.status == 422
    assert "Estudio Norte, S.L.P." in refused.value.detail
    assert "Reformas Turia" not in refused.value.detail
    assert not Remittance.objects.exists() and not RemittanceLine.objects.exists()
    assert set(DueAmount.objects.values_list("state", flat=True)) == {"open"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"charge_date": "yesterday"}, "charge_date"),
        ({"due_ids": []}, "due_ids"),
        ({"creditor_id": ""}, "bank_account"),
        ({"creditor_id": "ES00000B46123451"}, "bank_account"),
    ],
)
def test_a_remittance_needs_a_charge_date_not_past_due_amounts_and_a_creditor_id(
    company, accountant, bank, turia, today, change, field
):
    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    if "creditor_id" in change:
        bank.creditor_id = change["creditor_id"]
        bank.save()
    options = {"charge_date": today, "due_ids": [due.pk]}
    if change.get("charge_date") == "yesterday":
        options["charge_date"] = today - timedelta(days=1)
    if "due_ids" in change:
        options["due_ids"] = change["due_ids"]
    with pytest.raises(ValidationFailed) as refused:
        sepa.remittance_create(company=company, by=accountant, bank_account_id=bank.pk, **options)
    assert refused.value.errors[0]["field"] == field
    assert not Remittance.objects.exists()


def test_a_remitted_or_paid_due_amount_cannot_be_remitted_again(company, accountant, bank, turia, today):
    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    sepa.remittance_create(
        company=company, by=accountant, bank_account_id=bank.pk, charge_date=today, due_ids=[due.pk]
    )
    with pytest.raises(ValidationFailed, match="cannot be charged"):
        sepa.remittance_create(
            company=company, by=accountant, bank_account_id=bank.pk, charge_date=today, due_ids=[due.pk]
        )
    with pytest.raises(Conflict, match="remitted"):  # nor paid by a transfer meanwhile
        payment_record(
            company=company, by=accountant, direction="receivable", party_id=turia.pk, date=today,
            amount=due.amount, bank_account_id=bank.pk, allocations=[Match(due.pk, due.amount)],
        )  # fmt: skip
    assert Remittance.objects.count() == 1


def test_candidates_are_due_amounts_with_a_mandate_due_by_the_date_and_not_remitted(
    company, accountant, bank, turia, norte, today
):
    make.mandate(company, accountant, turia, "TURIA-001")
    first = make.due_of(make.posted_invoice(company, accountant, turia))
    second = make.due_of(make.posted_invoice(company, accountant, turia, net="50.00"))
    make.posted_invoice(company, accountant, norte)  # no mandate
    until = first.due_date  # the company's default term: 30 days
    found = list(sepa.remittance_candidates(company, charge_date_until=until))
    assert [due.pk for due in found] == [first.pk, second.pk]
    assert list(sepa.remittance_candidates(company, charge_date_until=until - timedelta(days=1))) == []
    sepa.remittance_create(
        company=company, by=accountant, bank_account_id=bank.pk, charge_date=today, due_ids=[first.pk]
    )
    assert [due.pk for due in sepa.remittance_candidates(company, charge_date_until=until)] == [second.pk]


def test_cancelling_a_draft_remittance_puts_its_due_amounts_back(company, accountant, bank, turia, today):
    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    remittance = sepa.remittance_create(
        company=company, by=accountant, bank_account_id=bank.pk, charge_date=today, due_ids=[due.pk]
    )
    assert DueAmount.objects.get(pk=due.pk).state == "remitted"
    sepa.remittance_cancel(company=company, by=accountant, remittance_id=remittance.pk)
    assert DueAmount.objects.get(pk=due.pk).state == "open"
    assert not Remittance.objects.exists()


def _file_of(company, remittance) -> etree.Element:
    document = sepa.remittance_file(company, remittance.pk)
    xmlschema.XMLSchema(str(sepa.SCHEMA_FILE)).validate(document.decode())  # raises if not valid
    return etree.fromstring(document)


def test_the_story_remit_file_post_return_and_remit_again(
    company, accountant, bank, turia, norte, today, english
):
    """Turia owes 121.00 and 60.50, Norte 242.00; both have mandates (Norte's is B2B)."""
    make.mandate(company, accountant, turia, "TURIA-001")
    make.mandate(company, accountant, norte, "NORTE-001", iban=make.IBANS[1], scheme="B2B", bic="CAIXESBBXXX")
    turia_a = make.due_of(make.posted_invoice(company, accountant, turia))
    turia_b = make.due_of(make.posted_invoice(company, accountant, turia, net="50.00"))
    norte_a = make.due_of(make.posted_invoice(company, accountant, norte, net="200.00"))
    balances_agree(company, turia, norte)

    remittance = sepa.remittance_create(
        company=company, by=accountant, bank_account_id=bank.pk, charge_date=today,
        due_ids=[turia_a.pk, turia_b.pk, norte_a.pk],
    )  # fmt: skip
    assert (remittance.number, remittance.total, remittance.state) == (
        f"REM-{today.year}-0001",
        D("423.50"),
        "draft",
    )
    lines = list(RemittanceLine.objects.filter(remittance=remittance).order_by("pk"))
    assert [(line.due_id, line.amount, line.sequence_type) for line in lines] == [
        (turia_a.pk, D("121.00"), "FRST"), (turia_b.pk, D("60.50"), "FRST"), (norte_a.pk, D("242.00"), "FRST"),
    ]  # fmt: skip
    assert len({line.end_to_end_id for line in lines}) == 3
    assert set(DueAmount.objects.values_list("state", flat=True)) == {"remitted"}
    balances_agree(company, turia, norte)

    # The file: valid against the XSD, with its totals, one block per sequence type and scheme.
    root = _file_of(company, remittance)
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "3"
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "423.50"
    assert (
        root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:MsgId", namespaces=NS)
        == f"B46123451-{remittance.number}"
    )
    blocks = root.findall("p:CstmrDrctDbtInitn/p:PmtInf", namespaces=NS)
    summary = sorted(
        (
            block.findtext("p:PmtTpInf/p:LclInstrm/p:Cd", namespaces=NS),
            block.findtext("p:PmtTpInf/p:SeqTp", namespaces=NS),
            block.findtext("p:NbOfTxs", namespaces=NS),
            block.findtext("p:CtrlSum", namespaces=NS),
            block.findtext("p:ReqdColltnDt", namespaces=NS),
            block.findtext("p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=NS),
            block.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
        )
        for block in blocks
    )
    assert summary == [
        ("B2B", "FRST", "1", "242.00", today.isoformat(), "ES46000B46123451", make.BANK_IBAN),
        ("CORE", "FRST", "2", "181.50", today.isoformat(), "ES46000B46123451", make.BANK_IBAN),
    ]
    transactions = root.findall(".//p:DrctDbtTxInf", namespaces=NS)
    assert sorted(tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", namespaces=NS) for tx in transactions) == [
        "NORTE-001", "TURIA-001", "TURIA-001",
    ]  # fmt: skip
    assert {tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS) for tx in transactions} == {
        line.end_to_end_id for line in lines
    }
    assert sepa.remittance_file(company, remittance.pk).count(b"<MsgId>") == 1

    # Posting: the dues paid, one payment each, one bank entry 572 / 4300 per party.
    posted = sepa.remittance_post(company=company, by=accountant, remittance_id=remittance.pk)
    assert posted.state == "posted" and posted.entry_id
    assert set(DueAmount.objects.values_list("state", flat=True)) == {"paid"}
    payments = list(Payment.objects.filter(remittance_line__remittance=remittance).order_by("pk"))
    assert [(p.method, p.amount, p.applied, p.entry_id) for p in payments] == [
        ("direct_debit", D("121.00"), D("121.00"), posted.entry_id),
        ("direct_debit", D("60.50"), D("60.50"), posted.entry_id),
        ("direct_debit", D("242.00"), D("242.00"), posted.entry_id),
    ]
    entry = Entry.objects.get(pk=posted.entry_id)
    assert entry.journal.code == "BAN" and entry.date == today
    assert sorted(
        (line.account.code, line.debit, line.credit, line.party_id)
        for line in EntryLine.objects.filter(entry=entry).select_related("account")
    ) == sorted([("572", D("423.50"), D("0"), None), ("4300", D("0"), D("181.50"), turia.pk),
                 ("4300", D("0"), D("242.00"), norte.pk)])  # fmt: skip
    assert Entry.objects.filter(origin_model="payments.remittance", origin_id=remittance.pk).count() == 1
    assert set(RemittanceLine.objects.values_list("state", flat=True)) == {"collected"}
    assert set(Mandate.objects.values_list("sequence_type", flat=True)) == {"RCUR"}
    balances_agree(company, turia, norte)
    assert make.balance_4300(company, turia) == 0
    with pytest.raises(Conflict, match="already posted"):
        sepa.remittance_post(company=company, by=accountant, remittance_id=remittance.pk)
    with pytest.raises(Conflict, match="posted"):
        sepa.remittance_cancel(company=company, by=accountant, remittance_id=remittance.pk)
    # One charge's payment shares the remittance's entry: only the bank's return of its line undoes it.
    with pytest.raises(Conflict, match="remittance"):
        payment_reverse(company=company, by=accountant, payment_id=payments[0].pk)
    assert Payment.objects.get(pk=payments[0].pk).state == "posted"

    # Turia's first line comes back: insufficient funds, 3.50 of charges.
    returned = sepa.remittance_return(
        company=company, by=accountant, line_id=lines[0].pk, reason="AM04", date=today, charges=D("3.50")
    )
    assert (returned.state, returned.return_reason, returned.returned_on) == ("returned", "AM04", today)
    due = DueAmount.objects.get(pk=turia_a.pk)
    assert (due.paid, due.state) == (D("0.00"), "returned")
    payment = Payment.objects.get(remittance_line=lines[0])
    assert (payment.state, payment.reversal_entry_id) == ("reversed", returned.return_entry_id)
    assert sorted(
        (line.account.code, line.debit, line.credit, line.party_id)
        for line in EntryLine.objects.filter(entry_id=returned.return_entry_id).select_related("account")
    ) == sorted([("4300", D("121.00"), D("0"), turia.pk), ("572", D("0"), D("121.00"), None),
                 ("626", D("3.50"), D("0"), None), ("572", D("0"), D("3.50"), None)])  # fmt: skip
    assert make.balance_4300(company, turia) == D("121.00")
    balances_agree(company, turia, norte)
    # Another collection of Turia went through before: its mandate stays RCUR, active (funds can come).
    turia_mandate = Mandate.objects.get(reference="TURIA-001")
    assert (turia_mandate.sequence_type, turia_mandate.active) == ("RCUR", True)
    with pytest.raises(Conflict, match="returned already"):
        sepa.remittance_return(company=company, by=accountant, line_id=lines[0].pk, reason="AM04", date=today)

    # Norte's only line comes back: no valid mandate. Its mandate is deactivated and FRST again.
    sepa.remittance_return(company=company, by=accountant, line_id=lines[2].pk, reason="MD01", date=today)
    norte_mandate = Mandate.objects.get(reference="NORTE-001")
    assert (norte_mandate.sequence_type, norte_mandate.active) == ("FRST", False)
    balances_agree(company, turia, norte)

    # The returned due amount is remitted again: RCUR, as Turia's mandate has been collected.
    until = turia_a.due_date
    assert [d.pk for d in sepa.remittance_candidates(company, charge_date_until=until)] == [turia_a.pk]
    again = sepa.remittance_create(
        company=company, by=accountant, bank_account_id=bank.pk, charge_date=today, due_ids=[turia_a.pk]
    )
    assert again.number == f"REM-{today.year}-0002"
    assert RemittanceLine.objects.get(remittance=again).sequence_type == "RCUR"
    root = _file_of(company, again)
    assert root.findtext(".//p:PmtInf/p:PmtTpInf/p:SeqTp", namespaces=NS) == "RCUR"
    sepa.remittance_cancel(company=company, by=accountant, remittance_id=again.pk)
    assert DueAmount.objects.get(pk=turia_a.pk).state == "returned"  # back to what it was
    balances_agree(company, turia, norte)


def test_a_return_refused_before_posting_with_a_bad_reason_or_a_date_before_the_charge(
    company, accountant, bank, turia, today
):
    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    remittance = sepa.remittance_create(
        company=company, by=accountant, bank_account_id=bank.pk, charge_date=today, due_ids=[due.pk]
    )
    line = RemittanceLine.objects.get(remittance=remittance)
    with pytest.raises(Conflict, match="not collected"):
        sepa.remittance_return(company=company, by=accountant, line_id=line.pk, reason="AM04", date=today)
    sepa.remittance_post(company=company, by=accountant, remittance_id=remittance.pk)
    for reason, day, charges, field in (
        ("XX99", today, D(0), "reason"),
        ("AM04", today - timedelta(days=1), D(0), "date"),
        ("AM04", today + timedelta(days=1), D(0), "date"),
        ("AM04", today, D("-1"), "charges"),
        ("AM04", today, D("1.234"), "charges"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            sepa.remittance_return(
                company=company, by=accountant, line_id=line.pk, reason=reason, date=day, charges=charges
            )
        assert refused.value.errors[0]["field"] == field
    assert RemittanceLine.objects.get(pk=line.pk).state == "collected"
    assert DueAmount.objects.get(pk=due.pk).state == "paid"


def test_a_first_collection_returned_sets_the_mandate_back_to_first(company, accountant, bank, turia, today):
    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    remittance = sepa.remittance_create(
        company=company, by=accountant, bank_account_id=bank.pk, charge_date=today, due_ids=[due.pk]
    )
    sepa.remittance_post(company=company, by=accountant, remittance_id=remittance.pk)
    assert Mandate.objects.get().sequence_type == "RCUR"
    line = RemittanceLine.objects.get(remittance=remittance)
    sepa.remittance_return(company=company, by=accountant, line_id=line.pk, reason="MS02", date=today)
    mandate = Mandate.objects.get()
    assert (mandate.sequence_type, mandate.active) == ("FRST", True)


def test_a_remittance_of_the_future_is_posted_on_its_charge_date(company, accountant, bank, turia, today):
    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    remittance = sepa.remittance_create(
        company=company, by=accountant, bank_account_id=bank.pk, charge_date=today + timedelta(days=5),
        due_ids=[due.pk],
    )  # fmt: skip
    with pytest.raises(Conflict, match="post it once the bank has charged it"):
        sepa.remittance_post(company=company, by=accountant, remittance_id=remittance.pk)
    assert DueAmount.objects.get(pk=due.pk).state == "remitted"


def test_another_companys_remittance_is_not_found(company, other_company, accountant, bank, turia, today):
    from nexo.core.errors import NotFound

    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    remittance = sepa.remittance_create(
        company=company, by=accountant, bank_account_id=bank.pk, charge_date=today, due_ids=[due.pk]
    )
    for call in (
        lambda: sepa.remittance_file(other_company, remittance.pk),
        lambda: sepa.remittance_post(company=other_company, by=accountant, remittance_id=remittance.pk),
        lambda: sepa.remittance_cancel(company=other_company, by=accountant, remittance_id=remittance.pk),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(ValidationFailed):  # neither the bank account nor the due amounts are the other's
        sepa.remittance_create(
            company=other_company, by=accountant, bank_account_id=bank.pk, charge_date=today, due_ids=[due.pk]
        )


def test_an_invalid_file_is_refused_with_the_schema_s_reason():
    with pytest.raises(ValidationFailed, match=r"does not validate against pain\.008\.001\.02"):
        sepa.pain008_validate(
            b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"/>'
        )


def test_sepa_rules_identifiers_and_creditor_ids():
    assert rules.creditor_id_valid("DE98ZZZ09999999999")  # the German test creditor id
    assert rules.creditor_id_valid("ES46000B46123451") and not rules.creditor_id_valid("ES47000B46123451")
    assert (
        rules.sepa_id_valid("A-1/2 (x)") and not rules.sepa_id_valid("A//B") and not rules.sepa_id_valid("Ñ")
    )
    assert rules.cents(D("1234.50")) == 123450
    assert rules.sequence_after_return("FRST", collected_before=False) == "FRST"
    assert rules.sequence_after_return("RCUR", collected_before=False) is None
