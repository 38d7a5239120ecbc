"""/payments/statements through the API: a Norma 43 file imported from base64, read with its proposals, a
line confirmed (409 the second time), posted to 626, unmatched; bad files a 422 naming the line; another
company's statement a 404."""

import base64

import pytest

from nexo.accounting.models import Account
from nexo.payments.models import BankStatement, Payment
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_statements import line, norma43_file


@pytest.fixture
def api_accountant(api_as, accountant):
    return api_as(accountant)


def send(api, bank, content: bytes, **fields):
    body = {
        "bank_account_id": bank.pk,
        "file_name": "abril.n43",
        "content": base64.b64encode(content).decode(),
    }
    return api.post("/payments/statements", {**body, **fields}, headers={"Accept-Language": "en"})


def test_import_read_confirm_post_and_unmatch(company, api_accountant, bank, make_invoice):
    invoice = make_invoice("100.00")
    content = norma43_file(line("121.00", invoice.number), line("-12.50", "COMISION"))
    created = send(api_accountant, bank, content)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["format"], body["line_count"], body["matched_count"]) == ("norma43", 2, 0)
    first, second = body["lines"]
    assert (first["line_number"], first["amount"], first["state"]) == (2, "121.00", "open")
    assert first["proposal"]["numbers"] == [invoice.number]
    assert first["proposal"]["party_name"] == "Reformas Turia, S.L." and first["proposal"]["score"] >= 80
    assert second["proposal"] is None

    listed = api_accountant.get("/payments/statements").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]

    confirmed = api_accountant.post(f"/payments/statement-lines/{first['id']}/confirm", {})
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["state"] == "matched"
    assert Payment.objects.get(pk=confirmed.json()["payment_id"]).amount == D("121.00")  # noqa: F405
    again = api_accountant.post(f"/payments/statement-lines/{first['id']}/confirm", {})
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"

    charges = Account.objects.get(company=company, code="626")
    posted = api_accountant.post(f"/payments/statement-lines/{second['id']}/post", {"account_id": charges.pk})
    assert posted.status_code == 200 and posted.json()["state"] == "posted"

    read = api_accountant.get(f"/payments/statements/{body['id']}").json()
    assert read["matched_count"] == 2

    unmatched = api_accountant.post(f"/payments/statement-lines/{first['id']}/unmatch")
    assert unmatched.status_code == 200 and unmatched.json()["state"] == "open"


def test_a_broken_line_is_a_422_naming_it_and_nothing_is_imported(api_accountant, bank):
    records = norma43_file(line("10.00", "A")).decode("latin-1").split("\r\n")
    records[1] = records[1][:10] + "XXXXXX" + records[1][16:]
    answer = send(api_accountant, bank, "\r\n".join(records).encode("latin-1"))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "file"
    assert answer.json()["errors"][0]["message"].startswith("Line 2:")
    assert not BankStatement.objects.exists()


def test_unknown_format_not_base64_and_a_repeat_are_refused(api_accountant, bank):
    assert send(api_accountant, bank, b"just some text").status_code == 422
    answer = api_accountant.post(
        "/payments/statements", {"bank_account_id": bank.pk, "content": "not base64!!"}
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "content"
    content = norma43_file(line("10.00", "A"))
    assert send(api_accountant, bank, content).status_code == 201
    assert send(api_accountant, bank, content).status_code == 409
    assert BankStatement.objects.count() == 1


def test_another_companys_statement_and_lines_are_not_found(
    api_accountant, api_as, make_user, other_company, bank
):
    created = send(api_accountant, bank, norma43_file(line("10.00", "A"))).json()
    outsider = api_as(make_user("fuera", "accounting", companies=[other_company]))
    assert outsider.get(f"/payments/statements/{created['id']}").status_code == 404
    line_id = created["lines"][0]["id"]
    assert outsider.post(f"/payments/statement-lines/{line_id}/confirm", {"party_id": 1}).status_code == 404


def test_a_sales_user_may_not_import(api, bank):
    assert send(api, bank, norma43_file(line("10.00", "A"))).status_code == 403
