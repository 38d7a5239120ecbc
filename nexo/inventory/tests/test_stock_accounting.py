"""Stock in the ledger. Perpetual: each receipt, delivery, return and count posts one entry in the stock journal
at its moves' valuation (FIFO and average costs worked out by hand below), and after every move the stock account
(300) equals the valuation report's total. Continental: nothing at the moves; the period-end variation brings 300
to the valuation, posts nothing the second time, and is refused on a locked date. The page and the API."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from nexo.accounting.models import AccountingSettings, Entry, EntryLine
from nexo.accounting.services.ledger import journal_of, lock_date_set
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.modules import document_url
from nexo.inventory import accounting, queries, services
from nexo.inventory.models import StockMove, Warehouse

JAN_10, JAN_11, JAN_20, JAN_21, JAN_31 = (date(2026, 1, day) for day in (10, 11, 20, 21, 31))
FEB_10, FEB_28 = date(2026, 2, 10), date(2026, 2, 28)


@pytest.fixture
def books(company):
    """The company's books (PGC chart, journals); code → account id."""
    journal_of(company, "GEN")
    return dict(company_accounts(company))


def company_accounts(company):
    from nexo.accounting.models import Account

    return Account.objects.filter(company=company).values_list("code", "pk")


@pytest.fixture
def perpetual(company, books):
    AccountingSettings.objects.filter(company=company).update(stock_method="perpetual")
    return books


@pytest.fixture
def accountant(make_user):
    return make_user("contable", "accounting")


@pytest.fixture
def fifo(make_item):
    return make_item("ST-FIFO", valuation_method="fifo")


@pytest.fixture
def average(make_item):
    return make_item("ST-AVG", valuation_method="average")


def move(company, user, stock, item, quantity, source, target, day, unit_cost=None, origin=None):
    return services.stock_move_create(
        company=company, by=user, item_id=item.pk, quantity=D(quantity), from_location_id=source,
        to_location_id=target, date=day, unit_cost=D(unit_cost) if unit_cost is not None else None,
        origin=origin, done=True,
    )  # fmt: skip


def lines_of(entry, books):
    """{account code: (debit, credit)} of an entry."""
    codes = {pk: code for code, pk in books.items()}
    return {
        codes[line.account_id]: (line.debit, line.credit)
        for line in EntryLine.objects.filter(entry=entry).order_by("position")
    }


def stock_entries(company):
    return list(Entry.objects.filter(company=company, journal__code="EXI").order_by("date", "sequence"))


def balance_300(company, books, day):
    return accounting.account_balance_at(company, books["300"], day)


def assert_invariant(company, books, day):
    """The stock account equals the valuation report's total at the end of `day`."""
    report_total = queries.valuation(company, day=day).total
    assert accounting.stock_value_at(company, day) == report_total
    assert balance_300(company, books, day) == report_total


# Perpetual


def test_perpetual_fifo_receipts_delivery_and_customer_return(
    company, warehouse_user, stock, warehouse, fifo, perpetual
):
    books, into = perpetual, warehouse.stock_location_id
    receipt = services.Origin("purchase_receipt", 41, "REC-2026-00041 (PC-2026-00007)")
    move(company, warehouse_user, stock, fifo, 10, stock.supplier_location_id, into, JAN_10, "5.00", receipt)
    (first,) = stock_entries(company)
    assert lines_of(first, books) == {"300": (D("50.00"), 0), "600": (0, D("50.00"))}
    assert (first.date, first.origin_model, first.origin_id, first.origin_number) == (
        JAN_10, "purchasing.receipt", 41, "REC-2026-00041 (PC-2026-00007)",
    )  # fmt: skip
    assert first.number == "EXI/2026/000001" and first.state == "posted"
    assert_invariant(company, books, JAN_10)

    move(company, warehouse_user, stock, fifo, 10, stock.supplier_location_id, into, JAN_11, "6.00")
    assert_invariant(company, books, JAN_11)

    # 15 out by FIFO: the 10 at 5.00 and 5 of the 6.00 layer: 50.00 + 30.00.
    delivery = services.Origin("delivery", 7, "AL-2026-00007 (PV-2026-00003)")
    out = move(
        company, warehouse_user, stock, fifo, 15, into, stock.customer_location_id, JAN_20, None, delivery
    )
    assert out.value == D("80.00")
    third = stock_entries(company)[-1]
    assert lines_of(third, books) == {"610": (D("80.00"), 0), "300": (0, D("80.00"))}
    assert (third.date, third.origin_model, third.origin_id) == (JAN_20, "sales.delivery", 7)
    assert_invariant(company, books, JAN_20)
    assert balance_300(company, books, JAN_20) == D("30.00")  # 5 left at 6.00

    # 3 come back at the 6.00 they left with: the mirror of the delivery.
    move(company, warehouse_user, stock, fifo, 3, stock.customer_location_id, into, JAN_21, "6.00", delivery)
    back = stock_entries(company)[-1]
    assert lines_of(back, books) == {"300": (D("18.00"), 0), "610": (0, D("18.00"))}
    assert_invariant(company, books, JAN_21)
    assert balance_300(company, books, JAN_21) == D("48.00")
    # Dates before each move still agree too.
    for day in (JAN_10, JAN_11, JAN_20):
        assert_invariant(company, books, day)


