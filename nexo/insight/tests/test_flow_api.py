"""GET /api/v1/flow/{type}/{id}: the same flow as the page, as nodes and edges with money as strings; errors
as problem+json."""

from decimal import Decimal as D

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nexo.conftest import ApiClient
from nexo.core.api import PROBLEM_CONTENT_TYPE
from nexo.insight.tests.flow_story import tell_chain
from nexo.insight.tests.test_flow import FLOW_QUERIES

#: The request's own: the token and its user, the company, the user's permissions.
API_QUERIES = FLOW_QUERIES + 6


@pytest.fixture
def chain(company, manager_user):
    return tell_chain(company, manager_user, size=1)


def test_the_flow_of_a_payment_reaches_back_to_the_opportunity(company, manager_user, chain):
    api = ApiClient(manager_user)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the labels are asserted in English
    response = api.get(f"/flow/payment/{chain.payments[0].pk}")
    assert response.status_code == 200
    body = response.json()
    payment, invoice, due = chain.payments[0], chain.invoices[0], chain.dues[0]
    assert body["start"] == f"payment:{payment.pk}" and body["truncated"] is False
    nodes = {node["key"]: node for node in body["nodes"]}
    # 1 opportunity, quotation, order, delivery, invoice and its entry; 2 due amounts, 2 payments, their entries.
    assert len(nodes) == 12
    assert nodes[f"opportunity:{chain.opportunity.pk}"]["url"] == reverse(
        "crm:opportunity_view", args=[chain.opportunity.pk]
    )
    assert nodes[f"invoice:{invoice.pk}"] | {"label": None, "state_label": None} == {
        "key": f"invoice:{invoice.pk}", "type": "invoice", "id": invoice.pk, "label": None,
        "number": invoice.number, "state": "posted", "state_label": None, "date": invoice.date.isoformat(),
        "amount": f"{invoice.total:.2f}", "currency": "EUR", "url": reverse("invoicing:invoice_view", args=[invoice.pk]),
        "current": False,
    }  # fmt: skip
    # 3 downlights at 10.00: 30.00 and 21 % VAT, 36.30, paid in two halves.
    assert invoice.total == D("36.30")
    assert [nodes[f"due:{due.pk}"]["amount"] for due in chain.dues] == ["18.15", "18.15"]
    assert nodes[f"payment:{payment.pk}"]["current"] is True
    delivery = nodes[f"delivery:{chain.deliveries[0].pk}"]
    assert (delivery["state"], delivery["amount"], delivery["currency"]) == ("done", None, "")  # no amount
    edges = {(edge["source"], edge["target"]): edge for edge in body["edges"]}
    assert edges[(f"due:{due.pk}", f"payment:{payment.pk}")]["kind"] == "paid_by"
    assert edges[(f"order:{chain.order.pk}", f"invoice:{invoice.pk}")]["kind"] == "invoiced_by"
    assert edges[(f"quotation:{chain.quotation.pk}", f"order:{chain.order.pk}")]["label"] == "accepted into"
    assert {edge["source"] for edge in body["edges"]} | {edge["target"] for edge in body["edges"]} == set(
        nodes
    )
    # From the opportunity: the same documents.
    from_the_top = ApiClient(manager_user).get(f"/flow/opportunity/{chain.opportunity.pk}").json()
    assert {node["key"] for node in from_the_top["nodes"]} == set(nodes)


def test_a_document_the_user_may_not_open_comes_without_its_url(company, make_user, chain):
    keeper = make_user("almacen-api", "warehouse")
    body = ApiClient(keeper).get(f"/flow/delivery/{chain.deliveries[0].pk}").json()
    urls = {node["type"]: node["url"] for node in body["nodes"]}
    assert urls["delivery"] == reverse("sales:delivery_view", args=[chain.deliveries[0].pk])
    assert urls["invoice"] is None and urls["payment"] is None


def test_errors_are_problems(company, other_company, manager_user, make_user, chain):
    invoice = chain.invoices[0].pk
    elsewhere = ApiClient(manager_user, other_company).get(f"/flow/invoice/{invoice}")
    assert (elsewhere.status_code, elsewhere["Content-Type"]) == (404, PROBLEM_CONTENT_TYPE)
    assert ApiClient(manager_user).get(f"/flow/invoice/{invoice + 1000}").status_code == 404
    unknown = ApiClient(manager_user).get(f"/flow/letter/{invoice}")
    assert (unknown.status_code, unknown["Content-Type"]) == (422, PROBLEM_CONTENT_TYPE)
    assert unknown.json()["errors"][0]["field"] == "doc_type"
    assert ApiClient(manager_user).get("/flow/invoice/0").status_code == 422
    # A colleague's quotation is as unknown to a salesperson as at its own address.
    colleague = ApiClient(make_user("colega-api", "sales"))
    assert colleague.get(f"/flow/quotation/{chain.quotation.pk}").status_code == 404
    anonymous = ApiClient(manager_user).client.get(f"/api/v1/flow/invoice/{invoice}")
    assert anonymous.status_code == 401


def test_the_api_costs_the_same_queries_for_one_delivery_as_for_three(
    company, manager_user, chain, django_assert_max_num_queries
):
    big = tell_chain(company, manager_user, size=3)
    api = ApiClient(manager_user)
    counts = []
    for payment in (chain.payments[0], big.payments[0]):
        api.get(f"/flow/payment/{payment.pk}")  # the token's first use of the day recorded
        reset_queries()
        with django_assert_max_num_queries(API_QUERIES), CaptureQueriesContext(connection) as run:
            body = api.get(f"/flow/payment/{payment.pk}").json()
        counts.append((len(run.captured_queries), len(body["nodes"])))
    assert counts[0][0] == counts[1][0] > 0
    assert (counts[0][1], counts[1][1]) == (12, 30)
