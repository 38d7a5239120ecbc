"""The purchasing and stock dashboard on a small story: a hardware shop's four items in three categories
(one without), moved in and out in the first quarter of 2026, three of them with a minimum stock, and the
invoices of seven suppliers, one in dollars. Every figure is worked out by hand in the comments."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nexo.catalog import services as catalog_services
from nexo.core.errors import NotFound
from nexo.insight.services.dashboards import DASHBOARDS, Filters, stock
from nexo.insight.services.dashboards.months import months_of
from nexo.insight.services.dashboards.stock import build, short_items
from nexo.invoicing import services as invoicing
from nexo.parties.services import party_create
from nexo.purchasing import services as purchasing

D = Decimal
QUARTER = Filters(date(2026, 1, 1), date(2026, 3, 31))
FEBRUARY_END = Filters(date(2026, 1, 1), date(2026, 2, 28))


@pytest.fixture(autouse=True)
def _english(english):
    """Titles and notes asserted in English."""


@pytest.fixture
def accountant(make_user):
    return make_user("contable", "accounting")


@pytest.fixture
def shop(company, sales_user, make_item, receive, deliver):
    """Tools (with Electric tools under it) and Fasteners; a FIFO hammer, an average drill and screws, gloves
    never received, an item without a category and an inactive one."""
    tools = catalog_services.category_create(company=company, by=sales_user, name="Tools")
    electric = catalog_services.category_create(
        company=company, by=sales_user, name="Electric", parent_id=tools.pk
    )
    fasteners = catalog_services.category_create(company=company, by=sales_user, name="Fasteners")
    hammer = make_item("HAM", name="Hammer", category_id=tools.pk, valuation_method="fifo")
    drill = make_item("DRL", name="Drill", category_id=electric.pk, valuation_method="average")
    screws = make_item("SCR", name="Screws", category_id=fasteners.pk, valuation_method="average")
    gloves = make_item("GLV", name="Gloves", category_id=tools.pk, valuation_method="average")
    misc = make_item("MISC", name="Sundries", valuation_method="average")
    retired = make_item("OLD", name="Retired", category_id=tools.pk, valuation_method="average")
    receive(hammer, D(10), "5.00", day=date(2026, 1, 10))
    receive(hammer, D(10), "7.00", day=date(2026, 2, 10))
    deliver(hammer, D(5), day=date(2026, 2, 20))  # FIFO: the five left of the 5.00 layer and ten at 7.00
    receive(drill, D(2), "50.00", day=date(2026, 1, 15))
    receive(screws, D(100), "0.10", day=date(2026, 1, 5))
    deliver(screws, D(95), day=date(2026, 3, 1))
    receive(misc, D(4), "2.50", day=date(2026, 1, 12))
    catalog_services.item_update(company=company, item_id=retired.pk, by=sales_user, is_active=False)
    return {
        "tools": tools, "electric": electric, "fasteners": fasteners, "hammer": hammer, "drill": drill,
        "screws": screws, "gloves": gloves, "misc": misc, "retired": retired,
    }  # fmt: skip


@pytest.fixture
def minimums(company, sales_user, shop):
    """The hammer should keep 20 (bought from Alfa), the drill 2, the screws 200, the gloves 10; the retired
    item 5 (inactive: not listed)."""
    alfa = party_create(company=company, by=sales_user, name="Alfa Herramientas, S.L.", is_supplier=True)
    for item, minimum, supplier in (
        ("hammer", "20", alfa), ("drill", "2", None), ("screws", "200", None), ("gloves", "10", None),
        ("retired", "5", None),
    ):  # fmt: skip
        purchasing.item_purchasing_set(
            company=company, by=sales_user, item_id=shop[item].pk, minimum_stock=D(minimum),
            preferred_supplier_id=supplier.pk if supplier else None,
        )  # fmt: skip
    return alfa


def supplier_invoice(
    company, accountant, supplier, day, lines, *, number, currency=None, rate=None, post=True
):
    invoice = invoicing.supplier_invoice_create(
        company=company, by=accountant, party_id=supplier.pk, supplier_number=number, date=day,
        lines=[
            {"item_id": item.pk if item else None, "description": description, "quantity": D(quantity),
             "unit_price": D(price), "vat_rate": D("21")}
            for item, description, quantity, price in lines
        ],
        currency=currency, exchange_rate=rate,
    )  # fmt: skip
    if post:
        invoicing.supplier_invoice_post(company=company, by=accountant, invoice_id=invoice.pk)
    return invoice


@pytest.fixture
def bought(company, sales_user, accountant, shop):
    """Seven suppliers' invoices in the quarter, in date order (posting numbers them by date)."""

    def supplier(name):
        return party_create(company=company, by=sales_user, name=name, is_supplier=True)

    names = ("Alfa", "Beta", "Gamma", "Delta", "Épsilon", "Zeta", "Eta", "Theta")
    parties = {name: supplier(f"{name}, S.L.") for name in names}
    hammer, drill, screws, gloves, misc = (
        shop[key] for key in ("hammer", "drill", "screws", "gloves", "misc")
    )
    story = [
        ("Alfa", date(2026, 1, 8), [(hammer, "Hammers", "50", "10.00")], {}),  # 500.00, Tools
        ("Delta", date(2026, 1, 20), [(misc, "Sundries", "160", "2.50")], {}),  # 400.00, no category
        ("Alfa", date(2026, 2, 3), [(screws, "Screws", "3000", "0.10")], {}),  # 300.00, Fasteners
        ("Beta", date(2026, 2, 12), [(drill, "Drills", "14", "50.00")], {}),  # 700.00, Electric (in Tools)
        ("Zeta", date(2026, 2, 25), [(hammer, "Hammers", "10", "10.00")], {}),  # 100.00, Tools
        ("Gamma", date(2026, 3, 4), [(None, "Transport", "1", "600.00")], {}),  # 600.00, no item
        # 300.00 dollars at 0.91234567: 273.703701 → 273.70 euros, Tools
        ("Épsilon", date(2026, 3, 9), [(gloves, "Gloves", "100", "3.00")], {"currency": "USD", "rate": D("0.91234567")}),
        ("Eta", date(2026, 3, 30), [(screws, "Screws", "500", "0.10")], {}),  # 50.00, Fasteners
        ("Theta", date(2026, 4, 2), [(screws, "Screws", "10", "1.00")], {}),  # after the quarter
    ]  # fmt: skip
    for number, (name, day, lines, options) in enumerate(story, start=1):
        supplier_invoice(company, accountant, parties[name], day, lines, number=f"S-{number}", **options)
    # A draft is not a purchase yet.
    supplier_invoice(company, accountant, parties["Beta"], date(2026, 3, 15), [(drill, "Drill", "1", "999.00")],
                     number="S-draft", post=False)  # fmt: skip
    return parties


