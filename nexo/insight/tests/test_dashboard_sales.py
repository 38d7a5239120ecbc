"""The sales dashboard: its figures on a small story (nexo/insight/tests/sales_data.py, where each one is
worked out), the filters, then the page, its files and the API, each in a constant number of queries."""

import io
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from nexo.catalog import services as catalog_services
from nexo.conftest import ApiClient
from nexo.crm.models import Opportunity
from nexo.insight.services.dashboards import Filters
from nexo.insight.services.dashboards.sales import build
from nexo.insight.tests.sales_data import build_story
from nexo.parties.models import Party

D = Decimal
FIRST_QUARTER = Filters(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31))
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-03-31"}


@pytest.fixture(autouse=True)
def _english(english):
    """Labels are asserted in English."""


@pytest.fixture
def ana(make_user):
    return make_user("ana", "sales")


@pytest.fixture
def luis(make_user):
    return make_user("luis", "sales")


@pytest.fixture
def story(company, ana, luis, make_item):
    return build_story(company, ana=ana, luis=luis, make_item=make_item)


def panels_of(company, filters=FIRST_QUARTER):
    return {panel.key: panel for panel in build(company, filters)}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# The figures


def test_the_pipeline_counts_the_open_opportunities_by_stage_in_the_pipelines_order(company, story):
    pipeline = panels_of(company)["pipeline"]

    assert pipeline.rows == [
        ["Nuevo", 1, D("1000.00"), D("100.00")],
        ["Cualificado", 0, D("0.00"), D("0.00")],
        # 3,333.33 x 33 % = 1,099.9989 and 8,000.00 x 50 % = 4,000.00: 5,099.9989, rounded once.
        ["Propuesta", 2, D("11333.33"), D("5100.00")],
        ["Negociación", 1, D("500.00"), D("375.00")],
    ]
    assert pipeline.figures == {
        "Open opportunities": 4, "Open amount": D("12833.33"), "Weighted": D("5575.00"),  # 5,574.9989
    }  # fmt: skip
    svg = ET.fromstring(pipeline.chart)
    assert len(svg.findall(".//{http://www.w3.org/2000/svg}rect[@class='chart-bar chart-series-0']")) == 4
    assert "Propuesta: €11,333.33" in pipeline.chart  # the bar's title, in the reader's money format


def test_the_forecast_weights_the_open_opportunities_by_expected_close_month(company, story):
    forecast = panels_of(company)["forecast"]

    assert forecast.rows == [
        ["Jan 2026", 1, D("1000.00"), D("100.00")],
        ["Feb 2026", 2, D("11333.33"), D("5100.00")],
        ["Mar 2026", 0, D("0.00"), D("0.00")],
    ]  # O4 closes in May, outside the period
    assert forecast.figures == {"Weighted forecast": D("5200.00"), "Best case": D("12333.33")}  # 5,199.9989
    assert forecast.chart.count("<circle") == 6  # two lines of three months


def test_the_win_rate_and_time_to_win_count_what_closed_in_the_period(company, story):
    win_rate = panels_of(company)["win_rate"]

    assert win_rate.rows == [
        ["Jan 2026", 1, 0, D("100.00"), D("2000.00")],
        ["Feb 2026", 1, 1, D("50.00"), D("4500.00")],
        ["Mar 2026", 0, 0, None, D("0.00")],
    ]  # L2 closed in December, W3 in April
    assert win_rate.figures == {
        "Win rate": D("66.67"),  # 2 won of 3 closed
        "Average days to win": D("47.5"),  # (20 + 75) / 2
        "Won": 2, "Lost": 1, "Amount won": D("6500.00"),
    }  # fmt: skip


def test_quotations_are_counted_by_the_month_sent_and_the_month_decided(company, story):
    quotations = panels_of(company)["quotations"]

    assert quotations.rows == [
        ["Jan 2026", 2, D("350.00"), 2, D("300.00"), 0],  # sent Q1, Q2; accepted Q1 and Q6 (sent in December)
        ["Feb 2026", 1, D("150.00"), 0, D("0.00"), 1],  # sent Q3; rejected Q2
        ["Mar 2026", 1, D("200.00"), 0, D("0.00"), 0],  # sent Q4, accepted in April; Q5 is a draft
    ]
    assert quotations.figures == {
        "Sent": 4, "Accepted": 2, "Rejected": 1, "Acceptance rate": D("66.67"), "Amount accepted": D("300.00"),
    }  # fmt: skip
    svg = ET.fromstring(quotations.chart)
    bars = svg.findall(".//{http://www.w3.org/2000/svg}rect[@class]")
    assert (
        len([bar for bar in bars if "chart-bar" in bar.get("class")]) == 9
    )  # 3 months, sent/accepted/rejected each


