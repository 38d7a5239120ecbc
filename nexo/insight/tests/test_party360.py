"""A party's 360° view: its figures against the story's hand-computed ones, its timeline, what each role sees,
the page, the panel on the party's page, the API, and a constant number of queries whatever its history."""

import re
from datetime import date, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nexo.conftest import ApiClient
from nexo.core.errors import NotFound
from nexo.core.models import Membership, User
from nexo.crm import services as crm
from nexo.insight.services.party360 import party_overview, timeline
from nexo.insight.tests.factories_party360 import *  # noqa: F403
from nexo.insight.tests.factories_party360 import TODAY, D, pile_of_records
from nexo.parties.services import party_create
from nexo.payments.services.position import position

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    """Labels are asserted in English; the Spanish catalogue has its own test."""


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# The figures and the timeline (the service)


def test_the_figures_are_the_hand_computed_ones_and_the_balance_is_the_payments_position(company, story):
    overview = party_overview(company, story.party.pk, today=TODAY)
    balance = overview.balance
    # Owed: 121.00 - 50.00 (the payment) - 24.20 (the credit note) + 60.50 = 107.30; overdue on 1 Dec: what is
    # left of the service invoice (due 4 Nov) and the credit note (due 20 Oct), 71.00 - 24.20 = 46.80.
    assert (balance.open_balance, balance.overdue, balance.overdue_count) == (D("107.30"), D("46.80"), 2)
    assert balance.open_balance == position(company, story.party.pk, at=TODAY).open_balance
    # Credit limit 1,000.00, nothing on open orders (the order is invoiced): 892.70 left.
    assert (balance.credit_limit, balance.available_credit, balance.over_limit) == (
        D("1000.00"), D("892.70"), False,
    )  # fmt: skip
    # Revenue 100.00 - 20.00 + 50.00 = 130.00; margin 130.00 less the 30.00 the delivered goods cost.
    sales = overview.sales
    assert (sales.revenue, sales.margin, sales.margin_percent) == (D("130.00"), D("100.00"), D("76.92"))
    # Open: 2,000.00 at 25 % + 1,000.50 at 10 % = 500.00 + 100.05.
    pipeline = overview.pipeline
    assert (pipeline.open_count, pipeline.open_amount, pipeline.weighted_amount) == (
        2,
        D("3000.50"),
        D("600.05"),
    )
    # The next pending activity: the meeting of 3 Dec (the call is done), on its opportunity's page.
    following = overview.next_activity
    assert (following.subject, following.kind) == ("Visita a la nave", "meeting")
    assert following.url == reverse("crm:opportunity_view", args=[story.open_opportunities[0].pk])
    assert overview.shown == {"balance", "revenue", "margin", "pipeline", "next_activity"}


def test_the_timeline_merges_every_kind_newest_first_and_links_each_record(company, story):
    items = party_overview(company, story.party.pk, today=TODAY).timeline
    assert [(item.date, item.kind, item.number, item.state_label) for item in items] == [
        (date(2026, 12, 15), "activity", "Enviar catálogo", "Planned"),
        (date(2026, 12, 3), "activity", "Visita a la nave", items[1].state_label),  # overdue once past
        (date(2026, 11, 25), "opportunity", "Mantenimiento anual", "Nuevo"),
        (date(2026, 11, 20), "opportunity", "Ampliación nave", "Cualificado"),
        (date(2026, 11, 12), "invoice", story.order_invoice.number, "Posted"),
        (date(2026, 11, 10), "delivery", story.delivery.number, "Validated"),
        (date(2026, 11, 5), "reminder", story.service_invoice.number, "First reminder"),
        # On one day the later step first: the order before the call.
        (date(2026, 11, 3), "order", story.order.number, "Done"),
        (date(2026, 11, 3), "activity", "Llamar por la obra", "Done"),
        (date(2026, 11, 2), "quotation", story.quotation.number, "Accepted"),
        (date(2026, 10, 30), "payment", story.payment.number, "Posted"),
        (date(2026, 10, 28), "opportunity", "Reforma oficinas", "Ganado"),
        (date(2026, 10, 20), "invoice", story.credit_note.number, "Posted"),
        (date(2026, 10, 5), "invoice", story.service_invoice.number, "Posted"),
    ]
    by_number = {item.number: item for item in items}
    credit = by_number[story.credit_note.number]
    assert (credit.label, credit.amount, credit.url) == (
        "Credit note", D("-24.20"), reverse("invoicing:invoice_view", args=[story.credit_note.pk]),
    )  # fmt: skip
    order = by_number[story.order.number]
    assert (order.amount, order.detail) == (D("60.50"), "Delivered · Invoiced")
    assert by_number[story.payment.number].detail == "Received · Transfer"
    assert by_number["Reforma oficinas"].amount == D("50.00")  # won at the quotation's net
    assert by_number[story.delivery.number].amount is None