def panel(panels, key):
    (found,) = [one for one in panels if one.key == key]
    return found


# Stock value by category


def test_stock_value_by_category_is_the_valuation_report_at_the_periods_end(company, shop):
    panels = build(company, FEBRUARY_END)
    value = panel(panels, "stock_value")
    # Hammer (FIFO): 5 left at 5.00 + 10 at 7.00 = 95.00. Drill: 2 x 50.00 = 100.00. Screws: 100 x 0.10 =
    # 10.00 (the March delivery comes later). Sundries: 4 x 2.50 = 10.00. Total 215.00.
    # Shares: 100/215 = 46.51 %, 95/215 = 44.19 %, 10/215 = 4.65 %.
    assert value.rows == [
        ["Tools / Electric", 1, D("100.00"), D("46.5")],
        ["Tools", 1, D("95.00"), D("44.2")],
        ["Fasteners", 1, D("10.00"), D("4.7")],
        ["No category", 1, D("10.00"), D("4.7")],
    ]
    assert value.figures == {"Stock value": D("215.00"), "Items in stock": 4}
    assert value.columns == ["Category", "Items", "Value", "Share %"]
    assert "28 February 2026" in value.note
    # At the quarter's end 5 screws are left: 0.50, 0.24 % of 205.50, now the smallest.
    value = panel(build(company, QUARTER), "stock_value")
    assert value.rows[3] == ["Fasteners", 1, D("0.50"), D("0.2")]
    assert value.figures["Stock value"] == D("205.50")


def test_the_category_filter_keeps_the_category_and_its_subcategories(company, shop):
    value = panel(
        build(company, Filters(date(2026, 1, 1), date(2026, 2, 28), category_id=shop["tools"].pk)),
        "stock_value",
    )
    assert value.rows == [
        ["Tools / Electric", 1, D("100.00"), D("51.3")],
        ["Tools", 1, D("95.00"), D("48.7")],
    ]
    assert value.figures["Stock value"] == D("195.00")
    assert "Only the items of Tools and its subcategories." in value.note


def test_a_category_of_another_company_is_not_found(company, other_company, sales_user, shop):
    foreign = catalog_services.category_create(company=other_company, by=sales_user, name="Tools")
    with pytest.raises(NotFound):
        build(company, Filters(date(2026, 1, 1), date(2026, 2, 28), category_id=foreign.pk))


# Items under their minimum stock


