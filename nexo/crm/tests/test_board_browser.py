"""The pipeline board in a real browser: a card moves by drag and drop, and from the keyboard."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nexo.crm.models import Opportunity, StageChange
from nexo.crm.services import opportunity_create, stages_ensure_defaults
from nexo.parties.services import party_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_salesperson_drags_a_card_then_moves_it_with_the_keyboard(
    signed_in_page, live_server, sales_user, company
):
    stages = {stage.name: stage for stage in stages_ensure_defaults(company=company)}
    party = party_create(company=company, by=sales_user, name="Reformas Turia, S.L.")
    opportunity = opportunity_create(
        company=company, by=sales_user, party_id=party.pk, title="Reforma de oficinas",
        expected_close=timezone.localdate() + timedelta(days=20), amount=Decimal("12500.00"),
    )  # fmt: skip
    opportunity_create(
        company=company, by=sales_user, party_id=party.pk, title="Pintura de la nave",
        expected_close=timezone.localdate() + timedelta(days=40), amount=Decimal("3000.00"),
    )  # fmt: skip
    page = signed_in_page("ventas")
    page.goto(f"{live_server.url}/crm/")

    card = f"#opportunity-{opportunity.pk}"
    new = page.get_by_role("region", name="Nuevo", exact=True)
    qualified = page.get_by_role("region", name="Cualificado", exact=True)
    proposal = page.get_by_role("region", name="Propuesta", exact=True)
    expect(new.locator("article")).to_have_count(2)
    expect(new.locator(card)).to_be_visible()

    page.locator(card).drag_to(qualified)

    expect(qualified.locator(card)).to_be_visible()
    expect(new.locator("article")).to_have_count(1)
    expect(qualified.locator(".board-count")).to_contain_text("1")
    opportunity.refresh_from_db()
    assert opportunity.stage == stages["Cualificado"]

    page.locator(f"{card} [data-move=next]").focus()
    page.keyboard.press("Enter")

    expect(proposal.locator(card)).to_be_visible()
    expect(qualified.locator("article")).to_have_count(0)
    # The board was replaced: the focus is back on the same card's button, ready to move it again.
    expect(page.locator(f"{card} [data-move=next]")).to_be_focused()
    expect(page.locator("#board-status")).to_contain_text("Propuesta")
    opportunity.refresh_from_db()
    assert opportunity.stage == stages["Propuesta"]
    assert list(
        StageChange.objects.filter(opportunity=opportunity).order_by("at", "id").values_list("to_stage__name")
    ) == [("Nuevo",), ("Cualificado",), ("Propuesta",)]
    assert Opportunity.objects.get(title="Pintura de la nave").stage == stages["Nuevo"]
