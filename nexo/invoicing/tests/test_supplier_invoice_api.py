"""/supplier-invoices: the same services through the API, problem+json for bad input, fixed query counts."""

# ruff: noqa: F811 -- the fixtures imported from supplier_fixtures are named as test arguments

import pytest

from nexo.core.models import Membership
from nexo.invoicing.models import SupplierInvoice
from nexo.invoicing.tests.supplier_fixtures import (  # noqa: F401 (fixtures)
    _english,
    accountant,
    buyer,
    from_orders,
    items,
    other_supplier,
    received_order,
    supplier,
)

PROBLEM = "application/problem+json"


@pytest.fixture
def books(api_as, accountant, company):
    """The accountant's API client, answering in English."""
    client = api_as(accountant, company)
    client.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def draw(books, order, number="A-101", day="2026-01-20"):
    return books.post(
        "/supplier-invoices/from-orders", {"order_ids": [order.pk], "supplier_number": number, "date": day}
    )


def test_drawn_from_an_order_changed_accepted_and_posted(books, received_order):
    drawn = draw(books, received_order())
    assert drawn.status_code == 201, drawn.content
    body = drawn.json()
    assert (body["state"], body["number"], body["base"], body["vat"], body["total"]) == (
        "draft", "", "129.00", "23.90", "152.90",
    )  # fmt: skip
    hammer, book = body["lines"]
    assert (book["ordered_quantity"], book["received_quantity"], book["ordered_unit_price"]) == (
        "4.0000", "4.0000", "7.250000",
    )  # fmt: skip

    changed = books.patch(
        f"/supplier-invoices/{body['id']}",
        {"lines": [{"id": hammer["id"]}, {"id": book["id"], "unit_price": "7.50"}]},
    )
    assert changed.status_code == 200, changed.content
    book = changed.json()["lines"][1]
    assert book["difference"] == "unit price 7.50, ordered at 7.25"
    assert book["differences"] == [{"kind": "price", "billed": "7.5", "expected": "7.25"}]
    assert changed.json()["has_differences"] is True

    refused = books.post(f"/supplier-invoices/{body['id']}/post")
    assert refused.status_code == 409 and refused["Content-Type"] == PROBLEM
    assert refused.json()["errors"] == [
        {"field": "lines.1", "message": "Artículo PLAN-01: unit price 7.50, ordered at 7.25"}
    ]

    accepted = books.post(f"/supplier-invoices/{body['id']}/accept-differences")
    assert accepted.status_code == 200 and accepted.json()["differences_accepted_by"] == "contable"
    posted = books.post(f"/supplier-invoices/{body['id']}/post")
    assert posted.status_code == 200, posted.content
    posted = posted.json()
    assert (posted["state"], posted["number"], posted["vat"], posted["total"]) == (
        "posted", "FR-2026-000001", "24.00", "154.00",
    )  # fmt: skip
    assert [(tax["rate"], tax["base"], tax["amount"]) for tax in posted["taxes"]] == [
        ("21.00", "100.00", "21.00"), ("10.00", "30.00", "3.00"),
    ]  # fmt: skip

    assert books.patch(f"/supplier-invoices/{body['id']}", {"notes": "x"}).status_code == 409
    assert books.delete(f"/supplier-invoices/{body['id']}").status_code == 409
    assert books.post(f"/supplier-invoices/{body['id']}/post").status_code == 409


