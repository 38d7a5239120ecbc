"""The pipeline board page: who sees which cards, the filters, moving a card, and a constant query count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nexo.crm import services
from nexo.crm.models import Opportunity, Stage, StageChange
from nexo.parties.services import party_create

HTMX = {"HX-Request": "true"}


@pytest.fixture
def party(company, sales_user):
    return party_create(company=company, by=sales_user, name="Reformas Turia, S.L.")


@pytest.fixture
def stages(company):
    return {stage.name: stage for stage in services.stages_ensure_defaults(company=company)}


@pytest.fixture
def opportunity_for(company, party):
    """An opportunity owned by `user` (in the first stage unless moved)."""

    def make(user, title: str, *, amount: str = "1000.00", days: int = 30, stage: Stage | None = None):
        opportunity = services.opportunity_create(
            company=company, by=user, party_id=party.pk, title=title, amount=Decimal(amount),
            expected_close=timezone.localdate() + timedelta(days=days),
        )  # fmt: skip
        if stage is not None:
            services.opportunity_move(
                company=company, opportunity_id=opportunity.pk, stage_id=stage.pk, by=user
            )
        return opportunity

    return make


@pytest.fixture
def manager_client(manager_user):
    client = Client()
    client.force_login(manager_user)
    return client


def cards_by_stage(response) -> dict[str, list[str]]:
    return {
        column.stage.name: [card.title for card in column.cards] for column in response.context["columns"]
    }


def test_the_board_shows_my_opportunities_per_stage(sales_client, sales_user, stages, opportunity_for):
    opportunity_for(sales_user, "Reforma oficinas", amount="12000.00")
    opportunity_for(sales_user, "Pintura nave", amount="3000.00")
    opportunity_for(sales_user, "Climatización", amount="8000.00", stage=stages["Cualificado"])

    response = sales_client.get(reverse("crm:board"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert cards_by_stage(response) == {
        "Nuevo": ["Reforma oficinas", "Pintura nave"],  # by expected close date, then as created
        "Cualificado": ["Climatización"],
        "Propuesta": [],
        "Negociación": [],
        "Ganado": [],
        "Perdido": [],
    }
    new = response.context["columns"][0]
    assert (new.count, new.total, new.weighted) == (2, Decimal("15000.00"), Decimal("1500.00"))
    page = response.content.decode()
    assert "Reforma oficinas" in page and "Reformas Turia, S.L." in page
    assert 'aria-label="Move to Cualificado"' in page
    assert "Closed in the last 30 days" in page  # the won and lost columns say what they show
    assert "No next activity" in page


def test_a_card_shows_the_next_pending_activity_and_an_overdue_close_date(
    sales_client, sales_user, company, opportunity_for
):
    late = opportunity_for(sales_user, "Tarde", days=-3)
    now = timezone.now()
    services.activity_create(
        company=company, by=sales_user, opportunity_id=late.pk, subject="Llamar a Nuria",
        kind="call", due_at=now + timedelta(days=2),
    )  # fmt: skip
    services.activity_create(
        company=company, by=sales_user, opportunity_id=late.pk, subject="Enviar catálogo",
        kind="email", due_at=now + timedelta(days=5),
    )  # fmt: skip
    done = services.activity_create(
        company=company, by=sales_user, opportunity_id=late.pk, subject="Ya hecho", due_at=now
    )
    services.activity_complete(company=company, activity_id=done.pk, by=sales_user)

    response = sales_client.get(reverse("crm:board"), HTTP_ACCEPT_LANGUAGE="en")

    card = response.context["columns"][0].cards[0]
    assert card.is_overdue and card.next_activity_subject == "Llamar a Nuria"
    page = response.content.decode()
    assert "Llamar a Nuria" in page and "Enviar catálogo" not in page and "Ya hecho" not in page
    assert "board-card is-overdue" in page and "(overdue)</span>" in page


def test_a_salesperson_sees_only_their_cards_a_manager_sees_everyone(
    sales_client, manager_client, sales_user, make_user, opportunity_for
):
    colleague = make_user("ventas2", "sales")
    opportunity_for(sales_user, "Mía")
    opportunity_for(colleague, "De otro")

    mine = sales_client.get(reverse("crm:board"))
    assert cards_by_stage(mine)["Nuevo"] == ["Mía"]
    assert "De otro" not in mine.content.decode()
    assert 'name="owner"' not in mine.content.decode()  # no owner filter for a salesperson

    everyone = manager_client.get(reverse("crm:board"))
    assert sorted(cards_by_stage(everyone)["Nuevo"]) == ["De otro", "Mía"]
    assert 'name="owner"' in everyone.content.decode()


def test_the_owner_filter(sales_client, manager_client, sales_user, make_user, opportunity_for):
    colleague = make_user("ventas2", "sales")
    opportunity_for(sales_user, "Mía")
    opportunity_for(colleague, "De otro")

    filtered = manager_client.get(reverse("crm:board"), {"owner": colleague.pk})
    assert cards_by_stage(filtered)["Nuevo"] == ["De otro"]
    assert f'<option value="{colleague.pk}" selected>' in filtered.content.decode()

    # A salesperson cannot use it to look at a colleague's pipeline.
    assert cards_by_stage(sales_client.get(reverse("crm:board"), {"owner": colleague.pk}))["Nuevo"] == ["Mía"]

    for owner in ("9" * 30, "²", "yo"):
        nonsense = manager_client.get(reverse("crm:board"), {"owner": owner}, HTTP_ACCEPT_LANGUAGE="en")
        assert nonsense.status_code == 200 and "Unknown owner" in nonsense.content.decode()
        assert len(cards_by_stage(nonsense)["Nuevo"]) == 2


def test_the_close_date_filters_and_a_wrong_date_is_ignored(sales_client, sales_user, opportunity_for):
    opportunity_for(sales_user, "Pronto", days=5)
    opportunity_for(sales_user, "Tarde", days=60)
    today = timezone.localdate()

    soon = sales_client.get(reverse("crm:board"), {"close_to": (today + timedelta(days=10)).isoformat()})
    assert cards_by_stage(soon)["Nuevo"] == ["Pronto"]
    late = sales_client.get(reverse("crm:board"), {"close_from": (today + timedelta(days=10)).isoformat()})
    assert cards_by_stage(late)["Nuevo"] == ["Tarde"]

    wrong = sales_client.get(
        reverse("crm:board"), {"close_from": "2025-02-30", "close_to": "mañana"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert wrong.status_code == 200
    assert "“2025-02-30” is not a date" in wrong.content.decode()
    assert cards_by_stage(wrong)["Nuevo"] == ["Pronto", "Tarde"]


def test_htmx_filtering_returns_the_board_and_the_status_only(sales_client, sales_user, opportunity_for):
    opportunity_for(sales_user, "Pronto")
    response = sales_client.get(reverse("crm:board"), {"close_from": "x"}, headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert 'id="board"' in page and 'hx-swap-oob="innerHTML"' in page and "Pronto" in page
    assert "HX-Request" in response["Vary"]


def test_won_and_lost_columns_show_only_recent_closings(
    sales_client, sales_user, company, stages, opportunity_for
):
    recent = opportunity_for(sales_user, "Ganada hace poco", stage=stages["Ganado"])
    old = opportunity_for(sales_user, "Ganada hace mucho", stage=stages["Ganado"])
    lost = opportunity_for(sales_user, "Perdida")
    services.opportunity_lose(company=company, opportunity_id=lost.pk, by=sales_user, reason="Precio")
    Opportunity.objects.filter(pk=old.pk).update(closed_on=timezone.localdate() - timedelta(days=31))

    board = cards_by_stage(sales_client.get(reverse("crm:board")))

    assert board["Ganado"] == [recent.title] and board["Perdido"] == ["Perdida"]


def test_moving_a_card_changes_its_stage_and_records_it(sales_client, sales_user, stages, opportunity_for):
    opportunity = opportunity_for(sales_user, "Reforma oficinas")
    url = reverse("crm:board_move", args=[opportunity.pk])

    response = sales_client.post(f"{url}?close_to=2099-12-31", {"stage": stages["Cualificado"].pk})

    assert (
        response.status_code == 302 and response["Location"] == reverse("crm:board") + "?close_to=2099-12-31"
    )
    opportunity.refresh_from_db()
    assert opportunity.stage == stages["Cualificado"] and opportunity.probability == Decimal(25)
    change = StageChange.objects.filter(opportunity=opportunity).first()
    assert (change.from_stage, change.to_stage, change.by) == (
        stages["Nuevo"],
        stages["Cualificado"],
        sales_user,
    )


def test_moving_with_htmx_returns_the_board_with_the_card_in_its_new_column(
    sales_client, sales_user, stages, opportunity_for
):
    opportunity = opportunity_for(sales_user, "Reforma oficinas")
    response = sales_client.post(
        reverse("crm:board_move", args=[opportunity.pk]), {"stage": stages["Propuesta"].pk}, headers=HTMX,
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert cards_by_stage(response)["Propuesta"] == ["Reforma oficinas"]
    assert "“Reforma oficinas” moved to Propuesta." in response.content.decode()


def test_a_salesperson_cannot_move_a_colleagues_opportunity(sales_client, make_user, stages, opportunity_for):
    colleague = make_user("ventas2", "sales")
    theirs = opportunity_for(colleague, "De otro")

    response = sales_client.post(
        reverse("crm:board_move", args=[theirs.pk]), {"stage": stages["Cualificado"].pk}
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.stage == stages["Nuevo"] and theirs.stage_changes.count() == 1


def test_a_manager_moves_anyones_opportunity(manager_client, sales_user, stages, opportunity_for):
    theirs = opportunity_for(sales_user, "De ventas")
    manager_client.post(reverse("crm:board_move", args=[theirs.pk]), {"stage": stages["Propuesta"].pk})
    theirs.refresh_from_db()
    assert theirs.stage == stages["Propuesta"]


def test_moving_to_lost_without_a_reason_leads_to_the_opportunity_page(
    sales_client, sales_user, stages, opportunity_for
):
    opportunity = opportunity_for(sales_user, "Reforma oficinas")
    url = reverse("crm:board_move", args=[opportunity.pk])
    page_url = reverse("crm:opportunity_view", args=[opportunity.pk])

    plain = sales_client.post(url, {"stage": stages["Perdido"].pk})
    assert plain.status_code == 302 and plain["Location"] == page_url
    with_htmx = sales_client.post(url, {"stage": stages["Perdido"].pk}, headers=HTMX)
    assert with_htmx.status_code == 200 and with_htmx["HX-Redirect"] == page_url

    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.OPEN and opportunity.stage == stages["Nuevo"]
    assert opportunity.stage_changes.count() == 1


def test_refused_moves_are_explained_on_the_board(sales_client, sales_user, stages, opportunity_for):
    won = opportunity_for(sales_user, "Ganada", stage=stages["Ganado"])
    url = reverse("crm:board_move", args=[won.pk])

    again = sales_client.post(url, {"stage": stages["Nuevo"].pk}, headers=HTMX, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 200 and "already won" in again.content.decode()
    assert cards_by_stage(again)["Ganado"] == ["Ganada"]

    for stage in ("", "abc", "²", "١٢", "-1", "9" * 30, "999999"):
        response = sales_client.post(url, {"stage": stage})
        assert response.status_code == 302 and response["Location"] == reverse("crm:board")
    won.refresh_from_db()
    assert won.stage == stages["Ganado"]


def test_moving_needs_a_post_and_the_right_role(sales_client, sales_user, make_user, stages, opportunity_for):
    opportunity = opportunity_for(sales_user, "Reforma oficinas")
    url = reverse("crm:board_move", args=[opportunity.pk])
    assert sales_client.get(url).status_code == 405
    assert Client().post(url, {"stage": stages["Propuesta"].pk}).status_code == 302  # to the sign-in page

    warehouse = Client()
    warehouse.force_login(make_user("almacen", "warehouse"))
    assert warehouse.get(reverse("crm:board")).status_code == 403
    assert warehouse.post(url, {"stage": stages["Propuesta"].pk}).status_code == 403
    assert sales_client.post(f"/crm/board/move/{2**64}/", {"stage": "1"}).status_code == 404
    opportunity.refresh_from_db()
    assert opportunity.stage == stages["Nuevo"]


@pytest.mark.parametrize("who", ["sales", "manager"])
def test_the_query_count_does_not_grow_with_the_cards(
    who,
    sales_client,
    manager_client,
    sales_user,
    company,
    stages,
    opportunity_for,
    django_assert_max_num_queries,
):
    client = sales_client if who == "sales" else manager_client

    def add(count: int) -> None:
        for number in range(count):
            opportunity = opportunity_for(sales_user, f"Oportunidad {number}", stage=stages["Propuesta"])
            services.activity_create(
                company=company, by=sales_user, opportunity_id=opportunity.pk, subject=f"Llamada {number}",
                due_at=timezone.now() + timedelta(days=1),
            )  # fmt: skip

    add(3)
    client.get(reverse("crm:board"))  # warm up: the session, the permission caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("crm:board")).status_code == 200
    add(37)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("crm:board"))
    assert len(cards_by_stage(response)["Propuesta"]) == 40
