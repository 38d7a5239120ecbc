"""Fiscal year pages: the list with its figures, creating the next year, the closing confirmation step and the
closing itself, reopening, periods closed and opened, the lock date and the accounting settings page."""

import os
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from nexo.accounting.models import AccountingSettings, Entry, FiscalYear, Period
from nexo.accounting.services import fiscal_years as years
from nexo.accounting.services import ledger as services
from nexo.accounting.services.ledger import LineInput

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = Decimal


@pytest.fixture
def web(accountant):
    accountant.language = "en"  # pages speak the user's language; the assertions read English
    accountant.save(update_fields=["language"])
    client = Client()
    client.force_login(accountant)
    return client


@pytest.fixture
def year_2025(company, books, accountant, customer):
    year = years.fiscal_year_create(company=company, by=accountant, year=2025)
    services.entry_record(
        company=company, by=accountant, journal="VEN", date=date(2025, 3, 1),
        lines=[LineInput(books["4300"].pk, D("1210.00"), party_id=customer.pk),
               LineInput(books["700"].pk, credit=D("1000.00")), LineInput(books["4770"].pk, credit=D("210.00"))],
    )  # fmt: skip
    return year


def test_the_list_shows_each_year_with_its_entries_and_result(
    web, company, year_2025, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        response = web.get(reverse("accounting:fiscal_year_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="year-2025" data-state="open"' in html
    assert "1,000.00" in html or "1.000,00" in html
    assert "Create fiscal year 2027" in html
    assert reverse("accounting:fiscal_year_close", args=[year_2025.pk]) in html


def test_create_the_next_year(web, company, year_2025):
    response = web.post(reverse("accounting:fiscal_year_create"), follow=True)
    assert "Fiscal year 2027 created" in response.content.decode()
    assert FiscalYear.objects.filter(company=company, name="2027").exists()


def test_the_confirmation_step_shows_the_result_and_the_entries_then_closes(web, company, year_2025):
    url = reverse("accounting:fiscal_year_close", args=[year_2025.pk])
    response = web.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="closing-result"' in html and "1,000.00" in html
    assert "Result of the year" in html and "Customers (euros)" in html and "Cliente Uno" in html
    assert not Entry.objects.exclude(kind="normal").exists()  # the preview posts nothing
    response = web.post(url, follow=True)
    assert "Fiscal year 2025 is closed" in response.content.decode()
    assert FiscalYear.objects.get(pk=year_2025.pk).state == "closed"
    assert Entry.objects.exclude(kind="normal").count() == 3
    # Twice: the confirmation step says why, and a second POST changes nothing.
    assert "already closed" in web.get(url).content.decode()
    response = web.post(url, follow=True)
    assert "already closed" in response.content.decode()
    assert Entry.objects.exclude(kind="normal").count() == 3
    # Reopen from the list.
    response = web.post(reverse("accounting:fiscal_year_reopen", args=[year_2025.pk]), follow=True)
    assert "open again" in response.content.decode()
    assert FiscalYear.objects.get(pk=year_2025.pk).state == "open"


def test_the_confirmation_step_lists_what_stops_the_closing(web, company, year_2025):
    year_2026 = FiscalYear.objects.get(company=company, name="2026")
    html = web.get(reverse("accounting:fiscal_year_close", args=[year_2026.pk])).content.decode()
    assert 'id="closing-problems"' in html and "Close fiscal year 2025 first" in html
    assert 'id="confirm-close"' not in html


def test_periods_close_and_open_from_the_year_page(web, company, year_2025):
    march = Period.objects.get(fiscal_year=year_2025, number=3)
    html = web.get(reverse("accounting:fiscal_year_detail", args=[year_2025.pk])).content.decode()
    assert 'id="period-3" data-state="open"' in html and "March" in html
    web.post(reverse("accounting:period_close", args=[march.pk]))
    assert Period.objects.get(pk=march.pk).state == "closed"
    response = web.post(reverse("accounting:period_close", args=[march.pk]), follow=True)
    assert "already closed" in response.content.decode()
    web.post(reverse("accounting:period_open", args=[march.pk]))
    assert Period.objects.get(pk=march.pk).state == "open"


def test_the_lock_date_is_set_cleared_and_refused_when_not_a_date(web, company, year_2025):
    url = reverse("accounting:lock_date_update")
    response = web.post(url, {"lock_date": "2025-06-30"}, follow=True)
    assert "locked up to" in response.content.decode()
    assert AccountingSettings.objects.get(company=company).lock_date == date(2025, 6, 30)
    response = web.post(url, {"lock_date": "2025-02-30"})
    assert response.status_code == 422
    assert "Enter a valid date." in response.content.decode()
    assert AccountingSettings.objects.get(company=company).lock_date == date(2025, 6, 30)
    web.post(url, {"lock_date": ""})
    assert AccountingSettings.objects.get(company=company).lock_date is None


def test_the_settings_page_shows_the_chart_and_sets_stock_method_and_lock_date(web, company, year_2025):
    url = reverse("accounting:accounting_settings")
    html = web.get(url).content.decode()
    assert "PGC PYMES" in html and "its chart template stays as it is" in html
    assert 'id="stock-continental" checked' in html
    response = web.post(url, {"stock_method": "perpetual", "lock_date": "2025-01-31"})
    assert response.status_code == 302
    settings = AccountingSettings.objects.get(company=company)
    assert (settings.stock_method, settings.lock_date) == ("perpetual", date(2025, 1, 31))
    response = web.post(url, {"stock_method": "fifo", "lock_date": "2025-12-31"})
    assert response.status_code == 422
    assert "Choose continental or perpetual." in response.content.decode()
    settings = AccountingSettings.objects.get(company=company)
    assert (settings.stock_method, settings.lock_date) == ("perpetual", date(2025, 1, 31))


def test_a_sales_user_may_not_close_nor_lock_and_another_companys_year_is_404(
    sales_client, web, company, other_company, year_2025
):
    assert sales_client.post(reverse("accounting:fiscal_year_close", args=[year_2025.pk])).status_code == 403
    assert (
        sales_client.post(reverse("accounting:lock_date_update"), {"lock_date": "2025-01-01"}).status_code
        == 403
    )
    assert FiscalYear.objects.get(pk=year_2025.pk).state == "open"
    other = FiscalYear.objects.create(
        company=other_company, name="2025", start=date(2025, 1, 1), end=date(2025, 12, 31)
    )
    assert web.get(reverse("accounting:fiscal_year_detail", args=[other.pk])).status_code == 404
    assert web.post(reverse("accounting:fiscal_year_close", args=[other.pk])).status_code == 404
    assert FiscalYear.objects.get(pk=other.pk).state == "open"


# In the browser

SHOTS = os.environ.get("NEXO_SHOTS", "")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_year_is_closed_through_its_confirmation_step_in_the_browser(
    signed_in_page, live_server, make_user, company, books, customer, language
):
    user = make_user(f"contable_{language}", "accounting", language=language)
    year = years.fiscal_year_create(company=company, by=user, year=2025)
    services.entry_record(
        company=company, by=user, journal="VEN", date=date(2025, 3, 1),
        lines=[LineInput(books["4300"].pk, D("1210.00"), party_id=customer.pk),
               LineInput(books["700"].pk, credit=D("1000.00")), LineInput(books["4770"].pk, credit=D("210.00"))],
    )  # fmt: skip
    page = signed_in_page(user.username)

    def shoot(name):
        if not SHOTS:
            return
        for width, height in ((1366, 768), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            # No sideways scroll on a phone: wide tables scroll inside their own box.
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
            page.screenshot(path=f"{SHOTS}/{name}-{language}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}{reverse('accounting:fiscal_year_list')}")
    shoot("fiscal-years")
    page.click("#close-2025")
    expect(page.locator("#closing-result")).to_contain_text("1")
    shoot("fiscal-year-close")
    page.click("#close-year")
    expect(page.locator("#year-2025")).to_have_attribute("data-state", "closed")
    assert FiscalYear.objects.get(pk=year.pk).state == "closed"
    page.goto(f"{live_server.url}{reverse('accounting:fiscal_year_detail', args=[year.pk])}")
    expect(page.locator("#special-entries li")).to_have_count(2)
    shoot("fiscal-year-detail")
    page.goto(f"{live_server.url}{reverse('accounting:accounting_settings')}")
    shoot("accounting-settings")
