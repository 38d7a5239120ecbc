"""Delivery note pages: the draft delivery validated in one step (quantities prefilled with what is on hand,
the rest kept on a backorder or cancelled), returns, the picking list, the PDF (valued or not), the list, and
the sales order as the record of its fulfilment."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from nexo.conftest import ApiClient
from nexo.inventory import services as inventory_services
from nexo.inventory.models import StockMove
from nexo.parties.models import Address
from nexo.parties.services import party_create
from nexo.sales import documents, services
from nexo.sales.models import Delivery, SalesOrder, SalesOrderLine, SalesSettings


def _client_for(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def boss(make_user, company, other_company):
    return make_user("jefa", "manager", companies=[company, other_company])


@pytest.fixture
def warehouse_client(warehouse_user):
    return _client_for(warehouse_user)


@pytest.fixture
def goods(make_item, receive):
    """A FIFO item with 10 on hand at 5.00 (sold at 9.00) and an average one with 5 at 2.00 (sold at 4.00)."""
    bolt = make_item("BOLT-10", base_price="9.00", valuation_method="fifo")
    nut = make_item("NUT-20", base_price="4.00", valuation_method="average")
    receive(bolt, 10, "5.00", date(2026, 1, 1))
    receive(nut, 5, "2.00", date(2026, 1, 1))
    return {"bolt": bolt, "nut": nut}


def _accepted(company, sales_user, make_quotation, lines, **fields):
    quotation = make_quotation(lines, **fields)
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    return services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)


@pytest.fixture
def order(company, sales_user, make_quotation, goods):
    """15 bolts (10 on hand), 3 nuts and an assembly service: confirming it drafts one delivery note that holds
    the reservation of the bolts and the nuts."""
    return _accepted(
        company, sales_user, make_quotation,
        [
            {"item_id": goods["bolt"].pk, "quantity": "15"},
            {"item_id": goods["nut"].pk, "quantity": "3"},
            {"description": "Montaje", "quantity": "1", "unit_price": "50.00"},
        ],
    )  # fmt: skip


@pytest.fixture
def draft(order):
    return Delivery.objects.get(order=order, state=Delivery.State.DRAFT)


def _line_ids(delivery):
    return {line.item.sku: line.pk for line in delivery.lines.select_related("item")}


def _post_validate(client, delivery, quantities, backorder="keep", day="2026-02-02"):
    ids = _line_ids(delivery)
    data = {f"line_{ids[sku]}": value for sku, value in quantities.items()}
    data |= {"backorder": backorder, "date": day}
    return client.post(reverse("sales:delivery_validate", args=[delivery.pk]), data)


def _order_lines(order):
    lines = SalesOrderLine.objects.filter(order=order).select_related("item")
    return {line.item.sku if line.item_id else line.description: line for line in lines}


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# The draft delivery note


def test_the_draft_shows_ordered_to_deliver_and_on_hand_prefilled_with_what_is_available(
    warehouse_client, draft, goods
):
    response = warehouse_client.get(reverse("sales:delivery_view", args=[draft.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    ids = _line_ids(draft)
    # 15 bolts to deliver and 10 on hand: 10 prefilled; 3 nuts, 5 on hand: 3.
    assert form[f"line_{ids['BOLT-10']}"].initial == D(10)
    assert form[f"line_{ids['NUT-20']}"].initial == D(3)
    assert form["backorder"].initial == "keep"
    lines = {line.item.sku: line for line in response.context["lines"]}
    assert (lines["BOLT-10"].ordered, lines["BOLT-10"].to_deliver, lines["BOLT-10"].available) == (15, 15, 10)
    assert lines["BOLT-10"].is_short and not lines["NUT-20"].is_short
    html = response.content.decode()
    assert "Keep the rest as a backorder" in html and "No backorder: cancel the rest" in html
    assert reverse("sales:delivery_picking", args=[draft.pk]) in html


def test_validating_delivers_what_was_typed_at_valuation_cost_and_keeps_the_rest_on_a_backorder(
    warehouse_client, draft, order
):
    response = _post_validate(warehouse_client, draft, {"BOLT-10": "8", "NUT-20": "3"})
    assert response.status_code == 302 and response.url == reverse("sales:delivery_view", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.state == Delivery.State.DONE and draft.date == date(2026, 2, 2)
    # 8 bolts from the 5.00 layer (40.00) and 3 nuts at their 2.00 average (6.00).
    assert draft.cost == D("46.00")
    backorder = Delivery.objects.get(backorder_of=draft)
    assert backorder.state == Delivery.State.DRAFT
    assert [(line.item.sku, line.quantity) for line in backorder.lines.select_related("item")] == [
        ("BOLT-10", D(7))
    ]
    lines = _order_lines(order)
    assert (lines["BOLT-10"].delivered, lines["BOLT-10"].cancelled, lines["NUT-20"].delivered) == (8, 0, 3)
    order.refresh_from_db()
    assert order.delivery_state == SalesOrder.DeliveryState.PARTIAL
    assert order.delivered_cost == D("46.00")
    page = warehouse_client.get(response.url)
    html = page.content.decode()
    assert f"Delivery note {draft.number} validated. The rest waits on backorder {backorder.number}." in html
    assert page.context["form"] is None and "€46.00" in html
    assert reverse("sales:delivery_view", args=[backorder.pk]) in html


def test_no_backorder_cancels_the_rest_and_the_order_is_delivered(warehouse_client, draft, order):
    response = _post_validate(warehouse_client, draft, {"BOLT-10": "10", "NUT-20": "3"}, backorder="cancel")
    assert response.status_code == 302
    assert not Delivery.objects.filter(backorder_of=draft).exists()
    lines = _order_lines(order)
    assert (lines["BOLT-10"].delivered, lines["BOLT-10"].cancelled) == (10, 5)
    order.refresh_from_db()
    assert order.delivery_state == SalesOrder.DeliveryState.DELIVERED
    # No reservation is left: every move of the order's deliveries is done.
    assert not StockMove.objects.filter(origin_type="delivery", state=StockMove.State.DRAFT).exists()


@pytest.mark.parametrize(
    ("bolts", "message"),
    [
        ("16", "More than this line has to deliver: at most 15."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("ten", "Enter a number."),
        ("12", "Not enough stock of BOLT-10: 10 on hand, 12 to deliver."),
    ],
)
def test_bad_quantities_are_form_errors_and_change_nothing(warehouse_client, draft, order, bolts, message):
    moves_before = list(StockMove.objects.order_by("pk").values_list("pk", "state", "quantity"))
    response = _post_validate(warehouse_client, draft, {"BOLT-10": bolts, "NUT-20": "3"})
    assert response.status_code == 422
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == Delivery.State.DRAFT
    assert list(StockMove.objects.order_by("pk").values_list("pk", "state", "quantity")) == moves_before
    assert all(line.delivered == 0 for line in _order_lines(order).values())


def test_nothing_typed_is_refused(warehouse_client, draft):
    response = _post_validate(warehouse_client, draft, {"BOLT-10": "0", "NUT-20": ""})
    assert response.status_code == 422
    assert "Type the quantity that leaves of at least one line." in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == Delivery.State.DRAFT


def test_salespeople_see_deliveries_but_only_the_warehouse_validates(
    sales_user, warehouse_client, draft, make_user, other_company
):
    seller = _client_for(sales_user)
    page = seller.get(reverse("sales:delivery_view", args=[draft.pk]))
    assert page.status_code == 200 and page.context["form"] is None
    assert reverse("sales:delivery_validate", args=[draft.pk]) not in page.content.decode()
    assert _post_validate(seller, draft, {"BOLT-10": "1", "NUT-20": "0"}).status_code == 403
    assert seller.get(reverse("sales:delivery_return", args=[draft.pk])).status_code == 403
    stranger = _client_for(make_user("fuera", "manager", companies=[other_company]))
    assert stranger.get(reverse("sales:delivery_view", args=[draft.pk])).status_code == 404
    assert stranger.get(reverse("sales:delivery_pdf", args=[draft.pk])).status_code == 404


# Returns


@pytest.fixture
def delivered(warehouse_client, draft):
    _post_validate(warehouse_client, draft, {"BOLT-10": "8", "NUT-20": "3"})
    draft.refresh_from_db()
    return draft


def test_a_return_brings_goods_back_at_the_cost_they_left_with(warehouse_client, delivered, order):
    url = reverse("sales:delivery_return", args=[delivered.pk])
    page = warehouse_client.get(url)
    assert page.status_code == 200
    ids = _line_ids(delivered)
    response = warehouse_client.post(
        url, {f"line_{ids['BOLT-10']}": "2", "reason": "Dañados en el transporte", "date": "2026-02-05"}
    )
    assert response.status_code == 302
    returned = Delivery.objects.get(return_of=delivered)
    assert response.url == reverse("sales:delivery_view", args=[returned.pk])
    assert (returned.kind, returned.state, returned.cost) == (
        Delivery.Kind.RETURN,
        Delivery.State.DONE,
        D("10.00"),
    )
    lines = _order_lines(order)
    assert (lines["BOLT-10"].delivered, lines["BOLT-10"].returned) == (8, 2)
    order.refresh_from_db()
    assert order.delivered_cost == D("36.00")  # 46.00 delivered less the 2 bolts back at 5.00
    html = warehouse_client.get(response.url).content.decode()
    assert "Goods returned from" in html and "Dañados en el transporte" in html
    # The delivery shows what came back of each line, and links the return.
    detail = warehouse_client.get(reverse("sales:delivery_view", args=[delivered.pk]))
    assert {line.item.sku: line.returned for line in detail.context["lines"]} == {"BOLT-10": 2, "NUT-20": 0}
    assert returned in detail.context["related"]


def test_a_return_of_more_than_was_delivered_or_without_reason_changes_nothing(warehouse_client, delivered):
    url = reverse("sales:delivery_return", args=[delivered.pk])
    ids = _line_ids(delivered)
    too_many = warehouse_client.post(url, {f"line_{ids['NUT-20']}": "4", "reason": "x", "date": "2026-02-05"})
    assert too_many.status_code == 422
    assert "More than was delivered and not yet returned: at most 3." in too_many.content.decode()
    no_reason = warehouse_client.post(url, {f"line_{ids['NUT-20']}": "1", "reason": "", "date": "2026-02-05"})
    assert no_reason.status_code == 422 and "This field is required." in no_reason.content.decode()
    nothing = warehouse_client.post(url, {"reason": "x", "date": "2026-02-05"})
    assert nothing.status_code == 422
    assert not Delivery.objects.filter(return_of=delivered).exists()


# The picking list and the PDF


def test_the_picking_list_goes_location_by_location(company, warehouse_user, warehouse, stock, draft, goods):
    shelf = inventory_services.location_create(
        company=company, by=warehouse_user, warehouse_id=warehouse.pk, name="A-01"
    )
    inventory_services.stock_move_create(
        company=company, by=warehouse_user, item_id=goods["bolt"].pk, quantity=D(4),
        from_location_id=warehouse.stock_location_id, to_location_id=shelf.pk, date=date(2026, 1, 5), done=True,
    )  # fmt: skip
    response = _client_for(warehouse_user).get(reverse("sales:delivery_picking", args=[draft.pk]))
    assert response.status_code == 200
    rows = [
        (row.location.name if row.location else None, row.item.sku, row.quantity)
        for row in response.context["rows"]
    ]
    stock_name = warehouse.stock_location.name
    # 15 bolts: 4 on shelf A-01, 6 in the stock location, 5 nowhere; the 3 nuts in the stock location.
    assert rows == [
        ("A-01", "BOLT-10", 4),
        (stock_name, "BOLT-10", 6),
        (stock_name, "NUT-20", 3),
        (None, "BOLT-10", 5),
    ]
    assert "Not in stock" in response.content.decode()


def test_the_delivery_note_pdf_is_valued_or_not_as_the_company_says(
    company, warehouse_client, delivered, order, boss
):
    SalesOrder.objects.filter(pk=order.pk).update(customer_reference="PED-778")
    Address.objects.create(
        company=company, party=order.party, kind=Address.Kind.BILLING, street="Avenida del Puerto 1",
        postal_code="46021", city="Valencia",
    )  # fmt: skip
    Address.objects.create(
        company=company, party=order.party, kind=Address.Kind.SHIPPING, street="Calle de la Obra 7",
        postal_code="46010", city="Valencia",
    )  # fmt: skip
    response = warehouse_client.get(reverse("sales:delivery_pdf", args=[delivered.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    # In the customer's language (Spanish): 8 bolts at 9,00 € = 72,00 €, 3 nuts at 4,00 € = 12,00 €.
    assert "ALBARÁN" in text and delivered.number in text and order.number in text and "PED-778" in text
    assert "Reformas Turia, S.L." in text and "Suministros Prueba, S.L." in text
    assert "Avenida del Puerto 1" in text
    assert "DIRECCIÓN DE ENTREGA" in text and "Calle de la Obra 7" in text and "46010 Valencia" in text
    assert "72,00 €" in text and "12,00 €" in text and "84,00 €" in text and "101,64 €" in text
    assert "46,00" not in text  # never the cost of goods
    services.settings_of(company)
    SalesSettings.objects.filter(company=company).update(delivery_note_valued=False)
    bare = _pdf_text(warehouse_client.get(reverse("sales:delivery_pdf", args=[delivered.pk])).content)
    assert "BOLT-10" in bare and "8" in bare
    assert "€" not in bare and "72,00" not in bare
    api = ApiClient(boss, company).get(f"/deliveries/{delivered.pk}/pdf")
    assert api.status_code == 200 and api["Content-Type"] == "application/pdf"


def test_a_return_prints_as_a_return(company, warehouse_user, warehouse_client, delivered):
    ids = _line_ids(delivered)
    warehouse_client.post(
        reverse("sales:delivery_return", args=[delivered.pk]),
        {f"line_{ids['BOLT-10']}": "2", "reason": "Dañados", "date": "2026-02-05"},
    )
    returned = Delivery.objects.get(return_of=delivered)
    spanish = _pdf_text(documents.delivery_note_pdf(returned, language="es"))
    assert (
        "DEVOLUCIÓN" in spanish
        and "ALBARÁN" not in spanish
        and delivered.number in spanish
        and "Dañados" in spanish
    )
    english = _pdf_text(documents.delivery_note_pdf(returned, language="en"))
    assert "RETURN" in english and "DELIVERY NOTE" not in english


# The list


def test_the_list_filters_by_state_kind_customer_warehouse_and_date(
    company, sales_user, warehouse_client, delivered, make_quotation, goods
):
    other = party_create(company=company, by=sales_user, name="Otro Cliente, S.L.")
    second = _accepted(
        company, sales_user, make_quotation, [{"item_id": goods["nut"].pk, "quantity": "1"}],
        opportunity_id=None, party_id=other.pk,
    )  # fmt: skip
    url = reverse("sales:delivery_list")

    def numbers(**params):
        return {row.number for row in warehouse_client.get(url, params).context["listing"].page.object_list}

    backorder = Delivery.objects.get(backorder_of=delivered)
    second_draft = Delivery.objects.get(order=second)
    assert numbers() == {delivered.number, backorder.number, second_draft.number}
    assert numbers(state="done") == {delivered.number}
    assert numbers(kind="return") == set()
    assert numbers(party=other.pk) == {second_draft.number}
    # The backorder is dated the day its delivery was validated; the second order's draft, the order's day.
    assert numbers(warehouse=delivered.warehouse_id, date_from="2026-02-02", date_to="2026-02-02") == {
        delivered.number,
        backorder.number,
    }
    assert numbers(warehouse=delivered.warehouse_id + 1000) == numbers()  # no such warehouse: no filter


# The sales order as the record of its fulfilment


def test_the_order_shows_each_line_s_fulfilment_its_deliveries_and_the_deliver_button(
    warehouse_user, boss, delivered, order
):
    page = _client_for(warehouse_user).get(reverse("sales:order_view", args=[order.pk]))
    html = page.content.decode()
    backorder = Delivery.objects.get(backorder_of=delivered)
    lines = {line.item.sku if line.item_id else line.description: line for line in page.context["lines"]}
    bolt = lines["BOLT-10"]
    assert (bolt.quantity, bolt.delivered, bolt.returned, bolt.invoiced, bolt.cancelled, bolt.to_deliver) == (
        15, 8, 0, 0, 0, 7,
    )  # fmt: skip
    assert "Partially delivered" in html and "To invoice" in html
    assert reverse("sales:delivery_view", args=[delivered.pk]) in html
    assert page.context["draft_delivery"] == backorder
    assert f'href="{reverse("sales:delivery_view", args=[backorder.pk])}" id="order-deliver"' in html
    assert not page.context["may_cancel_remaining"]  # the warehouse does not cancel orders
    manager = _client_for(boss)
    assert manager.get(reverse("sales:order_view", args=[order.pk])).context["may_cancel_remaining"]
    response = manager.post(reverse("sales:order_cancel_remaining", args=[order.pk]))
    assert response.status_code == 302
    backorder.refresh_from_db()
    assert backorder.state == Delivery.State.CANCELLED
    assert _order_lines(order)["BOLT-10"].cancelled == 7
    order.refresh_from_db()
    assert order.delivery_state == SalesOrder.DeliveryState.DELIVERED


def test_the_order_list_filters_by_delivery_and_invoice_state(
    boss, delivered, order, company, sales_user, make_quotation, goods, lead
):
    untouched = _accepted(
        company, sales_user, make_quotation, [{"item_id": goods["nut"].pk, "quantity": "1"}],
        opportunity_id=None, party_id=lead.pk,
    )  # fmt: skip
    client = _client_for(boss)
    url = reverse("sales:order_list")

    def numbers(**params):
        return {row.number for row in client.get(url, params).context["listing"].page.object_list}

    assert numbers(delivery="to_deliver") == {order.number, untouched.number}
    assert numbers(delivery="partial") == {order.number}
    assert numbers(delivery="delivered") == set()
    assert numbers(invoicing="to_invoice") == {order.number, untouched.number}
    assert numbers(invoicing="invoiced") == set()


# Query counts: the same for 2 lines as for 10


# What each page reads, for a warehouse user: the session, user, company and permissions, then the page's own.
PAGE_QUERIES = {"draft": 10, "picking": 9, "list": 9, "done": 10, "order": 11}


def test_the_pages_read_as_many_queries_for_ten_lines_as_for_two(
    company, boss, warehouse_user, make_item, receive, make_quotation, lead, django_assert_max_num_queries
):
    counts = {}

    def read(client, name, url, size):
        with django_assert_max_num_queries(PAGE_QUERIES[name]), CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts[(name, size)] = len(captured)

    for size in (2, 10):
        items = [make_item(f"Q{size}-{index}", base_price="10.00") for index in range(size)]
        for item in items:
            receive(item, 5, "4.00")
        order = _accepted(
            company, boss, make_quotation, [{"item_id": item.pk, "quantity": "3"} for item in items],
            opportunity_id=None, party_id=lead.pk,
        )  # fmt: skip
        delivery = Delivery.objects.get(order=order)
        client = _client_for(warehouse_user)
        client.get(reverse("sales:delivery_list"))  # the session settles
        read(client, "draft", reverse("sales:delivery_view", args=[delivery.pk]), size)
        read(client, "picking", reverse("sales:delivery_picking", args=[delivery.pk]), size)
        read(client, "list", reverse("sales:delivery_list"), size)
        data = {f"line_{line.pk}": "2" for line in delivery.lines.all()} | {
            "backorder": "keep",
            "date": "2026-02-02",
        }
        assert client.post(reverse("sales:delivery_validate", args=[delivery.pk]), data).status_code == 302
        read(client, "done", reverse("sales:delivery_view", args=[delivery.pk]), size)
        read(client, "order", reverse("sales:order_view", args=[order.pk]), size)
    for name in PAGE_QUERIES:
        assert counts[(name, 2)] == counts[(name, 10)], (name, counts)


def test_managers_choose_whether_delivery_notes_print_prices(company, boss):
    client = _client_for(boss)
    page = client.get(reverse("sales:settings"))
    assert page.context["form"]["delivery_note_valued"].initial is True
    response = client.post(
        reverse("sales:settings"),
        {"quotation_validity_days": "30"},  # the box left unticked
    )
    assert response.status_code == 302
    assert SalesSettings.objects.get(company=company).delivery_note_valued is False
