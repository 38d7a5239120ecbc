"""The AEAT client against the fake AEAT on 127.0.0.1: each way a request can end is classified by whether
sending the same records again is safe and useful, and the request and answer come back exactly as they
went; the request is valid against the AEAT's SuministroLR.xsd, and the fake's answers against
RespuestaSuministro.xsd."""

import httpx
import pytest
from django_verifactu.aeat.codes import RecordStatus, SubmissionStatus
from django_verifactu.aeat.schemas import schema_violations
from django_verifactu.aeat.submission import build_submission
from lxml import etree

from nexo.compliance import aeat_client
from nexo.compliance.aeat_client import Delivery
from nexo.compliance.certificates import load
from nexo.compliance.tests.fake_aeat import FakeAeat, answer_element, closed_port
from nexo.compliance.tests.submission_fixtures import *  # noqa: F403 (the fixtures)
from nexo.compliance.tests.submission_fixtures import CERTIFICATE_PASSWORD, certificate_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(post_invoices):
    return post_invoices(3)


def submission_of(records):
    return build_submission(
        taxpayer_tax_id="B46123451", taxpayer_name="Suministros Prueba, S.L.",
        records=[etree.fromstring(record.xml.encode()) for record in records],
    )  # fmt: skip


def send(fake, records, **options):
    return aeat_client.send(submission_of(records), endpoint=fake.url, certificate=None, **options)


def test_an_accepted_submission_answers_each_record_correct_with_a_csv_and_the_time_to_wait(records):
    with FakeAeat("accepted") as fake:
        exchange = send(fake, records)
    assert exchange.delivery == Delivery.ANSWERED and not exchange.retryable
    assert exchange.http_status == 200
    result = exchange.result
    assert result.status == SubmissionStatus.ACCEPTED and result.csv and result.wait_seconds == 60
    assert [(line.invoice_number, line.status) for line in result.records] == [
        (record.invoice_number, RecordStatus.ACCEPTED) for record in records
    ]
    assert exchange.response == fake.responses[0]


def test_the_request_is_a_soap_envelope_valid_against_the_aeat_schema_carrying_the_records_as_hashed(records):
    with FakeAeat("accepted") as fake:
        exchange = send(fake, records)
    received = fake.received[0]
    assert received.violations == []
    assert received.body == exchange.request
    assert received.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert [number for _operation, number, _day in received.records] == [r.invoice_number for r in records]
    # Each record goes exactly as it was hashed: its Huella is the one stored.
    for record in records:
        assert f"<sum1:Huella>{record.hash}</sum1:Huella>" in exchange.request.decode()


def test_a_request_breaking_the_schema_is_caught_by_the_fake(records):
    broken = submission_of(records)
    broken.find(".//{*}NombreRazon").text = ""  # the AEAT refuses a blank name
    with FakeAeat("accepted") as fake:
        exchange = aeat_client.send(broken, endpoint=fake.url, certificate=None)
    assert fake.received[0].violations
    assert exchange.delivery == Delivery.REFUSED


@pytest.mark.parametrize("mode", ["accepted", "rejected", "accepted_with_errors", "duplicate"])
def test_the_fakes_answers_are_valid_against_the_aeat_response_schema(records, mode):
    fake = FakeAeat(mode)
    try:
        submission = submission_of(records)
        keys = [("Alta", record.invoice_number, record.issue_date.strftime("%d-%m-%Y")) for record in records]
        answer = answer_element(fake, submission, keys, mode)
    finally:
        fake.stop()
    assert schema_violations(answer, "RespuestaSuministro") == []


def test_a_partly_rejected_submission_names_the_record_its_code_and_text(records):
    with FakeAeat("rejected") as fake:
        exchange = send(fake, records)
    result = exchange.result
    assert exchange.delivery == Delivery.ANSWERED
    assert result.status == SubmissionStatus.PARTIALLY_ACCEPTED
    first, *rest = result.records
    assert (first.status, first.error_code) == (RecordStatus.REJECTED, 1100)
    assert "NombreRazon" in first.error_description
    assert {line.status for line in rest} == {RecordStatus.ACCEPTED}


