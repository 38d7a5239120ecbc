import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.modules import NexoModule
from nexo.crm import services
from nexo.crm.models import Activity, Opportunity, StageChange
from nexo.parties.models import Party


def test_default_stages_are_created_once(company, stages):
    assert [(s.name, s.probability, s.kind) for s in services.stages_ensure_defaults(company=company)] == [
        ("Nuevo", 10, "open"), ("Cualificado", 25, "open"), ("Propuesta", 50, "open"),
        ("Negociación", 75, "open"), ("Ganado", 100, "won"), ("Perdido", 0, "lost"),
    ]  # fmt: skip


def test_a_new_opportunity_starts_in_the_first_stage_with_its_probability(make_opportunity, sales_user):
    opportunity = make_opportunity()
    assert opportunity.stage.name == "Nuevo" and opportunity.probability == 10
    assert opportunity.status == "open" and opportunity.owner == sales_user
    change = StageChange.objects.get(opportunity=opportunity)
    assert change.from_stage is None and change.to_stage.name == "Nuevo" and change.by == sales_user


def test_moving_records_who_when_from_and_to(make_opportunity, stages, company, manager_user):
    opportunity = make_opportunity()
    services.opportunity_move(
        company=company, opportunity_id=opportunity.pk, stage_id=stages["Propuesta"].pk, by=manager_user
    )
    opportunity.refresh_from_db()
    assert opportunity.stage.name == "Propuesta" and opportunity.probability == 50
    change = opportunity.stage_changes.first()
    assert (change.from_stage.name, change.to_stage.name, change.by) == ("Nuevo", "Propuesta", manager_user)


def test_winning_sets_amount_stage_and_closing_date(make_opportunity, company, sales_user):
    opportunity = make_opportunity()
    won = services.opportunity_win(
        company=company, opportunity_id=opportunity.pk, by=sales_user, amount=Decimal("121.50"), by_hand=False
    )
    assert (won.status, won.stage.name, won.amount, won.probability) == (
        "won",
        "Ganado",
        Decimal("121.50"),
        100,
    )
    assert won.closed_on == timezone.localdate()
    with pytest.raises(Conflict):
        services.opportunity_win(company=company, opportunity_id=opportunity.pk, by=sales_user)
    with pytest.raises(Conflict):
        services.opportunity_reopen(company=company, opportunity_id=opportunity.pk, by=sales_user)


def test_winning_by_hand_is_refused_while_another_module_objects(
    make_opportunity, company, sales_user, monkeypatch
):
    opportunity = make_opportunity()
    monkeypatch.setattr(
        NexoModule, "opportunity_win_blocker", lambda module, opp: "It has an open quotation."
    )
    with pytest.raises(Conflict, match="open quotation"):
        services.opportunity_win(company=company, opportunity_id=opportunity.pk, by=sales_user)
    # Accepting the quotation itself is not "by hand".
    services.opportunity_win(company=company, opportunity_id=opportunity.pk, by=sales_user, by_hand=False)
    assert Opportunity.objects.get(pk=opportunity.pk).status == "won"


def test_losing_needs_a_reason_and_reopening_brings_it_back(make_opportunity, company, sales_user, stages):
    opportunity = make_opportunity()
    with pytest.raises(ValidationFailed) as caught:
        services.opportunity_lose(company=company, opportunity_id=opportunity.pk, by=sales_user, reason="  ")
    assert caught.value.errors[0]["field"] == "reason"
    assert Opportunity.objects.get(pk=opportunity.pk).status == "open"
    lost = services.opportunity_lose(
        company=company, opportunity_id=opportunity.pk, by=sales_user, reason="Precio"
    )
    assert (lost.status, lost.lost_reason, lost.probability) == ("lost", "Precio", 0)
    with pytest.raises(Conflict):  # a lost one must be reopened before winning
        services.opportunity_win(company=company, opportunity_id=opportunity.pk, by=sales_user)
    reopened = services.opportunity_reopen(company=company, opportunity_id=opportunity.pk, by=sales_user)
    assert (reopened.status, reopened.stage.name, reopened.lost_reason) == ("open", "Nuevo", "")
    assert reopened.stage_changes.count() == 3


def test_moving_to_the_lost_column_asks_for_a_reason(make_opportunity, company, sales_user, stages):
    opportunity = make_opportunity()
    with pytest.raises(ValidationFailed):
        services.opportunity_move(
            company=company, opportunity_id=opportunity.pk, stage_id=stages["Perdido"].pk, by=sales_user
        )
    assert Opportunity.objects.get(pk=opportunity.pk).status == "open"


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"probability": Decimal(150)}, "probability"), ({"amount": "-5"}, "amount"), ({"title": ""}, "title")],
)
def test_bad_values_are_refused_naming_the_field(make_opportunity, fields, field):
    with pytest.raises(ValidationFailed) as caught:
        make_opportunity(**fields)
    assert field in {error["field"] for error in caught.value.errors}
    assert not Opportunity.objects.exists()


