"""The SEPA API: mandates refused with the field named, remittances created, read, downloaded as a valid
pain.008, posted, a line returned; refusals as problem+json that change nothing; another company's ids are
404; reads run a constant number of queries whatever the lines."""

from datetime import timedelta

import pytest
import xmlschema
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nexo.conftest import ApiClient
from nexo.payments.models import DueAmount, Mandate, Remittance
from nexo.payments.services import sepa
from nexo.payments.tests import factories_sepa as make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    """Messages are asserted in English."""


@pytest.fixture
def accountant(make_user, company):
    return make_user("contable", "accounting")


@pytest.fixture
def client(accountant):
    return ApiClient(accountant)


@pytest.fixture
def bank(company):
    return make.bank_account(company)


@pytest.fixture
def turia(company, accountant):
    return make.customer(company, accountant, "Reformas Turia, S.L.", "B46000014")


@pytest.fixture
def norte(company, accountant):
    return make.customer(company, accountant, "Estudio Norte, S.L.P.", "B46000022")


MANDATE = {"reference": "TURIA-001", "iban": "ES02 2100 0418 4101 2345 6789", "signed_on": "2025-01-15"}


def test_a_mandate_is_created_read_listed_and_changed(client, turia):
    created = client.post("/payments/mandates", {**MANDATE, "party_id": turia.pk})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["iban"], body["sequence_type"], body["party_name"], body["scheme"]) == (
        "ES0221000418410123456789", "FRST", "Reformas Turia, S.L.", "CORE",
    )  # fmt: skip
    changed = client.patch(f"/payments/mandates/{body['id']}", {"active": False, "scheme": "B2B"})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["active"], changed.json()["scheme"], changed.json()["reference"]) == (
        False,
        "B2B",
        "TURIA-001",
    )
    listed = client.get("/payments/mandates", active="false").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    assert client.get("/payments/mandates", q="nothing").json()["count"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"iban": "ES02 2100 0418 4101 2345 6780"}, "iban"),
        ({"bic": "XX"}, "bic"),
        ({"signed_on": None}, "signed_on"),
        ({"reference": "ÑOÑO"}, "reference"),
    ],
)
def test_a_bad_mandate_is_a_422_naming_the_field(client, turia, change, field):
    answer = client.post("/payments/mandates", {**MANDATE, "party_id": turia.pk, **change})
    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in answer.json()["errors"]]
    assert not Mandate.objects.exists()


def test_a_duplicate_reference_and_another_companys_party_are_refused(client, turia, other_company):
    from nexo.parties.models import Party

    assert client.post("/payments/mandates", {**MANDATE, "party_id": turia.pk}).status_code == 201
    again = client.post("/payments/mandates", {**MANDATE, "party_id": turia.pk})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "reference"
    stranger = Party.objects.create(company=other_company, name="Ajena", status="customer")
    answer = client.post("/payments/mandates", {**MANDATE, "reference": "X-1", "party_id": stranger.pk})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "party_id"


def test_a_remittance_without_mandate_is_a_422_that_creates_nothing(
    client, company, accountant, bank, turia, norte
):
    make.mandate(company, accountant, turia, "TURIA-001")
    dues = [make.due_of(make.posted_invoice(company, accountant, party)) for party in (turia, norte)]
    answer = client.post(
        "/payments/remittances",
        {
            "bank_account_id": bank.pk,
            "charge_date": timezone.localdate().isoformat(),
            "due_ids": [d.pk for d in dues],
        },
    )
    assert answer.status_code == 422, answer.content
    assert "Estudio Norte" in answer.json()["detail"]
    assert answer.json()["errors"][0]["field"] == "due_ids"
    assert not Remittance.objects.exists()
    assert set(DueAmount.objects.values_list("state", flat=True)) == {"open"}


