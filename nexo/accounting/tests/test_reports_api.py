"""The ledger reports through the API: the pages' figures as decimal strings, problem+json on bad filters."""

from datetime import date
from decimal import Decimal

import pytest

from nexo.accounting.models import Account
from nexo.accounting.services.ledger import LineInput, entry_record, journal_of

pytestmark = pytest.mark.django_db

D = Decimal
RANGE = {"date_from": "2026-01-01", "date_to": "2026-06-30"}


@pytest.fixture
def ledger(company, books, customer, accountant):
    b = books

    def post(journal, day, *lines):
        entry_record(
            company=company, by=accountant, journal=journal, date=day,
            lines=[LineInput(a.pk, D(debit), D(credit), p.pk if p else None) for a, debit, credit, p in lines],
        )  # fmt: skip

    post("GEN", date(2025, 6, 1), (b["572"], "1000", "0", None), (b["100"], "0", "1000", None))
    post("VEN", date(2026, 1, 15), (b["4300"], "121", "0", customer), (b["700"], "0", "100", None), (b["4770"], "0", "21", None))  # fmt: skip
    post("BAN", date(2026, 3, 5), (b["572"], "121", "0", None), (b["4300"], "0", "121", customer))
    return b


@pytest.fixture
def api_accountant(api_as, accountant):
    return api_as(accountant)


def test_trial_balance_as_decimal_strings(api_accountant, ledger):
    response = api_accountant.get("/accounting/reports/trial-balance", **RANGE)
    assert response.status_code == 200, response.content
    body = response.json()
    rows = {row["code"]: row for row in body["rows"]}
    assert rows["572"] == {
        "code": "572", "name": rows["572"]["name"], "account_id": ledger["572"].pk, "opening": "1000.00",
        "debit": "121.00", "credit": "0.00", "closing": "1121.00", "debit_balance": "1121.00",
        "credit_balance": "0.00",
    }  # fmt: skip
    assert body["total"]["debit"] == body["total"]["credit"] == "242.00"
    assert body["total"]["debit_balance"] == body["total"]["credit_balance"] == "1121.00"
    assert (body["date_from"], body["date_to"], body["level"]) == ("2026-01-01", "2026-06-30", "posting")
    rolled = api_accountant.get("/accounting/reports/trial-balance", level="1", **RANGE).json()
    assert [row["code"] for row in rolled["rows"]] == ["1", "4", "5", "7"]
    assert rolled["rows"][0]["account_id"] is None


def test_general_ledger_with_running_balance(api_accountant, ledger, customer):
    response = api_accountant.get("/accounting/reports/general-ledger", account_id=ledger["4300"].pk, **RANGE)
    assert response.status_code == 200, response.content
    (account,) = response.json()["accounts"]
    assert (account["opening"], account["closing"], account["line_count"]) == ("0.00", "0.00", 2)
    assert [line["balance"] for line in account["lines"]] == ["121.00", "0.00"]
    assert account["lines"][0]["party_id"] == customer.pk
    assert account["lines"][0]["entry_number"] == "VEN/2026/000001"
    paged = api_accountant.get(
        "/accounting/reports/general-ledger", code_prefix="5", limit=1, offset=0, **RANGE
    )
    body = paged.json()
    assert body["count"] == 1
    assert body["accounts"][0]["lines"][0]["balance"] == "1121.00"


def test_journal_with_lines(api_accountant, ledger):
    body = api_accountant.get("/accounting/reports/journal", **RANGE).json()
    assert body["count"] == 2
    assert [entry["number"] for entry in body["items"]] == ["VEN/2026/000001", "BAN/2026/000001"]
    assert [line["account_code"] for line in body["items"][0]["lines"]] == ["4300", "700", "4770"]
    assert body["debit"] == body["credit"] == "242.00"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-03-01", "date_to": "2026-01-01"}, "date_from"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"level": "9"}, "level"),
        ({"code_prefix": "4%"}, "code_prefix"),
    ],
)
def test_bad_filters_are_problems(api_accountant, ledger, params, field):
    response = api_accountant.get("/accounting/reports/trial-balance", **params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]


def test_another_companys_records_are_not_found(api_accountant, ledger, other_company):
    journal_of(other_company, "GEN")
    theirs = Account.objects.get(company=other_company, code="572")
    response = api_accountant.get("/accounting/reports/general-ledger", account_id=theirs.pk)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    their_journal = journal_of(other_company, "VEN")
    assert api_accountant.get("/accounting/reports/journal", journal_id=their_journal.pk).status_code == 404


def test_reports_need_the_accounting_permission(api, ledger):
    assert api.get("/accounting/reports/trial-balance").status_code == 403
