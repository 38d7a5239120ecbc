"""/api/v1/accounting/payment-terms and /accounting/parties/{id}/profile: terms kept and previewed through the
API by the same services as the pages; bad input a problem (never a 500) that changes nothing; another
company's records are not there."""

from decimal import Decimal

import pytest

from nexo.accounting.models import PartyAccounting, PaymentTerm, PaymentTermLine
from nexo.accounting.services import payment_terms as services
from nexo.accounting.services.ledger import settings_of
from nexo.parties.models import Party

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
D = Decimal


@pytest.fixture
def api_accountant(api_as, accountant):
    client = api_as(accountant)
    client.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _put(client, path, body):
    return client.call("put", path, body)


def _fields(answer) -> set[str]:
    assert answer["Content-Type"] == PROBLEM, answer.content
    return {error["field"] for error in answer.json()["errors"]}


def test_list_and_read_show_installments_and_the_default(api_accountant, company, books):
    answer = api_accountant.get("/accounting/payment-terms", q="30-60")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1
    term = body["items"][0]
    assert term["name"] == "30-60-90 días" and term["name_en"] == "30-60-90 days"
    assert term["lines"] == [
        {"days": 30, "percent": None},
        {"days": 60, "percent": None},
        {"days": 90, "percent": None},
    ]
    assert term["summary"] == "30-60-90 days" and not term["is_default"] and term["active"]
    default = settings_of(company).default_term
    read = api_accountant.get(f"/accounting/payment-terms/{default.pk}").json()
    assert read["is_default"] and read["name"] == "30 días"
    paid = api_accountant.get("/accounting/payment-terms", q="pago").json()["items"][0]
    assert paid["payment_days"] == [5, 20]
    halves = api_accountant.get("/accounting/payment-terms", q="50").json()["items"][0]
    assert [line["percent"] for line in halves["lines"]] == ["50.00", "50.00"]


def test_the_list_reads_in_constant_queries(
    api_accountant, company, accountant, books, django_assert_max_num_queries
):
    api_accountant.get("/accounting/payment-terms")
    with django_assert_max_num_queries(12) as before:
        api_accountant.get("/accounting/payment-terms")
    for number in range(4):
        services.payment_term_save(
            company=company, by=accountant, name=f"P{number}", lines=[(30, None), (60, None)]
        )
    with django_assert_max_num_queries(12) as after:
        answer = api_accountant.get("/accounting/payment-terms")
    assert answer.json()["count"] == 11
    assert len(after.captured_queries) == len(before.captured_queries)


def test_create_patch_and_delete(api_accountant, company, books):
    body = {
        "name": "40-60", "name_en": "40-60", "end_of_month": True, "payment_days": [20, 5],
        "lines": [{"days": 30, "percent": "40"}, {"days": 60}],
    }  # fmt: skip
    created = api_accountant.post("/accounting/payment-terms", body, headers={"Idempotency-Key": "t-1"})
    assert created.status_code == 201, created.content
    term = created.json()
    assert (
        term["payment_days"] == [5, 20]
        and term["end_of_month"]
        and term["summary"] == "30-60 days (40 %, equal part)"
    )
    again = api_accountant.post("/accounting/payment-terms", body, headers={"Idempotency-Key": "t-1"})
    assert again.status_code == 201 and again.json() == term
    assert PaymentTerm.objects.filter(company=company, name="40-60").count() == 1
    patched = api_accountant.patch(f"/accounting/payment-terms/{term['id']}", {"name_en": "40% then 60%"})
    assert patched.status_code == 200, patched.content
    assert patched.json()["lines"] == term["lines"] and patched.json()["payment_days"] == [5, 20]
    relined = api_accountant.patch(
        f"/accounting/payment-terms/{term['id']}", {"lines": [{"days": 15}], "payment_days": []}
    )
    assert relined.json()["lines"] == [{"days": 15, "percent": None}] and relined.json()["payment_days"] == []
    gone = api_accountant.delete(f"/accounting/payment-terms/{term['id']}")
    assert gone.status_code == 204
    assert not PaymentTerm.objects.filter(pk=term["id"]).exists()


