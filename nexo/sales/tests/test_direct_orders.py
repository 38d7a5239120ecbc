"""Sales orders made directly, without a quotation: priced and costed as a quotation's lines would be,
numbered, confirmed and reserving their stock as an accepted quotation's order."""

from datetime import date
from decimal import Decimal as D

import pytest

from nexo.catalog import services as catalog_services
from nexo.catalog.models import TaxCategory, Unit
from nexo.core.errors import Conflict, ValidationFailed
from nexo.crm.models import Opportunity
from nexo.parties.models import Party
from nexo.parties.services import party_create
from nexo.sales import queries, services
from nexo.sales.models import SalesOrder
from nexo.sales.services.direct_orders import sales_order_create
from nexo.sales.tests.terms_helpers import standard_terms


@pytest.fixture
def boss(make_user):
    return make_user("jefa", "manager")


@pytest.fixture
def service_item(make_item):
    return make_item("SRV-MONT", base_price="45.00", kind="service")


@pytest.fixture
def own_list(company, sales_user, catalog, lead, stocked_items):
    """The lead's own price list: FIFO at cost + 50 %, the average item at 8.50 from 10 units, the rest at
    base price."""
    price_list = catalog_services.price_list_create(company=company, by=sales_user, name="Reformistas")
    catalog_services.price_rule_create(
        company=company, price_list_id=price_list.pk, by=sales_user, scope="item",
        item_id=stocked_items["fifo"].pk, method="markup_cost", value=D("50"),
    )  # fmt: skip
    catalog_services.price_rule_create(
        company=company, price_list_id=price_list.pk, by=sales_user, scope="item",
        item_id=stocked_items["average"].pk, method="fixed", value=D("8.50"), min_quantity=D(10),
    )  # fmt: skip
    catalog_services.party_price_list_set(company=company, party_id=lead.pk, price_list_id=price_list.pk)
    return price_list


def _lines(stocked_items, service_item):
    return [
        {"item_id": stocked_items["fifo"].pk, "quantity": "15"},
        {"item_id": stocked_items["average"].pk, "quantity": "12"},
        {
            "item_id": stocked_items["last_purchase"].pk,
            "quantity": "4",
            "unit_price": "8.00",
            "discount": "10",
        },
        {"item_id": service_item.pk, "quantity": "2"},
        {"description": "Transporte", "quantity": "1", "unit_price": "30"},
    ]


def test_a_direct_order_is_priced_and_costed_as_a_quotation_of_the_same_lines(
    company, boss, lead, own_list, stocked_items, service_item, warehouse
):
    lines = _lines(stocked_items, service_item)
    quotation = services.quotation_create(company=company, by=boss, party_id=lead.pk, lines=lines)
    order = sales_order_create(company=company, by=boss, party_id=lead.pk, lines=lines)

    quoted = list(quotation.lines.order_by("position"))
    ordered = list(order.lines.order_by("position"))
    fields = ("item_id", "description", "quantity", "unit_price", "discount", "tax_category_id", "tax_rate",
              "net", "unit_cost", "cost_source", "margin")  # fmt: skip
    for quotation_line, order_line in zip(quoted, ordered, strict=True):
        assert [getattr(order_line, name) for name in fields] == [
            getattr(quotation_line, name) for name in fields
        ]
        assert order_line.quotation_line_id is None
    for name in ("net", "tax", "total", "cost", "margin", "taxes"):
        assert getattr(order, name) == getattr(quotation, name), name
    # By hand: FIFO 15 = 10 @ 5.00 + 5 @ 6.00 = 80.00 (5.333333 a unit), priced at cost + 50 % = 8.00;
    # average 12 @ 5.50 at the list's 8.50; last purchase 4 @ 6.00 typed at 8.00 less 10 %; the service
    # at its base price, costed at 0 (its standard cost); the free text at 30.00.
    fifo, average, last, service, transport = ordered
    assert (fifo.unit_cost, fifo.cost_source, fifo.unit_price, fifo.net) == (
        D("5.333333"),
        "fifo",
        D("8.000000"),
        D("120.00"),
    )
    assert (fifo.margin, average.net, average.margin) == (D("40.00"), D("102.00"), D("36.00"))
    assert (last.unit_price, last.net, last.margin, last.cost_source) == (
        D("8"),
        D("28.80"),
        D("4.80"),
        "last_purchase",
    )
    assert (service.net, service.unit_cost, transport.net, transport.margin) == (
        D("90.00"),
        D(0),
        D("30.00"),
        D("30.00"),
    )
    assert (order.net, order.cost, order.margin) == (D("370.80"), D("170.00"), D("200.80"))
    assert order.taxes == [{"rate": "21.00", "base": "370.80", "tax": "77.87"}]
    assert (order.tax, order.total) == (D("77.87"), D("448.67"))


