"""In the browser, keyboard only, at a laptop's and a phone's width, in Spanish and English: a salesperson
opens the sales dashboard, sets the period to the start of 2026 and finds its charts drawn (bars and
lines with a visible size), then opens a chart's table."""

import pytest
from django.urls import reverse

from nexo.insight.tests.sales_data import build_story
from nexo.tests.browser_checks import look_at


def drawn(locator) -> list[dict]:
    """The bounding boxes of the elements that have a visible size."""
    boxes = [locator.nth(index).bounding_box() for index in range(locator.count())]
    return [box for box in boxes if box and box["width"] > 0 and box["height"] > 0]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_salesperson_reads_the_sales_dashboards_charts(
    language, page, signed_in_page, live_server, make_user, company, make_item
):
    from playwright.sync_api import expect

    page.set_default_navigation_timeout(120_000)
    ana = make_user(f"ana-{language}", "sales", language=language)
    luis = make_user(f"luis-{language}", "sales", language=language)
    build_story(company, ana=ana, luis=luis, make_item=make_item)
    page = signed_in_page(ana.username)
    page.goto(f"{live_server.url}{reverse('insight:dashboard_sales')}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#dashboard-filters")).to_be_visible()

    # The period typed: 1 January to 3 March 2026, days that read the same whether the browser orders a
    # date's fields day first or month first (that follows its own interface language, not the page's).
    page.focus("#id_date_from")
    page.keyboard.type("01012026")
    page.focus("#id_date_to")
    page.keyboard.type("03032026")
    assert (page.input_value("#id_date_from"), page.input_value("#id_date_to")) == (
        "2026-01-01",
        "2026-03-03",
    )
    page.keyboard.press("Enter")
    expect(page.locator("#dashboard-scope")).to_contain_text("03/03/2026")

    charts = page.locator("figure.dash-chart svg[role=img]")
    expect(charts).to_have_count(4)
    for box in drawn(charts):
        assert box["width"] > 250 and box["height"] > 80
    assert len(drawn(charts)) == 4
    # Ana's own figures: the funnel's Nuevo and Propuesta, her won and lost, her quotations by month.
    assert len(drawn(page.locator("#panel-pipeline svg rect.chart-bar"))) == 2
    assert len(drawn(page.locator("#panel-forecast svg path.chart-line"))) == 2
    assert len(drawn(page.locator("#panel-win_rate svg rect.chart-bar"))) == 2  # January won, February lost
    # Sent (2) and accepted (2) in January, rejected in February: three bars; the empty ones have no height.
    assert len(drawn(page.locator("#panel-quotations svg rect.chart-bar"))) == 3
    expect(page.locator("#panel-win_rate .dash-figures")).to_contain_text(
        "50,0" if language == "es" else "50.0"
    )
    look_at(page, f"sales-dashboard-{language}")

    table = page.locator("#panel-win_rate details table")
    expect(table).to_be_hidden()
    page.focus("#panel-win_rate details summary")
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(3)
    look_at(page, f"sales-dashboard-table-{language}")
