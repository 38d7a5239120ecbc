"""The position page, the statement's PDF and e-mail, the panel on the party's page, and the API."""

import io
import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from nexo.accounting.models import PartyAccounting
from nexo.parties.services import party_create
from nexo.payments.tests.factories_position import *  # noqa: F403
from nexo.payments.tests.factories_position import D, dues_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(company, customer, make_invoice, pay):
    """Invoices of 121.00 (January) and 242.00 (February), a payment of 100.00 on the first (February); a
    credit limit of 1,000.00."""
    first = make_invoice("100.00", day=date(2026, 1, 15))
    make_invoice("200.00", day=date(2026, 2, 3))
    pay("100.00", [(dues_of(company, first)[0], "100.00")], day=date(2026, 2, 12))
    PartyAccounting.objects.create(party=customer, credit_limit=D("1000.00"))
    return customer


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_party_page_loads_the_position_panel_with_its_links(accountant_client, story):
    page = _text(accountant_client.get(reverse("parties:party_view", args=[story.pk])))
    panel_url = reverse("payments:party_position_panel", args=[story.pk])
    assert (
        'id="party-position"' in page and f'hx-get="{panel_url}"' in page
    )  # after the page: no queries there
    panel = _text(accountant_client.get(panel_url))
    assert re.search(r'id="position-open-balance">€?263\.00', panel)
    assert re.search(r'id="position-available"\s*>€?737\.00', panel)
    assert reverse("payments:party_position", args=[story.pk]) in panel


def test_a_user_who_may_not_see_due_amounts_gets_no_panel(make_user, story):
    client = Client()
    client.force_login(make_user("almacen", "warehouse"))
    page = _text(client.get(reverse("parties:party_view", args=[story.pk])))
    assert 'id="party-position"' not in page


def test_the_position_page_shows_the_statement_with_its_running_balance(accountant_client, story):
    url = reverse("payments:party_position", args=[story.pk])
    response = accountant_client.get(url, {"start": "2026-02-01", "end": "2026-02-28"})
    assert response.status_code == 200
    statement = response.context["statement"]
    assert (statement.opening_balance, statement.closing_balance) == (D("121.00"), D("263.00"))
    assert [movement.kind for movement in statement.movements] == ["invoice", "payment"]
    page = _text(response)
    assert 'id="statement-opening"' in page and 'id="statement-closing"' in page
    assert 'id="position-ledger-differs"' not in page


def test_dates_out_of_order_fall_back_to_this_year_with_the_error_shown(accountant_client, story):
    url = reverse("payments:party_position", args=[story.pk])
    response = accountant_client.get(url, {"start": "2026-03-01", "end": "2026-02-01"})
    assert response.status_code == 200 and "The start date is after the end date." in _text(response)


def test_another_companys_party_is_not_found(accountant_client, other_company, sales_user):
    stranger = party_create(company=other_company, by=sales_user, name="Ajena, S.A.")
    for name in ("payments:party_position", "payments:party_position_panel", "payments:statement_of_account"):
        assert accountant_client.get(reverse(name, args=[stranger.pk])).status_code == 404


def test_the_statement_pdf_is_in_the_customers_language_with_opening_and_closing_balances(
    accountant_client, story
):
    response = accountant_client.get(
        reverse("payments:statement_of_account", args=[story.pk]),
        {"start": "2026-02-01", "end": "2026-02-28"},
    )
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "EXTRACTO DE CUENTA" in text and "Reformas Turia, S.L." in text
    assert "Saldo inicial" in text and "121,00" in text
    assert "Saldo final" in text and "263,00" in text


def test_sending_the_statement_mails_its_pdf_after_the_commit(
    accountant_client, story, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    url = reverse("payments:statement_send", args=[story.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = accountant_client.post(url, {"start": "2026-01-01", "end": "2026-02-28", "to": ""})
    assert response.status_code == 302
    (email,) = mail.outbox
    assert email.to == ["admin@turia.example"]
    assert email.subject == "Extracto de cuenta de Suministros Prueba, S.L."
    (filename, content, mimetype) = email.attachments[0]
    assert mimetype == "application/pdf" and filename.endswith("2026-01-01-2026-02-28.pdf")
    assert "Saldo final" in _pdf_text(content)


def test_sending_to_a_bad_address_sends_nothing(accountant_client, story, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        accountant_client.post(reverse("payments:statement_send", args=[story.pk]), {"to": "nope"})
    assert not mail.outbox
    page = _text(accountant_client.get(reverse("payments:party_position", args=[story.pk])))
    assert "Give the e-mail address to send the statement to." in page


def test_the_position_page_reads_a_fixed_number_of_queries(
    accountant_client, story, company, make_invoice, pay, django_assert_max_num_queries
):
    url = reverse("payments:party_position", args=[story.pk])
    accountant_client.get(url)
    with django_assert_max_num_queries(40) as few:
        accountant_client.get(url)
    for _index in range(6):
        invoice = make_invoice("10.00", day=date(2026, 2, 20))
        pay("5.00", [(dues_of(company, invoice)[0], "5.00")], day=date(2026, 2, 21))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(accountant_client.get(url).context["rows"]) == 15


# The API


def test_the_api_gives_the_position_and_the_statement(api_as, accountant, story):
    api = api_as(accountant)
    position = api.get(f"/payments/parties/{story.pk}/position").json()
    assert position["open_balance"] == position["ledger_balance"] == "263.00"
    assert (position["credit_limit"], position["available_credit"]) == ("1000.00", "737.00")
    assert position["agrees_with_ledger"] is True
    statement = api.get(
        f"/payments/parties/{story.pk}/statement", start="2026-02-01", end="2026-02-28"
    ).json()
    assert (statement["opening_balance"], statement["closing_balance"]) == ("121.00", "263.00")
    assert [(m["kind"], m["debit"], m["credit"], m["balance"]) for m in statement["movements"]] == [
        ("invoice", "242.00", "0.00", "363.00"),
        ("payment", "0.00", "100.00", "263.00"),
    ]
    pdf = api.get(f"/payments/parties/{story.pk}/statement", format="pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_api_refuses_bad_dates_and_another_companys_party(
    api_as, accountant, story, other_company, sales_user
):
    api = api_as(accountant)
    bad = api.get(f"/payments/parties/{story.pk}/statement", start="2026-03-01", end="2026-02-01")
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    stranger = party_create(company=other_company, by=sales_user, name="Ajena, S.A.")
    assert api.get(f"/payments/parties/{stranger.pk}/position").status_code == 404
    assert api.post(f"/payments/parties/{stranger.pk}/statement/send", {}).status_code == 404


def test_the_api_sends_the_statement(api_as, accountant, story, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    api = api_as(accountant)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/payments/parties/{story.pk}/statement/send", {"to": "cuentas@turia.example"})
    assert response.status_code == 202 and response.json()["to"] == "cuentas@turia.example"
    assert [email.to for email in mail.outbox] == [["cuentas@turia.example"]]
    refused = api.post(f"/payments/parties/{story.pk}/statement/send", {"to": "nope"})
    assert refused.status_code == 422 and len(mail.outbox) == 1