def test_the_largest_open_opportunities_come_first_with_their_weighted_amount(company, story):
    top = panels_of(company)["top_open"]

    assert top.chart == ""
    assert [row[0] for row in top.rows] == [
        "Herramientas obra",
        "Iluminación nave",
        "Cuadro eléctrico",
        "Mantenimiento",
    ]
    assert top.rows[1] == [
        "Iluminación nave", "Hotel Mar Azul", "Propuesta", "ana", date(2026, 2, 10), D("3333.33"), D("33.00"),
        D("1100.00"),
    ]  # fmt: skip


def test_the_salesperson_filter_keeps_the_owners_opportunities_and_quotations(company, story):
    panels = panels_of(
        company, Filters(FIRST_QUARTER.date_from, FIRST_QUARTER.date_to, salesperson_id=story.ana.pk)
    )

    assert [row[:2] for row in panels["pipeline"].rows] == [["Nuevo", 1], ["Cualificado", 0], ["Propuesta", 1],
                                                           ["Negociación", 0]]  # fmt: skip
    assert panels["win_rate"].figures["Win rate"] == D("50.00")  # W1 won, L1 lost
    assert panels["win_rate"].figures["Average days to win"] == D("20.0")
    assert [row[1] for row in panels["quotations"].rows] == [2, 0, 0]  # Luis sent Q3 and Q4
    assert [row[0] for row in panels["top_open"].rows] == ["Iluminación nave", "Cuadro eléctrico"]


def test_the_category_filter_keeps_what_was_quoted_in_the_category_or_below(company, story):
    panels = panels_of(
        company, Filters(FIRST_QUARTER.date_from, FIRST_QUARTER.date_to, category_id=story.tools.pk)
    )

    # Only O3 has a quotation (Q3) with a hammer, in Hand tools under Tools.
    assert panels["pipeline"].figures["Open opportunities"] == 1
    assert panels["pipeline"].figures["Weighted"] == D("4000.00")
    assert [row[:2] for row in panels["quotations"].rows] == [
        ["Jan 2026", 1],
        ["Feb 2026", 1],
        ["Mar 2026", 0],
    ]
    assert panels["quotations"].figures["Accepted"] == 1  # Q1
    assert "Category" in panels["pipeline"].note


def test_another_companys_category_matches_nothing(company, other_company, story, manager_user):
    theirs = catalog_services.category_create(company=other_company, by=manager_user, name="Tools")

    panels = panels_of(
        company, Filters(FIRST_QUARTER.date_from, FIRST_QUARTER.date_to, category_id=theirs.pk)
    )

    assert panels["pipeline"].figures["Open opportunities"] == 0
    assert panels["quotations"].figures["Sent"] == 0


def test_an_empty_company_draws_readable_empty_charts(company):
    panels = panels_of(company)

    assert panels["pipeline"].figures["Open opportunities"] == 0
    assert "No open opportunities." in panels["pipeline"].chart
    assert panels["win_rate"].figures["Win rate"] is None
    for panel in panels.values():
        if panel.chart:
            ET.fromstring(panel.chart)


# The page


def test_a_manager_sees_every_salesperson_and_can_narrow_to_one(company, story, manager_user):
    client = signed_in(manager_user)

    page = client.get(reverse("insight:dashboard_sales"), PERIOD, **EN).content.decode()
    narrowed = client.get(reverse("insight:dashboard_sales"), {**PERIOD, "salesperson": story.luis.pk}, **EN)

    assert "Herramientas obra" in page and "Iluminación nave" in page
    assert page.count("<svg") == 4  # four charts; the largest opportunities are a table
    assert "€5,575.00" in page  # the pipeline's weighted figure, in the reader's money format
    assert '<th scope="col" class="num">Weighted</th>' in page
    narrowed_page = narrowed.content.decode()
    assert "Herramientas obra" in narrowed_page and "Iluminación nave" not in narrowed_page
    assert "Salesperson: luis" in narrowed_page


