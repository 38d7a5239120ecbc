"""The profit and loss and balance sheet pages: figures, drill-down to the general ledger, exports, bad dates,
permissions and a fixed number of queries."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nexo.accounting.services.ledger import LineInput, entry_record

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def client_of():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def posted(company, books, customer, accountant):
    year = timezone.localdate().year
    entry_record(company=company, by=accountant, journal="VEN", date=date(year, 1, 10), lines=[
        LineInput(books["4300"].pk, debit=D("1210.00"), party_id=customer.pk),
        LineInput(books["700"].pk, credit=D("1000.00")), LineInput(books["4770"].pk, credit=D("210.00")),
    ])  # fmt: skip
    entry_record(company=company, by=accountant, journal="BAN", date=date(year, 1, 12), lines=[
        LineInput(books["626"].pk, debit=D("12.50")), LineInput(books["572"].pk, credit=D("12.50")),
    ])  # fmt: skip
    return books


def _row(html: str, key: str) -> str:
    match = re.search(rf'<tr id="line-{re.escape(key)}".*?</tr>', html, re.S)
    assert match, key
    return match.group(0)


def test_profit_and_loss_page_defaults_to_the_year_to_date(client_of, accountant, posted, english):
    response = client_of(accountant).get(reverse("accounting:profit_and_loss"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    year = timezone.localdate().year
    assert f'value="{year}-01-01"' in html
    assert re.search(r"1[.,]000[.,]00", _row(html, "1"))
    revenue = _row(html, "1")
    # Revenue is fed by several prefixes: its figure shows the accounts under it.
    assert "accounts=on" in revenue and "#line-1" in revenue
    assert 'id="line-6"' not in html  # staff costs: nothing in either year, left out
    assert 'id="line-D"' in html


def test_accounts_under_each_line_open_their_general_ledger(client_of, accountant, posted):
    url = reverse("accounting:profit_and_loss")
    html = client_of(accountant).get(url, {"accounts": "on"}).content.decode()
    ledger = reverse("accounting:general_ledger")
    assert re.search(
        rf'<tr class="account" data-code="700">.*?href="{re.escape(ledger)}\?from=[^"]*account={posted["700"].pk}',
        html,
        re.S,
    )
    assert re.search(r'<tr class="account" data-code="626">', html)


def test_a_line_of_one_prefix_opens_its_general_ledger(client_of, accountant, posted):
    html = client_of(accountant).get(reverse("accounting:balance_sheet")).content.decode()
    ledger = reverse("accounting:general_ledger")
    # 5580 alone feeds B.II.2 (empty here, hidden); the bank overdrawn feeds C.II.1, a line of several prefixes.
    assert 'id="line-liabilities.C.II.1"' in html
    shown = client_of(accountant).get(reverse("accounting:balance_sheet"), {"empty": "on"}).content.decode()
    assert f'href="{ledger}?from=' in _row(shown, "assets.A.VI") and "prefix=474" in _row(
        shown, "assets.A.VI"
    )


def test_balance_sheet_page_balances(client_of, accountant, posted, english):
    html = (
        client_of(accountant)
        .get(reverse("accounting:balance_sheet"), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assets, liabilities = _row(html, "assets.total"), _row(html, "liabilities.total")
    figure = re.compile(r'<td class="num[^"]*">(?:<a[^>]*>)?([^<]+)')
    assert figure.findall(assets)[0] == figure.findall(liabilities)[0]
    assert re.search(r'id="statement-result">[^<]*987[.,]50', html)
    assert "statement-unassigned" not in html


def test_spanish_labels(client_of, make_user, posted):
    spanish = make_user("contable_es", "accounting", language="es")
    html = (
        client_of(spanish)
        .get(reverse("accounting:balance_sheet"), HTTP_ACCEPT_LANGUAGE="es")
        .content.decode()
    )
    assert "TOTAL ACTIVO (A + B)" in html
    assert "VII. Resultado del ejercicio" in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_exports(client_of, accountant, posted, fmt):
    response = client_of(accountant).get(reverse("accounting:profit_and_loss"), {"export": fmt})
    assert response.status_code == 200
    assert f".{fmt}" in response["Content-Disposition"]
    body = response.content
    if fmt == "csv":
        text = body.decode("utf-8-sig")
        assert "1000,00" in text and "-12,50" in text
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
        assert any(row[1] == D("1000.00") or row[1] == 1000 for row in rows)
    else:
        assert body.startswith(b"%PDF")


def test_bad_dates_fall_back_to_the_default_with_an_error(client_of, accountant, posted, english):
    response = client_of(accountant).get(
        reverse("accounting:profit_and_loss"),
        {"from": "2026-03-01", "to": "2026-02-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The end date cannot come before the start date." in html
    assert 'role="alert"' in html
    response = client_of(accountant).get(reverse("accounting:balance_sheet"), {"date": "0001-01-01"})
    assert response.status_code == 200
    response = client_of(accountant).get(reverse("accounting:balance_sheet"), {"date": "not-a-date"})
    assert response.status_code == 200


def test_a_role_without_the_ledger_cannot_open_them(sales_client, books):
    assert sales_client.get(reverse("accounting:balance_sheet")).status_code == 403
    assert sales_client.get(reverse("accounting:profit_and_loss")).status_code == 403


def test_pages_read_a_fixed_number_of_queries(
    client_of, accountant, posted, books, customer, django_assert_max_num_queries
):
    client = client_of(accountant)
    client.get(reverse("accounting:balance_sheet"))  # sessions and caches warmed
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("accounting:balance_sheet"), {"accounts": "on"})
    year = timezone.localdate().year
    for day in range(13, 28):
        entry_record(company=customer.company, by=accountant, journal="GEN", date=date(year, 1, day), lines=[
            LineInput(books["629"].pk if "629" in books else books["626"].pk, debit=D("1.00")),
            LineInput(books["570"].pk, credit=D("1.00")),
        ])  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("accounting:balance_sheet"), {"accounts": "on"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("accounting:profit_and_loss"), {"accounts": "on"})


WIDTHS = [pytest.param((1366, 768), id="desktop"), pytest.param((390, 844), id="phone")]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("size", WIDTHS)
def test_statements_in_a_browser(
    size, language, signed_in_page, live_server, company, customer, supplier, make_user
):
    """Both statements at a desktop's and a phone's width, in Spanish and English: they balance, a figure
    opens the accounts under its line, and the page never scrolls sideways (the tables scroll inside)."""
    from playwright.sync_api import expect

    from nexo.accounting.models import Account
    from nexo.accounting.services.ledger import journal_of

    journal_of(company, "GEN")
    books = {account.code: account for account in Account.objects.filter(company=company)}
    user = make_user(f"contable_{language}", "accounting", language=language)
    year = timezone.localdate().year
    for journal, day, lines in [
        ("GEN", 2, [("572", "30000.00", None), ("100", "-30000.00", None)]),
        ("COM", 5, [("600", "8000.00", None), ("472", "1680.00", None), ("4000", "-9680.00", supplier)]),
        ("VEN", 8, [("4300", "14520.00", customer), ("700", "-12000.00", None), ("4770", "-2520.00", None)]),
        ("VEN", 9, [("7080", "500.00", None), ("4770", "105.00", None), ("4300", "-605.00", customer)]),
        ("BAN", 10, [("626", "45.20", None), ("572", "-45.20", None)]),
        ("BAN", 11, [("572", "6000.00", None), ("4300", "-6000.00", customer)]),
        ("EXI", 12, [("300", "2500.00", None), ("610", "-2500.00", None)]),
    ]:
        entry_record(company=company, by=user, journal=journal, date=date(year, 1, day), lines=[
            LineInput(books[code].pk, debit=D(amount) if D(amount) > 0 else D(0),
                      credit=-D(amount) if D(amount) < 0 else D(0), party_id=party.pk if party else None)
            for code, amount, party in lines
        ])  # fmt: skip
    page = signed_in_page(user.username)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}{reverse('accounting:profit_and_loss')}")
    # 12,000 - 500 revenue; 8,000 - 2,500 supplies; 45.20 bank charges: 5,954.80.
    expect(page.locator("#statement-result")).to_contain_text("5.954,80" if language == "es" else "5,954.80")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=f"/tmp/shots/statements/pnl_{language}_{size[0]}.png", full_page=True)
    page.locator("#line-1 a.figure").click()
    expect(page.locator('tr.account[data-code="7080"]')).to_be_visible()
    page.screenshot(path=f"/tmp/shots/statements/pnl_accounts_{language}_{size[0]}.png", full_page=True)
    page.goto(f"{live_server.url}{reverse('accounting:balance_sheet')}")
    total = "48.049,80" if language == "es" else "48,049.80"
    expect(page.locator('[id="line-assets.total"]')).to_contain_text(total)
    expect(page.locator('[id="line-liabilities.total"]')).to_contain_text(total)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=f"/tmp/shots/statements/balance_{language}_{size[0]}.png", full_page=True)
