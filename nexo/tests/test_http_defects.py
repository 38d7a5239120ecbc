"""Defects found by probing the HTTP surface (issue 12): each answer is a clear 4xx or a 503, never a 500."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nexo.api import api as nexo_api
from nexo.core.api import PROBLEM_CONTENT_TYPE
from nexo.core.models import ApiToken
from nexo.core.services import token_authenticate, token_create
from nexo.crm.models import Activity
from nexo.parties.models import Party
from nexo.parties.services import party_create

LOCKED = OperationalError("database is locked")


@pytest.fixture
def party(company, sales_user):
    return party_create(company=company, by=sales_user, name="Reformas Turia, S.L.")


def fields_of(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def is_problem(response, status: int) -> bool:
    return response.status_code == status and response["Content-Type"] == PROBLEM_CONTENT_TYPE


# Instants: any offset an ISO 8601 text may carry is stored, in UTC (PostgreSQL refuses offsets past ±15:59).


@pytest.mark.parametrize(
    ("sent", "instant"),
    [
        ("2031-05-01T10:00:00+16:00", datetime(2031, 4, 30, 18, 0, tzinfo=UTC)),
        ("2031-05-01T10:00:00-23:59", datetime(2031, 5, 2, 9, 59, tzinfo=UTC)),
    ],
)
def test_an_instant_with_any_offset_is_stored_in_utc(api, party, sent, instant):
    response = api.post("/activities", {"subject": "Llamar", "party_id": party.pk, "due_at": sent})
    assert response.status_code == 201, response.content
    assert datetime.fromisoformat(response.json()["due_at"]) == instant
    assert Activity.objects.get().due_at == instant
    moved = api.patch(f"/activities/{response.json()['id']}", {"due_at": "2031-06-01T00:30:00+18:00"})
    assert moved.status_code == 200, moved.content
    assert Activity.objects.get().due_at == datetime(2031, 5, 31, 6, 30, tzinfo=UTC)


def test_an_instant_out_of_range_in_utc_is_bad_input(api, party):
    response = api.post(
        "/activities", {"subject": "X", "party_id": party.pk, "due_at": "0001-01-01T00:00:00+01:00"}
    )
    assert is_problem(response, 422) and fields_of(response) == {"due_at"}


# Bodies larger than DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_body_too_large_is_a_413_problem(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/activities", {"subject": "x" * 2000, "due_at": "2031-05-01T10:00:00Z"})
    assert is_problem(response, 413)
    assert response.json()["status"] == 413


# Control characters


@pytest.mark.parametrize("subject", ["Bad\u0003name", "Bad\x1bname", "Bad\x0bname", "Bad\x00name"])
def test_control_characters_are_refused_in_the_api(api, party, subject):
    response = api.post(
        "/activities", {"subject": subject, "party_id": party.pk, "due_at": "2031-05-01T10:00:00Z"}
    )
    assert is_problem(response, 422) and fields_of(response) == {"subject"}
    assert not Activity.objects.exists()


def test_tabs_and_line_breaks_are_text(api, party):
    response = api.post(
        "/activities",
        {"subject": "Llamar", "party_id": party.pk, "due_at": "2031-05-01T10:00:00Z", "outcome": "a\tb\r\nc"},
    )
    assert response.status_code == 201, response.content
    assert Activity.objects.get().outcome == "a\tb\r\nc"


# The contract says what the server does


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_the_openapi_document_declares_problem_json_for_errors():
    document = nexo_api.get_openapi_schema()
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert set(response.get("content", {})) == {PROBLEM_CONTENT_TYPE}, (path, method, status)
        assert {"401", "413", "503"} <= {str(status) for status in operation["responses"]}, (path, method)


def test_the_openapi_document_served_declares_problem_json(api):
    document = api.client.get("/api/v1/openapi.json").json()
    errors = document["paths"]["/api/v1/activities"]["post"]["responses"]["422"]["content"]
    assert list(errors) == [PROBLEM_CONTENT_TYPE]


# Authentication: an unsafe request without valid credentials is a 401, not a CSRF failure


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nexo_not-a-token"}, {"Authorization": "Basic eA=="}]
)
@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_an_unsafe_request_without_valid_credentials_is_a_401(db, method, headers):
    client = Client(enforce_csrf_checks=True)
    path = "/api/v1/activities" if method == "post" else "/api/v1/activities/1"
    response = getattr(client, method)(path, data="{}", content_type="application/json", headers=headers)
    assert is_problem(response, 401), response.content


def test_a_signed_in_session_still_needs_the_csrf_token(sales_client, party):
    sales_client.handler.enforce_csrf_checks = True
    response = sales_client.post(
        "/api/v1/activities",
        data={"subject": "X", "party_id": party.pk, "due_at": "2031-05-01T10:00:00Z"},
        content_type="application/json",
    )
    assert is_problem(response, 403)
    assert not Activity.objects.exists()


def test_unknown_api_paths_and_methods_answer_problem_json(api):
    missing = api.get("/no-such-thing")
    assert is_problem(missing, 404) and missing.json()["status"] == 404
    assert is_problem(api.client.get("/api/v2/activities"), 404)
    wrong_method = api.call("put", "/activities", {})
    assert is_problem(wrong_method, 405)
    assert "GET" in wrong_method["Allow"] and "POST" in wrong_method["Allow"]


def test_unknown_pages_stay_html(sales_client):
    response = sales_client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


# Headers


def test_every_page_has_a_content_security_policy(sales_client):
    for response in (Client().get("/login/"), sales_client.get("/"), sales_client.get("/api/v1/docs")):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_signed_in_pages_are_not_stored(sales_client, api):
    page = sales_client.get("/")
    assert page.status_code == 200
    assert {"private", "no-store"} <= {part.strip() for part in page["Cache-Control"].split(",")}
    answer = api.get("/me")
    assert "no-store" in answer["Cache-Control"]


def test_no_page_template_has_inline_scripts():
    from pathlib import Path

    import nexo

    root = Path(nexo.__file__).parent
    for template in root.glob("*/templates/**/*.html"):
        text = template.read_text()
        for tag in text.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert "src=" in opening or "application/json" in opening, template
        for handler in ("onclick=", "onchange=", "onsubmit=", "onload=", "oninput=", "onkeydown="):
            assert handler not in text, (template, handler)


# A busy database (SQLite's lock) answers 503 with Retry-After


def _locked(*args, **kwargs):
    raise LOCKED


def test_a_locked_database_is_a_503_in_the_api(api, monkeypatch):
    monkeypatch.setattr("nexo.core.api.companies_of", _locked)
    response = api.get("/me")
    assert is_problem(response, 503)
    assert int(response["Retry-After"]) > 0


def test_a_locked_database_is_a_503_on_a_page(sales_client, monkeypatch):
    monkeypatch.setattr("nexo.core.views.panels", _locked)
    sales_client.raise_request_exception = False
    response = sales_client.get("/")
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert response["Content-Type"].startswith("text/html")


def test_a_database_locked_in_a_middleware_is_a_503(sales_client, monkeypatch):
    monkeypatch.setattr("nexo.core.middleware.resolve_company", _locked)
    sales_client.raise_request_exception = False
    response = sales_client.get("/")
    assert response.status_code == 503 and int(response["Retry-After"]) > 0


def test_other_database_errors_stay_500(sales_client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: x")

    monkeypatch.setattr("nexo.core.views.panels", broken)
    sales_client.raise_request_exception = False
    assert sales_client.get("/").status_code == 500


# Reading with a bearer token does not write


def test_reading_with_a_token_writes_at_most_once_an_hour(sales_user):
    token, raw = token_create(user=sales_user, name="sync")
    assert token_authenticate(raw) == sales_user
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first_use is not None
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert token_authenticate(raw) == sales_user
    assert not [query for query in queries if query["sql"].lstrip().upper().startswith("UPDATE")]
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(hours=2))
    token_authenticate(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first_use


def test_problem_bodies_are_json(api):
    body = json.loads(api.get("/no-such-thing").content)
    assert body["title"] and body["detail"]


def test_control_characters_are_a_form_error_on_pages(sales_client):
    response = sales_client.post(
        "/parties/new/", {"kind": "organisation", "name": "Bad\u0003name", "country": "ES"}
    )
    assert response.status_code in (200, 422)
    assert "name" in response.context["form"].errors
    assert not Party.objects.filter(name__startswith="Bad").exists()


def test_every_text_field_of_a_page_form_refuses_control_characters():
    from nexo.crm.forms import LeadForm
    from nexo.sales.forms import RejectForm

    form = LeadForm(data={"name": "Reformas\x1b", "need": "a\tb\r\nc"})
    form.is_valid()
    assert "name" in form.errors and "need" not in form.errors
    assert "reason" in RejectForm(data={"reason": "\x07"}).errors


# Currencies: ISO 4217 codes only


@pytest.fixture
def buyer_api(make_user, api_as):
    return api_as(make_user("compras", "purchasing"))


@pytest.mark.parametrize("code", ["ZZZ", "ABC", "XXX"])
def test_a_currency_that_is_not_iso_4217_is_refused(buyer_api, code):
    response = buyer_api.post("/exchange-rates", {"currency": code, "date": "2026-01-01", "rate": "0.92"})
    assert is_problem(response, 422) and fields_of(response) == {"currency"}
    assert code in response.json()["detail"]


def test_an_iso_4217_currency_is_accepted(buyer_api):
    response = buyer_api.post("/exchange-rates", {"currency": "USD", "date": "2026-01-01", "rate": "0.92"})
    assert response.status_code == 201, response.content
    assert response.json()["currency"] == "USD"


def test_a_company_currency_must_be_iso_4217(db):
    from nexo.core.errors import ValidationFailed
    from nexo.core.services import company_create

    with pytest.raises(ValidationFailed) as refused:
        company_create(name="Zeta, S.L.", tax_id="B00000000", currency="ZZZ")
    assert refused.value.field_messages().keys() == {"currency"}
    assert company_create(name="Zeta, S.L.", tax_id="B00000000", currency="gbp").currency == "GBP"


# Schemas: what the pattern lets through, the server takes; what a PATCH declares nullable, it accepts


@pytest.mark.parametrize("rate", ["0", "0.0", "0.00000000"])
def test_a_zero_rate_does_not_match_the_schema_and_is_refused(buyer_api, rate):
    import re

    document = nexo_api.get_openapi_schema()
    pattern = document["components"]["schemas"]["ExchangeRateIn"]["properties"]["rate"]["pattern"]
    assert not re.fullmatch(pattern, rate)
    assert re.fullmatch(pattern, "0.00000001") and re.fullmatch(pattern, "9999999999.99999999")
    response = buyer_api.post("/exchange-rates", {"currency": "USD", "date": "2026-01-01", "rate": rate})
    assert is_problem(response, 422) and fields_of(response) == {"rate"}


def _nullable(schema: dict) -> bool:
    return schema.get("nullable") or any(option.get("type") == "null" for option in schema.get("anyOf", []))


def test_patch_fields_declared_nullable_accept_null(api, party):
    document = nexo_api.get_openapi_schema()
    schemas = document["components"]["schemas"]
    party_patch = schemas["PartyPatch"]["properties"]
    assert not any(_nullable(field) for field in party_patch.values())
    response = api.patch(f"/parties/{party.pk}", {"name": None})
    assert is_problem(response, 422) and fields_of(response) == {"name"}
    for name, schema in schemas.items():
        if name.endswith("Patch"):
            for field, declared in schema["properties"].items():
                if _nullable(declared):
                    assert field.endswith("_id") or field in NULL_MEANS_SOMETHING, (name, field)


# Fields whose null has a meaning the service implements (no date limit, no hand price, no rounding…).
NULL_MEANS_SOMETHING = {
    "standard_cost",
    "date_from",
    "date_to",
    "valid_from",
    "valid_to",
    "expected_date",
    "rounding",
    "unit_price",
    "vat_exemption",
    "received_date",
}