def test_perpetual_average_counts_returns_to_supplier_and_transfers(
    company, warehouse_user, stock, warehouse, average, perpetual
):
    books, into = perpetual, warehouse.stock_location_id
    move(company, warehouse_user, stock, average, 10, stock.supplier_location_id, into, JAN_10, "5.00")
    move(company, warehouse_user, stock, average, 10, stock.supplier_location_id, into, JAN_10, "6.00")
    # 20 held at 5.50; 4 delivered cost 22.00.
    move(company, warehouse_user, stock, average, 4, into, stock.customer_location_id, JAN_11)
    assert lines_of(stock_entries(company)[-1], books) == {"610": (D("22.00"), 0), "300": (0, D("22.00"))}
    assert_invariant(company, books, JAN_11)

    # Counted 15 of the 16 on hand: a loss of 1 at 5.50.
    (loss,) = services.stock_count_post(
        company=company, by=warehouse_user, location_id=into, counted={average.pk: D(15)}, date=JAN_20
    )
    entry = stock_entries(company)[-1]
    assert lines_of(entry, books) == {"610": (D("5.50"), 0), "300": (0, D("5.50"))}
    assert (entry.origin_model, entry.origin_id) == ("inventory.stockmove", loss.pk)
    assert entry.origin_number == loss.origin_label
    assert document_url(entry.origin_model, entry.origin_id) == reverse("inventory:move_view", args=[loss.pk])
    assert_invariant(company, books, JAN_20)

    # Counted 18: a gain of 3 at 5.50.
    services.stock_count_post(
        company=company, by=warehouse_user, location_id=into, counted={average.pk: D(18)}, date=JAN_20
    )
    assert lines_of(stock_entries(company)[-1], books) == {"300": (D("16.50"), 0), "610": (0, D("16.50"))}
    assert_invariant(company, books, JAN_20)

    # 2 back to the supplier at 5.50: the mirror of a receipt.
    move(company, warehouse_user, stock, average, 2, into, stock.supplier_location_id, JAN_21)
    assert lines_of(stock_entries(company)[-1], books) == {"600": (D("11.00"), 0), "300": (0, D("11.00"))}
    assert_invariant(company, books, JAN_21)

    # A transfer to another warehouse keeps the value: no entry.
    count = len(stock_entries(company))
    other = services.warehouse_create(company=company, by=warehouse_user, code="B2", name="Sucursal")
    other = Warehouse.objects.get(pk=other.pk)
    move(company, warehouse_user, stock, average, 5, into, other.stock_location_id, JAN_31)
    assert len(stock_entries(company)) == count
    assert_invariant(company, books, JAN_31)
    assert balance_300(company, books, JAN_31) == D("88.00")  # 16 at 5.50


def test_perpetual_backdated_receipt_revalues_the_delivery_after_it(
    company, warehouse_user, stock, warehouse, fifo, perpetual
):
    """A receipt dated before a delivery (same day as the last entry) changes what the delivery cost: the
    receipt's entry carries that change too, so 300 still equals the valuation."""
    books, into = perpetual, warehouse.stock_location_id
    services.inventory_settings_update(company=company, by=warehouse_user, allow_negative_stock=True)
    move(company, warehouse_user, stock, fifo, 5, stock.supplier_location_id, into, JAN_10, "4.00")
    move(company, warehouse_user, stock, fifo, 8, into, stock.customer_location_id, JAN_20)  # 3 beyond stock
    assert_invariant(company, books, JAN_20)
    move(company, warehouse_user, stock, fifo, 10, stock.supplier_location_id, into, JAN_20, "7.00")
    assert_invariant(company, books, JAN_20)


