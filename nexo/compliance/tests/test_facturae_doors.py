"""The Facturae file through its two doors: the invoice page's download and GET
/api/v1/compliance/invoices/{id}/facturae. Who may download, another company's invoice (404), a draft (409,
or back to the invoice page with the reason), and a constant number of queries."""

import pytest
from django.test import Client
from django.urls import reverse

from nexo.compliance.facturae import schema
from nexo.conftest import ApiClient
from nexo.invoicing.services import settings_of


@pytest.fixture
def accountant(make_user, company):
    """An accountant who reads English: the messages are asserted in English."""
    settings_of(company)
    return make_user("contable", "accounting", language="en")


@pytest.fixture
def posted(hand_invoice, post):
    return post(hand_invoice([("2", "10.00", "21")]))


@pytest.fixture
def accountant_client(accountant):
    client = Client()
    client.force_login(accountant)
    return client


def facturae_url(invoice) -> str:
    return reverse("compliance:invoice_facturae", kwargs={"invoice_id": invoice.pk})


# The page


def test_the_page_downloads_the_posted_invoices_file_as_an_attachment(
    accountant_client, posted, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        response = accountant_client.get(facturae_url(posted))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{posted.number}.xml"'
    assert schema.facturae_errors(response.content) == []
    assert f"<InvoiceNumber>{posted.number}</InvoiceNumber>".encode() in response.content


def test_a_sales_user_may_download_it_and_a_warehouse_user_may_not(make_user, posted):
    for role, status in (("sales", 200), ("warehouse", 403)):
        client = Client()
        client.force_login(make_user(f"user-{role}", role))
        assert client.get(facturae_url(posted)).status_code == status


def test_another_companys_invoice_is_not_found_on_the_page(make_user, other_company, posted):
    stranger = Client()
    stranger.force_login(make_user("ajeno", "accounting", companies=[other_company]))
    assert stranger.get(facturae_url(posted)).status_code == 404


def test_a_draft_goes_back_to_its_page_with_the_reason(accountant_client, hand_invoice):
    draft = hand_invoice([("1", "10.00", "21")])
    response = accountant_client.get(facturae_url(draft), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "invoicing:invoice_view", kwargs={"invoice_id": draft.pk}
    )
    assert "A draft has no Facturae file" in response.content.decode()


def test_a_signed_out_visitor_is_sent_to_sign_in(posted):
    response = Client().get(facturae_url(posted))
    assert response.status_code == 302 and "/login/" in response["Location"]


# The API


def api_path(invoice_id) -> str:
    return f"/compliance/invoices/{invoice_id}/facturae"


def test_the_api_answers_the_file_as_xml(accountant, posted, django_assert_max_num_queries):
    api = ApiClient(accountant)
    with django_assert_max_num_queries(10):
        response = api.get(api_path(posted.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{posted.number}.xml"'
    assert schema.facturae_errors(response.content) == []


def test_the_api_refuses_a_draft_with_409_and_another_companys_invoice_with_404(
    accountant, make_user, other_company, hand_invoice, posted
):
    api = ApiClient(accountant)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    draft = hand_invoice([("1", "10.00", "21")])
    conflict = api.get(api_path(draft.pk))
    assert conflict.status_code == 409
    assert conflict["Content-Type"] == "application/problem+json"
    assert "A draft has no Facturae file" in conflict.json()["detail"]
    stranger = ApiClient(make_user("ajeno", "accounting", companies=[other_company]))
    missing = stranger.get(api_path(posted.pk))
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert api.get(api_path(999_999)).status_code == 404


def test_the_api_needs_the_permission_to_view_invoices(make_user, posted):
    assert ApiClient(make_user("almacen", "warehouse")).get(api_path(posted.pk)).status_code == 403


def test_the_operation_is_documented_with_its_xml_answer_and_its_problems(accountant):
    document = ApiClient(accountant).get("/openapi.json").json()
    operation = document["paths"]["/api/v1/compliance/invoices/{invoice_id}/facturae"]["get"]
    assert "application/xml" in operation["responses"]["200"]["content"]
    assert {"404", "409"} <= set(operation["responses"])
