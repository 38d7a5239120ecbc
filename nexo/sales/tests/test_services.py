from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from nexo.catalog.models import TaxCategory
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.states import state_history
from nexo.crm import services as crm
from nexo.crm.models import Opportunity
from nexo.inventory import queries as inventory_queries
from nexo.inventory.models import StockMove
from nexo.parties.models import Party
from nexo.parties.services import party_create
from nexo.sales import services
from nexo.sales.models import Quotation, SalesOrder

D = Decimal


def test_the_story_lead_to_order_with_figures(
    company, sales_user, lead, opportunity, stocked_items, make_quotation
):
    """A lead's opportunity is quoted FIFO, average and last-purchase items; accepting it wins the opportunity
    with the quotation's net, makes the lead a customer and creates the order with the frozen costs."""
    fifo, average, last = stocked_items["fifo"], stocked_items["average"], stocked_items["last_purchase"]
    quotation = make_quotation([
        {"item_id": fifo.pk, "quantity": "15", "discount": "10"},
        {"item_id": average.pk, "quantity": "15", "discount": "10"},
        {"item_id": last.pk, "quantity": "25"},
    ])  # fmt: skip
    first, second, third = quotation.lines.order_by("position")
    assert (first.list_price, first.unit_price, first.price_rule_text) == (
        D("9"),
        D("9"),
        "No rule: base sale price",
    )
    assert (first.unit_cost, first.cost_source, first.net, first.margin, first.margin_percent) == (
        D("5.333333"), "fifo", D("121.50"), D("41.50"), D("34.16"),
    )  # fmt: skip
    assert [(part["quantity"], part["unit_cost"]) for part in first.cost_parts] == [
        ("10.0000", "5.000000"),
        ("5.0000", "6.000000"),
    ]
    assert first.cost_comparison["average"]["unit_cost"] == "5.500000"
    assert first.cost_comparison["supplier_price"]["unit_cost"] == "7.000000"
    assert (second.unit_cost, second.margin) == (D("5.5"), D("39.00"))
    # 20 in stock at the last purchase (6.00), 5 beyond it at the supplier's 7.00: 155.00 / 25.
    assert (third.unit_cost, third.cost_source, third.net, third.margin) == (
        D("6.2"),
        "last_purchase",
        D("225.00"),
        D("70.00"),
    )
    assert (quotation.net, quotation.margin) == (D("468.00"), D("150.50"))
    assert quotation.taxes == [{"rate": "21.00", "base": "468.00", "tax": "98.28"}]
    assert quotation.total == D("566.28")

    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    order = services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)

    quotation.refresh_from_db()
    opportunity.refresh_from_db()
    lead.refresh_from_db()
    assert quotation.state == "accepted"
    assert (opportunity.status, opportunity.amount) == ("won", D("468.00"))
    assert lead.status == Party.Status.CUSTOMER
    assert (order.quotation, order.net, order.margin, order.number) == (
        quotation,
        D("468.00"),
        D("150.50"),
        order.number,
    )
    assert [(line.quantity, line.unit_price, line.unit_cost, line.margin) for line in order.lines.all()] == [
        (15, D("9"), D("5.333333"), D("41.50")), (15, D("9"), D("5.5"), D("39.00")), (25, D("9"), D("6.2"), D("70.00")),
    ]  # fmt: skip


def test_an_accepted_order_reserves_its_stocked_lines(
    company, sales_user, stocked_items, make_quotation, make_item, stock, warehouse
):
    fifo = stocked_items["fifo"]  # 20 on hand
    visit = make_item("SV-VISIT", base_price="40.00", kind="service")
    quotation = make_quotation([
        {"item_id": fifo.pk, "quantity": "15"},
        {"item_id": visit.pk, "quantity": "1"},
        {"description": "Transporte", "quantity": "1", "unit_price": "60"},
    ])  # fmt: skip
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    order = services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)

    # A draft delivery note holds the reservation: one line per stocked line (the service and the free text:
    # none), each with its draft move.
    (delivery,) = order.deliveries.all()
    (line,) = delivery.lines.all()
    year = order.date.year
    assert (delivery.number, delivery.state, delivery.kind) == (f"AL-{year}-00001", "draft", "delivery")
    assert (delivery.warehouse_id, delivery.party_id, delivery.date) == (warehouse.pk, order.party_id, order.date)
    (planned,) = StockMove.objects.filter(origin_type="delivery")
    assert line.move_id == planned.pk and line.order_line.item_id == fifo.pk and line.quantity == D(15)
    assert (planned.origin_id, planned.origin_label, planned.state) == (
        delivery.pk,
        f"AL-{year}-00001 ({order.number})",
        "draft",
    )
    assert (planned.item_id, planned.quantity, planned.date) == (fifo.pk, D(15), order.date)
    assert (planned.from_location_id, planned.to_location_id) == (
        warehouse.stock_location_id,
        stock.customer_location_id,
    )
    (level,) = inventory_queries.stock_levels(company, item_ids=[fifo.pk])
    assert (level.on_hand, level.reserved, level.available) == (D(20), D(15), D(5))


