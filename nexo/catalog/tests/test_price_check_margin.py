"""The price check shows what the item costs and earns at the price it found, costed as a quotation line
would be (its valuation method in the warehouse, through the `item_costs` hook): the cost basis named, the
unit cost with 4 decimals, the margin and its %, and a warning under the item's minimum margin. The API's
`POST /prices` gives the same figures.

The FIFO item has 10 units at 5.00 and 10 at 6.00: 15 units cost (50.00 + 30.00) / 15 = 5.333333 each.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nexo.catalog import services

D = Decimal
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def fifo_item(make_item, receive):
    item = make_item("FIFO-1", base_price="9.00", valuation_method="fifo", min_margin=D(20))
    receive(item, 10, "5.00", date(2026, 1, 1))
    receive(item, 10, "6.00", date(2026, 1, 2))
    return item


@pytest.fixture
def client(sales_user):
    client = Client()
    client.force_login(sales_user)
    return client


def _rule(company, manager_user, item, **fields):
    pvp = services.settings_of(company).default_price_list
    return services.price_rule_create(
        company=company, price_list_id=pvp.pk, by=manager_user, scope="item", item_id=item.pk, **fields
    )


def _check(client, item, quantity):
    response = client.get(reverse("catalog:price_check"), {"item": item.pk, "quantity": quantity}, **EN)
    assert response.status_code == 200
    return response.context["check"], response.content.decode()


def test_the_check_names_the_fifo_cost_and_the_margin_at_the_base_price(client, fifo_item):
    check, page = _check(client, fifo_item, "15")
    assert check.resolution.unit_price == D("9")
    assert (check.cost.unit_cost, check.cost.sources, check.cost.method) == (D("5.333333"), ("fifo",), "fifo")
    # 15 x 9.00 = 135.00 net; 15 x 5.333333 = 80.00 cost; 55.00 margin, 40.74 %.
    margin = check.margin
    assert (margin.net, margin.cost, margin.margin, margin.percent, margin.below_minimum) == (
        D("135.00"), D("80.00"), D("55.00"), D("40.74"), False,
    )  # fmt: skip
    assert "5.3333" in page and "5.333333" not in page  # 4 decimals on screen
    assert "FIFO" in page and "€55.00" in page and "40.74 %" in page
    assert 'id="margin-warning"' not in page


def test_a_price_under_the_minimum_margin_is_warned_in_words(client, company, manager_user, fifo_item):
    _rule(company, manager_user, fifo_item, method="fixed", value=D("6.00"))
    check, page = _check(client, fifo_item, "15")
    # 90.00 net - 80.00 cost = 10.00, 11.11 % < 20 %.
    assert (check.margin.margin, check.margin.percent, check.margin.below_minimum) == (
        D("10.00"), D("11.11"), True,
    )  # fmt: skip
    assert 'id="margin-warning"' in page and "Under the item's minimum margin of 20.00 %" in page


def test_a_markup_on_cost_uses_the_cost_a_quotation_would(client, company, manager_user, fifo_item):
    _rule(company, manager_user, fifo_item, method="markup_cost", value=D(50))
    check, _page = _check(client, fifo_item, "15")
    assert check.resolution.unit_price == D("8.000000")  # 5.333333 x 1.5, not the standard cost (none)
    assert (check.margin.margin, check.margin.percent) == (D("40.00"), D("33.33"))


def test_an_item_without_any_cost_says_so_and_shows_no_margin(client, make_item):
    service = make_item("SRV-1", base_price="30.00", kind="service")
    check, page = _check(client, service, "2")
    assert check.cost.unit_cost is None and check.margin is None
    assert "None: no stock, no supplier price and no standard cost." in page


def test_the_api_prices_with_the_same_cost_and_margin(api, company, manager_user, fifo_item):
    _rule(company, manager_user, fifo_item, method="fixed", value=D("6.00"), min_quantity=D(15))
    body = {
        "lines": [{"item_id": fifo_item.pk, "quantity": "5"}, {"item_id": fifo_item.pk, "quantity": "15"}]
    }
    response = api.post("/prices", body)
    assert response.status_code == 200, response.content
    five, fifteen = response.json()["lines"]
    assert {key: five[key] for key in ("unit_price", "unit_cost", "cost_sources", "valuation_method")} == {
        "unit_price": "9.000000", "unit_cost": "5.000000", "cost_sources": ["fifo"], "valuation_method": "fifo",
    }  # fmt: skip
    assert (five["margin"], five["margin_percent"], five["below_min_margin"]) == ("20.00", "44.44", False)
    assert (fifteen["unit_cost"], fifteen["margin"], fifteen["margin_percent"]) == (
        "5.333333",
        "10.00",
        "11.11",
    )
    assert fifteen["below_min_margin"] is True and fifteen["min_margin"] == "20.00"


def test_the_api_gives_no_margin_without_a_cost(api, make_item):
    service = make_item("SRV-1", base_price="30.00", kind="service")
    line = api.post("/prices", {"lines": [{"item_id": service.pk, "quantity": "1"}]}).json()["lines"][0]
    assert (line["unit_cost"], line["cost_sources"], line["margin"], line["margin_percent"]) == (
        None, ["none"], None, None,
    )  # fmt: skip
    assert line["below_min_margin"] is False


def test_the_contract_describes_the_cost_fields(api):
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    fields = schemas["PricedLineOut"]["properties"]
    for name in (
        "unit_cost",
        "cost_sources",
        "valuation_method",
        "margin",
        "margin_percent",
        "below_min_margin",
    ):
        assert name in fields and fields[name].get("description"), name
