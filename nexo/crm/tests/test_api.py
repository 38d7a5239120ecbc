"""The CRM through /api/v1: opportunities and their state table, stages, activities, leads and the forecast.

`party` (Reformas Turia, S.L.) and `stages` (the default pipeline by name) come from the CRM's conftest.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.signals import request_started
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nexo.crm.models import Activity, Opportunity, Stage
from nexo.parties.models import Party
from nexo.parties.services import party_create

CLOSE = "2031-05-15"


def create(api, party, **fields):
    body = {"party_id": party.pk, "title": "Reforma de oficinas", "expected_close": CLOSE} | fields
    response = api.post("/opportunities", body)
    assert response.status_code == 201, response.content
    return response.json()


def fields_of(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_create_read_update_an_opportunity(api, party):
    created = create(api, party, amount="12000.50", source="referral")
    assert created["party_id"] == party.pk and created["party_name"] == "Reformas Turia, S.L."
    assert created["owner_username"] == "ventas" and created["stage_name"] == "Nuevo"
    assert created["status"] == "open" and created["closed_on"] is None and created["lost_reason"] == ""
    assert created["amount"] == "12000.50" and created["probability"] == "10.00"
    assert created["expected_close"] == CLOSE and created["next_activity"] is None
    read = api.get(f"/opportunities/{created['id']}")
    assert read.status_code == 200 and read.json() == created
    changed = api.patch(
        f"/opportunities/{created['id']}", {"amount": "15000", "probability": "30", "title": "Oficinas"}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["amount"] == "15000.00" and changed.json()["probability"] == "30.00"
    assert changed.json()["title"] == "Oficinas" and changed.json()["source"] == "referral"
    for field in ("notes", "title", "party_id", "amount", "source"):
        refused = api.patch(f"/opportunities/{created['id']}", {field: None})
        assert refused.status_code == 422 and fields_of(refused) == {field}
    stored = Opportunity.objects.get()
    assert stored.amount == Decimal("15000.00") and stored.title == "Oficinas" and stored.notes == ""


def test_the_stage_is_not_changed_by_patch(api, party, stages):
    opportunity = create(api, party)
    response = api.patch(f"/opportunities/{opportunity['id']}", {"stage_id": stages["Propuesta"].pk})
    assert response.status_code == 422 and fields_of(response) == {"stage_id"}
    assert Opportunity.objects.get().stage.name == "Nuevo"


def test_decimals_are_strings_both_ways(api, party):
    created = api.post(
        "/opportunities", {"party_id": party.pk, "title": "T", "expected_close": CLOSE, "amount": "1234.5"}
    )
    assert b'"amount": "1234.50"' in created.content and b'"probability": "10.00"' in created.content
    as_number = api.post(
        "/opportunities", {"party_id": party.pk, "title": "T", "expected_close": CLOSE, "amount": 1234.5}
    )
    assert as_number.status_code == 422 and fields_of(as_number) == {"amount"}
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["OpportunityIn"]["properties"]["amount"]["type"] == "string"
    assert schemas["OpportunityOut"]["properties"]["amount"]["type"] == "string"
    assert schemas["OpportunityOut"]["properties"]["probability"]["type"] == "string"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"probability": "150"}, "probability"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"party_id": 999999}, "party_id"),
        ({"owner_id": 999999}, "owner_id"),
        ({"expected_close": "31/05/2031"}, "expected_close"),
        ({"source": "telepathy"}, "source"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_input_is_422_naming_the_field_and_creates_nothing(api, party, change, field):
    body = {"party_id": party.pk, "title": "T", "expected_close": CLOSE} | change
    response = api.post("/opportunities", body)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert fields_of(response) == {field}
    assert not Opportunity.objects.exists()


def test_another_companys_party_or_user_is_unknown(api, party, make_user, other_company, manager_user):
    outsider = make_user("externo", companies=[other_company])
    foreign_party = party_create(company=other_company, by=manager_user, name="Ajena")
    response = api.post(
        "/opportunities",
        {"party_id": party.pk, "title": "T", "expected_close": CLOSE, "owner_id": outsider.pk},
    )
    assert response.status_code == 422 and fields_of(response) == {"owner_id"}
    response = api.post(
        "/opportunities", {"party_id": foreign_party.pk, "title": "T", "expected_close": CLOSE}
    )
    assert response.status_code == 422 and fields_of(response) == {"party_id"}
    assert not Opportunity.objects.exists()


def test_list_filters_search_and_pagination(api, company, sales_user, party, stages):
    other_party = party_create(company=company, by=sales_user, name="Electricidad Segura")
    create(api, party, title="Reforma nave", amount="500", expected_close="2031-01-10")
    second = create(api, party, title="Mantenimiento", amount="900", expected_close="2031-02-10")
    third = create(api, other_party, title="Instalación", amount="100", expected_close="2031-03-10")
    api.post(f"/opportunities/{second['id']}/move", {"stage_id": stages["Propuesta"].pk})
    api.post(f"/opportunities/{third['id']}/lose", {"reason": "Precio"})
    everything = api.get("/opportunities").json()
    assert everything["count"] == 3
    assert [item["title"] for item in everything["items"]] == ["Reforma nave", "Mantenimiento", "Instalación"]
    assert api.get("/opportunities", q="segura").json()["items"][0]["id"] == third["id"]
    assert api.get("/opportunities", q="turia nave").json()["count"] == 1
    assert api.get("/opportunities", status="lost").json()["count"] == 1
    assert api.get("/opportunities", status="open", party_id=party.pk).json()["count"] == 2
    assert api.get("/opportunities", stage_id=stages["Propuesta"].pk).json()["items"][0]["id"] == second["id"]
    assert api.get("/opportunities", owner_id=sales_user.pk).json()["count"] == 3
    window = api.get("/opportunities", close_from="2031-02-01", close_to="2031-02-28").json()
    assert [item["id"] for item in window["items"]] == [second["id"]]
    page = api.get("/opportunities", ordering="-amount", limit=2, offset=1).json()
    assert page["count"] == 3 and [item["amount"] for item in page["items"]] == ["500.00", "100.00"]
    assert api.get("/opportunities", limit=0).status_code == 422
    assert api.get("/opportunities", limit=501).status_code == 422
    assert api.get("/opportunities", ordering="password").status_code == 422
    assert api.get("/opportunities", status="maybe").status_code == 422
    assert api.get("/opportunities", close_from="ayer").status_code == 422
    assert api.get("/opportunities", q="a\x00b").status_code == 422


def test_a_salesperson_cannot_see_or_touch_a_colleagues_opportunity(
    api, api_as, make_user, manager_user, party, stages
):
    colleague = make_user("ventas2")
    theirs = create(api_as(colleague), party, title="De otro")
    path = f"/opportunities/{theirs['id']}"
    assert api.get(path).status_code == 404
    assert api.get(f"{path}/stage-changes").status_code == 404
    assert api.patch(path, {"title": "Mío"}).status_code == 404
    assert api.post(f"{path}/win", {}).status_code == 404
    assert api.post(f"{path}/lose", {"reason": "No"}).status_code == 404
    assert api.post(f"{path}/move", {"stage_id": stages["Propuesta"].pk}).status_code == 404
    assert api.post(f"{path}/reopen", {}).status_code == 404
    assert api.get("/opportunities").json()["count"] == 0
    unchanged = Opportunity.objects.get()
    assert unchanged.title == "De otro" and unchanged.status == "open" and unchanged.stage.name == "Nuevo"
    manager = api_as(manager_user)
    assert manager.get(path).json()["owner_username"] == "ventas2"
    assert manager.get("/opportunities").json()["count"] == 1
    assert manager.post(f"{path}/win", {}).json()["status"] == "won"


def test_handing_an_opportunity_to_a_colleague_answers_with_the_result(api, make_user, party):
    colleague = make_user("ventas2")
    mine = create(api, party)
    response = api.patch(f"/opportunities/{mine['id']}", {"owner_id": colleague.pk})
    assert response.status_code == 200 and response.json()["owner_username"] == "ventas2"
    assert api.get(f"/opportunities/{mine['id']}").status_code == 404


def test_another_companys_opportunity_is_404(api, api_as, manager_user, other_company):
    foreign_party = party_create(company=other_company, by=manager_user, name="Ajena")
    elsewhere = api_as(manager_user, other_company)
    foreign = create(elsewhere, foreign_party)
    assert elsewhere.get(f"/opportunities/{foreign['id']}").status_code == 200
    assert api_as(manager_user).get(f"/opportunities/{foreign['id']}").status_code == 404
    assert api.get(f"/opportunities/{foreign['id']}").status_code == 404
    assert api.post(f"/opportunities/{foreign['id']}/win", {}).status_code == 404
    assert api.get(f"/opportunities/{2**70}").status_code == 422


def test_move_through_two_stages_with_history(api, party, stages):
    opportunity = create(api, party)
    path = f"/opportunities/{opportunity['id']}"
    moved = api.post(f"{path}/move", {"stage_id": stages["Cualificado"].pk})
    assert moved.status_code == 200 and moved.json()["stage_name"] == "Cualificado"
    moved = api.post(f"{path}/move", {"stage_id": stages["Propuesta"].pk}).json()
    assert moved["stage_id"] == stages["Propuesta"].pk and moved["probability"] == "50.00"
    history = api.get(f"{path}/stage-changes").json()
    assert [(change["from_stage_name"], change["to_stage_name"]) for change in history] == [
        ("Cualificado", "Propuesta"),
        ("Nuevo", "Cualificado"),
        (None, "Nuevo"),
    ]
    assert {change["by_username"] for change in history} == {"ventas"}
    assert history[0]["at"].endswith(("Z", "+00:00", "+01:00", "+02:00"))
    to_lost = api.post(f"{path}/move", {"stage_id": stages["Perdido"].pk})
    assert to_lost.status_code == 422 and fields_of(to_lost) == {"stage_id"}
    unknown = api.post(f"{path}/move", {"stage_id": 999999})
    assert unknown.status_code == 422 and fields_of(unknown) == {"stage_id"}
    assert Opportunity.objects.get().stage.name == "Propuesta"


def test_win_then_win_again_is_a_conflict(api, party, stages):
    opportunity = create(api, party, amount="10000")
    path = f"/opportunities/{opportunity['id']}"
    won = api.post(f"{path}/win", {"amount": "9500.00"})
    assert won.status_code == 200, won.content
    assert won.json()["status"] == "won" and won.json()["stage_name"] == "Ganado"
    assert won.json()["amount"] == "9500.00" and won.json()["probability"] == "100.00"
    assert won.json()["closed_on"] == timezone.localdate().isoformat()
    again = api.post(f"{path}/win", {})
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    assert api.post(f"{path}/move", {"stage_id": stages["Nuevo"].pk}).status_code == 409
    assert api.post(f"{path}/lose", {"reason": "Arrepentido"}).status_code == 409
    assert api.post(f"{path}/reopen", {}).status_code == 409
    assert api.patch(path, {"amount": "1"}).status_code == 409
    assert api.patch(path, {"notes": "Firmado"}).json()["notes"] == "Firmado"
    stored = Opportunity.objects.get()
    assert stored.status == "won" and stored.amount == Decimal("9500.00")


def test_win_by_hand_keeps_the_amount_and_a_negative_one_is_refused(api, party):
    opportunity = create(api, party, amount="4000")
    path = f"/opportunities/{opportunity['id']}"
    assert api.post(f"{path}/win", {"amount": "-1"}).status_code == 422
    assert Opportunity.objects.get().status == "open"
    won = api.post(f"{path}/win", raw=b"")  # the body is optional
    assert won.status_code == 200 and won.json()["amount"] == "4000.00"


def test_lose_needs_a_reason_then_reopen(api, party, stages):
    opportunity = create(api, party)
    path = f"/opportunities/{opportunity['id']}"
    for body in ({"reason": ""}, {"reason": "   "}, {}):
        response = api.post(f"{path}/lose", body)
        assert response.status_code == 422 and fields_of(response) == {"reason"}
    assert Opportunity.objects.get().status == "open"
    lost = api.post(f"{path}/lose", {"reason": "Precio alto"})
    assert lost.status_code == 200
    assert lost.json()["status"] == "lost" and lost.json()["lost_reason"] == "Precio alto"
    assert lost.json()["stage_name"] == "Perdido" and lost.json()["closed_on"] is not None
    assert api.post(f"{path}/lose", {"reason": "Otra vez"}).status_code == 409
    assert api.post(f"{path}/win", {}).status_code == 409
    assert api.post(f"{path}/move", {"stage_id": stages["Propuesta"].pk}).status_code == 409
    reopened = api.post(f"{path}/reopen", {"stage_id": stages["Propuesta"].pk})
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open" and reopened.json()["stage_name"] == "Propuesta"
    assert reopened.json()["lost_reason"] == "" and reopened.json()["closed_on"] is None
    assert api.post(f"{path}/reopen", {}).status_code == 409


def test_reopen_into_a_closing_stage_is_refused(api, party, stages):
    opportunity = create(api, party)
    path = f"/opportunities/{opportunity['id']}"
    api.post(f"{path}/lose", {"reason": "Precio"})
    response = api.post(f"{path}/reopen", {"stage_id": stages["Ganado"].pk})
    assert response.status_code == 422 and fields_of(response) == {"stage_id"}
    assert Opportunity.objects.get().status == "lost"


def test_stages(api, api_as, manager_user, stages):
    listed = api.get("/stages").json()
    assert listed["count"] == 6 and listed["items"][0] == {
        "id": stages["Nuevo"].pk, "name": "Nuevo", "sequence": 10, "probability": "10.00", "kind": "open",
        "is_active": True,
    }  # fmt: skip
    assert api.post("/stages", {"name": "Demo", "probability": "30"}).status_code == 403
    manager = api_as(manager_user)
    created = manager.post("/stages", {"name": "Demo", "probability": "30", "sequence": 15})
    assert created.status_code == 201 and created.json()["probability"] == "30.00"
    assert manager.post("/stages", {"name": "demo", "probability": "30"}).status_code == 422
    assert fields_of(manager.post("/stages", {"name": "X", "probability": "101"})) == {"probability"}
    changed = manager.patch(f"/stages/{created.json()['id']}", {"is_active": False, "probability": "35"})
    assert changed.status_code == 200 and changed.json()["probability"] == "35.00"
    assert fields_of(manager.patch(f"/stages/{created.json()['id']}", {"kind": "won"})) == {"kind"}
    assert api.get("/stages", is_active="true").json()["count"] == 6
    assert Stage.objects.get(name="Demo").kind == "open"


def test_activities(api, party):
    opportunity = create(api, party)
    now = timezone.now()
    missing_due = api.post("/activities", {"subject": "Llamar", "opportunity_id": opportunity["id"]})
    assert missing_due.status_code == 422 and fields_of(missing_due) == {"due_at"}
    naive = api.post(
        "/activities", {"subject": "Llamar", "party_id": party.pk, "due_at": "2031-05-01T10:00:00"}
    )
    assert naive.status_code == 422 and fields_of(naive) == {"due_at"}
    nowhere = api.post("/activities", {"subject": "Llamar", "due_at": now.isoformat()})
    assert nowhere.status_code == 422 and fields_of(nowhere) == {"party_id"}
    assert not Activity.objects.exists()

    def plan(subject, due, **fields):
        body = {"subject": subject, "due_at": due.isoformat(), "opportunity_id": opportunity["id"]} | fields
        response = api.post("/activities", body)
        assert response.status_code == 201, response.content
        return response.json()

    late = plan("Llamar", now - timedelta(days=2), kind="call")
    soon = plan("Visita", now + timedelta(days=1), kind="meeting")
    finished = plan("Correo", now - timedelta(days=3), kind="email")
    assert late["party_id"] == party.pk and late["opportunity_title"] == "Reforma de oficinas"
    completed = api.post(f"/activities/{finished['id']}/complete", {"outcome": "Enviado"})
    assert completed.status_code == 200
    assert (
        completed.json()["done"] and completed.json()["done_at"] and completed.json()["outcome"] == "Enviado"
    )
    listed = api.get("/activities").json()
    assert [item["subject"] for item in listed["items"]] == ["Correo", "Llamar", "Visita"]
    assert [item["id"] for item in api.get("/activities", overdue="true").json()["items"]] == [late["id"]]
    assert api.get("/activities", overdue="false").json()["count"] == 2
    assert api.get("/activities", done="false").json()["count"] == 2
    assert api.get("/activities", opportunity_id=opportunity["id"], party_id=party.pk).json()["count"] == 3
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert api.get("/activities", due_from=tomorrow, due_to=tomorrow).json()["items"][0]["id"] == soon["id"]
    next_activity = api.get(f"/opportunities/{opportunity['id']}").json()["next_activity"]
    assert next_activity["subject"] == "Llamar" and next_activity["kind"] == "call"
    moved = api.patch(f"/activities/{late['id']}", {"subject": "Llamar de nuevo", "due_at": soon["due_at"]})
    assert moved.status_code == 200 and moved.json()["subject"] == "Llamar de nuevo"
    assert api.patch(f"/activities/{late['id']}", {"due_at": None}).status_code == 422
    undone = api.post(f"/activities/{finished['id']}/complete", {"done": False}).json()
    assert not undone["done"] and undone["done_at"] is None and undone["outcome"] == "Enviado"
    assert api.delete(f"/activities/{soon['id']}").status_code == 204
    assert api.delete(f"/activities/{soon['id']}").status_code == 404
    assert Activity.objects.count() == 2


def test_activities_of_a_colleague_are_out_of_sight(api, api_as, make_user, party):
    colleague = make_user("ventas2")
    theirs = create(api_as(colleague), party)
    due = timezone.now().isoformat()
    on_theirs = api.post("/activities", {"subject": "Espiar", "due_at": due, "opportunity_id": theirs["id"]})
    assert on_theirs.status_code == 422 and fields_of(on_theirs) == {"opportunity_id"}
    their_activity = api_as(colleague).post(
        "/activities", {"subject": "Suya", "due_at": due, "opportunity_id": theirs["id"]}
    )
    activity_id = their_activity.json()["id"]
    assert api.get("/activities").json()["count"] == 0
    assert api.patch(f"/activities/{activity_id}", {"subject": "Mía"}).status_code == 404
    assert api.post(f"/activities/{activity_id}/complete", {}).status_code == 404
    assert api.delete(f"/activities/{activity_id}").status_code == 404
    assert Activity.objects.get().subject == "Suya" and not Activity.objects.get().done


def test_lead_capture_and_a_duplicate(api, stages):
    body = {
        "name": "Clínica Dental Ruzafa", "contact_name": "Elena Soler", "email": "elena@ruzafa.es",
        "phone": "600111222", "need": "Climatización de la sala de espera", "source": "web", "amount": "3500",
    }  # fmt: skip
    response = api.post("/leads", body)
    assert response.status_code == 201, response.content
    opportunity = response.json()
    assert opportunity["stage_name"] == "Nuevo" and opportunity["status"] == "open"
    assert opportunity["title"] == "Climatización de la sala de espera" and opportunity["amount"] == "3500.00"
    assert opportunity["source"] == "web" and opportunity["owner_username"] == "ventas"
    party = Party.objects.get()
    assert opportunity["party_id"] == party.pk and party.status == "lead"
    assert party.contacts.get().email == "elena@ruzafa.es"
    duplicate = api.post("/leads", {"name": "Otra clínica", "email": "ELENA@ruzafa.es"})
    assert duplicate.status_code == 422
    problem = duplicate.json()
    assert problem["errors"][0]["field"] == "email" and problem["errors"][0]["party_id"] == party.pk
    assert str(party.pk) in problem["detail"] and "Clínica Dental Ruzafa" in problem["detail"]
    assert Party.objects.count() == 1 and Opportunity.objects.count() == 1
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "party_id" in schemas["DuplicateField"]["properties"]
    bad_email = api.post("/leads", {"name": "X", "contact_name": "Y", "email": "no-es-correo"})
    assert bad_email.status_code == 422 and fields_of(bad_email) == {"email"}
    assert api.post("/leads", {"contact_name": "Sin nombre"}).status_code == 422
    assert Party.objects.count() == 1


def test_forecast_figures(api, api_as, make_user, manager_user, party):
    colleague = make_user("ventas2")
    create(api, party, amount="10000.00", probability="25", expected_close="2031-05-10")
    create(api, party, amount="8000.00", probability="50", expected_close="2031-05-28")
    create(api, party, amount="1000.00", probability="10", expected_close="2031-06-01")
    create(api_as(colleague), party, amount="2000.00", probability="75", expected_close="2031-05-02")
    won = create(api, party, amount="1200.00", expected_close="2031-07-01")
    api.post(f"/opportunities/{won['id']}/win", {})
    mine = api.get("/forecast").json()
    assert mine["months"] == ["2031-05", "2031-06"] and mine["owners"] == ["ventas"]
    assert mine["cells"][0] == {
        "month": "2031-05", "owner": "ventas", "weighted": "6500.00", "best_case": "18000.00", "count": 2
    }  # fmt: skip
    assert mine["total"] == {"weighted": "6600.00", "best_case": "19000.00", "count": 3}
    assert mine["won_this_month"] == "1200.00" and mine["won_this_quarter"] == "1200.00"
    everyone = api_as(manager_user).get("/forecast").json()
    assert everyone["owners"] == ["ventas", "ventas2"]
    assert everyone["by_month"][0] == {
        "month": "2031-05",
        "weighted": "8000.00",
        "best_case": "20000.00",
        "count": 3,
    }
    assert everyone["by_owner"][1] == {
        "owner": "ventas2",
        "weighted": "1500.00",
        "best_case": "2000.00",
        "count": 1,
    }
    only_colleague = api_as(manager_user).get("/forecast", owner_id=colleague.pk).json()
    assert only_colleague["total"]["weighted"] == "1500.00" and only_colleague["won_this_month"] == "0.00"


def test_an_idempotency_key_replays_the_first_answer(api, party):
    body = {"party_id": party.pk, "title": "Una vez", "expected_close": CLOSE, "amount": "10"}
    first = api.post("/opportunities", body, headers={"Idempotency-Key": "opp-1"})
    second = api.post("/opportunities", body, headers={"Idempotency-Key": "opp-1"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and first.json()["amount"] == "10.00"
    other = api.post("/opportunities", body | {"title": "Otra"}, headers={"Idempotency-Key": "opp-1"})
    assert other.status_code == 422 and fields_of(other) == {"Idempotency-Key"}
    assert Opportunity.objects.count() == 1


@pytest.fixture
def queries_logged_across_requests():
    """The test client empties the query log when a request starts; keep it, so counting sees the request."""
    request_started.disconnect(reset_queries)
    yield
    request_started.connect(reset_queries)


def test_the_list_runs_a_constant_number_of_queries(
    api, party, django_assert_max_num_queries, queries_logged_across_requests
):
    def add(count):
        for index in range(count):
            opportunity = create(api, party, title=f"Oportunidad {index}", amount="100")
            due = (timezone.now() + timedelta(days=index)).isoformat()
            api.post("/activities", {"subject": "Llamar", "due_at": due, "opportunity_id": opportunity["id"]})

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("/opportunities", limit=100).json()["items"]) == 3
    queries_for_three = len(few.captured_queries)
    assert 3 <= queries_for_three <= 10
    add(27)
    with django_assert_max_num_queries(queries_for_three):
        items = api.get("/opportunities", limit=100).json()["items"]
    assert len(items) == 30 and all(item["next_activity"]["subject"] == "Llamar" for item in items)


def test_forbidden_without_the_permission(api_as, make_user, party):
    warehouse = api_as(make_user("almacen", "warehouse"))
    assert warehouse.get("/opportunities").status_code == 403
    assert warehouse.post("/leads", {"name": "X"}).status_code == 403
    assert warehouse.get("/forecast").status_code == 403


def test_lead_capture_takes_the_address_and_names_every_wrong_field(api, stages):
    body = {
        "name": "Clínica Ruzafa", "need": "Climatización",
        "address": {"street": "Carrer de Sueca 10", "postal_code": "46006", "city": "València",
                    "province": "Valencia", "country": "ES"},
    }  # fmt: skip
    response = api.post("/leads", body)
    assert response.status_code == 201, response.content
    address = Party.objects.get().addresses.get()
    assert (address.kind, address.street, address.city) == ("billing", "Carrer de Sueca 10", "València")
    bad = api.post("/leads", {"name": "Otra", "tax_id": "B1234", "address": {"street": "Calle 1"}})
    assert bad.status_code == 422
    assert fields_of(bad) == {"tax_id", "address.postal_code", "address.city", "address.province"}
    half_address = api.post("/leads", {"name": "Otra", "address": {"city": "X"}})
    assert half_address.status_code == 422 and "address.street" in fields_of(half_address)
    assert Party.objects.count() == 1
