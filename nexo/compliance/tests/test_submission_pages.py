"""The AEAT submission pages and API: the list with each submission's counts and what is waiting, one
submission with each record's answer and the request and answer as they went and came (downloadable), and
"Send now" (offered only when sending can work; refused with the reason when sending is off, without a
certificate, or with nothing to send; a failed submission brought forward). A sales user gets 403, a user who may only look cannot send, another
company's submission is 404; each page and endpoint runs a bounded number of queries."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from django_tasks import default_task_backend

from nexo.compliance import tasks
from nexo.compliance.models import Submission
from nexo.compliance.services.settings import certificate_remove, settings_update
from nexo.compliance.services.submission import records_submit
from nexo.compliance.tests.submission_fixtures import *  # noqa: F403 (the fixtures)
from nexo.conftest import ApiClient
from nexo.core.models import Membership

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def kept_tasks(settings):
    """Queued tasks are kept, not run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """What runs once a request's transaction commits (the task's queuing) runs, as it would for real."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def english_accountant(accountant):
    """The accountant reads English: the messages are asserted in English."""
    accountant.language = "en"
    accountant.save(update_fields=["language"])


@pytest.fixture
def page_client(accountant):
    client = Client()
    client.force_login(accountant)
    return client


@pytest.fixture
def sent(sending_company, fake_aeat, post_invoices):
    """Three records sent, the first rejected by the AEAT (1100), then a fourth one waiting."""
    fake_aeat.mode = "rejected"
    records = post_invoices(3)
    submission = records_submit(company=sending_company).submission
    post_invoices(1)
    return submission, records


@pytest.fixture
def api_accountant(accountant):
    return ApiClient(accountant)


def queued_runs(kept_tasks):
    return [
        result.kwargs
        for result in kept_tasks.results
        if result.task.module_path == tasks.submit_records.module_path
    ]


def test_the_list_shows_each_submission_its_counts_and_the_records_waiting(
    page_client, sent, django_assert_max_num_queries
):
    submission, _records = sent
    with django_assert_max_num_queries(14):
        answer = page_client.get("/compliance/submissions/")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert f'href="/compliance/submissions/{submission.pk}/"' in html
    assert 'data-state="partial"' in html
    assert 'data-unsent="1"' in html and 'id="send-now"' in html
    filtered = page_client.get("/compliance/submissions/", {"state": "accepted"}).content.decode()
    assert f"/compliance/submissions/{submission.pk}/" not in filtered


def test_the_list_searches_by_invoice_number(page_client, sent):
    submission, records = sent
    found = page_client.get("/compliance/submissions/", {"q": records[1].invoice_number}).content.decode()
    assert f"/compliance/submissions/{submission.pk}/" in found
    missing = page_client.get("/compliance/submissions/", {"q": "X-9999"}).content.decode()
    assert f"/compliance/submissions/{submission.pk}/" not in missing


def test_a_submission_shows_each_records_answer_and_the_exchange_as_it_went(
    page_client, sent, fake_aeat, django_assert_max_num_queries
):
    submission, records = sent
    with django_assert_max_num_queries(12):
        answer = page_client.get(f"/compliance/submissions/{submission.pk}/")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert f'id="record-{records[0].pk}" data-outcome="rejected"' in html
    assert f'id="record-{records[1].pk}" data-outcome="accepted"' in html
    assert "1100" in html and "NombreRazon" in html
    assert 'id="submission-request"' in html and "RegFactuSistemaFacturacion" in html
    assert 'id="submission-response"' in html and "ParcialmenteCorrecto" in html
    request = page_client.get(f"/compliance/submissions/{submission.pk}/request/")
    assert request["Content-Type"].startswith("application/xml")
    assert "attachment" in request["Content-Disposition"]
    assert request.content == fake_aeat.received[0].body
    response = page_client.get(f"/compliance/submissions/{submission.pk}/response/")
    assert response.content == fake_aeat.responses[0]


def test_a_failed_submission_shows_its_error_and_next_attempt_and_can_be_tried_again_now(
    page_client, sending_company, fake_aeat, post_invoices, kept_tasks, committing
):
    post_invoices(1)
    fake_aeat.mode = "error"
    submission = records_submit(company=sending_company).submission
    html = page_client.get(f"/compliance/submissions/{submission.pk}/").content.decode()
    assert 'data-state="failed"' in html and 'id="submission-next-attempt"' in html
    assert "Internal Server Error" in html and 'id="send-now"' in html
    with committing():
        answer = page_client.post("/compliance/submissions/send/")
    assert answer.status_code == 302
    assert Submission.objects.get(pk=submission.pk).next_attempt_at <= timezone.now()
    assert queued_runs(kept_tasks) == [{"company_id": sending_company.pk}]


def test_send_now_queues_the_task_for_the_records_waiting(
    page_client, sent, kept_tasks, sending_company, committing
):
    submission, _records = sent
    Submission.objects.filter(pk=submission.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    with committing():
        answer = page_client.post("/compliance/submissions/send/", follow=True)
    assert "1 record is being sent to the AEAT." in answer.content.decode()
    assert queued_runs(kept_tasks) == [{"company_id": sending_company.pk}]


def test_send_now_within_the_aeats_waiting_time_says_when_they_will_go(
    page_client, sent, kept_tasks, committing
):
    submission, _records = sent
    with committing():
        answer = page_client.post("/compliance/submissions/send/", follow=True)
    assert "will be sent at" in answer.content.decode()
    (queued,) = kept_tasks.results
    assert queued.task.run_after == submission.sent_at + timedelta(seconds=60)


def test_send_now_is_refused_with_the_reason_when_sending_is_off_or_without_certificate(
    page_client, sent, accountant, sending_company, kept_tasks
):
    settings_update(company=sending_company, by=accountant, submission_enabled=False)
    answer = page_client.post("/compliance/submissions/send/", follow=True)
    html = answer.content.decode()
    assert "Sending the records to the AEAT is off" in html
    assert 'id="send-now"' not in html  # not offered while it cannot work
    settings_update(company=sending_company, by=accountant, submission_enabled=True)
    certificate_remove(company=sending_company, by=accountant)
    answer = page_client.post("/compliance/submissions/send/", follow=True)
    html = answer.content.decode()
    assert "no certificate" in html and 'id="send-now"' not in html
    assert kept_tasks.results == []


def test_a_sales_user_cannot_see_the_submissions_and_a_viewer_cannot_send(
    sales_client, sales_user, sent, kept_tasks
):
    submission, _records = sent
    assert sales_client.get("/compliance/submissions/").status_code == 403
    assert sales_client.get(f"/compliance/submissions/{submission.pk}/").status_code == 403
    sales_user.user_permissions.add(Permission.objects.get(codename="view_submission"))
    viewer = Client()
    viewer.force_login(sales_user)
    html = viewer.get("/compliance/submissions/").content.decode()
    assert 'id="send-now"' not in html
    assert viewer.post("/compliance/submissions/send/").status_code == 403
    assert kept_tasks.results == []


def test_another_companys_submission_is_not_found(page_client, sent, other_company, accountant):
    submission, _records = sent
    Submission.objects.filter(pk=submission.pk).update(company=other_company)
    assert page_client.get(f"/compliance/submissions/{submission.pk}/").status_code == 404
    assert page_client.get(f"/compliance/submissions/{submission.pk}/request/").status_code == 404


# API


def test_the_api_lists_and_reads_submissions(api_accountant, sent, fake_aeat, django_assert_max_num_queries):
    submission, records = sent
    with django_assert_max_num_queries(10):
        listed = api_accountant.get("/compliance/submissions")
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert (item["id"], item["state"], item["record_count"], item["accepted_count"], item["rejected_count"]) == (
        submission.pk, "partial", 3, 2, 1,
    )  # fmt: skip
    assert api_accountant.get("/compliance/submissions", state="failed").json()["count"] == 0
    with django_assert_max_num_queries(10):
        read = api_accountant.get(f"/compliance/submissions/{submission.pk}")
    detail = read.json()
    assert [(row["invoice_number"], row["outcome"], row["error_code"]) for row in detail["records"]] == [
        (records[0].invoice_number, "rejected", 1100),
        (records[1].invoice_number, "accepted", None),
        (records[2].invoice_number, "accepted", None),
    ]
    assert detail["request"].encode() == fake_aeat.received[0].body
    assert detail["response"].encode() == fake_aeat.responses[0]
    assert (detail["http_status"], detail["wait_seconds"]) == (200, 60)


def test_the_api_sends_now_with_202_and_says_when(
    api_accountant, sent, kept_tasks, sending_company, committing
):
    with committing():
        answer = api_accountant.post("/compliance/submissions")
    assert answer.status_code == 202
    body = answer.json()
    assert body["pending"] == 1 and body["not_before"] is not None
    assert queued_runs(kept_tasks) == [{"company_id": sending_company.pk}]


def test_the_api_refuses_to_send_with_409_when_sending_is_off_without_certificate_or_with_nothing_left(
    api_accountant, company, accountant, fake_aeat, post_invoices, kept_tasks
):
    answer = api_accountant.post("/compliance/submissions", headers=ENGLISH)
    assert (answer.status_code, answer["Content-Type"]) == (409, PROBLEM)
    assert "off" in answer.json()["detail"]
    settings_update(company=company, by=accountant, submission_enabled=True)
    answer = api_accountant.post("/compliance/submissions", headers=ENGLISH)
    assert answer.status_code == 409 and "certificate" in answer.json()["detail"]
    from nexo.compliance.services.settings import certificate_store
    from nexo.compliance.tests.submission_fixtures import CERTIFICATE_PASSWORD, certificate_file

    certificate_store(company=company, by=accountant, data=certificate_file(), password=CERTIFICATE_PASSWORD)
    answer = api_accountant.post("/compliance/submissions", headers=ENGLISH)
    assert answer.status_code == 409 and "Nothing to send" in answer.json()["detail"]
    assert kept_tasks.results == []


def test_the_api_hides_submissions_from_a_sales_user_and_another_companys(
    api_accountant, sent, sales_user, other_company, accountant
):
    submission, _records = sent
    sales = ApiClient(sales_user)
    assert sales.get("/compliance/submissions").status_code == 403
    assert sales.post("/compliance/submissions").status_code == 403
    Membership.objects.create(user=accountant, company=other_company)
    other = ApiClient(accountant, other_company)
    assert other.get(f"/compliance/submissions/{submission.pk}").status_code == 404
    assert other.get("/compliance/submissions").json()["count"] == 0
