"""Every dashboard through the shared page, export and API: who may open which, each panel drawn with its
table, the files, and the figures the page shows read as the panel says (money, percentages, counts)."""

from datetime import date
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from nexo.conftest import ApiClient
from nexo.insight.services.dashboards import COUNT, MONEY, PERCENT, Panel
from nexo.insight.views.dashboards import PeriodRefused, column_kinds, resolve_period, shown

NAMES = ("sales", "margin", "stock", "finance")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english(english):
    """Labels are asserted in English."""


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", NAMES)
def test_a_manager_opens_every_dashboard_with_its_charts_tables_and_files(company, manager_user, name):
    client = signed_in(manager_user)
    url = reverse(f"insight:dashboard_{name}")

    page = client.get(url, **EN)
    api = ApiClient(manager_user, company).get(f"/insight/dashboards/{name}")
    workbook = client.get(url, {"format": "xlsx"})

    text = page.content.decode()
    assert page.status_code == 200
    panels = api.json()["panels"]
    assert api.status_code == 200 and panels
    for panel in panels:
        assert f'id="panel-{panel["key"]}"' in text
        csv = client.get(url, {"panel": panel["key"], "format": "csv"})  # in the API's language, Spanish
        assert csv.status_code == 200
        assert csv.content.decode("utf-8-sig").splitlines()[0] == ";".join(
            column["label"] for column in panel["columns"]
        )
    sections = text.split("<section")[1:]
    assert len(sections) == len(panels)
    for section, panel in zip(sections, panels, strict=True):
        drawn = "<table" in section and "<caption" in section and 'scope="col"' in section
        assert drawn if panel["rows"] else "Nothing to show for these filters." in section, panel["key"]
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("sales", {"sales", "margin"}),
        ("purchasing", {"stock"}),
        ("warehouse", {"stock"}),
        ("accounting", {"sales", "margin", "stock", "finance"}),
    ],
)
def test_each_role_opens_the_dashboards_it_is_given_and_no_other(company, make_user, role, allowed):
    user = make_user(f"user-{role}", role)
    client, api = signed_in(user), ApiClient(user, company)

    for name in NAMES:
        expected = 200 if name in allowed else 403
        assert client.get(reverse(f"insight:dashboard_{name}")).status_code == expected, name
        assert api.get(f"/insight/dashboards/{name}").status_code == expected, name


def test_an_unknown_dashboard_is_not_there(company, manager_user):
    assert signed_in(manager_user).get("/insight/dashboards/nothing/").status_code == 404


def test_the_period_defaults_and_limits():
    today = date(2026, 12, 7)

    assert resolve_period(None, None, today) == (date(2026, 1, 1), today)
    assert resolve_period(date(2026, 3, 1), None, today) == (date(2026, 3, 1), today)
    assert resolve_period(date(2027, 3, 1), None, today) == (date(2027, 3, 1), date(2027, 12, 31))
    assert resolve_period(None, date(2025, 6, 30), today) == (date(2025, 1, 1), date(2025, 6, 30))
    assert resolve_period(date(2022, 1, 1), date(2026, 12, 31), today) == (
        date(2022, 1, 1),
        date(2026, 12, 31),
    )
    with pytest.raises(PeriodRefused) as refused:
        resolve_period(date(2021, 12, 31), date(2026, 12, 31), today)  # 61 months
    assert refused.value.field == "date_to"
    with pytest.raises(PeriodRefused) as refused:
        resolve_period(date(2026, 2, 1), date(2026, 1, 31), today)
    assert refused.value.field == "date_to"


def test_cells_read_as_their_column_says_or_as_their_value(english):
    panel = Panel(
        key="k", title="T", columns=["Name", "Amount", "Share", "Count", "Day"],
        rows=[["=cmd", Decimal("-1234.5"), Decimal("12.345"), 3, date(2026, 1, 31)], ["b", None, None, 0, None]],
        kinds=[], figures={"Rate": Decimal("50"), "Total": Decimal("10")}, figure_kinds={"Rate": PERCENT},
    )  # fmt: skip
    panel.kinds = ["text", MONEY, PERCENT]  # the last two by their values

    page = shown(panel, "EUR", QueryDict("date_from=2026-01-01"))

    assert column_kinds(panel) == ["text", MONEY, PERCENT, COUNT, "date"]
    assert [cell.text for cell in page.rows[0]] == ["=cmd", "-€1,234.50", "12.3%", "3", "31/01/2026"]
    assert page.rows[0][1].negative and page.rows[0][1].numeric and not page.rows[0][0].numeric
    assert [cell.text for cell in page.rows[1]] == ["b", "", "", "0", ""]
    assert page.figures == [("Rate", "50.0%"), ("Total", "€10.00")]
    assert page.csv_url == "?date_from=2026-01-01&panel=k&format=csv"