def test_a_request_refused_as_a_whole_is_not_worth_sending_again(records):
    with FakeAeat("client_fault") as fake:
        exchange = send(fake, records)
    assert exchange.delivery == Delivery.REFUSED and not exchange.retryable
    assert (exchange.http_status, exchange.error_code) == (500, 4102)
    assert "no cumple con el esquema" in exchange.error
    assert b"faultstring" in exchange.response


@pytest.mark.parametrize(
    "mode, delivery, status",
    [
        ("server_fault", Delivery.SERVER_FAULT, 500),
        ("error", Delivery.UNKNOWN, 500),
        ("busy", Delivery.NOT_DELIVERED, 429),
    ],
)
def test_a_failing_or_busy_aeat_is_tried_again(records, mode, delivery, status):
    with FakeAeat(mode) as fake:
        exchange = send(fake, records)
    assert exchange.delivery == delivery and exchange.retryable
    assert exchange.http_status == status and exchange.response and exchange.error


def test_an_answer_that_never_comes_leaves_the_outcome_unknown_and_worth_trying_again(records):
    with FakeAeat("slow") as fake:
        fake.delay = 2
        exchange = send(fake, records, timeout=httpx.Timeout(0.5, connect=5))
    assert exchange.delivery == Delivery.UNKNOWN and exchange.retryable
    assert (exchange.response, exchange.http_status) == (b"", None)
    assert len(fake.received) == 1  # it did arrive: the AEAT may hold the records already


def test_a_connection_closed_without_an_answer_leaves_the_outcome_unknown(records):
    with FakeAeat("drop") as fake:
        exchange = send(fake, records)
    assert exchange.delivery == Delivery.UNKNOWN and "lost" in exchange.error


def test_an_unreachable_aeat_is_not_delivered_and_the_request_is_kept(records):
    endpoint = f"http://127.0.0.1:{closed_port()}/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP"
    exchange = aeat_client.send(submission_of(records), endpoint=endpoint, certificate=None)
    assert exchange.delivery == Delivery.NOT_DELIVERED and exchange.retryable
    assert "could not be reached" in exchange.error
    assert exchange.request.startswith(b"<?xml") and (exchange.response, exchange.http_status) == (b"", None)


def test_an_https_endpoint_speaks_tls_with_the_certificate_and_a_plain_server_cannot_answer_it(records):
    certificate = load(certificate_file(), CERTIFICATE_PASSWORD)
    with FakeAeat("accepted") as fake:
        endpoint = fake.url.replace("http://", "https://")
        exchange = aeat_client.send(submission_of(records), endpoint=endpoint, certificate=certificate)
        assert fake.received == []  # the TLS handshake failed before any request
    assert exchange.delivery == Delivery.NOT_DELIVERED


def test_an_https_endpoint_without_a_certificate_sends_nothing(records):
    with FakeAeat("accepted") as fake:
        exchange = aeat_client.send(
            submission_of(records), endpoint=fake.url.replace("http://", "https://"), certificate=None
        )
        assert fake.received == []
    assert exchange.delivery == Delivery.NOT_DELIVERED and "certificate" in exchange.error


def test_without_a_configured_endpoint_the_aeat_host_of_the_companys_environment_is_used(settings):
    settings.NEXO_AEAT_ENDPOINT = ""
    path = "/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP"
    assert aeat_client.endpoint_for("test") == f"https://prewww1.aeat.es{path}"
    assert aeat_client.endpoint_for("production") == f"https://www1.agenciatributaria.gob.es{path}"
    settings.NEXO_AEAT_ENDPOINT = "https://proxy.example/aeat"
    assert aeat_client.endpoint_for("production") == "https://proxy.example/aeat"
