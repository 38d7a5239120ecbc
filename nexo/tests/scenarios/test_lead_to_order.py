"""From a lead to a sales order, as the business lives it.

A lighting wholesaler receives LED downlights from its supplier twice, at two costs, and publishes a tariff
with a volume discount. A new lead asks for the lighting of a flat it is renovating; the quotation, for the
downlights and their fitting, is priced from the tariff and costed from the stock (FIFO), sent, and accepted:
the opportunity is won, the lead becomes a customer, and the sales order reserves the goods in the
warehouse.

Everything is set up here, in the order it happens, through the same services the pages and the API call;
every figure is worked out by hand in a comment beside it. Later modules carry on with the same story at
the end of the test — the order delivered, invoiced and partly credited, the journal entries, the invoice
collected in two installments (a SEPA direct debit, then a transfer read from the bank's Norma 43
statement) — so the whole chain from lead to cash reads in one place.
"""

from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
import sepaxml
import xmlschema
from django.db.models import Sum
from django.utils import timezone, translation

from nexo.accounting.models import EntryLine, PaymentTerm
from nexo.accounting.services.ledger import entries_of
from nexo.accounting.services.ledger import settings_of as accounting_settings
from nexo.accounting.services.payment_terms import party_profile_set
from nexo.catalog import services as catalog
from nexo.catalog.models import TaxCategory, Unit
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.modules import nexo_modules
from nexo.core.states import state_history
from nexo.crm import services as crm
from nexo.crm.models import Opportunity, Stage
from nexo.inventory import queries as inventory_queries
from nexo.inventory import services as inventory
from nexo.inventory.models import StockMove
from nexo.invoicing import services as invoicing
from nexo.invoicing.models import Invoice
from nexo.parties.models import Party
from nexo.parties.services import address_create, party_create, party_update
from nexo.payments.formats import norma43
from nexo.payments.formats.statement import ParsedLine, ParsedStatement
from nexo.payments.models import Direction, DueAmount, Payment, StatementLine
from nexo.payments.rules.sepa import creditor_id_for
from nexo.payments.services import sepa, statements
from nexo.payments.services.bank_accounts import bank_account_save
from nexo.payments.services.payments import Match, payment_record
from nexo.payments.services.position import open_balance
from nexo.purchasing import services as purchasing
from nexo.purchasing.models import PurchaseOrder
from nexo.sales import rules as sales_rules
from nexo.sales import services as sales
from nexo.sales.models import Delivery, Quotation, SalesOrder

D = Decimal
SEPA_SCHEMA = Path(sepaxml.__file__).parent / "schemas" / "pain.008.001.02.xsd"


def open_for_business(company):
    """What every module gives a new company (as `core.services.company_create` does): units and the
    Spanish VAT rates, the PVP price list, a central warehouse, the default pipeline."""
    for module in nexo_modules():
        module.setup_company(company)


def buy_and_receive(company, *, buyer, storekeeper, supplier, item, quantity, unit_price, day):
    """A purchase order for one item, confirmed and received whole on `day`: the goods enter stock at its
    price."""
    order = purchasing.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk, date=day,
        lines=[{"item_id": item.pk, "quantity": quantity, "unit_price": unit_price}],
    )  # fmt: skip
    order = purchasing.purchase_order_confirm(company=company, by=buyer, order_id=order.pk)
    (line,) = order.lines.all()
    receipt = purchasing.purchase_order_receive(
        company=company, by=storekeeper, order_id=order.pk, quantities={line.pk: quantity}, date=day
    )
    order.refresh_from_db()
    return order, receipt


def decisions(document, field="state"):
    """Who moved the document from which state to which, oldest first (the state-change log)."""
    return [(change.from_state, change.to_state, change.by) for change in state_history(document, field)]


def stock_of(company, item):
    """The item's one stock row (a single warehouse here): on hand, reserved, available, value."""
    (level,) = inventory_queries.stock_levels(company, item_ids=[item.pk])
    return level


