"""The fiscal years, periods and settings API: read, create, close, reopen, close and open a period, the lock
date and the stock method; problem+json on every bad input, and nothing changes then."""

from datetime import date
from decimal import Decimal

import pytest

from nexo.accounting.models import AccountingSettings, Entry, FiscalYear, Period
from nexo.accounting.services import ledger as services
from nexo.accounting.services.ledger import LineInput

pytestmark = pytest.mark.django_db

D = Decimal
PROBLEM = "application/problem+json"


@pytest.fixture
def client(api_as, accountant, company, books):
    client = api_as(accountant, company)
    client.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the assertions read English
    return client


@pytest.fixture
def year_2025(client):
    response = client.post("/accounting/fiscal-years", {"year": 2025})
    assert response.status_code == 201, response.content
    return response.json()


def _sale(company, books, accountant, customer, day):
    return services.entry_record(
        company=company, by=accountant, journal="VEN", date=day,
        lines=[LineInput(books["4300"].pk, D("121.00"), party_id=customer.pk),
               LineInput(books["700"].pk, credit=D("100.00")), LineInput(books["4770"].pk, credit=D("21.00"))],
    )  # fmt: skip


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


def test_years_are_listed_with_their_entries_and_result(
    client, company, books, accountant, customer, year_2025
):
    _sale(company, books, accountant, customer, date(2025, 3, 1))
    body = client.get("/accounting/fiscal-years").json()
    assert [(item["name"], item["state"], item["entries"], item["result"]) for item in body["items"]] == [
        ("2025", "open", 1, "100.00"),
        ("2026", "open", 0, "0.00"),
    ]
    detail = client.get(f"/accounting/fiscal-years/{year_2025['id']}").json()
    assert [period["start"] for period in detail["periods"]][:2] == ["2025-01-01", "2025-02-01"]
    assert len(detail["periods"]) == 12


def test_create_the_next_year_and_refuse_an_existing_one(client, company):
    response = client.post("/accounting/fiscal-years", {})
    assert response.status_code == 201
    assert response.json()["name"] == "2027"
    assert _problem(client.post("/accounting/fiscal-years", {"year": 2027}), 409)["detail"] == (
        "Fiscal year 2027 already exists."
    )
    for bad in ({"year": 1800}, {"year": "soon"}, {"year": 2030, "extra": 1}):
        _problem(client.post("/accounting/fiscal-years", bad), 422)
    assert FiscalYear.objects.filter(company=company).count() == 2


def test_close_and_reopen_through_the_api(client, company, books, accountant, customer, year_2025):
    _sale(company, books, accountant, customer, date(2025, 3, 1))
    path = f"/accounting/fiscal-years/{year_2025['id']}"
    response = client.post(f"{path}/close")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "closed"
    assert {period["state"] for period in body["periods"]} == {"closed"}
    assert body["result"] == "100.00"
    assert (
        Entry.objects.filter(company=company, kind__in=["regularisation", "closing", "opening"]).count() == 3
    )
    # Closing twice: 409, nothing changes.
    count = Entry.objects.count()
    assert "already closed" in _problem(client.post(f"{path}/close"), 409)["detail"]
    assert Entry.objects.count() == count
    # Posting into the closed year through the journal entries API is refused as well.
    response = client.post(f"{path}/reopen")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "open"
    assert "is open" in _problem(client.post(f"{path}/reopen"), 409)["detail"]


def test_close_refusals_are_409_and_change_nothing(client, company, books, accountant, customer, year_2025):
    year_2026 = FiscalYear.objects.get(company=company, name="2026")
    assert (
        "Close fiscal year 2025 first"
        in _problem(client.post(f"/accounting/fiscal-years/{year_2026.pk}/close"), 409)["detail"]
    )
    services.entry_create(
        company=company, by=accountant, journal_id=services.journal_of(company, "GEN").pk, date=date(2025, 5, 1),
        lines=[LineInput(books["572"].pk, D("5")), LineInput(books["100"].pk, credit=D("5"))],
    )  # fmt: skip
    assert (
        "draft" in _problem(client.post(f"/accounting/fiscal-years/{year_2025['id']}/close"), 409)["detail"]
    )
    assert not FiscalYear.objects.filter(company=company, state="closed").exists()
    assert Entry.objects.filter(company=company).count() == 1


