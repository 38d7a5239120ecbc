"""The margin dashboard against figures worked out by hand, on a first quarter of 2026 built through the
modules' services (quotations accepted, delivered, invoiced, a return credited, a shortage bought dearer).

The story (every item listed at 9.00 but the service at 50.00; minimum margin 20 %):

- F (FIFO), A (average) and L (last purchase) each receive 10 @ 5.00 on 1 January and 10 @ 6.00 on
  2 January; L receives 10 @ 7.00 more on 3 March.
- Q1, by "ventas" to Turia, 2 February: F 15 at the list's 9.00 (FIFO cost 10 x 5 + 5 x 6 = 80.00) and A 10
  at a hand price of 8.00 (average 5.50: 55.00). Accepted the same day (order O1), delivered on 5 February,
  invoiced on 10 February: 135.00 + 80.00 = 215.00 for 80.00 + 55.00 = 135.00.
- Q2, by "ana" to Norte, 2 March: L 8 at a hand price of 6.50 (last purchase then 6.00: cost 48.00, margin
  4.00, 7.69 % < 20 %), A 5 at 9.00 (27.50) and the service S at 50.00 (its standard cost 30.00). Accepted
  the same day (O2). On 5 March L 3 and A 5 leave: L at its last purchase 7.00 = 21.00, A at 5.50 = 27.50;
  invoiced on 10 March: L 3 x 6.50 = 19.50 for 21.00, A 45.00 for 27.50, S 50.00 for 30.00. L's other 5 leave
  on 12 March (35.00) and are not invoiced in the quarter.
- Q3, by "ventas" to Turia, 16 March: F 10 at 9.00 with 5 in stock (5 x 6.00) and 5 costed at the supplier's
  6.50: 62.50, margin 27.50. Accepted that day (O3); the supplier then charges 7.20, and the shortage of 5 is bought at
  it on 17 March: 5 x (7.20 - 6.50) = 3.50 lost. Nothing of it is delivered.
- On 20 March Turia returns 5 F of O1 (at the 5.333333 they left with: 26.67), credited on 25 March:
  -45.00 for -26.67.
"""

from contextlib import contextmanager
from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nexo.catalog import services as catalog
from nexo.catalog.models import Item
from nexo.conftest import ApiClient
from nexo.insight.services.dashboards import Filters, margin
from nexo.insight.services.dashboards.margin_bases import costs_by_basis
from nexo.insight.services.dashboards.margin_scope import Scope
from nexo.invoicing import services as invoicing
from nexo.parties.services import party_create
from nexo.purchasing import services as purchasing
from nexo.purchasing.models import PurchaseOrder, SupplierPrice
from nexo.sales import services as sales
from nexo.sales.models import Delivery, SalesOrder

QUARTER = Filters(date(2026, 1, 1), date(2026, 3, 31))
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-03-31"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ADDRESS = {"street": "Calle Colón 12", "postal_code": "46004", "city": "Valencia", "kind": "billing"}


@pytest.fixture(autouse=True)
def _english(english):
    """Titles and labels are asserted in English."""


@contextmanager
def today_is(day: date):
    """The services date what they make today (an accepted quotation's order, a draft purchase order, a credit
    note): the story is told on its own days."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    with mock.patch.object(timezone, "localdate", localdate):
        yield


@pytest.fixture
def people(make_user, sales_user):
    return SimpleNamespace(ventas=sales_user, ana=make_user("ana", "sales"))


@pytest.fixture
def book(company, sales_user, make_item, receive, warehouse):
    """The catalog and the stock of the story, and the company's invoicing set-up."""
    invoicing.settings_of(company)
    tools = catalog.category_create(company=company, by=sales_user, name="Herramientas")
    paint = catalog.category_create(company=company, by=sales_user, name="Pintura")
    supplier = party_create(company=company, by=sales_user, name="Proveedor Uno", is_supplier=True)
    common = {"base_price": "9.00", "min_margin": D("20")}
    items = SimpleNamespace(
        F=make_item("F-FIFO", valuation_method="fifo", category_id=tools.pk, **common),
        A=make_item("A-AVG", valuation_method="average", category_id=tools.pk, **common),
        L=make_item("L-LAST", valuation_method="last_purchase", category_id=paint.pk, **common),
        S=make_item("S-SERV", base_price="50.00", kind="service", valuation_method="average", min_margin=D("20"),
                    standard_cost=D("30.00")),
    )  # fmt: skip
    for item in (items.F, items.A, items.L):
        receive(item, 10, "5.00", date(2026, 1, 1))
        receive(item, 10, "6.00", date(2026, 1, 2))
    price = purchasing.supplier_price_create(
        company=company, by=sales_user, item_id=items.F.pk, supplier_id=supplier.pk, unit_price=D("6.50")
    )
    customers = SimpleNamespace(
        turia=party_create(company=company, by=sales_user, name="Reformas Turia, S.L.", tax_id="B46000014",
                           addresses=[ADDRESS], status="customer"),
        norte=party_create(company=company, by=sales_user, name="Estudio Norte, S.L.", tax_id="B46000022",
                           addresses=[ADDRESS], status="customer"),
    )  # fmt: skip
    return SimpleNamespace(
        tools=tools, paint=paint, items=items, customers=customers, supplier=supplier, price=price
    )


