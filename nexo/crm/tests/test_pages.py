from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nexo.crm import services
from nexo.crm.models import Activity, Opportunity
from nexo.parties.models import Party


def test_lead_capture_page_creates_lead_and_opportunity(sales_client):
    response = sales_client.post(
        reverse("crm:lead_capture"),
        {"name": "Hotel Albufera", "kind": "organisation", "contact_name": "Raquel Mora", "email": "raquel@albufera.es",
         "need": "Iluminación LED para 40 habitaciones", "source": "web"},
    )  # fmt: skip
    opportunity = Opportunity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "crm:opportunity_view", args=[opportunity.pk]
    )
    assert opportunity.party.status == "lead" and opportunity.stage.name == "Nuevo"


def test_lead_capture_shows_the_existing_party_on_a_duplicate(sales_client, party):
    response = sales_client.post(
        reverse("crm:lead_capture"),
        {"name": "Otra", "kind": "organisation", "email": "info@turia.es", "need": "x", "source": "web"},
    )
    assert response.status_code == 422
    assert reverse("parties:party_view", args=[party.pk]) in response.content.decode()
    assert Party.objects.count() == 1


def test_opportunity_page_shows_history_and_runs_actions(sales_client, make_opportunity, stages):
    opportunity = make_opportunity()
    url = reverse("crm:opportunity_view", args=[opportunity.pk])
    assert "Nuevo" in sales_client.get(url).content.decode()
    sales_client.post(
        reverse("crm:opportunity_move", args=[opportunity.pk]), {"stage": stages["Propuesta"].pk}
    )
    bad = sales_client.post(reverse("crm:opportunity_lose", args=[opportunity.pk]), {"reason": ""})
    assert bad.status_code == 422 and bad.context["lose_form"].errors["reason"]
    sales_client.post(reverse("crm:opportunity_lose", args=[opportunity.pk]), {"reason": "Precio"})
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.lost_reason) == ("lost", "Precio")
    sales_client.post(reverse("crm:opportunity_reopen", args=[opportunity.pk]))
    sales_client.post(reverse("crm:opportunity_win", args=[opportunity.pk]))
    opportunity.refresh_from_db()
    assert opportunity.status == "won"
    again = sales_client.post(reverse("crm:opportunity_win", args=[opportunity.pk]), follow=True)
    assert any("already won" in str(m) or "ya" in str(m) for m in again.context["messages"])
    history = sales_client.get(url).context["history"]
    assert [c.to_stage.name for c in history][:2] == ["Ganado", "Nuevo"]


def test_a_salesperson_cannot_open_anothers_opportunity(make_opportunity, make_user, company):
    other = make_user("ventas2", "sales")
    opportunity = make_opportunity(by=other)
    client = Client()
    client.force_login(make_user("ventas3", "sales"))
    assert client.get(reverse("crm:opportunity_view", args=[opportunity.pk])).status_code == 404
    assert client.post(reverse("crm:opportunity_win", args=[opportunity.pk])).status_code == 404
    assert Opportunity.objects.get(pk=opportunity.pk).status == "open"


def test_create_and_edit_an_opportunity_with_field_errors(sales_client, party, sales_user):
    data = {"party": party.pk, "title": "Cuadros eléctricos", "owner": sales_user.pk, "amount": "-1",
            "probability": "", "expected_close": "2026-12-31", "source": "web"}  # fmt: skip
    bad = sales_client.post(reverse("crm:opportunity_create"), data)
    assert bad.status_code == 422 and "amount" in bad.context["form"].errors
    sales_client.post(reverse("crm:opportunity_create"), data | {"amount": "4500.00"})
    opportunity = Opportunity.objects.get()
    assert opportunity.probability == 10  # the stage's default
    sales_client.post(
        reverse("crm:opportunity_edit", args=[opportunity.pk]), data | {"amount": "5000", "probability": "30"}
    )
    opportunity.refresh_from_db()
    assert (opportunity.amount, opportunity.probability) == (5000, 30)


