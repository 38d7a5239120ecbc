"""/api/v1/accounting/accounts, /journals and /default-accounts: the chart read and kept through the API, by
the same services as the pages; bad input answers a problem, never a 500."""

import pytest

from nexo.accounting.models import Account, AccountDefault
from nexo.accounting.services import ledger as ledger_services

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def api_accountant(api_as, accountant):
    """An accountant's API client whose problems are asserted in English."""
    client = api_as(accountant)
    client.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_list_filters_and_pages(api_accountant, books):
    answer = api_accountant.get("/accounting/accounts", code="43", limit=3)
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == sum(1 for code in books if code.startswith("43"))
    assert [item["code"] for item in body["items"]] == ["43", "430", "4300"]
    first = body["items"][2]
    assert first["parent_id"] == books["430"].pk and first["needs_party"] and first["level"] == 4
    assert not first["is_view"] and first["nature"] == "asset" and first["name_en"] == "Customers (euros)"
    level_one = api_accountant.get("/accounting/accounts", level=1, limit=500).json()
    assert [item["code"] for item in level_one["items"]] == ["1", "2", "3", "4", "5", "6", "7"]
    expenses = api_accountant.get("/accounting/accounts", nature="expense", q="bancarios").json()
    assert [item["code"] for item in expenses["items"]] == ["626"]
    english = api_accountant.get("/accounting/accounts", q="bank services").json()
    assert [item["code"] for item in english["items"]] == ["626"]
    page_two = api_accountant.get("/accounting/accounts", limit=5, offset=5).json()
    assert [item["code"] for item in page_two["items"]] == sorted(books)[5:10]


def test_read_create_and_patch(api_accountant, books):
    created = api_accountant.post(
        "/accounting/accounts", {"code": "43000001", "name": "Cliente Uno", "name_en": "Customer One"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["parent_id"] == books["4300"].pk and body["needs_party"] and body["nature"] == "asset"
    read = api_accountant.get(f"/accounting/accounts/{body['id']}").json()
    assert read == body
    patched = api_accountant.patch(f"/accounting/accounts/{body['id']}", {"name": "Cliente Uno, S.L."})
    assert patched.status_code == 200, patched.content
    assert patched.json()["name"] == "Cliente Uno, S.L." and patched.json()["active"] is True
    assert patched.json()["name_en"] == "Customer One"  # left out: kept
    # The receivable role moved to the first sub-account of 4300: it stays active while it has the role.
    refused = api_accountant.patch(f"/accounting/accounts/{body['id']}", {"active": False})
    assert refused.status_code == 409 and "default account" in refused.json()["detail"]
    second = api_accountant.post("/accounting/accounts", {"code": "43000002", "name": "Cliente Dos"}).json()
    off = api_accountant.patch(f"/accounting/accounts/{second['id']}", {"active": False, "needs_party": True})
    assert off.status_code == 200 and off.json()["active"] is False


def test_create_is_idempotent(api_accountant, books):
    body = {"code": "5720001", "name": "Banco Uno"}
    first = api_accountant.post("/accounting/accounts", body, headers={"Idempotency-Key": "bank-1"})
    again = api_accountant.post("/accounting/accounts", body, headers={"Idempotency-Key": "bank-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Account.objects.filter(code="5720001").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "4300", "name": "Duplicada"}, "code"),
        ({"code": "8000", "name": "Sin padre"}, "code"),
        ({"code": "43a", "name": "Letras"}, "code"),
        ({"code": "1" * 17, "name": "Larga"}, "code"),
        ({"code": "43000002", "name": "x" * 5000}, "name"),
        ({"code": "43000002", "name": ""}, "name"),
        ({"code": "43000002", "name": "Con\x07campana"}, "name"),
        ({"code": "43000002", "name": "Bien", "name_en": "nul\x00"}, "name_en"),
        ({"code": "43000002", "name": "Bien", "nature": "asset"}, "nature"),
        ({"code": 43000002, "name": "Bien"}, "code"),
    ],
)
def test_bad_input_is_a_422_problem(api_accountant, books, body, field):
    answer = api_accountant.post("/accounting/accounts", body)
    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == PROBLEM
    assert field in [error["field"] for error in answer.json()["errors"]]
    assert not Account.objects.filter(code="43000002").exists()


def test_conflicts_are_409(api_accountant, accountant, company, books):
    from datetime import date
    from decimal import Decimal

    from nexo.accounting.services.ledger import LineInput

    ledger_services.entry_record(
        company=company, by=accountant, journal="GEN", date=date(2026, 2, 1),
        lines=[LineInput(books["572"].pk, debit=Decimal("50.00")), LineInput(books["100"].pk, credit=Decimal("50.00"))],
    )  # fmt: skip
    under_used = api_accountant.post("/accounting/accounts", {"code": "5720001", "name": "Banco"})
    assert under_used.status_code == 409 and "entry lines" in under_used.json()["detail"]
    deactivate = api_accountant.patch(f"/accounting/accounts/{books['572'].pk}", {"active": False})
    assert deactivate.status_code == 409 and "balance" in deactivate.json()["detail"]


def test_another_companys_ids_are_404_or_422(api_accountant, books, other_company):
    ledger_services.journal_of(other_company, "GEN")
    foreign = Account.objects.get(company=other_company, code="700")
    assert api_accountant.get(f"/accounting/accounts/{foreign.pk}").status_code == 404
    assert api_accountant.patch(f"/accounting/accounts/{foreign.pk}", {"name": "Mía"}).status_code == 404
    answer = api_accountant.call("put", "/accounting/default-accounts/sales", {"account_id": foreign.pk})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "account_id"
    assert api_accountant.get(f"/accounting/accounts/{2**64}").status_code == 422
    assert Account.objects.get(pk=foreign.pk).name != "Mía"


def test_journals_and_default_accounts(api_accountant, books, company):
    journals = api_accountant.get("/accounting/journals").json()
    assert [item["code"] for item in journals["items"]] == ["BAN", "CAJ", "CIE", "COM", "EXI", "GEN", "VEN", "VEN-R", "VEN-S"]
    defaults = api_accountant.get("/accounting/default-accounts").json()
    assert defaults["items"][0] == {
        "role": "receivable", "account_id": books["4300"].pk, "code": "4300", "name": "Clientes (euros)",
    }  # fmt: skip
    assert defaults["count"] == 18
    answer = api_accountant.call(
        "put", "/accounting/default-accounts/bank_charges", {"account_id": books["669"].pk}
    )
    assert answer.status_code == 200 and answer.json()["code"] == "669"
    assert AccountDefault.objects.get(company=company, role="bank_charges").account == books["669"]
    view = api_accountant.call("put", "/accounting/default-accounts/sales", {"account_id": books["70"].pk})
    assert view.status_code == 422 and "view account" in view.json()["detail"]
    unknown = api_accountant.call(
        "put", "/accounting/default-accounts/salaries", {"account_id": books["640"].pk}
    )
    assert unknown.status_code == 422


def test_a_sales_user_reads_nothing_and_changes_nothing(api, books):
    assert api.get("/accounting/accounts").status_code == 403
    assert api.post("/accounting/accounts", {"code": "43000003", "name": "No"}).status_code == 403