def test_a_salesperson_sees_only_their_own_figures_whatever_they_ask(company, story, ana):
    page = signed_in(ana).get(
        reverse("insight:dashboard_sales"), {**PERIOD, "salesperson": story.luis.pk}, **EN
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert "Iluminación nave" in text and "Herramientas obra" not in text
    assert 'id="dashboard-own"' in text
    assert 'name="salesperson"' not in text


def test_the_page_is_refused_without_the_dashboards_permission(company, warehouse_user):
    response = signed_in(warehouse_user).get(reverse("insight:dashboard_sales"))

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-03-31", "date_to": "2026-01-01"}, "The period cannot end before it starts."),
        ({"date_from": "not a date"}, "Enter a valid date."),
        ({"date_from": "0001-01-01"}, "Choose a date between 1900 and 9998."),
        ({"date_from": "2000-01-01", "date_to": "2026-01-01"}, "Choose a period of at most 60 months."),
        ({"salesperson": "999999"}, "Select a valid choice."),
        ({"salesperson": "ana"}, "Select a valid choice."),
        ({"category": "-1"}, "Select a valid choice."),
    ],
)
def test_a_wrong_filter_is_a_form_error_and_the_default_is_shown(
    company, story, manager_user, params, message
):
    response = signed_in(manager_user).get(reverse("insight:dashboard_sales"), params, **EN)

    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="dashboard-errors"' in text and message in text
    assert "<svg" in text


def test_another_companys_salesperson_is_not_a_choice(company, other_company, story, manager_user, make_user):
    stranger = make_user("stranger", "sales", companies=[other_company])

    response = signed_in(manager_user).get(
        reverse("insight:dashboard_sales"), {"salesperson": stranger.pk}, **EN
    )

    assert "Select a valid choice." in response.content.decode()
    assert "stranger" not in response.content.decode().split('id="dashboard-errors"')[0].split("<main")[1]


def test_the_default_period_is_the_year_so_far_with_quick_choices(company, manager_user):
    today = timezone.localdate()

    page = signed_in(manager_user).get(reverse("insight:dashboard_sales"), **EN).content.decode()

    assert f'value="{today.replace(month=1, day=1).isoformat()}"' in page
    assert f'value="{today.isoformat()}"' in page
    assert f"date_from={today.replace(day=1).isoformat()}" in page  # this month
    for label in ("This month", "This quarter", "This year", "Last 12 months"):
        assert f">{label}</a>" in page


def test_a_panels_table_downloads_as_csv_with_formulas_quoted(company, story, manager_user):
    Party.objects.filter(pk=story.hotel.pk).update(name='=HYPERLINK("http://x")')
    params = {**PERIOD, "panel": "top_open", "format": "csv"}

    response = signed_in(manager_user).get(reverse("insight:dashboard_sales"), params, **EN)

    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="dashboard-sales-top_open-2026-01-01-2026-03-31.csv"' in response["Content-Disposition"]
    lines = text.splitlines()
    assert lines[0] == "Opportunity;Customer;Stage;Salesperson;Expected close;Amount;Probability;Weighted"
    assert (
        lines[1] == "Herramientas obra;Reformas Turia, S.L.;Propuesta;luis;2026-02-25;8000,00;50,00;4000,00"
    )
    assert "'=HYPERLINK" in lines[2]


def test_an_unknown_panel_is_not_found(company, manager_user):
    response = signed_in(manager_user).get(
        reverse("insight:dashboard_sales"), {"panel": "nope", "format": "csv"}
    )

    assert response.status_code == 404


def test_the_whole_dashboard_downloads_as_a_workbook_one_sheet_per_panel(company, story, manager_user):
    response = signed_in(manager_user).get(
        reverse("insight:dashboard_sales"), {**PERIOD, "format": "xlsx"}, **EN
    )

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Pipeline by stage", "Weighted forecast by month", "Won and lost", "Quotations sent, accepted and r",
        "Largest open opportunities",
    ]  # fmt: skip
    rows = list(workbook["Won and lost"].iter_rows(values_only=True))
    assert rows[3] == ("Month", "Won", "Lost", "Win rate", "Amount won")
    assert rows[4] == ("Jan 2026", 1, 0, 100, 2000)
    assert ("Win rate", 66.67, None, None, None) in rows