def quote_and_accept(company, by, party, lines, day):
    """A quotation of `lines` dated `day`, sent and accepted the same day: its order."""
    with today_is(day):
        quotation = sales.quotation_create(company=company, by=by, party_id=party.pk, lines=lines)
        sales.quotation_mark_sent(company=company, by=by, quotation_id=quotation.pk)
        return sales.quotation_accept(company=company, by=by, quotation_id=quotation.pk)


def draft_delivery(order):
    return Delivery.objects.get(order=order, state=Delivery.State.DRAFT)


def deliver(company, by, order, day, quantities=None):
    """The order's draft delivery note validated on `day`: `quantities` by item, or all of it."""
    delivery = draft_delivery(order)
    chosen = None
    if quantities is not None:
        chosen = {line.pk: quantities.get(line.item_id, D(0)) for line in delivery.lines.all()}
    return sales.delivery_validate(
        company=company, by=by, delivery_id=delivery.pk, quantities=chosen, date=day
    )


def invoice(company, by, orders, day):
    draft = invoicing.invoice_from_orders(
        company=company, by=by, order_ids=[order.pk for order in orders], date=day
    )
    return invoicing.invoice_post(company=company, by=by, invoice_id=draft.pk)


@pytest.fixture
def story(company, people, book, receive):
    items, customers = book.items, book.customers
    o1 = quote_and_accept(company, people.ventas, customers.turia, [
        {"item_id": items.F.pk, "quantity": "15"},
        {"item_id": items.A.pk, "quantity": "10", "unit_price": "8.00"},
    ], date(2026, 2, 2))  # fmt: skip
    d1 = deliver(company, people.ventas, o1, date(2026, 2, 5))
    i1 = invoice(company, people.ventas, [o1], date(2026, 2, 10))
    o2 = quote_and_accept(company, people.ana, customers.norte, [
        {"item_id": items.L.pk, "quantity": "8", "unit_price": "6.50"},
        {"item_id": items.A.pk, "quantity": "5"},
        {"item_id": items.S.pk, "quantity": "1"},
    ], date(2026, 3, 2))  # fmt: skip
    receive(items.L, 10, "7.00", date(2026, 3, 3))
    deliver(company, people.ana, o2, date(2026, 3, 5), {items.L.pk: D(3), items.A.pk: D(5)})
    invoice(company, people.ana, [o2], date(2026, 3, 10))
    deliver(company, people.ana, o2, date(2026, 3, 12))  # the backorder: L 5
    o3 = quote_and_accept(company, people.ventas, customers.turia, [{"item_id": items.F.pk, "quantity": "10"}],
                          date(2026, 3, 16))  # fmt: skip
    purchasing.supplier_price_update(
        company=company, by=people.ventas, supplier_price_id=book.price.pk, unit_price=D("7.20")
    )
    with today_is(date(2026, 3, 17)):
        bought = sales.sales_order_buy_shortages(company=company, by=people.ventas, order_id=o3.pk)
        purchasing.purchase_order_confirm(
            company=company, by=people.ventas, order_id=bought[0].purchase_order.pk
        )
    returned = sales.delivery_return(
        company=company, by=people.ventas, delivery_id=d1.pk, reason="Sobran",
        quantities={d1.lines.get(item=items.F).pk: D(5)}, date=date(2026, 3, 20),
    )  # fmt: skip
    with today_is(date(2026, 3, 25)):
        credit = invoicing.credit_note_create(
            company=company, by=people.ventas, invoice_id=i1.pk, reason="Devolución", return_id=returned.pk
        )
        invoicing.invoice_post(company=company, by=people.ventas, invoice_id=credit.pk)
    return SimpleNamespace(o1=o1, o2=o2, o3=o3, i1=i1, **vars(book))


