"""A customer's DIR3 codes for Facturae: the service (codes, the three centres together, another company's
party), the table's own guard, the panel and the form page on the party's page, and the API."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexo.compliance.models import PartyEInvoicing
from nexo.compliance.services.einvoicing import party_einvoicing_save
from nexo.conftest import ApiClient
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.models import AuditEntry
from nexo.invoicing.services import settings_of

CODES = {"accounting_office": "L01462508", "managing_body": "L01462508", "processing_unit": "LA0007435"}
CENTRES_TOGETHER = (
    "Give the accounting office, the managing body and the processing unit together, or none of them."
)
BAD_CODE = "A DIR3 code is 1 to 10 letters and digits, e.g. L01462508."


@pytest.fixture
def accountant(make_user, company):
    """An accountant who reads English: the pages' and the API's messages are asserted in English."""
    settings_of(company)
    return make_user("contable", "accounting", language="en")


@pytest.fixture
def administration(make_customer):
    return make_customer("Ajuntament de València", "P4625200C")


def save(company, by, party, **fields):
    return party_einvoicing_save(company=company, by=by, party_id=party.pk, **fields)


def audit_entry(profile, action) -> AuditEntry:
    kind = ContentType.objects.get_for_model(PartyEInvoicing)
    return AuditEntry.objects.get(content_type=kind, object_id=profile.pk, action=action)


def field_errors(failure: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return failure.value.field_messages()


# The service


def test_the_codes_are_saved_upper_case_with_the_proposing_body_and_audited_on_the_party(
    company, accountant, administration
):
    profile = save(
        company, accountant, administration, accounting_office=" l01462508 ", managing_body="L01462508",
        processing_unit="la0007435", proposing_body="GE0000000", facturae_required=True,
    )  # fmt: skip
    stored = PartyEInvoicing.objects.get(party=administration)
    assert stored.pk == profile.pk
    assert (stored.accounting_office, stored.managing_body, stored.processing_unit, stored.proposing_body) == (
        "L01462508", "L01462508", "LA0007435", "GE0000000",
    )  # fmt: skip
    assert stored.facturae_required is True and stored.updated_by == accountant
    entry = audit_entry(profile, AuditEntry.Action.CREATE)
    assert entry.parent_id == administration.pk
    assert entry.changes["processing_unit"] == [None, "LA0007435"]


def test_saving_again_replaces_everything_and_a_field_left_out_is_empty(company, accountant, administration):
    save(company, accountant, administration, **CODES, proposing_body="GE0000000", facturae_required=True)
    profile = save(company, accountant, administration, **CODES)
    assert PartyEInvoicing.objects.filter(party=administration).count() == 1
    profile.refresh_from_db()
    assert profile.proposing_body == "" and profile.facturae_required is False
    update = audit_entry(profile, AuditEntry.Action.UPDATE)
    assert update.changes == {"proposing_body": ["GE0000000", ""], "facturae_required": [True, False]}
    cleared = save(company, accountant, administration)
    assert (cleared.accounting_office, cleared.managing_body, cleared.processing_unit) == ("", "", "")


@pytest.mark.parametrize("code", ["L-0146250", "L01462508XY", "Ñ0146", "L0146 2508", 14625])
def test_a_code_that_is_not_1_to_10_letters_and_digits_is_refused_on_its_field(
    company, accountant, administration, code
):
    with pytest.raises(ValidationFailed) as failure:
        save(company, accountant, administration, **{**CODES, "managing_body": code})
    assert field_errors(failure) == {"managing_body": [BAD_CODE]}
    assert not PartyEInvoicing.objects.exists()


def test_the_three_centres_go_together_and_the_proposing_body_only_with_them(
    company, accountant, administration
):
    with pytest.raises(ValidationFailed) as failure:
        save(company, accountant, administration, accounting_office="L01462508")
    assert field_errors(failure) == {
        "managing_body": [CENTRES_TOGETHER],
        "processing_unit": [CENTRES_TOGETHER],
    }
    with pytest.raises(ValidationFailed) as failure:
        save(company, accountant, administration, proposing_body="GE0000000")
    assert list(field_errors(failure)) == ["proposing_body"]
    assert "goes with the accounting office" in field_errors(failure)["proposing_body"][0]
    assert not PartyEInvoicing.objects.exists()
    # Marked as an administration before its codes are known: allowed, its files are refused until then.
    assert save(company, accountant, administration, facturae_required=True).facturae_required is True


def test_another_companys_party_an_unknown_one_and_a_bad_id_are_not_found(
    company, other_company, accountant, administration
):
    for party_id in (administration.pk, 999_999, True, "1", 2**64):
        with pytest.raises(NotFound):
            party_einvoicing_save(company=other_company, by=accountant, party_id=party_id, **CODES)
    assert not PartyEInvoicing.objects.exists()


def test_an_unknown_field_and_a_flag_that_is_not_yes_or_no_are_refused(company, accountant, administration):
    with pytest.raises(ValidationFailed) as failure:
        save(company, accountant, administration, **CODES, office="X")
    assert list(field_errors(failure)) == ["office"]
    with pytest.raises(ValidationFailed) as failure:
        save(company, accountant, administration, **CODES, facturae_required="yes")
    assert list(field_errors(failure)) == ["facturae_required"]


code_like = st.one_of(
    st.none(), st.just(""), st.from_regex(r"[A-Za-z0-9]{1,10}", fullmatch=True), st.text(max_size=14)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    codes=st.fixed_dictionaries(
        {
            field: code_like
            for field in ("accounting_office", "managing_body", "processing_unit", "proposing_body")
        }
    )
)
def test_whatever_is_typed_the_codes_are_kept_valid_or_refused_on_a_field(
    company, accountant, administration, codes
):  # fmt: skip
    try:
        profile = save(company, accountant, administration, **codes)
    except ValidationFailed as failure:
        assert set(failure.field_messages()) <= set(codes)
        return
    stored = [profile.accounting_office, profile.managing_body, profile.processing_unit]
    assert all(re.fullmatch(r"[A-Z0-9]{1,10}", code) for code in [*stored, profile.proposing_body] if code)
    assert all(stored) or not any([*stored, profile.proposing_body])


def test_the_table_refuses_a_partial_set_of_centres_written_past_the_service(administration):
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyEInvoicing.objects.create(party=administration, accounting_office="L01462508")
    PartyEInvoicing.objects.create(party=administration, facturae_required=True)  # none at all is fine


# The party's page: the panel and the form


@pytest.fixture
def accountant_client(accountant):
    client = Client()
    client.force_login(accountant)
    return client


def party_url(party) -> str:
    return reverse("parties:party_view", args=[party.pk])


def edit_url(party) -> str:
    return reverse("compliance:party_einvoicing", kwargs={"party_id": party.pk})


def test_the_panel_shows_the_codes_and_what_is_missing_and_offers_the_form_to_whom_may_change_invoices(
    company, accountant, accountant_client, make_user, administration, customer
):
    save(company, accountant, administration, **CODES, proposing_body="GE0000000", facturae_required=True)
    page = accountant_client.get(party_url(administration)).content.decode()
    assert 'id="party-einvoicing"' in page
    for code in ("L01462508", "LA0007435", "GE0000000"):
        assert code in page
    assert "Requires Facturae files" in page
    assert edit_url(administration) in page

    save(company, accountant, customer, facturae_required=True)
    page = accountant_client.get(party_url(customer)).content.decode()
    assert "No DIR3 codes" in page
    assert "refused until its accounting office, managing body, processing unit are given" in page

    seller = Client()
    seller.force_login(make_user("vendedora", "sales", language="en"))
    page = seller.get(party_url(administration)).content.decode()
    assert "LA0007435" in page and edit_url(administration) not in page
    storekeeper = Client()
    storekeeper.force_login(make_user("almacen", "warehouse"))
    response = storekeeper.get(party_url(administration))
    assert response.status_code == 200 and 'id="party-einvoicing"' not in response.content.decode()


def test_the_form_saves_the_codes_and_goes_back_to_the_party(
    accountant_client, administration, django_assert_max_num_queries
):
    assert accountant_client.get(edit_url(administration)).status_code == 200
    with django_assert_max_num_queries(16):
        response = accountant_client.post(
            edit_url(administration), {**CODES, "proposing_body": "ge0000000", "facturae_required": "on"}
        )
    assert response.status_code == 302 and response["Location"] == party_url(administration)
    profile = PartyEInvoicing.objects.get(party=administration)
    assert profile.proposing_body == "GE0000000" and profile.facturae_required
    form = accountant_client.get(edit_url(administration)).content.decode()
    assert 'value="LA0007435"' in form and "checked" in form


def test_the_form_shows_the_services_refusal_on_its_fields(accountant_client, administration):
    response = accountant_client.post(edit_url(administration), {"accounting_office": "L01462508"})
    assert response.status_code == 422
    page = response.content.decode()
    assert page.count("Give the accounting office, the managing body and the processing unit together") == 2
    response = accountant_client.post(edit_url(administration), {**CODES, "processing_unit": "LA-0007435"})
    assert response.status_code == 422 and BAD_CODE in response.content.decode()
    assert not PartyEInvoicing.objects.exists()


def test_the_form_is_for_whom_may_change_invoices_and_for_the_companys_parties(
    make_user, other_company, accountant_client, administration
):
    seller = Client()
    seller.force_login(make_user("vendedora", "sales"))
    assert seller.get(edit_url(administration)).status_code == 403
    assert seller.post(edit_url(administration), CODES).status_code == 403
    stranger = Client()
    stranger.force_login(make_user("ajeno", "accounting", companies=[other_company]))
    assert stranger.get(edit_url(administration)).status_code == 404
    assert stranger.post(edit_url(administration), CODES).status_code == 404
    assert not PartyEInvoicing.objects.exists()


def test_the_party_page_reads_the_panel_in_one_query_with_or_without_codes(accountant_client, administration):
    accountant_client.get(party_url(administration))  # the first request fills the caches of the process
    with CaptureQueriesContext(connection) as without_codes:
        accountant_client.get(party_url(administration))
    PartyEInvoicing.objects.create(party=administration, **CODES)
    with CaptureQueriesContext(connection) as with_codes:
        page = accountant_client.get(party_url(administration)).content.decode()
    assert "LA0007435" in page
    assert len(with_codes) == len(without_codes)
    table = PartyEInvoicing._meta.db_table
    assert sum(table in query["sql"] for query in with_codes.captured_queries) == 1


# The API


def api_path(party) -> str:
    return f"/compliance/parties/{party.pk}/einvoicing"


def test_the_api_reads_an_empty_profile_and_sets_and_reads_the_codes(
    accountant, administration, django_assert_max_num_queries
):
    api = ApiClient(accountant)
    empty = api.get(api_path(administration))
    assert empty.status_code == 200
    assert empty.json() == {
        "party_id": administration.pk, "accounting_office": "", "managing_body": "", "processing_unit": "",
        "proposing_body": "", "facturae_required": False, "centres_complete": False,
    }  # fmt: skip
    with django_assert_max_num_queries(12):
        response = api.call("put", api_path(administration), {**CODES, "processing_unit": "la0007435"})
    assert response.status_code == 200
    assert response.json()["processing_unit"] == "LA0007435" and response.json()["centres_complete"]
    with django_assert_max_num_queries(8):
        read = api.get(api_path(administration))
    assert read.json() == response.json()
    assert read.json()["proposing_body"] == "" and read.json()["facturae_required"] is False


def test_the_api_refuses_a_bad_code_and_a_partial_set_naming_the_fields(accountant, administration):
    api = ApiClient(accountant)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    bad = api.call("put", api_path(administration), {**CODES, "accounting_office": "L01-462508"})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["errors"] == [{"field": "accounting_office", "message": BAD_CODE}]
    partial = api.call(
        "put", api_path(administration), {"processing_unit": "LA0007435", "facturae_required": True}
    )
    assert partial.status_code == 422
    assert {error["field"] for error in partial.json()["errors"]} == {"accounting_office", "managing_body"}
    unknown = api.call("put", api_path(administration), {**CODES, "oficina": "X"})
    assert unknown.status_code == 422
    assert not PartyEInvoicing.objects.exists()


def test_the_api_answers_404_for_another_companys_party_and_403_without_the_permission(
    make_user, other_company, accountant, administration
):
    stranger = ApiClient(make_user("ajeno", "accounting", companies=[other_company]))
    assert stranger.get(api_path(administration)).status_code == 404
    assert stranger.call("put", api_path(administration), CODES).status_code == 404
    seller = ApiClient(make_user("vendedora", "sales"))
    assert seller.get(api_path(administration)).status_code == 200
    assert seller.call("put", api_path(administration), CODES).status_code == 403
    assert ApiClient(make_user("almacen", "warehouse")).get(api_path(administration)).status_code == 403
    assert ApiClient(accountant).get("/compliance/parties/999999/einvoicing").status_code == 404
    assert not PartyEInvoicing.objects.exists()


def test_the_operations_are_documented_with_the_codes_pattern(accountant):
    document = ApiClient(accountant).get("/openapi.json").json()
    operations = document["paths"]["/api/v1/compliance/parties/{party_id}/einvoicing"]
    assert {"get", "put"} <= set(operations)
    assert {"403", "404", "422"} <= set(operations["put"]["responses"])
    schemas = document["components"]["schemas"]
    assert schemas["EInvoicingIn"]["properties"]["accounting_office"]["pattern"] == "^[A-Za-z0-9]{0,10}$"


def test_the_panel_and_the_forms_refusal_read_in_spanish(make_user, administration):
    contable = Client()
    contable.force_login(make_user("contable-es", "accounting", language="es"))
    page = contable.get(party_url(administration)).content.decode()
    assert "Facturación electrónica (FACe)" in page and "Cambiar códigos DIR3" in page
    refused = contable.post(edit_url(administration), {"accounting_office": "L01462508"}).content.decode()
    assert "Indique la oficina contable, el órgano gestor y la unidad tramitadora juntos" in refused
    assert "Órgano proponente (04, opcional)" in refused
