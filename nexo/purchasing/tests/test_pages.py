"""The purchasing pages: orders (list, form with lines, order page, receive), suggestions, supplier prices,
exchange rates, an item's buying settings and the panels on the item and party pages."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nexo.catalog import services as catalog_services
from nexo.catalog.models import TaxCategory, Unit
from nexo.core.modules import document_url
from nexo.inventory import services as inventory_services
from nexo.inventory.models import StockBalance
from nexo.parties.services import party_create
from nexo.purchasing import services
from nexo.purchasing.models import ExchangeRate, ItemPurchasing, PurchaseOrder, Receipt, SupplierPrice

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DAY = date(2026, 3, 2)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def buyer(make_user):
    return make_user("compras", "purchasing")


@pytest.fixture
def buyer_client(buyer):
    return client_of(buyer)


@pytest.fixture
def manager_client(manager_user):
    return client_of(manager_user)


@pytest.fixture
def warehouse_client(warehouse_user):
    return client_of(warehouse_user)


@pytest.fixture
def cable(make_item, stock):
    return make_item("CAB-1", name="Cable RV-K 3G2,5", valuation_method="fifo")


@pytest.fixture
def tube(make_item, stock):
    return make_item("TUB-1", name="Tubo corrugado 20 mm")


@pytest.fixture
def make_order(company, buyer, supplier, stock):
    def make(lines, confirm=True, **fields):
        fields.setdefault("date", DAY)
        draft = services.purchase_order_create(
            company=company,
            by=buyer,
            supplier_id=fields.pop("supplier_id", supplier.pk),
            lines=lines,
            **fields,
        )
        if confirm:
            return services.purchase_order_confirm(company=company, by=buyer, order_id=draft.pk)
        return draft

    return make


@pytest.fixture
def ten_cables(make_order, cable):
    return make_order([{"item_id": cable.pk, "quantity": "10", "unit_price": "5.00"}])


def order_form(supplier, *lines, **fields) -> dict:
    data = {"supplier": supplier.pk, "warehouse": "", "date": "2026-03-02", "expected_date": "", "currency": "",
            "notes": "", "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0"}  # fmt: skip
    for index, line in enumerate(lines):
        for name in ("item", "quantity", "unit_price", "description"):
            data[f"lines-{index}-{name}"] = line.get(name, "")
    return data | fields


# The order list


def test_the_order_list_filters_by_state_supplier_dates_and_number(
    buyer_client, company, buyer, make_order, cable, supplier
):
    other = party_create(company=company, by=buyer, name="Distribuciones Sur", is_supplier=True)
    first = make_order([{"item_id": cable.pk, "quantity": "1", "unit_price": "2"}])
    make_order(
        [{"item_id": cable.pk, "quantity": "1", "unit_price": "2"}], confirm=False, date=date(2026, 4, 1)
    )
    make_order([{"item_id": cable.pk, "quantity": "3", "unit_price": "2"}], supplier_id=other.pk)
    url = reverse("purchasing:order_list")

    def listed(**params):
        response = buyer_client.get(url, params, **EN)
        assert response.status_code == 200
        return [order.pk for order in response.context["listing"].rows]

    assert len(listed()) == 3
    assert listed(state="draft") != [] and all(
        PurchaseOrder.objects.get(pk=pk).state == "draft" for pk in listed(state="draft")
    )
    assert listed(supplier=other.pk) == [PurchaseOrder.objects.get(supplier=other).pk]
    assert len(listed(date_from="2026-04-01")) == 1 and len(listed(date_to="2026-03-31")) == 2
    assert listed(date_from="not a date") == listed()  # ignored, not a 500
    assert listed(q=first.number) == [first.pk]
    assert listed(q="sur") == [PurchaseOrder.objects.get(supplier=other).pk]
    page = buyer_client.get(url, **EN).content.decode()
    assert first.number in page and "€6.00" in page  # 3 x 2.00 for the other supplier's order


def test_the_order_list_costs_the_same_queries_for_3_or_40_orders(
    buyer_client, make_order, cable, tube, django_assert_max_num_queries
):
    lines = [
        {"item_id": cable.pk, "quantity": "2", "unit_price": "1.5"},
        {"item_id": tube.pk, "quantity": "1", "unit_price": "3"},
    ]
    for _ in range(3):
        make_order(lines)
    url = reverse("purchasing:order_list")
    buyer_client.get(url)
    with django_assert_max_num_queries(12) as few:
        assert buyer_client.get(url).status_code == 200
    for _ in range(37):
        make_order(lines)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = buyer_client.get(url)
    assert len(response.context["listing"].rows) == 40
    assert all(order.total == Decimal("6.00") for order in response.context["listing"].rows)


# The order form


def test_create_an_order_with_lines_whose_blank_price_is_the_suppliers(
    buyer_client, supplier, cable, tube, make_supplier_price
):
    make_supplier_price(cable, "0.90")
    make_supplier_price(cable, "0.80", min_quantity=Decimal(100))
    data = order_form(
        supplier,
        {"item": "cab-1", "quantity": "150"},  # the SKU in any case; 150 reaches the 100 break
        {"item": "TUB-1", "quantity": "4", "unit_price": "2.5", "description": "Tubo gris"},
        {},  # a blank row is left out
        expected_date="2026-03-20", notes="Entregar por la mañana",
    )  # fmt: skip
    response = buyer_client.post(reverse("purchasing:order_create"), data)
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "purchasing:order_view", args=[order.pk]
    )
    lines = list(order.lines.order_by("position"))
    assert [(line.item, line.quantity, line.unit_price) for line in lines] == [
        (cable, Decimal(150), Decimal("0.8")),
        (tube, Decimal(4), Decimal("2.5")),
    ]
    assert lines[0].description == cable.name and lines[1].description == "Tubo gris"
    assert (order.state, order.currency, order.expected_date) == ("draft", "EUR", date(2026, 3, 20))
    assert order.warehouse_id is not None and order.notes == "Entregar por la mañana"


def test_bad_lines_are_errors_on_their_rows_and_keep_what_was_typed(buyer_client, supplier, cable, tube):
    data = order_form(
        supplier,
        {"item": "TUB-1", "quantity": "3", "unit_price": "2"},
        {"item": "NOPE-9", "quantity": "2", "unit_price": "1"},
    )
    response = buyer_client.post(reverse("purchasing:order_create"), data, **EN)
    assert response.status_code == 422
    rows = response.context["lines"].forms
    assert not rows[0].errors and "Unknown item" in rows[1].errors["item"][0]
    html = response.content.decode()
    assert 'value="NOPE-9"' in html and 'value="TUB-1"' in html
    # A blank price without a supplier price for it is an error on that row's price.
    data = order_form(supplier, {"item": "CAB-1", "quantity": "5"})
    response = buyer_client.post(reverse("purchasing:order_create"), data, **EN)
    assert response.status_code == 422
    assert "no price in EUR for CAB-1" in response.context["lines"].forms[0].errors["unit_price"][0]
    # A row with an item and no quantity, a negative price, no supplier at all.
    data = order_form(supplier, {"item": "CAB-1", "unit_price": "-1"}) | {"supplier": ""}
    response = buyer_client.post(reverse("purchasing:order_create"), data, **EN)
    assert response.status_code == 422 and response.context["form"].errors["supplier"]
    assert response.context["lines"].forms[0].errors["unit_price"]
    # No line at all.
    response = buyer_client.post(reverse("purchasing:order_create"), order_form(supplier, {}), **EN)
    assert response.status_code == 422 and "at least one line" in response.content.decode()
    assert not PurchaseOrder.objects.exists()


def test_more_lines_keeps_what_was_typed_without_errors(buyer_client, supplier, cable):
    data = order_form(supplier, {"item": "CAB-1", "quantity": "7"}) | {"add_lines": "1", "notes": "urgente"}
    response = buyer_client.post(reverse("purchasing:order_create"), data, **EN)
    assert response.status_code == 200 and not PurchaseOrder.objects.exists()
    assert len(response.context["lines"].forms) == 4
    html = response.content.decode()
    assert 'value="CAB-1"' in html and 'value="7"' in html and "urgente" in html
    assert 'role="alert"' not in html


def test_the_new_order_form_starts_from_an_item_or_a_supplier(
    buyer_client, supplier, cable, make_supplier_price
):
    make_supplier_price(cable, "1.00")
    response = buyer_client.get(
        reverse("purchasing:order_create"), {"item": cable.pk, "supplier": supplier.pk}
    )
    assert response.status_code == 200
    assert response.context["form"]["supplier"].value() == supplier.pk
    assert response.context["lines"].forms[0].initial == {"item": "CAB-1"}
    assert [item.sku for item in response.context["item_options"]] == ["CAB-1"]
    options = buyer_client.get(
        reverse("purchasing:item_options"), {"lines-0-item": "cab", "supplier": supplier.pk}
    )
    assert '<option value="CAB-1">' in options.content.decode()
    assert (
        buyer_client.get(reverse("purchasing:item_options"), {"lines-0-item": "zzz"}).content.strip() == b""
    )


def test_edit_a_draft_and_only_a_draft(buyer_client, make_order, supplier, cable, tube, make_supplier_price):
    make_supplier_price(cable, "1.00")
    make_supplier_price(cable, "0.70", min_quantity=Decimal(50))
    draft = make_order([{"item_id": cable.pk, "quantity": "10"}], confirm=False)
    url = reverse("purchasing:order_edit", args=[draft.pk])
    shown = buyer_client.get(url).context["lines"].forms[0].initial
    assert shown["item"] == "CAB-1" and shown["quantity"] == Decimal(10) and shown["unit_price"] == ""
    data = order_form(
        supplier, {"item": "CAB-1", "quantity": "60"}, {"item": "TUB-1", "quantity": "1", "unit_price": "9"}
    )
    assert buyer_client.post(url, data).status_code == 302
    lines = list(draft.lines.order_by("position"))
    assert [(line.quantity, line.unit_price) for line in lines] == [(60, Decimal("0.7")), (1, 9)]  # re-priced
    services.purchase_order_confirm(company=draft.company, by=draft.created_by, order_id=draft.pk)
    response = buyer_client.get(url, follow=True, **EN)
    assert "Only a draft" in response.content.decode()
    response = buyer_client.post(url, data, follow=True, **EN)
    assert "Only a draft" in response.content.decode() and draft.lines.count() == 2


# The order page


def test_the_order_page_shows_lines_totals_in_both_currencies_and_receipts(
    buyer_client, company, buyer, supplier, cable, tube, stock, warehouse_user
):
    services.exchange_rate_set(company=company, by=buyer, currency="USD", day=date(2026, 1, 1), rate="0.9")
    order = services.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk, date=DAY, currency="USD",
        lines=[{"item_id": cable.pk, "quantity": "10", "unit_price": "5.00"},
               {"item_id": tube.pk, "quantity": "3", "unit_price": "1.333"}],
    )  # fmt: skip
    url = reverse("purchasing:order_view", args=[order.pk])
    response = buyer_client.get(url, **EN)
    assert response.status_code == 200
    assert (response.context["total"], response.context["total_company"]) == (
        Decimal("54.00"),
        Decimal("48.60"),
    )
    html = response.content.decode()
    assert "US$54.00" in html and "€48.60" in html and "Confirm the order" in html
    services.purchase_order_confirm(company=company, by=buyer, order_id=order.pk)
    line = order.lines.get(item=cable)
    services.purchase_order_receive(
        company=company, by=warehouse_user, order_id=order.pk, quantities={line.pk: "4"}, date=DAY
    )
    response = buyer_client.get(url, **EN)
    html = response.content.decode()
    assert "Partially received" in html and "REC-2026-00001" in html
    assert response.context["receipts"][0].lines.get().unit_cost == Decimal("4.5")  # 5.00 USD x 0.9
    assert reverse("inventory:move_view", args=[response.context["receipts"][0].lines.get().move_id]) in html
    # A journal entry names the receipt as its document; its address opens the order it belongs to.
    receipt = response.context["receipts"][0]
    assert document_url("purchasing.receipt", receipt.pk) == f"/purchasing/receipts/{receipt.pk}/"
    opened = buyer_client.get(document_url("purchasing.receipt", receipt.pk))
    assert (opened.status_code, opened["Location"]) == (302, url)
    assert buyer_client.get(f"/purchasing/receipts/{receipt.pk + 1000}/").status_code == 404


def test_the_order_page_costs_the_same_queries_for_few_or_many_lines_and_receipts(
    buyer_client, company, make_order, make_item, warehouse_user, django_assert_max_num_queries
):
    def order_with(count):
        items = [make_item(f"Q{count}-{n}") for n in range(count)]
        order = make_order([{"item_id": item.pk, "quantity": "5", "unit_price": "1"} for item in items])
        for line in order.lines.all():
            services.purchase_order_receive(
                company=company, by=warehouse_user, order_id=order.pk, quantities={line.pk: "2"}, date=DAY
            )
        return reverse("purchasing:order_view", args=[order.pk])

    small, large = order_with(2), order_with(12)
    buyer_client.get(small)
    with django_assert_max_num_queries(15) as few:
        assert buyer_client.get(small).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = buyer_client.get(large)
    assert len(response.context["lines"]) == 12 and len(response.context["receipts"]) == 12


def test_confirm_and_cancel_and_their_refusals(buyer_client, make_order, cable):
    draft = make_order([{"item_id": cable.pk, "quantity": "2", "unit_price": "1"}], confirm=False)
    confirm = reverse("purchasing:order_confirm", args=[draft.pk])
    assert buyer_client.get(confirm).status_code == 405
    response = buyer_client.post(confirm, follow=True, **EN)
    draft.refresh_from_db()
    assert draft.state == "confirmed" and "Purchase order confirmed." in response.content.decode()
    again = buyer_client.post(confirm, follow=True, **EN)
    assert "The purchase order is confirmed: it cannot be confirmed." in again.content.decode()
    buyer_client.post(reverse("purchasing:order_cancel", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == "cancelled"


def test_confirming_without_an_exchange_rate_is_a_clear_message(buyer_client, make_order, cable):
    draft = make_order(
        [{"item_id": cable.pk, "quantity": "2", "unit_price": "1"}], confirm=False, currency="GBP"
    )
    response = buyer_client.post(reverse("purchasing:order_confirm", args=[draft.pk]), follow=True, **EN)
    assert "no exchange rate for GBP" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft"


# Receiving


def test_receive_part_of_an_order_leaves_a_backorder(warehouse_client, ten_cables, cable, warehouse):
    url = reverse("purchasing:order_receive", args=[ten_cables.pk])
    response = warehouse_client.get(url, **EN)
    line = ten_cables.lines.get()
    assert response.status_code == 200 and response.context["form"][f"line_{line.pk}"].value() == Decimal(10)
    response = warehouse_client.post(
        url, {f"line_{line.pk}": "6", "date": "2026-03-05", "warehouse": warehouse.pk, "note": "albarán 77"},
        follow=True, **EN,
    )  # fmt: skip
    html = response.content.decode()
    assert "Receipt REC-2026-00001 posted. 4 still pending" in html
    ten_cables.refresh_from_db()
    line.refresh_from_db()
    assert ten_cables.state == "partially_received" and line.pending_quantity == 4
    assert Receipt.objects.get().note == "albarán 77"
    balance = StockBalance.objects.get(item=cable, warehouse=warehouse)
    assert (balance.quantity, balance.value) == (6, Decimal("30.00"))
    # The next receipt offers only what is pending.
    assert warehouse_client.get(url).context["form"][f"line_{line.pk}"].value() == 4


def test_an_over_receipt_asks_for_confirmation_and_keeps_what_was_typed(
    warehouse_client, ten_cables, warehouse
):
    url = reverse("purchasing:order_receive", args=[ten_cables.pk])
    line = ten_cables.lines.get()
    data = {f"line_{line.pk}": "12", "date": "2026-03-05", "warehouse": warehouse.pk}
    response = warehouse_client.post(url, data, **EN)
    assert response.status_code == 422 and response.context["show_over_receipt"]
    assert "confirm the over-receipt" in response.context["form"].errors[f"line_{line.pk}"][0]
    html = response.content.decode()
    assert 'value="12"' in html and 'name="allow_over_receipt"' in html
    assert not Receipt.objects.exists()
    response = warehouse_client.post(url, data | {"allow_over_receipt": "on"})
    assert response.status_code == 302
    ten_cables.refresh_from_db()
    assert ten_cables.state == "received" and ten_cables.lines.get().received_quantity == 12


def test_bad_receipts_are_field_errors(warehouse_client, ten_cables, warehouse):
    url = reverse("purchasing:order_receive", args=[ten_cables.pk])
    line = ten_cables.lines.get()
    base = {"date": "2026-03-05", "warehouse": warehouse.pk}
    response = warehouse_client.post(url, base | {f"line_{line.pk}": "0"}, **EN)
    assert response.status_code == 422 and "at least one line" in response.content.decode()
    response = warehouse_client.post(url, base | {f"line_{line.pk}": "-2"}, **EN)
    assert response.status_code == 422 and response.context["form"].errors[f"line_{line.pk}"]
    response = warehouse_client.post(url, base | {f"line_{line.pk}": "999999999999"}, **EN)
    assert response.status_code == 422 and response.context["form"].errors[f"line_{line.pk}"]
    response = warehouse_client.post(url, {f"line_{line.pk}": "2", "date": "", "warehouse": "999999"}, **EN)
    assert response.status_code == 422 and {"date", "warehouse"} <= set(response.context["form"].errors)
    assert not Receipt.objects.exists()


def test_nothing_is_received_on_a_draft_or_cancelled_order(warehouse_client, buyer, make_order, cable):
    draft = make_order([{"item_id": cable.pk, "quantity": "2", "unit_price": "1"}], confirm=False)
    response = warehouse_client.get(reverse("purchasing:order_receive", args=[draft.pk]), follow=True, **EN)
    assert "The purchase order is draft: nothing can be received." in response.content.decode()
    line = draft.lines.get()
    services.purchase_order_confirm(company=draft.company, by=buyer, order_id=draft.pk)
    services.purchase_order_cancel(company=draft.company, by=buyer, order_id=draft.pk)
    response = warehouse_client.post(
        reverse("purchasing:order_receive", args=[draft.pk]),
        {f"line_{line.pk}": "2", "date": "2026-03-05", "warehouse": draft.warehouse_id}, follow=True, **EN,
    )  # fmt: skip
    assert "cancelled: nothing can be received" in response.content.decode()
    assert not Receipt.objects.exists()


# Who may do what


def test_roles(sales_client, buyer_client, warehouse_client, make_user, ten_cables, cable):
    accounting = client_of(make_user("contable", "accounting"))
    order_page = reverse("purchasing:order_view", args=[ten_cables.pk])
    receive = reverse("purchasing:order_receive", args=[ten_cables.pk])
    assert sales_client.get(reverse("purchasing:order_list")).status_code == 403
    assert sales_client.get(order_page).status_code == 403
    assert sales_client.get(reverse("purchasing:supplier_price_list")).status_code == 200
    assert sales_client.get(reverse("purchasing:supplier_price_create")).status_code == 403
    assert sales_client.get(reverse("purchasing:exchange_rate_list")).status_code == 403
    assert buyer_client.get(receive).status_code == 403  # the warehouse receives
    assert warehouse_client.get(receive).status_code == 200
    assert warehouse_client.get(reverse("purchasing:order_create")).status_code == 403
    assert warehouse_client.post(reverse("purchasing:order_cancel", args=[ten_cables.pk])).status_code == 403
    assert accounting.get(order_page).status_code == 200
    assert (
        accounting.post(
            reverse("purchasing:exchange_rate_list"), {"currency": "USD", "day": "2026-01-01", "rate": "0.9"}
        ).status_code
        == 302
    )
    assert (
        warehouse_client.post(
            reverse("purchasing:exchange_rate_list"), {"currency": "USD", "day": "2026-01-02", "rate": "0.9"}
        ).status_code
        == 403
    )
    ten_cables.refresh_from_db()
    assert ten_cables.state == "confirmed"
    assert "Purchasing" in buyer_client.get("/", **EN).content.decode()
    assert 'href="/purchasing/"' not in sales_client.get("/", **EN).content.decode()


def test_another_companys_records_are_404(manager_client, manager_user, other_company, company, ten_cables):
    elsewhere_supplier = party_create(company=other_company, by=manager_user, name="Ajeno", is_supplier=True)
    catalog_services.catalog_setup(company=other_company)
    inventory_services.inventory_setup(company=other_company)
    item = catalog_services.item_create(
        company=other_company, by=manager_user, sku="OTRA", name="Otra", base_price=Decimal(1),
        unit_id=Unit.objects.get(company=other_company, code="ud").pk,
        sale_tax_id=TaxCategory.objects.get(company=other_company, code="general").pk,
        purchase_tax_id=TaxCategory.objects.get(company=other_company, code="general").pk,
    )  # fmt: skip
    theirs = services.purchase_order_create(
        company=other_company, by=manager_user, supplier_id=elsewhere_supplier.pk,
        lines=[{"item_id": item.pk, "quantity": "1", "unit_price": "1"}],
    )  # fmt: skip
    price = services.supplier_price_create(
        company=other_company,
        by=manager_user,
        item_id=item.pk,
        supplier_id=elsewhere_supplier.pk,
        unit_price="1",
    )
    for name, args in [
        ("purchasing:order_view", [theirs.pk]), ("purchasing:order_edit", [theirs.pk]),
        ("purchasing:order_receive", [theirs.pk]), ("purchasing:supplier_price_edit", [price.pk]),
        ("purchasing:item_purchasing_edit", [item.pk]),
    ]:  # fmt: skip
        assert manager_client.get(reverse(name, args=args)).status_code == 404, name
    assert manager_client.post(reverse("purchasing:order_confirm", args=[theirs.pk])).status_code == 404
    assert (
        manager_client.post(reverse("purchasing:supplier_price_delete", args=[price.pk])).status_code == 404
    )
    assert SupplierPrice.objects.filter(pk=price.pk).exists()


# Suggestions


def test_suggestions_list_items_under_minimum_and_create_draft_orders(
    buyer_client, company, buyer, supplier, cable, tube, make_item, make_supplier_price, receive
):
    make_supplier_price(cable, "1.10")
    make_supplier_price(tube, "0.50")
    lonely = make_item("SIN-1")
    receive(cable, Decimal(3), "1.00")
    for item, minimum in ((cable, "10"), (tube, "5"), (lonely, "2")):
        services.item_purchasing_set(
            company=company, by=buyer, item_id=item.pk, minimum_stock=minimum, reorder_quantity="0"
        )
    url = reverse("purchasing:suggestions")
    response = buyer_client.get(url, **EN)
    rows = {row["item"].sku: row for row in response.context["rows"]}
    assert set(rows) == {"CAB-1", "TUB-1", "SIN-1"}
    assert (rows["CAB-1"]["on_hand"], rows["CAB-1"]["suggested"]) == (3, 7)
    assert "No supplier: add a supplier price." in response.content.decode()
    refused = buyer_client.post(url, {"item": [cable.pk, lonely.pk]}, **EN)
    assert refused.status_code == 422 and "SIN-1 has no supplier" in refused.content.decode()
    assert not PurchaseOrder.objects.exists()
    assert buyer_client.post(url, {"item": ["x"]}, **EN).status_code == 422  # nothing chosen
    response = buyer_client.post(url, {"item": [cable.pk, tube.pk]})
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "purchasing:order_view", args=[order.pk]
    )
    assert sorted((line.item.sku, line.quantity) for line in order.lines.all()) == [
        ("CAB-1", 7),
        ("TUB-1", 5),
    ]
    # On order now: they are suggested no more.
    services.purchase_order_confirm(company=company, by=buyer, order_id=order.pk)
    assert [row["item"].sku for row in buyer_client.get(url).context["rows"]] == ["SIN-1"]


def test_the_warehouse_sees_suggestions_but_does_not_order(
    warehouse_client, company, buyer, cable, make_supplier_price
):
    make_supplier_price(cable, "1.10")
    services.item_purchasing_set(company=company, by=buyer, item_id=cable.pk, minimum_stock="4")
    url = reverse("purchasing:suggestions")
    assert warehouse_client.get(url).status_code == 200
    assert warehouse_client.post(url, {"item": [cable.pk]}).status_code == 403
    assert not PurchaseOrder.objects.exists()


# Supplier prices


def test_supplier_prices_list_searches_and_filters_by_item_and_supplier(
    sales_client, company, buyer, supplier, cable, tube, make_supplier_price, django_assert_max_num_queries
):
    other = party_create(company=company, by=buyer, name="Distribuciones Sur", is_supplier=True)
    make_supplier_price(cable, "0.815", supplier_code="RV-25")
    make_supplier_price(cable, "0.79", supplier_id=other.pk)
    make_supplier_price(tube, "1.20", valid_to=date(2020, 1, 1))
    url = reverse("purchasing:supplier_price_list")

    def listed(**params):
        response = sales_client.get(url, params, **EN)
        assert response.status_code == 200
        return sorted((price.item.sku, price.supplier.name) for price in response.context["listing"].rows)

    assert len(listed()) == 3
    assert listed(q="rv-25") == [("CAB-1", supplier.name)]
    assert listed(q="sur") == [("CAB-1", "Distribuciones Sur")]
    assert listed(item=cable.pk) == [("CAB-1", "Distribuciones Sur"), ("CAB-1", supplier.name)]
    assert listed(supplier=other.pk) == [("CAB-1", "Distribuciones Sur")]
    assert listed(valid="no") == [("TUB-1", supplier.name)]
    assert listed(item="nonsense") == listed()
    html = sales_client.get(url, {"item": cable.pk}, **EN).content.decode()
    assert "0.815 EUR" in html and 'id="item-filter"' in html
    for n in range(30):
        make_supplier_price(tube, f"{n + 1}.00", min_quantity=Decimal(n + 1))
    with django_assert_max_num_queries(12):
        assert sales_client.get(url).status_code == 200


def test_add_edit_and_delete_a_supplier_price(buyer_client, supplier, cable):
    url = reverse("purchasing:supplier_price_create")
    data = {"item": cable.pk, "supplier": supplier.pk, "supplier_code": "X1", "unit_price": "0.815", "currency": "eur",
            "min_quantity": "1", "lead_time_days": "3", "valid_from": "", "valid_to": "", "is_active": "on"}  # fmt: skip
    item_page = reverse("catalog:item_view", args=[cable.pk])
    response = buyer_client.post(url, data | {"next": item_page})
    assert response.status_code == 302 and response["Location"] == item_page
    price = SupplierPrice.objects.get()
    assert (price.unit_price, price.currency, price.lead_time_days) == (Decimal("0.815"), "EUR", 3)
    edit = reverse("purchasing:supplier_price_edit", args=[price.pk])
    assert buyer_client.post(edit, data | {"unit_price": "0.80"}).status_code == 302
    price.refresh_from_db()
    assert price.unit_price == Decimal("0.8")
    assert buyer_client.post(
        reverse("purchasing:supplier_price_delete", args=[price.pk]), {"next": "https://evil.example/"}
    ).url == reverse("purchasing:supplier_price_list")
    assert not SupplierPrice.objects.exists()


def test_bad_supplier_prices_are_field_errors_that_keep_the_input(
    buyer_client, company, buyer, supplier, cable
):
    customer = party_create(company=company, by=buyer, name="Cliente Final")
    url = reverse("purchasing:supplier_price_create")
    base = {"item": cable.pk, "supplier": supplier.pk, "unit_price": "2.5", "currency": "EUR", "min_quantity": "1",
            "lead_time_days": "0", "supplier_code": "KEEP-ME"}  # fmt: skip
    cases = [
        ({"valid_from": "2026-05-01", "valid_to": "2026-04-01"}, "valid_to", "before its start"),
        ({"currency": "USD"}, "currency", "no exchange rate for USD"),
        ({"currency": "E1"}, "currency", "three-letter"),
        ({"min_quantity": "0"}, "min_quantity", "greater than zero"),
        ({"unit_price": "-1"}, "unit_price", ""),
        ({"supplier": customer.pk}, "supplier", ""),
    ]
    for change, field, message in cases:
        response = buyer_client.post(url, base | change, **EN)
        assert response.status_code == 422, change
        assert message in " ".join(response.context["form"].errors[field]), change
        assert 'value="KEEP-ME"' in response.content.decode()
    assert not SupplierPrice.objects.exists()


# Exchange rates


def test_exchange_rates_are_added_and_listed(buyer_client, company):
    url = reverse("purchasing:exchange_rate_list")
    response = buyer_client.post(
        url, {"currency": "usd", "day": "2026-01-01", "rate": "0.92"}, follow=True, **EN
    )
    assert "1 USD = 0.92 EUR from 1 January 2026." in response.content.decode()
    buyer_client.post(url, {"currency": "GBP", "day": "2026-01-01", "rate": "1.17"})
    assert [rate.currency for rate in buyer_client.get(url, {"currency": "GBP"}).context["listing"].rows] == [
        "GBP"
    ]
    bad = buyer_client.post(url, {"currency": "EUR", "day": "2026-01-01", "rate": "2"}, **EN)
    assert bad.status_code == 422 and "own currency" in bad.context["form"].errors["currency"][0]
    bad = buyer_client.post(url, {"currency": "CHF", "day": "2026-01-01", "rate": "-1"}, **EN)
    assert (
        bad.status_code == 422
        and bad.context["form"].errors["rate"]
        and 'value="CHF"' in bad.content.decode()
    )
    assert ExchangeRate.objects.count() == 2


# An item's buying settings and the panels


def test_item_buying_settings_and_the_item_panel(
    buyer_client,
    sales_client,
    company,
    buyer,
    supplier,
    cable,
    make_supplier_price,
    ten_cables,
    warehouse_user,
):
    make_supplier_price(cable, "0.95", supplier_code="RV-25")
    url = reverse("purchasing:item_purchasing_edit", args=[cable.pk])
    bad = buyer_client.post(
        url, {"preferred_supplier": supplier.pk, "minimum_stock": "-1", "reorder_quantity": "50"}, **EN
    )
    assert bad.status_code == 422 and bad.context["form"].errors["minimum_stock"]
    assert 'value="50"' in bad.content.decode()
    response = buyer_client.post(
        url, {"preferred_supplier": supplier.pk, "minimum_stock": "20", "reorder_quantity": "50"}
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalog:item_view", args=[cable.pk]
    )
    settings = ItemPurchasing.objects.get(item=cable)
    assert (settings.preferred_supplier, settings.minimum_stock, settings.reorder_quantity) == (
        supplier,
        20,
        50,
    )
    line = ten_cables.lines.get()
    services.purchase_order_receive(
        company=company, by=warehouse_user, order_id=ten_cables.pk, quantities={line.pk: "6"}, date=DAY
    )
    page = buyer_client.get(reverse("catalog:item_view", args=[cable.pk]), **EN)
    html = page.content.decode()
    assert 'id="item-buying"' in html and "RV-25" in html and "best price" in html
    panel = next(
        panel for panel in page.context["panels"] if panel["template"] == "purchasing/_item_panel.html"
    )
    assert panel["on_order"] == 4
    assert "REC-2026-00001" in html and "5.00 EUR" in html  # the last purchase and its cost
    assert sales_client.get(url).status_code == 403
    sales_page = sales_client.get(reverse("catalog:item_view", args=[cable.pk]), **EN).content.decode()
    assert "RV-25" in sales_page and 'id="item-buying-facts"' not in sales_page


def test_the_supplier_page_shows_its_open_orders(
    buyer_client, sales_client, supplier, ten_cables, make_order, cable
):
    make_order([{"item_id": cable.pk, "quantity": "1", "unit_price": "3"}], confirm=False)
    html = buyer_client.get(reverse("parties:party_view", args=[supplier.pk]), **EN).content.decode()
    assert 'id="party-purchases"' in html and ten_cables.number in html and "Draft purchase order" in html
    assert "€50.00" in html
    assert (
        'id="party-purchases"'
        not in sales_client.get(reverse("parties:party_view", args=[supplier.pk])).content.decode()
    )