def panels_of(company, filters=QUARTER):
    return {panel.key: panel for panel in margin.build(company, filters)}


def test_the_story_is_as_told(company, story):
    """The documents the figures below rest on, as the services left them."""
    assert (story.o1.net, story.o1.cost, story.o1.margin) == (D("215.00"), D("135.00"), D("80.00"))
    o2 = SalesOrder.objects.get(pk=story.o2.pk)
    assert (o2.net, o2.margin) == (D("147.00"), D("41.50"))
    assert (story.o3.net, story.o3.cost) == (D("90.00"), D("62.50"))
    assert story.i1.cost == D("135.00")
    purchase = PurchaseOrder.objects.get(company=company)
    line = purchase.lines.get()
    assert (purchase.date, purchase.state, line.unit_price, line.origin_unit_cost) == (
        date(2026, 3, 17), "confirmed", D("7.20"), D("6.50"),
    )  # fmt: skip
    assert SupplierPrice.objects.get(pk=story.price.pk).unit_price == D("7.20")


def test_sales_and_margin_by_month_are_the_invoices_less_the_credit_notes(company, story):
    panel = panels_of(company)["by_month"]
    # February: I1 215.00 for 135.00. March: I2 19.50 + 45.00 + 50.00, less the credit note's 45.00 = 69.50,
    # for 21.00 + 27.50 + 30.00 - 26.67 = 51.83: margin 17.67, 25.42 %.
    assert panel.rows == [
        ["Jan 2026", D("0.00"), D("0.00"), D("0.00"), None],
        ["Feb 2026", D("215.00"), D("135.00"), D("80.00"), D("37.21")],
        ["Mar 2026", D("69.50"), D("51.83"), D("17.67"), D("25.42")],
    ]
    # The quarter: 284.50 for 186.83, margin 97.67, 34.33 %.
    assert panel.figures == {"Sales": D("284.50"), "Margin": D("97.67"), "Margin %": D("34.33")}
    assert panel.chart.startswith("<svg") and "Feb 2026" in panel.chart


def test_stock_billed_by_hand_has_no_cost_of_goods_and_the_panel_says_how_much(company, story, people):
    from nexo.invoicing.services.common import InvoiceLineInput

    draft = invoicing.invoice_create(
        company=company, by=people.ventas, party_id=story.customers.norte.pk, date=date(2026, 3, 31),
        lines=[InvoiceLineInput(story.items.A.pk, "A sin albarán", D("2"), D("9.00")),  # stock: 18.00
               InvoiceLineInput(None, "Portes", D("1"), D("12.00"), vat_rate=D("21"))],  # no item: no goods
    )  # fmt: skip
    invoicing.invoice_post(company=company, by=people.ventas, invoice_id=draft.pk)
    panel = panels_of(company)["by_month"]
    # March: 69.50 + 30.00 sold for 51.83 (the hand lines cost nothing in the books).
    assert panel.rows[2] == ["Mar 2026", D("99.50"), D("51.83"), D("47.67"), D("47.91")]
    assert panel.figures["Sales without a cost of goods"] == D("18.00")
    assert "without a delivery note" in panel.note


def test_sales_and_margin_by_item_category_customer_and_salesperson(company, story):
    panels = panels_of(company)
    # F: 135.00 - 45.00 = 90.00 for 80.00 - 26.67 = 53.33; A: 80.00 + 45.00 for 55.00 + 27.50.
    assert panels["by_item"].rows == [
        ["A-AVG Artículo A-AVG", D("125.00"), D("82.50"), D("42.50"), D("34.00")],
        ["F-FIFO Artículo F-FIFO", D("90.00"), D("53.33"), D("36.67"), D("40.74")],
        ["S-SERV Artículo S-SERV", D("50.00"), D("30.00"), D("20.00"), D("40.00")],
        ["L-LAST Artículo L-LAST", D("19.50"), D("21.00"), D("-1.50"), D("-7.69")],
    ]
    assert panels["by_category"].rows == [
        ["Herramientas", D("215.00"), D("135.83"), D("79.17"), D("36.82")],
        ["No category", D("50.00"), D("30.00"), D("20.00"), D("40.00")],
        ["Pintura", D("19.50"), D("21.00"), D("-1.50"), D("-7.69")],
    ]
    assert panels["by_customer"].rows == [
        ["Reformas Turia, S.L.", D("170.00"), D("108.33"), D("61.67"), D("36.28")],
        ["Estudio Norte, S.L.", D("114.50"), D("78.50"), D("36.00"), D("31.44")],
    ]
    assert panels["by_salesperson"].rows == [
        ["ventas", D("170.00"), D("108.33"), D("61.67"), D("36.28")],
        ["ana", D("114.50"), D("78.50"), D("36.00"), D("31.44")],
    ]


