"""The forecast: the pure arithmetic first, then the page a manager and a salesperson see."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from hypothesis import given
from hypothesis import strategies as st

from nexo.core.rules import round_money
from nexo.crm import services
from nexo.crm.rules import LOST, OPEN, WON, ForecastCell, ForecastLine, forecast, quarter_start, weighted
from nexo.crm.views.forecast import add_months
from nexo.parties.services import party_create

D = Decimal

# The arithmetic, on plain values


SCENARIO = [
    ForecastLine("ana", date(2026, 12, 5), D("10000.00"), D("25"), OPEN),  # 2,500.00
    ForecastLine("ana", date(2026, 12, 20), D("3333.33"), D("33"), OPEN),  # 1,099.9989 exactly
    ForecastLine("luis", date(2027, 1, 10), D("8000.00"), D("50"), OPEN),  # 4,000.00
    ForecastLine("ana", date(2026, 12, 1), D("5000.00"), D("100"), WON),  # closed: not a forecast
    ForecastLine("luis", date(2027, 1, 15), D("7000.00"), D("0"), LOST),  # closed: not a forecast
]


def test_weighted_is_exact_and_unrounded():
    assert weighted(D("3333.33"), D("33")) == D("1099.9989")
    assert weighted(D("10000.00"), D("25")) == D("2500.00")


def test_forecast_by_month_and_owner_with_totals():
    result = forecast(SCENARIO)

    assert result.months == ["2026-12", "2027-01"]
    assert result.owners == ["ana", "luis"]
    # 2,500.00 + 1,099.9989 = 3,599.9989, rounded once: 3,600.00
    assert result.cell("2026-12", "ana") == ForecastCell(D("3600.00"), D("13333.33"), 2)
    assert result.cell("2027-01", "luis") == ForecastCell(D("4000.00"), D("8000.00"), 1)
    assert result.cell("2026-12", "luis") == ForecastCell(D(0), D(0), 0)  # nothing there
    assert result.cell("2027-01", "ana") == ForecastCell(D(0), D(0), 0)  # the won one is not counted
    assert result.by_month == {
        "2026-12": ForecastCell(D("3600.00"), D("13333.33"), 2),
        "2027-01": ForecastCell(D("4000.00"), D("8000.00"), 1),
    }
    assert result.by_owner == {
        "ana": ForecastCell(D("3600.00"), D("13333.33"), 2),
        "luis": ForecastCell(D("4000.00"), D("8000.00"), 1),
    }
    # 7,599.9989 → 7,600.00; best case 10,000.00 + 3,333.33 + 8,000.00
    assert result.total == ForecastCell(D("7600.00"), D("21333.33"), 3)
    assert (
        str(result.total.weighted) == "7600.00" and str(result.cell("2026-12", "ana").weighted) == "3600.00"
    )


def test_totals_are_rounded_from_exact_sums_not_from_rounded_cells():
    # 1.00 at 0.5 % is 0.005: each owner's cell shows 0.01 (half up), the month shows 0.01 as well (0.010).
    result = forecast(
        [
            ForecastLine("ana", date(2026, 3, 1), D("1.00"), D("0.5"), OPEN),
            ForecastLine("luis", date(2026, 3, 2), D("1.00"), D("0.5"), OPEN),
        ]
    )
    assert result.cell("2026-03", "ana").weighted == D("0.01")
    assert result.cell("2026-03", "luis").weighted == D("0.01")
    assert result.by_month["2026-03"].weighted == D("0.01")
    assert result.total == ForecastCell(D("0.01"), D("2.00"), 2)


def test_an_empty_forecast_is_zero():
    result = forecast([])
    assert result.months == [] and result.owners == []
    assert result.total == ForecastCell(D(0), D(0), 0)


def test_quarter_start():
    assert quarter_start(date(2026, 1, 1)) == date(2026, 1, 1)
    assert quarter_start(date(2026, 5, 31)) == date(2026, 4, 1)
    assert quarter_start(date(2026, 9, 30)) == date(2026, 7, 1)
    assert quarter_start(date(2026, 12, 31)) == date(2026, 10, 1)


forecast_lines = st.builds(
    ForecastLine,
    owner=st.sampled_from(["ana", "luis", "marta"]),
    expected_close=st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31)),
    amount=st.decimals(min_value=0, max_value=D("999999999999.99"), places=2),
    probability=st.decimals(min_value=0, max_value=100, places=2),
    status=st.sampled_from([OPEN, OPEN, WON, LOST]),
)


@given(st.lists(forecast_lines, max_size=40))
def test_grand_totals_equal_the_open_lines_exactly(lines):
    result = forecast(lines)
    open_lines = [line for line in lines if line.status == OPEN]
    exact = sum((weighted(line.amount, line.probability) for line in open_lines), D(0))
    assert result.total.weighted == round_money(exact)
    assert result.total.best_case == sum((line.amount for line in open_lines), D(0))
    assert result.total.count == len(open_lines)
    # Best cases have two decimals already: every breakdown adds up to the total to the cent.
    assert sum((cell.best_case for cell in result.by_month.values()), D(0)) == result.total.best_case
    assert sum((cell.best_case for cell in result.by_owner.values()), D(0)) == result.total.best_case
    assert sum(cell.count for cell in result.cells.values()) == result.total.count


# The page


@pytest.fixture
def manager_client(manager_user):
    client = Client()
    client.force_login(manager_user)
    return client


@pytest.fixture
def luis(make_user):
    return make_user("luis", "sales")


def _day(month: date, day: int) -> date:
    return month.replace(day=day)


@pytest.fixture
def pipeline(company, manager_user, sales_user, luis):
    """ventas: 3,600.00 expected this month; luis: 4,000.00 in three months and 200.00 three months overdue."""
    this_month = timezone.localdate().replace(day=1)
    party = party_create(company=company, by=manager_user, name="Climatización Levante, S.L.")

    def opportunity(owner, title, amount, probability, expected_close):
        return services.opportunity_create(
            company=company, by=manager_user, party_id=party.pk, title=title, owner_id=owner.pk,
            expected_close=expected_close, amount=D(amount), probability=D(probability),
        )  # fmt: skip

    opportunity(sales_user, "Nave", "10000.00", "25", _day(this_month, 15))
    opportunity(sales_user, "Oficinas", "3333.33", "33", _day(this_month, 20))
    opportunity(luis, "Hotel", "8000.00", "50", _day(add_months(this_month, 3), 10))
    opportunity(luis, "Colegio", "2000.00", "10", _day(add_months(this_month, -3), 10))  # overdue
    won = opportunity(sales_user, "Tienda", "1000.00", "50", _day(this_month, 28))
    services.opportunity_win(company=company, opportunity_id=won.pk, by=sales_user)
    lost = opportunity(luis, "Piscina", "9000.00", "75", _day(this_month, 5))
    services.opportunity_lose(company=company, opportunity_id=lost.pk, by=luis, reason="Precio")
    opportunity(sales_user, "Más adelante", "5000.00", "20", _day(add_months(this_month, 14), 1))
    return {"this_month": this_month, "party": party, "opportunity": opportunity}


def test_a_manager_sees_every_owner_with_totals(manager_client, pipeline, luis):
    response = manager_client.get(reverse("crm:forecast"))
    assert response.status_code == 200
    context = response.context
    assert [column.username for column in context["columns"]] == ["luis", "ventas"]
    luis_column, ventas_column = context["columns"]
    assert ventas_column.total == ForecastCell(D("3600.00"), D("13333.33"), 2)  # 2,500.00 + 1,099.9989
    assert luis_column.total == ForecastCell(D("4200.00"), D("10000.00"), 2)
    # 7,799.9989 → 7,800.00; the won, the lost and the one beyond the twelve months are not in it
    assert context["forecast"].total == ForecastCell(D("7800.00"), D("23333.33"), 4)
    assert context["outside_count"] == 1

    this_month = pipeline["this_month"]
    rows = context["rows"]
    assert [row.month for row in rows] == [add_months(this_month, n) for n in (-3, *range(12))]
    overdue, current = rows[0], rows[1]
    assert overdue.overdue and overdue.cells[0] == ForecastCell(D("200.00"), D("2000.00"), 1)
    assert current.current and not current.overdue
    assert current.cells == [ForecastCell(), ForecastCell(D("3600.00"), D("13333.33"), 2)]
    assert rows[4].cells[0] == ForecastCell(D("4000.00"), D("8000.00"), 1)
    assert not any(row.overdue for row in rows[1:])

    # Won today, against what is still expected to close this month and this quarter
    assert context["this_month"].won == D("1000.00") and context["this_month"].won_count == 1
    assert context["this_month"].forecast == ForecastCell(D("3600.00"), D("13333.33"), 2)
    assert context["this_quarter"].won == D("1000.00")
    # Three months ahead and three months back are never in this quarter.
    assert context["this_quarter"].forecast == ForecastCell(D("3600.00"), D("13333.33"), 2)

    page = response.content.decode()
    assert "7.800,00" in page and "23.333,33" in page and "1.000,00" in page
    assert 'class="fc-overdue"' in page
    with translation.override("es"):
        assert date_format(this_month, "YEAR_MONTH_FORMAT") in page  # e.g. «noviembre de 2026»


def test_a_salesperson_sees_only_their_own(sales_client, pipeline, luis):
    response = sales_client.get(reverse("crm:forecast"), {"owner": luis.pk})  # the owner filter is not theirs
    assert response.status_code == 200
    context = response.context
    assert [column.username for column in context["columns"]] == ["ventas"]
    assert context["forecast"].total == ForecastCell(D("3600.00"), D("13333.33"), 2)
    assert context["this_month"].won == D("1000.00")
    assert "owner" not in context["form"].fields


def test_a_manager_filters_by_owner(manager_client, pipeline, luis):
    context = manager_client.get(reverse("crm:forecast"), {"owner": luis.pk}).context
    assert [column.username for column in context["columns"]] == ["luis"]
    assert context["forecast"].total == ForecastCell(D("4200.00"), D("10000.00"), 2)
    assert context["this_month"].won == D(0) and context["this_month"].won_count == 0


def test_a_month_range(manager_client, pipeline):
    this_month = pipeline["this_month"]
    first, last = add_months(this_month, 1), add_months(this_month, 3)
    context = manager_client.get(
        reverse("crm:forecast"), {"from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m")}
    ).context
    # the overdue one stays (flagged); this month's are outside the range now
    assert [row.month for row in context["rows"]] == [
        add_months(this_month, -3),
        first,
        add_months(first, 1),
        last,
    ]
    assert context["forecast"].total == ForecastCell(D("4200.00"), D("10000.00"), 2)
    assert context["outside_count"] == 3
    # the summary of this month does not depend on the months shown
    assert context["this_month"].forecast.weighted == D("3600.00")


@pytest.mark.parametrize(
    ("params", "field"),
    [({"from": "2026-13"}, "from"), ({"to": "mañana"}, "to"), ({"from": "2027-05", "to": "2027-01"}, "to"),
     ({"from": "2020-01", "to": "2030-01"}, "to"), ({"owner": "999999"}, "owner"), ({"owner": "x"}, "owner"),
     ({"from": "9999-12"}, "from"), ({"to": "0000-01"}, "to"), ({"from": "1900-01", "to": "8999-12"}, "to")],
)  # fmt: skip
def test_wrong_filters_are_shown_and_the_default_is_used(manager_client, pipeline, params, field):
    response = manager_client.get(reverse("crm:forecast"), params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    this_month = pipeline["this_month"]
    assert response.context["first"] == this_month and response.context["last"] == add_months(this_month, 11)


def test_sixty_months_are_the_most(manager_client, pipeline):
    this_month = pipeline["this_month"]
    last = add_months(this_month, 59)
    response = manager_client.get(reverse("crm:forecast"), {"to": last.strftime("%Y-%m")})
    assert not response.context["form"].errors and len(response.context["rows"]) == 61  # with the overdue one
    response = manager_client.get(reverse("crm:forecast"), {"to": add_months(last, 1).strftime("%Y-%m")})
    assert "to" in response.context["form"].errors


def test_without_opportunities(sales_client):
    response = sales_client.get(reverse("crm:forecast"))
    assert response.status_code == 200
    assert response.context["forecast"].total == ForecastCell()
    assert [column.username for column in response.context["columns"]] == ["ventas"]


def test_the_forecast_needs_the_crm(make_user):
    client = Client()
    client.force_login(make_user("almacen", "warehouse"))
    assert client.get(reverse("crm:forecast")).status_code == 403


def test_queries_do_not_grow_with_the_opportunities(
    manager_client, company, manager_user, sales_user, luis, django_assert_max_num_queries
):
    this_month = timezone.localdate().replace(day=1)
    party = party_create(company=company, by=manager_user, name="Cliente")

    def add(count):
        for index in range(count):
            services.opportunity_create(
                company=company, by=manager_user, party_id=party.pk, title=f"Obra {index}",
                owner_id=(sales_user if index % 2 else luis).pk, amount=D("1000.00"), probability=D("10"),
                expected_close=_day(add_months(this_month, index % 14 - 1), 3),
            )  # fmt: skip

    url = reverse("crm:forecast")
    add(3)
    manager_client.get(url)  # the first request stores the company in the session
    with CaptureQueriesContext(connection) as three:
        assert manager_client.get(url).context["forecast"].total.count == 3
    add(27)
    with django_assert_max_num_queries(len(three)):
        assert (
            manager_client.get(url).context["forecast"].total.count == 29
        )  # one closes after the twelve months shown
