"""The ledger report pages: figures as the reader's locale writes them, drill-down links, exports, a fixed
number of queries, bad filters answered with the default report and a message."""

import csv
import io
import os
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from nexo.accounting.models import Account, Entry
from nexo.accounting.services.ledger import LineInput, entry_record, journal_of

pytestmark = pytest.mark.django_db

D = Decimal
RANGE = {"from": "2026-01-01", "to": "2026-06-30"}


def _post(company, user, journal, day, lines, origin=None):
    return entry_record(
        company=company, by=user, journal=journal, date=day, origin=origin,
        lines=[LineInput(account.pk, D(debit), D(credit), party.pk if party else None) for account, debit, credit, party in lines],
    )  # fmt: skip


@pytest.fixture
def ledger(company, books, customer, accountant):
    b = books
    _post(company, accountant, "GEN", date(2025, 6, 1), [(b["572"], "1000", "0", None), (b["100"], "0", "1000", None)])  # fmt: skip
    for day in range(1, 13):
        _post(company, accountant, "VEN", date(2026, 1, day), [(b["4300"], "1210.50", "0", customer), (b["700"], "0", "1000.50", None), (b["4770"], "0", "210", None)])  # fmt: skip
    _post(company, accountant, "BAN", date(2026, 2, 1), [(b["572"], "1210.50", "0", None), (b["4300"], "0", "1210.50", customer)])  # fmt: skip
    return b


@pytest.fixture
def client(accountant):
    client = Client()
    client.force_login(accountant)
    return client