def test_typed_by_hand_listed_and_a_draft_deleted(books, supplier):
    created = books.post(
        "/supplier-invoices",
        {
            "party_id": supplier.pk, "supplier_number": "2026/17", "date": "2026-03-01",
            "lines": [{"description": "Asesoría", "quantity": "1", "unit_price": "1000", "vat_rate": "21", "irpf_rate": "15"}],
        },
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert (created.json()["withholding"], created.json()["amount_due"]) == ("150.00", "1060.00")
    listed = books.get("/supplier-invoices", state="draft", party_id=supplier.pk, with_differences="false")
    assert [row["supplier_number"] for row in listed.json()["items"]] == ["2026/17"]
    assert books.get("/supplier-invoices", with_differences="true").json()["count"] == 0
    assert books.delete(f"/supplier-invoices/{created.json()['id']}").status_code == 204
    assert not SupplierInvoice.objects.exists()


def test_a_duplicate_supplier_number_is_a_422_naming_the_field(
    books, received_order, supplier, other_supplier
):
    assert draw(books, received_order()).status_code == 201
    duplicate = draw(books, received_order(), number="A-101")
    assert duplicate.status_code == 422 and duplicate["Content-Type"] == PROBLEM
    assert duplicate.json()["errors"][0]["field"] == "supplier_number"
    by_hand = {
        "supplier_number": "A-101",
        "lines": [{"description": "Portes", "quantity": "1", "unit_price": "10", "vat_rate": "21"}],
    }
    other = books.post("/supplier-invoices", {"party_id": other_supplier.pk, "date": "2026-02-01", **by_hand})
    next_year = books.post("/supplier-invoices", {"party_id": supplier.pk, "date": "2027-01-04", **by_hand})
    assert (other.status_code, next_year.status_code) == (201, 201)


def test_another_companys_records_are_not_found(
    books, api_as, make_user, company, other_company, received_order
):
    order = received_order()
    drawn = draw(books, order).json()
    stranger = make_user("otro", "accounting", companies=[other_company])
    theirs = api_as(stranger, other_company)
    assert theirs.get(f"/supplier-invoices/{drawn['id']}").status_code == 404
    assert theirs.post(f"/supplier-invoices/{drawn['id']}/post").status_code == 404
    refused = draw(theirs, order, number="B-1")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "order_ids"
    assert Membership.objects.filter(user=stranger, company=company).count() == 0


def test_bad_input_is_problem_json_never_a_500(books, supplier, received_order):
    drawn = draw(books, received_order()).json()
    for method, path, body in (
        ("post", "/supplier-invoices/from-orders", {"order_ids": [], "supplier_number": "X", "date": "2026-01-20"}),
        ("post", "/supplier-invoices/from-orders", {"order_ids": ["a"], "supplier_number": "X", "date": "2026-01-20"}),
        ("post", "/supplier-invoices", {"party_id": supplier.pk, "supplier_number": "", "date": "2026-01-20", "lines": []}),
        ("post", "/supplier-invoices", {"party_id": supplier.pk, "supplier_number": "Y", "date": "2026-01-20",
                                        "lines": [{"description": "x", "quantity": "-1", "unit_price": "1"}]}),
        ("patch", f"/supplier-invoices/{drawn['id']}", {"lines": [{"id": 999999999}]}),
        ("patch", f"/supplier-invoices/{drawn['id']}", {"date": None}),
        ("patch", f"/supplier-invoices/{drawn['id']}", {"surprise": 1}),
    ):  # fmt: skip
        answer = getattr(books, method)(path, body)
        assert answer.status_code == 422, (body, answer.content)
        assert answer["Content-Type"] == PROBLEM
    assert books.post(f"/supplier-invoices/{drawn['id']}/accept-differences").status_code == 409


def test_a_buyer_reads_but_does_not_post(api_as, buyer, company, books, received_order):
    drawn = draw(books, received_order()).json()
    reader = api_as(buyer, company)
    assert reader.get(f"/supplier-invoices/{drawn['id']}").status_code == 200
    assert reader.post(f"/supplier-invoices/{drawn['id']}/post").status_code == 403


def test_reading_and_listing_take_the_same_queries_whatever_the_lines(
    books, received_order, django_assert_max_num_queries
):
    small = draw(books, received_order(), number="S-1").json()
    large = draw(books, received_order(extra_lines=8), number="L-1").json()
    with django_assert_max_num_queries(12) as few:
        assert books.get(f"/supplier-invoices/{small['id']}").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert books.get(f"/supplier-invoices/{large['id']}").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert books.get("/supplier-invoices").json()["count"] == 2
