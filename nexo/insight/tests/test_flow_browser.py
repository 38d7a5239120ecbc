"""In the browser, in Spanish and English, at a laptop's and a phone's width: from a paid invoice's page to its
document flow, and through the graph's links back to the order and on to the opportunity it came from."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from nexo.insight.tests.flow_story import tell_story
from nexo.tests.browser_checks import look_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAID = {"es": "Pagada", "en": "Paid"}
#: A column of the graph, in each language.
QUOTATIONS = {"es": "Presupuestos", "en": "Quotations"}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_paid_invoice_leads_through_its_flow_back_to_the_opportunity(
    language, signed_in_page, live_server, make_user, company
):
    user = make_user(f"gerente-{language}", "manager", language=language)
    story = tell_story(company, user)
    page = signed_in_page(user.username)
    page.set_default_navigation_timeout(120_000)

    page.goto(f"{live_server.url}{reverse('invoicing:invoice_view', args=[story.invoice.pk])}")
    expect(page.locator("#invoice-payment-status")).to_have_text(PAID[language])
    page.click("#document-flow-link")
    expect(page.locator("#flow-document")).to_have_text(story.invoice.number)
    graph = page.locator("#flow-graph")
    expect(graph).to_contain_text(QUOTATIONS[language])
    expect(graph.locator(f'a.flow-current[data-key="invoice:{story.invoice.pk}"]')).to_be_visible()
    expect(graph.locator("a.flow-node")).to_have_count(31)
    expect(page.locator("#flow-documents tbody tr[data-key]")).to_have_count(31)
    look_at(page, f"flow-invoice-{language}")

    # Up the graph: the invoice came of the order, the order of the quotation, of the opportunity.
    graph.locator(f'a[data-key="order:{story.order.pk}"]').click()
    expect(page.locator("h1")).to_contain_text(story.order.number)
    page.click("#document-flow-link")
    expect(page.locator("#flow-document")).to_have_text(story.order.number)
    look_at(page, f"flow-order-{language}")
    page.locator(f'#flow-graph a[data-key="opportunity:{story.opportunity.pk}"]').click()
    page.wait_for_url(f"**{reverse('crm:opportunity_view', args=[story.opportunity.pk])}")
    expect(page.locator("h1")).to_contain_text(story.opportunity.title)
    expect(page.locator("#document-flow-link")).to_be_visible()