def test_quoted_against_realised_margin_by_month(company, story):
    panel = panels_of(company)["quoted_vs_realised"]
    # February: O1 quoted 80.00 on 215.00 (37.21 %); realised on the 10 F kept and invoiced (90.00 for 53.33)
    # and A (80.00 for 55.00): 61.67 on 170.00, 36.28 %.
    # March: O2 quoted 4.00 + 17.50 + 20.00 and O3 27.50 = 69.00 on 147.00 + 90.00 = 237.00 (29.11 %);
    # realised: L 3 of 8 delivered invoiced (19.50 against 56.00 x 3/8 = 21.00), A 45.00 - 27.50, S 50.00 -
    # 30.00: 36.00 on 114.50, 31.44 %; O3 nothing yet.
    assert panel.rows == [
        ["Jan 2026", 0, D("0.00"), D("0.00"), None, D("0.00"), D("0.00"), None],
        ["Feb 2026", 1, D("215.00"), D("80.00"), D("37.21"), D("170.00"), D("61.67"), D("36.28")],
        ["Mar 2026", 2, D("237.00"), D("69.00"), D("29.11"), D("114.50"), D("36.00"), D("31.44")],
    ]
    # The quarter: 149.00 on 452.00 quoted (32.96 %), 97.67 on 284.50 realised (34.33 %).
    assert panel.figures == {"Quoted margin %": D("32.96"), "Realised margin %": D("34.33")}


def test_the_sale_of_15_costs_80_by_fifo_82_50_at_average_and_90_at_the_last_purchase(company, story):
    """February alone: F's 15 out of 10 @ 5.00 + 10 @ 6.00 cost 80.00 by FIFO (booked: F is FIFO), 15 x 5.50
    = 82.50 at average, and at the last purchase 20 x 6.00 - 5 x 6.00 = 90.00. A's 10 (average, booked
    55.00) cost 10 x 5.00 = 50.00 by FIFO and 60.00 at the last purchase."""
    february = Filters(date(2026, 2, 1), date(2026, 2, 28))
    panel = panels_of(company, february)["valuation_bases"]
    assert panel.rows == [
        ["As booked (each item's own method)", D("215.00"), D("135.00"), D("80.00"), D("37.21"), D("0.00")],
        ["Average cost", D("215.00"), D("137.50"), D("77.50"), D("36.05"), D("-2.50")],
        ["FIFO", D("215.00"), D("130.00"), D("85.00"), D("39.53"), D("5.00")],
        ["Last purchase", D("215.00"), D("150.00"), D("65.00"), D("30.23"), D("-15.00")],
    ]


def test_the_quarter_under_each_valuation_basis_follows_returns_and_deliveries_invoiced_in_part(
    company, story
):
    """Booked: 186.83 on 284.50.
    - F (FIFO): kept 15 - 5 at 53.33; average 82.50 - 5 x 5.50 = 55.00 (+1.67); last purchase 90.00 - 5 x
      6.00 = 60.00 (+6.67).
    - A of O1 (average, 55.00): FIFO 50.00 (-5.00), last purchase 60.00 (+5.00). A of O2 (27.50): FIFO the
      units 10-15, 5 x 6.00 = 30.00 (+2.50); last purchase 10 x 6 - 5 x 6 = 30.00 (+2.50).
    - L of O2 (last purchase): 3 invoiced for 21.00 of the 56.00 its 8 left with; by FIFO the 8 would have cost
      8 x 5.00 = 40.00, so 21.00 x 40/56 = 15.00 (-6.00); at average (180.00 / 30 = 6.00) 48.00: 18.00 (-3.00).
    - S costs its 30.00 under every basis."""
    panel = panels_of(company)["valuation_bases"]
    assert panel.rows == [
        ["As booked (each item's own method)", D("284.50"), D("186.83"), D("97.67"), D("34.33"), D("0.00")],
        ["Average cost", D("284.50"), D("185.50"), D("99.00"), D("34.80"), D("1.33")],
        ["FIFO", D("284.50"), D("178.33"), D("106.17"), D("37.32"), D("8.50")],
        ["Last purchase", D("284.50"), D("201.00"), D("83.50"), D("29.35"), D("-14.17")],
    ]