def test_a_term_in_use_is_a_conflict_and_can_be_deactivated(api_accountant, company, books):
    default = settings_of(company).default_term
    refused = api_accountant.delete(f"/accounting/payment-terms/{default.pk}")
    assert refused.status_code == 409 and "deactivate it instead" in refused.json()["detail"]
    stays = api_accountant.patch(f"/accounting/payment-terms/{default.pk}", {"active": False})
    assert stays.status_code == 409
    sixty = PaymentTerm.objects.get(company=company, name="60 días")
    made = api_accountant.post(f"/accounting/payment-terms/{sixty.pk}/make-default")
    assert made.status_code == 200 and made.json()["is_default"]
    off = api_accountant.patch(f"/accounting/payment-terms/{default.pk}", {"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert api_accountant.get("/accounting/payment-terms", active="false").json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"days": 30, "percent": "60"}, {"days": 60, "percent": "60"}]}, "lines"),  # 120 %
        ({"lines": [{"days": 30, "percent": "150"}]}, "lines.0.percent"),
        ({"lines": [{"days": 30, "percent": "0"}, {"days": 60}]}, "lines.0.percent"),
        ({"lines": [{"days": 30, "percent": 50}, {"days": 60}]}, "lines.0.percent"),  # a JSON number
        ({"lines": [{"days": 30, "percent": "50"}]}, "lines"),
        ({"lines": [{"days": 731}]}, "lines.0.days"),
        ({"lines": []}, "lines"),
        ({"lines": [{"days": 30}], "payment_days": [5, 32]}, "payment_days.1"),
        ({"lines": [{"days": 30}], "payment_days": [0]}, "payment_days.0"),
        ({"lines": [{"days": 30}], "name": "30 días"}, "name"),
        ({"lines": [{"days": 30}], "name": ""}, "name"),
        ({"lines": [{"days": 30}], "name": "a\x00b"}, "name"),
        ({"lines": [{"days": 30}], "colour": "red"}, "colour"),
    ],
)
def test_bad_terms_are_problems_that_change_nothing(api_accountant, books, body, field):
    before = PaymentTerm.objects.count(), PaymentTermLine.objects.count()
    answer = api_accountant.post("/accounting/payment-terms", {"name": "Nueva"} | body)
    assert answer.status_code == 422, answer.content
    assert field in _fields(answer)
    assert (PaymentTerm.objects.count(), PaymentTermLine.objects.count()) == before


def test_the_split_previews_the_due_amounts(api_accountant, company, books):
    ninety = PaymentTerm.objects.get(company=company, name="30-60-90 días")
    url = f"/accounting/payment-terms/{ninety.pk}/split"
    answer = api_accountant.post(url, {"total": "100.00", "date": "2026-06-01"})
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "term_id": ninety.pk, "total": "100.00", "date": "2026-06-01",
        "items": [
            {"due_date": "2026-07-01", "amount": "33.33"},
            {"due_date": "2026-07-31", "amount": "33.33"},
            {"due_date": "2026-08-30", "amount": "33.34"},
        ],
    }  # fmt: skip
    august = api_accountant.post(url, {"total": "0.02", "date": "2026-06-01", "holiday_month": 8}).json()
    assert [item["amount"] for item in august["items"]] == ["0.01", "0.01", "0.00"]
    assert august["items"][2]["due_date"] == "2026-09-01"
    credit = api_accountant.post(url, {"total": "-100.00", "date": "2026-06-01"}).json()
    assert [item["amount"] for item in credit["items"]] == ["-33.33", "-33.33", "-33.34"]
    for bad, field in (
        ({"total": "1.001", "date": "2026-06-01"}, "total"),
        ({"total": 100, "date": "2026-06-01"}, "total"),
        ({"total": "100", "date": "2026-02-30"}, "date"),
        ({"total": "100", "date": "2026-06-01", "holiday_month": 13}, "holiday_month"),
    ):
        refused = api_accountant.post(url, bad)
        assert refused.status_code == 422 and field in _fields(refused), bad