def test_the_items_under_their_minimum_emptiest_first(company, shop, minimums):
    under = panel(build(company, FEBRUARY_END), "under_minimum")
    # Gloves: 0 of 10 (all missing); screws: 100 of 200 (half); hammer 15 of 20 (a quarter); the drill has
    # its 2 (not under); the retired item is inactive.
    assert under.rows == [
        ["GLV", "Gloves", D(0), D(10), D(10), ""],
        ["SCR", "Screws", D(100), D(200), D(100), ""],
        ["HAM", "Hammer", D(15), D(20), D(5), "Alfa Herramientas, S.L."],
    ]
    assert under.figures == {"Items under minimum": 3}
    assert [str(cell) for cell in under.rows[2][2:5]] == ["15", "20", "5"]  # without trailing zeros
    assert under.columns == ["SKU", "Item", "On hand", "Minimum", "Short", "Preferred supplier"]
    # After the March delivery 5 screws are left: 195 short of 200, now the emptiest after the gloves.
    rows = panel(build(company, QUARTER), "under_minimum").rows
    assert [(row[0], row[2], row[4]) for row in rows] == [
        ("GLV", D(0), D(10)), ("SCR", D(5), D(195)), ("HAM", D(15), D(5)),
    ]  # fmt: skip


def test_long_lists_are_cut_and_say_so(company, shop, minimums, monkeypatch):
    monkeypatch.setattr(stock, "SHORT_ITEMS_LISTED", 2)
    monkeypatch.setattr(stock, "CHARTED_CATEGORIES", 2)
    panels = build(company, FEBRUARY_END)
    under = panel(panels, "under_minimum")
    assert [row[0] for row in under.rows] == ["GLV", "SCR"]
    assert under.figures == {"Items under minimum": 3} and "The first 2 of 3." in under.note
    # The chart draws the two largest categories and the other two as one bar (10.00 + 10.00); the table
    # keeps all four.
    value = panel(panels, "stock_value")
    assert len(value.rows) == 4 and "Other categories" in value.chart and "€20.00" in value.chart


def test_items_under_minimum_in_a_category_and_now(company, shop, minimums, receive):
    tools = Filters(date(2026, 1, 1), date(2026, 2, 28), category_id=shop["tools"].pk)
    assert [row[0] for row in panel(build(company, tools), "under_minimum").rows] == ["GLV", "HAM"]
    # A period reaching today reads the stock now: 10 gloves arrive today, no longer short.
    receive(shop["gloves"], D(10), "3.00", day=timezone.localdate())
    now = Filters(date(2026, 1, 1), timezone.localdate() + timedelta(days=1), category_id=shop["tools"].pk)
    assert [row[0] for row in panel(build(company, now), "under_minimum").rows] == ["HAM"]
    assert [item.sku for item in short_items(company, date(2026, 2, 28), None)] == ["GLV", "SCR", "HAM"]


# Purchases by supplier


def test_purchases_by_supplier_are_the_posted_supplier_invoices_of_the_period(company, shop, bought):
    panels = build(company, QUARTER)
    by_supplier = panel(panels, "purchases_by_supplier")
    # Alfa 500 + 300 = 800.00; Beta 700.00 (not its draft); Gamma 600.00; Delta 400.00; Épsilon 273.70;
    # the others: Zeta 100 + Eta 50 = 150.00 (Theta's is April's). Total 2,923.70.
    # Shares: 800/2923.70 = 27.36 %, 700 → 23.94 %, 600 → 20.52 %, 400 → 13.68 %, 273.70 → 9.36 %,
    # 150 → 5.13 %.
    assert by_supplier.rows == [
        ["Alfa, S.L.", D("800.00"), D("27.4")],
        ["Beta, S.L.", D("700.00"), D("23.9")],
        ["Gamma, S.L.", D("600.00"), D("20.5")],
        ["Delta, S.L.", D("400.00"), D("13.7")],
        ["Épsilon, S.L.", D("273.70"), D("9.4")],
        ["Other suppliers (2)", D("150.00"), D("5.1")],
    ]
    assert by_supplier.figures == {"Purchases": D("2923.70"), "Suppliers": 7}
    by_month = panel(panels, "purchases_by_month")
    assert by_month.columns == [
        "Month", "Alfa, S.L.", "Beta, S.L.", "Gamma, S.L.", "Delta, S.L.", "Épsilon, S.L.", "Other suppliers (2)",
        "Total",
    ]  # fmt: skip
    # January: Alfa 500 + Delta 400; February: Alfa 300, Beta 700, Zeta 100; March: Gamma 600, Épsilon
    # 273.70, Eta 50.
    zero = D("0.00")
    assert by_month.rows == [
        ["Jan 2026", D("500.00"), zero, zero, D("400.00"), zero, zero, D("900.00")],
        ["Feb 2026", D("300.00"), D("700.00"), zero, zero, zero, D("100.00"), D("1100.00")],
        ["Mar 2026", zero, zero, D("600.00"), zero, D("273.70"), D("50.00"), D("923.70")],
    ]


