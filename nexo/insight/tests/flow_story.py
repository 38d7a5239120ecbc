"""The story the document-flow tests walk, told through the same services the pages and the API call.

A renovation firm asks for the lighting of a flat (an opportunity). The quotation is sent, revised (v2) and
accepted: the order reserves 15 downlights where the warehouse holds 10, so the 5 short are bought from the
supplier for the order. 10 leave at once, the 5 others (a backorder) once the purchase is received; the
supplier's invoice for them is posted and paid. One invoice bills the order, due in two halves; 2 downlights
come back and are credited. The first half is collected by a SEPA remittance (together with another
customer's invoice), the credit note is set off against the second half, and a transfer pays the rest.
Stock is accounted perpetually, so deliveries and receipts post entries too.

Beside the chain and not part of it: the purchase that brought the first 10 downlights into stock, and the
other customer's invoice and collection.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from nexo.accounting.models import Entry, PaymentTerm
from nexo.accounting.services.ledger import settings_of as accounting_settings
from nexo.accounting.services.payment_terms import party_profile_set
from nexo.catalog import services as catalog
from nexo.catalog.models import TaxCategory, Unit
from nexo.core.modules import nexo_modules
from nexo.crm import services as crm
from nexo.inventory import services as inventory
from nexo.invoicing import services as invoicing
from nexo.invoicing.models import Invoice, SupplierInvoice
from nexo.parties.models import Party
from nexo.parties.services import party_create
from nexo.payments.models import BankAccount, Direction, DueAmount, Payment, Remittance
from nexo.payments.rules.sepa import creditor_id_for
from nexo.payments.services import sepa
from nexo.payments.services.bank_accounts import bank_account_save
from nexo.payments.services.payments import Match, payment_record
from nexo.purchasing import services as purchasing
from nexo.purchasing.models import PurchaseOrder, Receipt
from nexo.sales import services as sales
from nexo.sales.models import Delivery, Quotation, SalesOrder

D = Decimal
BILLING = {"kind": "billing", "street": "Calle de Sueca, 42", "postal_code": "46006", "city": "Valencia",
           "province": "Valencia", "country": "ES", "is_default": True}  # fmt: skip


@contextmanager
def the_day_is(day):
    """The story jumps ahead to `day` (what the services read as today)."""
    with mock.patch.object(timezone, "localdate", return_value=day):
        yield


@dataclass
class Story:
    customer: Party
    opportunity: object
    first_version: Quotation
    quotation: Quotation
    order: SalesOrder
    purchase: PurchaseOrder
    purchase_receipt: Receipt
    supplier_invoice: SupplierInvoice
    supplier_due: DueAmount
    supplier_payment: Payment
    delivery: Delivery
    backorder: Delivery
    returned: Delivery
    invoice: Invoice
    credit_note: Invoice
    first_half: DueAmount
    second_half: DueAmount
    credit_due: DueAmount
    remittance: Remittance
    collected: Payment
    offset: Payment
    transfer: Payment
    # Beside the chain
    stock_purchase: PurchaseOrder
    other_invoice: Invoice
    other_collected: Payment

    def entries_of(self, document) -> list[Entry]:
        label = document._meta.label_lower
        return list(Entry.objects.filter(origin_model=label, origin_id=document.pk).order_by("pk"))


def open_for_business(company):
    for module in nexo_modules():
        module.setup_company(company)


def tell_story(company, by) -> Story:
    """The whole story, every step done by `by` (a manager: every role's permissions)."""
    open_for_business(company)
    books = accounting_settings(company)
    books.stock_method = "perpetual"
    books.save(update_fields=["stock_method"])
    today = timezone.localdate()
    unit = Unit.objects.get(company=company, code="ud")
    vat = TaxCategory.objects.get(company=company, code="general")
    downlight = catalog.item_create(
        company=company, by=by, sku="LED-18", name="Foco LED empotrable 18 W", unit_id=unit.pk,
        sale_tax_id=vat.pk, purchase_tax_id=vat.pk, base_price=D("9.00"), valuation_method="fifo",
    )  # fmt: skip
    supplier = party_create(
        company=company, by=by, name="Iluminación Levante, S.A.", is_supplier=True, tax_id="A46000006",
        addresses=[{**BILLING, "street": "Polígono Fuente del Jarro, 8"}],
    )  # fmt: skip
    purchasing.supplier_price_create(
        company=company, by=by, item_id=downlight.pk, supplier_id=supplier.pk, unit_price=D("6.00")
    )
    purchasing.item_purchasing_set(
        company=company, by=by, item_id=downlight.pk, preferred_supplier=supplier.pk
    )

    # Stock bought before the sale: not part of its chain.
    stock_purchase = purchasing.purchase_order_create(
        company=company, by=by, supplier_id=supplier.pk, date=today - timedelta(days=20),
        lines=[{"item_id": downlight.pk, "quantity": "10", "unit_price": "5.00"}],
    )  # fmt: skip
    stock_purchase = purchasing.purchase_order_confirm(company=company, by=by, order_id=stock_purchase.pk)
    (stock_line,) = stock_purchase.lines.all()
    purchasing.purchase_order_receive(
        company=company, by=by, order_id=stock_purchase.pk, quantities={stock_line.pk: D(10)},
        date=today - timedelta(days=20),
    )  # fmt: skip

    # The lead, its opportunity, the quotation in two versions, the order.
    customer = party_create(
        company=company, by=by, name="Reformas Turia, S.L.", tax_id="B97012348", addresses=[BILLING]
    )
    halves = PaymentTerm.objects.get(company=company, name="50 % a 30 días, 50 % a 60 días")
    party_profile_set(company=company, by=by, party_id=customer.pk, customer_term_id=halves.pk)
    opportunity = crm.opportunity_create(
        company=company, by=by, party_id=customer.pk, title="Iluminación calle Sueca", owner_id=by.pk,
        amount=D("200.00"), expected_close=today + timedelta(days=30),
    )  # fmt: skip
    first_version = sales.quotation_create(
        company=company, by=by, opportunity_id=opportunity.pk,
        lines=[{"item_id": downlight.pk, "quantity": "15"}],
    )  # fmt: skip
    sales.quotation_mark_sent(company=company, by=by, quotation_id=first_version.pk, sent_to="obra@turia.es")
    quotation = sales.quotation_revise(company=company, by=by, quotation_id=first_version.pk)
    sales.quotation_mark_sent(company=company, by=by, quotation_id=quotation.pk, sent_to="obra@turia.es")
    order = sales.quotation_accept(company=company, by=by, quotation_id=quotation.pk)

    # 5 short: bought for the order; 10 leave now, the 5 others once received.
    (bought,) = sales.sales_order_buy_shortages(company=company, by=by, order_id=order.pk)
    purchase = purchasing.purchase_order_confirm(company=company, by=by, order_id=bought.purchase_order.pk)
    (delivery,) = order.deliveries.all()
    (delivery_line,) = delivery.lines.all()
    delivery = sales.delivery_validate(
        company=company, by=by, delivery_id=delivery.pk, quantities={delivery_line.pk: D(10)}
    )
    (purchase_line,) = purchase.lines.all()
    purchase_receipt = purchasing.purchase_order_receive(
        company=company, by=by, order_id=purchase.pk, quantities={purchase_line.pk: D(5)}
    )
    backorder = sales.delivery_validate(
        company=company, by=by, delivery_id=Delivery.objects.get(backorder_of=delivery).pk
    )
    supplier_invoice = invoicing.supplier_invoice_from_orders(
        company=company, by=by, order_ids=[purchase.pk], supplier_number="FP-778", date=today
    )
    supplier_invoice = invoicing.supplier_invoice_post(company=company, by=by, invoice_id=supplier_invoice.pk)
    bank = bank_account_save(
        company=company, by=by, name="CaixaBank", iban="ES26 2100 0418 4845 0200 0512", bic="CAIXESBB",
        creditor_id=creditor_id_for("ES", company.tax_id, "ZZZ"),
    )  # fmt: skip
    (supplier_due,) = DueAmount.objects.filter(
        origin_model="invoicing.supplierinvoice", origin_id=supplier_invoice.pk
    )
    supplier_payment = payment_record(
        company=company, by=by, direction=Direction.PAYABLE, party_id=supplier.pk, date=supplier_due.due_date,
        amount=supplier_due.amount, bank_account_id=bank.pk, allocations=[Match(supplier_due.pk, supplier_due.amount)],
    )  # fmt: skip

    # Invoiced, 2 returned and credited.
    invoice = invoicing.invoice_from_orders(company=company, by=by, order_ids=[order.pk])
    invoice = invoicing.invoice_post(company=company, by=by, invoice_id=invoice.pk)
    (backorder_line,) = backorder.lines.all()
    returned = sales.delivery_return(
        company=company, by=by, delivery_id=backorder.pk, quantities={backorder_line.pk: D(2)},
        reason="Embalaje roto",
    )  # fmt: skip
    credit_note = invoicing.credit_note_create(
        company=company, by=by, invoice_id=invoice.pk, reason="Devolución de dos focos", return_id=returned.pk
    )
    credit_note = invoicing.invoice_post(company=company, by=by, invoice_id=credit_note.pk)
    first_half, second_half = DueAmount.objects.filter(origin_model="invoicing.invoice", origin_id=invoice.pk)
    (credit_due,) = DueAmount.objects.filter(origin_model="invoicing.invoice", origin_id=credit_note.pk)

    # Another customer's invoice, collected in the same remittance.
    other = party_create(
        company=company, by=by, name="Electro Hogar Martínez", tax_id="B46555553", status="customer",
        addresses=[{**BILLING, "street": "Avenida del Puerto, 3"}],
    )  # fmt: skip
    party_profile_set(company=company, by=by, party_id=other.pk, customer_term_id=halves.pk)
    other_invoice = invoicing.invoice_create(
        company=company, by=by, party_id=other.pk,
        lines=[invoicing.InvoiceLineInput(item_id=downlight.pk, description="Focos", quantity=D(2), unit_price=D("10.00"))],
    )  # fmt: skip
    other_invoice = invoicing.invoice_post(company=company, by=by, invoice_id=other_invoice.pk)
    other_due = DueAmount.objects.filter(origin_model="invoicing.invoice", origin_id=other_invoice.pk).first()

    # Collected: a remittance of the first half (and the other customer's), the credit note set off
    # against the second half, a transfer for the rest.
    for party, reference, iban in (
        (customer, "TURIA-0001", "ES02 2100 0418 4101 2345 6789"),
        (other, "MARTINEZ-0001", "ES91 2100 0418 4502 0005 1332"),
    ):
        sepa.mandate_save(
            company=company, by=by, party_id=party.pk, reference=reference, iban=iban, signed_on=today
        )
    remittance = sepa.remittance_create(
        company=company, by=by, bank_account_id=bank.pk, charge_date=first_half.due_date,
        due_ids=[first_half.pk, other_due.pk],
    )  # fmt: skip
    with the_day_is(first_half.due_date):
        sepa.remittance_post(company=company, by=by, remittance_id=remittance.pk)
    remittance.refresh_from_db()
    collected = Payment.objects.get(remittance_line__remittance=remittance, party=customer)
    other_collected = Payment.objects.get(remittance_line__remittance=remittance, party=other)
    offset = payment_record(
        company=company, by=by, direction=Direction.RECEIVABLE, party_id=customer.pk, date=credit_note.date,
        amount=D(0), method=Payment.Method.OFFSET,
        allocations=[Match(credit_due.pk, credit_due.amount), Match(second_half.pk, -credit_due.amount)],
    )  # fmt: skip
    rest = second_half.amount + credit_due.amount
    transfer = payment_record(
        company=company, by=by, direction=Direction.RECEIVABLE, party_id=customer.pk, date=second_half.due_date,
        amount=rest, bank_account_id=bank.pk, allocations=[Match(second_half.pk, rest)], reference=invoice.number,
    )  # fmt: skip
    for record in (order, invoice, first_half, second_half, credit_due, supplier_due):
        record.refresh_from_db()
    first_version.refresh_from_db()
    return Story(
        customer=customer, opportunity=opportunity, first_version=first_version, quotation=quotation, order=order,
        purchase=purchase, purchase_receipt=purchase_receipt, supplier_invoice=supplier_invoice,
        supplier_due=supplier_due, supplier_payment=supplier_payment, delivery=delivery, backorder=backorder,
        returned=returned, invoice=invoice, credit_note=credit_note, first_half=first_half,
        second_half=second_half, credit_due=credit_due, remittance=remittance, collected=collected, offset=offset,
        transfer=transfer, stock_purchase=stock_purchase, other_invoice=other_invoice,
        other_collected=other_collected,
    )  # fmt: skip


@dataclass
class Chain:
    """A plain sale of `size` deliveries, each invoiced, each invoice paid in its two halves."""

    opportunity: object
    quotation: Quotation
    order: SalesOrder
    deliveries: list[Delivery]
    invoices: list[Invoice]
    dues: list[DueAmount]
    payments: list[Payment]


def tell_chain(company, by, *, size: int) -> Chain:
    """The same chain whatever its size: an opportunity, its quotation and order for 3 x `size` downlights,
    delivered 3 at a time (the rest each time on a backorder), each delivery invoiced and each invoice paid
    in two transfers. Sets the company up the first time."""
    if not Unit.objects.filter(company=company).exists():
        open_for_business(company)
    today = timezone.localdate()
    unit = Unit.objects.get(company=company, code="ud")
    vat = TaxCategory.objects.get(company=company, code="general")
    sku = f"LED-{size}"
    downlight = catalog.item_create(
        company=company, by=by, sku=sku, name=f"Foco {sku}", unit_id=unit.pk, sale_tax_id=vat.pk,
        purchase_tax_id=vat.pk, base_price=D("10.00"), valuation_method="fifo",
    )  # fmt: skip
    stock = inventory.settings_of(company)
    inventory.stock_move_create(
        company=company, by=by, item_id=downlight.pk, quantity=3 * size, from_location_id=stock.supplier_location_id,
        to_location_id=stock.default_warehouse.stock_location_id, unit_cost=D("5.00"), date=today - timedelta(days=5),
        done=True,
    )  # fmt: skip
    customer = party_create(
        company=company, by=by, name=f"Cliente {size}", tax_id=CHAIN_TAX_IDS[size], addresses=[BILLING]
    )
    halves = PaymentTerm.objects.get(company=company, name="50 % a 30 días, 50 % a 60 días")
    party_profile_set(company=company, by=by, party_id=customer.pk, customer_term_id=halves.pk)
    bank = BankAccount.objects.filter(company=company).first() or bank_account_save(
        company=company, by=by, name="Banco", iban="ES91 2100 0418 4502 0005 1332"
    )
    opportunity = crm.opportunity_create(
        company=company, by=by, party_id=customer.pk, title="Obra", owner_id=by.pk, amount=D("100.00"),
        expected_close=today + timedelta(days=30),
    )  # fmt: skip
    quotation = sales.quotation_create(
        company=company, by=by, opportunity_id=opportunity.pk,
        lines=[{"item_id": downlight.pk, "quantity": str(3 * size)}],
    )  # fmt: skip
    sales.quotation_mark_sent(company=company, by=by, quotation_id=quotation.pk, sent_to="obra@turia.es")
    order = sales.quotation_accept(company=company, by=by, quotation_id=quotation.pk)
    deliveries, invoices, dues, payments = [], [], [], []
    paid_on = today + timedelta(days=61)  # every half, on one day: the bank journal numbers in date order
    for _round in range(size):
        waiting = Delivery.objects.get(order=order, state=Delivery.State.DRAFT)
        (line,) = waiting.lines.all()
        deliveries.append(
            sales.delivery_validate(
                company=company, by=by, delivery_id=waiting.pk, quantities={line.pk: D(3)}
            )
        )
        invoice = invoicing.invoice_from_orders(company=company, by=by, order_ids=[order.pk])
        invoices.append(invoicing.invoice_post(company=company, by=by, invoice_id=invoice.pk))
        for due in DueAmount.objects.filter(origin_model="invoicing.invoice", origin_id=invoice.pk):
            dues.append(due)
            payment = payment_record(
                company=company, by=by, direction=Direction.RECEIVABLE, party_id=customer.pk, date=paid_on,
                amount=due.amount, bank_account_id=bank.pk, allocations=[Match(due.pk, due.amount)],
            )  # fmt: skip
            payments.append(payment)
    order.refresh_from_db()
    return Chain(opportunity, quotation, order, deliveries, invoices, dues, payments)


# A customer per chain size, each with a valid tax id of its own.
CHAIN_TAX_IDS = {1: "B46000014", 2: "B46000022", 3: "B46000030"}
