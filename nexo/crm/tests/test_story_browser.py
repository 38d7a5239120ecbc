"""The CRM in the browser: a lead is captured, its card moves through two stages, a call is logged."""

import re

import pytest
from playwright.sync_api import expect

from nexo.crm.models import Activity, Opportunity, Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_capture_a_lead_move_it_on_the_board_and_log_a_call(signed_in_page, live_server, sales_user):
    page = signed_in_page("ventas")
    page.goto(f"{live_server.url}/crm/")
    page.locator("a[href='/crm/leads/new/']").first.click()

    page.fill("#id_name", "Hotel Marina Alta, S.L.")
    page.fill("#id_contact_name", "Amparo Sempere")
    page.fill("#id_email", "amparo@hotelmarinaalta.es")
    page.fill("#id_need", "Sustituir 120 luminarias por LED")
    page.select_option("#id_source", "fair")
    page.fill("#id_amount", "18400")
    page.locator("form.card button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/crm/opportunities/\d+/$"))
    expect(page.locator("#opportunity-stage")).to_have_text("Nuevo")
    opportunity = Opportunity.objects.get()
    assert opportunity.party.status == "lead" and opportunity.party.contacts.get().name == "Amparo Sempere"

    # On the board: drag the card to Cualificado, then the keyboard button takes it to Propuesta.
    stages = {stage.name: stage for stage in Stage.objects.all()}
    page.goto(f"{live_server.url}/crm/")
    card = f"#opportunity-{opportunity.pk}"
    qualified = page.locator(f"section[data-stage-id='{stages['Cualificado'].pk}']")
    proposal = page.locator(f"section[data-stage-id='{stages['Propuesta'].pk}']")
    page.locator(card).drag_to(qualified)
    expect(qualified.locator(card)).to_be_visible()
    page.wait_for_load_state("networkidle")  # the moved card is swapped in by HTMX: focus the new one
    page.locator(f"{card} [data-move=next]").focus()
    page.keyboard.press("Enter")
    expect(proposal.locator(card)).to_be_visible()
    opportunity.refresh_from_db()
    assert opportunity.stage.name == "Propuesta" and opportunity.probability == 50
    assert [c.to_stage.name for c in opportunity.stage_changes.order_by("at", "id")] == [
        "Nuevo",
        "Cualificado",
        "Propuesta",
    ]

    # On the opportunity: log the call just made.
    page.locator(f"{card} h3 a").click()
    page.locator("details.log-activity summary").click()
    page.select_option("details.log-activity #id_kind", "call")
    page.fill("details.log-activity #id_subject", "Llamada tras la feria")
    page.fill("details.log-activity #id_outcome", "Quieren presupuesto con instalación")
    page.locator("details.log-activity button[type=submit]").click()
    expect(page.locator("#activities")).to_contain_text("Llamada tras la feria")
    call = Activity.objects.get()
    assert call.done and call.kind == "call" and call.opportunity == opportunity
    assert call.outcome == "Quieren presupuesto con instalación"