def test_purchases_in_a_category_count_its_items_lines_only(company, shop, bought):
    tools = Filters(date(2026, 1, 1), date(2026, 3, 31), category_id=shop["tools"].pk)
    by_supplier = panel(build(company, tools), "purchases_by_supplier")
    # Beta's drills 700 (Electric is under Tools), Alfa's hammers 500, Épsilon's gloves 273.70, Zeta's
    # hammers 100; Gamma's transport has no item, Delta's sundries no category, screws are Fasteners.
    # Total 1,573.70: 44.48 %, 31.77 %, 17.39 %, 6.35 %.
    assert by_supplier.rows == [
        ["Beta, S.L.", D("700.00"), D("44.5")],
        ["Alfa, S.L.", D("500.00"), D("31.8")],
        ["Épsilon, S.L.", D("273.70"), D("17.4")],
        ["Zeta, S.L.", D("100.00"), D("6.4")],
    ]
    assert "Lines without an item are left out." in by_supplier.note


def test_a_single_other_supplier_is_named(company, shop, bought):
    # February and March: Beta 700, Gamma 600, Alfa 300, Épsilon 273.70, Zeta 100, Eta 50: six suppliers,
    # the sixth shown by name rather than as "1 other".
    rows = panel(build(company, Filters(date(2026, 2, 1), date(2026, 3, 31))), "purchases_by_supplier").rows
    assert [row[0] for row in rows] == [
        "Beta, S.L.", "Gamma, S.L.", "Alfa, S.L.", "Épsilon, S.L.", "Zeta, S.L.", "Eta, S.L.",
    ]  # fmt: skip


# The whole dashboard


def test_the_dashboard_draws_every_panel_and_says_which_filter_it_ignores(company, shop, minimums, bought):
    panels = DASHBOARDS["stock"].build(
        company, Filters(date(2026, 1, 1), date(2026, 3, 31), salesperson_id=1)
    )
    assert [one.key for one in panels] == [
        "stock_value", "under_minimum", "purchases_by_supplier", "purchases_by_month",
    ]  # fmt: skip
    for one in panels:
        assert one.chart.startswith("<svg") and one.title in one.chart
        assert "The salesperson filter does not apply to stock and purchases." in one.note
        assert all(len(row) == len(one.columns) for row in one.rows)
    assert "Alfa, S.L." in panel(panels, "purchases_by_supplier").chart
    assert "salesperson" not in panel(build(company, QUARTER), "stock_value").note


def test_an_empty_company_draws_empty_panels(company, stock, catalog):
    panels = build(company, QUARTER)
    assert [len(one.rows) for one in panels] == [0, 0, 0, 3]
    assert panel(panels, "stock_value").figures["Stock value"] == 0
    assert all(one.chart.startswith("<svg") for one in panels)


def test_the_months_of_a_period_are_cut_to_it():
    months = months_of(date(2026, 1, 15), date(2026, 3, 10))
    assert [(month.start, month.end, month.days) for month in months] == [
        (date(2026, 1, 15), date(2026, 1, 31), 17),
        (date(2026, 2, 1), date(2026, 2, 28), 28),
        (date(2026, 3, 1), date(2026, 3, 10), 10),
    ]
    assert months_of(date(2026, 3, 1), date(2026, 2, 1)) == []


def _queries(company, filters) -> int:
    with CaptureQueriesContext(connection) as captured:
        build(company, filters)
    return len(captured)


def test_the_dashboard_runs_the_same_few_queries_whatever_the_data(
    company, sales_user, accountant, shop, minimums, bought, make_item, receive, django_assert_max_num_queries
):
    months = Filters(date(2026, 1, 1), date(2026, 4, 30))
    tools = Filters(date(2026, 1, 1), date(2026, 4, 30), category_id=shop["tools"].pk)
    small = (_queries(company, months), _queries(company, tools))
    more = catalog_services.category_create(company=company, by=sales_user, name="More")
    supplier = party_create(company=company, by=sales_user, name="Iota, S.L.", is_supplier=True)
    for index in range(12):
        item = make_item(
            f"X{index}", category_id=(more if index % 2 else shop["tools"]).pk, valuation_method="fifo"
        )
        receive(item, D(index + 1), "1.00", day=date(2026, 4, 3))
        purchasing.item_purchasing_set(company=company, by=sales_user, item_id=item.pk, minimum_stock=D(50))
        supplier_invoice(
            company, accountant, supplier, date(2026, 4, 3), [(item, "X", "1", "1.00")], number=f"X-{index}"
        )
    assert (_queries(company, months), _queries(company, tools)) == small
    # valuation, minimums, on hand (its two grouped sums), purchases; and the category
    with django_assert_max_num_queries(5):
        panels = build(company, months)
    with django_assert_max_num_queries(6):
        build(company, tools)
    assert len(panel(panels, "stock_value").rows) == 5 and len(panel(panels, "under_minimum").rows) == 15
