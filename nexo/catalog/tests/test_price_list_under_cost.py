"""A price list's page flags each rule that prices an item under its cost, in words (not colour alone):
an item rule with its price and the item's cost, a category or all-items rule with how many of its items
are under cost and which; costs as a quotation line would have them (the `item_costs` hook), at the rule's
minimum quantity. A fixed number of queries whatever the rules and the items.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nexo.catalog import services

D = Decimal
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def client(sales_user):
    client = Client()
    client.force_login(sales_user)
    return client


@pytest.fixture
def pvp(company, catalog):
    return services.settings_of(company).default_price_list


@pytest.fixture
def goods(company, manager_user, make_item, receive):
    """A costs 5.00 (no category); B 8.00 and D no cost at all in Cables; C 2.00 in Cables / Thin."""
    cables = services.category_create(company=company, by=manager_user, name="Cables")
    thin = services.category_create(company=company, by=manager_user, name="Thin", parent_id=cables.pk)
    a = make_item("A-1", base_price="9.00", min_margin=D(20))
    b = make_item("B-1", base_price="10.00", category_id=cables.pk)
    c = make_item("C-1", base_price="10.00", category_id=thin.pk)
    d = make_item("D-1", base_price="10.00", category_id=cables.pk, kind="service")
    for item, cost in ((a, "5.00"), (b, "8.00"), (c, "2.00")):
        receive(item, 20, cost, date(2026, 1, 1))
    return {"a": a, "b": b, "c": c, "d": d, "cables": cables}


def _rule(company, manager_user, price_list, **fields):
    return services.price_rule_create(company=company, price_list_id=price_list.pk, by=manager_user, **fields)


def _cell(page: str, rule) -> str:
    found = re.search(rf'<td class="against-cost" id="rule-{rule.pk}-cost">(.*?)</td>', page, re.S)
    assert found, rule
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())  # its text, tags aside


def test_each_rule_is_checked_against_the_cost_of_what_it_covers(client, company, manager_user, pvp, goods):
    a, cables = goods["a"], goods["cables"]
    cheap = _rule(company, manager_user, pvp, scope="item", item_id=a.pk, method="fixed", value=D("4.00"))
    fair = _rule(
        company, manager_user, pvp, scope="item", item_id=a.pk, method="fixed", value=D("6.00"),
        min_quantity=D(10),
    )  # fmt: skip
    floored = _rule(
        company, manager_user, pvp, scope="item", item_id=a.pk, method="fixed", value=D("4.00"),
        min_quantity=D(5), margin_floor=True,
    )  # fmt: skip
    half = _rule(
        company,
        manager_user,
        pvp,
        scope="category",
        category_id=cables.pk,
        method="discount_base",
        value=D(50),
    )
    below = _rule(company, manager_user, pvp, scope="all", method="fixed", value=D("3.00"))

    response = client.get(reverse("catalog:price_list_view", args=[pvp.pk]), **EN)
    assert response.status_code == 200
    page = response.content.decode()

    assert "Under cost: 4.00 for a cost of 5.0000" in _cell(page, cheap)
    assert _cell(page, fair) == "Not under cost"
    assert _cell(page, floored) == "Not under cost"  # raised to 5.00 / 0.80 = 6.25 by the margin floor
    # Cables: B at 5.00 costs 8.00 (under), C (in Thin, a sub-category) at 5.00 costs 2.00, D has no cost.
    cell = _cell(page, half)
    assert "1 of 3 items under cost" in cell and "B-1" in cell and "5.00 for a cost of 8.0000" in cell
    assert "C-1" not in cell and "(1 item without a cost)" in cell
    # 3.00 for everything: A (5.00) and B (8.00) are under, C (2.00) is not, D has no cost to compare.
    cell = _cell(page, below)
    assert "2 of 4 items under cost" in cell and "A-1" in cell and "B-1" in cell and "C-1" not in cell
    assert "3 rules price items under their cost" in page
    assert len(re.findall(r'class="is-under-cost"', page)) == 3


def test_a_list_in_another_currency_is_not_compared(client, company, manager_user, goods):
    dollars = services.price_list_create(company=company, by=manager_user, name="USD", currency="USD")
    _rule(company, manager_user, dollars, scope="item", item_id=goods["a"].pk, method="fixed", value=D("1"))
    page = client.get(reverse("catalog:price_list_view", args=[dollars.pk]), **EN).content.decode()
    assert 'id="not-compared"' in page and "is-under-cost" not in page


def test_the_page_reads_the_same_queries_for_few_or_many_rules_and_items(
    client, company, manager_user, make_item, receive, goods, django_assert_max_num_queries
):
    def list_with(name, count):
        price_list = services.price_list_create(company=company, by=manager_user, name=name)
        base = services.price_list_create(company=company, by=manager_user, name=f"{name} base")
        _rule(company, manager_user, base, scope="all", method="discount_base", value=D(5))
        for n in range(count):
            item = make_item(f"{name}-{n:03d}", base_price="10.00", category_id=goods["cables"].pk)
            receive(item, 5, "7.00", date(2026, 1, 1))
            _rule(
                company,
                manager_user,
                price_list,
                scope="item",
                item_id=item.pk,
                method="fixed",
                value=D(n + 1),
            )
        _rule(company, manager_user, price_list, scope="category", category_id=goods["cables"].pk,
              method="discount_base", value=D(30))  # fmt: skip
        _rule(company, manager_user, price_list, scope="all", method="discount_list", value=D(10),
              base_list_id=base.pk)  # fmt: skip
        return price_list

    few, many = list_with("FEW", 2), list_with("MANY", 25)
    url = lambda price_list: reverse("catalog:price_list_view", args=[price_list.pk])  # noqa: E731
    client.get(url(few), **EN)  # warm caches (content types, session)
    with django_assert_max_num_queries(40) as counted:
        assert client.get(url(few), **EN).status_code == 200
    with django_assert_max_num_queries(len(counted.captured_queries)):
        page = client.get(url(many), **EN).content.decode()
    assert page.count("Under cost: ") == 6  # fixed 1.00 … 25.00 against a cost of 7.00 each: 1.00 to 6.00
