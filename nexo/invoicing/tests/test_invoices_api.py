"""/api/v1/invoices: the same services as the pages, with problem+json errors and Idempotency-Key."""

from decimal import Decimal

import pytest

from nexo.accounting.services.ledger import journal_of
from nexo.conftest import ApiClient
from nexo.invoicing.models import Invoice, InvoiceLine
from nexo.invoicing.tests.customer_invoices import *  # noqa: F403 (the fixtures)
from nexo.sales.tests.terms_helpers import standard_terms

D = Decimal


@pytest.fixture
def api(accountant, company):
    client = ApiClient(accountant, company)
    client.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages are asserted in English
    return client


def by_hand(customer, **extra):
    return {
        "party_id": customer.pk, "date": "2026-03-02",
        "lines": [
            {"description": "Portes", "quantity": "2", "unit_price": "15.00", "vat_rate": "21"},
            {"description": "Libro", "quantity": "1", "unit_price": "20.00", "vat_rate": "10"},
        ],
    } | extra  # fmt: skip


def test_an_invoice_is_drafted_by_hand_posted_and_read_with_its_taxes_per_rate(api, customer):
    created = api.post("/invoices", by_hand(customer), headers={"Idempotency-Key": "inv-1"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["number"], body["base"], body["vat"], body["total"]) == (
        "draft", "", "50.00", "8.30", "58.30",
    )  # fmt: skip
    again = api.post("/invoices", by_hand(customer), headers={"Idempotency-Key": "inv-1"})
    assert again.json()["id"] == body["id"] and Invoice.objects.count() == 1
    posted = api.post(f"/invoices/{body['id']}/post")
    assert posted.status_code == 200, posted.content
    read = api.get(f"/invoices/{body['id']}").json()
    assert (read["number"], read["state"], read["party_name"], read["party_tax_id"]) == (
        "F-2026-000001", "posted", "Reformas Turia, S.L.", "B46000014",
    )  # fmt: skip
    assert [(tax["kind"], tax["rate"], tax["base"], tax["amount"]) for tax in read["taxes"]] == [
        ("vat", "21.00", "30.00", "6.30"), ("vat", "10.00", "20.00", "2.00"),
    ]  # fmt: skip
    assert [(line["description"], line["quantity"], line["net"]) for line in read["lines"]] == [
        ("Portes", "2.0000", "30.00"), ("Libro", "1.0000", "20.00"),
    ]  # fmt: skip
    assert (read["legal_texts"], read["credit_notes"], read["corrects_id"]) == ([], [], None)


def test_a_draft_is_changed_and_deleted_but_a_posted_invoice_answers_409(api, company, customer):
    cash = standard_terms(company)["Contado"]
    draft = api.post("/invoices", by_hand(customer)).json()
    changed = api.patch(f"/invoices/{draft['id']}", {"notes": "Obra", "lines": [
        {"description": "Portes", "quantity": "1", "unit_price": "10.00", "vat_rate": "21"}
    ]})  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert (changed.json()["notes"], changed.json()["total"], len(changed.json()["lines"])) == (
        "Obra",
        "12.10",
        1,
    )
    refused = api.patch(f"/invoices/{draft['id']}", {"payment_term_id": cash.pk, "lines": None})
    assert refused.status_code == 422 and {error["field"] for error in refused.json()["errors"]} == {"lines"}
    kept = api.patch(f"/invoices/{draft['id']}", {"payment_term_id": cash.pk}).json()
    assert (kept["payment_term_id"], kept["payment_term"], kept["total"]) == (cash.pk, "Contado", "12.10")
    other = api.post("/invoices", by_hand(customer)).json()
    assert api.delete(f"/invoices/{other['id']}").status_code == 204
    api.post(f"/invoices/{draft['id']}/post")
    for response in (
        api.patch(f"/invoices/{draft['id']}", {"notes": "x"}),
        api.delete(f"/invoices/{draft['id']}"),
        api.post(f"/invoices/{draft['id']}/post"),
    ):
        assert response.status_code == 409, response.content
        assert response["Content-Type"] == "application/problem+json"
    assert Invoice.objects.get(pk=draft["id"]).notes == "Obra"


def test_an_invoice_from_two_orders_and_a_partial_credit_note(api, customer, items, make_order):
    first = make_order(customer, [(items["tile"], "10", "10.00", "21")], delivered=["4"])
    second = make_order(customer, [(items["hour"], "2", "50.00", "21")])
    created = api.post("/invoices/from-orders", {"order_ids": [first.pk, second.pk], "date": "2026-03-02"})
    assert created.status_code == 201, created.content
    invoice = created.json()
    assert [(line["quantity"], line["net"]) for line in invoice["lines"]] == [
        ("4.0000", "40.00"),
        ("2.0000", "100.00"),
    ]
    again = api.post("/invoices/from-orders", {"order_ids": [first.pk, second.pk]})
    assert again.status_code == 409 and "Nothing to invoice" in again.json()["detail"]
    api.post(f"/invoices/{invoice['id']}/post")
    tile_line = invoice["lines"][0]["id"]
    note = api.post(
        f"/invoices/{invoice['id']}/credit-notes",
        {"reason": "Dos baldosas rotas", "lines": [{"invoice_line_id": tile_line, "quantity": "2"}]},
    )
    assert note.status_code == 201, note.content
    assert (note.json()["kind"], note.json()["invoice_type"], note.json()["base"], note.json()["corrects_number"]) == (
        "credit_note", "R4", "-20.00", "F-2026-000001",
    )  # fmt: skip
    posted = api.post(f"/invoices/{note.json()['id']}/post").json()
    assert (posted["number"], posted["total"]) == ("R-2026-000001", "-24.20")
    read = api.get(f"/invoices/{invoice['id']}").json()
    assert [(ref["number"], ref["total"]) for ref in read["credit_notes"]] == [("R-2026-000001", "-24.20")]
    too_much = api.post(
        f"/invoices/{invoice['id']}/credit-notes",
        {"reason": "Otra", "lines": [{"invoice_line_id": tile_line, "quantity": "3"}]},
    )
    assert too_much.status_code == 422
    assert too_much.json()["errors"][0]["field"] == f"lines.{tile_line}"
    by_amount = api.post(f"/invoices/{invoice['id']}/credit-notes", {"reason": "Rappel", "amount": "12.00"})
    assert (by_amount.status_code, by_amount.json()["base"]) == (201, "-12.00")


def test_the_list_filters_by_state_kind_party_and_dates(api, customer, make_customer):
    other = make_customer("Otra, S.L.", "B46000097")
    first = api.post("/invoices", by_hand(customer)).json()
    api.post("/invoices", by_hand(other, date="2026-04-01"))
    api.post(f"/invoices/{first['id']}/post")
    api.post(f"/invoices/{first['id']}/credit-notes", {"reason": "Anulada"})

    def numbers(**params):
        listed = api.get("/invoices", **params).json()
        return listed["count"], sorted(
            (item["kind"], item["state"], item["party_name"]) for item in listed["items"]
        )

    assert numbers()[0] == 3
    assert numbers(state="posted") == (1, [("invoice", "posted", "Reformas Turia, S.L.")])
    assert numbers(kind="credit_note") == (1, [("credit_note", "draft", "Reformas Turia, S.L.")])
    assert numbers(party_id=other.pk) == (1, [("invoice", "draft", "Otra, S.L.")])
    assert numbers(date_from="2026-03-15", date_to="2026-04-30")[0] == 1
    assert numbers(q="F-2026-000001")[0] == 1
    assert api.get("/invoices", state="paid").status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"lines": [{"description": "x", "quantity": "0", "unit_price": "1", "vat_rate": "21"}]},
            "lines.0.quantity",
        ),
        (
            {"lines": [{"description": "x", "quantity": "1", "unit_price": "-1", "vat_rate": "21"}]},
            "lines.0.unit_price",
        ),
        (
            {"lines": [{"description": "x", "quantity": "1", "unit_price": "1", "vat_rate": "100"}]},
            "lines.0.vat_rate",
        ),
        (
            {"lines": [{"description": "", "quantity": "1", "unit_price": "1", "vat_rate": "21"}]},
            "lines.0.description",
        ),
        ({"lines": [{"item_id": 999999, "quantity": "1", "unit_price": "1"}]}, "lines.0.item_id"),
        ({"party_id": 999999}, "party_id"),
        ({"date": "2026-02-30"}, "date"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_made(api, customer, body, field):
    response = api.post("/invoices", by_hand(customer) | body)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not Invoice.objects.exists()


def test_posting_without_lines_or_tax_id_and_orders_of_two_customers_are_422(
    api, customer, make_customer, items, make_order
):
    empty = api.post("/invoices", by_hand(customer, lines=[])).json()
    refused = api.post(f"/invoices/{empty['id']}/post")
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "lines")
    anonymous = make_customer("Mostrador", "")
    draft = api.post("/invoices", by_hand(anonymous)).json()
    refused = api.post(f"/invoices/{draft['id']}/post")
    assert refused.status_code == 422 and "has no tax id" in refused.json()["detail"]
    first = make_order(customer, [(items["hour"], "1", "50.00", "21")])
    second = make_order(anonymous, [(items["hour"], "1", "50.00", "21")])
    refused = api.post("/invoices/from-orders", {"order_ids": [first.pk, second.pk]})
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "order_ids")
    assert Invoice.objects.filter(state="posted").count() == 0