def test_a_partys_profile_is_read_and_set(api_accountant, company, books, customer):
    url = f"/accounting/parties/{customer.pk}/profile"
    default = settings_of(company).default_term
    empty = api_accountant.get(url).json()
    assert empty == {
        "party_id": customer.pk, "customer_term_id": None, "supplier_term_id": None,
        "effective_customer_term_id": default.pk, "effective_supplier_term_id": default.pk,
        "credit_limit": None, "holiday_month": None,
    }  # fmt: skip
    ninety = PaymentTerm.objects.get(company=company, name="30-60-90 días")
    answer = _put(
        api_accountant, url, {"customer_term_id": ninety.pk, "credit_limit": "2500.5", "holiday_month": 8}
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["customer_term_id"] == body["effective_customer_term_id"] == ninety.pk
    assert body["effective_supplier_term_id"] == default.pk
    assert body["credit_limit"] == "2500.50" and body["holiday_month"] == 8
    assert api_accountant.get(url).json() == body
    cleared = _put(api_accountant, url, {}).json()
    assert cleared["customer_term_id"] is None and cleared["credit_limit"] is None


def test_another_companys_term_or_party_is_404_or_422(
    api_accountant, company, other_company, books, customer
):
    services.payment_terms_setup(other_company)
    theirs = PaymentTerm.objects.get(company=other_company, name="60 días")
    assert api_accountant.get(f"/accounting/payment-terms/{theirs.pk}").status_code == 404
    assert api_accountant.patch(f"/accounting/payment-terms/{theirs.pk}", {"name": "Mía"}).status_code == 404
    assert api_accountant.delete(f"/accounting/payment-terms/{theirs.pk}").status_code == 404
    split = api_accountant.post(
        f"/accounting/payment-terms/{theirs.pk}/split", {"total": "1", "date": "2026-01-01"}
    )
    assert split.status_code == 404 and split["Content-Type"] == PROBLEM
    refused = _put(
        api_accountant, f"/accounting/parties/{customer.pk}/profile", {"customer_term_id": theirs.pk}
    )
    assert refused.status_code == 422 and _fields(refused) == {"customer_term_id"}
    stranger = Party.objects.create(company=other_company, name="Ajeno, S.L.", status="customer")
    assert api_accountant.get(f"/accounting/parties/{stranger.pk}/profile").status_code == 404
    assert _put(api_accountant, f"/accounting/parties/{stranger.pk}/profile", {}).status_code == 404
    assert not PartyAccounting.objects.exists()
    assert PaymentTerm.objects.get(pk=theirs.pk).name == "60 días"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"credit_limit": "-1"}, "credit_limit"),
        ({"credit_limit": "1.005"}, "credit_limit"),
        ({"credit_limit": 100}, "credit_limit"),
        ({"holiday_month": 0}, "holiday_month"),
        ({"holiday_month": 13}, "holiday_month"),
        ({"customer_term_id": 0}, "customer_term_id"),
        ({"supplier_term_id": 999999999}, "supplier_term_id"),
    ],
)
def test_a_bad_profile_is_a_problem_that_changes_nothing(api_accountant, books, customer, body, field):
    answer = _put(api_accountant, f"/accounting/parties/{customer.pk}/profile", body)
    assert answer.status_code == 422 and field in _fields(answer), answer.content
    assert not PartyAccounting.objects.exists()


def test_roles_without_the_permission_are_refused(api_as, sales_user, make_user, books, customer, company):
    sales = api_as(sales_user)
    assert sales.get("/accounting/payment-terms").status_code == 403
    assert _put(sales, f"/accounting/parties/{customer.pk}/profile", {"credit_limit": "1"}).status_code == 403
    assert sales.post("/accounting/payment-terms", {"name": "X", "lines": [{"days": 1}]}).status_code == 403
    assert not PartyAccounting.objects.exists() and not PaymentTerm.objects.filter(name="X").exists()