def test_the_remittance_story_through_the_api(
    client, company, accountant, bank, turia, norte, other_company, make_user
):
    make.mandate(company, accountant, turia, "TURIA-001")
    make.mandate(company, accountant, norte, "NORTE-001", iban=make.IBANS[1])
    dues = [make.due_of(make.posted_invoice(company, accountant, party)) for party in (turia, norte)]
    today = timezone.localdate()
    candidates = client.get("/payments/remittance-candidates", charge_date_until=dues[0].due_date.isoformat())
    assert [item["id"] for item in candidates.json()["items"]] == [dues[1].pk, dues[0].pk]  # by customer name
    created = client.post(
        "/payments/remittances",
        {"bank_account_id": bank.pk, "charge_date": today.isoformat(), "due_ids": [d.pk for d in dues]},
        headers={"Idempotency-Key": "rem-1"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["total"], body["line_count"], len(body["lines"])) == ("draft", "242.00", 2, 2)
    replay = client.post(
        "/payments/remittances",
        {"bank_account_id": bank.pk, "charge_date": today.isoformat(), "due_ids": [d.pk for d in dues]},
        headers={"Idempotency-Key": "rem-1"},
    )
    assert replay.json()["id"] == body["id"] and Remittance.objects.count() == 1

    document = client.get(f"/payments/remittances/{body['id']}/file")
    assert document.status_code == 200 and document["Content-Type"] == "application/xml"
    assert f'filename="{body["number"]}.xml"' in document["Content-Disposition"]
    xmlschema.XMLSchema(str(sepa.SCHEMA_FILE)).validate(document.content.decode())
    assert b"<CtrlSum>242.00</CtrlSum>" in document.content

    posted = client.post(f"/payments/remittances/{body['id']}/post")
    assert posted.status_code == 200, posted.content
    assert posted.json()["state"] == "posted" and posted.json()["entry_id"]
    assert {line["state"] for line in posted.json()["lines"]} == {"collected"}
    assert client.post(f"/payments/remittances/{body['id']}/post").status_code == 409
    assert client.post(f"/payments/remittances/{body['id']}/cancel").status_code == 409

    line_id = posted.json()["lines"][0]["id"]
    returned = client.post(
        f"/payments/remittance-lines/{line_id}/return",
        {"reason": "AM04", "date": today.isoformat(), "charges": "2.00"},
    )
    assert returned.status_code == 200, returned.content
    assert (returned.json()["state"], returned.json()["return_reason"]) == ("returned", "AM04")
    again = client.post(
        f"/payments/remittance-lines/{line_id}/return", {"reason": "AM04", "date": today.isoformat()}
    )
    assert again.status_code == 409
    bad = client.post(
        f"/payments/remittance-lines/{posted.json()['lines'][1]['id']}/return",
        {"reason": "ZZ01", "date": today.isoformat()},
    )
    assert bad.status_code == 422

    # Another company's user sees none of it.
    outsider = ApiClient(make_user("ajeno", "accounting", companies=[other_company]))
    for path in (f"/payments/remittances/{body['id']}", f"/payments/remittances/{body['id']}/file"):
        assert outsider.get(path).status_code == 404
    assert outsider.post(f"/payments/remittances/{body['id']}/cancel").status_code == 404
    assert (
        outsider.post(
            f"/payments/remittance-lines/{line_id}/return", {"reason": "AM04", "date": today.isoformat()}
        ).status_code
        == 404
    )
    assert outsider.get("/payments/remittances").json()["count"] == 0


def test_a_charge_date_in_the_past_and_a_sales_user_are_refused(
    client, company, accountant, bank, turia, api
):
    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    answer = client.post(
        "/payments/remittances", {"bank_account_id": bank.pk, "charge_date": past, "due_ids": [due.pk]}
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "charge_date"
    assert api.get("/payments/remittances").status_code == 403  # the sales role cannot see remittances


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = call()
    assert answer.status_code == 200, answer.content
    return len(captured)


def test_reads_run_a_constant_number_of_queries(client, company, accountant, bank, turia, norte):
    make.mandate(company, accountant, turia, "TURIA-001")
    make.mandate(company, accountant, norte, "NORTE-001", iban=make.IBANS[1])
    today = timezone.localdate()

    def remit(parties):
        dues = [make.due_of(make.posted_invoice(company, accountant, party)) for party in parties]
        return sepa.remittance_create(
            company=company,
            by=accountant,
            bank_account_id=bank.pk,
            charge_date=today,
            due_ids=[d.pk for d in dues],
        )

    small = remit([turia])
    large = remit([turia, norte, turia, norte])
    sepa.remittance_post(company=company, by=accountant, remittance_id=large.pk)
    client.get("/payments/remittances")  # warm what the first request reads once (content types, schema)
    for path in ("/payments/remittances/{}", "/payments/remittances/{}/file"):
        assert _queries(lambda p=path: client.get(p.format(small.pk))) == _queries(
            lambda p=path: client.get(p.format(large.pk))
        )
    one = _queries(lambda: client.get("/payments/remittances"))
    remit([norte])
    assert _queries(lambda: client.get("/payments/remittances")) == one
    listed = _queries(lambda: client.get("/payments/mandates"))
    make.mandate(company, accountant, norte, "NORTE-002", iban=make.IBANS[2])
    assert _queries(lambda: client.get("/payments/mandates")) == listed