def test_the_page_reads_the_same_queries_for_few_or_many_records(
    company, story, manager_user, make_item, django_assert_max_num_queries
):
    client = signed_in(manager_user)
    url = reverse("insight:dashboard_sales")
    client.get(url, PERIOD)  # warm the session and the content types
    with django_assert_max_num_queries(30) as counted:
        assert client.get(url, {**PERIOD, "category": story.tools.pk}).status_code == 200
    for number in range(12):  # more opportunities, quotations and categories
        catalog_services.category_create(company=company, by=manager_user, name=f"Cat {number}")
        Opportunity.objects.create(
            company=company, party=story.turia, title=f"Más {number}", owner=story.luis,
            stage=story.opportunities["O1"].stage, amount=D(100 + number), probability=D(10),
            expected_close=date(2026, 1 + number % 3, 5),
        )  # fmt: skip
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert client.get(url, {**PERIOD, "category": story.tools.pk}).status_code == 200


# The API


def test_the_api_answers_the_panels_as_data(company, story, manager_user):
    api = ApiClient(manager_user, company)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the labels are asserted in English
    response = api.get("/insight/dashboards/sales", **PERIOD)

    body = response.json()
    assert response.status_code == 200
    assert (body["name"], body["date_from"], body["date_to"]) == ("sales", "2026-01-01", "2026-03-31")
    panels = {panel["key"]: panel for panel in body["panels"]}
    assert list(panels) == ["pipeline", "forecast", "win_rate", "quotations", "top_open"]
    pipeline = panels["pipeline"]
    assert [column["kind"] for column in pipeline["columns"]] == ["text", "count", "money", "money"]
    assert pipeline["rows"][2] == ["Propuesta", 2, "11333.33", "5100.00"]
    assert {"label": "Weighted", "kind": "money", "value": "5575.00"} in pipeline["figures"]
    win = {figure["label"]: figure["value"] for figure in panels["win_rate"]["figures"]}
    assert (win["Win rate"], win["Average days to win"]) == ("66.67", "47.5")
    assert panels["win_rate"]["rows"][2] == ["Mar 2026", 0, 0, None, "0.00"]
    assert panels["top_open"]["rows"][0][4] == "2026-02-25"
    assert "chart" not in pipeline


def test_the_api_gives_a_salesperson_their_own_figures_and_refuses_anothers(company, story, ana):
    api = ApiClient(ana, company)

    own = api.get("/insight/dashboards/sales", **PERIOD).json()
    refused = api.get("/insight/dashboards/sales", salesperson=story.luis.pk)

    assert own["salesperson"] == ana.pk
    assert [row[0] for row in own["panels"][4]["rows"]] == ["Iluminación nave", "Cuadro eléctrico"]
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-03-31", "date_to": "2026-01-01"}, "date_to"),
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_from": "1000-01-01"}, "date_from"),
        ({"date_from": "2000-01-01", "date_to": "2026-01-01"}, "date_to"),
        ({"salesperson": "123456"}, "salesperson"),
        ({"salesperson": "x"}, "salesperson"),
        ({"category": "123456"}, "category"),
    ],
)
def test_the_api_refuses_wrong_filters_with_a_problem(company, manager_user, params, field):
    response = ApiClient(manager_user, company).get("/insight/dashboards/sales", **params)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]


def test_the_api_refuses_a_dashboard_without_its_permission_and_an_unknown_one(
    company, warehouse_user, manager_user
):
    refused = ApiClient(warehouse_user, company).get("/insight/dashboards/sales")
    unknown = ApiClient(manager_user, company).get("/insight/dashboards/nope")

    assert refused.status_code == 403
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/problem+json"


def test_the_api_reads_the_same_queries_for_few_or_many_records(
    company, story, manager_user, django_assert_max_num_queries
):
    api = ApiClient(manager_user, company)
    api.get("/insight/dashboards/sales", **PERIOD)
    with django_assert_max_num_queries(30) as counted:
        assert api.get("/insight/dashboards/sales", **PERIOD, category=story.tools.pk).status_code == 200
    for number in range(12):
        Opportunity.objects.create(
            company=company, party=story.hotel, title=f"Más {number}", owner=story.ana,
            stage=story.opportunities["O2"].stage, amount=D(200 + number), probability=D(50),
            expected_close=date(2026, 2, 1 + number), status=Opportunity.Status.WON if number % 2 else "open",
            closed_on=date(2026, 3, 1) if number % 2 else None,
        )  # fmt: skip
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert api.get("/insight/dashboards/sales", **PERIOD, category=story.tools.pk).status_code == 200
