"""The aging and overdue pages and their API: the report at a date with its totals and exports (CSV, XLSX),
another company's party refused, the overdue list's checkboxes through preview and sending to the history,
the reminders API; each page in the same queries whatever the rows."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from nexo.accounting.services.ledger import journal_of
from nexo.conftest import ApiClient
from nexo.payments.models import Reminder
from nexo.payments.tests.factories_aging import *  # noqa: F403 (the fixtures)
from nexo.payments.tests.factories_aging import D, make_due, make_party, pay

AT = "2026-06-30"


@pytest.fixture(autouse=True)
def _tasks_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def ledger(books, turia, norte):
    """On June 30: Turia owes 600.00 of 1,000.00 due March 31 (91 days late) and 500.00 not due; Norte 250.00
    due June 20."""
    first = make_due(
        books, turia, "1000.00", document_date=date(2026, 3, 1), due_date=date(2026, 3, 31), number="F-1"
    )
    make_due(
        books, turia, "500.00", document_date=date(2026, 6, 15), due_date=date(2026, 7, 15), number="F-2"
    )
    make_due(
        books, norte, "250.00", document_date=date(2026, 5, 21), due_date=date(2026, 6, 20), number="F-3"
    )
    pay(books, turia, "400.00", date(2026, 4, 10), (first, "400.00"))
    return first


def text(response) -> str:
    return response.content.decode()


def test_the_aging_page_shows_each_party_in_its_buckets_with_the_totals(accountant_client, ledger, turia):
    response = accountant_client.get(reverse("payments:aging"), {"at": AT})
    page = text(response)
    assert response.status_code == 200
    assert "Aging of receivables" in page and f'data-party="{turia.pk}"' in page
    assert 'id="aging-total"' in page and "1,350.00" in page  # 500 + 600 + 250
    assert f"party={turia.pk}" in page  # the party's due amounts
    today = accountant_client.get(reverse("payments:aging"))
    assert today.status_code == 200 and 'name="at"' in text(today)


def test_the_aging_page_speaks_spanish_to_a_spanish_reader(ledger, make_user):
    from django.test import Client

    client = Client()
    client.force_login(make_user("cobros", "accounting", language="es"))
    page = text(client.get(reverse("payments:aging"), {"at": AT}))
    assert (
        "Antigüedad de saldos de clientes" in page and "Créditos sin aplicar" in page and "1.350,00" in page
    )


def test_the_export_holds_the_rows_and_the_total_in_csv_and_xlsx(accountant_client, ledger):
    response = accountant_client.get(reverse("payments:aging"), {"at": AT, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Party", "Not due", "1-30 days", "31-60 days", "61-90 days", "Over 90 days", "Unapplied credits", "Total",
    ]  # fmt: skip
    assert rows[1] == ["Estudio Norte, S.L.P.", "0,00", "250,00", "0,00", "0,00", "0,00", "0,00", "250,00"]
    assert rows[2] == [
        "Ferretería Turia, S.L.",
        "500,00",
        "0,00",
        "0,00",
        "0,00",
        "600,00",
        "0,00",
        "1100,00",
    ]
    assert rows[3][0] == "Total" and rows[3][-1] == "1350,00"
    response = accountant_client.get(reverse("payments:aging"), {"at": AT, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[2][0] == "Ferretería Turia, S.L." and D(str(values[2][5])) == D("600.00")
    assert values[-1][0] == "Total" and D(str(values[-1][-1])) == D("1350.00")
    pdf = accountant_client.get(reverse("payments:aging"), {"at": AT, "export": "pdf"})
    assert pdf.content.startswith(b"%PDF")


def test_another_companys_party_is_not_found_on_the_page_and_refused_by_the_api(
    accountant_client, accountant, books, other_company
):
    stranger = make_party(other_company, "Ajena, S.A.")
    assert accountant_client.get(reverse("payments:aging"), {"party": stranger.pk}).status_code == 404
    api = ApiClient(accountant, books)
    assert api.get("/payments/aging", party_id=stranger.pk).status_code == 422
    assert api.get("/payments/overdue", party_id=stranger.pk).status_code == 422


def test_the_pages_take_the_same_queries_whatever_the_parties(
    accountant_client, books, django_assert_max_num_queries
):
    def fill(count, tag):
        for index in range(count):
            party = make_party(books, f"Cliente {tag}{index}")
            make_due(books, party, "10.00", document_date=date(2026, 1, 1), due_date=date(2026, 2, 1))

    fill(2, "a")
    counts = {}
    for name in ("payments:aging", "payments:overdue"):
        with django_assert_max_num_queries(50) as captured:
            accountant_client.get(reverse(name), {"at": AT})
        counts[name] = len(captured.captured_queries)
    fill(12, "b")
    for name in ("payments:aging", "payments:overdue"):
        with django_assert_max_num_queries(counts[name]):
            assert accountant_client.get(reverse(name), {"at": AT}).status_code == 200


def test_chosen_overdue_due_amounts_are_previewed_sent_and_kept_in_their_history(
    accountant_client, ledger, turia, norte
):
    overdue_page = text(accountant_client.get(reverse("payments:overdue"), {"at": AT}))
    assert f'name="due" value="{ledger.pk}"' in overdue_page and "600.00" in overdue_page
    preview = accountant_client.post(reverse("payments:reminder_preview"), {"due": [ledger.pk], "date": AT})
    assert (
        preview.status_code == 200
        and "First reminder" in text(preview)
        and "cobros@turia.example" in text(preview)
    )
    pdf_url = reverse("payments:reminder_preview_pdf") + f"?due={ledger.pk}&date={AT}"
    assert accountant_client.get(pdf_url).content.startswith(b"%PDF")
    sent = accountant_client.post(reverse("payments:reminder_send"), {"due": [ledger.pk], "date": AT})
    assert sent.status_code == 302
    reminder = Reminder.objects.get(due=ledger)
    assert (reminder.level, reminder.sent_to) == (1, "")  # not e-mailed: the box was left unticked
    history = text(accountant_client.get(reverse("payments:due_reminders", args=[ledger.pk])))
    assert "First reminder" in history and 'id="reminder-level">1/3' in history
    letter = accountant_client.get(reverse("payments:reminder_letter", args=[reminder.pk]))
    assert letter["Content-Type"] == "application/pdf" and letter.content.startswith(b"%PDF")
    again = accountant_client.post(reverse("payments:reminder_send"), {"due": [ledger.pk], "date": AT})
    assert again.status_code == 409 and "already reminded on 2026-06-30" in text(again)
    assert Reminder.objects.count() == 1


def test_the_reminders_api_sends_lists_and_serves_the_letter(
    accountant, books, ledger, other_company, make_user
):
    api = ApiClient(accountant, books)
    overdue = api.get("/payments/overdue", at=AT).json()
    assert overdue["count"] == 2 and overdue["items"][1]["remaining"] == "600.00"
    aging = api.get("/payments/aging", at=AT).json()
    assert aging["total"]["total"] == "1350.00" and aging["rows"][1]["over_90"] == "600.00"
    csv_file = api.get("/payments/aging", at=AT, format="csv")
    assert csv_file["Content-Type"].startswith("text/csv") and b"1350,00" in csv_file.content
    created = api.post("/payments/reminders", {"due_ids": [ledger.pk], "date": AT, "send_email": True})
    assert created.status_code == 201
    (letter,) = created.json()["letters"]
    assert (letter["level"], letter["sent_to"], letter["total"]) == (1, "cobros@turia.example", "600.00")
    listed = api.get("/payments/reminders", due_id=ledger.pk).json()
    assert listed["count"] == 1 and listed["items"][0]["level"] == 1
    pdf = api.get(f"/payments/reminders/{letter['reminder_ids'][0]}/letter")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    refused = api.post("/payments/reminders", {"due_ids": [ledger.pk], "date": AT})
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    assert api.post("/payments/reminders", {"due_ids": [], "date": AT}).status_code == 422
    assert api.post("/payments/reminders", {"due_ids": [ledger.pk], "date": "9999-12-31"}).status_code == 422
    assert api.get("/payments/aging", at="0001-01-01").status_code == 422
    assert api.get("/payments/overdue", at="9999-12-31").status_code == 422
    journal_of(other_company, "GEN")
    outsider = ApiClient(make_user("ajeno", "accounting", companies=[other_company]), other_company)
    assert outsider.get(f"/payments/reminders/{letter['reminder_ids'][0]}/letter").status_code == 404
    assert outsider.post("/payments/reminders", {"due_ids": [ledger.pk], "date": AT}).status_code == 404
    seller = ApiClient(make_user("vende", "sales"), books)
    assert seller.post("/payments/reminders", {"due_ids": [ledger.pk], "date": AT}).status_code == 403
    assert seller.get("/payments/aging").status_code == 200
