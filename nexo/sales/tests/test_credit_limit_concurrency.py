"""On PostgreSQL: two acceptances for one customer at once, each within its credit limit alone but over it
together, let exactly one through (the party's row lock makes the second count the first's order)."""

from datetime import date
from decimal import Decimal as D

import pytest

from nexo.accounting.models import PartyAccounting
from nexo.crm import services as crm
from nexo.inventory.tests.test_concurrency import at_once
from nexo.sales import services
from nexo.sales.models import Quotation, SalesOrder
from nexo.sales.services.direct_orders import sales_order_create


def _outcomes(results: list[str], *, done: str) -> list[str]:
    """`at_once`'s results named for these tests: `done`, "over the limit", or whatever else happened."""
    return [
        done if result == "ok" else "over the limit" if result.startswith("conflict:") and "credit limit" in result
        else result
        for result in results
    ]  # fmt: skip


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_acceptances_that_together_pass_the_limit_let_exactly_one_through(
    company, sales_user, lead, opportunity, stocked_items, make_quotation
):
    second_opportunity = crm.opportunity_create(
        company=company, by=sales_user, party_id=lead.pk, title="Segunda obra", owner_id=sales_user.pk,
        amount=D("100"), expected_close=date(2026, 12, 1),
    )  # fmt: skip
    quotations = [
        make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "10"}], opportunity_id=chosen.pk)
        for chosen in (opportunity, second_opportunity)
    ]
    for quotation in quotations:
        services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    PartyAccounting.objects.create(party=lead, credit_limit=D("150.00"))  # each is 108.90

    def accept(number):
        services.quotation_accept(company=company, by=sales_user, quotation_id=quotations[number].pk)

    results = _outcomes(at_once(2, accept), done="accepted")
    assert sorted(results) == ["accepted", "over the limit"]
    assert SalesOrder.objects.count() == 1
    assert sorted(Quotation.objects.values_list("state", flat=True)) == ["accepted", "sent"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_acceptance_and_a_direct_order_at_once_that_together_pass_the_limit_let_exactly_one_through(
    company, sales_user, make_user, lead, stocked_items, make_quotation
):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "10"}])
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    boss = make_user("jefa", "manager")
    PartyAccounting.objects.create(party=lead, credit_limit=D("150.00"))  # each is 108.90

    def accept_or_order(number):
        if number == 0:
            services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
        else:
            lines = [{"item_id": stocked_items["average"].pk, "quantity": "10"}]
            sales_order_create(company=company, by=boss, party_id=lead.pk, lines=lines)

    results = _outcomes(at_once(2, accept_or_order), done="done")
    assert sorted(results) == ["done", "over the limit"]
    assert SalesOrder.objects.count() == 1
