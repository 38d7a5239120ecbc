from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import translation

from nexo.core.formatting import money, number
from nexo.core.models import User


def test_money_in_spanish_and_english():
    with translation.override("es"):
        assert money(Decimal("1234.56")) == "1.234,56\xa0€"
        assert number(Decimal("1234567.891"), 2) == "1.234.567,89"
    with translation.override("en"):
        assert money(Decimal("1234.56")) == "€1,234.56"


def test_money_rounds_half_up():
    with translation.override("en"):
        assert money(Decimal("0.125")) == "€0.13"


def test_browser_language_is_used_without_a_preference(sales_client):
    html = sales_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    html = sales_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in html


def test_the_users_preference_wins_over_the_browser(sales_client, sales_user):
    sales_client.post(reverse("language_switch"), {"language": "en"})
    assert User.objects.get(pk=sales_user.pk).language == "en"
    html = sales_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en">' in html
    assert "Sign out" in html


def test_an_unknown_language_is_refused(sales_client, sales_user):
    sales_client.post(reverse("language_switch"), {"language": "xx"})
    assert User.objects.get(pk=sales_user.pk).language == ""


def test_anonymous_visitors_choose_a_language_by_cookie(db):
    client = Client()
    client.post(reverse("language_switch"), {"language": "en"})
    assert '<html lang="en">' in client.get(reverse("login")).content.decode()


def test_home_shows_the_module_panels(sales_client):
    html = sales_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Leads" in html and "Customers" in html


def test_static_assets_are_served_locally(db):
    assert Client().get("/static/core/nexo.css").status_code == 200
    assert Client().get("/static/django_htmx/htmx-2.min.js").status_code == 200