def test_where_margin_leaks(company, story):
    panels = panels_of(company)
    hand = panels["leak_hand_prices"]
    # L: 8 x 9.00 - 52.00 = 20.00; A: 10 x 9.00 - 80.00 = 10.00.
    assert [row[1:] for row in hand.rows] == [
        ["Estudio Norte, S.L.", "ana", "L-LAST Artículo L-LAST", D("8.0000"), D("9.000000"), D("6.500000"), D("20.00")],
        ["Reformas Turia, S.L.", "ventas", "A-AVG Artículo A-AVG", D("10.0000"), D("9.000000"), D("8.000000"),
         D("10.00")],
    ]  # fmt: skip
    assert hand.figures == {"Lines": 2, "Amount lost": D("30.00")}
    minimum = panels["leak_min_margin"]
    # L: 20 % of 52.00 = 10.40 against its 4.00 of margin (7.69 %): 6.40 short.
    assert [row[1:] for row in minimum.rows] == [
        ["Estudio Norte, S.L.", "ana", "L-LAST Artículo L-LAST", D("52.00"), D("4.00"), D("7.69"), D("20.00"),
         D("6.40")],
    ]  # fmt: skip
    dearer = panels["leak_dearer_purchases"]
    assert [row[1:] for row in dearer.rows] == [
        ["Proveedor Uno", story.o3.number, "F-FIFO Artículo F-FIFO", D("5.0000"), D("6.500000"), D("7.200000"),
         D("3.50")],
    ]  # fmt: skip
    assert dearer.figures == {"Lines": 1, "Amount lost": D("3.50")}
    assert "Proveedor Uno" in dearer.chart


def test_a_salesperson_sees_their_own_orders(company, story, people):
    panels = panels_of(company, Filters(QUARTER.date_from, QUARTER.date_to, salesperson_id=people.ana.pk))
    assert panels["by_month"].figures == {"Sales": D("114.50"), "Margin": D("36.00"), "Margin %": D("31.44")}
    assert [row[0] for row in panels["by_customer"].rows] == ["Estudio Norte, S.L."]
    assert panels["quoted_vs_realised"].rows[2][1:4] == [1, D("147.00"), D("41.50")]
    # Ana's goods: L (booked 21.00; FIFO 15.00, average 18.00) and A of O2 (27.50; FIFO and last purchase 30.00).
    assert [row[2] for row in panels["valuation_bases"].rows] == [
        D("78.50"),
        D("75.50"),
        D("75.00"),
        D("81.00"),
    ]
    assert panels["leak_hand_prices"].figures == {"Lines": 1, "Amount lost": D("20.00")}
    assert panels["leak_dearer_purchases"].figures == {"Lines": 0, "Amount lost": D("0.00")}
    assert "Filtered by salesperson" in panels["by_month"].note


def test_a_category_takes_its_items_and_those_under_it(company, sales_user, story):
    sub = catalog.category_create(company=company, by=sales_user, name="Eléctricas", parent_id=story.tools.pk)
    Item.objects.filter(pk=story.items.A.pk).update(category=sub)  # moved under a subcategory
    panels = panels_of(company, Filters(QUARTER.date_from, QUARTER.date_to, category_id=story.tools.pk))
    # F and A (now under Herramientas / Eléctricas): 215.00 for 135.83.
    assert panels["by_month"].figures == {"Sales": D("215.00"), "Margin": D("79.17"), "Margin %": D("36.82")}
    assert [row[0] for row in panels["by_category"].rows] == ["Herramientas / Eléctricas", "Herramientas"]
    assert panels["leak_min_margin"].rows == []
    assert panels["leak_dearer_purchases"].figures["Amount lost"] == D("3.50")
    # Another company's category, or one that does not exist: nothing.
    nothing = panels_of(company, Filters(QUARTER.date_from, QUARTER.date_to, category_id=10**9))
    assert nothing["by_month"].figures["Sales"] == D("0.00")


def test_another_company_sees_none_of_it(other_company, story):
    panels = panels_of(other_company)
    assert panels["by_month"].figures["Sales"] == D("0.00")
    assert all(panel.figures.get("Lines", 0) == 0 for panel in panels.values())