@pytest.mark.parametrize("stock_method", ["continental", "perpetual"])
@translation.override("en")  # rule descriptions are asserted in English
def test_a_lead_becomes_a_customer_whose_order_is_delivered_invoiced_credited_and_collected(
    company, sales_user, manager_user, warehouse_user, make_user, stock_method
):
    salesperson, sales_manager, storekeeper = sales_user, manager_user, warehouse_user
    buyer = make_user("compras", "purchasing")
    open_for_business(company)
    # Stock in the ledger: continental (the Spanish default: purchases to 600, the change in inventory at
    # the period's end) or perpetual (an entry at every receipt and delivery). The story is the same.
    books = accounting_settings(company)
    books.stock_method = stock_method
    books.save(update_fields=["stock_method"])
    stock_settings = inventory.settings_of(company)
    warehouse = stock_settings.default_warehouse
    unit, hour = (Unit.objects.get(company=company, code=code) for code in ("ud", "h"))
    general_vat, reduced_vat = (
        TaxCategory.objects.get(company=company, code=code) for code in ("general", "reducido")
    )

    # 1. The catalog: a downlight kept in stock and valued FIFO, and its fitting in a home, a service sold by
    #    the hour at the reduced VAT (10 %) and costed at its standard cost.
    downlight = catalog.item_create(
        company=company, by=sales_manager, sku="LED-18", name="Foco LED empotrable 18 W", unit_id=unit.pk,
        sale_tax_id=general_vat.pk, purchase_tax_id=general_vat.pk, base_price=D("9.00"),
        valuation_method="fifo", min_margin=D("20"),
    )  # fmt: skip
    fitting = catalog.item_create(
        company=company, by=sales_manager, sku="MONTAJE-H", name="Montaje en vivienda", unit_id=hour.pk,
        kind="service", sale_tax_id=reduced_vat.pk, purchase_tax_id=reduced_vat.pk, base_price=D("35.00"),
        standard_cost=D("20.00"),
    )  # fmt: skip

    # 2. Stock received: 10 downlights at 5.00 in November, then 10 more at 6.00 after the supplier's rise.
    supplier = party_create(company=company, by=buyer, name="Iluminación Levante, S.A.", is_supplier=True)
    first_order, first_receipt = buy_and_receive(
        company, buyer=buyer, storekeeper=storekeeper, supplier=supplier, item=downlight,
        quantity="10", unit_price="5.00", day=date(2026, 11, 3),
    )  # fmt: skip
    second_order, second_receipt = buy_and_receive(
        company, buyer=buyer, storekeeper=storekeeper, supplier=supplier, item=downlight,
        quantity="10", unit_price="6.00", day=date(2026, 11, 24),
    )  # fmt: skip
    assert first_order.state == second_order.state == PurchaseOrder.State.RECEIVED
    # The buyer decided to confirm; "received" follows from the quantities, so it is no one's decision.
    assert decisions(first_order) == decisions(second_order) == [("draft", "confirmed", buyer)]
    in_stock = stock_of(company, downlight)
    assert in_stock.warehouse == warehouse
    # 10 x 5.00 + 10 x 6.00 = 110.00 for 20 units: 5.50 on average.
    assert (in_stock.on_hand, in_stock.reserved, in_stock.available) == (D(20), D(0), D(20))
    assert (in_stock.stock_value, in_stock.average_cost) == (D("110.00"), D("5.5"))

    # 3. The tariff: the 2026 price list, the company's default, takes 10 % off the downlight from 10 units.
    tariff = catalog.price_list_create(company=company, by=sales_manager, name="Tarifa 2026")
    volume_discount = catalog.price_rule_create(
        company=company, by=sales_manager, price_list_id=tariff.pk, scope="item", item_id=downlight.pk,
        min_quantity=D("10"), method="discount_base", value=D("10"),
    )  # fmt: skip
    catalog.price_list_set_default(company=company, price_list_id=tariff.pk)

    # 4. A new lead: a renovation firm asks, through the website, for the lighting of a flat it is
    #    renovating. The firm becomes a party (a lead) with its contact, and an opportunity opens.
    opportunity = crm.lead_capture(
        company=company, by=salesperson, name="Reformas Turia, S.L.", contact_name="Marta Climent",
        email="marta@reformasturia.es", phone="+34 963 000 111", source=Opportunity.Source.WEB,
        need="Iluminación de la vivienda de la calle Sueca",
    )  # fmt: skip
    lead = opportunity.party
    assert lead.status == Party.Status.LEAD
    assert [contact.name for contact in lead.contacts.all()] == ["Marta Climent"]
    assert (opportunity.title, opportunity.status, opportunity.amount) == (
        "Iluminación de la vivienda de la calle Sueca", Opportunity.Status.OPEN, D("0"),
    )  # fmt: skip
    assert (opportunity.stage.name, opportunity.owner) == ("Nuevo", salesperson)

    # The firm pays half at 30 days and half at 60: its terms as a customer, which its documents take (the
    # company's default, "30 días", would leave one due amount).
    half_and_half = PaymentTerm.objects.get(company=company, name="50 % a 30 días, 50 % a 60 días")
    party_profile_set(company=company, by=sales_manager, party_id=lead.pk, customer_term_id=half_and_half.pk)

    # 5. The quotation for the opportunity: 15 downlights and 4 hours of fitting.
    quotation = sales.quotation_create(
        company=company, by=salesperson, opportunity_id=opportunity.pk,
        lines=[{"item_id": downlight.pk, "quantity": "15"}, {"item_id": fitting.pk, "quantity": "4"}],
    )  # fmt: skip
    quotation.refresh_from_db()
    assert (quotation.party, quotation.state, quotation.price_list, quotation.warehouse) == (
        lead, Quotation.State.DRAFT, tariff, warehouse,
    )  # fmt: skip
    downlights, fitting_hours = quotation.lines.order_by("position")

    # The downlights: 15 units reach the 10-unit rule, 9.00 less 10 % = 8.10.
    assert (downlights.list_price, downlights.unit_price) == (D("8.10"), D("8.10"))
    assert downlights.price_rule_id == volume_discount.pk
    assert downlights.price_rule_text == "Item rule: 10 % off the base price from 10 units"
    # FIFO: the 10 units of the first receipt at 5.00, then 5 of the second at 6.00:
    # 50.00 + 30.00 = 80.00 for 15 units = 5.333333 a unit, frozen on the line.
    assert (downlights.unit_cost, downlights.cost_source) == (D("5.333333"), "fifo")
    assert [
        (D(part["quantity"]), D(part["unit_cost"]), part["reference"], part["date"])
        for part in downlights.cost_parts
    ] == [
        (D(10), D("5.00"), f"{first_receipt.number} ({first_order.number})", "2026-11-03"),
        (D(5), D("6.00"), f"{second_receipt.number} ({second_order.number})", "2026-11-24"),
    ]
    # Net 15 x 8.10 = 121.50; cost 15 x 5.333333 = 79.999995 -> 80.00; margin 41.50, 41.50 / 121.50 = 34.16 %.
    assert (downlights.tax_rate, downlights.net, downlights.cost) == (D("21"), D("121.50"), D("80.00"))
    assert (downlights.margin, downlights.margin_percent, downlights.below_min_margin) == (
        D("41.50"), D("34.16"), False,
    )  # fmt: skip

    # The fitting: no rule in the tariff for it, its base price 35.00; no stock, so its standard cost 20.00.
    assert (fitting_hours.unit_price, fitting_hours.price_rule_id) == (D("35.00"), None)
    assert fitting_hours.price_rule_text == "No rule: base sale price"
    assert (fitting_hours.unit_cost, fitting_hours.cost_source) == (D("20.00"), "standard")
    # Net 4 x 35.00 = 140.00; cost 4 x 20.00 = 80.00; margin 60.00, 60.00 / 140.00 = 42.86 %.
    assert (fitting_hours.tax_rate, fitting_hours.net) == (D("10"), D("140.00"))
    assert (fitting_hours.cost, fitting_hours.margin, fitting_hours.margin_percent) == (
        D("80.00"), D("60.00"), D("42.86"),
    )  # fmt: skip

    # The quotation: net 121.50 + 140.00 = 261.50. VAT per rate: 21 % of 121.50 = 25.515 -> 25.52, and
    # 10 % of 140.00 = 14.00; tax 39.52, total 301.02. Cost 80.00 + 80.00 = 160.00, margin 101.50,
    # 101.50 / 261.50 = 38.81 %.
    assert quotation.taxes == [
        {"rate": "21.00", "base": "121.50", "tax": "25.52"},
        {"rate": "10.00", "base": "140.00", "tax": "14.00"},
    ]
    assert (quotation.net, quotation.tax, quotation.total) == (D("261.50"), D("39.52"), D("301.02"))
    assert (quotation.cost, quotation.margin) == (D("160.00"), D("101.50"))
    assert quotation.margin_percent == D("38.81")
    assert stock_of(company, downlight).reserved == D(0)  # a quotation reserves nothing

    # 6. Sent to the lead (marked sent: the e-mail itself is the mail server's business).
    sales.quotation_mark_sent(
        company=company, by=salesperson, quotation_id=quotation.pk, sent_to="marta@reformasturia.es"
    )
    quotation.refresh_from_db()
    assert (quotation.state, quotation.sent_to) == (Quotation.State.SENT, "marta@reformasturia.es")

    # 7. Accepted: the opportunity is won with the quotation's net, the lead becomes a customer, and the
    #    sales order takes the quotation's lines, prices and frozen costs.
    order = sales.quotation_accept(company=company, by=salesperson, quotation_id=quotation.pk)
    quotation.refresh_from_db()
    opportunity.refresh_from_db()
    lead.refresh_from_db()
    assert quotation.state == Quotation.State.ACCEPTED
    assert (opportunity.status, opportunity.amount, opportunity.probability) == (
        Opportunity.Status.WON, D("261.50"), D("100"),
    )  # fmt: skip
    assert (opportunity.stage.kind, opportunity.closed_on) == (Stage.Kind.WON, timezone.localdate())
    assert lead.status == Party.Status.CUSTOMER
    assert decisions(quotation) == [("draft", "sent", salesperson), ("sent", "accepted", salesperson)]
    assert decisions(opportunity, "status") == [("open", "won", salesperson)]

    order.refresh_from_db()
    assert (order.quotation, order.party, order.opportunity, order.salesperson, order.warehouse) == (
        quotation, lead, opportunity, salesperson, warehouse,
    )  # fmt: skip
    assert (order.net, order.tax, order.total, order.cost, order.margin) == (
        D("261.50"), D("39.52"), D("301.02"), D("160.00"), D("101.50"),
    )  # fmt: skip
    assert order.taxes == quotation.taxes

    def as_sold(line):
        return (
            line.position, line.item_id, line.description, line.quantity, line.unit_price, line.tax_rate,
            line.net, line.unit_cost, line.cost_source, line.margin,
        )  # fmt: skip

    assert [as_sold(line) for line in order.lines.all()] == [
        as_sold(line) for line in quotation.lines.order_by("position")
    ]
    assert [(line.quantity, line.unit_price, line.unit_cost, line.margin) for line in order.lines.all()] == [
        (D(15), D("8.10"), D("5.333333"), D("41.50")),
        (D(4), D("35.00"), D("20.00"), D("60.00")),
    ]

    # The downlights are reserved in the warehouse on a draft delivery note (a draft move to the customer);
    # the fitting, a service, reserves nothing. On hand 20, reserved 15, available 20 - 15 = 5.
    (delivery_note,) = order.deliveries.all()
    (planned_delivery,) = StockMove.objects.filter(origin_type="delivery", origin_id=delivery_note.pk)
    assert (planned_delivery.item_id, planned_delivery.quantity, planned_delivery.state) == (
        downlight.pk, D(15), StockMove.State.DRAFT,
    )  # fmt: skip
    assert (planned_delivery.from_location_id, planned_delivery.to_location_id) == (
        warehouse.stock_location_id, stock_settings.customer_location_id,
    )  # fmt: skip
    assert (planned_delivery.origin_label, planned_delivery.date) == (
        f"{delivery_note.number} ({order.number})", order.date,
    )  # fmt: skip
    reserved = stock_of(company, downlight)
    assert (reserved.on_hand, reserved.reserved, reserved.available) == (D(20), D(15), D(5))
    assert reserved.stock_value == D("110.00")  # nothing has left the warehouse yet

    # ── From the order to the invoice ──────────────────────────────────────────────────────────────────────
    accountant = make_user("contabilidad", "accounting")
    year = timezone.localdate().year

    # 8. The warehouse ships what the van takes today: 10 of the 15 downlights. The rest stays on a
    #    backorder, a new draft delivery note that keeps them reserved. FIFO: the 10 units of the first
    #    receipt at 5.00 leave first, a cost of goods sold of 50.00.
    (note_line,) = delivery_note.lines.all()
    first = sales.delivery_validate(
        company=company, by=storekeeper, delivery_id=delivery_note.pk, quantities={note_line.pk: D(10)}
    )
    assert first.state == Delivery.State.DONE and first.cost == D("50.00")
    (shipped,) = first.lines.all()
    assert (shipped.quantity, shipped.unit_cost, shipped.cost) == (D(10), D("5.00"), D("50.00"))
    (backorder,) = Delivery.objects.filter(backorder_of=first)
    (waiting,) = backorder.lines.all()
    assert (backorder.state, waiting.quantity, waiting.order_line_id) == (
        Delivery.State.DRAFT,
        D(5),
        shipped.order_line_id,
    )
    order.refresh_from_db()
    downlight_line, fitting_line = order.lines.order_by("position")
    assert (downlight_line.delivered, downlight_line.delivered_cost) == (D(10), D("50.00"))
    assert (order.delivery_state, order.invoice_state) == ("partial", "to_invoice")
    # On hand 20 - 10 = 10 (the second receipt, 10 x 6.00 = 60.00), 5 of them still reserved.
    left = stock_of(company, downlight)
    assert (left.on_hand, left.reserved, left.available, left.stock_value) == (D(10), D(5), D(5), D("60.00"))

    # 9. The backorder leaves the next day: everything available, the 5 units at 6.00 = 30.00.
    second = sales.delivery_validate(company=company, by=storekeeper, delivery_id=backorder.pk)
    assert (second.state, second.cost) == (Delivery.State.DONE, D("30.00"))
    order.refresh_from_db()
    downlight_line.refresh_from_db()
    assert (downlight_line.delivered, downlight_line.delivered_cost) == (D(15), D("80.00"))
    assert order.delivery_state == "delivered" and order.delivered_cost == D("80.00")
    assert not Delivery.objects.filter(order=order, state=Delivery.State.DRAFT).exists()  # no empty backorder

    # 10. One invoice for both deliveries and the fitting. The lead came in without a tax id or a billing
    #     address: posting refuses it, and nothing is numbered.
    invoice = invoicing.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk])
    assert [(line.order_line_id, line.quantity, line.unit_price, line.net, line.vat_rate) for line in invoice.lines.order_by("position")] == [
        (downlight_line.pk, D(15), D("8.10"), D("121.50"), D("21.00")),
        (fitting_line.pk, D(4), D("35.00"), D("140.00"), D("10.00")),
    ]  # fmt: skip
    with pytest.raises(ValidationFailed):
        invoicing.invoice_post(company=company, by=accountant, invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert (invoice.state, invoice.number, invoice.sequence) == (Invoice.State.DRAFT, "", None)
    party_update(company=company, party_id=lead.pk, by=salesperson, tax_id="B97012348")
    address_create(
        party=lead, by=salesperson, kind="billing", street="Calle de Sueca, 42", postal_code="46006",
        city="Valencia", province="Valencia", country="ES", is_default=True,
    )  # fmt: skip
    invoice = invoicing.invoice_post(company=company, by=accountant, invoice_id=invoice.pk)
    # 21 % of 121.50 = 25.515 -> 25.52; 10 % of 140.00 = 14.00: total 261.50 + 39.52 = 301.02.
    assert (invoice.number, invoice.invoice_type, invoice.party_tax_id) == (
        f"F-{year}-000001",
        "F1",
        "B97012348",
    )
    assert "Calle de Sueca, 42" in invoice.party_address
    assert taxes_of(invoice) == [
        ("vat", D("21.00"), D("121.50"), D("25.52"), D("0")),
        ("vat", D("10.00"), D("140.00"), D("14.00"), D("0")),
    ]
    assert (invoice.base, invoice.vat, invoice.recargo, invoice.withholding) == (
        D("261.50"),
        D("39.52"),
        D(0),
        D(0),
    )
    assert (invoice.total, invoice.amount_due) == (D("301.02"), D("301.02"))
    order.refresh_from_db()
    assert (order.invoice_state, order.invoiced_net, order.state) == (
        "invoiced",
        D("261.50"),
        SalesOrder.State.DONE,
    )

    # 11. Two downlights arrive with their packaging broken: they come back into stock at the 6.00 they left
    #     with (the second delivery's cost), and the order's cost of goods drops to 80.00 - 12.00 = 68.00.
    (second_line,) = second.lines.all()
    returned = sales.delivery_return(
        company=company, by=storekeeper, delivery_id=second.pk, quantities={second_line.pk: D(2)},
        reason="Embalaje roto en el transporte",
    )  # fmt: skip
    (back,) = returned.lines.all()
    assert (returned.kind, returned.return_of, back.unit_cost, back.cost) == (
        "return",
        second,
        D("6.00"),
        D("12.00"),
    )
    back_in = stock_of(company, downlight)
    assert (back_in.on_hand, back_in.stock_value) == (D(7), D("42.00"))  # 5 + 2 units, all at 6.00

    # 12. A credit note for the return, in its own series, refers to the invoice and says why:
    #     -2 x 8.10 = -16.20, VAT 21 % -3.40 (3.402), total -19.60.
    credit = invoicing.credit_note_create(
        company=company, by=accountant, invoice_id=invoice.pk, reason="Devolución de dos focos dañados",
        return_id=returned.pk,
    )  # fmt: skip
    credit = invoicing.invoice_post(company=company, by=accountant, invoice_id=credit.pk)
    assert (credit.number, credit.kind, credit.invoice_type, credit.corrects) == (
        f"R-{year}-000001", "credit_note", "R4", invoice,
    )  # fmt: skip
    assert (credit.base, credit.vat, credit.total) == (D("-16.20"), D("-3.40"), D("-19.60"))
    with pytest.raises(Conflict):  # a posted invoice never changes
        invoicing.invoice_update(company=company, by=accountant, invoice_id=invoice.pk, notes="cambio")

    # 13. Quoted against realised margin. The downlights: 13 kept and invoiced, 105.30 (121.50 - 16.20)
    #     against the 68.00 they cost: 37.30, 35.42 %. The fitting: 140.00 against 4 x 20.00: 60.00.
    #     The order: 245.30 - 148.00 = 97.30, 39.67 %, where the quotation promised 101.50 on 261.50 (38.81 %).
    order.refresh_from_db()
    downlight_line.refresh_from_db()
    assert (downlight_line.returned, downlight_line.invoiced, downlight_line.invoiced_net) == (
        D(2),
        D(13),
        D("105.30"),
    )
    realised = margins_of(order)
    assert [
        (line.quantity, line.net, line.cost, line.margin, line.margin_percent) for line in realised.lines
    ] == [
        (D(13), D("105.30"), D("68.00"), D("37.30"), D("35.42")),
        (D(4), D("140.00"), D("80.00"), D("60.00"), D("42.86")),
    ]
    assert (realised.net, realised.cost, realised.margin, realised.margin_percent) == (
        D("245.30"), D("148.00"), D("97.30"), D("39.67"),
    )  # fmt: skip

    # 14. Two other customers, two other taxes. A lighting shop in the recargo de equivalencia regime buys
    #     10 downlights at 10.00: base 100.00, VAT 21.00, recargo 5.2 % 5.20, total 126.20.
    shop = party_create(
        company=company, by=salesperson, name="Electro Hogar Martínez", kind="person", tax_id="B46555553",
        subject_to_recargo=True, status="customer",
        addresses=[{"kind": "billing", "street": "Avenida del Puerto, 3", "postal_code": "46021", "city": "Valencia",
                    "province": "Valencia", "country": "ES", "is_default": True}],
    )  # fmt: skip
    shop_invoice = invoicing.invoice_create(
        company=company, by=accountant, party_id=shop.pk,
        lines=[invoicing.InvoiceLineInput(item_id=downlight.pk, description=downlight.name, quantity=D(10), unit_price=D("10.00"))],
    )  # fmt: skip
    shop_invoice = invoicing.invoice_post(company=company, by=accountant, invoice_id=shop_invoice.pk)
    assert taxes_of(shop_invoice) == [("vat", D("21.00"), D("100.00"), D("21.00"), D("5.20"))]
    assert (shop_invoice.number, shop_invoice.total, shop_invoice.amount_due) == (
        f"F-{year}-000002",
        D("126.20"),
        D("126.20"),
    )

    #     A lighting design, a professional service from which an architects' firm withholds IRPF 15 %:
    #     base 1,000.00, VAT 210.00, total 1,210.00, withheld 150.00: the firm pays 1,060.00.
    design = catalog.item_create(
        company=company, by=sales_manager, sku="PROYECTO-ILUM", name="Proyecto de iluminación", unit_id=unit.pk,
        kind="service", sale_tax_id=general_vat.pk, purchase_tax_id=general_vat.pk, base_price=D("1000.00"),
        standard_cost=D("600.00"), irpf_rate=D("15"),
    )  # fmt: skip
    architects = party_create(
        company=company, by=salesperson, name="Estudio Arquitectura Turia, S.L.P.", tax_id="B96333331",
        withholds_irpf=True, status="customer",
        addresses=[{"kind": "billing", "street": "Gran Vía Marqués del Turia, 49", "postal_code": "46005",
                    "city": "Valencia", "province": "Valencia", "country": "ES", "is_default": True}],
    )  # fmt: skip
    design_invoice = invoicing.invoice_create(
        company=company, by=accountant, party_id=architects.pk,
        lines=[invoicing.InvoiceLineInput(item_id=design.pk, description=design.name, quantity=D(1), unit_price=D("1000.00"))],
    )  # fmt: skip
    design_invoice = invoicing.invoice_post(company=company, by=accountant, invoice_id=design_invoice.pk)
    assert taxes_of(design_invoice) == [
        ("vat", D("21.00"), D("1000.00"), D("210.00"), D("0")), ("irpf", D("15.00"), D("1000.00"), D("150.00"), D("0")),
    ]  # fmt: skip
    assert (design_invoice.number, design_invoice.total, design_invoice.withholding, design_invoice.amount_due) == (
        f"F-{year}-000003", D("1210.00"), D("150.00"), D("1060.00"),
    )  # fmt: skip

    # ── The ledger of the whole story ──────────────────────────────────────────────────────────────────────
    #
    # 15. Every posted invoice made its journal entry in the sales journal (VEN; credit notes in VEN-R), each
    #     numbered in date order:
    #     F-1   D 4300 301.02 (the renovation firm)      C 700 121.50 (downlights)  C 705 140.00 (fitting)
    #                                                     C 4770 25.52 (21 %)        C 4770 14.00 (10 %)
    #     R-1   D 7080 16.20 (sales returns)  D 4770 3.40                            C 4300 19.60
    #     F-2   D 4300 126.20 (the shop)                  C 700 100.00  C 4770 21.00  C 4771 5.20 (recargo)
    #     F-3   D 4300 1,060.00  D 473 150.00 (IRPF the architects withhold)  C 705 1,000.00  C 4770 210.00
    expected = {
        "4300": (D("1487.22"), D("19.60")), "473": (D("150.00"), D(0)), "700": (D(0), D("221.50")),
        "705": (D(0), D("1140.00")), "7080": (D("16.20"), D(0)), "4770": (D("3.40"), D("270.52")),
        "4771": (D(0), D("5.20")),
    }  # fmt: skip
    if stock_method == "perpetual":
        # Perpetual: the stock journal (EXI) follows every move at its valuation: the receipts D 300 / C 600
        # (50.00 and 60.00), the deliveries D 610 / C 300 at FIFO (50.00 and 30.00), the return D 300 / C 610
        # at the 6.00 the two downlights left with (12.00). 300 holds 110 - 80 + 12 = 42.00, the stock value.
        expected |= {
            "300": (D("122.00"), D("80.00")), "600": (D(0), D("110.00")), "610": (D("80.00"), D("12.00")),
        }  # fmt: skip
        assert stock_of(company, downlight).stock_value == D("42.00")
    # Continental: no stock entry until the period's end; the receipts wait for the supplier's invoice (600).
    assert ledger_of(company) == expected
    # Each entry names its document, and the document finds its entry: one entry per invoice.
    entries = entries_of(
        company, "invoicing.invoice", [invoice.pk, credit.pk, shop_invoice.pk, design_invoice.pk]
    )
    assert [entries[document.pk][0].number for document in (invoice, credit, shop_invoice, design_invoice)] == [
        f"VEN/{year}/000001", f"VEN-R/{year}/000001", f"VEN/{year}/000002", f"VEN/{year}/000003",
    ]  # fmt: skip
    assert entries[credit.pk][0].origin_number == credit.number
    # The firm's balance on 4300 is what it owes: its invoice less its credit note, 301.02 - 19.60 = 281.42.
    assert party_balance(company, "4300", lead) == invoice.amount_due + credit.amount_due == D("281.42")

    # ── From the invoice to cash ───────────────────────────────────────────────────────────────────────────
    #
    # 16. Posting left what the firm owes as due amounts: the invoice in two installments, 301.02 / 2 =
    #     150.51 at 30 days and 150.51 at 60; the credit note one of -19.60 on its date.
    (first_due, second_due), (credit_due,) = (
        list(DueAmount.objects.filter(origin_model="invoicing.invoice", origin_id=document.pk).order_by("installment"))
        for document in (invoice, credit)
    )  # fmt: skip
    assert [(due.installment, due.installments, due.due_date, due.amount, due.state) for due in (first_due, second_due)] == [
        (1, 2, invoice.date + timedelta(days=30), D("150.51"), DueAmount.State.OPEN),
        (2, 2, invoice.date + timedelta(days=60), D("150.51"), DueAmount.State.OPEN),
    ]  # fmt: skip
    assert (credit_due.amount, credit_due.due_date, credit_due.party) == (D("-19.60"), credit.date, lead)
    assert open_balance(company, lead.pk) == D("281.42") == party_balance(company, "4300", lead)
    # The company's bank account, with the SEPA creditor identifier its bank gave it (from its tax id); it
    # posts to its own sub-account of 572.
    bank = bank_account_save(
        company=company, by=accountant, name="CaixaBank", iban="ES26 2100 0418 4845 0200 0512", bic="CAIXESBB",
        creditor_id=creditor_id_for("ES", company.tax_id, "ZZZ"),
    )  # fmt: skip
    assert bank.account.code == "5720001"

    # 17. The first installment is collected by SEPA direct debit: the firm signs a mandate, and the
    #     installment goes into a remittance charged on its due date, whose pain.008 file for the bank
    #     validates against the schema.
    mandate = sepa.mandate_save(
        company=company, by=accountant, party_id=lead.pk, reference="TURIA-0001", iban="ES02 2100 0418 4101 2345 6789",
        signed_on=timezone.localdate(),
    )  # fmt: skip
    assert (mandate.sequence_type, mandate.scheme) == ("FRST", "CORE")  # its first collection, core scheme
    remittance = sepa.remittance_create(
        company=company, by=accountant, bank_account_id=bank.pk, charge_date=first_due.due_date,
        due_ids=[first_due.pk],
    )  # fmt: skip
    first_due.refresh_from_db()
    assert (remittance.total, first_due.state) == (D("150.51"), DueAmount.State.REMITTED)
    pain008 = sepa.remittance_file(company, remittance.pk)
    xmlschema.XMLSchema(str(SEPA_SCHEMA)).validate(pain008.decode())  # raises when invalid
    assert b'<InstdAmt Ccy="EUR">150.51</InstdAmt>' in pain008 and b"<MndtId>TURIA-0001</MndtId>" in pain008
    assert b"<SeqTp>FRST</SeqTp>" in pain008 and b"<IBAN>ES0221000418410123456789</IBAN>" in pain008
    with pytest.raises(Conflict):  # not before the bank has charged it
        sepa.remittance_post(company=company, by=accountant, remittance_id=remittance.pk)
    with the_day_is(first_due.due_date):
        sepa.remittance_post(company=company, by=accountant, remittance_id=remittance.pk)
    first_due.refresh_from_db()
    mandate.refresh_from_db()
    assert (first_due.paid, first_due.state, mandate.sequence_type) == (
        D("150.51"),
        DueAmount.State.PAID,
        "RCUR",
    )
    assert open_balance(company, lead.pk) == D("130.91")  # 281.42 - 150.51

    # 18. The credit note is set off against the second installment (no money moves: both sit on 4300, so
    #     no entry either), which leaves 150.51 - 19.60 = 130.91 to collect.
    payment_record(
        company=company, by=accountant, direction=Direction.RECEIVABLE, party_id=lead.pk, date=credit.date,
        amount=D(0), method=Payment.Method.OFFSET,
        allocations=[Match(credit_due.pk, D("-19.60")), Match(second_due.pk, D("19.60"))],
    )  # fmt: skip
    second_due.refresh_from_db()
    assert (second_due.paid, second_due.state, second_due.remaining) == (
        D("19.60"), DueAmount.State.PARTIAL, D("130.91"),
    )  # fmt: skip

    # 19. The firm transfers the rest, 130.91, on the second due date. The bank's Norma 43 statement shows
    #     it among other movements; imported, its line is matched by amount, invoice number and name to the
    #     second installment, and the accountant confirms the proposal: that records the receipt.
    movements = ParsedStatement(
        iban=bank.iban, currency="EUR", opening=D("5000.00"),
        lines=[
            ParsedLine(1, second_due.due_date, D("-12.10"), reference="COMISION", description="Comisión mantenimiento"),
            ParsedLine(2, second_due.due_date, D("130.91"), reference=invoice.number,
                       counterparty="REFORMAS TURIA SL", description=f"Pago factura {invoice.number}"),
        ],
    )  # fmt: skip
    statement = statements.statement_import(
        company=company, by=accountant, bank_account_id=bank.pk, file_name="caixabank.n43",
        content=norma43.render(movements, name="SUMINISTROS PRUEBA SL"),
    )  # fmt: skip
    charges_line, transfer_line = statement.lines.order_by("line_number")
    assert (statement.format, transfer_line.amount, transfer_line.date) == (
        "norma43",
        D("130.91"),
        second_due.due_date,
    )
    proposals = statements.statement_proposals(company, statement.pk)
    assert charges_line.pk not in proposals  # no due amount explains the bank's charges
    assert (proposals[transfer_line.pk].due_ids, proposals[transfer_line.pk].amount) == (
        (second_due.pk,),
        D("130.91"),
    )
    statements.line_confirm(company=company, by=accountant, line_id=transfer_line.pk)
    transfer_line.refresh_from_db()
    second_paid = transfer_line.payment
    second_due.refresh_from_db()
    credit_due.refresh_from_db()
    assert (second_paid.amount, second_paid.party, second_paid.date) == (
        D("130.91"),
        lead,
        second_due.due_date,
    )
    assert (second_due.state, credit_due.state) == (DueAmount.State.PAID, DueAmount.State.PAID)

    # 20. Collected: the firm owes nothing, on the due amounts and on 4300 alike. The bank (5720001) received
    #     150.51 + 130.91 = 281.42, credited to 4300 in the bank journal (BAN): the remittance's entry on
    #     the first due date, the receipt's on the second. 4300 now holds 1,487.22 debit against
    #     19.60 + 281.42 = 301.02 credit (the shop's and the architects' invoices are still open).
    assert open_balance(company, lead.pk) == D(0) == party_balance(company, "4300", lead)
    expected |= {"4300": (D("1487.22"), D("301.02")), "5720001": (D("281.42"), D(0))}
    assert ledger_of(company) == expected
    (remittance_entry,) = entries_of(company, "payments.remittance", [remittance.pk])[remittance.pk]
    (receipt_entry,) = entries_of(company, "payments.payment", [second_paid.pk])[second_paid.pk]
    assert [(entry.journal.code, entry.date, entry.total) for entry in (remittance_entry, receipt_entry)] == [
        ("BAN", first_due.due_date, D("150.51")), ("BAN", second_due.due_date, D("130.91")),
    ]  # fmt: skip
    # The bank's charges are still on the statement, to be posted to an account.
    charges_line.refresh_from_db()
    assert charges_line.state == StatementLine.State.OPEN


@contextmanager
def the_day_is(day):
    """The story jumps ahead to `day` (what the services read as today)."""
    with mock.patch.object(timezone, "localdate", return_value=day):
        yield


def ledger_of(company):
    """Every posted line summed per account: code → (debit, credit), accounts without lines left out."""
    sums = (
        EntryLine.objects.filter(company=company, posted=True)
        .values("account__code")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    return {row["account__code"]: (row["debit"], row["credit"]) for row in sums}


def party_balance(company, code, party):
    """A party's balance (debit minus credit) on an account."""
    sums = EntryLine.objects.filter(company=company, posted=True, account__code=code, party=party).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    return sums["debit"] - sums["credit"]


def taxes_of(invoice):
    """The invoice's tax groups: kind, rate, base, amount and recargo; VAT first, highest rate first."""
    return [
        (tax.kind, tax.rate, tax.base, tax.amount, tax.recargo)
        for tax in sorted(invoice.taxes.all(), key=lambda tax: (tax.kind != "vat", -tax.rate))
    ]


def margins_of(order):
    """The order's realised margin, line by line, as the order page shows it."""
    lines = list(order.lines.select_related("item").order_by("position"))
    return sales_rules.realised_margin([
        sales_rules.RealisedInput(
            stocked=line.item.kind == "stocked", delivered=line.delivered, returned=line.returned,
            invoiced=line.invoiced, delivered_cost=line.delivered_cost, invoiced_net=line.invoiced_net,
            unit_cost=line.unit_cost,
        )
        for line in lines
    ])  # fmt: skip