def test_costs_stay_frozen_as_stock_moves(company, sales_user, stocked_items, make_quotation, deliver):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "5"}])
    deliver(stocked_items["fifo"], 12, date(2026, 1, 3))  # the 5.00 layer is gone now
    services.quotation_update(
        company=company, by=sales_user, quotation_id=quotation.pk, notes="Entrega en obra"
    )
    line = quotation.lines.get()
    assert line.unit_cost == D("5")
    services.quotation_line_update(
        company=company, by=sales_user, quotation_id=quotation.pk, line_id=line.pk, quantity="6"
    )
    line.refresh_from_db()
    assert line.unit_cost == D("6")  # a new quantity is costed again, now


def test_a_price_typed_by_hand_is_locked_and_shown_beside_the_list_price(
    company, sales_user, stocked_items, make_quotation
):
    quotation = make_quotation(
        [{"item_id": stocked_items["average"].pk, "quantity": "10", "unit_price": "8.50"}]
    )
    line = quotation.lines.get()
    assert (line.unit_price, line.list_price, line.price_locked) == (D("8.5"), D("9"), True)
    services.quotation_line_update(
        company=company, by=sales_user, quotation_id=quotation.pk, line_id=line.pk, quantity="12"
    )
    line.refresh_from_db()
    assert (line.unit_price, line.quantity, line.net) == (D("8.5"), 12, D("102.00"))
    services.quotation_line_update(
        company=company, by=sales_user, quotation_id=quotation.pk, line_id=line.pk, unit_price=""
    )
    line.refresh_from_db()
    assert (line.unit_price, line.price_locked) == (D("9"), False)


def test_lines_under_the_minimum_margin_are_flagged(company, sales_user, stocked_items, make_quotation):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "2", "unit_price": "5.80"}])
    line = quotation.lines.get()
    assert (line.margin_percent, line.below_min_margin) == (D("13.79"), True)


def test_free_text_lines_and_document_discount(company, sales_user, stocked_items, make_quotation):
    quotation = make_quotation(
        [{"item_id": stocked_items["average"].pk, "quantity": "10"},
         {"description": "Transporte y montaje", "quantity": "1", "unit_price": "60"}],
        document_discount="5",
    )  # fmt: skip
    assert (quotation.gross_net, quotation.discount_amount, quotation.net) == (
        D("150.00"),
        D("7.50"),
        D("142.50"),
    )
    goods, transport = quotation.lines.order_by("position")
    assert (goods.discount_share, transport.discount_share) == (D("4.50"), D("3.00"))
    assert (transport.unit_cost, transport.cost) == (None, D("0.00"))
    assert quotation.margin == goods.margin + transport.margin


