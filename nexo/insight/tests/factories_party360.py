"""A customer's story for the 360° view and search tests, told through the modules' own services (every figure
worked out by hand in `Story`'s docstring).

Import the fixtures into a test module with `from nexo.insight.tests.factories_party360 import *`."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from nexo.accounting.models import Account
from nexo.accounting.services.ledger import journal_of
from nexo.accounting.services.payment_terms import party_profile_set, payment_terms_setup
from nexo.crm import services as crm
from nexo.crm.models import Activity, Opportunity, Stage
from nexo.invoicing import services as invoicing
from nexo.invoicing.models import Invoice
from nexo.invoicing.services import InvoiceLineInput
from nexo.parties.models import Party
from nexo.parties.services import party_create
from nexo.payments.models import BankAccount, Direction, DueAmount, Payment
from nexo.payments.services.payments import Match, payment_record
from nexo.payments.services.reminders import reminders_send
from nexo.sales import services as sales
from nexo.sales.models import Delivery, Quotation, SalesOrder

D = Decimal
ADDRESS = {"street": "Calle Colón 12", "postal_code": "46004", "city": "Valencia", "kind": "billing"}
#: The day the figures are read on in the service tests.
TODAY = date(2026, 12, 1)
__all__ = [
    "ADDRESS",
    "TODAY",
    "D",
    "Story",
    "accountant",
    "make_story",
    "pile_of_records",
    "salesperson",
    "story",
]


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@dataclass
class Story:
    """Reformas Turia, S.L. (B46000014), a customer of Valencia with a credit limit of 1,000.00:

    - 5 Oct: invoice typed by hand, a service of 100.00 + 21 % = 121.00 (no cost of goods), due in 30 days (the
      company's default term): 4 Nov;
    - 20 Oct: a credit note of 20.00 of its base: -24.20 (no goods come back: no cost), due that day;
    - 30 Oct: a transfer of 50.00 against the invoice: 71.00 left on it;
    - 5 Nov: a first reminder of what is left of the invoice;
    - opportunity "Reforma oficinas" (opened 28 Oct) quoted on 2 Nov: 5 x LED-18 at 10.00,
      net 50.00 + 21 % = 60.50, costed at the 6.00 they were received at (30.00); sent, accepted (the order,
      60.50, on 3 Nov; the opportunity won at 50.00), delivered on 10 Nov (cost of goods 5 x 6.00 = 30.00) and invoiced
      on 12 Nov: base 50.00, 60.50, cost 30.00, due in 30 days (12 Dec);
    - open: "Ampliación nave" (20 Nov) 2,000.00 at 25 % and "Mantenimiento anual" (25 Nov) 1,000.50 at 10 %:
      weighted 500.00 + 100.05 = 600.05;
    - activities: a call done on 3 Nov, a meeting due on 3 Dec (the next) and a task due on 15 Dec.

    Lifetime revenue 100.00 - 20.00 + 50.00 = 130.00; margin 130.00 - 30.00 = 100.00 (76.92 %).
    On 1 Dec it owes 71.00 - 24.20 + 60.50 = 107.30, of which 71.00 - 24.20 = 46.80 overdue (two due amounts);
    available credit 1,000.00 - 107.30 (no open orders: the order is invoiced) = 892.70."""

    party: Party
    service_invoice: Invoice
    credit_note: Invoice
    order_invoice: Invoice
    payment: Payment
    won: Opportunity
    quotation: Quotation
    order: SalesOrder
    delivery: Delivery
    open_opportunities: list[Opportunity]
    activities: list[Activity]


@pytest.fixture
def accountant(make_user, company):
    journal_of(company, "GEN")  # the books: chart, journals, this year
    invoicing.settings_of(company)
    payment_terms_setup(company)
    return make_user("contable", "accounting", language="en")


@pytest.fixture
def salesperson(sales_user):
    return sales_user


def _stage(company, name: str) -> Stage:
    return Stage.objects.get(company=company, name=name)


@pytest.fixture
def make_story(company, accountant, salesperson, make_item, receive, warehouse, catalog):
    """Builds the story for a customer `name` with tax id `tax_id` (see `Story`)."""

    def make(name="Reformas Turia, S.L.", tax_id="B46000014", *, sku="LED-18") -> Story:
        crm.stages_ensure_defaults(company=company)
        party = party_create(
            company=company, by=salesperson, name=name, tax_id=tax_id, addresses=[ADDRESS], status="customer",
            country="ES", email="admin@turia.example",
        )  # fmt: skip
        party_profile_set(company=company, by=accountant, party_id=party.pk, credit_limit=D("1000.00"))
        bank = BankAccount.objects.create(
            company=company, name="Banco Turia", iban="ES9121000418450200051332",
            account=Account.objects.get(company=company, code="572"),
        )  # fmt: skip

        draft = invoicing.invoice_create(
            company=company, by=accountant, party_id=party.pk, date=date(2026, 10, 5),
            lines=[InvoiceLineInput(None, "Asesoría técnica", D(1), D("100.00"), vat_rate=D(21))],
        )  # fmt: skip
        service_invoice = invoicing.invoice_post(company=company, by=accountant, invoice_id=draft.pk)
        draft = invoicing.credit_note_create(
            company=company, by=accountant, invoice_id=service_invoice.pk, reason="Descuento pactado",
            amount=D("20.00"),
        )  # fmt: skip
        Invoice.objects.filter(pk=draft.pk).update(date=date(2026, 10, 20))
        credit_note = invoicing.invoice_post(company=company, by=accountant, invoice_id=draft.pk)
        (service_due,) = DueAmount.objects.filter(company=company, origin_id=service_invoice.pk,
                                                  origin_model="invoicing.invoice")  # fmt: skip
        payment = payment_record(
            company=company, by=accountant, direction=Direction.RECEIVABLE, party_id=party.pk,
            date=date(2026, 10, 30), amount=D("50.00"), bank_account_id=bank.pk,
            allocations=[Match(service_due.pk, D("50.00"))], keep_credit=True,
        )  # fmt: skip
        reminders_send(company=company, by=accountant, due_ids=[service_due.pk], date=date(2026, 11, 5),
                       send_email=False)  # fmt: skip

        item = make_item(sku, base_price="10.00", valuation_method="average", min_margin=D("0"))
        receive(item, 5, "6.00", date(2026, 10, 1))
        won = crm.opportunity_create(
            company=company, by=salesperson, party_id=party.pk, title="Reforma oficinas", owner_id=salesperson.pk,
            amount=D("1000.00"), expected_close=date(2026, 11, 30),
        )  # fmt: skip
        quotation = sales.quotation_create(
            company=company, by=salesperson, opportunity_id=won.pk, date=date(2026, 11, 2),
            valid_until=timezone.localdate() + timedelta(days=60),  # still valid when the test accepts it
            lines=[{"item_id": item.pk, "quantity": "5"}],
        )  # fmt: skip
        sales.quotation_mark_sent(company=company, by=salesperson, quotation_id=quotation.pk)
        order = sales.quotation_accept(company=company, by=salesperson, quotation_id=quotation.pk)
        SalesOrder.objects.filter(pk=order.pk).update(date=date(2026, 11, 3))
        (delivery,) = order.deliveries.all()
        delivery = sales.delivery_validate(
            company=company, by=salesperson, delivery_id=delivery.pk, date=date(2026, 11, 10)
        )
        draft = invoicing.invoice_from_orders(
            company=company, by=accountant, order_ids=[order.pk], date=date(2026, 11, 12)
        )
        order_invoice = invoicing.invoice_post(company=company, by=accountant, invoice_id=draft.pk)

        expansion = crm.opportunity_create(
            company=company, by=salesperson, party_id=party.pk, title="Ampliación nave", owner_id=salesperson.pk,
            amount=D("2000.00"), probability=D("25"), expected_close=date(2027, 3, 31),
            stage_id=_stage(company, "Cualificado").pk,
        )  # fmt: skip
        upkeep = crm.opportunity_create(
            company=company, by=salesperson, party_id=party.pk, title="Mantenimiento anual",
            owner_id=salesperson.pk, amount=D("1000.50"), probability=D("10"), expected_close=date(2027, 1, 31),
        )  # fmt: skip
        call = crm.activity_create(
            company=company, by=salesperson, party_id=party.pk, kind="call", subject="Llamar por la obra",
            due_at=_at(date(2026, 11, 3)),
        )  # fmt: skip
        crm.activity_complete(company=company, by=salesperson, activity_id=call.pk, outcome="Conforme")
        meeting = crm.activity_create(
            company=company, by=salesperson, opportunity_id=expansion.pk, kind="meeting",
            subject="Visita a la nave", due_at=_at(date(2026, 12, 3)),
        )  # fmt: skip
        task = crm.activity_create(
            company=company, by=salesperson, party_id=party.pk, kind="task", subject="Enviar catálogo",
            due_at=_at(date(2026, 12, 15)),
        )  # fmt: skip
        for opportunity, day in (
            (won, date(2026, 10, 28)),
            (expansion, date(2026, 11, 20)),
            (upkeep, date(2026, 11, 25)),
        ):
            Opportunity.objects.filter(pk=opportunity.pk).update(
                created_at=_at(day, 9)
            )  # when they were opened
        for record in (service_invoice, credit_note, order_invoice, quotation, order, won, delivery):
            record.refresh_from_db()
        return Story(
            party=party, service_invoice=service_invoice, credit_note=credit_note, order_invoice=order_invoice,
            payment=payment, won=won, quotation=quotation, order=order, delivery=delivery,
            open_opportunities=[expansion, upkeep], activities=[call, meeting, task],
        )  # fmt: skip

    return make


@pytest.fixture
def story(make_story) -> Story:
    return make_story()


def pile_of_records(company, party, user, count: int) -> None:
    """`count` records of every kind of the timeline for `party`, written straight to the tables (the query
    guards need many, not a story): opportunities, activities, quotations, orders with a delivery note each,
    posted invoices, due amounts with a reminder each, payments."""
    from nexo.accounting.models import Account
    from nexo.inventory.services import settings_of as inventory_settings
    from nexo.payments.models import Reminder

    crm.stages_ensure_defaults(company=company)
    stage = Stage.objects.filter(company=company, kind=Stage.Kind.OPEN).order_by("sequence").first()
    warehouse = inventory_settings(company).default_warehouse
    receivable = Account.objects.get(company=company, code="4300")
    day, tag = date(2026, 6, 1), f"{party.pk}-"
    rows = range(1, count + 1)
    common = {"company": company, "created_by": user, "updated_by": user}
    Opportunity.objects.bulk_create(
        Opportunity(party=party, title=f"Oportunidad {n}", owner=user, stage=stage, probability=D(10),
                    amount=D(n), expected_close=day, **common)
        for n in rows
    )  # fmt: skip
    Activity.objects.bulk_create(
        Activity(party=party, subject=f"Llamada {n}", owner=user, due_at=_at(day), **common) for n in rows
    )
    Quotation.objects.bulk_create(
        Quotation(number=f"Q-{tag}{n}", party=party, salesperson=user, date=day, valid_until=day,
                  currency="EUR", warehouse=warehouse, **common)
        for n in rows
    )  # fmt: skip
    orders = SalesOrder.objects.bulk_create(
        SalesOrder(number=f"O-{tag}{n}", party=party, salesperson=user, warehouse=warehouse, date=day,
                   currency="EUR", **common)
        for n in rows
    )  # fmt: skip
    Delivery.objects.bulk_create(
        Delivery(number=f"A-{tag}{n}", order=order, party=party, warehouse=warehouse, date=day, **common)
        for n, order in zip(rows, orders, strict=True)
    )  # fmt: skip
    Invoice.objects.bulk_create(
        Invoice(party=party, date=day, currency="EUR", state=Invoice.State.POSTED, series=f"X{party.pk}",
                year=2026, sequence=n, number=f"X-{tag}{n}", base=D(10), total=D("12.10"), **common)
        for n in rows
    )  # fmt: skip
    dues = DueAmount.objects.bulk_create(
        DueAmount(direction=Direction.RECEIVABLE, party=party, account=receivable, origin_model="invoicing.invoice",
                  origin_id=n, origin_number=f"X-{tag}{n}", document_date=day, due_date=day, currency="EUR",
                  amount=D("12.10"), **common)
        for n in rows
    )  # fmt: skip
    Reminder.objects.bulk_create(Reminder(company=company, due=due, level=1, date=day) for due in dues)
    Payment.objects.bulk_create(
        Payment(direction=Direction.RECEIVABLE, number=f"C-{tag}{n}", party=party, date=day, currency="EUR",
                amount=D(1), **common)
        for n in rows
    )  # fmt: skip
