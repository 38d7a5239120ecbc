"""The home page: what needs attention today, per role, in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nexo.purchasing import services as purchasing
from nexo.purchasing.models import SupplierPrice
from nexo.sales import services
from nexo.sales.models import Quotation, SalesSettings


def _panels(client: Client) -> dict:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {panel["template"]: panel for panel in response.context["panels"]}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def attention(company, sales_user, manager_user, stocked_items, make_quotation, lead):
    """One order short of stock to deliver, one quotation expiring, one sent long ago, one late purchase
    order and one item under its minimum."""
    today = timezone.localdate()
    fifo, average = stocked_items["fifo"], stocked_items["average"]
    accepted = make_quotation([{"item_id": fifo.pk, "quantity": "25"}])
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=accepted.pk)
    services.quotation_accept(company=company, by=sales_user, quotation_id=accepted.pk)
    for valid_for, sent_days_ago in ((3, 1), (30, 10), (30, 1)):
        quotation = make_quotation(
            [{"item_id": average.pk, "quantity": "1"}], opportunity_id=None, party_id=lead.pk
        )
        services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
        Quotation.objects.filter(pk=quotation.pk).update(
            date=today - timedelta(days=sent_days_ago), valid_until=today + timedelta(days=valid_for),
            sent_at=timezone.now() - timedelta(days=sent_days_ago),
        )  # fmt: skip
    supplier_id = SupplierPrice.objects.filter(company=company).values_list("supplier_id", flat=True).first()
    late = purchasing.purchase_order_create(
        company=company, by=manager_user, supplier_id=supplier_id, date=today - timedelta(days=10),
        expected_date=today - timedelta(days=1), lines=[{"item_id": average.pk, "quantity": "5"}],
    )  # fmt: skip
    purchasing.purchase_order_confirm(company=company, by=manager_user, order_id=late.pk)
    purchasing.purchase_order_create(
        company=company, by=manager_user, supplier_id=supplier_id, date=today,
        expected_date=today + timedelta(days=5), lines=[{"item_id": average.pk, "quantity": "5"}],
    )  # fmt: skip
    purchasing.item_purchasing_set(
        company=company,
        by=manager_user,
        item_id=stocked_items["last_purchase"].pk,
        minimum_stock=Decimal("50"),
    )


def test_home_shows_what_needs_attention_today(attention, manager_user, django_assert_max_num_queries):
    client = _client(manager_user)
    client.get(reverse("home"))  # the session and the company settle on the first visit
    # 5 for the session, user, companies and permissions, one or two per panel, and the purchase
    # suggestions' fixed 7 behind "items to buy"; the next test shows the count does not grow with records.
    with django_assert_max_num_queries(20):
        panels = _panels(client)
    sales = panels["sales/_home_panel.html"]
    assert sales["quotations"] == {"expiring": 1, "follow_up": 1, "awaiting_approval": 0}
    assert sales["orders_to_deliver"] == 1
    assert panels["inventory/_home_panel.html"]["short_items"] == 1
    buying = panels["purchasing/_home_panel.html"]
    # To buy: the item under its minimum, and the FIFO item the accepted order is short of.
    assert (buying["late_orders"], buying["items_to_buy"]) == (1, 2)
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("purchasing:suggestions") in html and "Purchase orders late" in html
    # Each count links to its list filtered by the same condition: the list shows as many rows.
    for link, count in (
        (f"{reverse('sales:quotation_list')}?attention=expiring&amp;sort=valid", 1),
        (f"{reverse('sales:quotation_list')}?attention=follow_up&amp;sort=-date", 1),
        (f"{reverse('sales:quotation_list')}?attention=awaiting_approval", 0),
        (f"{reverse('sales:order_list')}?delivery=to_deliver", 1),
        (f"{reverse('inventory:stock_levels')}?stock=short&amp;sort=on_hand", 1),
        (f"{reverse('purchasing:order_list')}?late=yes&amp;sort=expected", 1),
    ):
        assert link in html
        listed = client.get(link.replace("&amp;", "&")).context["listing"]
        assert listed.page.paginator.count == count, link
    everything = client.get(reverse("sales:quotation_list")).context["listing"].page.paginator.count
    assert everything > 1  # the filters narrow the list, they do not merely happen to match it all


def test_the_home_page_costs_the_same_queries_with_more_records(
    attention, company, manager_user, make_quotation, stocked_items, lead, django_assert_num_queries
):
    client = _client(manager_user)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    for _ in range(3):
        quotation = make_quotation(
            [{"item_id": stocked_items["average"].pk, "quantity": "1"}], opportunity_id=None, party_id=lead.pk
        )
        services.quotation_mark_sent(company=company, by=manager_user, quotation_id=quotation.pk)
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(reverse("home"))


def test_each_role_sees_only_what_it_may_open(attention, sales_user, warehouse_user):
    for_sales = _panels(_client(sales_user))
    assert "purchasing/_home_panel.html" not in for_sales  # a salesperson opens no purchase order
    assert for_sales["sales/_home_panel.html"]["quotations"]["expiring"] == 1
    for_warehouse = _panels(_client(warehouse_user))
    assert "quotations" not in for_warehouse["sales/_home_panel.html"]  # orders only: it delivers them
    assert for_warehouse["inventory/_home_panel.html"]["short_items"] == 1
    assert "crm/_home_panel.html" not in for_warehouse


def test_quotations_under_their_minimum_margin_wait_for_approval_on_the_home_page(
    company, manager_user, stocked_items, make_quotation, lead
):
    cheap = [{"item_id": stocked_items["fifo"].pk, "quantity": "1", "unit_price": "5.10"}]  # under 20 %
    waiting = make_quotation(cheap, opportunity_id=None, party_id=lead.pk)
    assert waiting.lines.filter(below_min_margin=True).exists()
    client = _client(manager_user)
    assert _panels(client)["sales/_home_panel.html"]["quotations"]["awaiting_approval"] == 0  # not asked for
    SalesSettings.objects.update_or_create(company=company, defaults={"margin_approval": True})
    assert _panels(client)["sales/_home_panel.html"]["quotations"]["awaiting_approval"] == 1
    Quotation.objects.filter(pk=waiting.pk).update(approval=Quotation.Approval.APPROVED)
    assert _panels(client)["sales/_home_panel.html"]["quotations"]["awaiting_approval"] == 0