def test_a_free_text_line_pays_the_general_vat_unless_another_category_is_chosen(
    company, other_company, sales_user, stocked_items, make_quotation
):
    reduced = TaxCategory.objects.get(company=company, code="reducido")
    quotation = make_quotation([
        {"item_id": stocked_items["average"].pk, "quantity": "10"},  # 90.00 at the item's 21 %
        {"description": "Transporte", "quantity": "1", "unit_price": "100"},  # no category: 21 %
        {"description": "Libro de instrucciones", "quantity": "1", "unit_price": "50", "tax_category_id": reduced.pk},
    ])  # fmt: skip
    goods, transport, manual = quotation.lines.order_by("position")
    assert (goods.tax_rate, transport.tax_rate, manual.tax_rate) == (D(21), D(21), D(10))
    assert quotation.taxes == [
        {"rate": "21.00", "base": "190.00", "tax": "39.90"},
        {"rate": "10.00", "base": "50.00", "tax": "5.00"},
    ]
    assert quotation.tax == D("44.90")

    # Chosen by hand on an item's line, then back to the item's own (null).
    services.quotation_line_update(
        company=company,
        by=sales_user,
        quotation_id=quotation.pk,
        line_id=goods.pk,
        tax_category_id=reduced.pk,
    )
    goods.refresh_from_db()
    assert goods.tax_rate == D(10)
    services.quotation_line_update(
        company=company, by=sales_user, quotation_id=quotation.pk, line_id=goods.pk, tax_category_id=None
    )
    goods.refresh_from_db()
    assert goods.tax_rate == D(21)

    # Another company's category, or no category at all, is unknown here; nothing changes.
    foreign = TaxCategory.objects.create(company=other_company, code="general", name="IVA")
    for wrong in (foreign.pk, 2**63, "abc"):
        with pytest.raises(ValidationFailed) as error:
            services.quotation_line_add(
                company=company, by=sales_user, quotation_id=quotation.pk, description="Otro", quantity="1",
                unit_price="5", tax_category_id=wrong,
            )  # fmt: skip
        assert error.value.field_messages() == {"lines.3.tax_category_id": ["Unknown tax category."]}
    assert quotation.lines.count() == 3


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lines": [{"item_id": 999999, "quantity": "1"}]}, "lines.0.item_id"),
        ({"lines": [{"description": "x", "quantity": "0", "unit_price": "1"}]}, "lines.0.quantity"),
        (
            {"lines": [{"description": "x", "quantity": "1", "unit_price": "1", "discount": "101"}]},
            "lines.0.discount",
        ),
        ({"lines": [{"quantity": "1", "unit_price": "1"}]}, "lines.0.description"),
        ({"lines": [], "document_discount": "-1"}, "document_discount"),
        ({"lines": [], "date": date(2026, 5, 1), "valid_until": date(2026, 4, 1)}, "valid_until"),
    ],
)
def test_bad_input_is_a_field_error_and_creates_nothing(company, sales_user, lead, fields, field):
    with pytest.raises(ValidationFailed) as error:
        services.quotation_create(company=company, by=sales_user, party_id=lead.pk, **fields)
    assert error.value.errors[0]["field"] == field
    assert not Quotation.objects.exists()


def test_another_companys_party_is_unknown(company, other_company, sales_user):
    theirs = party_create(company=other_company, by=sales_user, name="Ajena, S.L.")
    with pytest.raises(ValidationFailed, match="Unknown party"):
        services.quotation_create(company=company, by=sales_user, party_id=theirs.pk)


def test_a_sent_quotation_is_never_edited(company, sales_user, stocked_items, make_quotation):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "1"}])
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    with pytest.raises(Conflict, match="only a draft can be changed"):
        services.quotation_update(company=company, by=sales_user, quotation_id=quotation.pk, notes="x")
    with pytest.raises(Conflict):
        services.quotation_line_add(
            company=company,
            by=sales_user,
            quotation_id=quotation.pk,
            description="x",
            quantity="1",
            unit_price="1",
        )


def test_accepting_refuses_drafts_twice_and_expired(company, sales_user, stocked_items, make_quotation):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "1"}])
    with pytest.raises(Conflict, match="is a draft"):
        services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
    with pytest.raises(Conflict, match="already won"):
        services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
    assert SalesOrder.objects.count() == 1
    lone = services.quotation_create(
        company=company, by=sales_user, party_id=quotation.party_id, date=date(2026, 1, 1), valid_until=date(2026, 1, 31),
        lines=[{"description": "x", "quantity": "1", "unit_price": "1"}],
    )  # fmt: skip
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=lone.pk)
    with pytest.raises(Conflict, match="expired") as expired:
        services.quotation_accept(company=company, by=sales_user, quotation_id=lone.pk)
    assert "2026-01-31" not in expired.value.detail  # the date written for the reader, not ISO
    with pytest.raises(NotFound):
        services.quotation_accept(company=company, by=sales_user, quotation_id=lone.pk + 1000)


def test_accepting_one_cancels_the_other_open_quotations(
    company, sales_user, opportunity, stocked_items, make_quotation
):
    cheap = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "1"}])
    dear = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "2"}])
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=dear.pk)
    services.quotation_accept(company=company, by=sales_user, quotation_id=dear.pk)
    cheap.refresh_from_db()
    assert cheap.state == "cancelled" and dear.number in cheap.close_reason


def test_an_open_quotation_blocks_winning_by_hand(
    company, sales_user, opportunity, stocked_items, make_quotation
):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "1"}])
    with pytest.raises(Conflict, match=quotation.number):
        crm.opportunity_win(company=company, opportunity_id=opportunity.pk, by=sales_user)