def test_unknown_party_or_owner_and_another_companys_party(company, other_company, sales_user, make_user):
    foreign = Party.objects.create(company=other_company, name="Ajena")
    outsider = make_user("fuera", "sales", companies=[other_company])
    for fields, field in [
        ({"party_id": 999999}, "party"),
        ({"party_id": foreign.pk}, "party"),
        ({"owner_id": outsider.pk}, "owner"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            services.opportunity_create(
                company=company, by=sales_user, title="X", expected_close=timezone.localdate(),
                **({"party_id": Party.objects.create(company=company, name="P").pk} | fields),
            )  # fmt: skip
        assert caught.value.errors[0]["field"] == field


def test_another_companys_opportunity_is_not_found(make_opportunity, other_company, sales_user):
    opportunity = make_opportunity()
    with pytest.raises(NotFound):
        services.opportunity_lose(
            company=other_company, opportunity_id=opportunity.pk, by=sales_user, reason="x"
        )


def test_lead_capture_makes_a_lead_its_contact_and_an_opportunity(company, sales_user):
    opportunity = services.lead_capture(
        company=company, by=sales_user, name="Hotel Mediterráneo", contact_name="Laura Pastor",
        email="laura@hotelmed.es", phone="600 111 222", need="Renovar la grifería de 80 baños", source="fair",
    )  # fmt: skip
    party = opportunity.party
    assert party.status == Party.Status.LEAD and party.contacts.get().email == "laura@hotelmed.es"
    assert opportunity.stage.name == "Nuevo" and opportunity.source == "fair"
    assert opportunity.title == "Renovar la grifería de 80 baños"


def test_lead_capture_refuses_an_obvious_duplicate(company, sales_user, party):
    with pytest.raises(services.DuplicateParty) as caught:
        services.lead_capture(company=company, by=sales_user, name="Otra", email="INFO@turia.es", need="x")
    assert caught.value.party == party and caught.value.errors[0]["field"] == "email"
    party.tax_id = "B12345674"
    party.save()
    with pytest.raises(services.DuplicateParty) as caught:
        services.lead_capture(company=company, by=sales_user, name="Otra", tax_id="b-12345674", need="x")
    assert caught.value.errors[0]["field"] == "tax_id"
    assert Party.objects.count() == 1


def test_activities_need_a_due_date_and_a_record(company, sales_user, make_opportunity):
    opportunity = make_opportunity()
    with pytest.raises(ValidationFailed) as caught:
        services.activity_create(
            company=company, by=sales_user, kind="call", subject="Llamar", opportunity_id=opportunity.pk
        )
    assert caught.value.errors[0]["field"] == "due_at"
    with pytest.raises(ValidationFailed):
        services.activity_create(
            company=company, by=sales_user, kind="call", subject="Llamar", due_at=timezone.now()
        )
    activity = services.activity_create(
        company=company, by=sales_user, kind="call", subject="Llamar", opportunity_id=opportunity.pk,
        due_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    assert activity.party == opportunity.party and not activity.done
    done = services.activity_complete(
        company=company, activity_id=activity.pk, by=sales_user, outcome="Interesados"
    )
    assert done.done and done.done_at and done.outcome == "Interesados"
    logged = services.activity_log(
        company=company, by=sales_user, kind="call", subject="Llamada", opportunity_id=opportunity.pk
    )
    assert logged.done and Activity.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_wins_of_one_opportunity_let_exactly_one_through(
    make_opportunity, company, sales_user
):
    opportunity = make_opportunity()
    results, barrier = [], threading.Barrier(2)

    def win(amount):
        try:
            barrier.wait()
            services.opportunity_win(
                company=company,
                opportunity_id=opportunity.pk,
                by=sales_user,
                amount=Decimal(amount),
                by_hand=False,
            )
            results.append("won")
        except Conflict:
            results.append("conflict")
        except Exception as error:
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=win, args=(amount,)) for amount in ("100.00", "200.00")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["conflict", "won"]
    assert opportunity.stage_changes.filter(to_stage__kind="won").count() == 1


def test_closing_stages_keep_their_probability_and_stay_available(
    company, manager_user, stages, make_opportunity
):
    with pytest.raises(ValidationFailed):
        services.stage_update(
            company=company, stage_id=stages["Ganado"].pk, by=manager_user, probability=Decimal(50)
        )
    with pytest.raises(ValidationFailed):
        services.stage_update(
            company=company, stage_id=stages["Perdido"].pk, by=manager_user, is_active=False
        )
    make_opportunity()  # in Nuevo
    with pytest.raises(ValidationFailed) as caught:
        services.stage_update(company=company, stage_id=stages["Nuevo"].pk, by=manager_user, is_active=False)
    assert caught.value.errors[0]["field"] == "is_active"


def test_lead_capture_reports_every_wrong_field_at_once(company, sales_user):
    with pytest.raises(ValidationFailed) as caught:
        services.lead_capture(
            company=company, by=sales_user, name="x" * 201, tax_id="B1234", contact_name="Ana", email="no-mail",
            need="x", amount=Decimal("-1"), address={"street": "Calle Mayor 1", "country": "ES"},
        )  # fmt: skip
    assert set(caught.value.field_messages()) == {
        "name", "tax_id", "email", "amount", "address.postal_code", "address.city", "address.province"
    }  # fmt: skip
    assert Party.objects.count() == 0


def test_lead_capture_address_is_optional_but_complete_when_given(company, sales_user):
    plain = services.lead_capture(company=company, by=sales_user, name="Sin dirección", need="x")
    assert not plain.party.addresses.exists()
    with pytest.raises(ValidationFailed) as caught:
        services.lead_capture(
            company=company, by=sales_user, name="Media", need="x", address={"city": "Lyon"}
        )
    assert set(caught.value.field_messages()) == {"address.street", "address.postal_code", "address.country"}
    abroad = services.lead_capture(
        company=company, by=sales_user, name="Lyon SARL", need="x",
        address={"street": "1 rue de la Paix", "postal_code": "69001", "city": "Lyon", "country": "FR"},
    )  # fmt: skip
    address = abroad.party.addresses.get()
    assert address.kind == "billing" and address.country == "FR" and address.province == ""


def test_lead_capture_duplicate_carries_the_other_wrong_fields(company, sales_user, party):
    with pytest.raises(services.DuplicateParty) as caught:
        services.lead_capture(company=company, by=sales_user, name="", email="info@turia.es", need="x")
    assert caught.value.party == party
    assert [error["field"] for error in caught.value.errors] == ["email", "name"]