def test_it_is_numbered_confirmed_and_reserves_its_stock_as_an_accepted_order(
    company, boss, lead, stocked_items, service_item, warehouse
):
    fifo = stocked_items["fifo"]
    terms = standard_terms(company)
    before = queries.stock_available(company.pk, warehouse.pk, [fifo.pk])[fifo.pk]
    order = sales_order_create(
        company=company, by=boss, party_id=lead.pk, date=date(2026, 12, 1),
        lines=[{"item_id": fifo.pk, "quantity": "7"}, {"item_id": service_item.pk, "quantity": "1"}],
        customer_reference="PED-88", notes="Entregar por la mañana",
    )  # fmt: skip
    after = queries.stock_available(company.pk, warehouse.pk, [fifo.pk])[fifo.pk]
    assert after.reserved - before.reserved == D(7)
    assert order.number == "PV-2026-00001" and order.quotation_id is None
    assert (order.state, order.delivery_state, order.invoice_state) == (
        "confirmed",
        "to_deliver",
        "to_invoice",
    )
    assert (order.salesperson_id, order.warehouse_id, order.date) == (
        boss.pk,
        warehouse.pk,
        date(2026, 12, 1),
    )
    assert (order.customer_reference, order.notes) == ("PED-88", "Entregar por la mañana")
    assert order.payment_term == terms["30 días"]  # the lead has none of its own: the company's default
    # The lead is a customer now, as when a quotation of it is accepted.
    assert Party.objects.get(pk=lead.pk).status == Party.Status.CUSTOMER
    second = sales_order_create(
        company=company, by=boss, party_id=lead.pk, date=date(2026, 12, 2),
        lines=[{"item_id": service_item.pk, "quantity": "1"}], payment_term_id=terms["Contado"].pk,
    )  # fmt: skip
    assert (second.number, second.payment_term) == ("PV-2026-00002", terms["Contado"])
    assert (second.delivery_state, second.invoice_state) == ("nothing", "to_invoice")


def test_an_order_for_an_opportunity_wins_it_with_its_net(company, boss, lead, opportunity, service_item):
    order = sales_order_create(
        company=company, by=boss, party_id=lead.pk, opportunity_id=opportunity.pk,
        lines=[{"item_id": service_item.pk, "quantity": "3"}],
    )  # fmt: skip
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.amount, order.opportunity_id) == (
        Opportunity.Status.WON,
        D("135.00"),
        opportunity.pk,
    )