def test_the_timeline_keeps_the_newest_and_narrows_to_one_kind(company, story):
    newest = timeline(company, story.party.pk, limit=3)
    assert [item.number for item in newest] == ["Enviar catálogo", "Visita a la nave", "Mantenimiento anual"]
    invoices = timeline(company, story.party.pk, kinds=["invoice"])
    assert [item.number for item in invoices] == [
        story.order_invoice.number, story.credit_note.number, story.service_invoice.number,
    ]  # fmt: skip


def test_another_companys_party_is_not_found(company, other_company, sales_user):
    stranger = party_create(company=other_company, by=sales_user, name="Ajena, S.A.")
    with pytest.raises(NotFound):
        party_overview(company, stranger.pk)


# What each role sees


def test_each_role_sees_the_figures_and_kinds_its_permissions_show(
    company, story, warehouse_user, accountant
):
    salesperson = User.objects.get(username="ventas")
    seen = party_overview(company, story.party.pk, user=salesperson, today=TODAY)
    # Salespeople see balances (their role reads due amounts, as the payments panel shows them) and margins.
    assert seen.shown == {"balance", "revenue", "margin", "pipeline", "next_activity"}
    assert seen.kinds == ("activity", "opportunity", "quotation", "order", "delivery", "invoice", "payment")
    assert "reminder" not in {item.kind for item in seen.timeline}

    books = party_overview(company, story.party.pk, user=accountant, today=TODAY)
    assert books.shown == {"balance", "revenue", "margin"}
    assert (books.pipeline, books.next_activity) == (None, None)
    assert {item.kind for item in books.timeline} == {
        "quotation",
        "order",
        "delivery",
        "invoice",
        "payment",
        "reminder",
    }

    stock = party_overview(company, story.party.pk, user=warehouse_user, today=TODAY)
    assert (stock.shown, stock.balance, stock.sales) == (frozenset(), None, None)
    assert {item.kind for item in stock.timeline} == {"order", "delivery"}


def test_a_salesperson_sees_only_their_own_opportunities_and_activities(company, story, make_user):
    colleague = make_user("ventas2", "sales")
    theirs = crm.opportunity_create(
        company=company, by=colleague, party_id=story.party.pk, title="Ajena al vendedor", owner_id=colleague.pk,
        amount=D("5000.00"), probability=D("50"), expected_close=date(2027, 2, 1),
    )  # fmt: skip
    crm.activity_create(
        company=company, by=colleague, opportunity_id=theirs.pk, kind="call", subject="Llamada del colega",
        due_at=timezone.make_aware(datetime(2026, 12, 2, 10)),  # before the meeting of the 3rd
    )  # fmt: skip
    mine = party_overview(company, story.party.pk, user=User.objects.get(username="ventas"), today=TODAY)
    titles = {item.number for item in mine.timeline}
    assert "Ajena al vendedor" not in titles and "Llamada del colega" not in titles
    assert mine.pipeline.weighted_amount == D("600.05")
    assert mine.next_activity.subject == "Visita a la nave"
    everyone = party_overview(company, story.party.pk, today=TODAY)
    assert everyone.pipeline.weighted_amount == D("3100.05")  # + 5,000.00 at 50 %
    assert everyone.next_activity.subject == "Llamada del colega"


