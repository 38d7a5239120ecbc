from django.urls import reverse

from nexo.parties.models import Address, Contact, Party
from nexo.parties.services import party_create

FORM = {
    "name": "Carpintería Montgó", "kind": "organisation", "country": "ES", "tax_id": "B12345674",
    "language": "es", "status": "lead", "is_active": "on",
    "address-street": "Calle Mayor 5", "address-city": "Dénia", "address-country": "ES",
}  # fmt: skip


def test_create_a_party_with_its_address(sales_client):
    response = sales_client.post(reverse("parties:party_create"), FORM)
    party = Party.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "parties:party_view", args=[party.pk]
    )
    assert party.addresses.get().city == "Dénia"
    page = sales_client.get(response["Location"]).content.decode()
    assert "Carpintería Montgó" in page and "Dénia" in page


def test_a_wrong_nif_is_shown_on_the_form_and_nothing_is_saved(sales_client):
    response = sales_client.post(reverse("parties:party_create"), FORM | {"tax_id": "B12345678"})
    assert response.status_code == 422
    assert response.context["form"].errors["tax_id"]
    assert 'value="Carpintería Montgó"' in response.content.decode()  # what was typed is kept
    assert not Party.objects.exists() and not Address.objects.exists()


def test_an_address_without_city_is_a_field_error(sales_client):
    response = sales_client.post(reverse("parties:party_create"), FORM | {"address-city": ""})
    assert response.status_code == 422
    assert response.context["address_form"].errors["city"]


def test_edit_a_party(sales_client, company, sales_user):
    party = party_create(company=company, by=sales_user, name="Viejo")
    response = sales_client.post(
        reverse("parties:party_edit", args=[party.pk]), FORM | {"name": "Nuevo nombre"}
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.name == "Nuevo nombre"
    page = sales_client.get(reverse("parties:party_view", args=[party.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Viejo" in page.content.decode()  # the history shows the old name


def test_contacts_are_added_in_place_with_htmx(sales_client, company, sales_user):
    party = party_create(company=company, by=sales_user, name="P")
    url = reverse("parties:child_add", args=[party.pk, "contact"])
    form = sales_client.get(url, headers={"HX-Request": "true"})
    assert (
        form.status_code == 200 and "<form" in form.content.decode() and "<html" not in form.content.decode()
    )
    bad = sales_client.post(url, {"name": "", "email": "x"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "<form" in bad.content.decode()
    saved = sales_client.post(url, {"name": "Ana Gil", "email": "ana@p.es"}, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and saved["HX-Retarget"] == "#contact-section"
    assert "Ana Gil" in saved.content.decode()
    contact = Contact.objects.get()
    deleted = sales_client.post(
        reverse("parties:child_delete", args=[party.pk, "contact", contact.pk]),
        headers={"HX-Request": "true"},
    )
    assert deleted.status_code == 200 and not Contact.objects.exists()


def test_list_search_sort_and_htmx_partial(sales_client, company, sales_user):
    party_create(company=company, by=sales_user, name="Alfa", addresses=[{"street": "C", "city": "Teruel"}])
    party_create(company=company, by=sales_user, name="Beta", tax_id="B12345674")
    url = reverse("parties:party_list")
    assert "Alfa" in sales_client.get(url, {"q": "teruel"}).content.decode()
    assert "Alfa" not in sales_client.get(url, {"q": "B12345674"}).content.decode()
    listing = sales_client.get(url, {"sort": "-name"}).context["listing"]
    assert [party.name for party in listing.rows] == ["Beta", "Alfa"]
    partial = sales_client.get(url, {"q": "beta"}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="list-results"' in partial and "<html" not in partial and "Beta" in partial


def test_the_list_page_runs_a_constant_number_of_queries(
    sales_client, company, sales_user, django_assert_max_num_queries
):
    for index in range(60):
        party_create(
            company=company,
            by=sales_user,
            name=f"Cliente {index:02d}",
            addresses=[{"street": "C", "city": "Elche"}],
        )
    with django_assert_max_num_queries(12):
        response = sales_client.get(reverse("parties:party_list"))
    assert len(response.context["listing"].rows) == 50
    assert "Cliente 00" in response.content.decode()


def test_the_detail_page_runs_a_constant_number_of_queries(
    sales_client, company, sales_user, django_assert_max_num_queries
):
    contacts = [{"name": f"Contacto {index}"} for index in range(20)]
    party = party_create(company=company, by=sales_user, name="Muchos", contacts=contacts)
    with django_assert_max_num_queries(20):  # the panels of crm, catalog, purchasing and sales included
        assert sales_client.get(reverse("parties:party_view", args=[party.pk])).status_code == 200


def test_a_nul_character_in_the_search_is_ignored(sales_client):
    assert sales_client.get(reverse("parties:party_list"), {"q": "a\x00b"}).status_code == 200


def test_an_id_too_large_for_the_database_is_a_404(sales_client):
    assert sales_client.get(f"/parties/{10**30}/").status_code == 404
