"""The VAT reports API over the first quarter of 2026 of test_vat_reports (figures computed there)."""

import pytest

from nexo.invoicing.tests.test_vat_reports import FORMULA_NAME, build_quarter

Q1 = {"from": "2026-01-01", "to": "2026-03-31"}


@pytest.fixture
def vat_quarter(company, other_company):
    return build_quarter(company, other_company)


@pytest.fixture
def accounting_api(api_as, make_user):
    return api_as(make_user("contable-api", "accounting", language="en"))


def test_the_summary_gives_the_303_boxes_as_decimal_strings(accounting_api, vat_quarter):
    """Labels come in the company's language (Spanish) when the request names none."""
    response = accounting_api.get("/invoicing/vat-summary", **Q1)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from"], body["to"], body["currency"]) == ("2026-01-01", "2026-03-31", "EUR")
    boxes = {box["number"]: box["amount"] for box in body["boxes"]}
    assert boxes["09"] == "231.00" and boxes["15"] == "-21.00" and boxes["24"] == "5.20"
    assert boxes["27"] == "237.45" and boxes["45"] == "146.50" and boxes["71"] == "90.95"
    assert boxes["59"] == "500.00" and boxes["60"] == "300.00"
    assert body["result"] == "90.95" and body["result_kind"] == "to_pay"
    assert [(line["rate"], line["base"], line["quota"]) for line in body["output"]] == [
        ("21.00", "1000.00", "210.00"),
        ("10.00", "200.00", "20.00"),
        ("4.00", "50.00", "2.00"),
    ]
    assert [(line["rate"], line["base"], line["quota"]) for line in body["deductible"]] == [
        ("21.00", "650.00", "136.50"),
        ("10.00", "100.00", "10.00"),
    ]
    assert body["lines_303"][3] == {
        "label": "Modificación de bases y cuotas (rectificativas)", "boxes": ["14", "", "15"], "base": "-100.00",
        "rate": None, "quota": "-21.00",
    }  # fmt: skip


def test_the_issued_book_is_paginated_with_the_period_totals(accounting_api, vat_quarter):
    response = accounting_api.get("/invoicing/vat-books/issued", **Q1, limit=2, offset=2)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 7
    assert body["totals"] == {"base": "2050.00", "quota": "232.00", "recargo": "5.45", "total": "2287.45"}
    first, second = body["items"]
    assert (first["number"], first["date"], first["operation_date"], first["base"], first["rate"]) == (
        "F-2026-000002", "2026-02-20", "2026-02-15", "100.00", "21.00"
    )  # fmt: skip
    assert (first["quota"], first["recargo_rate"], first["recargo"], first["total"]) == (
        "21.00", "5.20", "5.20", "126.20"
    )  # fmt: skip
    assert (second["rate"], second["recargo_rate"], second["total"]) == ("4.00", "0.50", "52.25")
    assert first["invoice_id"] == vat_quarter["retail_invoice"].pk
    last = accounting_api.get("/invoicing/vat-books/issued", **Q1, offset=6).json()["items"]
    assert [(row["number"], row["kind"], row["total"]) for row in last] == [
        ("R-2026-000001", "credit_note", "-121.00")
    ]
    exports = accounting_api.get("/invoicing/vat-books/issued", **Q1, offset=5, limit=1).json()["items"]
    assert exports[0]["party_name"] == FORMULA_NAME and exports[0]["treatment"] == "export_goods"


def test_the_received_book(accounting_api, vat_quarter):
    body = accounting_api.get("/invoicing/vat-books/received", **Q1).json()
    assert body["count"] == 3
    assert [
        (row["number"], row["supplier_number"], row["base"], row["rate"], row["quota"])
        for row in body["items"]
    ] == [
        ("FR-2026-000001", "A-101", "400.00", "21.00", "84.00"),
        ("FR-2026-000001", "A-101", "100.00", "10.00", "10.00"),
        ("FR-2026-000002", "TS-77", "250.00", "21.00", "52.50"),
    ]
    assert body["items"][2]["received_date"] == "2026-03-03"
    assert body["totals"]["quota"] == "146.50"


def test_another_company_reads_its_own_figures(api_as, manager_user, other_company, vat_quarter):
    body = api_as(manager_user, other_company).get("/invoicing/vat-summary", **Q1).json()
    assert {box["number"]: box["amount"] for box in body["boxes"]}["09"] == "163.17"
    book = api_as(manager_user, other_company).get("/invoicing/vat-books/issued", **Q1).json()
    assert [row["party_name"] for row in book["items"]] == ["Cliente de otra empresa, S.L."]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-31", "to": "2026-01-01"}, "to"),
        ({"from": "2024-01-01", "to": "2026-03-31"}, "to"),
        ({"from": "31/03/2026"}, "from"),
        ({"from": "1800-01-01", "to": "1800-02-01"}, "from"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/invoicing/vat-summary", "/invoicing/vat-books/issued", "/invoicing/vat-books/received"]
)
def test_a_bad_period_is_a_problem(accounting_api, vat_quarter, params, field, path):
    response = accounting_api.get(path, **params)
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]


def test_a_bad_page_is_a_problem(accounting_api, vat_quarter):
    response = accounting_api.get("/invoicing/vat-books/issued", **Q1, limit=0)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")


def test_who_may_read_which_report(api_as, make_user, vat_quarter):
    seller = api_as(make_user("vendedor-api", "sales"))
    assert seller.get("/invoicing/vat-summary", **Q1).status_code == 200
    assert seller.get("/invoicing/vat-books/received", **Q1).status_code == 403
    buyer = api_as(make_user("comprador-api", "purchasing"))
    assert buyer.get("/invoicing/vat-books/received", **Q1).status_code == 200
    assert buyer.get("/invoicing/vat-books/issued", **Q1).status_code == 403
    assert buyer.get("/invoicing/vat-summary", **Q1).status_code == 403
