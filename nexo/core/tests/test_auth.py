from django.conf import settings
from django.test import Client
from django.urls import reverse

from nexo.core.models import User


def test_pages_need_a_signed_in_user(db):
    response = Client().get(reverse("parties:party_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_and_out(sales_user):
    client = Client()
    response = client.post(reverse("login"), {"username": "ventas", "password": "secret-pass-1"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_passwords_are_hashed_with_argon2(sales_user):
    assert User.objects.get(pk=sales_user.pk).password.startswith("argon2")


def test_wrong_password_shows_an_error(sales_user):
    response = Client().post(reverse("login"), {"username": "ventas", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_repeated_failures_lock_the_user_out(sales_user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "ventas", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "ventas", "password": "secret-pass-1"})
    assert response.status_code == 429
    assert client.get(reverse("home")).status_code == 302


def test_session_and_csrf_cookies_are_http_only_and_same_site():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"


def test_forms_refuse_posts_without_csrf_token(sales_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales_user)
    assert client.post(reverse("parties:party_create"), {"name": "X"}).status_code == 403
