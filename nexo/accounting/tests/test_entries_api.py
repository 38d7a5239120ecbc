"""/accounting/entries and /accounting/entry-templates: the ledger services through the API, problem+json for
bad input and forbidden states, idempotent creation, fixed query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from nexo.accounting.models import Account, Entry, FiscalYear
from nexo.accounting.services.ledger import LineInput, entry_record, journal_of, lock_date_set
from nexo.parties.models import Party

PROBLEM = "application/problem+json"
TODAY = date.today()


@pytest.fixture
def client(api_as, accountant, company, books):
    client = api_as(accountant, company)
    client.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def body(books, company, amount="10.00", **extra):
    return {
        "journal_id": journal_of(company, "GEN").pk, "date": TODAY.isoformat(), "description": "Bank fee",
        "lines": [
            {"account_id": books["626"].pk, "debit": amount},
            {"account_id": books["572"].pk, "credit": amount},
        ],
        **extra,
    }  # fmt: skip


def problem(answer, status, field=None):
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"].startswith(PROBLEM)
    if field is not None:
        assert field in [error["field"] for error in answer.json()["errors"]], answer.json()


def test_a_draft_changed_posted_reversed_once(client, company, books):
    made = client.post("/accounting/entries", body(books, company))
    assert made.status_code == 201, made.content
    entry = made.json()
    assert (entry["state"], entry["number"], entry["total"]) == ("draft", "", "10.00")
    assert [(line["account_code"], line["debit"], line["credit"]) for line in entry["lines"]] == [
        ("626", "10.00", "0.00"), ("572", "0.00", "10.00"),
    ]  # fmt: skip
    assert entry["lines"][0]["account_name"] == "Bank services"
    changed = client.patch(f"/accounting/entries/{entry['id']}", {"description": "Comisión mantenimiento"})
    assert changed.status_code == 200 and changed.json()["description"] == "Comisión mantenimiento"
    assert len(changed.json()["lines"]) == 2
    posted = client.post(f"/accounting/entries/{entry['id']}/post")
    assert posted.status_code == 200 and posted.json()["number"] == f"GEN/{TODAY.year}/000001"
    problem(client.post(f"/accounting/entries/{entry['id']}/post"), 409)
    problem(client.patch(f"/accounting/entries/{entry['id']}", {"description": "x"}), 409)
    problem(client.delete(f"/accounting/entries/{entry['id']}"), 409)
    reversal = client.post(f"/accounting/entries/{entry['id']}/reverse", {"description": "Error"})
    assert reversal.status_code == 201, reversal.content
    assert reversal.json()["reverses_id"] == entry["id"] and reversal.json()["lines"][0]["credit"] == "10.00"
    assert client.get(f"/accounting/entries/{entry['id']}").json()["reversed_by_id"] == reversal.json()["id"]
    problem(client.post(f"/accounting/entries/{entry['id']}/reverse", {}), 409)
    problem(client.post(f"/accounting/entries/{reversal.json()['id']}/reverse"), 409)
    problem(
        client.post(f"/accounting/entries/{reversal.json()['id']}/reverse", {"date": "x", "bogus": 1}), 422
    )
    problem(client.post(f"/accounting/entries/{reversal.json()['id']}/reverse", raw=b"[1"), 422)


def test_posting_at_once_and_the_list_filters(client, company, books):
    made = client.post("/accounting/entries", body(books, company, post=True))
    assert made.status_code == 201 and made.json()["state"] == "posted"
    client.post("/accounting/entries", body(books, company, amount="3.00"))
    listed = client.get("/accounting/entries", state="draft")
    assert listed.json()["count"] == 1 and listed.json()["items"][0]["total"] == "3.00"
    assert client.get("/accounting/entries", account_id=books["626"].pk).json()["count"] == 2
    assert client.get("/accounting/entries", account_id=books["700"].pk).json()["count"] == 0
    assert client.get("/accounting/entries", q="000001").json()["count"] == 1
    assert (
        client.get("/accounting/entries", date_from=(TODAY + timedelta(days=1)).isoformat()).json()["count"]
        == 0
    )
    assert (
        client.get("/accounting/entries", limit=1, offset=1, ordering="total").json()["items"][0]["total"]
        == "10.00"
    )
    problem(client.get("/accounting/entries", q="x" * 101), 422)
    problem(client.get("/accounting/entries", state="gone"), 422)


def test_posting_at_once_an_unbalanced_entry_creates_nothing(client, company, books):
    payload = body(books, company, post=True)
    payload["lines"][1]["credit"] = "9.99"
    problem(client.post("/accounting/entries", payload), 422, "lines")
    assert not Entry.objects.exists()
    payload["post"] = False
    assert client.post("/accounting/entries", payload).status_code == 201  # a draft may be unbalanced
    entry = Entry.objects.get()
    problem(client.post(f"/accounting/entries/{entry.pk}/post"), 422, "lines")


def test_locked_and_closed_periods_refuse_posting(client, company, books, accountant):
    lock_date_set(company=company, by=accountant, lock_date=TODAY)
    problem(client.post("/accounting/entries", body(books, company, post=True)), 422, "date")
    lock_date_set(company=company, by=accountant, lock_date=None)
    FiscalYear.objects.filter(company=company).update(state="closed")
    problem(client.post("/accounting/entries", body(books, company, post=True)), 422, "date")
    assert not Entry.objects.exists()


def test_view_accounts_other_companies_and_missing_parties_are_422(
    client, company, books, other_company, customer
):
    journal_of(other_company, "GEN")
    foreign_account = Account.objects.get(company=other_company, code="626")
    foreign_party = Party.objects.create(company=other_company, name="Ajena")
    cases = [
        ({"account_id": books["62"].pk, "debit": "10.00"}, "lines[0].account_id"),
        ({"account_id": foreign_account.pk, "debit": "10.00"}, "lines[0].account_id"),
        ({"account_id": books["4300"].pk, "debit": "10.00"}, "lines[0].party_id"),
        (
            {"account_id": books["4300"].pk, "party_id": foreign_party.pk, "debit": "10.00"},
            "lines[0].party_id",
        ),
    ]
    for line, field in cases:
        payload = body(books, company)
        payload["lines"][0] = line
        answer = client.post("/accounting/entries", payload)
        assert answer.status_code == 422, (line, answer.content)
        assert answer["Content-Type"].startswith(PROBLEM)
        assert answer.json()["errors"][0]["field"].startswith("lines[0]"), answer.json()
    payload = body(books, company, journal_id=journal_of(other_company, "GEN").pk)
    problem(client.post("/accounting/entries", payload), 422, "journal_id")
    payload = body(books, company, post=True)
    payload["lines"][0] = {"account_id": books["4300"].pk, "party_id": customer.pk, "debit": "10.00"}
    assert client.post("/accounting/entries", payload).status_code == 201
    assert not Entry.objects.filter(company=other_company).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"description": "a\x00b"},
        {"description": "x" * 201},
        {"date": "2026-02-30"},
        {"journal_id": 0},
        {"journal_id": 10**20},
        {"lines": []},
        {"lines": [{"account_id": 1, "debit": 5}]},
        {"lines": [{"account_id": 1, "debit": "1e5"}]},
        {"lines": [{"account_id": 1, "debit": "-5.00"}]},
        {"lines": [{"account_id": 1, "debit": "5.001"}]},
        {"lines": [{"account_id": 1, "debit": "9" * 20}]},
        {"lines": [{"account_id": 1, "debit": "5", "bogus": 1}]},
        {"lines": [{"account_id": 1, "debit": "5", "credit": "5"}, {"account_id": 1, "credit": "0"}]},
        {"post": "maybe"},
    ],
)
def test_bad_input_is_a_4xx_problem(client, company, books, change):
    answer = client.post("/accounting/entries", {**body(books, company), **change})
    assert 400 <= answer.status_code < 500 and answer["Content-Type"].startswith(PROBLEM), answer.content
    assert not Entry.objects.exists()


def test_huge_and_broken_bodies(client, company, books):
    payload = body(books, company)
    payload["lines"] = payload["lines"] * 1500
    problem(client.post("/accounting/entries", payload), 422)
    answer = client.post("/accounting/entries", raw=b"{not json")
    assert 400 <= answer.status_code < 500
    problem(client.get("/accounting/entries/99999999999"), 404)
    problem(client.post("/accounting/entries/0/post"), 422)


def test_another_companys_entry_is_404(client, company, books, other_company):
    journal_of(other_company, "GEN")
    foreign = entry_record(
        company=other_company, by=None, journal="GEN", date=TODAY,
        lines=[
            LineInput(Account.objects.get(company=other_company, code="626").pk, debit=Decimal("1.00")),
            LineInput(Account.objects.get(company=other_company, code="572").pk, credit=Decimal("1.00")),
        ],
    )  # fmt: skip
    problem(client.get(f"/accounting/entries/{foreign.pk}"), 404)
    problem(client.patch(f"/accounting/entries/{foreign.pk}", {"description": "x"}), 404)
    problem(client.delete(f"/accounting/entries/{foreign.pk}"), 404)
    problem(client.post(f"/accounting/entries/{foreign.pk}/post"), 404)
    problem(client.post(f"/accounting/entries/{foreign.pk}/reverse"), 404)
    assert client.get("/accounting/entries").json()["count"] == 0


def test_a_sales_user_may_not_touch_entries(api, company, books):
    problem(api.get("/accounting/entries"), 403)
    problem(api.post("/accounting/entries", body(books, company)), 403)
    problem(api.get("/accounting/entry-templates"), 403)


def test_the_same_idempotency_key_replays_the_first_answer(client, company, books):
    first = client.post("/accounting/entries", body(books, company), headers={"Idempotency-Key": "fee-1"})
    again = client.post("/accounting/entries", body(books, company), headers={"Idempotency-Key": "fee-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and Entry.objects.count() == 1
    problem(
        client.post(
            "/accounting/entries", body(books, company, amount="2.00"), headers={"Idempotency-Key": "fee-1"}
        ),
        422,
    )


def test_reads_run_a_fixed_number_of_queries(
    client, company, books, accountant, customer, django_assert_max_num_queries
):
    lines = [LineInput(books["4300"].pk, debit=Decimal("1.00"), party_id=customer.pk) for _ in range(80)]
    lines.append(LineInput(books["700"].pk, credit=Decimal("80.00")))
    big = entry_record(company=company, by=accountant, journal="GEN", date=TODAY, lines=lines)
    with django_assert_max_num_queries(12):
        answer = client.get(f"/accounting/entries/{big.pk}")
    assert len(answer.json()["lines"]) == 81 and answer.json()["lines"][0]["party_name"] == customer.name
    for _ in range(30):
        entry_record(
            company=company,
            by=accountant,
            journal="GEN",
            date=TODAY,
            lines=[lines[0], LineInput(books["700"].pk, credit=Decimal("1.00"))],
        )
    with django_assert_max_num_queries(12):
        assert client.get("/accounting/entries").json()["count"] == 31


def test_the_templates_name_the_companys_accounts_and_what_its_chart_lacks(client, company, books):
    answer = client.get("/accounting/entry-templates")
    assert answer.status_code == 200
    templates = {item["key"]: item for item in answer.json()["items"]}
    assert set(templates) == {"bank_charges", "payroll", "depreciation", "vat_settlement"}
    bank = templates["bank_charges"]
    assert [(line["side"], line["account_code"]) for line in bank["lines"]] == [
        ("debit", "626"),
        ("credit", "572"),
    ]
    assert bank["missing"] == []
    vat = {line["reference"]: line for line in templates["vat_settlement"]["lines"]}
    assert vat["output_vat"]["account_code"] == "4770"
    for template in templates.values():
        for line in template["lines"]:
            assert (line["account_id"] is None) == (
                line["reference"] in template["missing"] or line["account_code"] == ""
            )
