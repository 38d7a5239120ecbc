"""Credit notes (facturas rectificativas): in full, by lines, by an amount or for a sales return; their own
series; never more than the invoice less its earlier credit notes; the orders' invoiced quantities given
back."""

from decimal import Decimal

import pytest
from django.utils import timezone

from nexo.core.errors import Conflict, ValidationFailed
from nexo.invoicing import services
from nexo.invoicing.models import Invoice, InvoiceLine, InvoiceTax
from nexo.invoicing.tests.customer_invoices import *  # noqa: F403 (the fixtures)
from nexo.invoicing.tests.customer_invoices import DAY
from nexo.sales.models import Delivery, DeliveryLine, SalesOrderLine

D = Decimal


@pytest.fixture
def retail_invoice(company, accountant, make_customer, items, make_order, post):
    """A retailer subject to recargo: 10 tiles at 10.00 (21 % + 5.2 %) and 4 books at 20.00 (10 % + 1.4 %),
    delivered at 4.00 and 12.00 a unit, posted: base 180.00, VAT 21.00 + 8.00, recargo 5.20 + 1.12."""
    retailer = make_customer("Droguería Ruzafa", "B46000022", subject_to_recargo=True)
    order = make_order(
        retailer,
        [(items["tile"], "10", "10.00", "21"), (items["book"], "4", "20.00", "10")],
        delivered=["10", "4"],
    )
    SalesOrderLine.objects.filter(order=order, item=items["book"]).update(delivered_cost=D("48.00"))
    DeliveryLine.objects.filter(order_line__order=order, item=items["book"]).update(cost=D("48.00"))
    draft = services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY)
    posted = post(draft)
    assert (posted.base, posted.vat, posted.recargo, posted.total) == (
        D("180.00"),
        D("29.00"),
        D("6.32"),
        D("215.32"),
    )
    assert posted.cost == D("88.00")
    return posted


def credit(company, accountant, invoice, **how):
    return services.credit_note_create(
        company=company, by=accountant, invoice_id=invoice.pk, reason=how.pop("reason", "Devolución"), **how
    )


def figures(invoice):
    return (invoice.base, invoice.vat, invoice.recargo, invoice.total)


def test_a_total_credit_note_reverses_the_invoice_exactly_in_its_own_series(
    company, accountant, retail_invoice, post
):
    draft = credit(company, accountant, retail_invoice, reason="Pedido anulado")
    assert (draft.kind, draft.invoice_type, draft.corrects_id, draft.reason) == (
        "credit_note", "R4", retail_invoice.pk, "Pedido anulado",
    )  # fmt: skip
    posted = post(draft)
    assert posted.number == "R-2026-000001"
    assert figures(posted) == (D("-180.00"), D("-29.00"), D("-6.32"), D("-215.32"))
    assert posted.cost == D("-88.00")
    assert sorted(
        (tax.rate, tax.recargo_rate, tax.base, tax.amount, tax.recargo)
        for tax in InvoiceTax.objects.filter(invoice=posted)
    ) == [
        (D("10.00"), D("1.40"), D("-80.00"), D("-8.00"), D("-1.12")),
        (D("21.00"), D("5.20"), D("-100.00"), D("-21.00"), D("-5.20")),
    ]
    lines = SalesOrderLine.objects.filter(invoice_lines__invoice=retail_invoice).order_by("position")
    assert [(line.invoiced, line.invoiced_net) for line in lines] == [(D("0"), D("0.00"))] * 2
    with pytest.raises(Conflict, match="already credited in full"):
        credit(company, accountant, retail_invoice)


def test_a_partial_credit_note_by_lines_takes_back_their_share_and_then_the_rest(
    company, accountant, retail_invoice, post
):
    tile = InvoiceLine.objects.get(invoice=retail_invoice, position=1)
    first = post(credit(company, accountant, retail_invoice, quantities={tile.pk: D("3")}))
    assert figures(first) == (D("-30.00"), D("-6.30"), D("-1.56"), D("-37.86"))
    assert InvoiceLine.objects.get(invoice=first).cost == D("-12.00")
    order_line = tile.order_line
    order_line.refresh_from_db()
    assert (order_line.invoiced, order_line.invoiced_net) == (D("7"), D("70.00"))
    with pytest.raises(
        ValidationFailed, match=r"more than the invoice less its credit notes \(7 left\)"
    ) as refused:
        credit(company, accountant, retail_invoice, quantities={tile.pk: D("8")})
    assert refused.value.errors[0]["field"] == f"quantities.{tile.pk}"
    rest = post(credit(company, accountant, retail_invoice, quantities={tile.pk: D("7")}))
    assert (rest.base, rest.number) == (D("-70.00"), "R-2026-000002")
    order_line.order.refresh_from_db()
    assert order_line.order.invoiced_net == D("80.00")