def test_rejecting_the_last_open_quotation_loses_the_opportunity(
    company, sales_user, opportunity, stocked_items, make_quotation
):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "1"}])
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    with pytest.raises(ValidationFailed):
        services.quotation_reject(company=company, by=sales_user, quotation_id=quotation.pk, reason=" ")
    services.quotation_reject(company=company, by=sales_user, quotation_id=quotation.pk, reason="Precio alto")
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.lost_reason) == ("lost", "Precio alto")


def test_reject_and_revise_keeps_the_opportunity_open(
    company, sales_user, opportunity, stocked_items, make_quotation
):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "3"}])
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    revision = services.quotation_reject(
        company=company, by=sales_user, quotation_id=quotation.pk, reason="Quiere plazo", revise=True
    )
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.OPEN
    assert (revision.number, revision.version, revision.state) == (quotation.number, 2, "draft")
    assert [line.quantity for line in revision.lines.all()] == [3]
    assert revision.lines.get().unit_cost == quotation.lines.get().unit_cost


def test_revising_a_sent_quotation_supersedes_it(company, sales_user, stocked_items, make_quotation):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "3"}])
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    revision = services.quotation_revise(company=company, by=sales_user, quotation_id=quotation.pk)
    quotation.refresh_from_db()
    assert (quotation.state, revision.version, revision.revision_of) == ("superseded", 2, quotation)
    assert quotation.close_reason == ""  # nobody cancelled it: a newer version took its place
    assert [(change.from_state, change.to_state) for change in state_history(quotation)] == [
        ("draft", "sent"), ("sent", "superseded"),
    ]  # fmt: skip
    with pytest.raises(Conflict, match="newer version"):
        services.quotation_revise(company=company, by=sales_user, quotation_id=quotation.pk)


def test_expiry_marks_sent_quotations_past_their_validity(company, sales_user, lead):
    today = timezone.localdate()
    old = services.quotation_create(
        company=company, by=sales_user, party_id=lead.pk, date=today - timedelta(days=40),
        lines=[{"description": "x", "quantity": "1", "unit_price": "1"}],
    )  # fmt: skip
    fresh = services.quotation_create(
        company=company,
        by=sales_user,
        party_id=lead.pk,
        lines=[{"description": "x", "quantity": "1", "unit_price": "1"}],
    )
    for quotation in (old, fresh):
        services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    assert services.quotations_expire() == 1
    assert services.quotations_expire() == 0
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.state, fresh.state) == ("expired", "sent")


def test_sending_mails_the_pdf_and_marks_it_sent(
    company, sales_user, stocked_items, make_quotation, mailoutbox
):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "15", "discount": "10"}])
    services.quotation_send(company=company, by=sales_user, quotation_id=quotation.pk)
    quotation.refresh_from_db()
    assert (quotation.state, quotation.sent_to) == ("sent", "compras@turia.es")
    (message,) = mailoutbox
    assert message.to == ["compras@turia.es"] and quotation.number in message.subject
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == (f"{quotation.number}-v1.pdf", "application/pdf")
    assert content.startswith(b"%PDF")


def test_sending_without_an_address_changes_nothing(company, sales_user, make_quotation, mailoutbox):
    quotation = make_quotation([{"description": "x", "quantity": "1", "unit_price": "1"}])
    quotation.party.email = ""
    quotation.party.save()
    with pytest.raises(ValidationFailed, match="e-mail address"):
        services.quotation_send(company=company, by=sales_user, quotation_id=quotation.pk)
    quotation.refresh_from_db()
    assert quotation.state == "draft" and not mailoutbox


def test_a_lines_price_rule_reads_in_the_readers_language_whoever_priced_it(make_quotation, stocked_items):
    with translation.override("es"):
        quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "15"}])
    line = quotation.lines.get()
    assert line.price_rule_texts == {"es": "Sin regla: precio de venta base", "en": "No rule: base sale price"}
    assert line.price_rule_text == "Sin regla: precio de venta base"  # the words of whoever priced it
    with translation.override("en"):
        assert line.price_rule_words == "No rule: base sale price"
    with translation.override("en-us"):
        assert line.price_rule_words == "No rule: base sale price"
    line.price_rule_texts = {}  # priced before the words were kept in every language
    with translation.override("en"):
        assert line.price_rule_words == "Sin regla: precio de venta base"
