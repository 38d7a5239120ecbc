from django.test import Client
from django.urls import reverse

from nexo.core.roles import ROLES


def test_every_role_exists_with_its_permissions(roles):
    assert set(ROLES) <= set(roles)
    assert roles["sales"].permissions.filter(codename="add_party").exists()
    assert not roles["warehouse"].permissions.filter(codename="add_party").exists()
    assert roles["warehouse"].permissions.filter(codename="view_party").exists()
    assert roles["manager"].permissions.filter(codename="change_party").exists()
    assert roles["admin"].permissions.count() >= roles["manager"].permissions.count()


def test_a_warehouse_user_may_read_parties_but_not_create_them(warehouse_user, api_as):
    client = Client()
    client.force_login(warehouse_user)
    assert client.get(reverse("parties:party_list")).status_code == 200
    assert client.get(reverse("parties:party_create")).status_code == 403
    api = api_as(warehouse_user)
    assert api.get("/parties").status_code == 200
    response = api.post("/parties", {"name": "Nuevo"})
    assert response.status_code == 403
    assert response.json()["status"] == 403


def test_a_user_without_company_is_refused(roles, django_user_model):
    user = django_user_model.objects.create_user("suelto", password="secret-pass-1")
    user.groups.add(roles["sales"])
    client = Client()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 403


def test_navigation_shows_only_permitted_modules(warehouse_user, sales_client):
    assert (
        "Nuevo tercero"
        in sales_client.get(reverse("parties:party_list"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    )
    client = Client()
    client.force_login(warehouse_user)
    assert (
        "Nuevo tercero"
        not in client.get(reverse("parties:party_list"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    )