def queries_of(company, filters=QUARTER) -> int:
    with CaptureQueriesContext(connection) as captured:
        margin.build(company, filters)
    return len(captured)


def sell_more(company, people, book, count: int = 6) -> None:
    """`count` more orders in late March, each with a hand price under the list and under the minimum margin
    (L at 7.00 now costs 7.00), delivered and invoiced."""
    items = book.items
    for index in range(count):
        order = quote_and_accept(company, people.ana, book.customers.norte, [
            {"item_id": items.L.pk, "quantity": "1", "unit_price": "7.00"},
            {"item_id": items.F.pk, "quantity": "1"},
            {"item_id": items.S.pk, "quantity": "2"},
        ], date(2026, 3, 26))  # fmt: skip
        deliver(company, people.ana, order, date(2026, 3, 27))
        invoice(company, people.ana, [order], date(2026, 3, 28 + index // 2))


def test_the_dashboard_runs_the_same_queries_whatever_the_documents(
    company, people, book, story, django_assert_max_num_queries
):
    small = queries_of(company)
    with django_assert_max_num_queries(16):
        margin.build(company, QUARTER)
    sell_more(company, people, book)
    with django_assert_max_num_queries(16):
        panels = panels_of(company)
    assert panels["leak_min_margin"].figures["Lines"] == 7
    assert queries_of(company) == small
    filtered = Filters(QUARTER.date_from, QUARTER.date_to, people.ana.pk, book.tools.pk)
    assert queries_of(company, filtered) == small + 1  # the category's path


# The page and the API (nexo.insight.views.dashboards, nexo.insight.api.dashboards) draw these panels


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_every_panel_with_its_chart_and_table(company, story, manager_user):
    response = signed_in(manager_user).get(reverse("insight:dashboard_margin"), PERIOD, **EN)

    page = response.content.decode()
    assert response.status_code == 200
    for title in (
        "Sales and margin by month", "Sales and margin by item", "Quoted against realised margin",
        "Margin under each valuation basis", "Hand prices under the list", "Lines accepted under their minimum margin",
        "Purchases dearer than the quoted cost",
    ):  # fmt: skip
        assert title in page
    assert page.count("<svg") >= 10
    assert "Lost to dearer purchases, by supplier" in page


def test_a_leak_table_downloads_as_csv(company, story, manager_user):
    params = {**PERIOD, "panel": "leak_hand_prices", "format": "csv"}

    response = signed_in(manager_user).get(reverse("insight:dashboard_margin"), params, **EN)

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Quotation;Customer;Salesperson;Item;Quantity;List price;Unit price;Amount lost"
    assert lines[1].startswith(f"{story.o2.quotation.number} v1;Estudio Norte, S.L.;ana;L-LAST")
    assert lines[1].endswith(";20,00")


def test_the_page_and_the_api_read_the_same_queries_for_few_or_many_documents(
    company, people, book, story, manager_user, django_assert_max_num_queries
):
    client, api = signed_in(manager_user), ApiClient(manager_user, company)
    url, path = reverse("insight:dashboard_margin"), "/insight/dashboards/margin"
    filtered = {**PERIOD, "category": book.tools.pk}
    client.get(url, PERIOD)  # warm the session and the content types
    api.get(path, **PERIOD)
    with django_assert_max_num_queries(40) as page_counted:
        assert client.get(url, filtered).status_code == 200
    with django_assert_max_num_queries(40) as api_counted:
        assert api.get(path, **filtered).status_code == 200
    sell_more(company, people, book)
    with django_assert_max_num_queries(len(page_counted.captured_queries)):
        assert client.get(url, filtered).status_code == 200
    with django_assert_max_num_queries(len(api_counted.captured_queries)):
        body = api.get(path, **filtered).json()
    panels = {panel["key"]: panel for panel in body["panels"]}
    # March's tools: A's 45.00 less F's 45.00 credited, and six more F at 9.00.
    assert panels["by_month"]["rows"][2][1] == "54.00"


def test_another_companys_category_is_refused_by_the_api(company, other_company, story, manager_user):
    theirs = catalog.category_create(company=other_company, by=manager_user, name="Ajena")

    response = ApiClient(manager_user, company).get("/insight/dashboards/margin", category=theirs.pk)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_costs_by_basis_without_goods_is_nothing(company, book):
    assert costs_by_basis(margin.invoiced_lines(Scope.of(company, QUARTER))) == {
        "average": D("0.00"), "fifo": D("0.00"), "last_purchase": D("0.00"),
    }  # fmt: skip
