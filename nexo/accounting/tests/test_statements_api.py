"""The statements through the API: figures as decimal strings, the same as the service's, and bad input as
problem+json 422."""

from datetime import date
from decimal import Decimal

import pytest

from nexo.accounting.services.ledger import LineInput, entry_record

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def posted(company, books, customer, accountant):
    entry_record(company=company, by=accountant, journal="VEN", date=date(2026, 3, 1), lines=[
        LineInput(books["4300"].pk, debit=D("1210.00"), party_id=customer.pk),
        LineInput(books["700"].pk, credit=D("1000.00")), LineInput(books["4770"].pk, credit=D("210.00")),
    ])  # fmt: skip
    entry_record(company=company, by=accountant, journal="BAN", date=date(2026, 3, 5), lines=[
        LineInput(books["626"].pk, debit=D("12.50")), LineInput(books["572"].pk, credit=D("12.50")),
    ])  # fmt: skip
    return books


def test_profit_and_loss_as_decimal_strings(api_as, accountant, posted):
    api = api_as(accountant)
    response = api.get("/accounting/reports/profit-and-loss", date_from="2026-01-01", date_to="2026-03-31")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["statement"] == "profit_and_loss"
    assert body["template"] == "pgc_pymes"
    assert (body["date_from"], body["date_to"]) == ("2026-01-01", "2026-03-31")
    assert (body["previous_from"], body["previous_to"]) == ("2025-01-01", "2025-03-31")
    assert body["result"] == "987.50"
    assert body["previous_result"] == "0.00"
    lines = {line["key"]: line for line in body["lines"]}
    assert lines["1"]["amount"] == "1000.00"
    assert lines["7"]["amount"] == "-12.50"
    assert lines["7"]["accounts"] == [
        {
            "id": posted["626"].pk,
            "code": "626",
            "name": posted["626"].name,
            "amount": "-12.50",
            "previous": "0.00",
        }
    ]
    assert lines["D"]["is_total"] is True
    assert "-706" in lines["1"]["prefixes"]


def test_balance_sheet_balances(api_as, accountant, posted):
    api = api_as(accountant)
    response = api.get("/accounting/reports/balance-sheet", date="2026-03-31")
    assert response.status_code == 200, response.content
    body = response.json()
    lines = {line["key"]: line for line in body["lines"]}
    assert body["previous_to"] == "2025-12-31" and body["date_from"] is None
    assert lines["assets.total"]["amount"] == lines["liabilities.total"]["amount"] == "1210.00"
    assert lines["liabilities.C.II.1"]["amount"] == "12.50"  # the bank overdrawn
    assert lines["liabilities.A-1.VII"]["amount"] == body["result"] == "987.50"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (
            "/accounting/reports/profit-and-loss",
            {"date_from": "2026-03-01", "date_to": "2026-02-01"},
            "date_to",
        ),
        ("/accounting/reports/profit-and-loss", {"date_from": "2026-02-30"}, "date_from"),
        ("/accounting/reports/profit-and-loss", {"date_from": "0001-01-01"}, "date_from"),
        ("/accounting/reports/balance-sheet", {"date": "yesterday"}, "date"),
        ("/accounting/reports/balance-sheet", {"date": "9999-12-31"}, "date"),
    ],
)
def test_bad_dates_are_problems(api_as, accountant, books, path, params, field):
    response = api_as(accountant).get(path, **params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_a_role_without_the_ledger_is_refused(api, books):
    response = api.get("/accounting/reports/balance-sheet")
    assert response.status_code == 403


def test_another_company_sees_its_own_books(api_as, make_user, company, other_company, posted):
    outsider = make_user("contable2", "accounting", companies=[other_company])
    response = api_as(outsider).get("/accounting/reports/profit-and-loss", date_from="2026-01-01",
                                    date_to="2026-12-31")  # fmt: skip
    assert response.status_code == 200
    assert response.json()["result"] == "0.00"


def test_constant_queries(api_as, accountant, posted, django_assert_max_num_queries):
    api = api_as(accountant)
    with django_assert_max_num_queries(12):
        assert api.get("/accounting/reports/balance-sheet", date="2026-03-31").status_code == 200
    with django_assert_max_num_queries(12):
        assert api.get("/accounting/reports/profit-and-loss").status_code == 200