def test_an_opportunity_with_an_open_quotation_is_won_by_accepting_it(
    company, boss, lead, opportunity, service_item, make_quotation
):
    make_quotation([{"item_id": service_item.pk, "quantity": "1"}])
    with pytest.raises(Conflict, match="open quotation"):
        sales_order_create(
            company=company, by=boss, party_id=lead.pk, opportunity_id=opportunity.pk,
            lines=[{"item_id": service_item.pk, "quantity": "3"}],
        )  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([{"item_id": 999999, "quantity": "1"}], "lines.0.item_id"),
        ([{"quantity": "1"}], "lines.0.description"),
        ([{"description": "Portes", "quantity": "1"}], "lines.0.unit_price"),
        ([{"item_id": "SERVICE", "quantity": "0"}], "lines.0.quantity"),
        ([{"item_id": "SERVICE", "quantity": "1", "discount": "120"}], "lines.0.discount"),
        ([{"item_id": "SERVICE", "quantity": "1", "unit_price": "-1"}], "lines.0.unit_price"),
        ([{"item_id": "SERVICE", "quantity": "1", "colour": "red"}], "lines.0.colour"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_made(company, boss, lead, service_item, lines, field):
    lines = [
        {**line, "item_id": service_item.pk} if line.get("item_id") == "SERVICE" else line for line in lines
    ]
    with pytest.raises(ValidationFailed) as refused:
        sales_order_create(company=company, by=boss, party_id=lead.pk, lines=lines)
    assert refused.value.errors[0]["field"] == field
    assert not SalesOrder.objects.exists()
    assert Party.objects.get(pk=lead.pk).status == Party.Status.LEAD


def test_another_companys_party_item_or_warehouse_is_unknown(
    company, other_company, boss, lead, service_item
):
    catalog_services.catalog_setup(company=other_company)
    stranger = party_create(company=other_company, by=boss, name="Ajena, S.A.")
    foreign_item = catalog_services.item_create(
        company=other_company, by=boss, sku="AJENO", name="Ajeno", base_price=D("1"),
        unit_id=Unit.objects.get(company=other_company, code="ud").pk,
        sale_tax_id=TaxCategory.objects.get(company=other_company, code="general").pk,
        purchase_tax_id=TaxCategory.objects.get(company=other_company, code="general").pk,
    )  # fmt: skip
    good = [{"item_id": service_item.pk, "quantity": "1"}]
    for arguments, field in (
        ({"party_id": stranger.pk, "lines": good}, "party"),
        ({"party_id": lead.pk, "lines": [{"item_id": foreign_item.pk, "quantity": "1"}]}, "lines.0.item_id"),
        ({"party_id": lead.pk, "lines": good, "warehouse_id": 987654}, "warehouse"),
        ({"party_id": None, "lines": good}, "party"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            sales_order_create(company=company, by=boss, **arguments)
        assert refused.value.errors[0]["field"] == field
    assert not SalesOrder.objects.exists()


def test_an_inactive_party_or_a_closed_opportunity_is_refused(company, boss, lead, opportunity, service_item):
    good = [{"item_id": service_item.pk, "quantity": "1"}]
    Opportunity.objects.filter(pk=opportunity.pk).update(status=Opportunity.Status.LOST)
    with pytest.raises(Conflict, match="closed"):
        sales_order_create(
            company=company, by=boss, party_id=lead.pk, opportunity_id=opportunity.pk, lines=good
        )
    Party.objects.filter(pk=lead.pk).update(is_active=False)
    with pytest.raises(ValidationFailed, match="not active"):
        sales_order_create(company=company, by=boss, party_id=lead.pk, lines=good)
    assert not SalesOrder.objects.exists()


def test_under_the_minimum_margin_with_approval_required_only_an_approver_orders(
    company, boss, sales_user, lead, stocked_items
):
    services.sales_settings_update(
        company=company, by=boss, quotation_validity_days=30, margin_approval=True
    )
    cheap = [{"item_id": stocked_items["fifo"].pk, "quantity": "1", "unit_price": "5.50"}]  # 3 % < 20 %
    with pytest.raises(Conflict, match="minimum margin"):
        sales_order_create(company=company, by=sales_user, party_id=lead.pk, lines=cheap)
    order = sales_order_create(company=company, by=boss, party_id=lead.pk, lines=cheap)
    assert order.margin == D("0.50")


def test_a_fully_invoiced_order_is_locked_against_changes(company, boss, lead, stocked_items, warehouse):
    from nexo.sales.services.deliveries import sales_order_cancel_remaining

    order = sales_order_create(
        company=company,
        by=boss,
        party_id=lead.pk,
        lines=[{"item_id": stocked_items["fifo"].pk, "quantity": "40"}],
    )
    SalesOrder.objects.filter(pk=order.pk).update(state=SalesOrder.State.DONE)
    with pytest.raises(Conflict, match="fully invoiced and locked"):
        services.sales_order_buy_shortages(company=company, by=boss, order_id=order.pk)
    with pytest.raises(Conflict, match="done: nothing on it can be cancelled"):
        sales_order_cancel_remaining(company=company, by=boss, order_id=order.pk)
