from django.test import Client
from django.urls import reverse

from nexo.core.middleware import SESSION_COMPANY_KEY
from nexo.parties.models import Party


def _party(company, name="Cliente"):
    return Party.objects.create(company=company, name=name)


def test_a_user_sees_only_the_active_companys_records(manager_user, company, other_company):
    mine, theirs = _party(company, "Nuestro cliente"), _party(other_company, "Su cliente")
    client = Client()
    client.force_login(manager_user)
    listing = client.get(reverse("parties:party_list")).content.decode()
    assert mine.name in listing and theirs.name not in listing
    assert client.get(reverse("parties:party_view", args=[theirs.pk])).status_code == 404


def test_switching_company_changes_what_is_visible(manager_user, company, other_company):
    theirs = _party(other_company, "Su cliente")
    client = Client()
    client.force_login(manager_user)
    response = client.post(reverse("company_switch"), {"company": other_company.pk})
    assert response.status_code == 302
    assert client.session[SESSION_COMPANY_KEY] == other_company.pk
    assert client.get(reverse("parties:party_view", args=[theirs.pk])).status_code == 200


def test_a_user_cannot_switch_to_a_company_they_do_not_work_in(sales_client, other_company, company):
    sales_client.post(reverse("company_switch"), {"company": other_company.pk})
    assert sales_client.session[SESSION_COMPANY_KEY] == company.pk


def test_another_companys_party_is_404_in_the_api(api, other_company):
    theirs = _party(other_company)
    response = api.get(f"/parties/{theirs.pk}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert api.patch(f"/parties/{theirs.pk}", {"name": "Robado"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Cliente"


def test_the_api_refuses_a_company_the_user_is_not_in(api_as, sales_user, other_company):
    response = api_as(sales_user, other_company).get("/parties")
    assert response.status_code == 401