def test_my_activities_puts_overdue_first_and_marks_done(sales_client, make_opportunity, company, sales_user):
    opportunity = make_opportunity()
    now = timezone.now()
    late = services.activity_create(
        company=company,
        by=sales_user,
        kind="call",
        subject="Llamar ya",
        opportunity_id=opportunity.pk,
        due_at=now - timedelta(days=2),
    )
    services.activity_create(
        company=company,
        by=sales_user,
        kind="task",
        subject="Preparar oferta",
        opportunity_id=opportunity.pk,
        due_at=now + timedelta(days=3),
    )
    context = sales_client.get(reverse("crm:my_activities")).context
    assert [a.subject for a in context["overdue"]] == ["Llamar ya"]
    assert [a.subject for a in context["upcoming"]] == ["Preparar oferta"]
    row = sales_client.post(
        reverse("crm:activity_done", args=[late.pk]), {"outcome": "Hablado"}, headers={"HX-Request": "true"}
    )
    assert row.status_code == 200 and "is-done" in row.content.decode()
    assert Activity.objects.get(pk=late.pk).done


def test_logging_a_call_from_the_opportunity(sales_client, make_opportunity, sales_user):
    opportunity = make_opportunity()
    url = reverse("crm:opportunity_view", args=[opportunity.pk])
    response = sales_client.post(
        reverse("crm:activity_create"),
        {"log": "1", "next": url, "opportunity": opportunity.pk, "owner": sales_user.pk, "kind": "call",
         "subject": "Llamada de seguimiento", "outcome": "Piden visita"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == url
    activity = Activity.objects.get()
    assert activity.done and activity.outcome == "Piden visita" and activity.party == opportunity.party


def test_an_activity_without_due_date_is_a_form_error(sales_client, make_opportunity, sales_user):
    opportunity = make_opportunity()
    response = sales_client.post(
        reverse("crm:activity_create"),
        {"opportunity": opportunity.pk, "owner": sales_user.pk, "kind": "call", "subject": "Sin fecha"},
    )
    assert response.status_code == 422 and "due_at" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_the_opportunity_page_runs_a_constant_number_of_queries(
    sales_client, make_opportunity, company, sales_user, django_assert_max_num_queries
):
    opportunity = make_opportunity()
    for day in range(15):
        services.activity_create(
            company=company,
            by=sales_user,
            kind="call",
            subject=f"Llamada {day}",
            opportunity_id=opportunity.pk,
            due_at=timezone.now() + timedelta(days=day),
        )
    with django_assert_max_num_queries(20):
        assert sales_client.get(reverse("crm:opportunity_view", args=[opportunity.pk])).status_code == 200


def test_the_opportunity_list_filters_and_stays_constant(
    sales_client, make_opportunity, django_assert_max_num_queries
):
    for index in range(25):
        make_opportunity(f"Oportunidad {index:02d}")
    with django_assert_max_num_queries(16):
        response = sales_client.get(reverse("crm:opportunity_list"), {"status": "open"})
    assert response.context["listing"].page.paginator.count == 25


def test_the_party_page_shows_its_opportunities(sales_client, make_opportunity, party):
    make_opportunity("Grifería hotel")
    html = sales_client.get(reverse("parties:party_view", args=[party.pk])).content.decode()
    assert "Grifería hotel" in html and reverse("crm:opportunity_create") + f"?party={party.pk}" in html


def test_lead_capture_stores_the_address_as_the_partys_billing_address(sales_client):
    response = sales_client.post(
        reverse("crm:lead_capture"),
        {"name": "Hotel Albufera", "kind": "organisation", "need": "LED", "source": "web",
         "street": "Carrer de la Mar 4", "postal_code": "46012", "city": "València", "province": "Valencia",
         "country": "ES"},
    )  # fmt: skip
    assert response.status_code == 302
    address = Opportunity.objects.get().party.addresses.get()
    assert (address.kind, address.street, address.postal_code, address.city, address.province, address.country) == (
        "billing", "Carrer de la Mar 4", "46012", "València", "Valencia", "ES"
    )  # fmt: skip
    assert address.is_default and Opportunity.objects.get().party.city == "València"


def test_lead_capture_shows_every_wrong_field_in_one_answer(sales_client, party):
    response = sales_client.post(
        reverse("crm:lead_capture"),
        {"name": "", "kind": "organisation", "tax_id": "B1234", "email": "info@turia.es", "need": "x",
         "source": "web", "amount": "-5", "street": "Carrer de la Mar 4", "country": "ES"},
    )  # fmt: skip
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"name", "tax_id", "email", "amount", "postal_code", "city", "province"} <= set(errors)
    html = response.content.decode()
    assert reverse("parties:party_view", args=[party.pk]) in html
    assert "Reformas Turia, S.L." in html and "S.L.." not in html  # one full stop after the abbreviation
    assert Party.objects.count() == 1 and Opportunity.objects.count() == 0