def test_perpetual_refused_by_a_lock_date_changes_nothing(
    company, warehouse_user, accountant, stock, warehouse, fifo, perpetual
):
    into = warehouse.stock_location_id
    move(company, warehouse_user, stock, fifo, 10, stock.supplier_location_id, into, JAN_10, "5.00")
    lock_date_set(company=company, by=accountant, lock_date=JAN_31)
    moves_before = StockMove.objects.count()
    with pytest.raises(ValidationFailed, match="locked up to 2026-01-31"):
        move(company, warehouse_user, stock, fifo, 4, into, stock.customer_location_id, JAN_20)
    assert StockMove.objects.count() == moves_before
    assert len(stock_entries(company)) == 1
    assert queries.valuation(company, day=FEB_28).total == D("50.00")
    # The stock journal's date order refuses a move dated before its last entry.
    lock_date_set(company=company, by=accountant, lock_date=None)
    move(company, warehouse_user, stock, fifo, 1, into, stock.customer_location_id, FEB_10)
    with pytest.raises(ValidationFailed, match="numbered in date order"):
        move(company, warehouse_user, stock, fifo, 1, into, stock.customer_location_id, JAN_20)
    assert StockMove.objects.count() == moves_before + 1


def test_perpetual_posting_costs_the_same_queries_whatever_the_lines(
    company, warehouse_user, stock, warehouse, make_item, perpetual, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    into = warehouse.stock_location_id
    items = [make_item(f"N-{index}", valuation_method="average") for index in range(6)]
    services.moves_create(company=company, by=warehouse_user, date=JAN_10, done=True, lines=[
        services.MoveLine(item.pk, D(10), stock.supplier_location_id, into, D("2.00")) for item in items
    ])  # fmt: skip
    counts = []
    for lines in (items[:1], items):
        with CaptureQueriesContext(connection) as captured:
            services.moves_create(company=company, by=warehouse_user, date=JAN_20, done=True, lines=[
                services.MoveLine(item.pk, D(1), into, stock.customer_location_id) for item in lines
            ])  # fmt: skip
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert lines_of(stock_entries(company)[-1], perpetual) == {"610": (D("12.00"), 0), "300": (0, D("12.00"))}


# Continental


def test_continental_posts_nothing_at_moves_and_reads_no_more(
    company, warehouse_user, stock, warehouse, fifo, books
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    into = warehouse.stock_location_id
    with CaptureQueriesContext(connection) as captured:
        move(company, warehouse_user, stock, fifo, 10, stock.supplier_location_id, into, JAN_10, "5.00")
    touching = [query["sql"] for query in captured if "accounting_" in query["sql"]]
    assert (
        len(touching) == 1 and "inventory_inventorysettings" in touching[0]
    )  # the method, with the settings
    move(company, warehouse_user, stock, fifo, 4, into, stock.customer_location_id, JAN_20)
    assert stock_entries(company) == []
    assert not Entry.objects.filter(company=company).exists()


def test_continental_variation_at_period_end(
    company, warehouse_user, accountant, stock, warehouse, fifo, books
):
    into = warehouse.stock_location_id
    move(company, warehouse_user, stock, fifo, 10, stock.supplier_location_id, into, JAN_10, "5.00")
    move(company, warehouse_user, stock, fifo, 10, stock.supplier_location_id, into, JAN_11, "6.00")
    move(company, warehouse_user, stock, fifo, 12, into, stock.customer_location_id, JAN_20)  # 50 + 12
    assert queries.valuation(company, day=JAN_31).total == D("48.00")

    entry = accounting.stock_variation_post(company=company, by=accountant, date=JAN_31)
    assert lines_of(entry, books) == {"300": (D("48.00"), 0), "610": (0, D("48.00"))}
    assert (entry.date, entry.state, entry.journal.code) == (JAN_31, "posted", "EXI")
    assert_invariant(company, books, JAN_31)

    with pytest.raises(Conflict, match="nothing to post"):
        accounting.stock_variation_post(company=company, by=accountant, date=JAN_31)
    assert Entry.objects.filter(company=company).count() == 1

    # February: 5 more out (6.00 each): the stock shrank by 30.00.
    move(company, warehouse_user, stock, fifo, 5, into, stock.customer_location_id, FEB_10)
    second = accounting.stock_variation_post(company=company, by=accountant, date=FEB_28)
    assert lines_of(second, books) == {"610": (D("30.00"), 0), "300": (0, D("30.00"))}
    assert_invariant(company, books, FEB_28)
    assert balance_300(company, books, FEB_28) == D("18.00")


def test_continental_variation_refused_on_a_locked_date(
    company, warehouse_user, accountant, stock, warehouse, fifo, books
):
    move(company, warehouse_user, stock, fifo, 10, stock.supplier_location_id, warehouse.stock_location_id,
         JAN_10, "5.00")  # fmt: skip
    lock_date_set(company=company, by=accountant, lock_date=JAN_31)
    with pytest.raises(ValidationFailed, match="locked up to 2026-01-31"):
        accounting.stock_variation_post(company=company, by=accountant, date=JAN_31)
    assert not Entry.objects.filter(company=company).exists()
    entry = accounting.stock_variation_post(company=company, by=accountant, date=FEB_28)
    assert entry.total == D("50.00")


# Page and API


@pytest.fixture
def accountant_client(accountant):
    client = Client()
    client.force_login(accountant)
    return client


def test_page_shows_both_figures_and_posts_the_variation(
    company, warehouse_user, accountant_client, stock, warehouse, fifo, books, django_assert_max_num_queries
):
    move(company, warehouse_user, stock, fifo, 10, stock.supplier_location_id, warehouse.stock_location_id,
         JAN_10, "5.00")  # fmt: skip
    url = reverse("inventory:stock_accounting")
    with django_assert_max_num_queries(20):
        page = accountant_client.get(url, {"date": "2026-01-31"})
    assert page.status_code == 200
    text = page.content.decode()
    assert re.search(r'id="stock-valuation">50,00\W*€', text)  # Spanish by default
    assert re.search(r'id="stock-ledger">0,00\W*€', text)
    assert 'id="variation-form"' in text
    answer = accountant_client.post(url, {"date": "2026-01-31"})
    assert answer.status_code == 302
    assert balance_300(company, books, JAN_31) == D("50.00")
    page = accountant_client.get(answer["Location"])
    assert 'id="variation-none"' in page.content.decode()
    again = accountant_client.post(url, {"date": "2026-01-31"})
    assert again.status_code == 409 and "no hay nada que contabilizar" in again.content.decode()
    assert accountant_client.post(url, {"date": "not a date"}).status_code == 422


def test_page_needs_the_permission_to_post_entries(warehouse_user, books):
    client = Client()
    client.force_login(warehouse_user)
    assert client.get(reverse("inventory:stock_accounting")).status_code == 403


def test_page_in_spanish(company, make_user, books):
    client = Client()
    client.force_login(make_user("contable_es", "accounting", language="es"))
    text = client.get(reverse("inventory:stock_accounting")).content.decode()
    assert "Existencias en contabilidad" in text and "Valor del inventario" in text


def test_api_reads_and_posts_the_variation(
    company, warehouse_user, accountant, api_as, stock, warehouse, fifo, books
):
    move(company, warehouse_user, stock, fifo, 10, stock.supplier_location_id, warehouse.stock_location_id,
         JAN_10, "5.00")  # fmt: skip
    api = api_as(accountant)
    read = api.get("/inventory/stock-accounting", date="2026-01-31")
    assert read.status_code == 200, read.content
    assert read.json() | {"stock_method": "continental"} == {
        "date": "2026-01-31", "stock_method": "continental", "account_code": "300", "valuation": "50.00",
        "ledger_balance": "0.00", "difference": "50.00",
    }  # fmt: skip
    posted = api.post(
        "/inventory/stock-variation", {"date": "2026-01-31"}, headers={"Idempotency-Key": "v-1"}
    )
    assert posted.status_code == 201, posted.content
    assert posted.json()["amount"] == "50.00" and posted.json()["increase"] is True
    again = api.post("/inventory/stock-variation", {"date": "2026-01-31"}, headers={"Idempotency-Key": "v-2"})
    assert again.status_code == 409
    assert api.get("/inventory/stock-accounting", date="2026-01-31").json()["difference"] == "0.00"
    lock_date_set(company=company, by=accountant, lock_date=FEB_28)
    locked = api.post(
        "/inventory/stock-variation", {"date": "2026-02-28"}, headers={"Idempotency-Key": "v-3"}
    )
    assert locked.status_code == 422
    bad = api.post("/inventory/stock-variation", {"date": "soon"}, headers={"Idempotency-Key": "v-4"})
    assert bad.status_code == 422
    assert (
        api_as(warehouse_user)
        .post("/inventory/stock-variation", {"date": "2026-01-31"}, headers={"Idempotency-Key": "v-5"})
        .status_code
        == 403
    )
