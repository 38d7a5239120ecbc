"""The credit limit: accepting a quotation or confirming an order that would put the customer over its limit
(its receivable balance in the books plus its open orders plus the document) is refused, unless a manager
overrides it, which is recorded."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from nexo.accounting.models import Account, PartyAccounting
from nexo.accounting.services.ledger import LineInput, entry_record, journal_of
from nexo.core.errors import Conflict, Forbidden, ValidationFailed
from nexo.sales import services
from nexo.sales.models import CreditOverride, Quotation, SalesOrder, SalesOrderLine
from nexo.sales.services import credit
from nexo.sales.services.direct_orders import sales_order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(make_user):
    return make_user("jefa", "manager")


@pytest.fixture
def limit(lead):
    def set_limit(amount):
        PartyAccounting.objects.update_or_create(party=lead, defaults={"credit_limit": D(amount)})

    return set_limit


@pytest.fixture
def sent_quotation(company, sales_user, stocked_items, make_quotation):
    """A sent quotation of `quantity` FIFO items at 9.00 + 21 % VAT (10 → 108.90)."""

    def make(quantity="10", **fields):
        quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": quantity}], **fields)
        services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
        quotation.refresh_from_db()
        return quotation

    return make


@pytest.fixture
def owed(company, lead):
    """The lead owes `amount` in the books: 4300 debited for it against sales (700)."""

    def post(amount):
        journal_of(company, "GEN")
        accounts = {account.code: account.pk for account in Account.objects.filter(company=company)}
        entry_record(
            company=company, by=None, journal="GEN", date=date(2026, 3, 1),
            lines=[LineInput(accounts["4300"], D(amount), D(0), lead.pk), LineInput(accounts["700"], D(0), D(amount))],
        )  # fmt: skip

    return post


def test_a_quotation_within_the_limit_is_accepted(company, sales_user, sent_quotation, limit):
    quotation = sent_quotation()
    assert quotation.total == D("108.90")
    limit("108.90")
    order = services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
    assert order.total == D("108.90") and not CreditOverride.objects.exists()


def test_a_customer_without_a_limit_is_never_refused(company, sales_user, sent_quotation, owed):
    owed("100000.00")
    order = services.quotation_accept(company=company, by=sales_user, quotation_id=sent_quotation().pk)
    assert order.pk


def test_over_the_limit_the_acceptance_is_refused_with_the_figures_and_nothing_changes(
    company, sales_user, sent_quotation, limit, owed
):
    quotation = sent_quotation()
    owed("50.00")
    limit("150.00")
    with pytest.raises(Conflict) as refused:
        services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
    assert refused.value.status == 409
    assert "it owes €50.00" in refused.value.detail and "it would reach €158.90" in refused.value.detail
    assert "over its limit of €150.00 by €8.90" in refused.value.detail
    quotation.refresh_from_db()
    assert quotation.state == "sent" and not SalesOrder.objects.exists()


def test_open_orders_count_against_the_limit_until_invoiced(
    company, sales_user, sent_quotation, limit, opportunity, lead
):
    first = sent_quotation("10")
    services.quotation_accept(company=company, by=sales_user, quotation_id=first.pk)
    assert credit.open_orders_amount(company, lead.pk) == D("108.90")
    limit("200.00")
    from nexo.crm import services as crm

    other = crm.opportunity_create(
        company=company, by=sales_user, party_id=lead.pk, title="Segunda obra", owner_id=sales_user.pk,
        amount=D("100"), expected_close=date(2026, 12, 1),
    )  # fmt: skip
    second = sent_quotation("10", opportunity_id=other.pk)
    with pytest.raises(Conflict, match=r"has €108\.90 on open orders"):
        services.quotation_accept(company=company, by=sales_user, quotation_id=second.pk)
    # Invoiced: the order no longer counts (its amount moves to the books, where the balance is read).
    SalesOrderLine.objects.filter(order__quotation=first).update(invoiced_net=D("90.00"))
    assert credit.open_orders_amount(company, lead.pk) == D("0.00")
    services.quotation_accept(company=company, by=sales_user, quotation_id=second.pk)


def test_a_managers_override_passes_and_is_recorded_with_the_figures(
    company, boss, sent_quotation, limit, owed
):
    quotation = sent_quotation()
    owed("50.00")
    limit("100.00")
    order = services.quotation_accept(
        company=company, by=boss, quotation_id=quotation.pk, override_credit=True,
        credit_override_reason="  Cliente de siempre,   paga a 60 días ",
    )  # fmt: skip
    (override,) = CreditOverride.objects.all()
    assert (override.party_id, override.quotation_id, override.order_id) == (
        quotation.party_id,
        quotation.pk,
        order.pk,
    )
    assert (override.credit_limit, override.exposure, override.amount) == (
        D("100.00"),
        D("50.00"),
        D("108.90"),
    )
    assert override.reason == "Cliente de siempre, paga a 60 días" and override.created_by == boss


def test_a_sales_users_override_is_refused(company, sales_user, sent_quotation, limit):
    quotation = sent_quotation()
    limit("10.00")
    with pytest.raises(Forbidden, match="Only a manager may let a customer go over its credit limit"):
        services.quotation_accept(
            company=company, by=sales_user, quotation_id=quotation.pk, override_credit=True
        )
    quotation.refresh_from_db()
    assert quotation.state == "sent" and not CreditOverride.objects.exists()


def test_an_override_within_the_limit_records_nothing(company, boss, sent_quotation, limit):
    limit("1000.00")
    services.quotation_accept(
        company=company, by=boss, quotation_id=sent_quotation().pk, override_credit=True
    )
    assert not CreditOverride.objects.exists()


def test_an_overlong_reason_is_refused(company, boss, sent_quotation, limit):
    limit("10.00")
    with pytest.raises(ValidationFailed) as refused:
        services.quotation_accept(
            company=company, by=boss, quotation_id=sent_quotation().pk, override_credit=True,
            credit_override_reason="x" * 301,
        )  # fmt: skip
    assert refused.value.errors[0]["field"] == "credit_override_reason"


def test_a_direct_order_over_the_limit_is_refused_unless_a_manager_overrides_it(
    company, boss, lead, stocked_items, limit
):
    limit("50.00")
    lines = [{"item_id": stocked_items["fifo"].pk, "quantity": "10"}]
    with pytest.raises(Conflict, match=r"over its limit of €50\.00"):
        sales_order_create(company=company, by=boss, party_id=lead.pk, lines=lines)
    assert not SalesOrder.objects.exists()
    order = sales_order_create(
        company=company, by=boss, party_id=lead.pk, lines=lines, override_credit=True,
        credit_override_reason="Pedido urgente",
    )  # fmt: skip
    (override,) = CreditOverride.objects.all()
    assert (override.order_id, override.quotation_id, override.amount) == (order.pk, None, order.total)
    assert override.exposure == D("0.00")  # the order itself is the amount, not an open order


# Doors: the API and the pages


def test_the_api_answers_409_then_403_for_a_sales_user_and_lets_a_manager_override(
    api, api_as, boss, sent_quotation, limit
):
    quotation = sent_quotation()
    limit("10.00")
    refused = api.post(f"/quotations/{quotation.pk}/accept")
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    assert "límite de crédito" in refused.json()["detail"]  # the API speaks the user's language
    forbidden = api.post(f"/quotations/{quotation.pk}/accept?override_credit=true")
    assert forbidden.status_code == 403
    accepted = api_as(boss).post(
        f"/quotations/{quotation.pk}/accept?override_credit=true&credit_override_reason=Aval%20bancario"
    )
    assert accepted.status_code == 201
    override = CreditOverride.objects.get()
    assert (override.order_id, override.reason) == (accepted.json()["id"], "Aval bancario")


def test_the_direct_order_api_takes_the_override(api_as, boss, lead, stocked_items, limit):
    limit("10.00")
    body = {"party_id": lead.pk, "lines": [{"item_id": stocked_items["fifo"].pk, "quantity": "10"}]}
    first = api_as(boss).post("/sales-orders", body)
    assert first.status_code == 409, first.content
    created = api_as(boss).post("/sales-orders", body | {"override_credit": True})
    assert created.status_code == 201 and CreditOverride.objects.get().order_id == created.json()["id"]


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_accept_page_warns_and_offers_the_override_to_a_manager_only(
    sales_client, boss, sent_quotation, limit
):
    quotation = sent_quotation()
    limit("10.00")
    url = reverse("sales:quotation_accept", args=[quotation.pk])
    page = _text(sales_client.get(url))
    assert 'id="credit-warning"' in page and 'id="override-credit"' not in page
    manager = Client()
    manager.force_login(boss)
    assert 'id="override-credit"' in _text(manager.get(url))
    response = manager.post(url, {"override_credit": "on", "credit_override_reason": "Aval"})
    assert response.status_code == 302
    quotation.refresh_from_db()
    assert quotation.state == "accepted" and CreditOverride.objects.get().reason == "Aval"


def test_the_accept_page_refusal_says_why(sales_client, sent_quotation, limit):
    quotation = sent_quotation()
    limit("10.00")
    response = sales_client.post(reverse("sales:quotation_accept", args=[quotation.pk]), follow=True)
    assert "Supera el límite de crédito del cliente" in _text(response)
    assert Quotation.objects.get(pk=quotation.pk).state == "sent"


def test_the_quotation_editor_shows_the_customers_position(
    sales_client, sent_quotation, limit, owed, company
):
    quotation = sent_quotation()
    owed("40.00")
    limit("100.00")
    page = _text(sales_client.get(reverse("sales:quotation_view", args=[quotation.pk])))
    assert re.search(r'id="credit-balance">40,00\s€', page)
    assert re.search(r'id="credit-available">-48,90\s€', page)
    assert 'id="credit-warning"' in page
    fragment = _text(sales_client.get(reverse("sales:quotation_credit", args=[quotation.pk])))
    assert 'id="credit-position"' in fragment and 'hx-trigger="quotationChanged from:body"' in fragment
