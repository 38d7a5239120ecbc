"""Pipeline stages: a manager lists, creates and edits them; a salesperson only looks."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nexo.core.errors import ValidationFailed
from nexo.crm import services
from nexo.crm.models import Stage
from nexo.parties.services import party_create

FORM = {"name": "Demostración", "kind": "open", "sequence": "35", "probability": "40", "is_active": "on"}


@pytest.fixture
def manager_client(manager_user):
    client = Client()
    client.force_login(manager_user)
    return client


@pytest.fixture
def stages(company):
    return {stage.name: stage for stage in services.stages_ensure_defaults(company=company)}


def test_the_list_counts_the_opportunities_of_each_stage(manager_client, company, manager_user, stages):
    party = party_create(company=company, by=manager_user, name="Cliente")
    for title in ("Uno", "Dos"):
        services.opportunity_create(
            company=company, by=manager_user, party_id=party.pk, title=title,
            expected_close=timezone.localdate(), amount=Decimal("100.00"),
        )  # fmt: skip
    won = services.opportunity_create(
        company=company, by=manager_user, party_id=party.pk, title="Tres", stage_id=stages["Propuesta"].pk,
        expected_close=timezone.localdate(), amount=Decimal("100.00"),
    )  # fmt: skip
    services.opportunity_win(company=company, opportunity_id=won.pk, by=manager_user)

    manager_client.get(reverse("crm:stage_list"))  # the first request stores the company in the session
    with CaptureQueriesContext(connection) as queries:
        response = manager_client.get(reverse("crm:stage_list"))
    assert response.status_code == 200
    listed = response.context["stages"]
    assert [stage.name for stage in listed] == [
        "Nuevo", "Cualificado", "Propuesta", "Negociación", "Ganado", "Perdido",
    ]  # fmt: skip
    assert {stage.name: stage.opportunity_count for stage in listed} == {
        "Nuevo": 2, "Cualificado": 0, "Propuesta": 0, "Negociación": 0, "Ganado": 1, "Perdido": 0,
    }  # fmt: skip
    assert len([query for query in queries if "crm_stage" in query["sql"]]) == 1  # one query, counts included
    page = response.content.decode()
    assert (
        reverse("crm:stage_create") in page and reverse("crm:stage_edit", args=[stages["Nuevo"].pk]) in page
    )


def test_a_company_without_stages_gets_the_defaults(manager_client, company):
    response = manager_client.get(reverse("crm:stage_list"))
    assert len(response.context["stages"]) == 6 and Stage.objects.filter(company=company).count() == 6


def test_a_manager_creates_a_stage_and_edits_its_probability(manager_client, company, manager_user, stages):
    form = manager_client.get(reverse("crm:stage_create"))
    assert form.status_code == 200 and form.context["form"].initial["sequence"] == 70  # after Perdido (60)

    response = manager_client.post(reverse("crm:stage_create"), FORM)
    assert response.status_code == 302 and response["Location"] == reverse("crm:stage_list")
    stage = Stage.objects.get(company=company, name="Demostración")
    assert (stage.kind, stage.sequence, stage.probability, stage.is_active) == ("open", 35, Decimal(40), True)
    assert stage.created_by == manager_user

    edit_url = reverse("crm:stage_edit", args=[stage.pk])
    assert "kind" not in manager_client.get(edit_url).context["form"].fields  # fixed once created
    response = manager_client.post(edit_url, FORM | {"probability": "62.5", "kind": "won"})
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.probability == Decimal("62.5") and stage.kind == "open"
    listed = manager_client.get(reverse("crm:stage_list")).content.decode()
    assert "62,5 %" in listed


@pytest.mark.parametrize("probability", ["150", "-1", "100.01"])
def test_a_probability_outside_0_to_100_is_a_field_error(manager_client, company, stages, probability):
    created = manager_client.post(reverse("crm:stage_create"), FORM | {"probability": probability})
    assert created.status_code == 422
    assert list(created.context["form"].errors) == ["probability"]
    assert not Stage.objects.filter(name="Demostración").exists()

    nuevo = stages["Nuevo"]
    edited = manager_client.post(
        reverse("crm:stage_edit", args=[nuevo.pk]), FORM | {"name": "Nuevo", "probability": probability}
    )
    assert edited.status_code == 422 and list(edited.context["form"].errors) == ["probability"]
    assert f'value="{probability}"' in edited.content.decode()  # what was typed is kept
    nuevo.refresh_from_db()
    assert nuevo.probability == Decimal(10) and nuevo.sequence == 10


def test_the_service_refuses_a_probability_over_100_on_the_field(company, manager_user, stages):
    with pytest.raises(ValidationFailed) as caught:
        services.stage_update(
            company=company, stage_id=stages["Nuevo"].pk, by=manager_user, probability=Decimal(150)
        )
    assert list(caught.value.field_messages()) == ["probability"]


def test_a_duplicate_name_is_a_field_error_from_the_service(manager_client, company, stages):
    created = manager_client.post(reverse("crm:stage_create"), FORM | {"name": "propuesta"})
    assert created.status_code == 422
    assert list(created.context["form"].errors) == ["name"]
    assert Stage.objects.filter(company=company).count() == 6

    nuevo = stages["Nuevo"]
    edited = manager_client.post(
        reverse("crm:stage_edit", args=[nuevo.pk]), FORM | {"name": "PROPUESTA", "probability": "15"}
    )
    assert edited.status_code == 422 and list(edited.context["form"].errors) == ["name"]
    assert "PROPUESTA" in edited.content.decode()
    nuevo.refresh_from_db()
    assert (nuevo.name, nuevo.probability) == ("Nuevo", Decimal(10))


def test_the_same_name_in_another_company_is_fine(manager_client, other_company, manager_user, stages):
    services.stages_ensure_defaults(company=other_company)
    other = Stage.objects.get(company=other_company, name="Nuevo")
    assert manager_client.post(reverse("crm:stage_create"), FORM).status_code == 302
    # A stage of a company the user is not working in now is not found.
    assert manager_client.get(reverse("crm:stage_edit", args=[other.pk])).status_code == 404
    assert manager_user.memberships.filter(company=other_company).exists()


def test_a_salesperson_sees_the_stages_but_cannot_change_them(sales_client, stages):
    listed = sales_client.get(reverse("crm:stage_list"))
    assert listed.status_code == 200 and len(listed.context["stages"]) == 6
    assert reverse("crm:stage_create") not in listed.content.decode()
    assert sales_client.get(reverse("crm:stage_create")).status_code == 403
    assert sales_client.post(reverse("crm:stage_create"), FORM).status_code == 403
    nuevo = stages["Nuevo"]
    assert sales_client.post(reverse("crm:stage_edit", args=[nuevo.pk]), FORM).status_code == 403
    assert not Stage.objects.filter(name="Demostración").exists()
    nuevo.refresh_from_db()
    assert nuevo.name == "Nuevo"
