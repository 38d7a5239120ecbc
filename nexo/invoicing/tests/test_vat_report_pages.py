"""The VAT summary and VAT books pages over the first quarter of 2026 of test_vat_reports (figures computed
there): the 303 boxes and the book rows on screen, their exports, who may open them, and bad periods."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from nexo.invoicing.tests.test_vat_reports import FORMULA_NAME, build_quarter, customer_invoice, party

Q1 = {"date_from": "2026-01-01", "date_to": "2026-03-31"}


@pytest.fixture
def vat_quarter(company, other_company):
    return build_quarter(company, other_company)


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return response.content.decode()


def test_the_summary_shows_the_quarter_boxes(accountant_client, vat_quarter, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = accountant_client.get(reverse("invoicing:vat_summary"), Q1)
    assert response.status_code == 200
    page = text_of(response)
    assert 'id="box-27">€237.45<' in page
    assert 'id="box-45">€146.50<' in page
    assert 'id="box-71">€90.95<' in page
    assert 'id="box-59">€500.00<' in page and 'id="box-60">€300.00<' in page
    assert "[09]</span> €231.00" in page and "[15]</span> -€21.00" in page
    assert "To pay" in page
    assert "999" not in page  # the draft
    assert "777" not in page  # another company's invoice


def test_the_summary_reads_as_many_queries_with_more_invoices(
    accountant_client, company, vat_quarter, django_assert_max_num_queries
):
    customer = party(company, "Cliente Nuevo, S.L.", "B46000022")
    for sequence in range(10, 40):
        customer_invoice(
            company, customer, vat_quarter["credit_note"].date, number=("F", sequence),
            taxes=[("vat", "domestic", "21", "0", "10.00", "2.10", "0")],
        )  # fmt: skip
    with django_assert_max_num_queries(12):
        response = accountant_client.get(reverse("invoicing:vat_summary"), Q1)
    assert 'id="box-27">€300.45<' in text_of(response)  # 237.45 + 30 x 2.10
    with django_assert_max_num_queries(14):
        response = accountant_client.get(reverse("invoicing:vat_book_issued"), Q1)
    assert "37 rows" in text_of(response)


def test_the_summary_defaults_to_the_current_quarter(accountant_client, vat_quarter):
    response = accountant_client.get(reverse("invoicing:vat_summary"))
    assert response.status_code == 200
    assert response.context["date_from"].day == 1 and response.context["date_from"].month in (1, 4, 7, 10)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2026-03-31", "date_to": "2026-01-01"}, "date_to", "cannot be before its start"),
        ({"date_from": "31/03/2026", "date_to": "2026-04-01"}, "date_from", "Enter a valid date."),
        ({"date_from": "2024-01-01", "date_to": "2026-03-31"}, "date_to", "a year at most"),
    ],
)
def test_a_wrong_period_is_a_form_error(accountant_client, vat_quarter, params, field, message):
    response = accountant_client.get(reverse("invoicing:vat_summary"), params)
    assert response.status_code == 422
    assert message in " ".join(response.context["errors"][field])
    assert f'id="vat-{field.replace("_", "-")}-error"' in text_of(response)
    exported = accountant_client.get(reverse("invoicing:vat_summary"), {**params, "format": "csv"})
    assert exported.status_code == 422  # no file for a wrong period


def test_the_issued_book_lists_a_row_per_invoice_and_rate_linked_to_its_invoice(
    accountant_client, vat_quarter
):
    response = accountant_client.get(reverse("invoicing:vat_book_issued"), Q1)
    assert response.status_code == 200
    page = text_of(response)
    assert "7 rows" in page
    builder = vat_quarter["builder_invoice"]
    assert page.count(f'href="{reverse("invoicing:invoice_view", args=[builder.pk])}"') == 2
    assert "Exempt intra-EU deliveries of goods (art. 25)" in page
    rows = response.context["rows"]
    assert [(row["number"], row["base"], row["amount"], row["total"]) for row in rows][2:4] == [
        ("F-2026-000002", D("100.00"), D("21.00"), D("126.20")),
        ("F-2026-000002", D("50.00"), D("2.00"), D("52.25")),
    ]
    assert "€2,287.45" in page  # the period's total
    assert "F-2026-000005" not in page and "999" not in page


def test_the_received_book_lists_supplier_invoices_linked_to_their_pages(accountant_client, vat_quarter):
    response = accountant_client.get(reverse("invoicing:vat_books"), {**Q1, "book": "received"})
    assert response.status_code == 200
    page = text_of(response)
    assert "3 rows" in page
    bill = vat_quarter["wholesale_bill"]
    assert f'href="{reverse("invoicing:supplier_invoice_view", args=[bill.pk])}"' in page
    assert "TS-77" in page and "TS-80" not in page  # the draft is left out
    assert "€896.50" in page


def test_the_book_is_paginated_on_screen_and_complete_in_its_export(
    accountant_client, company, vat_quarter, django_assert_max_num_queries
):
    customer = party(company, "Cliente Nuevo, S.L.", "B46000022")
    for sequence in range(10, 70):
        customer_invoice(
            company, customer, vat_quarter["credit_note"].date, number=("F", sequence),
            taxes=[("vat", "domestic", "21", "0", "10.00", "2.10", "0")],
        )  # fmt: skip
    response = accountant_client.get(reverse("invoicing:vat_book_issued"), {**Q1, "page": 2})
    assert len(response.context["rows"]) == 17  # 67 rows, 50 a page
    assert "Page 2 of 2" in text_of(response)
    with django_assert_max_num_queries(12):
        exported = accountant_client.get(reverse("invoicing:vat_book_issued"), {**Q1, "format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 67 + 1  # header, rows, total


def test_the_issued_book_exports_quote_a_formula_like_customer(accountant_client, vat_quarter):
    response = accountant_client.get(reverse("invoicing:vat_book_issued"), {**Q1, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="vat-book-issued-2026-01-01-2026-03-31.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Number", "Date", "Operation date", "Customer"]
    export_row = next(row for row in rows if row[0] == "F-2026-000004")
    assert export_row[3] == "'" + FORMULA_NAME
    assert rows[1][5:8] == ["1000,00", "21,00", "210,00"]
    assert rows[-1][3] == "Total" and rows[-1][10] == "2287,45"


def test_the_received_book_exports_as_xlsx_and_pdf(accountant_client, vat_quarter):
    response = accountant_client.get(reverse("invoicing:vat_book_received"), {**Q1, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Reception number"
    assert values[1][:2] == ("FR-2026-000001", "A-101")
    assert D(str(values[1][8])) == D("84.00")
    assert D(str(values[-1][8])) == D("146.50")
    pdf = accountant_client.get(reverse("invoicing:vat_book_received"), {**Q1, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_summary_exports(accountant_client, vat_quarter):
    response = accountant_client.get(reverse("invoicing:vat_summary"), {**Q1, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    boxes = {row[0]: row[4] for row in sheet.values if row[0]}
    assert D(str(boxes["27"])) == D("237.45")
    assert D(str(boxes["71"])) == D("90.95")
    pdf = accountant_client.get(reverse("invoicing:vat_summary"), {**Q1, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    text = accountant_client.get(reverse("invoicing:vat_summary"), {**Q1, "format": "csv"}).content.decode(
        "utf-8-sig"
    )
    assert "71;Result to pay, compensate or refund;;;90,95" in text


def test_who_may_open_which_report(make_user, vat_quarter):
    seller = client_of(make_user("vendedor", "sales", language="en"))  # view_invoice only
    assert seller.get(reverse("invoicing:vat_summary"), Q1).status_code == 200
    assert seller.get(reverse("invoicing:vat_books"), Q1).context["book"] == "issued"
    assert seller.get(reverse("invoicing:vat_book_received"), Q1).status_code == 403
    buyer = client_of(make_user("comprador", "purchasing", language="en"))  # view_supplierinvoice only
    assert buyer.get(reverse("invoicing:vat_summary"), Q1).status_code == 403
    assert buyer.get(reverse("invoicing:vat_book_issued"), Q1).status_code == 403
    response = buyer.get(reverse("invoicing:vat_books"), Q1)
    assert response.context["book"] == "received" and 'id="tab-issued"' not in text_of(response)
    warehouse = client_of(make_user("mozo", "warehouse", language="en"))
    assert warehouse.get(reverse("invoicing:vat_books"), Q1).status_code == 403


def test_the_summary_reads_in_spanish(make_user, vat_quarter):
    client = client_of(make_user("contable-es", "accounting", language="es"))
    page = text_of(client.get(reverse("invoicing:vat_summary"), Q1))
    assert "Resumen de IVA" in page
    assert 'id="box-71">90,95\xa0€<' in page