def test_another_companys_invoice_is_a_404_and_a_salesperson_cannot_create_one(
    api, customer, company, other_company, make_user
):
    draft = api.post("/invoices", by_hand(customer)).json()
    outsider = ApiClient(make_user("otra", "accounting", companies=[other_company]), other_company)
    assert outsider.get(f"/invoices/{draft['id']}").status_code == 404
    assert outsider.post(f"/invoices/{draft['id']}/post").status_code == 404
    seller = ApiClient(make_user("vendedora", "sales"), company)
    assert seller.get(f"/invoices/{draft['id']}").status_code == 200
    assert seller.post("/invoices", by_hand(customer)).status_code == 403


@pytest.mark.parametrize("count", [2, 8])
def test_reading_and_posting_take_the_same_queries_whatever_the_lines(
    count, api, customer, company, django_assert_max_num_queries
):
    journal_of(company, "GEN")  # the books set up, as a company's set-up leaves them
    lines = [
        {"description": f"L{n}", "quantity": "1", "unit_price": "10.00", "vat_rate": "21"}
        for n in range(count)
    ]
    draft = api.post("/invoices", by_hand(customer, lines=lines)).json()
    with django_assert_max_num_queries(12):
        assert api.get(f"/invoices/{draft['id']}").status_code == 200
    with django_assert_max_num_queries(52):  # the journal entry and the VERI*FACTU record (5) included
        assert api.post(f"/invoices/{draft['id']}/post").status_code == 200
    assert InvoiceLine.objects.filter(invoice_id=draft["id"]).count() == count