# The page, the panel, the API


def test_the_page_shows_the_figures_the_timeline_and_its_filters(company, story, sales_client):
    url = reverse("insight:party_360", args=[story.party.pk])
    response = sales_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = _text(response)
    assert re.search(r'id="p360-open-balance">€107\.30<', page)
    assert re.search(r'id="p360-revenue">€130\.00<', page) and re.search(r'id="p360-margin">€100\.00<', page)
    assert re.search(r'id="p360-opportunities">2<small id="p360-weighted">€600\.05 weighted', page)
    assert "Visita a la nave" in page
    assert f'href="{reverse("invoicing:invoice_view", args=[story.order_invoice.pk])}"' in page
    assert f'href="{reverse("parties:party_view", args=[story.party.pk])}"' in page
    assert 'aria-current="true" data-kind="all"' in page
    assert 'data-kind="reminder"' not in page  # a salesperson's role does not read reminders

    filtered = _text(sales_client.get(url, {"kind": "invoice"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert 'aria-current="true" data-kind="invoice"' in filtered
    assert re.findall(r'<li class="p360-item" data-kind="(\w+)"', filtered) == ["invoice"] * 3
    unknown = _text(sales_client.get(url, {"kind": "<script>"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert len(re.findall(r'<li class="p360-item"', unknown)) == 13  # all but the reminder


def test_the_party_page_links_to_the_360_view(company, story, sales_client):
    page = _text(sales_client.get(reverse("parties:party_view", args=[story.party.pk])))
    assert 'id="party-360-link"' in page
    assert f'href="{reverse("insight:party_360", args=[story.party.pk])}"' in page


def test_the_api_answers_the_figures_as_strings_and_the_timeline(company, story, sales_user):
    api = ApiClient(sales_user)
    english = api._headers({"Accept-Language": "en"})
    response = api.client.get(f"/api/v1/insight/parties/{story.party.pk}", headers=english)
    assert response.status_code == 200
    body = response.json()
    assert body["party"] == {
        "id": story.party.pk, "name": "Reformas Turia, S.L.", "tax_id": "B46000014", "status": "customer",
        "is_supplier": False,
    }  # fmt: skip
    assert body["balance"]["open_balance"] == "107.30" and body["balance"]["credit_limit"] == "1000.00"
    assert body["sales"] == {
        "lifetime_revenue": "130.00",
        "lifetime_margin": "100.00",
        "margin_percent": "76.92",
    }
    assert body["pipeline"] == {"open_count": 2, "open_amount": "3000.50", "weighted_amount": "600.05"}
    assert body["next_activity"]["subject"] == "Visita a la nave"
    assert "reminder" not in body["kinds"] and len(body["timeline"]) == 13
    first_invoice = next(item for item in body["timeline"] if item["number"] == story.order_invoice.number)
    assert (first_invoice["amount"], first_invoice["kind"], first_invoice["label"]) == (
        "60.50",
        "invoice",
        "Invoice",
    )

    narrowed = api.get(f"/insight/parties/{story.party.pk}", kind="payment", limit=5).json()
    assert [item["number"] for item in narrowed["timeline"]] == [story.payment.number]
    assert api.get(f"/insight/parties/{story.party.pk}", kind="nonsense").status_code == 422
    assert api.get(f"/insight/parties/{story.party.pk}", limit=0).status_code == 422


def test_another_companys_party_is_a_404_on_the_page_and_in_the_api(company, other_company, sales_user):
    stranger = party_create(company=other_company, by=sales_user, name="Ajena, S.A.")
    assert _client(sales_user).get(reverse("insight:party_360", args=[stranger.pk])).status_code == 404
    response = ApiClient(sales_user).get(f"/insight/parties/{stranger.pk}")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/problem+json")


def test_a_user_who_may_not_see_parties_is_refused(company, roles):
    nobody = User.objects.create_user(username="nadie", password="secret-pass-1")
    Membership.objects.create(user=nobody, company=company, is_default=True)
    party = party_create(company=company, by=nobody, name="Cualquiera, S.L.")
    assert _client(nobody).get(reverse("insight:party_360", args=[party.pk])).status_code == 403
    assert ApiClient(nobody).get(f"/insight/parties/{party.pk}").status_code == 403


# A constant number of queries


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_view_reads_the_same_queries_for_1_or_30_records_of_each_kind(
    door, company, accountant, make_user, django_assert_max_num_queries
):
    manager = make_user("gerente", "manager")
    few = party_create(company=company, by=manager, name="Pocos, S.L.")
    many = party_create(company=company, by=manager, name="Muchos, S.L.")
    pile_of_records(company, few, manager, 1)
    pile_of_records(company, many, manager, 30)
    if door == "page":
        client = _client(manager)
        ask = lambda party: client.get(reverse("insight:party_360", args=[party.pk]))  # noqa: E731
    else:
        api = ApiClient(manager)
        ask = lambda party: api.get(f"/insight/parties/{party.pk}")  # noqa: E731
    assert ask(few).status_code == 200  # warms the caches both are read with
    counted = _queries(lambda: ask(few))
    with django_assert_max_num_queries(counted):
        response = ask(many)
    assert response.status_code == 200
    items = response.context["overview"].timeline if door == "page" else response.json()["timeline"]
    assert len(items) == 50  # 8 kinds x 30 records read, the newest 50 kept
    # The party, 5 for the position, 3 for the other figures, 10 kinds; the rest is the request's own (session
    # or token, company, permissions).
    assert counted <= 26, counted


def test_a_supplier_shows_its_purchase_orders_and_supplier_invoices_to_who_may_read_them(
    company, accountant, make_user, make_item, warehouse
):
    from nexo.invoicing import services as invoicing
    from nexo.purchasing import services as purchasing

    buyer = make_user("compras", "purchasing")
    supplier = party_create(company=company, by=buyer, name="Cables del Turia, S.L.", is_supplier=True)
    cable = make_item("CAB-25")
    order = purchasing.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk,
        lines=[{"item_id": cable.pk, "quantity": D("3"), "unit_price": D("1.255")},  # 3.765 → 3.77
               {"item_id": cable.pk, "quantity": D("2"), "unit_price": D("10")}],  # 20.00
    )  # fmt: skip
    bill = invoicing.supplier_invoice_create(
        company=company, by=accountant, party_id=supplier.pk, supplier_number="CT-88", date=TODAY,
        lines=[{"item_id": cable.pk, "description": "Cable", "quantity": D("2"), "unit_price": D("10"),
                "vat_rate": D("21")}],
    )  # fmt: skip
    invoicing.supplier_invoice_post(company=company, by=accountant, invoice_id=bill.pk)

    books = party_overview(company, supplier.pk, user=accountant, today=TODAY)
    found = {item.kind: item for item in books.timeline}
    assert set(found) == {"purchase_order", "supplier_invoice"}
    assert (found["purchase_order"].amount, found["purchase_order"].url) == (
        D("23.77"), reverse("purchasing:order_view", args=[order.pk]),
    )  # fmt: skip
    assert found["supplier_invoice"].amount == D("24.20") and found["supplier_invoice"].detail == "CT-88"
    assert found["supplier_invoice"].flow_url == reverse("insight:flow", args=["supplier-invoice", bill.pk])
    bought = party_overview(company, supplier.pk, user=buyer, today=TODAY)
    assert {"purchase_order", "supplier_invoice"} <= set(bought.kinds) and "invoice" not in bought.kinds
    seller = party_overview(company, supplier.pk, user=User.objects.get(username="ventas"), today=TODAY)
    assert not {"purchase_order", "supplier_invoice"} & set(seller.kinds)