def test_another_companys_year_and_unknown_ids_are_404(client, other_company, year_2025):
    other = FiscalYear.objects.create(
        company=other_company, name="2025", start=date(2025, 1, 1), end=date(2025, 12, 31)
    )
    other_period = Period.objects.create(
        fiscal_year=other, number=1, start=date(2025, 1, 1), end=date(2025, 1, 31)
    )
    _problem(client.get(f"/accounting/fiscal-years/{other.pk}"), 404)
    _problem(client.post(f"/accounting/fiscal-years/{other.pk}/close"), 404)
    _problem(client.post(f"/accounting/fiscal-years/{other.pk}/reopen"), 404)
    _problem(client.post(f"/accounting/periods/{other_period.pk}/close"), 404)
    _problem(client.get("/accounting/fiscal-years/0"), 422)
    _problem(client.post(f"/accounting/periods/{2**63}/close"), 422)
    assert FiscalYear.objects.get(pk=other.pk).state == "open"
    assert Period.objects.get(pk=other_period.pk).state == "open"


def test_periods_close_and_open(client, company, books, accountant, customer, year_2025):
    march = Period.objects.get(fiscal_year_id=year_2025["id"], number=3)
    response = client.post(f"/accounting/periods/{march.pk}/close")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": march.pk, "number": 3, "start": "2025-03-01", "end": "2025-03-31", "state": "closed",
    }  # fmt: skip
    with pytest.raises(Exception, match="period of 2025-03-01 is closed"):
        _sale(company, books, accountant, customer, date(2025, 3, 1))
    assert "already closed" in _problem(client.post(f"/accounting/periods/{march.pk}/close"), 409)["detail"]
    assert client.post(f"/accounting/periods/{march.pk}/open").json()["state"] == "open"
    _sale(company, books, accountant, customer, date(2025, 3, 1))


def test_settings_read_and_set(client, company, books, accountant, customer):
    assert client.get("/accounting/settings").json() == {
        "chart_template": "pgc_pymes", "stock_method": "continental", "lock_date": None,
    }  # fmt: skip
    response = client.call(
        "put", "/accounting/settings", {"lock_date": "2026-03-31", "stock_method": "perpetual"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["lock_date"] == "2026-03-31"
    with pytest.raises(Exception, match="locked up to 2026-03-31"):
        _sale(company, books, accountant, customer, date(2026, 3, 31))
    _sale(company, books, accountant, customer, date(2026, 4, 1))
    # Bad input: nothing changes, not even the valid field sent beside it.
    for bad in (
        {"lock_date": "2026-02-30", "stock_method": "continental"},
        {"lock_date": None, "stock_method": "fifo"},
        {"lock_date": None},
        {"lock_date": "0001-01-01", "stock_method": "continental"},
        {"lock_date": None, "stock_method": "continental", "chart_template": "generic"},
    ):
        _problem(client.call("put", "/accounting/settings", bad), 422)
    settings = AccountingSettings.objects.get(company=company)
    assert (settings.lock_date, settings.stock_method) == (date(2026, 3, 31), "perpetual")
    response = client.call("put", "/accounting/settings", {"lock_date": None, "stock_method": "continental"})
    assert response.json()["lock_date"] is None


def test_a_sales_user_may_not_close_a_year_nor_lock_the_books(api_as, sales_user, company, year_2025):
    sales = api_as(sales_user, company)
    _problem(sales.post(f"/accounting/fiscal-years/{year_2025['id']}/close"), 403)
    _problem(
        sales.call("put", "/accounting/settings", {"lock_date": None, "stock_method": "continental"}), 403
    )
    assert FiscalYear.objects.get(pk=year_2025["id"]).state == "open"