def test_trial_balance_page_shows_the_sums_right_aligned_in_spanish(client, ledger):
    response = client.get(reverse("accounting:trial_balance"), RANGE, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="4300"' in html
    assert "14.526,00" in html  # 4300: twelve sales of 1,210.50
    assert '<td class="num">13.315,50</td>' in html  # its debit balance after the payment
    total = html[html.index('id="trial-balance-total"') :]
    assert total.count("15.736,50") == 2  # debits equal credits
    account = Account.objects.get(company=ledger["4300"].company, code="4300")
    assert f"account={account.pk}" in html  # drill-down to its general ledger, same dates
    assert "from=2026-01-01" in html and "to=2026-06-30" in html


def test_trial_balance_rolled_up_rows_open_the_ledger_by_code_prefix(client, ledger):
    response = client.get(reverse("accounting:trial_balance"), {**RANGE, "level": "1"})
    html = response.content.decode()
    assert 'data-code="4"' in html and "prefix=4" in html
    ledger_page = client.get(reverse("accounting:general_ledger"), {**RANGE, "prefix": "43"})
    assert ledger_page.status_code == 200
    assert 'data-account="4300"' in ledger_page.content.decode()
    assert 'data-account="4770"' not in ledger_page.content.decode()


def test_general_ledger_page_runs_the_balance_and_links_each_entry(client, ledger, company):
    account = ledger["4300"]
    response = client.get(
        reverse("accounting:general_ledger"), {**RANGE, "account": account.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-line=") == 13
    assert "14,526.00" in html  # the running balance after the twelfth sale
    assert "13,315.50" in html  # after the payment: the closing balance
    assert "VEN/2026/000001" in html
    first = Entry.objects.get(company=company, number="VEN/2026/000001")
    try:
        assert f'href="{reverse("accounting:entry_detail", args=[first.pk])}"' in html
    except NoReverseMatch:  # the entry page not installed: the number is shown without a link
        assert "<a href" not in html.split("data-line=")[1].split("</td>")[1]


def test_general_ledger_of_another_companys_account_is_not_found(client, ledger, other_company):
    journal_of(other_company, "GEN")
    theirs = Account.objects.get(company=other_company, code="572")
    assert client.get(reverse("accounting:general_ledger"), {"account": theirs.pk}).status_code == 404
    assert client.get(reverse("accounting:general_ledger"), {"account": ledger["4300"].pk}).status_code == 200


def test_bad_dates_show_the_default_report_with_a_message(client, ledger):
    response = client.get(reverse("accounting:trial_balance"), {"from": "2026-06-01", "to": "2026-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    response = client.get(reverse("accounting:journal_report"), {"from": "not a date"})
    assert response.status_code == 200


def test_journal_page_lists_entries_with_lines_and_pages(client, ledger):
    response = client.get(reverse("accounting:journal_report"), RANGE)
    html = response.content.decode()
    assert html.count("data-entry=") == 13
    assert "VEN/2026/000012" in html
    sales = client.get(
        reverse("accounting:journal_report"),
        {**RANGE, "journal": journal_of(ledger["572"].company, "BAN").pk},
    )
    assert sales.content.decode().count("data-entry=") == 1


def test_pages_run_a_fixed_number_of_queries(
    client, ledger, company, customer, accountant, django_assert_max_num_queries
):
    urls = [
        (reverse("accounting:trial_balance"), RANGE),
        (reverse("accounting:general_ledger"), {**RANGE, "account": ledger["4300"].pk, "party": customer.pk}),
        (reverse("accounting:general_ledger"), RANGE),
        (reverse("accounting:journal_report"), RANGE),
    ]
    counts = []
    for url, params in urls:
        client.get(url, params)  # warm-up (sessions, permissions)
        with django_assert_max_num_queries(18) as captured:
            assert client.get(url, params).status_code == 200
        counts.append(len(captured))
    b = ledger
    for day in range(13, 28):
        _post(company, accountant, "VEN", date(2026, 1, day), [(b["4300"], "10", "0", customer), (b["700"], "0", "10", None)])  # fmt: skip
    for (url, params), before in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(before):
            assert client.get(url, params).status_code == 200


def test_exports_hold_the_whole_report(client, ledger):
    response = client.get(reverse("accounting:trial_balance"), {**RANGE, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Código" or rows[0][0] == "Code"
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["4300"][3] == "14526,00" and by_code["4300"][5] == "13315,50"
    assert rows[-1][3] == rows[-1][4]  # debits equal credits
    xlsx = client.get(
        reverse("accounting:general_ledger"), {**RANGE, "export": "xlsx", "account": ledger["4300"].pk}
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert len(values) == 1 + 13 + 2  # header, the lines, opening and closing
    assert D(str(values[-1][9])) == D("13315.50")
    journal = client.get(reverse("accounting:journal_report"), {**RANGE, "export": "xlsx"})
    assert len(list(load_workbook(io.BytesIO(journal.content)).active.values)) == 1 + 12 * 3 + 2 + 1
    pdf = client.get(reverse("accounting:trial_balance"), {**RANGE, "export": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_pages_need_the_accounting_permission(company, ledger, sales_user):
    client = Client()
    client.force_login(sales_user)
    assert client.get(reverse("accounting:trial_balance")).status_code == 403


SHOTS = os.environ.get("NEXO_SCREENSHOTS", "")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_trial_balance_drills_down_to_the_ledger_and_the_entry_in_both_languages(
    signed_in_page, live_server, make_user, ledger, page
):
    make_user("contable_en", "accounting", language="en")
    for username, language in (("contable", "es"), ("contable_en", "en")):
        page.context.clear_cookies()
        signed_in_page(username)
        for width, height in ((1366, 768), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{live_server.url}{reverse('accounting:trial_balance')}?from=2026-01-01&to=2026-06-30")
            row = page.locator('#trial-balance tr[data-code="4300"]')
            expect(row).to_contain_text("13.315,50" if language == "es" else "13,315.50")
            # A wide table scrolls inside its frame, never the page.
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/trial-balance-{language}-{width}.png", full_page=True)
            row.locator("a").first.click()
            expect(page.locator("#general-ledger")).to_be_visible()
            assert "account=" in page.url and "from=2026-01-01" in page.url
            expect(page.locator("#general-ledger tbody tr[data-line]")).to_have_count(13)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/general-ledger-{language}-{width}.png", full_page=True)
            page.goto(
                f"{live_server.url}{reverse('accounting:journal_report')}?from=2026-01-01&to=2026-06-30"
            )
            expect(page.locator("#journal tbody[data-entry]")).to_have_count(13)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/journal-{language}-{width}.png", full_page=True)
    page.goto(
        f"{live_server.url}{reverse('accounting:general_ledger')}?from=2026-01-01&to=2026-06-30&account={ledger['4300'].pk}"
    )
    link = page.locator("#general-ledger tr[data-line] td.mono a").first
    try:
        reverse("accounting:entry_detail", args=[1])
    except NoReverseMatch:  # the entry page not installed: numbers are plain text
        expect(link).to_have_count(0)
        return
    link.click()
    expect(page.locator("body")).to_contain_text("VEN/2026/000001")