def test_a_credit_note_by_amount_spreads_the_base_over_the_rates_in_proportion(
    company, accountant, retail_invoice, post
):
    draft = credit(company, accountant, retail_invoice, amount=D("18.00"), reason="Rappel")
    lines = list(InvoiceLine.objects.filter(invoice=draft).order_by("position"))
    # 18.00 over bases 80.00 (10 %) and 100.00 (21 %): 8.00 and 10.00.
    assert [(line.description, line.net, line.vat_rate, line.recargo_rate) for line in lines] == [
        ("Rappel (10 %)", D("-8.00"), D("10.00"), D("1.40")),
        ("Rappel (21 %)", D("-10.00"), D("21.00"), D("5.20")),
    ]
    posted = post(draft)
    assert figures(posted) == (D("-18.00"), D("-2.90"), D("-0.63"), D("-21.53"))
    with pytest.raises(
        ValidationFailed, match=r"more than the invoice less its credit notes \(162.00 left\)"
    ):
        credit(company, accountant, retail_invoice, amount=D("162.01"))
    for bad in (D("0"), D("-5"), D("1.001")):
        with pytest.raises(ValidationFailed) as refused:
            credit(company, accountant, retail_invoice, amount=bad)
        assert refused.value.errors[0]["field"] == "amount"


def test_a_credit_note_for_a_sales_return_takes_the_goods_back_at_the_invoiced_price_and_their_return_cost(
    company, accountant, retail_invoice, post
):
    tile = InvoiceLine.objects.get(invoice=retail_invoice, position=1)
    delivered = DeliveryLine.objects.get(order_line_id=tile.order_line_id)
    returned = Delivery.objects.create(
        company=company, number="DV-1", kind=Delivery.Kind.RETURN, order_id=delivered.delivery.order_id,
        party_id=retail_invoice.party_id, warehouse_id=delivered.delivery.warehouse_id, date=DAY,
        state=Delivery.State.DONE, return_of=delivered.delivery, done_at=timezone.now(),
    )  # fmt: skip
    DeliveryLine.objects.create(
        delivery=returned, order_line_id=tile.order_line_id, item_id=tile.item_id, quantity=D("2"),
        returned_line=delivered, unit_cost=D("4.00"), cost=D("8.00"),
    )  # fmt: skip
    SalesOrderLine.objects.filter(pk=tile.order_line_id).update(returned=D("2"))
    posted = post(credit(company, accountant, retail_invoice, return_id=returned.pk))
    line = InvoiceLine.objects.get(invoice=posted)
    assert (line.quantity, line.net, line.cost, line.corrects_line_id) == (
        D("-2"),
        D("-20.00"),
        D("-8.00"),
        tile.pk,
    )
    assert figures(posted) == (D("-20.00"), D("-4.20"), D("-1.04"), D("-25.24"))
    with pytest.raises(Conflict, match="DV-1 is already credited"):
        credit(company, accountant, retail_invoice, return_id=returned.pk)
    with pytest.raises(ValidationFailed, match="No such sales return"):
        credit(company, accountant, retail_invoice, return_id=delivered.delivery_id)


def test_credit_notes_are_refused_for_drafts_credit_notes_without_reason_or_with_two_ways(
    company, accountant, retail_invoice, hand_invoice
):
    draft = hand_invoice([("1", "10.00", "21")])
    with pytest.raises(Conflict, match="Only a posted invoice"):
        credit(company, accountant, draft)
    with pytest.raises(ValidationFailed) as refused:
        credit(company, accountant, retail_invoice, reason="  ")
    assert refused.value.errors[0]["field"] == "reason"
    with pytest.raises(ValidationFailed, match="not several"):
        credit(company, accountant, retail_invoice, amount=D("1.00"), return_id=1)
    with pytest.raises(ValidationFailed, match="not a line of this invoice"):
        credit(company, accountant, retail_invoice, quantities={999999: D("1")})
    note = credit(company, accountant, retail_invoice)
    with pytest.raises(Conflict, match="A credit note is not credited"):
        credit(company, accountant, Invoice.objects.get(pk=note.pk))
    assert Invoice.objects.filter(kind="credit_note").count() == 1


def test_two_draft_credit_notes_cannot_take_back_the_same_goods_twice(
    company, accountant, retail_invoice, post
):
    first = credit(company, accountant, retail_invoice)
    with pytest.raises(Conflict, match="already credited in full"):
        credit(company, accountant, retail_invoice)
    services.invoice_delete(company=company, by=accountant, invoice_id=first.pk)
    post(credit(company, accountant, retail_invoice))


def test_a_credit_note_of_a_simplified_invoice_is_an_r5(
    company, accountant, make_customer, hand_invoice, post
):
    counter = make_customer("Cliente de mostrador", "")
    simplified = post(hand_invoice([("1", "100.00", "21")], party=counter, simplified=True))
    note = post(credit(company, accountant, simplified))
    assert (note.invoice_type, note.number, note.total) == ("R5", "R-2026-000001", D("-121.00"))
